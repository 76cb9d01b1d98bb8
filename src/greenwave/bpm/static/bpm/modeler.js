/* The bpmn-js modeler: load a definition (or a blank diagram), save its XML as a new version. */
(function () {
  "use strict";
  var el = document.querySelector("[data-bpmn-modeler]");
  if (!el) { return; }
  var modeler = new window.BpmnJS({ container: el });
  window.gwModeler = modeler;  // for browser tests and power users
  fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      el.dataset.rendered = "true";
    })
    .catch(function (err) { el.dataset.rendered = "error"; el.textContent = String(err); });

  var form = document.getElementById("modeler-form");
  var submitting = false;
  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    event.preventDefault();
    var action = event.submitter ? event.submitter.dataset.action : "save";
    document.getElementById("modeler-deploy").value = action === "deploy" ? "on" : "";
    modeler.saveXML({ format: true }).then(function (result) {
      document.getElementById("modeler-xml").value = result.xml;
      submitting = true;
      form.submit();
    });
  });
})();
