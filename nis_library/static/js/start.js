// Starts GOV.UK Frontend's components, and again on any part of the page htmx swaps in.
(function () {
  if (!window.GOVUKFrontend) return;
  window.GOVUKFrontend.initAll();
  document.body.addEventListener('htmx:afterSettle', function (event) {
    window.GOVUKFrontend.initAll({ scope: event.detail.elt });
  });
})();
