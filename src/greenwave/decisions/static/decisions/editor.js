/* The dmn-js editor of a decision: tabs per view (DRD, tables, literal expressions), save as
   a new version (optionally deployed), and the server's FEEL errors shown at their cells. */
(function () {
  "use strict";
  var el = document.querySelector("[data-dmn-modeler]");
  if (!el) { return; }
  var texts = el.dataset;
  // dmn-js speaks English; in Russian its texts go through dmn-ru.js (every view: DRD, tables,
  // literal expressions).
  // (dmn-js takes additionalModules per view type: its `common` options would lose them).
  var modules = window.gwDmnTranslate ? [window.gwDmnTranslate] : [];
  var modeler = new window.DmnJS({
    container: el,
    drd: { additionalModules: modules },
    decisionTable: { additionalModules: modules },
    literalExpression: { additionalModules: modules },
    boxedExpression: { additionalModules: modules },
  });
  window.gwDmnModeler = modeler;  // for browser tests and power users
  var tabs = document.getElementById("dmn-tabs");
  var errorBox = document.getElementById("dmn-errors");
  var errorList = document.getElementById("dmn-errors-list");
  var status = document.getElementById("dmn-status");
  var cellErrors = [];

  function viewLabel(view) {
    if (view.type === "drd") { return texts.textDrd; }
    return (view.element && (view.element.name || view.element.id)) || view.type;
  }

  function renderTabs(views, active) {
    tabs.textContent = "";
    views.forEach(function (view) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "nav-link" + (active && view.element === active.element ? " active" : "");
      button.textContent = viewLabel(view);
      button.dataset.viewType = view.type;
      button.addEventListener("click", function () { modeler.open(view); });
      tabs.appendChild(button);
    });
  }

  function highlight() {
    el.querySelectorAll(".gw-dmn-cell-error").forEach(function (node) {
      node.classList.remove("gw-dmn-cell-error");
    });
    cellErrors.forEach(function (error) {
      if (!error.element_id) { return; }
      el.querySelectorAll('[data-element-id="' + CSS.escape(error.element_id) + '"]').forEach(function (node) {
        node.classList.add("gw-dmn-cell-error");
        node.title = error.message;
      });
    });
  }

  modeler.on("views.changed", function (event) {
    renderTabs(event.views, event.activeView);
    window.setTimeout(highlight, 50);
  });

  function openDecision(decisionId) {
    var view = modeler.getViews().find(function (v) {
      return v.type !== "drd" && v.element && v.element.id === decisionId;
    });
    if (view) { return modeler.open(view); }
    return Promise.resolve();
  }

  fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      // Heads of sales come for the table: open the first decision table, not the diagram.
      var table = modeler.getViews().find(function (v) { return v.type === "decisionTable"; });
      return table ? modeler.open(table) : null;
    })
    .then(function () { el.dataset.rendered = "true"; })
    .catch(function (err) { el.dataset.rendered = "error"; el.textContent = String(err); });

  function showErrors(payload) {
    cellErrors = (payload.details && payload.details.errors) || [];
    errorList.textContent = "";
    document.getElementById("dmn-errors-title").textContent = texts.textError + ": " + payload.message;
    cellErrors.forEach(function (error) {
      var item = document.createElement("li");
      item.className = "gw-dmn-errors-item";
      var where = error.decision || error.decision_id;
      if (error.rule) { where += ", " + texts.textRule + " " + error.rule; }
      if (error.column_index) {
        where += ", " + texts.textColumn + " " + error.column_index;
        if (error.column_label) { where += " «" + error.column_label + "»"; }
      }
      var code = document.createElement("code");
      code.textContent = error.text;
      item.appendChild(document.createTextNode(where + ": "));
      item.appendChild(code);
      item.appendChild(document.createTextNode(" — " + error.message));
      item.dataset.elementId = error.element_id;
      item.addEventListener("click", function () {
        openDecision(error.decision_id).then(function () { window.setTimeout(highlight, 50); });
      });
      errorList.appendChild(item);
    });
    errorBox.classList.remove("d-none");
    highlight();
  }

  var form = document.getElementById("dmn-form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var deploy = event.submitter && event.submitter.dataset.action === "deploy";
    modeler.saveXML({ format: true }).then(function (result) {
      var body = new FormData(form);
      body.set("xml", result.xml);
      if (deploy) { body.set("deploy", "on"); }
      return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" });
    }).then(function (response) {
      return response.json().then(function (payload) { return { ok: response.ok, payload: payload }; });
    }).then(function (answer) {
      if (!answer.ok) {
        status.textContent = "";
        showErrors(answer.payload);
        return;
      }
      cellErrors = [];
      highlight();
      errorBox.classList.add("d-none");
      var p = answer.payload;
      status.textContent = "";
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = texts.textOpen;
      var note = document.createElement("div");
      note.className = "alert alert-success py-2";
      note.dataset.testid = "dmn-saved";
      note.appendChild(document.createTextNode(texts.textSaved + " " + p.version + " (" + p.status + "). "));
      note.appendChild(link);
      status.appendChild(note);
      var key = document.getElementById("dmn-key");
      key.value = p.key;
      key.readOnly = true;
    }).catch(function (err) { status.textContent = String(err); });
  });
})();
