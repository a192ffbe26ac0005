// Content editor: a live length counter under each network copy, and "add a variant".
// The server counts (the same code that validates on save), so the two never disagree:
// the form's data-check-url is the API's POST /api/v1/content/check-copy, which accepts the
// web session with its CSRF header.
// Without JavaScript the form still works: the server refuses a copy that does not fit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-url]");
  if (!form) { return; }
  var checkUrl = form.getAttribute("data-check-url");
  var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var DELAY = 300;
  var timers = {};
  var sequence = {};

  function counterFor(area) {
    return document.getElementById(area.getAttribute("data-counter"));
  }

  function show(area, length, limit, errors) {
    var counter = counterFor(area);
    if (!counter) { return; }
    var text = length + " / " + limit;
    if (errors.length) { text += " — " + errors.join(" "); }
    counter.textContent = text;
    counter.classList.toggle("over", errors.length > 0);
    if (errors.length) { area.setAttribute("aria-invalid", "true"); }
    else { area.removeAttribute("aria-invalid"); }
  }

  function check(area) {
    var limit = area.getAttribute("data-limit");
    if (!area.value.trim()) { show(area, 0, limit, []); return; }  // empty box: no copy
    var key = area.id;
    sequence[key] = (sequence[key] || 0) + 1;
    var mine = sequence[key];
    fetch(checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": tokenInput ? tokenInput.value : "",
        "X-Requested-With": "XMLHttpRequest"
      },
      // The form strips surrounding white space on save: count what will be saved.
      body: JSON.stringify({ network: area.getAttribute("data-network"), text: area.value.trim() })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      if (mine !== sequence[key]) { return; }  // a newer request is on its way
      var result = data.copies[0];
      show(area, result.length, result.limit, result.errors || []);
    }).catch(function () { /* the server still checks on save */ });
  }

  function schedule(area) {
    clearTimeout(timers[area.id]);
    timers[area.id] = setTimeout(function () { check(area); }, DELAY);
  }

  form.addEventListener("input", function (event) {
    var area = event.target;
    if (area.matches && area.matches("textarea[data-network]")) { schedule(area); }
  });

  function addVariant(button) {
    var network = button.getAttribute("data-add-variant");
    var group = form.querySelector('[data-network-group="' + network + '"]');
    if (!group) { return; }
    var slots = group.querySelectorAll(".copy-slot");
    var last = slots[slots.length - 1];
    var next = 0;
    Array.prototype.forEach.call(slots, function (slot) {
      next = Math.max(next, parseInt(slot.getAttribute("data-index"), 10) || 0);
    });
    next += 1;
    var clone = last.cloneNode(true);
    var name = "copy_" + network + "_" + next;
    var id = "id_" + name;
    var counterId = "counter_" + network + "_" + next;
    clone.setAttribute("data-index", String(next));
    clone.classList.remove("has-error");
    Array.prototype.forEach.call(clone.querySelectorAll(".field-error"), function (el) { el.remove(); });
    var area = clone.querySelector("textarea");
    area.name = name;
    area.id = id;
    area.value = "";
    area.setAttribute("data-counter", counterId);
    area.setAttribute("aria-describedby", counterId);
    area.removeAttribute("aria-invalid");
    var label = clone.querySelector("label");
    label.htmlFor = id;
    label.textContent = label.textContent.replace(/\d+/, String(next));
    var counter = clone.querySelector(".counter");
    counter.id = counterId;
    group.querySelector(".copy-slots").appendChild(clone);
    show(area, 0, area.getAttribute("data-limit"), []);
    area.focus();
    var max = parseInt(button.getAttribute("data-max") || "10", 10);
    if (slots.length + 1 >= max) { button.hidden = true; }
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-add-variant]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { addVariant(button); });
  });

  // Show the count of every copy already there (editing, or a form sent back with errors).
  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-network]"), function (area) {
    check(area);
  });
})();
