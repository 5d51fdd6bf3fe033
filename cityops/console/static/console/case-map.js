// Staff case map: the list's filter on a map. Only the viewport is loaded (bbox JSON);
// markers are clustered and coloured by traffic light, each cluster by the worst light inside
// (one red case makes it red); when too many cases match, the server answers with counts per
// area, each a link to the case list narrowed to its rectangle (``area``), as is the "cases in
// view" counter under the map. Grid and community boundaries and the hotspot heat map
// (leaflet.heat, counts per small cell from heat.json) are layers the user switches on (also
// loaded per viewport).
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

  // Unlike the small maps, this one zooms with the mouse wheel (Leaflet's default). Its own
  // boundary layers below replace the registry base map's switch.
  const map = base.baseMap(el, options, { map: { scrollWheelZoom: true }, baseControl: false });
  const listLink = document.getElementById("map-list-link");

  const markers = kit.clusterGroup(options.clusterName, options.lightNames, options.worstName);
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
  const heat = typeof L.heatLayer === "function" && options.heatUrl
    ? L.heatLayer([], { radius: 22, blur: 18, minOpacity: 0.35 }) : null;
  if (heat) overlays[options.heatName] = heat;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  // The case list with the map's filter, narrowed to a rectangle [west, south, east, north].
  function listUrl(area) {
    return options.listUrl + (options.listUrl.indexOf("?") >= 0 ? "&" : "?") +
      "area=" + encodeURIComponent(area.map(function (v) { return v.toFixed(6); }).join(","));
  }

  function viewArea() {
    const b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  function showListLink(count) {
    if (!listLink || !options.listUrl) return;
    listLink.href = listUrl(viewArea());
    listLink.textContent = kit.fill(options.listName, { count: count });
    listLink.hidden = false;
  }

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
            // The counter clicks through to the list of the cases it counts.
            function openList() { window.location.assign(listUrl(cell.area)); }
            m.on("click", openList);
            m.on("keypress", function (e) {
              if (e.originalEvent && e.originalEvent.keyCode === 13) openList();
            });
            if (m.options) m.options.listHref = listUrl(cell.area);
            cells.addLayer(m);
          });
        } else {
          say(data.message || String(data.count));
          kit.addAll(markers, data.cases.map(marker));
        }
        showListLink(data.count);
        el.dataset.loaded = String(mine);  // which load is drawn (tests wait on it)
      })
      .catch(function () { if (mine === seq) say("✗"); });
  }

  let heatSeq = 0;
  function loadHeat() {
    if (!heat || !map.hasLayer(heat)) return;
    const mine = ++heatSeq;
    const url = options.heatUrl + (options.heatUrl.indexOf("?") >= 0 ? "&" : "?") +
      "bbox=" + encodeURIComponent(kit.bboxParam(map));
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (mine !== heatSeq || !data) return;
        heat.setOptions({ max: Math.max(1, data.max || 1) });
        heat.setLatLngs(data.points || []);
        el.dataset.heatPoints = String((data.points || []).length);
      })
      .catch(function () {});
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
    loadHeat();
  });
  map.on("overlayadd", function () {
    loadBoundaries();
    loadHeat();
  });
  loadCases();
})();
