// Monthly score trend per contract, from the page's json_script data (CSP: no inline script).
(function () {
  "use strict";
  var el = document.getElementById("trend-chart");
  var dataEl = document.getElementById("trend-data");
  if (!el || !dataEl || typeof window.echarts === "undefined") {
    if (el) { el.hidden = true; }
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  if (!data.months.length) { el.hidden = true; return; }
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll", data: data.series.map(function (s) { return s.name; }) },
    grid: { top: 36, left: 40, right: 10, bottom: 24, containLabel: true },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", min: 0, max: 100 },
    series: data.series.map(function (s) {
      return {
        name: s.name, type: "line", connectNulls: false,
        data: s.data.map(function (v) { return v === null ? null : Number(v); })
      };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
