// Case list: "select all on this page" for bulk dispatch (the checkboxes work without it).
(function () {
  "use strict";
  const form = document.querySelector("[data-bulk-form]");
  if (!form) return;
  const all = form.querySelector("[data-select-all]");
  const picks = Array.prototype.slice.call(form.querySelectorAll("[data-pick]"));
  if (!all || picks.length === 0) return;
  all.hidden = false;
  function sync() {
    const checked = picks.filter(function (p) { return p.checked; }).length;
    all.checked = checked === picks.length;
    all.indeterminate = checked > 0 && checked < picks.length;
  }
  all.addEventListener("change", function () {
    picks.forEach(function (p) { p.checked = all.checked; });
  });
  picks.forEach(function (p) { p.addEventListener("change", sync); });
  sync();
})();
