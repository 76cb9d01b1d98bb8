// Open the client-card tab named in the address (#profile, #contacts, #history) and keep the
// address in step with the open tab, so redirects after saving land on the tab being edited.
(function () {
  "use strict";
  function show(hash) {
    var button = document.querySelector('[data-bs-target="#tab-' + hash.replace("#", "") + '"]');
    if (button && window.bootstrap) {
      window.bootstrap.Tab.getOrCreateInstance(button).show();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash) {
      show(window.location.hash);
    }
    document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (button) {
      button.addEventListener("shown.bs.tab", function () {
        var target = button.getAttribute("data-bs-target").replace("#tab-", "#");
        history.replaceState(null, "", target);
      });
    });
  });
})();
