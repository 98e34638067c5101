/* Portal: service announcements with an unread marker, and agreement changes: what
 * changed (a diff), accept now, or object within the window. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, formatDate, labelOf, handlePageError, setBusy } = VP.ui;

  function title(a) {
    return VP.lang === "en" && a.title_en ? a.title_en : a.title;
  }

  function body(a) {
    return VP.lang === "en" && a.body_en ? a.body_en : a.body;
  }

  function announcementItem(a) {
    return el(
      "article",
      { class: "ann-item" + (a.read ? "" : " unread"), "data-testid": "announcement", dataset: { id: a.id, kind: a.kind, read: a.read ? "true" : "false" } },
      el("h3", {}, title(a)),
      el(
        "div",
        { class: "ann-meta small muted" },
        el("span", { class: "badge", "data-testid": "announcement-kind" }, labelOf("ann_kind_", a.kind)),
        a.read ? null : el("span", { class: "badge", "data-testid": "announcement-unread" }, t("ann_unread")),
        el("span", {}, t("ann_published", { time: formatDate(a.publish_at) })),
        el("span", {}, t("ann_effective", { time: formatDate(a.effective_at) })),
      ),
      el("p", { class: "ann-body" }, body(a)),
    );
  }

  async function loadAnnouncements() {
    const list = $("[data-testid=announcements-list]");
    const data = await VP.api("GET", "/api/v1/me/announcements");
    list.replaceChildren(...(data.items.length ? data.items.map(announcementItem) : [el("p", { class: "muted" }, t("ann_none"))]));
    setBusy(list, false);
    const unread = $("[data-testid=announcements-unread]");
    unread.textContent = t("ann_unread_count", { count: data.unread });
    unread.hidden = data.unread === 0;
    $("[data-testid=announcements-mark-read]").hidden = data.unread === 0;
  }

  function diffView(change) {
    const box = el(
      "div",
      { class: "diff", "data-testid": "agreement-diff" },
      change.diff.map((line) =>
        el("p", { class: line.op, "data-testid": "diff-" + line.op, title: line.op === "same" ? null : t("ann_diff_" + line.op) }, line.text),
      ),
    );
    const toggle = el("label", { class: "small" }, el("input", { type: "checkbox", onchange: (e) => box.classList.toggle("show-all", e.target.checked) }), " ", t("ann_diff_show_all"));
    return [el("p", { class: "small", "data-testid": "agreement-diff-counts" }, t("ann_diff_title", { from: change.from_version, added: change.added, removed: change.removed })), toggle, box];
  }

  function statusOf(change) {
    const out = [];
    if (change.accepted) {
      out.push(
        el(
          "p",
          { class: "form-success", "data-testid": "agreement-accepted", dataset: { method: change.accepted.method } },
          t("ann_accepted", { version: change.accepted.version, time: formatDate(change.accepted.accepted_at), method: labelOf("ann_method_", change.accepted.method) }),
        ),
      );
    }
    if (change.objection) {
      out.push(
        el(
          "p",
          { "data-testid": "agreement-objection", dataset: { state: change.objection.state } },
          t("ann_objection_yours", { time: formatDate(change.objection.opened_at), state: labelOf("ann_objection_state_", change.objection.state) }),
          change.objection.outcome_note ? el("br") : null,
          change.objection.outcome_note ? t("ann_objection_note", { note: change.objection.outcome_note }) : null,
        ),
      );
    }
    return out;
  }

  function actions(change) {
    if (change.accepted) return [];
    const out = [];
    const accept = el("button", { type: "button", class: "button primary", "data-testid": "agreement-accept" }, t("ann_accept_now"));
    accept.addEventListener("click", async () => {
      accept.disabled = true;
      try {
        await VP.api("POST", "/api/v1/me/agreement/changes/" + change.version + "/accept");
        await loadChanges();
      } catch (error) {
        accept.disabled = false;
        handlePageError(error);
      }
    });
    out.push(el("div", { class: "change-actions" }, accept));
    if (change.objection_open) {
      const id = "objection-" + change.version;
      const form = el(
        "form",
        { class: "objection-form", "data-testid": "objection-form", novalidate: true },
        el("div", { class: "form-alert", "data-form-alert": true, role: "alert", hidden: true }),
        el(
          "div",
          { class: "field" },
          el("label", { for: id }, t("ann_objection_label")),
          el("textarea", { id, name: "text", rows: 3, maxlength: 2000, "data-testid": "objection-text", "aria-describedby": id + "-hint " + id + "-err" }),
          el("p", { class: "hint", id: id + "-hint" }, t("ann_objection_hint")),
          el("p", { class: "field-error", id: id + "-err", "data-error-for": "text", role: "alert" }),
        ),
        el("div", { class: "form-actions" }, el("button", { type: "submit", class: "button", "data-testid": "objection-submit" }, t("ann_objection_submit"))),
      );
      VP.ui.onSubmit(form, async () => {
        await VP.api("POST", "/api/v1/me/agreement/changes/" + change.version + "/objection", { text: form.elements.text.value.trim() });
        await loadChanges();
        const sent = $("[data-testid=agreement-change-list]");
        sent.prepend(el("p", { class: "form-success", role: "status", "data-testid": "objection-sent" }, t("ann_objection_sent")));
      });
      out.push(form);
    }
    return out;
  }

  function changeCard(change) {
    const windowText = change.window_open
      ? t("ann_change_window", { time: formatDate(change.window_end) })
      : t("ann_change_window_closed", { time: formatDate(change.window_end) });
    return el(
      "article",
      { class: "ann-item", "data-testid": "agreement-change", dataset: { version: change.version } },
      el("h3", {}, t("ann_change_heading", { version: change.version })),
      el("p", { class: "small muted" }, t("ann_published", { time: formatDate(change.published_at) })),
      el("p", {}, el("strong", {}, t("ann_change_summary") + "："), el("span", { class: "ann-body" }, change.summary)),
      el("p", { class: "small", "data-testid": "agreement-window" }, windowText),
      statusOf(change),
      diffView(change),
      actions(change),
    );
  }

  async function loadChanges() {
    const data = await VP.api("GET", "/api/v1/me/agreement/changes");
    const section = $("[data-testid=agreement-changes]");
    section.hidden = data.items.length === 0;
    $("[data-testid=agreement-change-list]").replaceChildren(...data.items.map(changeCard));
  }

  function init() {
    $("[data-testid=announcements-mark-read]").addEventListener("click", () =>
      VP.api("POST", "/api/v1/me/announcements/read", {}).then(loadAnnouncements).catch(handlePageError),
    );
    loadAnnouncements().catch(handlePageError);
    loadChanges().catch(handlePageError);
  }

  VP.pages.announcements = init;
})();
