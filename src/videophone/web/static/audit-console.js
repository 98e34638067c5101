/* Console: the audit log as sentences — who (staff by username, subscribers by number and name) did
 * what (an action in words) to whom, the details as labelled fields; filters by staff member, action and
 * days of the operator's calendar. Also renders the subscriber page's single history. Uses app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formValues, handlePageError, labelOf, query, renderPager } = VP.ui;
  const ZONE = (VP.operator && VP.operator.zone) || undefined;
  const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

  function known(key) {
    return Object.prototype.hasOwnProperty.call(VP.t, key);
  }

  /** An instant in the operator's time zone (not the browser's). */
  function atOperator(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return date.toLocaleString(VP.lang, { dateStyle: "medium", timeStyle: "short", timeZone: ZONE });
  }

  function actionWords(code) {
    return labelOf("audit_action_", String(code).split(".").join("_"));
  }

  function actorOf(r) {
    if (r.actor_type === "staff" && r.actor_username) return t("audit_actor_staff", { username: r.actor_username, name: r.actor_display_name || r.actor_username });
    if (r.actor_type === "subscriber" && r.actor_number) return t("audit_actor_subscriber", { number: r.actor_number, name: r.actor_name || "" });
    if (r.actor_type === "system") return t("audit_actor_system");
    return t("audit_actor_gone");
  }

  function subjectOf(r) {
    if (r.subject_type === "subscriber" && r.subject_number) return t("audit_subject_subscriber", { number: r.subject_number, name: r.subject_name || "" });
    if (r.subject_type === "staff" && r.subject_username) return t("audit_subject_staff", { username: r.subject_username, name: r.subject_display_name || r.subject_username });
    if (known("audit_subject_" + r.subject_type)) return t("audit_subject_" + r.subject_type, { id: r.subject_id });
    return t("audit_subject_other", { id: r.subject_id });
  }

  // Plan and service names by code (the public price list), so an order reads "基础套餐", not "basic";
  // a product no longer sold keeps its code.
  const products = {};
  let productsLoaded = null;
  function loadProducts() {
    if (!productsLoaded) {
      productsLoaded = VP.api("GET", "/api/v1/prices")
        .then((data) => [].concat(data.plans || [], data.vas || []).forEach((p) => {
          products[p.code] = VP.lang === "zh-CN" ? p.name_zh : p.name_en || p.name_zh;
        }))
        .catch(() => undefined);
    }
    return productsLoaded;
  }
  const productName = (code) => products[code] || code;

  /** A code said by the first of ``prefixes`` that has words for it (else the code). */
  function firstLabel(prefixes, value) {
    const prefix = prefixes.find((p) => known(p + value));
    return prefix ? labelOf(prefix, value) : String(value);
  }

  /** An order item ({kind, code, action}) as "订购 套餐 基础套餐". */
  function itemText(item) {
    return [labelOf("order_action_", item.action), labelOf("audit_item_kind_", item.kind), productName(item.code)].filter(Boolean).join(" ");
  }

  const yuanFromFen = (fen) => "¥" + (Number(fen) / 100).toFixed(2);
  const MONEY = /(_yuan|^monthly_rent|^monthly_fee|^rate_per_minute|^amount|^credit|^limit|^used)$/;
  // Values that are codes, said in words (a value without words — free text — stays as it is).
  const CODES = {
    roles: (v) => labelOf("role_", v),
    from: (v) => labelOf("review_", v),
    to: (v) => labelOf("review_", v),
    method: (v) => labelOf("pay_method_", v),
    scope: (v) => labelOf("account_scope_", v),
    reason: (v) => labelOf("account_reason_", v),
    field: (v) => labelOf("audit_field_", v),
    // "kind" and "action" mean different things in different records: the first catalogue that knows it.
    kind: (v) => firstLabel(["kind_", "audit_item_kind_", "pay_kind_", "ann_kind_", "session_kind_", "bill_line_"], v),
    action: (v) => firstLabel(["order_action_", "viol_action_"], v),
    channel: (v) => labelOf("audit_channel_", v),
    category: (v) => labelOf("prefs_category_", v),
    code: productName,
    plan_code: productName,
    vas_code: productName,
  };

  function valueText(key, value) {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "boolean") return t(value ? "audit_yes" : "audit_no");
    if (key === "items" && Array.isArray(value)) return value.map((v) => (v && typeof v === "object" ? itemText(v) : String(v))).join("；");
    if (Array.isArray(value)) return value.map((v) => valueText(key, v)).join("、");
    if (typeof value === "object") return Object.entries(value).map(([k, v]) => detailLabel(k) + " " + valueText(k, v)).join("；");
    if (/_fen$/.test(key)) return yuanFromFen(value);
    if (MONEY.test(key)) return "¥" + value;
    if (typeof value === "string" && INSTANT.test(value)) return atOperator(value);
    if (CODES[key] && typeof value === "string") return CODES[key](value);
    return String(value);
  }

  function detailLabel(key) {
    return known("audit_detail_" + key) ? labelOf("audit_detail_", key) : labelOf("policy_param_", key);
  }

  /** A policy change ({name: {before, after}}) as "label: before → after". */
  function changesList(changes) {
    return el("ul", { class: "plain" }, Object.entries(changes).map(([name, c]) =>
      el("li", {}, labelOf("policy_param_", name) + "：" + valueText(name, c.before) + " → " + valueText(name, c.after))));
  }

  function detailsOf(details) {
    const entries = Object.entries(details || {}).filter(([k]) => !(/_fen$/.test(k) && (k.slice(0, -4) in details)));
    if (!entries.length) return "—";
    return el("dl", { class: "audit-details", "data-testid": "audit-details" }, entries.map(([key, value]) =>
      el("div", {}, el("dt", {}, detailLabel(key)), el("dd", {}, key === "changes" && value && typeof value === "object" ? changesList(value) : valueText(key, value)))));
  }

  function auditRow(r) {
    return el(
      "tr",
      { "data-testid": "audit-row", dataset: { action: r.action } },
      el("td", { class: "nowrap" }, atOperator(r.at)),
      el("td", { "data-testid": "audit-sentence" }, t("audit_sentence", { actor: actorOf(r), action: actionWords(r.action) })),
      el("td", {}, subjectOf(r)),
      el("td", { class: "details-cell" }, detailsOf(r.details)),
      el("td", { class: "mono" }, r.ip || ""),
    );
  }

  async function fillFilters(form) {
    const data = await VP.api("GET", "/api/v1/console/audit/filters");
    const actor = form.elements.actor_id;
    data.staff.forEach((s) => actor.append(el("option", { value: s.id }, s.username + (s.display_name && s.display_name !== s.username ? "（" + s.display_name + "）" : ""))));
    const action = form.elements.action;
    data.actions
      .map((code) => [code, actionWords(code)])
      .sort((a, b) => a[1].localeCompare(b[1], VP.lang))
      .forEach(([code, words]) => action.append(el("option", { value: code }, words)));
  }

  function initAudit() {
    const form = $("#audit-filter");
    const limit = 50;
    const load = async (offset) => {
      const v = formValues(form);
      const params = { actor_type: v.actor_id ? "staff" : "", actor_id: v.actor_id, action: v.action, date_from: v.date_from, date_to: v.date_to, offset, limit };
      const data = await VP.api("GET", "/api/v1/console/audit" + query(params));
      fillTable($("[data-testid=audit-table]"), data.items, auditRow);
      $("[data-testid=audit-table]").setAttribute("aria-busy", "false");
      renderPager($("[data-pager]"), data.total, offset, limit, (next) => load(next).catch(handlePageError));
    };
    VP.ui.onSubmit(form, async () => load(0));
    form.addEventListener("reset", () => setTimeout(() => load(0).catch(handlePageError)));
    Promise.all([fillFilters(form), loadProducts()]).then(() => load(0)).catch(handlePageError);
  }

  // -- the subscriber page: one history (audit records and account events) -----------------------------
  function historyRow(h) {
    const by = h.source === "audit" ? actorOf(h) : t("audit_actor_system");
    return el(
      "tr",
      { "data-testid": "history-row", dataset: { source: h.source, action: h.action } },
      el("td", { class: "nowrap" }, atOperator(h.at)),
      el("td", {}, h.source === "audit" ? actionWords(h.action) : labelOf("account_event_", h.action)),
      el("td", {}, by),
      el("td", { class: "details-cell" }, detailsOf(h.details)),
    );
  }

  VP.pages["console-audit"] = initAudit;
  VP.ui.auditHistoryRow = historyRow;
  VP.ui.auditNames = loadProducts;
})();
