// The installable web app's page side: registers the service worker (/sw.js), shows the
// offline banner (#offline-banner) while the network is unreachable, and tells the worker
// who is viewing and when someone logs out, so that it never keeps one person's feed for
// another (portevoix/core/templates/core/sw.js).
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-sw");
  var logoutUrl = script && script.getAttribute("data-logout");

  function banner(show) {
    var element = document.getElementById("offline-banner");
    if (element) { element.hidden = !show; }
  }

  window.addEventListener("offline", function () { banner(true); });
  window.addEventListener("online", function () { banner(false); });

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else { callback(); }
  }

  onReady(function () {
    if (navigator.onLine === false) { banner(true); }
  });

  if (!("serviceWorker" in navigator) || !workerUrl) { return; }

  function post(message, transfer) {
    var worker = navigator.serviceWorker.controller;
    if (worker) { worker.postMessage(message, transfer || []); return Promise.resolve(); }
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message, transfer || []); }
    });
  }

  navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {
    // No worker (private mode, an old browser): every page still works online.
  });

  onReady(function () {
    // The worker empties the kept feed when the person viewing changes ("" when logged out).
    var viewer = document.querySelector('meta[name="portevoix-viewer"]');
    if (viewer) { post({ type: "viewer", viewer: viewer.getAttribute("content") || "" }); }
    // A page the worker answered from its cache, the network being unreachable, says so even
    // where navigator.onLine stays true (the server down, a captive portal).
    if (navigator.serviceWorker.controller && window.MessageChannel) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        if (event.data && event.data.offline) { banner(true); }
      };
      navigator.serviceWorker.controller.postMessage({ type: "status" }, [channel.port2]);
    }
  });

  // Logging out: the worker forgets the feed (it also sees the form's POST itself).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !logoutUrl) { return; }
    var action = new URL(form.getAttribute("action") || "", window.location.href);
    if (action.origin === window.location.origin && action.pathname === logoutUrl) {
      post({ type: "logout" });
    }
  });
})();
