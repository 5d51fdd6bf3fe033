// The cockpit's charts and heat map (/cockpit/ and the big screen /cockpit/wall/). Data come
// from json_script blocks rendered from the snapshot; no inline scripts (CSP). The big screen's
// body is replaced by htmx every minute: everything is drawn again after each swap.
(function () {
  "use strict";

  const base = window.CityOpsMapBase;
  const dark = document.body.classList.contains("wall");

  function trend(el) {
    const data = base.readJson(el.dataset.cockpitTrend);
    if (!data || !window.echarts) return;
    const chart = window.echarts.init(el, dark ? "dark" : null);
    const series = [];
    data.series.forEach(function (s, i) {
      series.push({ name: s.name, type: "line", yAxisIndex: 0, data: s.rate, connectNulls: true });
      if (i === data.series.length - 1) {
        series.push({
          name: s.name + " · " + data.countTitle, type: "bar", yAxisIndex: 1,
          data: s.dispatched, itemStyle: { opacity: 0.35 },
        });
      }
    });
    chart.setOption({
      backgroundColor: "transparent",
      animation: !dark,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 48, right: 56, top: 32, bottom: 56 },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: data.rateTitle, min: 0, max: 100 },
        { type: "value", name: data.countTitle, splitLine: { show: false } },
      ],
      series: series,
    });
  }

  function heat(el) {
    const data = base.readJson(el.dataset.cockpitHeat);
    if (!data || !window.L) return;
    const map = base.baseMap(el, data, { zoom: 13, map: { zoomControl: !dark } });
    const cells = data.cells || [];
    const top = cells.reduce(function (m, c) { return Math.max(m, c[2]); }, 1);
    const points = [];
    cells.forEach(function (c) {
      const share = c[2] / top;
      const spot = L.circle([c[0], c[1]], {
        radius: 45 + 40 * share, stroke: false, fillOpacity: 0.25 + 0.6 * share,
        fillColor: share > 0.66 ? "#d7301f" : share > 0.33 ? "#fc8d59" : "#fdcc8a",
      }).addTo(map);
      spot.bindTooltip(c[3] + " · " + data.title + ": " + c[2]);
      spot.on("click", function () {
        window.location.href = data.url + "&grid=" + encodeURIComponent(c[3]);
      });
      points.push([c[0], c[1]]);
    });
    if (points.length) map.fitBounds(points, { padding: [20, 20], maxZoom: 15 });
  }

  function draw(root) {
    root.querySelectorAll("[data-cockpit-trend]").forEach(trend);
    root.querySelectorAll("[data-cockpit-heat]").forEach(heat);
  }

  draw(document);
  document.body.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
