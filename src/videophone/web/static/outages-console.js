/* Console: outages, their causes (003 §12–§14) and their credits — record, close, correct the
 * cause, the credits each gave and reversed.
 * Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, renderPager, query } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;

  function stateBadge(o) {
    return el("span", { class: "badge state-" + o.state, "data-testid": "outage-state", dataset: { state: o.state } }, t("outages_state_" + o.state));
  }

  function scopeText(o) {
    if (o.scope === "all") return t("outages_scope_all");
    const shown = o.affected_numbers.slice(0, 5).join(", ");
    return o.affected_numbers.length > 5 ? shown + " … (" + t("outages_scope_numbers", { count: o.affected_numbers.length }) + ")" : shown;
  }

  const CAUSES = ["operator", "third_party", "internet", "force_majeure", "government"];

  function causeCell(o) {
    const form = el(
      "form",
      { class: "cause-form", "data-testid": "outage-cause-form", dataset: { id: o.id } },
      el("label", { class: "visually-hidden", for: "cause-" + o.id }, t("outages_field_cause")),
      el(
        "select",
        { id: "cause-" + o.id, name: "cause", "data-testid": "outage-cause-change" },
        CAUSES.map((c) => el("option", { value: c, selected: c === o.cause }, t("outages_cause_" + c))),
      ),
      el("p", { class: "field-error", "data-error-for": "cause" }),
      el("label", { class: "visually-hidden", for: "evidence-" + o.id }, t("outages_field_evidence")),
      el("textarea", { id: "evidence-" + o.id, name: "evidence", rows: 2, maxlength: 2000, placeholder: t("outages_field_evidence"), "data-testid": "outage-evidence-change" }, o.evidence),
      el("p", { class: "field-error", "data-error-for": "evidence" }),
      el("button", { type: "submit", class: "button small", "data-testid": "outage-cause-save" }, t("outages_change_cause")),
      el("div", { class: "form-alert", "data-form-alert": true, role: "alert", hidden: true }),
    );
    onSubmit(form, async () => {
      const values = formValues(form);
      const d = await VP.api("POST", "/api/v1/console/outages/" + o.id + "/cause", { cause: values.cause, evidence: values.evidence.trim() });
      await load();
      const done = $("[data-testid=outage-cause-saved]");
      done.textContent = t("outages_cause_saved", { id: d.id });
      done.hidden = false;
      showCredits(d);
    });
    return [
      el("span", { "data-testid": "outage-cause-label", dataset: { cause: o.cause } }, t("outages_cause_" + o.cause)),
      ...(o.evidence ? [el("br"), el("span", { class: "small muted user-text", "data-testid": "outage-evidence" }, o.evidence)] : []),
      el("details", {}, el("summary", { class: "small" }, t("outages_change_cause")), form),
    ];
  }

  function creditCell(o) {
    if (o.state === "open") {
      const form = el(
        "form",
        { class: "close-form", "data-testid": "outage-close-form", dataset: { id: o.id } },
        el("label", { class: "visually-hidden", for: "close-at-" + o.id }, t("outages_close_at")),
        el("input", { id: "close-at-" + o.id, name: "ended_at", type: "datetime-local", required: true, "aria-label": t("outages_close_at"), "data-testid": "outage-close-at" }),
        el("button", { type: "submit", class: "button small primary", "data-testid": "outage-close" }, t("outages_close")),
        el("p", { class: "field-error", "data-error-for": "ended_at" }),
        el("div", { class: "form-alert", "data-form-alert": true, role: "alert", hidden: true }),
      );
      onSubmit(form, async () => {
        const values = formValues(form);
        const d = await VP.api("POST", "/api/v1/console/outages/" + o.id + "/close", { ended_at: values.ended_at });
        VP.ui.setBusy($("[data-testid=outages-table]"), true);
        await load();
        showCredits(d);
      });
      return form;
    }
    if (!o.qualifies) return el("span", { class: "muted", "data-testid": "outage-credit-summary" }, t("outages_no_credit"));
    if (!o.earns_credit && o.credited_at) return el("span", { class: "muted", "data-testid": "outage-credit-summary" }, t("outages_not_our_fault"));
    if (!o.credited_at) return el("span", { class: "muted", "data-testid": "outage-credit-summary" }, t("outages_crediting"));
    return [
      el("span", { "data-testid": "outage-credit-summary" }, t("outages_credit_summary", { accounts: o.credited_accounts, total: o.credited_total })),
      " ",
      el("button", { type: "button", class: "button small", "data-testid": "outage-show", onclick: () => openCredits(o.id).catch(handlePageError) }, t("outages_show")),
    ];
  }

  function row(o) {
    return el(
      "tr",
      { "data-testid": "outage-row", dataset: { id: o.id, state: o.state } },
      el("td", { class: "wrap" }, el("strong", {}, "#" + o.id + " ", el("span", { class: "user-text" }, o.title)), o.description ? [el("br"), el("span", { class: "small muted user-text" }, o.description)] : null),
      el("td", { class: "wrap" }, causeCell(o)),
      el("td", { class: "wrap" }, scopeText(o)),
      el("td", { class: "nowrap" }, formatDate(o.started_at), el("br"), o.ended_at ? formatDate(o.ended_at) : "—"),
      el("td", { class: "num" }, o.duration_hours === null ? "—" : t("outages_hours", { hours: o.duration_hours })),
      el("td", {}, stateBadge(o)),
      el("td", {}, creditCell(o)),
    );
  }

  async function load(from) {
    offset = from === undefined ? offset : from;
    const table = $("[data-testid=outages-table]");
    const data = await VP.api("GET", "/api/v1/console/outages" + query({ offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, row);
    setBusy(table, false);
    $("[data-testid=outages-empty]").hidden = data.total > 0;
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => load(next).catch(handlePageError));
  }

  function showCredits(d) {
    const section = $("[data-testid=outage-credits]");
    bind(section, { label: "#" + d.id + " " + d.title });
    const reversed = $("[data-testid=outage-reversed]");
    reversed.textContent = d.reversed_accounts ? t("outages_reversed_summary", { accounts: d.reversed_accounts, total: d.reversed_total }) : "";
    reversed.hidden = !d.reversed_accounts;
    fillTable($("[data-testid=outage-credits-table]"), d.credits, (c) =>
      el(
        "tr",
        { "data-testid": "outage-credit-row", dataset: { number: c.number, amount: c.amount } },
        el("td", { class: "mono" }, c.number),
        el("td", {}, c.name),
        el("td", { class: "num" }, "¥" + c.amount),
      ),
    );
    section.hidden = false;
  }

  async function openCredits(id) {
    showCredits(await VP.api("GET", "/api/v1/console/outages/" + encodeURIComponent(id)));
    $("#h-outage-credits").focus();
  }

  function init() {
    const form = $("#outage-form");
    const numbers = $("[data-numbers]", form);
    form.addEventListener("change", () => {
      numbers.hidden = formValues(form).scope !== "listed";
    });
    onSubmit(form, async () => {
      const values = formValues(form);
      const body = {
        title: values.title.trim(),
        description: values.description.trim(),
        started_at: values.started_at,
        ended_at: values.ended_at || null,
        scope: values.scope,
        numbers: values.scope === "listed" ? values.numbers : null,
        cause: values.cause,
        evidence: values.evidence.trim(),
      };
      const d = await VP.api("POST", "/api/v1/console/outages", body);
      form.reset();
      numbers.hidden = true;
      const done = $("[data-form-success]", form);
      done.textContent = t("outages_recorded", { id: d.id });
      done.hidden = false;
      await load(0);
      if (d.state === "closed" && d.credits.length) showCredits(d);
    });
    load(0).catch(handlePageError);
  }

  VP.pages["console-outages"] = init;
})();
