/* Console: the arrears list and, on a subscriber's page, the section with their debts, open
 * restrictions and account history. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, setBusy, handlePageError, labelOf } = VP.ui;
  const yuan = (value) => "¥" + value;

  function stateLabel(state, reason) {
    const text = labelOf("service_", state) + (reason ? " · " + labelOf("account_reason_", reason) : "");
    const tone = state === "active" ? "state-verified" : state === "terminated" ? "state-rejected" : "state-pending";
    return el("span", { class: "badge " + tone, "data-testid": "service-state", dataset: { state: state } }, text);
  }

  // -- the arrears list -----------------------------------------------------------------------------
  function arrearsRow(row) {
    return el(
      "tr",
      { "data-testid": "arrears-row", dataset: { id: row.subscriber_id, bucket: row.bucket } },
      el("td", {}, el("a", { href: "/console/subscribers/" + encodeURIComponent(row.subscriber_id) }, row.number), el("div", { class: "muted small" }, row.name)),
      el("td", {}, stateLabel(row.service_state, row.service_reason)),
      el("td", { class: "num", "data-testid": "arrears-overdue" }, yuan(row.overdue_yuan)),
      el("td", { class: "num" }, yuan(row.late_fees_unpaid_yuan)),
      el("td", { class: "num" }, yuan(row.disputed_yuan)),
      el("td", {}, row.oldest_overdue_due || "—"),
      el("td", { class: "num" }, String(row.days_overdue)),
      el("td", {}, labelOf("arrears_bucket_", row.bucket)),
    );
  }

  async function loadArrears() {
    const table = $("[data-testid=arrears-table]");
    setBusy(table, true);
    const bucket = $("[data-testid=arrears-bucket]").value;
    const data = await VP.api("GET", "/api/v1/console/arrears" + (bucket ? "?bucket=" + encodeURIComponent(bucket) : ""));
    fillTable(table, data.items, arrearsRow);
    setBusy(table, false);
  }

  function initArrears() {
    const form = $("[data-testid=arrears-filter]");
    form.addEventListener("submit", (event) => event.preventDefault());
    $("[data-testid=arrears-bucket]").addEventListener("change", () => loadArrears().catch(handlePageError));
    loadArrears().catch(handlePageError);
  }

  VP.pages["console-arrears"] = initArrears;

  // -- the subscriber page's account section --------------------------------------------------------
  function billRow(bill) {
    let state = bill.settled ? t("account_bill_settled") : bill.overdue ? t("account_bill_overdue") : t("account_bill_open");
    if (bill.disputed_yuan !== "0.00") state += " · " + t("account_bill_disputed", { amount: bill.disputed_yuan });
    return el(
      "tr",
      { "data-testid": "account-bill", dataset: { id: bill.bill_id, settled: String(bill.settled), overdue: String(bill.overdue) } },
      el("td", { class: "mono" }, bill.number),
      el("td", {}, bill.due_date),
      el("td", { class: "num" }, yuan(bill.amount_yuan)),
      el("td", { class: "num" }, yuan(bill.remaining_yuan)),
      el("td", {}, state),
    );
  }

  async function loadAccount(root) {
    const id = root.dataset.subscriberId;
    let data;
    try {
      data = await VP.api("GET", "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/account");
    } catch (error) {
      if (error instanceof VP.ui.ApiError && error.status === 403) return; // no permission: stay hidden
      throw error;
    }
    const d = data.debts;
    bind(root, {
      balance: yuan(d.balance_yuan),
      credit: yuan(d.credit_yuan),
      overdue: yuan(d.overdue_yuan),
      late_fees: yuan(d.late_fees_unpaid_yuan),
      disputed: yuan(d.disputed_yuan),
      oldest_due: d.oldest_overdue_due || "—",
    });
    $("[data-testid=account-service-state]", root).replaceChildren(stateLabel(data.service_state, data.service_reason));
    const list = $("[data-testid=account-restrictions]", root);
    list.replaceChildren(
      ...(data.restrictions.length
        ? data.restrictions.map((r) =>
            el("li", { "data-testid": "account-restriction", dataset: { reason: r.reason } },
              labelOf("account_reason_", r.reason) + " · " + labelOf("account_scope_", r.scope) + " · " + formatDate(r.started_at)))
        : [el("li", { class: "muted" }, t("account_no_restrictions"))]),
    );
    fillTable($("[data-testid=account-bills]", root), d.bills, billRow);
    root.hidden = false;
    setBusy(root, false);
  }

  function initAccountSection() {
    const root = $("[data-testid=subscriber-account]");
    if (root) loadAccount(root).catch(handlePageError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAccountSection);
  else initAccountSection();
})();
