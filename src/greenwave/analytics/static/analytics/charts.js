// Every element with data-chart="<id of a json_script>" becomes an ECharts chart; the option
// comes from the server. A point with a link (option.links[seriesIndex][dataIndex]) opens it.
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source || el.dataset.drawn) { return; }
      el.dataset.drawn = "1";
      var option = JSON.parse(source.textContent);
      var links = option.links || [];
      delete option.links;
      var chart = window.echarts.init(el);
      chart.setOption(option);
      chart.on("click", function (params) {
        var row = links[params.seriesIndex] || [];
        var url = row[params.dataIndex];
        if (url) { window.location.href = url; }
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
