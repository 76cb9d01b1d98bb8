// Every element with data-chart="<id of a json_script>" becomes an ECharts chart; the option
// comes from the server. A point with a link (option.links[seriesIndex][dataIndex]) opens it.
(function () {
  "use strict";
  // Looked up at each call: the home page's cards load this script inside the page body, before
  // app.js (which defines greenwaveFigure) at the end of it.
  var figure = function (value) { return window.greenwaveFigure(value); };
  var asList = function (value) { return Array.isArray(value) ? value : value ? [value] : []; };
  // Value axes and tooltips write figures as the page's language does, unless the server gave
  // them a format of their own; a pie's tooltip reads «name: value (share %)».
  function localize(option) {
    asList(option.yAxis).concat(asList(option.xAxis)).forEach(function (axis) {
      if (axis.type !== "value") { return; }
      axis.axisLabel = axis.axisLabel || {};
      if (!axis.axisLabel.formatter) { axis.axisLabel.formatter = figure; }
    });
    var tooltip = option.tooltip;
    if (!tooltip || tooltip.formatter || tooltip.valueFormatter) { return; }
    if (tooltip.trigger === "item") {
      tooltip.formatter = function (params) {
        return params.marker + params.name + ": " + figure(params.value) +
          (params.percent == null ? "" : " (" + figure(params.percent) + "\u00a0%)");
      };
    } else {
      tooltip.valueFormatter = figure;
    }
  }
  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source || el.dataset.drawn) { return; }
      el.dataset.drawn = "1";
      var option = JSON.parse(source.textContent);
      var links = option.links || [];
      delete option.links;
      localize(option);
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
