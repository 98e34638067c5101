/* Portal: the subscriber's notifications (mark read) and account history (R-24..R-26, R-35).
 */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, setBusy, handlePageError, labelOf } = VP.ui;

  function eventDetail(event) {
    const p = event.params || {};
    const parts = [];
    if (p.reason) parts.push(labelOf("account_reason_", p.reason));
    if (p.scope) parts.push(labelOf("account_scope_", p.scope));
    if (p.method) parts.push(labelOf("pay_method_", p.method));
    if (p.amount !== undefined) parts.push(t("account_detail_amount", { amount: p.amount }));
    if (p.credit !== undefined) parts.push(t("account_detail_amount", { amount: p.credit }));
    if (p.limit !== undefined && p.limit !== null) parts.push(t("account_detail_limit", { limit: p.limit }));
    if (p.dispute_id !== undefined) parts.push(t("account_detail_dispute", { id: p.dispute_id }));
    return parts.join(" · ");
  }

  function historyRow(event) {
    return el(
      "tr",
      { "data-testid": "account-event", dataset: { kind: event.kind } },
      el("td", {}, formatDate(event.at)),
      el("td", {}, labelOf("account_event_", event.kind)),
      el("td", { class: "wrap" }, eventDetail(event)),
    );
  }

  function noticeItem(item) {
    const title = el("h3", {}, item.title);
    if (!item.read) title.append(el("span", { class: "badge state-pending", "data-testid": "notification-unread" }, t("account_notifications_unread")));
    return el(
      "li",
      { class: "notice", "data-testid": "notification", dataset: { kind: item.kind, read: item.read ? "true" : "false", id: item.id } },
      title,
      el("p", { class: "muted small" }, formatDate(item.created_at)),
      el("p", {}, item.body),
    );
  }

  async function loadNotifications() {
    const list = $("[data-testid=notifications-list]");
    const data = await VP.api("GET", "/api/v1/me/notifications");
    list.replaceChildren(...(data.items.length ? data.items.map(noticeItem) : [el("li", { class: "notice muted", "data-testid": "notifications-empty" }, t("account_notifications_empty"))]));
    setBusy(list, false);
    $("[data-testid=notifications-mark-read]").disabled = !data.unread;
  }

  async function loadHistory() {
    const table = $("[data-testid=my-account-history]");
    const data = await VP.api("GET", "/api/v1/me/account-history");
    fillTable(table, data.items, historyRow);
    setBusy(table, false);
  }

  async function markRead(button) {
    button.disabled = true;
    try {
      await VP.api("POST", "/api/v1/me/notifications/read", {});
      $("[data-testid=notifications-marked]").hidden = false;
      window.dispatchEvent(new Event("vp:notifications-changed"));
      await loadNotifications();
    } catch (error) {
      button.disabled = false;
      handlePageError(error);
    }
  }

  // -- preferences: email / SMS / push per category------------------------------------------------
  function prefCheckbox(category, channel, checked) {
    const id = "pref-" + category + "-" + channel;
    const label = t("prefs_category_" + category) + " · " + t("prefs_col_" + channel);
    return el(
      "td",
      {},
      el(
        "label",
        { class: "check", for: id },
        el("input", { type: "checkbox", id, checked, "aria-label": label, "data-testid": id, dataset: { category, channel } }),
      ),
    );
  }

  async function loadPreferences() {
    const table = $("[data-testid=prefs-table]");
    const data = await VP.api("GET", "/api/v1/me/notification-preferences");
    const rows = data.categories.map((c) =>
      el(
        "tr",
        { "data-testid": "pref-row", dataset: { category: c.category } },
        el("th", { scope: "row" }, t("prefs_category_" + c.category)),
        prefCheckbox(c.category, "email", c.email),
        prefCheckbox(c.category, "sms", c.sms),
        prefCheckbox(c.category, "push", c.push),
      ),
    );
    table.querySelector("tbody").replaceChildren(...rows);
    const to = [];
    if (data.email_to) to.push(t("prefs_email_to", { to: data.email_to }));
    if (data.sms_to) to.push(t("prefs_sms_to", { to: data.sms_to }));
    $("[data-testid=prefs-addresses]").textContent = to.join(" · ");
    setBusy(table, false);
  }

  async function savePreferences(form) {
    const button = form.querySelector("[data-testid=prefs-save]");
    const saved = form.querySelector("[data-form-success]");
    const alert = form.querySelector("[data-form-alert]");
    saved.hidden = true;
    alert.hidden = true;
    button.disabled = true;
    const preferences = [...form.querySelectorAll("input[type=checkbox][data-category]")].map((box) => ({
      category: box.dataset.category,
      channel: box.dataset.channel,
      enabled: box.checked,
    }));
    try {
      await VP.api("PUT", "/api/v1/me/notification-preferences", { preferences });
      saved.hidden = false;
    } catch (error) {
      if (error instanceof VP.ui.ApiError) {
        alert.textContent = error.message;
        alert.hidden = false;
      } else {
        handlePageError(error);
      }
    } finally {
      button.disabled = false;
    }
  }

  function init() {
    $("[data-testid=prefs-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      savePreferences(event.currentTarget);
    });
    loadPreferences().catch(handlePageError);
    $("[data-testid=notifications-mark-read]").addEventListener("click", (event) => markRead(event.currentTarget));
    loadNotifications().catch(handlePageError);
    loadHistory().catch(handlePageError);
  }

  VP.pages.notifications = init;
})();
