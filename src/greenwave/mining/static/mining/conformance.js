/* The to-be BPMN in bpmn-js with the deviations counted on its tasks (overlays). */
(function () {
  "use strict";
  var el = document.getElementById("mining-bpmn");
  var dataEl = document.getElementById("mining-overlays");
  if (!el || !window.BpmnJS) { return; }
  var overlays = dataEl ? JSON.parse(dataEl.textContent) : {};
  var viewer = new window.BpmnJS({ container: el });
  fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      var layer = viewer.get("overlays");
      canvas.zoom("fit-viewport");
      Object.keys(overlays).forEach(function (id) {
        if (!registry.get(id)) { return; }
        var box = document.createElement("div");
        box.className = "d-flex gap-1";
        Object.keys(overlays[id]).forEach(function (kind) {
          var badge = document.createElement("span");
          badge.className = "gw-dev gw-dev-" + kind;
          badge.textContent = overlays[id][kind];
          badge.title = kind;
          box.appendChild(badge);
        });
        layer.add(id, { position: { top: -12, right: 10 }, html: box });
      });
      el.dataset.rendered = "true";
    })
    .catch(function (err) { el.dataset.rendered = "error"; el.textContent = String(err); });
})();
