/* The process map: cytoscape.js with the dagre layout, frequency or performance labels,
   a slider hiding rare paths, and a click on an arrow listing the cases that take it. */
(function () {
  "use strict";
  var el = document.getElementById("mining-map");
  var dataEl = document.getElementById("mining-dfg");
  if (!el || !dataEl || !window.cytoscape) { return; }
  if (window.cytoscapeDagre) { window.cytoscape.use(window.cytoscapeDagre); }
  var data = JSON.parse(dataEl.textContent);
  var maxCount = Math.max.apply(null, data.edges.map(function (e) { return e.count; }).concat([1]));
  // A node is as big as its label. Cytoscape's `width: label` is deprecated (it warns in the
  // console), so the label is measured here, wrapped as cytoscape wraps it (at spaces, at
  // MAX_WIDTH), and its box goes into the node's data.
  var FONT_SIZE = 13, LINE_HEIGHT = 1.2, MAX_WIDTH = 200;
  var FONT_FAMILY = "Helvetica Neue, Helvetica, sans-serif";
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT_SIZE + "px " + FONT_FAMILY;
  function labelBox(text) {
    var lines = [];
    text.split("\n").forEach(function (line) {
      var current = "";
      line.split(" ").forEach(function (word) {
        var tried = current ? current + " " + word : word;
        if (current && measure.measureText(tried).width > MAX_WIDTH) {
          lines.push(current);
          current = word;
        } else {
          current = tried;
        }
      });
      lines.push(current);
    });
    var width = Math.max.apply(null, lines.map(function (l) { return measure.measureText(l).width; }));
    return { w: Math.ceil(Math.min(width, MAX_WIDTH)), h: Math.ceil(lines.length * FONT_SIZE * LINE_HEIGHT) };
  }
  var elements = data.nodes.map(function (n) {
    var label = n.label + "\n" + n.count, box = labelBox(label);
    return { data: { id: n.activity, label: label, count: n.count, w: box.w, h: box.h,
      pseudo: (n.activity === "▶" || n.activity === "■") ? 1 : 0 } };
  }).concat(data.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target, count: e.count,
      median: e.median_seconds, freq: String(e.count), perf: e.median_seconds === null ? "" : e.median_text,
      width: 1 + 7 * e.count / maxCount } };
  }));
  var cy = window.cytoscape({
    container: el,
    elements: elements,
    style: [
      { selector: "node", style: { "label": "data(label)", "text-wrap": "wrap", "text-valign": "center",
        "shape": "round-rectangle", "width": "data(w)", "height": "data(h)", "padding": "10px",
        "font-family": FONT_FAMILY, "line-height": LINE_HEIGHT, "text-max-width": MAX_WIDTH + "px",
        "background-color": "#e7f1ff", "border-color": "#0d6efd", "border-width": 1, "font-size": 13 } },
      { selector: "node[pseudo = 1]", style: { "shape": "ellipse", "background-color": "#198754",
        "color": "#fff", "width": 34, "height": 34, "padding": "0", "label": "" } },
      { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle",
        "width": "data(width)", "line-color": "#6c757d", "target-arrow-color": "#6c757d",
        "label": "data(freq)", "font-size": 12, "text-background-color": "#fff",
        "text-background-opacity": 0.8 } },
      { selector: "edge.perf", style: { "label": "data(perf)", "line-color": "#dc3545",
        "target-arrow-color": "#dc3545" } },
      { selector: ".hidden", style: { "display": "none" } },
      { selector: "edge:selected", style: { "line-color": "#fd7e14", "target-arrow-color": "#fd7e14" } }
    ],
    layout: { name: "dagre", rankDir: "TB", nodeSep: 40, rankSep: 50 }
  });
  // A long process fits only at an unreadable size: keep the labels readable, start at the
  // top; «Whole map» fits it all, the other two buttons zoom around the map's centre.
  var readable = 0.8;
  function showStart() {
    cy.fit(undefined, 20);
    if (cy.zoom() < readable) {
      cy.zoom(readable);
      cy.center(cy.getElementById("▶"));
      cy.panBy({ x: 0, y: -el.clientHeight / 2 + 40 });
    }
  }
  showStart();
  function zoomBy(factor) {
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: el.clientWidth / 2, y: el.clientHeight / 2 } });
  }
  window.gwZoomButtons(document, function () { cy.fit(undefined, 20); }, zoomBy);
  el.dataset.rendered = "true";
  document.querySelectorAll("input[name=m-view]").forEach(function (r) {
    r.addEventListener("change", function () {
      cy.edges().toggleClass("perf", r.value === "performance" && r.checked);
    });
  });
  var slider = document.getElementById("m-paths");
  if (slider) {
    slider.addEventListener("input", function () {
      var keep = Number(slider.value) / 100;
      var counts = data.edges.map(function (e) { return e.count; }).sort(function (a, b) { return b - a; });
      var n = Math.max(1, Math.ceil(counts.length * keep));
      var threshold = counts[n - 1];
      cy.edges().forEach(function (edge) { edge.toggleClass("hidden", edge.data("count") < threshold); });
    });
  }
  var list = document.getElementById("mining-edge-cases");
  cy.on("tap", "edge", function (evt) {
    var d = evt.target.data();
    var q = el.dataset.apiQuery + "&source=" + encodeURIComponent(d.source) + "&target=" + encodeURIComponent(d.target);
    fetch("/api/v1/mining/edge-cases?" + q, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (rows) {
        list.textContent = "";
        if (!rows.length) { list.textContent = el.dataset.noCases; return; }
        rows.forEach(function (row) {
          var a = document.createElement(row.url ? "a" : "span");
          if (row.url) { a.href = row.url; }
          a.textContent = row.title;
          a.className = "badge text-bg-light border me-1 mb-1";
          list.appendChild(a);
        });
      });
  });
})();
