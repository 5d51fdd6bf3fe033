// Console behaviour (static file: the CSP forbids inline scripts).
// Action forms are htmx-boosted; a refused action answers 400/403/409 with the form and its
// error messages, which htmx would not swap by default: show them like a normal page would.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  const status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
