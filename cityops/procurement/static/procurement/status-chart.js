// Procurement projects by status: a bar chart from the page's json_script data (CSP: no inline script).
(function () {
  "use strict";
  var el = document.getElementById("procurement-chart");
  var dataEl = document.getElementById("procurement-data");
  if (!el || !dataEl || typeof window.echarts === "undefined") {
    if (el) { el.hidden = true; }
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 30, right: 10, bottom: 70, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.values, itemStyle: { color: "#0b5cad" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
