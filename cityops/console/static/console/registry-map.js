// Registry detail: draw the row's outline (area or road line) from a json_script block.
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  function readJson(id) {
    const el = id ? document.getElementById(id) : null;
    try { return el ? JSON.parse(el.textContent || "null") : null; } catch (e) { return null; }
  }
  document.querySelectorAll("[data-registry-map]").forEach(function (el) {
    const options = readJson(el.dataset.options) || {};
    const shape = readJson(el.dataset.shape);
    const map = L.map(el, { maxZoom: 19, scrollWheelZoom: false });
    map.attributionControl.setPrefix("Leaflet");
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, {
        attribution: options.tileAttribution || "",
        subdomains: options.tileSubdomains || "abc",
        maxZoom: 19,
      }).addTo(map);
    } else {
      el.classList.add("map--plain");
    }
    map.setView(options.center || [43.62, 122.26], options.zoom || 15);
    if (shape) {
      const layer = L.geoJSON(shape, { style: { color: "#0b5cad", weight: 3, fillOpacity: 0.15 } });
      layer.addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    }
  });
})();
