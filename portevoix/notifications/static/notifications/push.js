// Push notifications on this device (the notification settings page).
// Permission is asked only when the person clicks the button, never on load. The browser's
// subscription (PushSubscription.toJSON()) is sent to the server with the page's CSRF token;
// the service worker (registered by the app shell) shows the pushed messages.
(function () {
  "use strict";
  var box = document.getElementById("push-device");
  if (!box) { return; }
  var button = document.getElementById("push-toggle");
  var state = document.getElementById("push-state");

  function say(key) { state.textContent = box.getAttribute("data-msg-" + key) || ""; }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function post(url, subscription) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(subscription)
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  // The service worker's registration, or null when the shell registered none (ready would
  // then never settle).
  function registration() {
    return navigator.serviceWorker.getRegistration().then(function (found) {
      if (!found) { return null; }
      return navigator.serviceWorker.ready;
    });
  }

  function show(subscribed) {
    button.hidden = false;
    button.disabled = false;
    button.setAttribute("aria-pressed", subscribed ? "true" : "false");
    button.textContent = box.getAttribute(subscribed ? "data-label-off" : "data-label-on");
    button.onclick = subscribed ? turnOff : turnOn;
  }

  function failed() { button.disabled = false; say("error"); }

  function turnOn() {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { button.disabled = false; say("denied"); return null; }
      return registration().then(function (reg) {
        if (!reg) { throw new Error("no service worker"); }
        return reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-public-key"))
        });
      }).then(function (subscription) {
        return post(box.getAttribute("data-subscribe-url"), subscription.toJSON());
      }).then(function () { show(true); say("on"); });
    }).catch(failed);
  }

  function turnOff() {
    button.disabled = true;
    registration().then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var json = subscription.toJSON();
      return subscription.unsubscribe().then(function () {
        return post(box.getAttribute("data-unsubscribe-url"), { endpoint: json.endpoint });
      });
    }).then(function () { show(false); say("off"); }).catch(failed);
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  if (Notification.permission === "denied") { say("denied"); }
  registration().then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (subscription) { show(Boolean(subscription)); }).catch(function () { show(false); });
}());
