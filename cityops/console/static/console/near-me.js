// Inspector tasks "near me": ask the phone for its position, reload sorted by distance.
// Without geolocation (or when refused) the list stays sorted by deadline.
(function () {
  "use strict";
  const form = document.querySelector("[data-near-me]");
  if (!form || !("geolocation" in navigator)) return;
  const button = form.querySelector("[data-near-locate]");
  const status = document.getElementById("near-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    if (status) status.textContent = "…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.querySelector("[data-near=lon]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[data-near=lat]").value = pos.coords.latitude.toFixed(6);
        form.submit();
      },
      function (err) {
        if (status) status.textContent = err.message || "✗";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
