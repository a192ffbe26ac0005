// The content calendar: drag an item onto another day to move it there. The drop only
// fills the entry's own "Move to" form (same time of day) and submits it, so the server
// applies the same rules as the keyboard form. No script: the form alone works.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var entry = event.target.closest && event.target.closest(".cal-entry[data-move]");
    if (!entry) return;
    dragged = entry;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.getAttribute("data-move"));
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".is-drop-target").forEach(function (day) {
      day.classList.remove("is-drop-target");
    });
  });
  document.addEventListener("dragover", function (event) {
    var day = dragged && event.target.closest && event.target.closest(".cal-day[data-date]");
    if (!day) return;
    event.preventDefault();
    day.classList.add("is-drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var day = event.target.closest && event.target.closest(".cal-day[data-date]");
    if (day && !day.contains(event.relatedTarget)) day.classList.remove("is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    var day = dragged && event.target.closest && event.target.closest(".cal-day[data-date]");
    if (!day) return;
    event.preventDefault();
    var form = document.getElementById(dragged.getAttribute("data-move"));
    var input = form && form.querySelector('input[name="publish_at"]');
    if (!input) return;
    var time = (input.value.split("T")[1] || "09:00").slice(0, 5);
    input.value = day.getAttribute("data-date") + "T" + time;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
})();
