/* Phone page: a call rings while the tab is in the background (issue 15). The system notification for an
 * incoming call (through the service worker's registration when one is registered, else `new Notification`),
 * closed when the call stops ringing; clicking it brings the tab to the front. Notifications are asked for
 * from a visible hint on /phone (never on load). VP.callAlerts.ringing(call, text), .stopped(). */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, $ } = VP.ui;
  const alerts = (VP.callAlerts = { shown: null });

  function supported() {
    return typeof window.Notification === "function";
  }

  function showHint() {
    const hint = $("[data-testid=notify-hint]");
    if (hint) hint.hidden = !(supported() && Notification.permission === "default");
  }

  async function ask() {
    try {
      await Notification.requestPermission();
    } finally {
      showHint();
    }
  }

  async function registration() {
    if (!("serviceWorker" in navigator)) return null;
    try {
      return (await navigator.serviceWorker.getRegistration()) || null;
    } catch (e) {
      return null;
    }
  }

  // An incoming call while the page is hidden: a notification that stays until answered or gone.
  async function ringing(call, text) {
    if (document.visibilityState !== "hidden" || !supported() || Notification.permission !== "granted") return;
    const tag = "vp-call-" + call.id;
    const options = { body: text, tag, requireInteraction: true, renotify: true, data: { call_id: call.id, url: "/phone" } };
    const title = t("phone_incoming_title");
    const reg = await registration();
    if (reg) {
      await reg.showNotification(title, options);
      alerts.shown = { tag, reg, notification: null };
    } else {
      const notification = new Notification(title, options);
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
      alerts.shown = { tag, reg: null, notification };
    }
    document.body.dataset.callNotification = tag;
  }

  async function stopped() {
    const shown = alerts.shown;
    alerts.shown = null;
    delete document.body.dataset.callNotification;
    if (!shown) return;
    if (shown.notification) shown.notification.close();
    if (shown.reg) (await shown.reg.getNotifications({ tag: shown.tag })).forEach((n) => n.close());
  }

  alerts.init = () => {
    const allow = $("[data-testid=notify-allow]");
    if (allow) allow.addEventListener("click", () => ask().catch(() => {}));
    showHint();
  };
  alerts.ringing = (call, text) => ringing(call, text).catch((e) => console.warn("call notification failed", e));
  alerts.stopped = () => stopped().catch(() => {});
})();
