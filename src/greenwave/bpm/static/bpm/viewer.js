/* Read-only BPMN viewer: `window.gwBpmnView(el, decorate)` draws the diagram at
   `el.dataset.xmlUrl`, lets `decorate(viewer)` mark it, then shows it at a readable scale in a
   box as tall as the drawing (see showStart); the scale buttons of its card and the mouse
   (drag, Ctrl+wheel) move and zoom it. The mining
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
        decorate(viewer);
        showStart(el, viewer);
        var canvas = viewer.get("canvas");
        window.gwZoomButtons(el.closest(".card") || document, function () {
          canvas.zoom("fit-viewport", "auto");
        }, function (factor) {
          canvas.zoom(Math.min(Math.max(canvas.zoom() * factor, 0.2), 4), "auto");
        });
        el.dataset.rendered = "true";
      })
      .catch(function (err) {
        el.dataset.rendered = "error";
        el.textContent = failure(el, err);
      });
  }
  // Fitted to the box, a wide process drew its labels too small to read in a box much taller
  // than the drawing: the scale is the width's fit but never under READABLE nor over 1, the box
  // as tall as the drawing at that scale (within limits), and a drawing wider than the box
  // starts at its active task (or at its left edge).
  var READABLE = 0.8, PAD = 20;
  function showStart(el, viewer) {
    var canvas = viewer.get("canvas");
    var inner = canvas.viewbox().inner;
    if (!inner.width || !inner.height) { return; }
    var scale = Math.max(READABLE, Math.min(1, (el.clientWidth - 2 * PAD) / inner.width));
    var tallest = Math.max(240, window.innerHeight * 0.7);
    el.style.height = Math.round(Math.min(tallest, Math.max(160, inner.height * scale + 2 * PAD))) + "px";
    canvas.resized();
    var width = el.clientWidth / scale, height = el.clientHeight / scale, pad = PAD / scale;
    var x = inner.x - pad, y = inner.y - pad;
    var active = viewer.get("elementRegistry").filter(function (e) {
      return canvas.hasMarker(e, "gw-state-active");
    })[0];
    if (active && inner.width + 2 * pad > width) {
      x = Math.min(Math.max(active.x + active.width / 2 - width / 2, x), inner.x + inner.width + pad - width);
    }
    if (active && inner.height + 2 * pad > height) {
      y = Math.min(Math.max(active.y + active.height / 2 - height / 2, y), inner.y + inner.height + pad - height);
    }
    canvas.viewbox({ x: x, y: y, width: width, height: height });
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
