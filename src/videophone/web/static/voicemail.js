/* The mailbox page: whether calls reach it, storage used against the cap, the messages (caller —
 * or "number withheld" as caller ID says —, time, length), playback (marks the message read), delete,
 * and the greeting callers see (record one, upload one, play it, or go back to the default). */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, formatDate, formatSize, handlePageError, mmss, renderPager, setBusy } = VP.ui;
  const PAGE = 20;
  const page = { offset: 0, box: null, greetingRecording: null };

  function refreshBadge() {
    if (VP.refreshVoicemailBadge) VP.refreshVoicemailBadge();
    if (VP.refreshNotificationsBadge) VP.refreshNotificationsBadge();
  }

  function done(message) {
    const node = $("[data-testid=voicemail-done]");
    node.textContent = message || "";
    node.hidden = !message;
  }

  function callerOf(item) {
    if (!item.caller_number) return el("span", { class: "vm-caller", "data-testid": "voicemail-caller", dataset: { withheld: "true" } }, t("vm_withheld"));
    const text = item.caller_name ? item.caller_name + " (" + item.caller_number + ")" : item.caller_number;
    return el("span", { class: "vm-caller", "data-testid": "voicemail-caller", dataset: { number: item.caller_number } }, text);
  }

  function itemOf(item) {
    const actions = [
      el("button", { type: "button", class: "button small primary", "data-testid": "voicemail-play", onclick: () => play(item).catch(handlePageError) }, t("vm_play")),
      el("button", { type: "button", class: "button small danger", "data-testid": "voicemail-delete", onclick: () => remove(item).catch(handlePageError) }, t("vm_delete")),
    ];
    if (item.caller_number) actions.splice(1, 0, el("a", { class: "button small", href: "/phone?to=" + encodeURIComponent(item.caller_number), "data-testid": "voicemail-call-back" }, t("vm_call_back")));
    return el(
      "li",
      { class: "vm-item", "data-testid": "voicemail-item", dataset: { messageId: item.id, read: String(item.read) } },
      el(
        "div",
        {},
        el("div", {}, callerOf(item), item.read ? "" : el("span", { class: "badge state-pending", "data-testid": "voicemail-new", style: "margin-left: 6px" }, t("vm_new"))),
        el(
          "div",
          { class: "vm-meta" },
          el("span", { "data-testid": "voicemail-time" }, formatDate(item.left_at)),
          el("span", { "data-testid": "voicemail-length", dataset: { seconds: String(item.duration_seconds) } }, t("vm_length", { duration: mmss(item.duration_seconds) })),
          el("span", {}, formatSize(item.size_bytes)),
          el("span", {}, t("vm_expires", { date: formatDate(item.expires_at) })),
        ),
      ),
      el("div", { class: "vm-actions" }, actions),
    );
  }

  function renderSummary(box) {
    const sub = $("[data-testid=voicemail-subscription]");
    sub.dataset.subscribed = String(box.subscribed);
    sub.replaceChildren(box.subscribed ? t("vm_subscribed") : t("vm_not_subscribed"));
    if (!box.subscribed) sub.append(" ", el("a", { href: "/orders", "data-testid": "voicemail-subscribe" }, t("vm_subscribe")));
    $("[data-testid=voicemail-usage]").textContent = t("vm_usage", { count: box.message_count, max: box.max_messages, used: formatSize(box.used_bytes), quota: formatSize(box.quota_bytes) });
    $("[data-testid=voicemail-retention]").textContent = t("vm_retention", { seconds: box.max_seconds, days: box.retention_days });
    const unread = $("[data-testid=voicemail-unread]");
    unread.textContent = t("vm_unread", { count: box.unread });
    unread.dataset.count = String(box.unread);
    unread.hidden = !box.unread;
    setBusy($("[data-testid=voicemail-summary]"), false);
  }

  function renderGreeting(box) {
    const own = box.greeting;
    const stateNode = $("[data-testid=voicemail-greeting-state]");
    stateNode.dataset.greeting = own ? "own" : "default";
    stateNode.textContent = own ? t("vm_greeting_own", { seconds: box.greeting_seconds }) : t("vm_greeting_default");
    if (!box.subscribed && !own) stateNode.textContent += " " + t("vm_greeting_needs_service");
    $("[data-testid=voicemail-greeting-play]").hidden = !own;
    $("[data-testid=voicemail-greeting-default]").hidden = !own;
    $("[data-testid=voicemail-greeting-record]").disabled = !box.subscribed;
    $("[data-testid=voicemail-greeting-file]").disabled = !box.subscribed;
  }

  async function load(offset) {
    page.offset = offset || 0;
    const list = $("[data-testid=voicemail-list]");
    setBusy(list, true);
    const box = await VP.api("GET", "/api/v1/me/voicemail" + VP.ui.query({ offset: page.offset, limit: PAGE }));
    page.box = box;
    renderSummary(box);
    renderGreeting(box);
    list.replaceChildren(...box.items.map(itemOf));
    $("[data-testid=voicemail-empty]").hidden = box.total > 0;
    renderPager($("[data-testid=voicemail-pager]"), box.total, page.offset, PAGE, (next) => load(next).catch(handlePageError));
    setBusy(list, false);
  }

  async function play(item) {
    done("");
    const player = $("[data-testid=voicemail-player]");
    player.dataset.messageId = item.id;
    player.src = "/api/v1/me/voicemail/" + encodeURIComponent(item.id) + "/video";
    player.hidden = false;
    player.play().catch(() => {});
    if (!item.read) {
      await VP.api("POST", "/api/v1/me/voicemail/" + encodeURIComponent(item.id) + "/read");
      await load(page.offset);
      refreshBadge();
    }
  }

  async function remove(item) {
    if (!window.confirm(t("vm_delete_confirm"))) return;
    await VP.api("DELETE", "/api/v1/me/voicemail/" + encodeURIComponent(item.id));
    const player = $("[data-testid=voicemail-player]");
    if (player.dataset.messageId === item.id) {
      player.pause();
      player.removeAttribute("src");
      player.hidden = true;
    }
    await load(page.offset);
    done(t("vm_deleted"));
    refreshBadge();
  }

  // -- the greeting -------------------------------------------------------------------------------------
  function greetingError(message) {
    const node = $("[data-testid=voicemail-greeting-error]");
    node.textContent = message || "";
    node.hidden = !message;
  }

  async function saveGreeting(blob) {
    greetingError("");
    try {
      const box = await VP.recorder.upload("PUT", "/api/v1/me/voicemail-greeting", blob);
      page.box = box;
      renderGreeting(box);
      $("[data-testid=voicemail-greeting-state]").textContent += " " + t("vm_greeting_saved");
    } catch (error) {
      greetingError((error && error.problem && error.problem.message) || t("error_network"));
    }
  }

  async function recordGreeting() {
    greetingError("");
    const preview = $("[data-testid=voicemail-greeting-preview]");
    const countdown = $("[data-testid=voicemail-greeting-countdown]");
    const stop = $("[data-testid=voicemail-greeting-stop]");
    const record = $("[data-testid=voicemail-greeting-record]");
    const maxSeconds = (page.box && page.box.max_seconds) || 60;
    try {
      page.greetingRecording = await VP.recorder.record({
        preview,
        maxSeconds,
        onTick: (elapsed) => {
          countdown.textContent = t("vm_rec_remaining", { seconds: Math.max(0, Math.ceil(maxSeconds - elapsed)) });
        },
      });
    } catch (error) {
      greetingError(t("vm_rec_unsupported"));
      return;
    }
    preview.hidden = false;
    countdown.hidden = false;
    stop.hidden = false;
    record.disabled = true;
    const result = await page.greetingRecording.done;
    page.greetingRecording = null;
    preview.hidden = true;
    countdown.hidden = true;
    stop.hidden = true;
    record.disabled = false;
    if (result) await saveGreeting(result.blob);
  }

  function playGreeting() {
    const player = $("[data-testid=voicemail-greeting-player]");
    player.src = "/api/v1/me/voicemail-greeting?t=" + Date.now();
    player.hidden = false;
    player.play().catch(() => {});
  }

  async function useDefault() {
    greetingError("");
    const box = await VP.api("DELETE", "/api/v1/me/voicemail-greeting");
    page.box = box;
    const player = $("[data-testid=voicemail-greeting-player]");
    player.pause();
    player.removeAttribute("src");
    player.hidden = true;
    renderGreeting(box);
  }

  function init() {
    $("[data-testid=voicemail-greeting-record]").addEventListener("click", () => recordGreeting().catch(handlePageError));
    $("[data-testid=voicemail-greeting-stop]").addEventListener("click", () => page.greetingRecording && page.greetingRecording.stop());
    $("[data-testid=voicemail-greeting-play]").addEventListener("click", playGreeting);
    $("[data-testid=voicemail-greeting-default]").addEventListener("click", () => useDefault().catch(handlePageError));
    $("[data-testid=voicemail-greeting-file]").addEventListener("change", (event) => {
      const file = event.target.files && event.target.files[0];
      if (file) saveGreeting(file).finally(() => (event.target.value = ""));
    });
    if (!VP.recorder.supported()) $("[data-testid=voicemail-greeting-record]").hidden = true;
    load(0).catch(handlePageError);
  }

  VP.pages.voicemail = function () {
    try {
      init();
    } catch (error) {
      handlePageError(error);
    }
  };
})();
