// Portevoix's service worker (served at /sw.js by portevoix/core/pwa.py; scope "/").
//
// - The shell (the CSS, scripts and icons of static/, and the offline page) is kept at
//   install; a static file of the shell is answered from that cache.
// - Navigations go to the network first. The feed (GET /feed/, any query) is kept as last
//   received and shown when the network is unreachable; any other page then shows the
//   offline page. Nothing else is kept: no POST, no API, no tracked link (/l/), no admin,
//   no redirect, no error, no response marked `no-store`.
// - The kept feed is one person's: it is emptied when someone logs out (the logout form's
//   POST, and a message from pwa.js), at every login, and when the page says that the
//   person viewing it changed (pwa.js passes an opaque id).
// - Push: a JSON payload {"title", "body", "url", "tag"} becomes a notification; a click
//   focuses or opens the page it names, on this site only.
"use strict";

const CONFIG = {% autoescape off %}{{ config }}{% endautoescape %};
const PREFIX = "portevoix-";
const SHELL_CACHE = PREFIX + "shell-" + CONFIG.version;
const FEED_CACHE = PREFIX + "feed-" + CONFIG.version;
const META_CACHE = PREFIX + "meta";
const VIEWER_KEY = "/__portevoix__/viewer";
const FEED_PAGES_KEPT = 8;
const SHELL = new Set(CONFIG.shell);
// The pages answered from a cache because the network failed (asked by pwa.js).
const servedOffline = new Set();

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll([...CONFIG.shell, CONFIG.offline]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const current = new Set([SHELL_CACHE, FEED_CACHE, META_CACHE]);
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith(PREFIX) && !current.has(name))
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function bypassed(url) {
  return CONFIG.bypass.some((prefix) => url.pathname.startsWith(prefix));
}

function forgetFeed() {
  return caches.delete(FEED_CACHE);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || bypassed(url)) {
    return;
  }
  if (request.method !== "GET") {
    // Never answered nor kept; logging in or out empties the kept feed.
    if (url.pathname === CONFIG.logout || url.pathname === CONFIG.login) {
      event.waitUntil(forgetFeed());
    }
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (SHELL.has(url.pathname)) {
    event.respondWith(
      caches.match(request, { cacheName: SHELL_CACHE }).then((kept) => kept || fetch(request))
    );
  }
});

function keepable(response) {
  const cacheControl = (response.headers.get("Cache-Control") || "").toLowerCase();
  const type = response.headers.get("Content-Type") || "";
  return response.status === 200 && response.type === "basic" && !response.redirected
    && type.startsWith("text/html") && !cacheControl.includes("no-store");
}

async function keepFeed(url, response) {
  const cache = await caches.open(FEED_CACHE);
  await cache.delete(url.href);  // put again: the last kept is the last in the list
  await cache.put(url.href, response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - FEED_PAGES_KEPT))
    .map((key) => cache.delete(key)));
}

async function keptFeed(url) {
  const cache = await caches.open(FEED_CACHE);
  const exact = await cache.match(url.href, { ignoreVary: true });
  if (exact) {
    return exact;
  }
  const keys = await cache.keys();  // another page of the feed: the last one received
  return keys.length ? cache.match(keys[keys.length - 1], { ignoreVary: true }) : undefined;
}

// The offline page follows the language of the pages: kept again when it changes.
async function offlinePageInLanguage(response) {
  const language = response.headers.get("Content-Language");
  if (!language || !response.ok) {
    return;
  }
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(CONFIG.offline);
  if (!kept || kept.headers.get("Content-Language") !== language) {
    await cache.add(CONFIG.offline);
  }
}

async function navigate(event, url) {
  const isFeed = url.pathname === CONFIG.feed;
  try {
    const response = await fetch(event.request);
    if (isFeed && keepable(response)) {
      event.waitUntil(keepFeed(url, response.clone()));
    }
    event.waitUntil(offlinePageInLanguage(response).catch(() => undefined));
    return response;
  } catch (error) {
    const kept = isFeed ? await keptFeed(url) : undefined;
    const answer = kept || await caches.match(CONFIG.offline, { cacheName: SHELL_CACHE });
    if (!answer) {
      throw error;
    }
    if (event.resultingClientId) {
      servedOffline.add(event.resultingClientId);
    }
    return answer;
  }
}

async function checkViewer(viewer) {
  const meta = await caches.open(META_CACHE);
  const kept = await meta.match(VIEWER_KEY);
  const previous = kept ? await kept.text() : null;
  if (previous !== viewer) {
    await forgetFeed();
    await meta.put(VIEWER_KEY, new Response(viewer));
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "logout") {
    event.waitUntil(forgetFeed());
  } else if (data.type === "viewer" && typeof data.viewer === "string") {
    event.waitUntil(checkViewer(data.viewer));
  } else if (data.type === "status" && event.ports[0]) {
    const id = event.source && event.source.id;
    event.ports[0].postMessage({ offline: servedOffline.has(id) });
    servedOffline.delete(id);
  }
});

// A URL of this site, or the home page.
function sameOrigin(value) {
  try {
    const url = new URL(value || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
  } catch (error) {
    return new URL("/", self.location.origin).href;
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json() || {};
    } catch (error) {
      data = { body: event.data.text() };
    }
  }
  const options = {
    body: typeof data.body === "string" ? data.body : "",
    icon: CONFIG.icon,
    badge: CONFIG.badge,
    data: { url: sameOrigin(data.url) },
  };
  if (typeof data.tag === "string" && data.tag) {
    options.tag = data.tag;
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Portevoix";
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameOrigin(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = windows.find((client) => client.url === target);
    if (same) {
      return same.focus();
    }
    if (windows.length) {
      try {
        const client = await windows[0].focus();
        return await client.navigate(target);
      } catch (error) {
        // An uncontrolled window cannot be navigated from here: open a new one.
      }
    }
    return self.clients.openWindow(target);
  })());
});
