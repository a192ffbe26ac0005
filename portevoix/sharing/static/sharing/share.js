// Share page: live checks of the ambassador's text as they type (debounced, by the server:
// the length as it will be posted, with the tracked link in place, and the organization's
// guardrails: competitors, words to avoid, blocked terms; and the variety check: a text that
// reads like many colleagues' recent posts warns), the Share button disabled while
// the text is over the limit or blocked (a warning only warns), "personalize this text",
// a preview of the post as the network will show it, updated as they type,
// and a reload when the ambassador comes back from the network so "I posted it" shows.
// The form is sent in the same tab: a refusal comes back here, a share goes to the network.
// Without JavaScript everything still works: the server checks the text on submit.
(function () {
  "use strict";
  var area = document.getElementById("share-text");
  var counter = document.getElementById("share-counter");
  var region = document.getElementById("share-guardrails");
  var form = area ? area.form : null;
  var DELAY = 300;
  var timer = null;
  var sequence = 0;

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function showGuardrails(hits, variety) {
    if (!region) { return; }
    while (region.firstChild) { region.removeChild(region.firstChild); }
    ["block", "warn"].forEach(function (action) {
      var mine = hits.filter(function (hit) { return hit.action === action; });
      if (!mine.length) { return; }
      var label = region.getAttribute(action === "block" ? "data-blocked-label" : "data-warned-label");
      region.appendChild(el("p", "share-guardrails-" + action, label));
      var list = el("ul", "share-guardrails-list");
      mine.forEach(function (hit) { list.appendChild(el("li", "share-guardrails-" + action, hit.message)); });
      region.appendChild(list);
    });
    // A near-copy of colleagues' posts only warns: it never disables the button.
    if (variety && variety.message) {
      region.appendChild(el("p", "share-guardrails-warn share-variety", variety.message));
    }
  }

  function show(data) {
    var errors = data.errors || [];
    var hits = data.guardrails || [];
    var blocked = !!data.blocked;
    if (counter) {
      var text = data.length + " / " + data.limit;
      if (errors.length) { text += " — " + errors.join(" "); }
      counter.textContent = text;
      counter.classList.toggle("over", errors.length > 0);
    }
    showGuardrails(hits, data.variety);
    if (errors.length || blocked) { area.setAttribute("aria-invalid", "true"); }
    else { area.removeAttribute("aria-invalid"); }
    // Over the limit or blocked: the server would refuse it, so the button waits.
    var submit = form.querySelector("[data-share-submit]");
    if (submit) { submit.disabled = data.ok === false; }
  }

  function check() {
    if (!form) { return; }
    sequence += 1;
    var mine = sequence;
    var sent = area.value;
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
        text: sent
      })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      if (mine !== sequence || area.value !== sent) { return; }  // the text moved on
      show(data);
    }).catch(function () { /* the server checks again on submit */ });
  }

  // The mock post: the text as typed, links shown as the network shows them (a card under
  // the text on LinkedIn, Facebook, Bluesky and Threads; shortened in the text on X and
  // Mastodon). Built with text nodes only: what the ambassador types is never markup.
  var preview = document.querySelector("[data-preview]");
  var previewText = preview ? preview.querySelector("[data-preview-text]") : null;
  var LINK = /https?:\/\/[^\s]+/g;
  var SHORT_LENGTH = 25;

  function shownLink(url) {
    if (preview.getAttribute("data-preview-mode") !== "short") { return url; }
    var bare = url.replace(/^https?:\/\//, "").replace(/^www\./, "");
    return bare.length > SHORT_LENGTH ? bare.slice(0, SHORT_LENGTH) + "…" : bare;
  }

  function renderPreview() {
    if (!previewText || !area) { return; }
    var text = area.value;
    while (previewText.firstChild) { previewText.removeChild(previewText.firstChild); }
    var last = 0;
    text.replace(LINK, function (url, offset) {
      if (offset > last) { previewText.appendChild(document.createTextNode(text.slice(last, offset))); }
      previewText.appendChild(el("span", "preview-link", shownLink(url)));
      last = offset + url.length;
      return url;
    });
    if (last < text.length) { previewText.appendChild(document.createTextNode(text.slice(last))); }
  }

  if (area && form) {
    area.addEventListener("input", function () {
      renderPreview();
      clearTimeout(timer);
      timer = setTimeout(check, DELAY);
    });
    renderPreview();
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
      renderPreview();
      check();
    });
  });

  // A share goes to the network's page (in this tab, or in the network's app on a phone);
  // when the ambassador comes back, reload once so the share just recorded can be confirmed.
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
  // Back from the network with the browser's Back button: the page comes from the cache.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
})();
