// Inspection pages (no inline scripts; Leaflet served by us).
//
// [data-inspection-map]  the asset's geometry and the recorded position; with data-pick the
//                        map also sets the form's position by a tap (a pin, when GPS fails).
// [data-locate]          asks the browser for its GPS position (WGS-84) into [data-geo] inputs.
// [data-clear-position]  records "no position".
// canvas[data-signature] a signature pad; on submit the drawing goes as a PNG data URL into the
//                        hidden input [data-signature-value=<same name>] (validated server-side).
(function () {
  "use strict";

  // readJson and the base map: cityops/map-base.js (loaded before this file on the page).
  const base = window.CityOpsMapBase;

  function geoInput(form, name) {
    return form ? form.querySelector("[data-geo=" + name + "]") : null;
  }

  function setPosition(form, lon, lat, accuracy, source) {
    if (!form) return;
    geoInput(form, "lon").value = lon === null ? "" : lon.toFixed(7);
    geoInput(form, "lat").value = lat === null ? "" : lat.toFixed(7);
    geoInput(form, "accuracy").value = accuracy === null ? "" : String(Math.round(accuracy));
    geoInput(form, "source").value = source || "";
  }

  function inspectionMap(el) {
    if (typeof L === "undefined" || !base) return null;
    const options = base.readJson(el.dataset.options) || {};
    const asset = base.readJson(el.dataset.asset);
    const point = base.readJson(el.dataset.point);
    const map = base.baseMap(el, options);
    let bounds = null;
    if (asset) {
      const layer = L.geoJSON(asset, { style: { color: "#1f6feb", weight: 5 } }).addTo(map);
      bounds = layer.getBounds();
    }
    let marker = null;
    function place(lat, lon) {
      if (marker) marker.setLatLng([lat, lon]);
      else marker = L.circleMarker([lat, lon], { radius: 8, color: "#b3261e", fillOpacity: 0.8 }).addTo(map);
    }
    if (point && point.coordinates) {
      place(point.coordinates[1], point.coordinates[0]);
      bounds = bounds ? bounds.extend(marker.getLatLng()) : L.latLngBounds([marker.getLatLng()]);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] });
    const form = el.closest("form");
    if (el.dataset.pick && form) {
      map.on("click", function (ev) {
        place(ev.latlng.lat, ev.latlng.lng);
        setPosition(form, ev.latlng.lng, ev.latlng.lat, null, "pin");
        const status = form.querySelector("[data-locate-status]");
        if (status) status.textContent = status.dataset.pinText || "";
      });
    }
    return { map: map, place: place };
  }

  function positionControls(form, mapCtl) {
    const locate = form.querySelector("[data-locate]");
    const clear = form.querySelector("[data-clear-position]");
    const status = form.querySelector("[data-locate-status]");
    if (locate) {
      if (!("geolocation" in navigator)) {
        locate.hidden = true;
      }
      locate.addEventListener("click", function () {
        if (status) status.textContent = status.dataset.waitText || "";
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            const c = pos.coords;
            setPosition(form, c.longitude, c.latitude, c.accuracy, "gps");
            if (mapCtl) {
              mapCtl.place(c.latitude, c.longitude);
              mapCtl.map.setView([c.latitude, c.longitude], 17);
            }
            if (status) {
              status.textContent = (status.dataset.gpsText || "GPS") + " ±" + Math.round(c.accuracy);
            }
          },
          function (err) {
            if (status) status.textContent = status.dataset.errorText || err.message;
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }
        );
      });
    }
    if (clear) {
      clear.addEventListener("click", function () {
        setPosition(form, null, null, null, "");
        if (status) status.textContent = status.dataset.noneText || "";
      });
    }
  }

  function signaturePad(canvas, form) {
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let touched = false;
    ctx.lineWidth = 2;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    function at(ev) {
      const r = canvas.getBoundingClientRect();
      return [(ev.clientX - r.left) * (canvas.width / r.width), (ev.clientY - r.top) * (canvas.height / r.height)];
    }
    canvas.addEventListener("pointerdown", function (ev) {
      drawing = true;
      touched = true;
      canvas.setPointerCapture(ev.pointerId);
      const p = at(ev);
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drawing) return;
      const p = at(ev);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    });
    ["pointerup", "pointercancel"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    const name = canvas.dataset.signature;
    const clear = form.querySelector("[data-signature-clear=" + name + "]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        touched = false;
      });
    }
    form.addEventListener("submit", function () {
      const input = form.querySelector("[data-signature-value=" + name + "]");
      if (input) input.value = touched ? canvas.toDataURL("image/png") : "";
    });
  }

  document.querySelectorAll("[data-inspection-map]").forEach(function (el) {
    const ctl = inspectionMap(el);
    const form = el.closest("form[data-inspection-form]");
    if (form) positionControls(form, ctl);
  });
  document.querySelectorAll("form[data-inspection-form]").forEach(function (form) {
    if (!form.querySelector("[data-inspection-map]")) positionControls(form, null);
    form.querySelectorAll("canvas[data-signature]").forEach(function (c) { signaturePad(c, form); });
  });
})();
