/* The portal's service worker, served at /sw.js (scope /).  It keeps only the offline page and
   its stylesheet (no app pages: they are never stale), shows the Web Push messages the server sends
   (a ringing call, a missed call, a notice; a "call over" takes a call's notification away) and opens
   the page a notification (or its Answer / Decline button) names when it is clicked.
   Its pure functions are on self.VPSW, so a test can run them in a page. */
"use strict";
const SHELL = "vp-shell-__VERSION__";
const OFFLINE_URL = "/offline";
const SHELL_FILES = [OFFLINE_URL, "/static/app.css"];

// What a push message shows: a call rings until answered or dismissed; a notice is a plain notification.
function notificationOf(d) {
  const call = d.type === "call";
  const options = {
    body: d.body || "",
    tag: d.tag || (call ? "call-" + d.call_id : "notice"),
    icon: "/static/icon-192.png",
    badge: "/static/icon-192.png",
    data: { url: d.url || "/notifications", decline_url: d.decline_url || null, type: d.type || "notice", call_id: d.call_id || null, deadline: d.deadline || null },
    requireInteraction: call,
    renotify: call,
  };
  // A call's buttons (their titles come in the subscriber's language): answer, decline.
  if (call && Array.isArray(d.actions)) options.actions = d.actions.filter((a) => a && (a.action === "answer" || a.action === "decline"));
  return { title: d.title || "Videophone", options };
}

// A "call over" (the call stopped ringing): the call's notification goes; nobody answered → a missed
// call takes its place (same tag; Chrome wants every push to show something: userVisibleOnly).
function callOverOf(d) {
  if (!d.missed) return null;
  return notificationOf({ type: "notice", title: d.title, body: d.body, url: d.url || "/history", tag: d.tag });
}

// Where a click goes: the page the notification names (a call: /phone?answer=<call id>; its Decline
// button: /phone?decline=<call id>), on this origin only.
function clickTarget(data, origin, action) {
  const wanted = action === "decline" && data && data.decline_url ? data.decline_url : data && data.url;
  const url = new URL(wanted || "/notifications", origin);
  return url.origin === origin ? url.href : origin + "/notifications";
}

self.VPSW = { notificationOf, callOverOf, clickTarget };

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== SHELL).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
  } else if (request.method === "GET" && new URL(request.url).pathname === "/static/app.css") {
    event.respondWith(fetch(request).catch(() => caches.match("/static/app.css")));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { title: event.data ? event.data.text() : "" };
  }
  if (data.type === "call_over") {
    event.waitUntil(callOver(data));
    return;
  }
  const shown = notificationOf(data);
  event.waitUntil(self.registration.showNotification(shown.title, shown.options));
});

async function callOver(data) {
  const open = await self.registration.getNotifications({ tag: data.tag || "call-" + data.call_id });
  open.forEach((notification) => notification.close());
  const shown = callOverOf(data);
  if (shown) await self.registration.showNotification(shown.title, shown.options);
}

async function openOrFocus(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => client.url === url);
  if (same) return same.focus();
  const portal = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (portal && "navigate" in portal) {
    const focused = await portal.focus();
    return (focused || portal).navigate(url);
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openOrFocus(clickTarget(event.notification.data, self.location.origin, event.action)));
});
