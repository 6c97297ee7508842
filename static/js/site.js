// Small enhancements; every page works without them.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // "Use my location": fills the place field with the browser's coordinates and searches.
  // Its messages come in the page's language from the button's data-message-* attributes.
  var locate = document.querySelector("[data-use-location]");
  var message = document.getElementById("location-message");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      var form = locate.form;
      var input = form.querySelector("[name=location]");
      message.textContent = locate.dataset.messageFinding;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // Four decimals is about 10 metres: enough to find what is near, no more.
          input.value = position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4);
          message.textContent = "";
          form.requestSubmit ? form.requestSubmit() : form.submit();
        },
        function (error) {
          message.textContent = error.code === error.PERMISSION_DENIED
            ? locate.dataset.messageDenied
            : locate.dataset.messageFailed;
          input.focus();
        },
        { timeout: 10000, maximumAge: 300000 }
      );
    });
  }
})();

// A wide screen keeps the search panel open beside the results (site.css does the same
// where browsers style a <details>'s content).
(function () {
  "use strict";
  var panel = document.querySelector("details.search-panel");
  if (panel && window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) panel.open = true;
})();
