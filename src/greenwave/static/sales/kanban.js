// Kanban: drag a card to another column; the server checks the stage gate and answers with the
// re-rendered board (the card stays where the server says it is, with the reason shown on top).
(function () {
  "use strict";
  function init(root) {
    var board = root.querySelector(".gw-board");
    if (!board || board.dataset.ready) return;
    board.dataset.ready = "1";
    var template = board.dataset.moveUrlTemplate;
    board.querySelectorAll(".gw-cards").forEach(function (column) {
      window.Sortable.create(column, {
        forceFallback: true, // mouse events: the same on every browser, and keyboard-free drags in tests
        group: "deals-" + board.dataset.pipeline,
        animation: 120,
        onStart: function () { board.classList.add("gw-dragging"); },
        onEnd: function (event) {
          board.classList.remove("gw-dragging");
          if (event.from === event.to) return;
          var card = event.item;
          window.htmx.ajax("POST", template.replace("/0/", "/" + card.dataset.deal + "/"), {
            target: "#board",
            values: { stage: event.to.dataset.stage, version: card.dataset.version, from: "board" },
          });
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target.parentNode || document); });
})();
