// Share page: a live counter of the ambassador's text (counted by the server, with the
// tracked link in place, as it will be posted), "personalize this text", and after a share
// opens in a new tab, a reload when the ambassador comes back so "I posted it" shows.
// Without JavaScript everything still works: the server checks the text on submit.
(function () {
  "use strict";
  var area = document.getElementById("share-text");
  var counter = document.getElementById("share-counter");
  var form = area ? area.form : null;
  var DELAY = 300;
  var timer = null;
  var sequence = 0;

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(length, limit, errors) {
    if (!counter) { return; }
    var text = length + " / " + limit;
    if (errors.length) { text += " — " + errors.join(" "); }
    counter.textContent = text;
    counter.classList.toggle("over", errors.length > 0);
    if (errors.length) { area.setAttribute("aria-invalid", "true"); }
    else { area.removeAttribute("aria-invalid"); }
  }

  function check() {
    if (!form) { return; }
    sequence += 1;
    var mine = sequence;
    fetch(form.getAttribute("data-check-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": token(),
        "X-Requested-With": "XMLHttpRequest"
      },
      body: JSON.stringify({
        item_id: parseInt(form.getAttribute("data-item"), 10),
        network: area.getAttribute("data-network"),
        text: area.value
      })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      if (mine !== sequence) { return; }
      show(data.length, data.limit, data.errors || []);
    }).catch(function () { /* the server checks again on submit */ });
  }

  if (area && form) {
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, DELAY);
    });
    check();
  }

  // "Personalize this text": start from a suggested text.
  Array.prototype.forEach.call(document.querySelectorAll("[data-use-text]"), function (button) {
    if (!area) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-use-text"));
      if (!source) { return; }
      area.value = source.innerText;
      area.focus();
      check();
    });
  });

  // A share opens the network in a new tab; when the ambassador comes back to this tab,
  // reload it once so the share just recorded can be confirmed.
  var shared = false;
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-share-form]")) { shared = true; }
  });
  document.addEventListener("visibilitychange", function () {
    if (shared && document.visibilityState === "visible") {
      shared = false;
      window.location.reload();
    }
  });
})();
