/* The bpmn-js modeler with a small Greenwave properties panel (roles, assignee, deadline,
   form fields, service action, flow conditions); saves the XML as a new version. A diagram that
   cannot be drawn is told as the viewer tells it (`gwBpmnFailure`, bpm/viewer.js). */
(function () {
  "use strict";
  var el = document.querySelector("[data-bpmn-modeler]");
  if (!el) { return; }
  var options = JSON.parse(document.getElementById("modeler-options").textContent);

  fetch(el.dataset.moddleUrl, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (gw) { start(gw); });

  function start(gw) {
    var modeler = new window.BpmnJS({ container: el, moddleExtensions: { gw: gw } });
    window.gwModeler = modeler;  // for browser tests and power users
    fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (xml) { return modeler.importXML(xml); })
      .then(function () {
        modeler.get("canvas").zoom("fit-viewport");
        el.dataset.rendered = "true";
      })
      .catch(function (err) { el.dataset.rendered = "error"; el.textContent = window.gwBpmnFailure(el, err); });
    panel(modeler);
    saving(modeler);
  }

  function saving(modeler) {
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
  }

  /* Form fields as text: one per line, `name | type | label | required | choice1, choice2`. */
  function fieldsToText(bo) {
    var form = formOf(bo);
    if (!form) { return ""; }
    return (form.fields || []).map(function (f) {
      var choices = (f.choices || []).map(function (c) { return c.value; }).join(", ");
      return [f.name, f.type || "string", f.label || "", f.required === "true" ? "required" : "", choices]
        .join(" | ").replace(/( \| )+$/, "");
    }).join("\n");
  }

  function formOf(bo) {
    var ext = bo.extensionElements;
    if (!ext) { return null; }
    return (ext.values || []).filter(function (v) { return v.$type === "gw:Form"; })[0] || null;
  }

  function textToForm(moddle, text) {
    var fields = text.split("\n").map(function (line) { return line.trim(); }).filter(Boolean)
      .map(function (line) {
        var parts = line.split("|").map(function (p) { return p.trim(); });
        var field = moddle.create("gw:Field", {
          name: parts[0], type: parts[1] || "string", label: parts[2] || parts[0]
        });
        if (parts[3] === "required") { field.required = "true"; }
        if (parts[4]) {
          field.choices = parts[4].split(",").map(function (c) {
            return moddle.create("gw:Choice", { value: c.trim(), label: c.trim() });
          });
        }
        return field;
      });
    return moddle.create("gw:Form", { fields: fields });
  }

  function panel(modeler) {
    var box = document.getElementById("gw-properties");
    var modeling = modeler.get("modeling");
    var moddle = modeler.get("moddle");
    var current = null;

    function input(label, name, value, kind, choices) {
      var id = "gw-prop-" + name;
      var html = '<div class="mb-2"><label class="form-label small mb-1" for="' + id + '">' + label + "</label>";
      if (kind === "select") {
        html += '<select class="form-select form-select-sm" id="' + id + '" data-prop="' + name + '"><option value="">—</option>';
        choices.forEach(function (c) {
          html += '<option value="' + c[0] + '"' + (c[0] === value ? " selected" : "") + ">" + c[1] + "</option>";
        });
        html += "</select>";
      } else if (kind === "textarea") {
        html += '<textarea class="form-control form-control-sm font-monospace" rows="5" id="' + id + '" data-prop="' + name + '"></textarea>';
      } else {
        html += '<input class="form-control form-control-sm" id="' + id + '" data-prop="' + name + '">';
      }
      return html + "</div>";
    }

    function render(element) {
      current = element;
      if (!element || element.type === "bpmn:Process" || element.type === "label") {
        box.innerHTML = '<p class="small text-body-secondary mb-0">' + options.labels.select + "</p>";
        return;
      }
      var bo = element.businessObject;
      var html = '<div class="small text-body-secondary mb-2"><code>' + bo.id + "</code> · " + element.type.replace("bpmn:", "") + "</div>";
      html += input(options.labels.name, "name", "", "text");
      if (element.type === "bpmn:UserTask") {
        html += input(options.labels.role, "candidateRole", bo.candidateRole || "", "select", options.roles);
        html += input(options.labels.assignee, "assignee", "", "text");
        html += input(options.labels.due, "dueIn", "", "text");
        html += input(options.labels.form, "form", "", "textarea");
        html += '<div class="form-text">' + options.labels.formHelp + "</div>";
      }
      if (element.type === "bpmn:ServiceTask") {
        html += input(options.labels.action, "action", bo.action || "", "select", options.actions);
      }
      if (element.type === "bpmn:SequenceFlow") {
        var language = flowLanguage(bo);
        html += input(options.labels.language, "language", language, "select", [
          ["feel", options.labels.languageFeel], ["sandbox", options.labels.languageSandbox]
        ]);
        html += input(language === "feel" ? options.labels.conditionFeel : options.labels.condition,
          "condition", "", "text");
      }
      box.innerHTML = html;
      var values = {
        name: bo.name || "", assignee: bo.assignee || "", dueIn: bo.dueIn || "",
        form: fieldsToText(bo), condition: bo.conditionExpression ? bo.conditionExpression.body : ""
      };
      box.querySelectorAll("[data-prop]").forEach(function (field) {
        if (field.tagName !== "SELECT") { field.value = values[field.dataset.prop] || ""; }
        field.addEventListener("change", function () { apply(field.dataset.prop, field.value); });
      });
    }

    /* FEEL is the language of new diagrams (their definitions say so); a flow may say
       otherwise with the `language` of its condition. */
    var FEEL = "https://www.omg.org/spec/DMN/20191111/FEEL/";
    function isFeel(language) { return !!language && String(language).toLowerCase().indexOf("feel") >= 0; }
    function defaultFeel() {
      var definitions = modeler.getDefinitions();
      return isFeel(definitions && definitions.expressionLanguage);
    }
    function flowLanguage(bo) {
      var c = bo.conditionExpression;
      if (c && c.language) { return isFeel(c.language) ? "feel" : "sandbox"; }
      if (c && /^\s*=(?!=)/.test(c.body || "")) { return "feel"; }
      return defaultFeel() ? "feel" : "sandbox";
    }
    function setCondition(text, language) {
      var attrs = { body: text };
      if ((language === "feel") !== defaultFeel()) { attrs.language = language === "feel" ? FEEL : "python"; }
      modeling.updateProperties(current, {
        conditionExpression: text ? moddle.create("bpmn:FormalExpression", attrs) : undefined
      });
    }

    function apply(prop, value) {
      if (!current) { return; }
      var bo = current.businessObject;
      if (prop === "name") {
        modeling.updateLabel(current, value);
      } else if (prop === "condition") {
        setCondition(value, flowLanguage(bo));
      } else if (prop === "language") {
        var body = bo.conditionExpression ? bo.conditionExpression.body : "";
        if (body) { setCondition(body, value || "feel"); }
        render(current);
      } else if (prop === "form") {
        var ext = bo.extensionElements || moddle.create("bpmn:ExtensionElements", { values: [] });
        ext.values = (ext.values || []).filter(function (v) { return v.$type !== "gw:Form"; });
        if (value.trim()) { ext.values.push(textToForm(moddle, value)); }
        modeling.updateProperties(current, { extensionElements: ext });
      } else {
        var props = {};
        props[prop] = value || undefined;
        modeling.updateProperties(current, props);
      }
    }

    modeler.on("selection.changed", function (e) { render(e.newSelection[0] || null); });
    render(null);
  }
})();
