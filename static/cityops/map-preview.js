// Map previews of GeoJSON geometries (registry back office and any page that wants one).
//
// Every element with [data-map-preview] becomes a Leaflet map. Its configuration is read from
// a JSON data block (<script type="application/json">, written by Django's json_script) named
// by data-options; the geometry comes either from a textarea named by data-source (edited live)
// or from a JSON data block named by data-geometry (read-only). No inline scripts, no CDN.
(function () {
  "use strict";

  const STYLE = { color: "#0b5cad", weight: 3, fillOpacity: 0.25 };
  const CONTEXT_STYLES = {
    parent: { color: "#5b6b7c", weight: 2, dashArray: "6 4", fill: false },
    neighbour: { color: "#8a99a8", weight: 1, fillColor: "#8a99a8", fillOpacity: 0.08 },
    asset: { color: "#1b7f3b", weight: 2, fillOpacity: 0.15 },
  };

  // readJson and the base map: cityops/map-base.js (loaded before this file on the page).
  const base = window.CityOpsMapBase;

  function pointLayer(style) {
    return function (feature, latlng) {
      return L.circleMarker(latlng, Object.assign({ radius: 7 }, style, { fillOpacity: 0.8 }));
    };
  }

  function isGeometry(value) {
    return (
      value !== null &&
      typeof value === "object" &&
      typeof value.type === "string" &&
      (Array.isArray(value.coordinates) || Array.isArray(value.geometries))
    );
  }

  function initMap(el) {
    if (el.dataset.mapReady || typeof L === "undefined" || !base) return;
    el.dataset.mapReady = "1";
    const options = base.readJson(el.dataset.options) || {};
    const messages = options.messages || {};
    const messageEl = el.parentElement && el.parentElement.querySelector("[data-map-message]");
    const map = base.baseMap(el, options, {
      map: { zoomSnap: 0.25, attributionControl: true },
      plainClass: "map-preview--plain",
    });

    const contextLayer = L.featureGroup().addTo(map);
    (options.context || []).forEach(function (item) {
      const style = CONTEXT_STYLES[item.kind] || CONTEXT_STYLES.parent;
      try {
        const layer = L.geoJSON(item.geometry, { style: style, pointToLayer: pointLayer(style) });
        if (item.label) layer.bindTooltip(String(item.label), { sticky: true });
        layer.addTo(contextLayer);
      } catch (err) {
        // A broken neighbour must not hide the geometry being edited.
      }
    });
    const shapeLayer = L.featureGroup().addTo(map);
    const allowed = options.geometryTypes || [];

    function say(text) {
      if (!messageEl) return;
      messageEl.textContent = text || "";
      messageEl.hidden = !text;
      el.classList.toggle("map-preview--stale", Boolean(text));
    }

    function fit() {
      const bounds = shapeLayer.getLayers().length
        ? shapeLayer.getBounds().pad(0.4)
        : contextLayer.getLayers().length
          ? contextLayer.getBounds()
          : null;
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17, animate: false });
      }
    }

    function show(geometry) {
      if (geometry === null || geometry === undefined || geometry === "") {
        shapeLayer.clearLayers();
        say(messages.empty);
        fit();
        return;
      }
      if (!isGeometry(geometry)) {
        say(messages.notGeometry);
        return;
      }
      if (allowed.length && allowed.indexOf(geometry.type) < 0) {
        say((messages.wrongType || "") + " " + allowed.join(", "));
        return;
      }
      let layer;
      try {
        layer = L.geoJSON(geometry, { style: STYLE, pointToLayer: pointLayer(STYLE) });
      } catch (err) {
        say(messages.notGeometry);
        return;
      }
      shapeLayer.clearLayers();
      layer.addTo(shapeLayer);
      say("");
      fit();
    }

    const source = el.dataset.source ? document.getElementById(el.dataset.source) : null;
    if (source) {
      const render = function () {
        const text = source.value.trim();
        if (!text) {
          show(null);
          return;
        }
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          say(messages.invalidJson);
          return;
        }
        show(parsed);
      };
      let timer = 0;
      source.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(render, 250);
      });
      render();
    } else {
      show(base.readJson(el.dataset.geometry));
    }

    // The admin's layout settles after we run (fonts, widgets, collapsed fieldsets): follow the
    // element's size, and keep the shape framed until the user pans the map.
    let userMoved = false;
    map.on("dragstart", function () {
      userMoved = true;
    });
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        map.invalidateSize({ pan: false });
        if (!userMoved) fit();
      }).observe(el);
    }
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-map-preview]").forEach(initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll(document);
    });
  } else {
    initAll(document);
  }
  window.CityOpsMapPreview = { init: initAll };
})();
