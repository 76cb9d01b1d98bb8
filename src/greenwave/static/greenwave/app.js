// Greenwave shell behaviour. No inline scripts (CSP): everything hooks in from here.
// Figures as the page's language writes them (ECharts groups thousands with commas whatever
// the language: «1,000,000» on a Russian page): window.greenwaveFigure(1000000) → «1 000 000».
(function () {
  "use strict";
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  window.greenwaveFigure = function (value) {
    return value == null || value === "" ? "\u2014" : number.format(value);
  };
  // The scale buttons of a drawing (core/partials/zoom_buttons.html, data-map-zoom="fit|in|out")
  // inside `root`: the process map and the BPMN diagrams call this with their own fit and zoom.
  window.gwZoomButtons = function (root, fit, zoomBy) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-map-zoom]"), function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-map-zoom");
        if (how === "fit") { fit(); } else { zoomBy(how === "in" ? 1.25 : 0.8); }
      });
    });
  };
})();
(function () {
  "use strict";
  // Confirm destructive actions: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Dismissible cards (the demo's first steps): <div data-gw-dismissible="key"> hidden for
  // good by its <button data-gw-dismiss="key">, remembered in this browser.
  var dismissed = function (key) {
    try { return window.localStorage.getItem("gw-dismissed-" + key) === "1"; } catch (e) { return false; }
  };
  Array.prototype.forEach.call(document.querySelectorAll("[data-gw-dismissible]"), function (card) {
    if (dismissed(card.getAttribute("data-gw-dismissible"))) {
      (card.closest(".col-md-6, .col-xl-4") || card).remove();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-gw-dismiss]");
    if (!button) return;
    var key = button.getAttribute("data-gw-dismiss");
    try { window.localStorage.setItem("gw-dismissed-" + key, "1"); } catch (e) { /* private mode */ }
    var card = document.querySelector("[data-gw-dismissible='" + key + "']");
    if (card) (card.closest(".col-md-6, .col-xl-4") || card).remove();
  });
  // Copy buttons: <button data-copy="#selector">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.classList.add("btn-success");
    }
  });
  // Dates shown and typed in the user's format (дд.мм.гггг in Russian) with a calendar,
  // while the field itself keeps submitting ISO values (what the server and the browsers'
  // own date inputs agree on). The visible field takes over the label of the hidden one.
  var russian = (document.documentElement.lang || "").indexOf("ru") === 0;
  // flatpickr's Russian locale leaves the month list and the time fields' labels in English.
  var ruCalendar = window.flatpickr && window.flatpickr.l10ns.ru ? Object.assign({},
    window.flatpickr.l10ns.ru, { monthAriaLabel: "Месяц", hourAriaLabel: "Часы", minuteAriaLabel: "Минуты" }) : null;
  var enhanceDates = function (root) {
    if (!window.flatpickr || !root.querySelectorAll) return;
    var inputs = root.querySelectorAll("input[type=date], input[type=datetime-local]");
    Array.prototype.forEach.call(inputs, function (input) {
      if (input._flatpickr) return;
      var withTime = input.type === "datetime-local";
      var shown = russian ? "d.m.Y" : "Y-m-d";
      var picker = window.flatpickr(input, {
        locale: russian && ruCalendar ? ruCalendar : "default",
        allowInput: true,
        altInput: true,
        altFormat: withTime ? shown + " H:i" : shown,
        dateFormat: withTime ? "Y-m-d\\TH:i" : "Y-m-d",
        enableTime: withTime,
        time_24hr: true,
        disableMobile: true
      });
      var visible = picker.altInput;
      if (!visible) return;
      visible.setAttribute("placeholder", russian ? (withTime ? "дд.мм.гггг чч:мм" : "дд.мм.гггг") : (withTime ? "yyyy-mm-dd hh:mm" : "yyyy-mm-dd"));
      if (input.id) {
        visible.id = input.id + "_shown";
        var label = document.querySelector("label[for='" + input.id + "']");
        if (label) label.setAttribute("for", visible.id);
      }
      if (input.getAttribute("aria-label")) visible.setAttribute("aria-label", input.getAttribute("aria-label"));
      if (input.classList.contains("is-invalid")) visible.classList.add("is-invalid");
    });
  };
  if (window.htmx) {
    window.htmx.onLoad(enhanceDates);
  } else {
    enhanceDates(document);
  }
  // The header's search (data-gw-search): htmx fills the dropdown as the user types; arrows
  // move through the hits, Enter opens the chosen one (or the results page), Esc closes.
  var search = document.querySelector("[data-gw-search]");
  if (search) {
    var input = search.querySelector("input[type=search]");
    var results = search.querySelector("[role=listbox]");
    var options = function () {
      return Array.prototype.slice.call(results.querySelectorAll("[role=option]"));
    };
    var setOpen = function (open) {
      results.classList.toggle("show", open);
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) input.removeAttribute("aria-activedescendant");
    };
    var activate = function (index) {
      var items = options();
      items.forEach(function (item, i) {
        item.classList.toggle("active", i === index);
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (items[index]) {
        if (items[index].id) input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    };
    var activeIndex = function () {
      return options().findIndex(function (item) { return item.classList.contains("active"); });
    };
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === results) setOpen(input.value.trim() !== "");
    });
    input.addEventListener("input", function () {
      if (input.value.trim() === "") { setOpen(false); results.innerHTML = ""; }
    });
    input.addEventListener("focus", function () {
      if (input.value.trim() !== "" && options().length) setOpen(true);
    });
    input.addEventListener("keydown", function (event) {
      var items = options();
      var index = activeIndex();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return;
        event.preventDefault();
        setOpen(true);
        var step = event.key === "ArrowDown" ? 1 : -1;
        activate(index < 0 ? (step > 0 ? 0 : items.length - 1) : (index + step + items.length) % items.length);
      } else if (event.key === "Enter" && index >= 0 && results.classList.contains("show")) {
        event.preventDefault();
        window.location.assign(items[index].href);
      } else if (event.key === "Escape") {
        if (results.classList.contains("show")) { event.preventDefault(); setOpen(false); }
        else { input.value = ""; }
      }
    });
    document.addEventListener("click", function (event) {
      if (!search.contains(event.target)) setOpen(false);
    });
  }
})();
