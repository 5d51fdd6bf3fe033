// Staff case map: the list's filter on a map. Only the viewport is loaded (bbox JSON);
// markers are clustered and coloured by traffic light; when too many cases match, the server
// answers with counts per area and the page asks to zoom in. Grid and community boundaries
// are layers the user switches on (also loaded per viewport).
// Keyboard: case markers, cluster icons and area counts are buttons in the Tab order (Leaflet
// markers with a div icon, not SVG circles, which cannot take focus); Enter opens a case's
// popup and moves focus to its link (Escape closes it and returns to the marker), Enter on a
// cluster or an area zooms in. Each has an accessible name (number, category, status).
// Shared with the residents' map: console/map-kit.js (loaded before this file).
(function () {
  "use strict";
  const el = document.querySelector("[data-staff-case-map]");
  const kit = window.CityOpsMap;
  const base = window.CityOpsMapBase; // cityops/map-base.js, loaded before this file
  if (!el || typeof L === "undefined" || !kit || !base) return;
  const optionsEl = document.getElementById(el.dataset.options);
  const options = optionsEl ? JSON.parse(optionsEl.textContent || "{}") : {};
  const status = document.getElementById("map-status");
  const COLOURS = { red: "#b3261e", yellow: "#c98a00", green: "#1b7f3b", none: "#5b6b7c" };

  // Unlike the small maps, this one zooms with the mouse wheel (Leaflet's default).
  const map = base.baseMap(el, options, { map: { scrollWheelZoom: true } });

  const markers = kit.clusterGroup(options.clusterName);
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

  function say(text) { if (status) status.textContent = text; }

  function marker(c) {
    const name = kit.fill(options.markerName, {
      number: c.number, category: c.category, status: c.status_label || c.status,
    });
    const light = COLOURS[c.light] ? c.light : "none";
    const link = document.createElement("a");
    link.href = options.detailUrl + c.id + "/";
    link.textContent = c.number + " · " + c.category + " · " + (c.status_label || c.status);
    link.setAttribute("data-case-link", c.number);
    const m = kit.caseMarker([c.lat, c.lon], "case-marker--" + light, name, link);
    m.options.light = c.light;
    return m;
  }

  let seq = 0;
  function loadCases() {
    const mine = ++seq;
    const url = options.dataUrl + (options.dataUrl.indexOf("?") >= 0 ? "&" : "?") +
      "bbox=" + encodeURIComponent(kit.bboxParam(map));
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
            const name = kit.fill(options.areaName, { count: cell.count });
            const icon = kit.badge(
              "map-cell" + (cell.red ? " map-cell--red" : ""), String(cell.count), name, [44, 44]);
            const m = L.marker([cell.lat, cell.lon], { icon: icon, keyboard: true, title: name });
            function zoomIn() { map.setView([cell.lat, cell.lon], map.getZoom() + 2); }
            m.on("click", zoomIn);
            m.on("keypress", function (e) {
              if (e.originalEvent && e.originalEvent.keyCode === 13) zoomIn();
            });
            cells.addLayer(m);
          });
        } else {
          say(data.message || String(data.count));
          kit.addAll(markers, data.cases.map(marker));
        }
        el.dataset.loaded = String(mine);  // which load is drawn (tests wait on it)
      })
      .catch(function () { if (mine === seq) say("✗"); });
  }

  function loadBoundaries() {
    Object.keys(boundaryLayers).forEach(function (key) {
      const layer = boundaryLayers[key];
      if (!map.hasLayer(layer)) return;
      const url = options.layersUrl.replace("{layer}", key) + "?bbox=" + encodeURIComponent(kit.bboxParam(map));
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          layer.clearLayers();
          if (data) layer.addData(data);
        })
        .catch(function () {});
    });
  }

  // Not while a popup is open (its marker and focused link stay); closing it catches up.
  const reloadCases = kit.heldWhilePopupOpen(map, loadCases);
  map.on("moveend", function () {
    reloadCases();
    loadBoundaries();
  });
  map.on("overlayadd", loadBoundaries);
  loadCases();
})();
