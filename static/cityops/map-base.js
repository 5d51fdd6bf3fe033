// What every Leaflet map of ours starts from: the configuration read from a json_script block
// and the base map. The base layer is chosen in one place on the server
// (cityops/core/mapconfig.py → options.base) and drawn here:
//   tiles    online tiles (Tianditu …); datum "gcj02" projects our WGS-84 data through GCJ-02
//            (a Leaflet CRS), so it lands on Amap/Tencent tiles' streets
//   archive  raster tiles of the self-hosted PMTiles/MBTiles archive (/maps/tiles/{z}/{x}/{y})
//   registry the district drawn from the registry itself (/maps/base/{z}.json, one document per
//            zoom bucket): roads by class, green spaces, compounds, community and grid
//            boundaries (optional layers), labels that appear with zoom. Works offline.
// Used by console/maps.js, console/case-map.js, console/registry-map.js,
// inspections/inspections.js and cityops/map-preview.js (the admin's GeoJSON widget); load it
// before them. Sets window.CityOpsMapBase. Served by us, no inline scripts (CSP).
(function () {
  "use strict";

  const CENTRE = [43.62, 122.26]; // Tongliao central district, when the settings name none
  const BUCKETS = [11, 13, 14, 15, 16]; // as cityops/maps/basemap.py BUCKETS

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

  // --- GCJ-02 (the same formulas as cityops/core/coords.py) ---------------------------------
  const A = 6378245.0;
  const EE = 0.00669342162296594323;

  function outOfChina(lon, lat) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function gcjDelta(lon, lat) {
    if (outOfChina(lon, lat)) return [0, 0];
    const x = lon - 105.0;
    const y = lat - 35.0;
    const absX = Math.sqrt(Math.abs(x));
    const PI = Math.PI;
    const common = (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    let dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * absX + common;
    dlat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dlat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    let dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * absX + common;
    dlng += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dlng += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    const radlat = lat / 180.0 * PI;
    const magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    const sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * PI);
    dlng = (dlng * 180.0) / (A / sqrtmagic * Math.cos(radlat) * PI);
    return [dlng, dlat];
  }

  function wgsToGcj(lon, lat) {
    const d = gcjDelta(lon, lat);
    return [lon + d[0], lat + d[1]];
  }

  // The inverse by fixed-point iteration (as coords.gcj02_to_wgs84: ≤ 1e-9°).
  function gcjToWgs(lon, lat) {
    let x = lon;
    let y = lat;
    for (let i = 0; i < 30; i++) {
      const g = wgsToGcj(x, y);
      const dx = g[0] - lon;
      const dy = g[1] - lat;
      x -= dx;
      y -= dy;
      if (Math.abs(dx) < 1e-9 && Math.abs(dy) < 1e-9) break;
    }
    return [x, y];
  }

  // Web Mercator of the GCJ-02 position: WGS-84 layers sit on GCJ-02 tiles.
  function gcjCrs() {
    const merc = L.Projection.SphericalMercator;
    const projection = {
      bounds: merc.bounds,
      project: function (latlng) {
        const g = wgsToGcj(latlng.lng, latlng.lat);
        return merc.project(L.latLng(g[1], g[0]));
      },
      unproject: function (point) {
        const ll = merc.unproject(point);
        const w = gcjToWgs(ll.lng, ll.lat);
        return L.latLng(w[1], w[0]);
      },
    };
    return L.extend({}, L.CRS.EPSG3857, { code: "CITYOPS:GCJ02", projection: projection });
  }

  // --- the registry base map ----------------------------------------------------------------
  const ROAD_STYLES = {
    main: { color: "#f2b94b", weight: 6, casing: "#b98a2e" },
    secondary: { color: "#ffffff", weight: 5, casing: "#a9a39a" },
    bridge_slope: { color: "#f2d28b", weight: 5, casing: "#8c6d2f" },
    branch: { color: "#ffffff", weight: 3, casing: "#b9b3aa" },
  };
  const AREA_STYLES = {
    districts: { color: "#6b6259", weight: 2, dashArray: "8 4 2 4", fill: false },
    communities: { color: "#7d4e9e", weight: 1.5, dashArray: "6 4", fill: false },
    grids: { color: "#4a7fb5", weight: 0.7, opacity: 0.7, fill: false },
    greens: { color: "#8cbf7a", weight: 1, fillColor: "#cfe8bf", fillOpacity: 1 },
    compounds: { color: "#c9bba6", weight: 1, fillColor: "#ebe3d6", fillOpacity: 1 },
  };
  const LABEL_STYLES = {
    roads: "font-size:12px;color:#3b3530;",
    greens: "font-size:11px;color:#2f6b2a;font-style:italic;",
    compounds: "font-size:11px;color:#6b5a45;",
    communities: "font-size:13px;color:#5e3a78;font-weight:600;",
  };

  // Which label wins where two would overlap: main roads, communities, other roads, places.
  const LABEL_RANK = { main: 0, communities: 1, secondary: 2, bridge_slope: 3, branch: 3,
    greens: 4, compounds: 5 };

  function labelRank(item) {
    const key = item[3] === "roads" ? item[4] : item[3];
    return LABEL_RANK[key] === undefined ? 9 : LABEL_RANK[key];
  }

  // Hide every label that would overlap one placed before it (labels come in rank order).
  function declutter(group) {
    const placed = [];
    group.eachLayer(function (marker) {
      const el = marker.getElement();
      const span = el && el.firstChild;
      if (!span) return;
      span.style.visibility = "";
      const r = span.getBoundingClientRect();
      const clash = placed.some(function (p) {
        return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
      });
      if (clash) span.style.visibility = "hidden";
      else placed.push(r);
    });
  }

  function bucketFor(zoom) {
    let found = BUCKETS[0];
    BUCKETS.forEach(function (b) { if (zoom >= b) found = b; });
    return found;
  }

  function label(lat, lon, text, kind) {
    const span = document.createElement("span");
    span.textContent = text;
    span.setAttribute("style", "white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;" +
      "transform:translate(-50%,-50%);display:inline-block;" + (LABEL_STYLES[kind] || ""));
    const icon = L.divIcon({ className: "map-label map-label--" + kind, html: span, iconSize: null });
    return L.marker([lat, lon], {
      icon: icon, interactive: false, keyboard: false, pane: "cityopsLabels",
    });
  }

  // The registry's district under our overlays; `names` labels the optional layers.
  function registryBase(map, el, base, names, withControl) {
    map.createPane("cityopsBase").style.zIndex = 250; // above tiles (200), below overlays (400)
    const labelPane = map.createPane("cityopsLabels");
    labelPane.style.zIndex = 450;
    labelPane.style.pointerEvents = "none";
    const renderer = L.svg({ pane: "cityopsBase", padding: 0.5 });
    el.style.background = "#f4f1ea";
    const layers = {
      areas: L.layerGroup().addTo(map),
      roads: L.layerGroup().addTo(map),
      communities: L.layerGroup().addTo(map),
      grids: L.layerGroup(),
      labels: L.layerGroup().addTo(map),
    };
    if (withControl !== false) {
      const overlays = {};
      overlays[names.communities || "Communities"] = layers.communities;
      overlays[names.grids || "Grids"] = layers.grids;
      L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map);
    }
    const docs = {};
    let shown = null;

    function geo(collection, style) {
      return L.geoJSON(collection, {
        style: function () { return Object.assign({ renderer: renderer, interactive: false }, style); },
        interactive: false,
      });
    }

    function draw(doc) {
      Object.keys(layers).forEach(function (k) { layers[k].clearLayers(); });
      const l = doc.layers || {};
      ["districts", "greens", "compounds"].forEach(function (name) {
        if (l[name]) layers.areas.addLayer(geo(l[name], AREA_STYLES[name]));
      });
      if (l.communities) layers.communities.addLayer(geo(l.communities, AREA_STYLES.communities));
      if (l.grids) layers.grids.addLayer(geo(l.grids, AREA_STYLES.grids));
      if (l.roads) {
        const order = ["branch", "secondary", "bridge_slope", "main"]; // main roads on top
        ["casing", "color"].forEach(function (part) {
          order.forEach(function (cls) {
            const s = ROAD_STYLES[cls];
            const features = l.roads.features.filter(function (f) { return f.properties.c === cls; });
            if (!features.length) return;
            const scale = doc.bucket >= 15 ? 1.6 : doc.bucket <= 11 ? 0.6 : 1;
            layers.roads.addLayer(geo({ type: "FeatureCollection", features: features }, {
              color: part === "casing" ? s.casing : s.color,
              weight: (s.weight + (part === "casing" ? 2 : 0)) * scale,
              lineCap: "round", lineJoin: "round", opacity: 1,
            }));
          });
        });
      }
      (doc.labels || [])
        .filter(function (item) {
          return item[3] !== "communities" || map.hasLayer(layers.communities);
        })
        .sort(function (a, b) { return labelRank(a) - labelRank(b); })
        .forEach(function (item) {
          layers.labels.addLayer(label(item[1], item[0], item[2], item[3]));
        });
      declutter(layers.labels);
      el.dataset.basemap = "registry";
      el.dataset.basemapBucket = String(doc.bucket);
      el.dataset.basemapFeatures = String(Object.keys(l).reduce(function (n, k) {
        return n + ((l[k] && l[k].features) ? l[k].features.length : 0);
      }, 0));
    }

    function refresh() {
      const bucket = bucketFor(Math.round(map.getZoom()));
      if (bucket === shown) return;
      shown = bucket;
      if (docs[bucket]) { draw(docs[bucket]); return; }
      fetch(base.url.replace("{z}", String(bucket)), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (doc) {
          if (!doc) return;
          docs[bucket] = doc;
          if (shown === bucket) draw(doc);
        })
        .catch(function () {});
    }
    map.on("zoomend", function () {
      refresh();
      declutter(layers.labels);
    });
    map.on("overlayadd overlayremove", function () { if (shown && docs[shown]) draw(docs[shown]); });
    map.whenReady(refresh);
    return layers;
  }

  // A Leaflet map in `el` from `options` (base, center, zoom; the older tileUrl … keys too).
  // `own` holds what differs between our maps: `map` (more L.map options, which win),
  // `zoom` (when options name none; 13), `plainClass` (kept for the admin's CSS) and
  // `baseControl` (false: no switch for the registry's optional layers).
  function baseMap(el, options, own) {
    const extra = own || {};
    let base = options.base || null;
    if (!base && options.tileUrl) {
      base = { kind: "tiles", url: options.tileUrl, attribution: options.tileAttribution,
        subdomains: options.tileSubdomains, datum: "wgs84" };
    }
    const mapOptions = Object.assign({ maxZoom: 19, scrollWheelZoom: false }, extra.map);
    if (base && base.kind === "tiles" && base.datum === "gcj02") mapOptions.crs = gcjCrs();
    const map = L.map(el, mapOptions);
    map.attributionControl.setPrefix("Leaflet");
    if (base && (base.kind === "tiles" || base.kind === "archive")) {
      L.tileLayer(base.url, {
        attribution: base.attribution || "",
        subdomains: base.subdomains || "abc",
        maxZoom: 19,
      }).addTo(map);
      if (base.overlay) {
        L.tileLayer(base.overlay, { subdomains: base.subdomains || "abc", maxZoom: 19 }).addTo(map);
      }
      el.dataset.basemap = base.kind;
      el.dataset.datum = mapOptions.crs ? "gcj02" : "wgs84";
    } else if (base && base.kind === "registry" && base.url) {
      el.classList.add("map--registry");
      map.cityopsBase = registryBase(map, el, base, options.baseLayerNames || {}, extra.baseControl);
    } else {
      el.classList.add(extra.plainClass || "map--plain");
    }
    map.setView(options.center || CENTRE, options.zoom || extra.zoom || 13);
    return map;
  }

  window.CityOpsMapBase = {
    readJson: readJson,
    baseMap: baseMap,
    wgsToGcj: wgsToGcj,
    gcjToWgs: gcjToWgs,
  };
})();
