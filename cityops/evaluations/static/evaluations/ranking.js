// Trend line chart of the red/black ranking page (data from the json_script block).
(function () {
  "use strict";
  var source = document.getElementById("ranking-trend-data");
  var el = document.getElementById("ranking-trend");
  if (!source || !el || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!el.style.height) { el.style.height = "360px"; }
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 48, right: 16, bottom: 56 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", min: 0, max: 100 },
    series: data.series.map(function (s) {
      return { name: s.name, type: "line", connectNulls: false, data: s.data };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
