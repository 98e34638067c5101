/* The missed-calls badge in the portal navigation — and those of unread notifications and video
 * messages: on every page of a signed-in subscriber,
 * shows how many missed calls they have not looked at yet; hidden when there are none.
 * Other page scripts call VP.refreshMissedBadge() (or dispatch "vp:missed-changed") after a change. */
(function () {
  "use strict";

  const VP = window.VP;
  const REFRESH_MS = 60000;
  let timer = null;

  function show(count, testid) {
    const node = document.querySelector("[data-testid=" + (testid || "missed-badge") + "]");
    if (!node) return;
    node.textContent = count > 99 ? "99+" : String(count);
    node.dataset.count = String(count);
    node.hidden = !(count > 0);
    node.style.background = "#d92d20";
    node.style.color = "#fff";
    node.style.padding = "0 7px";
    node.style.marginLeft = "2px";
    node.setAttribute("aria-label", String(count));
    showOnMenu();
  }

  // At phone width the navigation folds into the menu button: the button carries the sum of the
  // badges inside, so a missed call or an unread notice is seen without opening the menu.
  function showOnMenu() {
    const menu = document.querySelector("[data-testid=nav-toggle-badge]");
    if (!menu) return;
    const total = ["missed-badge", "notifications-badge", "voicemail-badge"].reduce((sum, id) => {
      const node = document.querySelector("[data-testid=" + id + "]");
      return sum + (node ? Number(node.dataset.count || 0) : 0);
    }, 0);
    menu.textContent = total > 99 ? "99+" : String(total);
    menu.dataset.count = String(total);
    menu.hidden = !(total > 0);
    menu.setAttribute("aria-label", String(total));
  }

  async function refresh() {
    try {
      const data = await VP.api("GET", "/api/v1/me/calls/missed-count");
      show(data.count);
    } catch (error) {
      // A lost session or a network problem is not this badge's business; the page handles it.
      show(0);
    }
  }

  // Unread notifications on the "notifications" link, the same way.
  async function refreshNotifications() {
    try {
      const data = await VP.api("GET", "/api/v1/me/notifications?limit=1");
      show(data.unread, "notifications-badge");
    } catch (error) {
      show(0, "notifications-badge");
    }
  }

  // Unread video messages on the "video messages" link.
  async function refreshVoicemail() {
    try {
      const data = await VP.api("GET", "/api/v1/me/voicemail/unread-count");
      show(data.count, "voicemail-badge");
    } catch (error) {
      show(0, "voicemail-badge");
    }
  }

  function schedule() {
    if (timer) clearInterval(timer);
    timer = setInterval(() => {
      if (!document.hidden) {
        refresh();
        refreshNotifications();
        refreshVoicemail();
      }
    }, REFRESH_MS);
  }

  VP.refreshMissedBadge = refresh;
  window.addEventListener("vp:missed-changed", refresh);
  VP.refreshNotificationsBadge = refreshNotifications;
  window.addEventListener("vp:notifications-changed", refreshNotifications);
  VP.refreshVoicemailBadge = refreshVoicemail;
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      refresh();
      refreshNotifications();
      refreshVoicemail();
    }
  });

  function start() {
    refresh();
    refreshNotifications();
    refreshVoicemail();
    schedule();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
