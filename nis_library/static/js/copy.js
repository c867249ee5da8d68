// "Copy" and "Print" buttons: progressive enhancement. The buttons are sent hidden; this shows them
// only where they can work, so without JavaScript nothing is offered that does nothing.
(function () {
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = button.parentNode.querySelector('.app-copy-status');
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim().replace(/\s+/g, ' ')).then(
        function () { if (status) status.textContent = 'Citation copied.'; },
        function () { if (status) status.textContent = 'Could not copy: select the citation and copy it.'; }
      );
    });
  });
  document.querySelectorAll('button[data-print]').forEach(function (button) {
    if (!window.print) return;
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
