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

// Handling (处置反馈): ticking "publish as reply" starts the reply from the note, to edit.
document.body.addEventListener("change", function (event) {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== "publish_reply" || !box.form) return;
  const reply = box.form.querySelector("textarea[name=public_reply]");
  const note = box.form.querySelector("textarea[name=note]");
  if (box.checked && reply && note && !reply.value.trim()) reply.value = note.value;
});
