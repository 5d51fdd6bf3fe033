// Staff case map: the list's filter on a map. Only the viewport is loaded (bbox JSON);
// markers are clustered and coloured by traffic light; when too many cases match, the server
// answers with counts per area and the page asks to zoom in. Grid and community boundaries
// are layers the user switches on (also loaded per viewport).
(function () {
  "use strict";
  const el = document.querySelector("[data-staff-case-map]");
  if (!el || typeof L === "undefined") return;
  const optionsEl = document.getElementById(el.dataset.options);
  const options = optionsEl ? JSON.parse(optionsEl.textContent || "{}") : {};
  const status = document.getElementById("map-status");
  const COLOURS = { red: "#b3261e", yellow: "#c98a00", green: "#1b7f3b", none: "#5b6b7c" };

  const map = L.map(el, { maxZoom: 19 });
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
  map.setView(options.center || [43.62, 122.26], options.zoom || 13);

  const markers = typeof L.markerClusterGroup === "function"
    ? L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true })
    : L.layerGroup();
  const cells = L.layerGroup();
  markers.addTo(map);
  cells.addTo(map);

  const boundaryLayers = {};
  const overlays = {};
  Object.keys(options.layerNames || {}).forEach(function (key) {
    const layer = L.geoJSON(null, {
      style: key === "grids"
        ? { color: "#0b5cad", weight: 1, fill: false, opacity: 0.6 }
        : { color: "#6a3d9a", weight: 2, fill: false, dashArray: "6 4" },
      onEachFeature: function (feature, lyr) {
        lyr.bindTooltip(feature.properties.code + " " + (feature.properties.name || ""));
      },
    });
    boundaryLayers[key] = layer;
    overlays[options.layerNames[key]] = layer;
  });
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  function bboxParam() {
    const b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return v.toFixed(6); }).join(",");
  }

  function say(text) { if (status) status.textContent = text; }

  function marker(c) {
    const colour = COLOURS[c.light] || COLOURS.none;
    const m = L.circleMarker([c.lat, c.lon], {
      radius: 8, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.9,
    });
    m.options.light = c.light;
    const link = document.createElement("a");
    link.href = options.detailUrl + c.id + "/";
    link.textContent = c.number + " · " + c.category;
    link.setAttribute("data-case-link", c.number);
    m.bindPopup(link);
    m.on("click", function () { m.openPopup(); });
    return m;
  }

  let seq = 0;
  function loadCases() {
    const mine = ++seq;
    const url = options.dataUrl + (options.dataUrl.indexOf("?") >= 0 ? "&" : "?") +
      "bbox=" + encodeURIComponent(bboxParam());
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) {
        if (mine !== seq) return;
        markers.clearLayers();
        cells.clearLayers();
        if (!res.ok) { say(typeof res.data.error === "string" ? res.data.error : "✗"); return; }
        const data = res.data;
        el.dataset.mode = data.mode;
        el.dataset.count = String(data.count);
        if (data.mode === "cells") {
          say(data.message || options.tooMany || "");
          data.cells.forEach(function (cell) {
            const icon = L.divIcon({
              className: "map-cell" + (cell.red ? " map-cell--red" : ""),
              html: "<span>" + cell.count + "</span>",
              iconSize: [44, 44],
            });
            const m = L.marker([cell.lat, cell.lon], { icon: icon, keyboard: true, title: String(cell.count) });
            m.on("click", function () { map.setView([cell.lat, cell.lon], map.getZoom() + 2); });
            cells.addLayer(m);
          });
        } else {
          say(String(data.count));
          const list = data.cases.map(marker);
          if (typeof markers.addLayers === "function") markers.addLayers(list);
          else list.forEach(function (m) { markers.addLayer(m); });
        }
      })
      .catch(function () { if (mine === seq) say("✗"); });
  }

  function loadBoundaries() {
    Object.keys(boundaryLayers).forEach(function (key) {
      const layer = boundaryLayers[key];
      if (!map.hasLayer(layer)) return;
      const url = options.layersUrl.replace("{layer}", key) + "?bbox=" + encodeURIComponent(bboxParam());
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          layer.clearLayers();
          if (data) layer.addData(data);
        })
        .catch(function () {});
    });
  }

  map.on("moveend", function () { loadCases(); loadBoundaries(); });
  map.on("overlayadd", loadBoundaries);
  loadCases();
})();
