// The feed's copy and share buttons (progressive enhancement: without JavaScript the
// Copy buttons do nothing and the share buttons open the share page, as before).
//
// Every copy goes through sharing's copy endpoint (POST, same origin, CSRF token of the
// card's share form), which answers with the text and the ambassador's tracked short link
// (created on the first copy), so that a copy-paste share keeps its clicks. On networks
// whose share page takes no text (LinkedIn, Facebook: `data-copy-first`), the share
// button copies the text first, says so in the card's live region, then opens the page.
(function () {
  "use strict";

  function shareForm(scope, network) {
    var forms = scope.querySelectorAll("form[data-share-form][data-copy-url]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].getAttribute("data-network") === network) { return forms[i]; }
    }
    return null;
  }

  function fetchText(form, copyId) {
    var body = new FormData();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { body.append("csrfmiddlewaretoken", token.value); }
    if (copyId) { body.append("copy", copyId); }
    return fetch(form.getAttribute("data-copy-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("copy " + response.status); }
      return response.json();
    }).then(function (data) { return data.text; });
  }

  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    if (!ok) { throw new Error("copy refused"); }
  }

  // Copies the text the promise gives. A ClipboardItem made of a promise keeps the
  // click's user activation across the request (Safari needs it); elsewhere writeText.
  function copyFrom(textPromise) {
    var clip = navigator.clipboard;
    if (clip && window.isSecureContext && window.ClipboardItem && clip.write) {
      var blob = textPromise.then(function (text) { return new Blob([text], { type: "text/plain" }); });
      return clip.write([new window.ClipboardItem({ "text/plain": blob })]).catch(function () {
        return textPromise.then(function (text) { return clip.writeText(text); });
      });
    }
    return textPromise.then(function (text) {
      if (clip && window.isSecureContext) {
        return clip.writeText(text).catch(function () { legacyCopy(text); });
      }
      legacyCopy(text);
    });
  }

  function announce(bar, attribute) {
    var status = bar && bar.querySelector("[data-share-status]");
    if (!status) { return; }
    status.textContent = "";
    // A new text node, so that screen readers announce it again on a second share.
    setTimeout(function () { status.textContent = bar.getAttribute(attribute) || ""; }, 50);
  }

  // The feed's Copy buttons: <button data-copy-target="#copy-<copy id>" data-network="x"
  // data-copy-id="<copy id>"> in the card of an item with a share bar.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target][data-network]");
    if (!button) { return; }
    var card = button.closest("article");
    var form = card ? shareForm(card, button.getAttribute("data-network")) : null;
    if (!form) { return; }  // not a feed card: app.js copies the text as it is
    event.preventDefault();
    event.stopPropagation();  // app.js would copy the text without the tracked link
    var copyId = button.getAttribute("data-copy-id") || "";
    var original = button.textContent;
    copyFrom(fetchText(form, /^\d+$/.test(copyId) ? copyId : "")).then(function () {
      button.textContent = button.getAttribute("data-copied-label") || original;
      button.setAttribute("aria-live", "polite");
      setTimeout(function () { button.textContent = original; }, 2000);
    }, function () {
      announce(card.querySelector("[data-share-bar]"), "data-copy-failed-message");
    });
  }, true);

  // Share on LinkedIn or Facebook: copy the text first, say so, then open the share page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-copy-first][data-copy-url]")) { return; }
    event.preventDefault();
    var bar = form.closest("[data-share-bar]");
    var open = function () { form.submit(); };
    copyFrom(fetchText(form, "")).then(function () {
      announce(bar, "data-copied-message");
      open();
    }, function () {
      announce(bar, "data-copy-failed-message");
      open();
    });
  });
})();
