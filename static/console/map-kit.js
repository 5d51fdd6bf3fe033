// What the case maps share: the staff map (console/case-map.js) and the residents' map
// ([data-public-map] in console/maps.js). Load it after Leaflet (and markercluster) and before
// the map's own script; it sets window.CityOpsMap. Served by us, no inline scripts (CSP).
//
// Keyboard: markers are Leaflet markers with a div icon (SVG circles cannot take focus), so
// Leaflet puts them in the Tab order as role=button; the icon carries the accessible name as
// visually hidden text. Enter on a case marker opens its popup and moves focus to the link
// (Enter follows it); Escape closes the popup and returns focus to the marker.
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  // "Case %(number)s, …" (gettext's named placeholders) filled in.
  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  // Text as DOM nodes (never HTML strings): category names come from the database.
  function badge(className, visible, name, size) {
    const box = document.createElement("div");
    const shown = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    shown.textContent = visible;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = name;
    box.append(shown, hidden);
    return L.divIcon({ className: className, html: box, iconSize: size || [40, 40] });
  }

  // Worst first: a cluster holding one red case is red.
  const LIGHT_RANK = { red: 3, yellow: 2, green: 1, none: 0 };

  function worstLight(markers) {
    let worst = "none";
    markers.forEach(function (m) {
      const light = LIGHT_RANK[m.options.light] !== undefined ? m.options.light : "none";
      if (LIGHT_RANK[light] > LIGHT_RANK[worst]) worst = light;
    });
    return worst;
  }

  // Marker clusters (Enter zooms in: markercluster's own "clusterkeypress"), named from
  // a template with %(count)s; a plain layer group where the plugin is missing. With
  // `lights` ({red: "Red: overdue", …} and `worstName` "worst: %(light)s"), each cluster is
  // coloured and named by the worst traffic light of the cases inside it.
  function clusterGroup(nameTemplate, lights, worstName) {
    if (typeof L.markerClusterGroup !== "function") return L.layerGroup();
    return L.markerClusterGroup({
      showCoverageOnHover: false,
      chunkedLoading: true,
      iconCreateFunction: function (cluster) {
        const n = cluster.getChildCount();
        const size = n < 10 ? "small" : n < 100 ? "medium" : "large";
        let className = "marker-cluster marker-cluster-" + size;
        let name = fill(nameTemplate, { count: n });
        if (lights) {
          const worst = worstLight(cluster.getAllChildMarkers());
          className += " marker-cluster--" + worst;
          const lightName = lights[worst === "none" ? "" : worst];
          if (lightName) name += ", " + fill(worstName || "%(light)s", { light: lightName });
        }
        return badge(className, String(n), name);
      },
    });
  }

  // A case marker at latlng, named `name`, whose popup is `link`.
  function caseMarker(latlng, className, name, link) {
    const icon = badge("case-marker " + className, "", name, [18, 18]);
    const m = L.marker(latlng, { icon: icon, keyboard: true, title: name });
    // Keyboard users land on the link (Enter follows it); closing returns focus to the marker.
    // (Registered before bindPopup: its own keypress handler opens the popup.)
    let viaKeyboard = false;
    m.on("keypress", function (e) {
      viaKeyboard = Boolean(e.originalEvent && e.originalEvent.keyCode === 13);
    });
    m.bindPopup(link);
    // Leaflet closes popups on Escape only while the map itself has focus, not its link.
    link.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); m.closePopup(); }
    });
    m.on("popupopen", function () {
      if (viaKeyboard) link.focus();
    });
    m.on("popupclose", function () {
      if (!viaKeyboard) return;
      viaKeyboard = false;
      const el = m.getElement();
      if (el) el.focus();
    });
    return m;
  }

  // `load` for "moveend", held while a popup is open: its auto-pan moves the map too, and a
  // reload would remove the marker and the focused link. Closing the popup catches up.
  function heldWhilePopupOpen(map, load) {
    let open = false;
    let stale = false;
    map.on("popupopen", function () { open = true; });
    map.on("popupclose", function () {
      open = false;
      if (stale) { stale = false; load(); }
    });
    return function () {
      if (open) stale = true;
      else load();
    };
  }

  // Markers in bulk (markercluster's addLayers clusters them once).
  function addAll(layer, list) {
    if (typeof layer.addLayers === "function") layer.addLayers(list);
    else list.forEach(function (m) { layer.addLayer(m); });
  }

  function bboxParam(map) {
    const b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return v.toFixed(6); }).join(",");
  }

  window.CityOpsMap = {
    fill: fill,
    badge: badge,
    clusterGroup: clusterGroup,
    worstLight: worstLight,
    caseMarker: caseMarker,
    heldWhilePopupOpen: heldWhilePopupOpen,
    addAll: addAll,
    bboxParam: bboxParam,
  };
})();
