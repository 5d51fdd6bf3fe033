// Maps of the console and the residents' pages (Leaflet served by us; no inline scripts).
//
// [data-case-map]   one case's location (options + point from json_script blocks)
// [data-pick-map]   the report form's pin: a tap sets the lon/lat inputs ([data-geo]);
//                   [data-locate] asks the browser for the GPS position. Without JavaScript
//                   the form still works with the typed position or the community + address.
//                   The address field suggests registry places as one types and is filled
//                   in from the pin (addressGeocoding).
// [data-public-map] public cases in the current viewport only, clustered; markers and clusters
//                   work with the keyboard (needs console/map-kit.js, loaded before this file).
(function () {
  "use strict";

  // readJson and the base map: cityops/map-base.js (loaded before this file on the page).
  const base = window.CityOpsMapBase;

  function caseMap(el) {
    const options = base.readJson(el.dataset.options) || {};
    const point = base.readJson(el.dataset.point);
    const map = base.baseMap(el, options);
    if (point && point.coordinates) {
      const ll = [point.coordinates[1], point.coordinates[0]];
      L.circleMarker(ll, { radius: 9, color: "#b3261e", fillOpacity: 0.8 }).addTo(map);
      map.setView(ll, options.zoom || 16);
    }
    // [data-nearby]: open reports near the point (the residents' report page lists them too).
    (base.readJson(el.dataset.nearby) || []).forEach(function (c) {
      L.circleMarker([c.lat, c.lon], { radius: 7, color: "#a86b00", fillOpacity: 0.6 })
        .bindTooltip(c.number).addTo(map);
    });
  }

  function reportForm(form) {
    const lon = form.querySelector("[data-geo=lon]");
    const lat = form.querySelector("[data-geo=lat]");
    const mapEl = form.querySelector("[data-pick-map]");
    const locate = form.querySelector("[data-locate]");
    const status = form.querySelector("[data-locate-status]");
    const dupBox = form.querySelector("#duplicates");
    const category = form.querySelector("input[name=category]");
    const options = (mapEl && base && base.readJson(mapEl.dataset.options)) || {};
    const geocoding = addressGeocoding(form, options, function (lat, lon) {
      setPoint(lat, lon, true, true);
    });
    let marker = null;
    let map = null;

    function checkDuplicates() {
      if (!dupBox || !lon.value || !lat.value || !category) return;
      const url = form.dataset.duplicatesUrl + "?" + new URLSearchParams({
        category: category.value, lon: lon.value, lat: lat.value,
      }).toString();
      fetch(url, { headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { dupBox.innerHTML = html; })
        .catch(function () {});
    }

    // `named`: the place was chosen by name (its address is already in the field).
    function setPoint(latValue, lonValue, pan, named) {
      lat.value = latValue.toFixed(6);
      lon.value = lonValue.toFixed(6);
      if (map) {
        const ll = [latValue, lonValue];
        if (marker) marker.setLatLng(ll);
        else marker = L.marker(ll).addTo(map);
        if (pan) map.setView(ll, 17);
      }
      if (!named && geocoding) geocoding.describe(latValue, lonValue);
      checkDuplicates();
    }

    if (mapEl && typeof L !== "undefined" && base) {
      mapEl.hidden = false;
      map = base.baseMap(mapEl, options);
      map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
      if (lon.value && lat.value) {
        setPoint(parseFloat(lat.value), parseFloat(lon.value), true, true);
      }
    }
    [lon, lat].forEach(function (input) {
      input.addEventListener("change", function () {
        if (lon.value && lat.value) setPoint(parseFloat(lat.value), parseFloat(lon.value), true);
      });
    });
    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        if (status) status.textContent = "…";
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            if (status) status.textContent = "✓";
            setPoint(pos.coords.latitude, pos.coords.longitude, true);
          },
          function (err) {
            if (status) status.textContent = err.message || "✗";
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
  }

  // The report's address field, from the registry (cityops/maps/geocoder.py):
  // typing suggests roads, intersections ("A路与B街交叉口"), compounds, parks, codes …;
  // choosing one places the pin (`place(lat, lon)`). `describe(lat, lon)` words a pin placed
  // on the map or by GPS ("建国路与新华街交叉口东北约30米 · 东社区") into the field, unless the
  // resident typed an address of their own.
  function addressGeocoding(form, options, place) {
    const input = form.querySelector("input[name=address]");
    if (!input || !options.geocodeUrl || typeof fetch === "undefined") return null;
    const messages = options.geoMessages || {};
    const fill = window.CityOpsMap ? window.CityOpsMap.fill : function (t, v) {
      return String(t || "").replace(/%\((\w+)\)s/g, function (_m, k) {
        return v[k] === undefined ? "" : String(v[k]);
      });
    };
    let auto = null; // the value we filled in (replaced freely; a typed one never is)
    let timer = null;
    let seq = 0;
    const list = document.createElement("ul");
    list.className = "geo-suggest";
    list.hidden = true;
    list.setAttribute("data-geo-suggest", "");
    const status = document.createElement("p");
    status.className = "muted geo-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.setAttribute("autocomplete", "off");
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", list);

    function close() { list.hidden = true; list.replaceChildren(); }

    function choose(hit) {
      input.value = hit.address;
      auto = hit.address;
      close();
      status.textContent = "";
      place(hit.lat, hit.lon);
    }

    function suggest() {
      const q = input.value.trim();
      if (q.length < 2 || q === auto) { close(); return; }
      const mine = ++seq;
      fetch(options.geocodeUrl + "?" + new URLSearchParams({ q: q }).toString())
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== seq) return;
          close();
          const hits = data.results || [];
          status.textContent = hits.length
            ? fill(messages.found, { count: hits.length }) : (messages.none || "");
          hits.forEach(function (hit) {
            const item = document.createElement("li");
            const button = document.createElement("button");
            button.type = "button";
            button.className = "link";
            button.textContent = hit.community ? hit.name + " · " + hit.community : hit.name;
            button.setAttribute("data-geo-hit", hit.kind);
            button.addEventListener("click", function () { choose(hit); input.focus(); });
            item.append(button);
            list.append(item);
          });
          list.hidden = hits.length === 0;
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(suggest, 300);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") close();
      if (e.key === "ArrowDown" && !list.hidden) {
        e.preventDefault();
        const first = list.querySelector("button");
        if (first) first.focus();
      }
    });

    function describe(latValue, lonValue) {
      if (!options.reverseUrl) return;
      if (input.value.trim() && input.value !== auto) return; // the resident's own words win
      const mine = ++seq;
      const url = options.reverseUrl + "?" + new URLSearchParams({
        lon: lonValue.toFixed(6), lat: latValue.toFixed(6),
      }).toString();
      fetch(url)
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (mine !== seq || !data || !data.address) return;
          if (input.value.trim() && input.value !== auto) return;
          input.value = data.address;
          auto = data.address;
          status.textContent = fill(messages.filled, { address: data.address });
        })
        .catch(function () {});
    }

    return { describe: describe };
  }

  // Keyboard and accessible names: console/map-kit.js (loaded before this file on the page).
  function publicMap(el) {
    const kit = window.CityOpsMap;
    const options = base.readJson(el.dataset.options) || {};
    const map = base.baseMap(el, options);
    const layer = kit.clusterGroup(el.dataset.clusterName);
    layer.addTo(map);
    let seq = 0;
    function marker(c) {
      const name = kit.fill(el.dataset.markerName, {
        number: c.number, category: c.category, status: c.status,
      });
      // Only what the public list shows: number, category, status (the selector decides).
      const link = document.createElement("a");
      link.href = el.dataset.detailUrl + encodeURIComponent(c.number) + "/";
      link.textContent = c.number + " · " + c.category + " · " + c.status;
      link.setAttribute("data-case-link", c.number);
      const state = c.closed ? "case-marker--closed" : "case-marker--open";
      return kit.caseMarker([c.lat, c.lon], state, name, link);
    }
    function load() {
      const mine = ++seq;
      fetch(el.dataset.url + "?bbox=" + encodeURIComponent(kit.bboxParam(map)))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq) return;
          layer.clearLayers();
          kit.addAll(layer, (data.cases || []).map(marker));
          el.dataset.loaded = String(mine);  // which load is drawn (tests wait on it)
        })
        .catch(function () {});
    }
    map.on("moveend", kit.heldWhilePopupOpen(map, load));
    load();
  }

  function once(fn) {
    return function (el) {
      if (el.dataset.mapReady) return;
      el.dataset.mapReady = "1";
      fn(el);
    };
  }

  function init() {
    document.querySelectorAll("[data-report-form], [data-place-form]").forEach(once(reportForm));
    if (typeof L === "undefined" || !base) return;
    document.querySelectorAll("[data-case-map]").forEach(once(caseMap));
    if (window.CityOpsMap) document.querySelectorAll("[data-public-map]").forEach(once(publicMap));
  }
  init();
  // htmx swaps in new content (a case page after an action): set up its maps too.
  document.addEventListener("htmx:afterSettle", init);
})();
