// The feed card's publishing control ({% card_publish_actions item %}): "share now",
// "at the best time" and "share to all my accounts" are sent in the background and the
// answer is read out in the card (aria-live), so the ambassador keeps their place in the
// feed. The buttons wait while a request runs (a double tap sends one request; the server
// also refuses to create a second post). Without JavaScript the forms post and come back
// to the feed with the same messages.
(function () {
  "use strict";

  function statusOf(form) {
    var box = form.closest("[data-card-publish]");
    return box ? box.querySelector("[data-card-publish-status]") : null;
  }

  function show(region, messages) {
    if (!region) { return; }
    while (region.firstChild) { region.removeChild(region.firstChild); }
    messages.forEach(function (message) {
      var line = document.createElement("span");
      line.className = "msg msg-" + message.level;
      line.textContent = message.text;
      region.appendChild(line);
      region.appendChild(document.createTextNode(" "));
    });
  }

  function buttons(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button"));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-card-publish-form")) { return; }
    if (!window.fetch || !window.FormData) { return; }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    form.setAttribute("aria-busy", "true");
    buttons(form).forEach(function (button) { button.disabled = true; });
    var region = statusOf(form);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
      return response.json();
    }).then(function (answer) {
      show(region, answer.messages || []);
      form.removeAttribute("aria-busy");
      // Done: the buttons stay disabled (reload the feed to see the planned posts).
      if (!answer.ok) { buttons(form).forEach(function (button) { button.disabled = false; }); }
    }).catch(function () {
      // The request failed (offline, a login page...): post the form the usual way.
      form.removeAttribute("aria-busy");
      buttons(form).forEach(function (button) { button.disabled = false; });
      form.removeAttribute("data-card-publish-form");
      if (submitter && submitter.name) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = submitter.name;
        field.value = submitter.value;
        form.appendChild(field);
      }
      form.submit();
    });
  });
})();
