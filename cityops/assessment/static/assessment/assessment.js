// Bar charts of the comprehensive evaluation page (data from the json_script block).
(function () {
  "use strict";
  var source = document.getElementById("assessment-data");
  if (!source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function bar(id, series) {
    var el = document.getElementById(id);
    if (!el || !series.names.length) { return; }
    if (!el.style.height) { el.style.height = "340px"; }
    var chart = window.echarts.init(el);
    chart.setOption({
      title: { text: el.dataset.title || "", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, bottom: 96 },
      xAxis: { type: "category", data: series.names, axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "bar", data: series.scores }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("assessment-units", data.units);
  bar("assessment-streets", data.streets);
})();
