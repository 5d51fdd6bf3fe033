// What every Leaflet map of ours starts from: the configuration read from a json_script block
// and the base map (tiles from the deployment's settings, or a plain background where none are
// configured; the Tongliao centre by default). Used by console/maps.js, console/case-map.js,
// console/registry-map.js, inspections/inspections.js and cityops/map-preview.js (the admin's
// GeoJSON widget); load it before them. Sets window.CityOpsMapBase. Served by us, no inline
// scripts (CSP).
(function () {
  "use strict";

  const CENTRE = [43.62, 122.26]; // Tongliao central district, when the settings name none

  // The JSON data block with this id (Django's json_script), or null (missing or broken).
  function readJson(id) {
    const el = id ? document.getElementById(id) : null;
    if (!el) return null;
    try {
      return JSON.parse(el.textContent || "null");
    } catch (err) {
      return null;
    }
  }

  // A Leaflet map in `el` from `options` (tileUrl, tileAttribution, tileSubdomains, center,
  // zoom). `own` holds what differs between our maps: `map` (more L.map options, which win),
  // `zoom` (when options name none; 13) and `plainClass` (without tiles; "map--plain").
  function baseMap(el, options, own) {
    const extra = own || {};
    const map = L.map(el, Object.assign({ maxZoom: 19, scrollWheelZoom: false }, extra.map));
    map.attributionControl.setPrefix("Leaflet");
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, {
        attribution: options.tileAttribution || "",
        subdomains: options.tileSubdomains || "abc",
        maxZoom: 19,
      }).addTo(map);
    } else {
      el.classList.add(extra.plainClass || "map--plain");
    }
    map.setView(options.center || CENTRE, options.zoom || extra.zoom || 13);
    return map;
  }

  window.CityOpsMapBase = { readJson: readJson, baseMap: baseMap };
})();
