// Stacked bar charts of the staff transfer progress (data from the json_script block).
(function () {
  "use strict";
  var source = document.getElementById("staffing-data");
  if (!source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function stacked(id, group) {
    var el = document.getElementById(id);
    if (!el || !group.names.length) { return; }
    if (!el.style.height) { el.style.height = "320px"; }
    var chart = window.echarts.init(el);
    chart.setOption({
      title: { text: el.dataset.title || "", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 48, right: 16, bottom: 72 },
      xAxis: { type: "category", data: group.names, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.steps.map(function (name, i) {
        return { name: name, type: "bar", stack: "steps", data: group.series[i] };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  stacked("staffing-units", data.units);
  stacked("staffing-batches", data.batches);
})();
