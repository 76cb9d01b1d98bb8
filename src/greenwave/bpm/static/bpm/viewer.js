/* Read-only BPMN viewer: `window.gwBpmnView(el, decorate)` draws the diagram at
   `el.dataset.xmlUrl`, fitted to the box, then lets `decorate(viewer)` mark it; the mining
   conformance page uses it too. Elements with `data-bpmn-viewer` get the instance state
   overlays (done, active, waiting, failed). `window.gwBpmnFailure(el, err)` is the text of a
   diagram that cannot be drawn (the modeler's page loads this file for it). */
(function () {
  "use strict";
  function view(el, decorate) {
    var viewer = new window.BpmnJS({ container: el });
    fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        viewer.get("canvas").zoom("fit-viewport");
        decorate(viewer);
        el.dataset.rendered = "true";
      })
      .catch(function (err) {
        el.dataset.rendered = "error";
        el.textContent = failure(el, err);
      });
  }
  // bpmn-js speaks English ("no diagram to display"); the page gives its texts in the reader's
  // language (data-text-no-diagram, data-text-error), the library's own words go to the title.
  function failure(el, err) {
    var message = String(err && err.message ? err.message : err);
    el.title = message;
    el.classList.add("p-3", "text-body-secondary");
    if (/no diagram/i.test(message) && el.dataset.textNoDiagram) { return el.dataset.textNoDiagram; }
    return el.dataset.textError || message;
  }
  function markStates(el) {
    var states = {};
    var statesEl = document.getElementById(el.dataset.statesId || "bpmn-states");
    if (statesEl) {
      try { states = JSON.parse(statesEl.textContent) || {}; } catch (e) { states = {}; }
    }
    view(el, function (viewer) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      Object.keys(states).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "gw-state-" + states[id]); }
      });
    });
  }
  window.gwBpmnView = view;
  window.gwBpmnFailure = failure;  // the modeler shows its failures the same way
  document.querySelectorAll("[data-bpmn-viewer]").forEach(markStates);
})();
