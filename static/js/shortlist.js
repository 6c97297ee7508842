// The shortlist and the compare ticks without leaving the page: a shortlist button posts in
// the background and changes in place, a polite message says what happened, and the tray at
// the bottom of the search page follows. Without this script the buttons post and the page
// comes back at the same program.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;
  var status = document.getElementById("shortlist-status");

  function say(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function counted(element, count) {
    var words = count === 1 ? element.dataset.one : element.dataset.other;
    return words.replace("{n}", count);
  }

  function showCount(count) {
    document.querySelectorAll("[data-shortlist-count]").forEach(function (element) {
      element.textContent = count ? " (" + count + ")" : "";
    });
    var tray = document.querySelector("[data-shortlist-tray]");
    if (tray) {
      tray.hidden = count === 0 && !tray.querySelector("[data-compare-ticked]:not([hidden])");
      var words = tray.querySelector("[data-tray-count]");
      if (words) {
        words.hidden = count === 0;
        words.textContent = counted(words, count);
      }
    }
  }

  function csrfToken(button) {
    var form = button.form || button.closest("form");
    var field = form && form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-shortlist-toggle]");
    if (!button) return;
    event.preventDefault();
    var action = button.getAttribute("formaction") || button.form.getAttribute("action");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken(button));
    button.disabled = true;
    fetch(action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch", "X-CSRFToken": csrfToken(button) },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (answer) {
        button.setAttribute("aria-pressed", answer.on_shortlist ? "true" : "false");
        button.firstChild.textContent = answer.on_shortlist ? button.dataset.labelRemove : button.dataset.labelAdd;
        if (button.hasAttribute("formaction")) button.setAttribute("formaction", answer.toggle_url);
        else button.form.setAttribute("action", answer.toggle_url);
        showCount(answer.count);
        say(answer.message);
      })
      .catch(function () {
        // The page's own way: post the form and come back to this program (a disabled
        // button would not be pressed).
        button.disabled = false;
        button.removeAttribute("data-shortlist-toggle");
        button.click();
      })
      .then(function () { button.disabled = false; });
  });

  // Compare: at most four ticks, refused at once; the tray offers the comparison. The form
  // is looked for at each change: the live filters put new results, and a new form, in place.
  function ticked() {
    return document.querySelectorAll("input[name=programs][form=compare-form]:checked");
  }
  function showTicked() {
    var compareButton = document.querySelector("[data-compare-ticked]");
    if (!compareButton) return;
    var count = ticked().length;
    compareButton.hidden = count < 2;
    compareButton.textContent = counted(compareButton, count);
    var tray = document.querySelector("[data-shortlist-tray]");
    var words = tray && tray.querySelector("[data-tray-count]");
    if (tray) tray.hidden = count < 2 && (!words || words.hidden);
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    var compareForm = document.getElementById("compare-form");
    if (!compareForm || box.name !== "programs" || box.getAttribute("form") !== "compare-form") return;
    if (box.checked && ticked().length > Number(compareForm.dataset.max)) {
      box.checked = false;
      say(compareForm.dataset.limitMessage);
      return;
    }
    showTicked();
  });
  document.addEventListener("iop:results-replaced", showTicked);
})();
