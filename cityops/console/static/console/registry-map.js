// Registry detail: draw the row's outline (area or road line) from a json_script block.
// The base map: cityops/map-base.js (loaded before this file on the page).
(function () {
  "use strict";
  const base = window.CityOpsMapBase;
  if (typeof L === "undefined" || !base) return;
  document.querySelectorAll("[data-registry-map]").forEach(function (el) {
    const options = base.readJson(el.dataset.options) || {};
    const shape = base.readJson(el.dataset.shape);
    const map = base.baseMap(el, options, { zoom: 15 });
    if (shape) {
      const layer = L.geoJSON(shape, { style: { color: "#0b5cad", weight: 3, fillOpacity: 0.15 } });
      layer.addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    }
  });
})();
