// Plan vs fact by day (ECharts): reads the JSON the page renders with json_script.
(function () {
  document.querySelectorAll("[data-plan-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.planChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    var figure = window.greenwaveFigure;
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: figure },
      legend: { data: [data.labels.fact, data.labels.plan] },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(8); }) },
      yAxis: { type: "value", axisLabel: { formatter: figure } },
      series: [
        { name: data.labels.fact, type: "line", data: data.fact, areaStyle: { opacity: 0.15 } },
        { name: data.labels.plan, type: "line", data: data.plan, lineStyle: { type: "dashed" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
