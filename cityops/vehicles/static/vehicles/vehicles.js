// Vehicle maps: the live map (polls live.json every few seconds, no reload), the track
// playback (polyline coloured by working state and speed, a time slider) and the coverage map
// of a lot and day. Needs Leaflet and cityops/map-base.js. No inline scripts (CSP).
(function () {
  "use strict";
  const base = window.CityOpsMapBase;
  const COLOURS = { working: "#1a9850", moving: "#2c7fb8", parked: "#fdae61", offline: "#999999" };

  function text(tag, value) {
    const el = document.createElement(tag);
    el.textContent = value;
    return el;
  }

  function live(el) {
    const options = base.readJson(el.dataset.options) || {};
    const map = base.baseMap(el, options, { zoom: 14 });
    const markers = new Map();
    const status = document.getElementById("vehicle-status");
    const tbody = document.querySelector("#vehicle-table tbody");
    let fitted = false;
    function popup(v) {
      const div = document.createElement("div");
      div.appendChild(text("strong", v.plate));
      div.appendChild(text("div", v.kind + " · " + v.operator));
      div.appendChild(text("div", v.stateLabel + " · " + v.speed.toFixed(1) + " km/h · " + v.time));
      const a = text("a", "▶");
      a.href = v.id + "/track/";
      div.appendChild(a);
      return div;
    }
    function draw(data) {
      const seen = new Set();
      const bounds = [];
      tbody.replaceChildren();
      for (const v of data.vehicles) {
        const tr = document.createElement("tr");
        const link = text("a", v.plate);
        link.href = v.id + "/track/";
        const td = document.createElement("td");
        td.appendChild(link);
        tr.appendChild(td);
        for (const value of [v.kind, v.operator, v.stateLabel, v.speed.toFixed(1), v.time]) {
          tr.appendChild(text("td", value));
        }
        tbody.appendChild(tr);
        if (v.lat === null) continue;
        seen.add(v.id);
        bounds.push([v.lat, v.lon]);
        let m = markers.get(v.id);
        const style = { radius: 7, color: "#fff", weight: 2, fillColor: COLOURS[v.state], fillOpacity: 0.95 };
        if (!m) {
          m = L.circleMarker([v.lat, v.lon], style).addTo(map);
          markers.set(v.id, m);
        } else {
          m.setLatLng([v.lat, v.lon]);
          m.setStyle(style);
        }
        m.bindPopup(popup(v));
      }
      for (const [id, m] of markers) {
        if (!seen.has(id)) {
          map.removeLayer(m);
          markers.delete(id);
        }
      }
      if (!fitted && bounds.length) {
        map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
        fitted = true;
      }
      status.textContent = data.vehicles.length + " · " + data.at;
    }
    function poll() {
      const url = options.liveUrl + (options.query ? "?" + options.query : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then(draw)
        .catch((err) => { status.textContent = "⚠ " + err; });
    }
    poll();
    setInterval(poll, (options.every || 5) * 1000);
  }

  function speedColour(p, vmax) {
    if (p[5]) return "#984ea3";
    const f = Math.min(1, p[3] / vmax);
    const light = Math.round(60 - 35 * f);
    return p[4] ? "hsl(145, 70%, " + light + "%)" : "hsl(205, 70%, " + light + "%)";
  }

  function track(el) {
    const options = base.readJson(el.dataset.options) || {};
    const data = base.readJson(el.dataset.track) || { points: [] };
    const map = base.baseMap(el, options, { zoom: 15 });
    const pts = data.points;
    if (!pts.length) return;
    for (let i = 1; i < pts.length; i++) {
      L.polyline([[pts[i - 1][1], pts[i - 1][2]], [pts[i][1], pts[i][2]]], {
        color: speedColour(pts[i], data.vmax || 20), weight: 4, opacity: 0.9,
      }).addTo(map);
    }
    map.fitBounds(pts.map((p) => [p[1], p[2]]), { maxZoom: 17 });
    const marker = L.circleMarker([pts[0][1], pts[0][2]], { radius: 8, color: "#000", fillColor: "#ff0", fillOpacity: 1 }).addTo(map);
    const slider = document.getElementById("track-slider");
    const out = document.getElementById("track-time");
    slider.max = String(pts.length - 1);
    function show() {
      const p = pts[Number(slider.value)];
      marker.setLatLng([p[1], p[2]]);
      out.textContent = p[0] + " · " + p[3].toFixed(1) + " km/h" + (p[4] ? " · ✓" : "");
    }
    slider.addEventListener("input", show);
    show();
  }

  function coverage(el) {
    const options = base.readJson(el.dataset.options) || {};
    const data = base.readJson(el.dataset.geojson);
    const map = base.baseMap(el, options, { zoom: 14 });
    if (!data || !data.features.length) return;
    const layer = L.geoJSON(data, {
      style: (f) => {
        const p = f.properties;
        const colour = p.passes > 0 ? "#1a9850" : p.share > 0 ? "#fdae61" : "#d73027";
        return { color: colour, weight: 6, opacity: 0.9 };
      },
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 7, color: "#fff", weight: 2, fillOpacity: 0.95,
        fillColor: f.properties.visits >= f.properties.required ? "#1a9850" : "#d73027",
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        const div = document.createElement("div");
        div.appendChild(text("strong", p.name));
        div.appendChild(text("div", p.share !== undefined
          ? Math.round(p.share * 100) + " % · " + p.passes + " / " + p.planned
          : p.visits + " / " + p.required));
        l.bindPopup(div);
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 16 });
  }

  document.querySelectorAll("[data-vehicle-live]").forEach(live);
  document.querySelectorAll("[data-vehicle-track]").forEach(track);
  document.querySelectorAll("[data-vehicle-coverage]").forEach(coverage);
})();
