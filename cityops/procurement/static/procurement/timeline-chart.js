// A project's timeline: each step's date done, or its earliest and last lawful day, and today
// (ECharts, data from the page's json_script: CSP allows no inline script).
(function () {
  "use strict";
  var el = document.getElementById("timeline-chart");
  var dataEl = document.getElementById("timeline-data");
  if (!el || !dataEl || typeof window.echarts === "undefined") {
    if (el) { el.hidden = true; }
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  function points(values) {
    var out = [];
    values.forEach(function (value, i) { if (value) { out.push([value, data.steps[i]]); } });
    return out;
  }
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "item", formatter: function (p) { return p.seriesName + "<br>" + p.value[1] + ": " + p.value[0]; } },
    legend: { top: 0, data: data.labels.slice(0, 3) },
    grid: { top: 36, left: 10, right: 20, bottom: 10, containLabel: true },
    xAxis: { type: "time" },
    yAxis: { type: "category", data: data.steps, inverse: true },
    series: [
      { name: data.labels[0], type: "scatter", symbolSize: 12, itemStyle: { color: "#1b7f3b" }, data: points(data.done),
        markLine: { silent: true, symbol: "none", lineStyle: { color: "#5b6b7c", type: "dashed" },
                    label: { formatter: data.labels[3] }, data: [{ xAxis: data.today }] } },
      { name: data.labels[1], type: "scatter", symbol: "triangle", symbolSize: 11, itemStyle: { color: "#0b5cad" }, data: points(data.earliest) },
      { name: data.labels[2], type: "scatter", symbol: "diamond", symbolSize: 12, itemStyle: { color: "#b3261e" }, data: points(data.latest) }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
