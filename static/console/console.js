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

// Unit selects (cityops/registry/fields.py UnitChoiceField, grouped by kind): a "type to filter"
// box above the select keeps only the units whose name contains the text, within their groups.
// The select stays a plain grouped select without JavaScript.
(function () {
  function setup(select) {
    if (select.dataset.unitFilterReady) return;
    select.dataset.unitFilterReady = "1";
    const label = select.getAttribute("data-unit-filter") || "";
    const input = document.createElement("input");
    input.type = "search";
    input.className = "unit-filter";
    input.placeholder = label;
    input.setAttribute("aria-label", label);
    input.setAttribute("autocomplete", "off");
    if (select.id) input.setAttribute("aria-controls", select.id);
    select.insertAdjacentElement("beforebegin", input);
    const original = Array.from(select.children).map(function (n) { return n.cloneNode(true); });

    // Chosen units always stay (and stay chosen), whatever the filter: one for a select,
    // several for a multiple select.
    function keep(option, q, current) {
      return !option.value || current.has(option.value) ||
        option.textContent.toLowerCase().indexOf(q) !== -1;
    }

    input.addEventListener("input", function () {
      const q = input.value.trim().toLowerCase();
      const current = new Set(Array.from(select.selectedOptions).map(function (o) { return o.value; }));
      const nodes = [];
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          const group = node.cloneNode(false);
          Array.from(node.children).forEach(function (o) {
            if (keep(o, q, current)) group.append(o.cloneNode(true));
          });
          if (group.children.length) nodes.push(group);
        } else if (keep(node, q, current)) {
          nodes.push(node.cloneNode(true));
        }
      });
      select.replaceChildren.apply(select, nodes);
      Array.from(select.options).forEach(function (o) { o.selected = current.has(o.value); });
    });
    // Enter in the box must not send the form half-filled.
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
  }

  function init(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-unit-filter]").forEach(setup);
  }
  init(document);
  document.body.addEventListener("htmx:load", function (e) { init(e.target); });
})();
// Handling (处置反馈): ticking "publish as reply" starts the reply from the note, to edit.
document.body.addEventListener("change", function (event) {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== "publish_reply" || !box.form) return;
  const reply = box.form.querySelector("textarea[name=public_reply]");
  const note = box.form.querySelector("textarea[name=note]");
  if (box.checked && reply && note && !reply.value.trim()) reply.value = note.value;
});
