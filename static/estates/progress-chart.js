// Campaign progress by street: a grouped bar chart from the page's json_script data (CSP: no inline script).
(function () {
  "use strict";
  var el = document.getElementById("progress-chart");
  var dataEl = document.getElementById("progress-data");
  if (!el || !dataEl || typeof window.echarts === "undefined") {
    if (el) { el.hidden = true; }
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var labels = (el.dataset.labels || "Targeted|Planned|Resolved|Overdue").split("|");
  var keys = ["targeted", "planned", "resolved", "overdue"];
  var colours = ["#5b6b7c", "#0b5cad", "#1b7f3b", "#b3261e"];
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: labels },
    grid: { left: 40, right: 10, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: data.streets, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: keys.map(function (key, i) {
      return { name: labels[i], type: "bar", data: data[key], itemStyle: { color: colours[i] } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
