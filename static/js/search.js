// Live filters: a change to the search form updates the results and the map in place, and the
// address bar follows so the search stays shareable. Without this script the form submits.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || !window.fetch || !window.DOMParser || !window.history) return;
  var status = document.getElementById("results-status");
  var pending = null;

  function searchUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "" && name !== "page" && name !== "online_page") params.append(name, value);
    });
    return form.action + (params.toString() ? "?" + params.toString() : "");
  }

  function copyFieldMessages(freshDocument) {
    // The server's messages next to the fields, e.g. "Enter an age from 0 to 120."
    var freshFields = freshDocument.querySelectorAll("#search-form .field");
    form.querySelectorAll(".field").forEach(function (field, index) {
      var fresh = freshFields[index];
      field.querySelectorAll(".error").forEach(function (old) { old.remove(); });
      field.classList.toggle("field-error", !!(fresh && fresh.classList.contains("field-error")));
      if (fresh) fresh.querySelectorAll(".error").forEach(function (error) { field.appendChild(error); });
    });
  }

  function update() {
    var url = searchUrl();
    if (pending) pending.abort();
    pending = new AbortController();
    var results = document.getElementById("results");
    results.setAttribute("aria-busy", "true");
    fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshResults = fresh.getElementById("results");
        if (!freshResults) { window.location.assign(url); return; }
        results.replaceWith(freshResults);
        copyFieldMessages(fresh);
        var jump = form.querySelector(".to-results");
        var freshJump = fresh.querySelector("#search-form .to-results");
        if (jump && freshJump) jump.replaceWith(freshJump);
        var summary = document.querySelector(".search-panel-summary");
        var freshSummary = fresh.querySelector(".search-panel-summary");
        if (summary && freshSummary) summary.replaceWith(freshSummary);
        history.pushState({ liveSearch: true }, "", url);
        shown = location.pathname + location.search;
        document.title = fresh.title;
        if (window.iopMapStart) window.iopMapStart();
        document.dispatchEvent(new CustomEvent("iop:results-replaced"));
        var heading = freshResults.querySelector("h1");
        if (status && heading) status.textContent = heading.textContent.replace(/\s+/g, " ").trim();
      })
      .catch(function (error) {
        if (error.name !== "AbortError") window.location.assign(url);
      });
  }

  form.addEventListener("change", function (event) {
    // A typed place waits for Enter or the button: searching on every keystroke would flicker.
    if (event.target.name === "location") return;
    update();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  // Back and forward through the searches made here show them again. An in-page link (the
  // skip link, "See the programs found") makes a history entry of the same search: the
  // browser moves to its target, and nothing is reloaded.
  var shown = location.pathname + location.search;
  window.addEventListener("popstate", function () {
    if (location.pathname + location.search !== shown) window.location.reload();
  });
})();
