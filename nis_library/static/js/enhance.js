// Runs first in <body>: marks the page as having JavaScript, as GOV.UK Frontend expects. An
// external file because the Content-Security-Policy allows no inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
