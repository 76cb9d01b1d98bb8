/* The to-be BPMN in bpmn-js with the deviations counted on its tasks (overlays); the
   diagram is drawn by bpm/viewer.js (`gwBpmnView`). */
(function () {
  "use strict";
  var el = document.getElementById("mining-bpmn");
  var dataEl = document.getElementById("mining-overlays");
  if (!el || !window.BpmnJS || !window.gwBpmnView) { return; }
  var overlays = dataEl ? JSON.parse(dataEl.textContent) : {};
  function badges(counts) {
    var box = document.createElement("div");
    box.className = "d-flex gap-1";
    Object.keys(counts).forEach(function (kind) {
      var badge = document.createElement("span");
      badge.className = "gw-dev gw-dev-" + kind;
      badge.textContent = counts[kind];
      badge.title = kind;
      box.appendChild(badge);
    });
    return box;
  }
  window.gwBpmnView(el, function (viewer) {
    var registry = viewer.get("elementRegistry");
    var layer = viewer.get("overlays");
    Object.keys(overlays).forEach(function (id) {
      if (registry.get(id)) {
        layer.add(id, { position: { top: -12, right: 10 }, html: badges(overlays[id]) });
      }
    });
  });
})();
