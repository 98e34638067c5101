/* The installable portal and Web Push: registers the service worker on portal pages, and on
   /account drives the "notifications on this device" switch (subscribe with the server's VAPID key,
   post the subscription with this browser's signaling device id; off: unsubscribe and delete it). */
(function () {
  "use strict";
  const VP = window.VP;
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  const ready = supported && window.isSecureContext ? navigator.serviceWorker.register("/sw.js", { scope: "/" }) : null;
  if (ready) ready.catch(() => {});

  // The same device id as the phone page (phone.js), so a push for a call goes to this browser.
  function deviceId() {
    let id = "";
    try {
      id = localStorage.getItem("vpDeviceId") || "";
    } catch (e) {
      id = "";
    }
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const random = crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "") : String(Math.random()).slice(2) + Date.now();
      id = "web-" + random.slice(0, 24);
      try {
        localStorage.setItem("vpDeviceId", id);
      } catch (e) {
        /* private mode */
      }
    }
    return id;
  }

  function b64urlBytes(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  const section = document.querySelector("[data-testid=push-section]");
  if (!section) return;
  const box = section.querySelector("[data-testid=push-switch]");
  const state = section.querySelector("[data-testid=push-state]");

  function show(name) {
    // The texts are the page's (account.html renders each state's text in the reader's language).
    state.textContent = section.querySelector('[data-push-text="' + name + '"]').textContent;
    section.dataset.state = name;
    box.checked = name === "on";
    box.disabled = name === "unsupported" || name === "working";
  }

  async function mine() {
    const list = await VP.api("GET", "/api/v1/me/push-subscriptions");
    return (list || []).find((s) => s.device_id === deviceId());
  }

  async function turnOn() {
    show("working");
    if ((await Notification.requestPermission()) !== "granted") return show("denied");
    try {
      const key = await VP.api("GET", "/api/v1/push/vapid-public-key");
      const registration = await ready;
      await navigator.serviceWorker.ready;
      let sub = await registration.pushManager.getSubscription();
      if (!sub) sub = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlBytes(key.public_key) });
      const json = sub.toJSON();
      await VP.api("POST", "/api/v1/me/push-subscriptions", { device_id: deviceId(), endpoint: json.endpoint, keys: json.keys });
      show("on");
    } catch (error) {
      show("failed");
    }
  }

  async function turnOff() {
    show("working");
    try {
      const registration = await ready;
      const sub = registration && (await registration.pushManager.getSubscription());
      if (sub) await sub.unsubscribe();
      const row = await mine();
      if (row) await VP.api("DELETE", "/api/v1/me/push-subscriptions/" + row.id);
      show("off");
    } catch (error) {
      show("failed");
    }
  }

  async function start() {
    if (!ready) return show("unsupported");
    if (Notification.permission === "denied") return show("denied");
    try {
      show((await mine()) && Notification.permission === "granted" ? "on" : "off");
    } catch (error) {
      show("off");
    }
  }

  box.addEventListener("change", () => (box.checked ? turnOn() : turnOff()));
  start();
})();
