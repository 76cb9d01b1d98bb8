/* Read-only BPMN viewer with instance state overlays (done, active, waiting, failed). */
(function () {
  "use strict";
  function init(el) {
    var states = {};
    var statesEl = document.getElementById(el.dataset.statesId || "bpmn-states");
    if (statesEl) {
      try { states = JSON.parse(statesEl.textContent) || {}; } catch (e) { states = {}; }
    }
    var viewer = new window.BpmnJS({ container: el });
    fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        Object.keys(states).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, "gw-state-" + states[id]); }
        });
        el.dataset.rendered = "true";
      })
      .catch(function (err) {
        el.dataset.rendered = "error";
        el.textContent = String(err && err.message ? err.message : err);
      });
  }
  document.querySelectorAll("[data-bpmn-viewer]").forEach(init);
})();
