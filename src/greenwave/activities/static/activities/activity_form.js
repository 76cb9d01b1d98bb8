// Activity form: show only the fields that mean something for the chosen type (no inline JS: CSP).
(function () {
  "use strict";
  var FIELDS = {
    call: ["direction", "call_result", "next_call_at", "duration_minutes", "recording_url", "recording_file", "done", "remind_at"],
    meeting: ["place", "participants", "outcome", "duration_minutes", "done", "remind_at"],
    task: ["checklist", "remind_at", "done"],
    note: [],
    email: ["email_to"]
  };
  var ALL = ["direction", "call_result", "next_call_at", "duration_minutes", "recording_url", "recording_file",
    "place", "participants", "outcome", "checklist", "email_to", "remind_at", "done", "due_at"];
  function rowOf(name) {
    var input = document.querySelector("[data-activity-form] [name=" + name + "]");
    return input ? input.closest(".mb-3") : null;
  }
  function update() {
    var select = document.querySelector("[data-activity-form] [name=kind]");
    if (!select) return;
    var kind = select.value;
    var shown = (FIELDS[kind] || []).concat(kind === "note" || kind === "email" ? [] : ["due_at"]);
    ALL.forEach(function (name) {
      var row = rowOf(name);
      if (row) row.classList.toggle("d-none", shown.indexOf(name) === -1);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-activity-form] [name=kind]")) update();
  });
  document.addEventListener("DOMContentLoaded", update);
})();
