// The library: a "check every item of this page" box (the page works without it).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.querySelector("[data-pick-all]");
    if (!all) { return; }
    var boxes = function () { return document.querySelectorAll('input[name="items"]'); };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
