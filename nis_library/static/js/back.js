// "Back to results" on an item page reached from a search: progressive enhancement. The link is sent
// hidden (the page is the same for everyone, so it can be cached); this shows it, pointing at the
// results page the reader came from, only when that page is one of this site's searches. Without
// JavaScript the browser's own Back does the same.
(function () {
  var link = document.querySelector('a[data-back-to-results]');
  if (!link || !document.referrer) return;
  var from;
  try { from = new URL(document.referrer); } catch (e) { return; }
  var searchPath = link.getAttribute('data-back-to-results');
  if (from.origin !== window.location.origin || from.pathname !== searchPath) return;
  link.href = from.pathname + from.search;
  link.hidden = false;
})();
