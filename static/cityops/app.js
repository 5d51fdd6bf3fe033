// Site-wide behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form?.submit();
  }
});

// htmx requests carry the CSRF token from Django's cookie (forms carry it in a hidden field).
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}
document.body.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRFToken"] = csrfToken();
});

// Phones: the main menu (templates/base.html <details>) starts folded; it is open by default
// so that wider screens, and phones without JavaScript, show every link.
const navQuery = window.matchMedia("(max-width: 640px)");
if (navQuery.matches) {
  document.querySelectorAll("[data-nav-menu]").forEach((menu) => { menu.open = false; });
}
