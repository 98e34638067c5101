/* Portal: pay online through the payment gateway, the result on return, and the payment history.
 * Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf } = VP.ui;
  const POLL_MS = 1000;
  const POLL_LIMIT = 90; // then the page says the result is late (reconciliation will settle it)

  const yuan = (value) => "¥" + value;

  /** Start a payment and send the browser to the gateway's pay page (also used by the bills page). */
  async function startPayment(amountYuan, billId) {
    const body = { amount_yuan: amountYuan };
    if (billId) body.bill_id = Number(billId);
    const created = await VP.api("POST", "/api/v1/me/payments", body);
    location.assign(created.redirect_url);
  }
  VP.startPayment = startPayment;

  function historyRows(data) {
    const rows = data.payments.map((p) => ({ at: p.received_at, kind: "payment", method: p.method, amount: p.amount, ref: p.receipt_no || p.intent_id || "" }));
    data.refunds.forEach((r) => rows.push({ at: r.created_at, kind: "refund", method: r.method, amount: "-" + r.amount, ref: r.reason }));
    rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return rows;
  }

  function historyRow(row) {
    return el(
      "tr",
      { "data-testid": "payment-row", dataset: { kind: row.kind, method: row.method } },
      el("td", { class: "nowrap" }, formatDate(row.at)),
      el("td", {}, labelOf("pay_kind_", row.kind)),
      el("td", {}, labelOf("pay_method_", row.method)),
      el("td", { class: "num", "data-testid": "payment-row-amount" }, yuan(row.amount)),
      el("td", { class: "mono wrap" }, row.ref),
    );
  }

  function intentRow(intent) {
    return el(
      "tr",
      { "data-testid": "intent-row", dataset: { id: intent.id, state: intent.state } },
      el("td", { class: "nowrap" }, formatDate(intent.created_at)),
      el("td", { class: "num" }, yuan(intent.amount)),
      el("td", {}, el("span", { class: "badge state-" + intent.state }, labelOf("pay_state_", intent.state))),
    );
  }

  async function load() {
    const data = await VP.api("GET", "/api/v1/me/payments");
    bind($("[data-testid=payments-summary]"), { owed_label: yuan(data.owed), credit_label: yuan(data.credit) });
    const amount = $("[data-testid=pay-amount]");
    if (!amount.value && Number(data.owed) > 0) amount.value = data.owed;
    const table = $("[data-testid=payments-table]");
    fillTable(table, historyRows(data), historyRow);
    setBusy(table, false);
    const intents = $("[data-testid=intents-table]");
    fillTable(intents, data.intents, intentRow);
    setBusy(intents, false);
  }

  function showResult(intent) {
    const panel = $("[data-testid=payment-result]");
    panel.hidden = false;
    panel.dataset.state = intent.state;
    const text = intent.state === "paid" ? t("pay_result_paid", { amount: intent.amount }) : t("pay_result_" + intent.state);
    $("[data-testid=payment-result-text]").textContent = text;
  }

  /** Back from the gateway: poll the intent until the notification has settled it. */
  async function followIntent(id) {
    for (let i = 0; i < POLL_LIMIT; i += 1) {
      const intent = await VP.api("GET", "/api/v1/me/payments/" + encodeURIComponent(id));
      showResult(intent);
      if (intent.state !== "pending") {
        await load();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    $("[data-testid=payment-result-text]").textContent = t("pay_result_slow");
  }

  function init() {
    const form = $("#pay-form");
    onSubmit(form, async () => {
      await startPayment(formValues(form).amount_yuan.trim());
    });
    const params = new URLSearchParams(location.search);
    load().catch(handlePageError);
    if (params.get("intent")) followIntent(params.get("intent")).catch(handlePageError);
  }

  VP.pages.payments = init;
})();
