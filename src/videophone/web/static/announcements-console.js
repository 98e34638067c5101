/* Console: publish announcements and new agreement versions by announcement, and decide
 * the objection cases. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;

  /** A datetime-local value (the browser's zone) as an ISO time with offset, or null when blank. */
  function isoOrNull(value) {
    if (!value) return null;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }

  function announcementRow(a) {
    const audience = a.audience === "all" ? t("cann_audience_all") : a.numbers.join(", ");
    return el(
      "tr",
      { "data-testid": "announcement-row", dataset: { id: a.id, kind: a.kind, state: a.state } },
      el("td", {}, "#" + a.id),
      el("td", {}, labelOf("ann_kind_", a.kind)),
      el("td", { class: "wrap" }, a.title),
      el("td", { class: "wrap" }, audience),
      el("td", {}, formatDate(a.publish_at)),
      el("td", {}, formatDate(a.effective_at)),
      el("td", { "data-testid": "announcement-delivered" }, String(a.delivered), " · ", labelOf("cann_state_", a.state)),
    );
  }

  async function loadAnnouncements(from) {
    offset = from === undefined ? offset : from;
    const table = $("[data-testid=announcements-table]");
    const data = await VP.api("GET", "/api/v1/console/announcements" + query({ offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, announcementRow);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => loadAnnouncements(next).catch(handlePageError));
  }

  function decideForm(o) {
    const form = el(
      "form",
      { class: "decide-form", "data-testid": "objection-decide", novalidate: true },
      el("div", { class: "form-alert", "data-form-alert": true, role: "alert", hidden: true }),
      el("label", { class: "visually-hidden", for: "outcome-" + o.id }, t("cann_field_outcome")),
      el(
        "select",
        { id: "outcome-" + o.id, name: "outcome", "data-testid": "objection-outcome" },
        el("option", { value: "accepted" }, t("cann_outcome_accepted")),
        el("option", { value: "not_agreed" }, t("cann_outcome_not_agreed")),
      ),
      el("label", { class: "visually-hidden", for: "note-" + o.id }, t("cann_field_note")),
      el("textarea", { id: "note-" + o.id, name: "note", rows: 2, maxlength: 2000, placeholder: t("cann_field_note"), "data-testid": "objection-note" }),
      el("p", { class: "field-error", "data-error-for": "note", role: "alert" }),
      el("button", { type: "submit", class: "button small primary", "data-testid": "objection-decide-submit" }, t("cann_decide")),
    );
    onSubmit(form, async () => {
      const values = formValues(form);
      await VP.api("POST", "/api/v1/console/agreement/objections/" + o.id + "/decide", { outcome: values.outcome, note: values.note.trim() });
      await loadObjections();
    });
    return form;
  }

  function objectionRow(o) {
    return el(
      "tr",
      { "data-testid": "objection-row", dataset: { id: o.id, state: o.state, number: o.subscriber_number } },
      el("td", {}, "#" + o.id),
      el("td", {}, el("a", { href: "/console/subscribers/" + o.subscriber_id }, el("span", { class: "mono" }, o.subscriber_number), " ", o.subscriber_name)),
      el("td", {}, String(o.agreement_version)),
      el("td", { class: "wrap", "data-testid": "objection-text" }, o.text),
      el("td", {}, formatDate(o.opened_at)),
      el("td", { "data-testid": "objection-state" }, labelOf("ann_objection_state_", o.state)),
      el("td", { class: "wrap" }, o.state === "open" ? decideForm(o) : o.outcome_note),
    );
  }

  async function loadObjections() {
    const table = $("[data-testid=objections-table]");
    const data = await VP.api("GET", "/api/v1/console/agreement/objections" + query({ limit: 100 }));
    fillTable(table, data.items, objectionRow);
    setBusy(table, false);
    $("[data-testid=objections-open]").textContent = t("cann_objections_summary", { open: data.open });
  }

  async function loadTemplate() {
    const data = await VP.api("GET", "/api/v1/console/agreement/template");
    $("[data-testid=version-lead]").textContent = t("cann_version_lead", { months: data.objection_window_months });
    $("[data-testid=version-current]").textContent = t("cann_version_current", { version: data.version });
    $("[data-testid=version-template]").value = data.template;
    $("[data-testid=version-template-en]").value = data.template_en;
  }

  function init() {
    const form = $("#announcement-form");
    const numbersField = $("[data-numbers-field]");
    form.elements.audience.addEventListener("change", () => (numbersField.hidden = form.elements.audience.value !== "numbers"));
    onSubmit(form, async () => {
      const v = formValues(form);
      const created = await VP.api("POST", "/api/v1/console/announcements", {
        kind: v.kind,
        title: v.title,
        body: v.body,
        title_en: v.title_en,
        body_en: v.body_en,
        audience: v.audience,
        numbers: v.audience === "numbers" ? v.numbers : null,
        publish_at: isoOrNull(v.publish_at),
        effective_at: isoOrNull(v.effective_at),
      });
      form.reset();
      numbersField.hidden = true;
      const done = $("[data-form-success]", form);
      done.textContent = t("cann_created", { id: created.id });
      done.hidden = false;
      await loadAnnouncements(0);
    });
    const versionForm = $("#version-form");
    onSubmit(versionForm, async () => {
      const v = formValues(versionForm);
      const published = await VP.api("POST", "/api/v1/console/agreement/versions", {
        template: v.template,
        template_en: v.template_en,
        summary: v.summary,
        title: v.title,
        body: v.body,
        title_en: v.title_en,
        body_en: v.body_en,
      });
      ["title", "body", "title_en", "body_en", "summary"].forEach((name) => (versionForm.elements[name].value = ""));
      const done = $("[data-form-success]", versionForm);
      done.textContent = t("cann_version_done", { version: published.version, time: formatDate(published.window_end) });
      done.hidden = false;
      await Promise.all([loadTemplate(), loadAnnouncements(0)]);
    });
    loadAnnouncements(0).catch(handlePageError);
    loadObjections().catch(handlePageError);
    loadTemplate().catch(handlePageError);
  }

  VP.pages["console-announcements"] = init;
})();
