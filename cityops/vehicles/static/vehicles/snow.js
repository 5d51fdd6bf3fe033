// Plough progress of a snowfall event: % of each road class ploughed over time, a dashed line
// at each class's clearing deadline (data from the json_script block; no inline scripts, CSP).
(function () {
  "use strict";
  var source = document.getElementById("snow-progress-data");
  var el = document.getElementById("snow-progress");
  if (!source || !el || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!el.style.height) { el.style.height = "340px"; }
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 48, right: 24, bottom: 56 },
    xAxis: { type: "time" },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
    series: data.series.map(function (s) {
      var line = { name: s.name, type: "line", step: "end", showSymbol: false, data: s.data };
      if (s.deadline !== null) {
        line.markLine = { symbol: "none", lineStyle: { type: "dashed" }, label: { formatter: s.name },
                          data: [{ xAxis: s.deadline }] };
      }
      return line;
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
