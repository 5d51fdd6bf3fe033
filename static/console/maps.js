// Maps of the console and the residents' pages (Leaflet served by us; no inline scripts).
//
// [data-case-map]   one case's location (options + point from json_script blocks)
// [data-pick-map]   the report form's pin: a tap sets the lon/lat inputs ([data-geo]);
//                   [data-locate] asks the browser for the GPS position. Without JavaScript
//                   the form still works with the typed position or the community + address.
// [data-public-map] public cases in the current viewport only, clustered; markers and clusters
//                   work with the keyboard (needs console/map-kit.js, loaded before this file).
(function () {
  "use strict";

  // readJson and the base map: cityops/map-base.js (loaded before this file on the page).
  const base = window.CityOpsMapBase;

  function caseMap(el) {
    const options = base.readJson(el.dataset.options) || {};
    const point = base.readJson(el.dataset.point);
    const map = base.baseMap(el, options);
    if (point && point.coordinates) {
      const ll = [point.coordinates[1], point.coordinates[0]];
      L.circleMarker(ll, { radius: 9, color: "#b3261e", fillOpacity: 0.8 }).addTo(map);
      map.setView(ll, options.zoom || 16);
    }
    // [data-nearby]: open reports near the point (the residents' report page lists them too).
    (base.readJson(el.dataset.nearby) || []).forEach(function (c) {
      L.circleMarker([c.lat, c.lon], { radius: 7, color: "#a86b00", fillOpacity: 0.6 })
        .bindTooltip(c.number).addTo(map);
    });
  }

  function reportForm(form) {
    const lon = form.querySelector("[data-geo=lon]");
    const lat = form.querySelector("[data-geo=lat]");
    const mapEl = form.querySelector("[data-pick-map]");
    const locate = form.querySelector("[data-locate]");
    const status = form.querySelector("[data-locate-status]");
    const dupBox = form.querySelector("#duplicates");
    const category = form.querySelector("input[name=category]");
    let marker = null;
    let map = null;

    function checkDuplicates() {
      if (!dupBox || !lon.value || !lat.value || !category) return;
      const url = form.dataset.duplicatesUrl + "?" + new URLSearchParams({
        category: category.value, lon: lon.value, lat: lat.value,
      }).toString();
      fetch(url, { headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { dupBox.innerHTML = html; })
        .catch(function () {});
    }

    function setPoint(latValue, lonValue, pan) {
      lat.value = latValue.toFixed(6);
      lon.value = lonValue.toFixed(6);
      if (map) {
        const ll = [latValue, lonValue];
        if (marker) marker.setLatLng(ll);
        else marker = L.marker(ll).addTo(map);
        if (pan) map.setView(ll, 17);
      }
      checkDuplicates();
    }

    if (mapEl && typeof L !== "undefined" && base) {
      mapEl.hidden = false;
      map = base.baseMap(mapEl, base.readJson(mapEl.dataset.options) || {});
      map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
      if (lon.value && lat.value) setPoint(parseFloat(lat.value), parseFloat(lon.value), true);
    }
    [lon, lat].forEach(function (input) {
      input.addEventListener("change", function () {
        if (lon.value && lat.value) setPoint(parseFloat(lat.value), parseFloat(lon.value), true);
      });
    });
    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        if (status) status.textContent = "…";
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            if (status) status.textContent = "✓";
            setPoint(pos.coords.latitude, pos.coords.longitude, true);
          },
          function (err) {
            if (status) status.textContent = err.message || "✗";
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
  }

  // Keyboard and accessible names: console/map-kit.js (loaded before this file on the page).
  function publicMap(el) {
    const kit = window.CityOpsMap;
    const options = base.readJson(el.dataset.options) || {};
    const map = base.baseMap(el, options);
    const layer = kit.clusterGroup(el.dataset.clusterName);
    layer.addTo(map);
    let seq = 0;
    function marker(c) {
      const name = kit.fill(el.dataset.markerName, {
        number: c.number, category: c.category, status: c.status,
      });
      // Only what the public list shows: number, category, status (the selector decides).
      const link = document.createElement("a");
      link.href = el.dataset.detailUrl + encodeURIComponent(c.number) + "/";
      link.textContent = c.number + " · " + c.category + " · " + c.status;
      link.setAttribute("data-case-link", c.number);
      const state = c.closed ? "case-marker--closed" : "case-marker--open";
      return kit.caseMarker([c.lat, c.lon], state, name, link);
    }
    function load() {
      const mine = ++seq;
      fetch(el.dataset.url + "?bbox=" + encodeURIComponent(kit.bboxParam(map)))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq) return;
          layer.clearLayers();
          kit.addAll(layer, (data.cases || []).map(marker));
          el.dataset.loaded = String(mine);  // which load is drawn (tests wait on it)
        })
        .catch(function () {});
    }
    map.on("moveend", kit.heldWhilePopupOpen(map, load));
    load();
  }

  function once(fn) {
    return function (el) {
      if (el.dataset.mapReady) return;
      el.dataset.mapReady = "1";
      fn(el);
    };
  }

  function init() {
    document.querySelectorAll("[data-report-form], [data-place-form]").forEach(once(reportForm));
    if (typeof L === "undefined" || !base) return;
    document.querySelectorAll("[data-case-map]").forEach(once(caseMap));
    if (window.CityOpsMap) document.querySelectorAll("[data-public-map]").forEach(once(publicMap));
  }
  init();
  // htmx swaps in new content (a case page after an action): set up its maps too.
  document.addEventListener("htmx:afterSettle", init);
})();
