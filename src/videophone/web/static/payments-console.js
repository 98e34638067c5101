/* Console: counter payments, refunds of credit, recent payments and the gateway notification log.
 * Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query } = VP.ui;
  let account = null;

  const yuan = (value) => "¥" + value;
  const fen = (value) => (value === null || value === undefined ? "—" : yuan((value / 100).toFixed(2)));

  function arrival(p) {
    return el("span", { class: "badge" + (p.late ? " arrival-late" : ""), "data-testid": "cpay-arrival" }, labelOf("pay_arrival_", p.arrival));
  }

  function paymentRow(p) {
    return el(
      "tr",
      { "data-testid": "cpay-payment-row", dataset: { method: p.method, arrival: p.arrival } },
      el("td", { class: "nowrap" }, formatDate(p.received_at)),
      el("td", { class: "mono" }, p.subscriber_number),
      el("td", {}, labelOf("pay_method_", p.method)),
      el("td", {}, arrival(p)),
      el("td", { class: "num" }, yuan(p.amount)),
      el("td", { class: "mono wrap" }, p.receipt_no || p.intent_id || ""),
    );
  }

  function lateRow(p) {
    return el(
      "tr",
      { "data-testid": "cpay-late-row", dataset: { arrival: p.arrival } },
      el("td", { class: "nowrap" }, formatDate(p.received_at)),
      el("td", { class: "mono" }, p.subscriber_number),
      el("td", {}, arrival(p)),
      el("td", { class: "num" }, yuan(p.amount)),
      el("td", { class: "mono" }, p.intent_id || ""),
      el("td", { class: "mono wrap" }, p.gateway_trade_no || ""),
    );
  }

  function pendingRow(i) {
    return el(
      "tr",
      { "data-testid": "cpay-pending-row" },
      el("td", { class: "nowrap" }, formatDate(i.created_at)),
      el("td", { class: "mono" }, i.subscriber_number),
      el("td", { class: "mono" }, i.id),
      el("td", { class: "num" }, yuan(i.amount)),
    );
  }

  function logRow(n) {
    return el(
      "tr",
      { "data-testid": "cpay-log-row", dataset: { outcome: n.outcome } },
      el("td", { class: "nowrap" }, formatDate(n.received_at)),
      el("td", { class: "mono" }, n.intent_id || "—"),
      el("td", { "data-testid": "cpay-log-status" }, n.status ? labelOf("cpay_status_", n.status) : "—"),
      el("td", { class: "num" }, fen(n.amount_fen)),
      el("td", {}, t(n.signature_ok ? "cpay_signature_ok" : "cpay_signature_bad")),
      el("td", {}, el("span", { class: "badge outcome-" + n.outcome }, labelOf("cpay_outcome_", n.outcome))),
      el("td", { class: "mono" }, n.remote || ""),
    );
  }

  function showAccount(sub) {
    account = sub;
    const card = $("[data-testid=cpay-account]");
    bind(card, Object.assign({}, sub, { balance_label: yuan(sub.balance), credit_label: yuan(sub.credit) }));
    card.hidden = false;
  }

  async function load(number) {
    const data = await VP.api("GET", "/api/v1/console/payments" + query({ number: number || "" }));
    if (data.subscriber) showAccount(data.subscriber);
    [
      ["cpay-payments", data.payments, paymentRow],
      ["cpay-late", data.late_confirmations, lateRow],
      ["cpay-pending", data.pending_intents, pendingRow],
      ["cpay-log", data.notifications, logRow],
    ].forEach(([id, items, rowOf]) => {
      const table = $("[data-testid=" + id + "]");
      fillTable(table, items, rowOf);
      setBusy(table, false);
    });
  }

  function init() {
    const lookup = $("#lookup-form");
    onSubmit(lookup, async () => {
      $("[data-testid=cpay-account]").hidden = true;
      account = null;
      await load(formValues(lookup).number.trim());
    });
    const counter = $("#counter-form");
    onSubmit(counter, async () => {
      const values = formValues(counter);
      const body = { amount_yuan: values.amount_yuan.trim(), method: values.method, receipt_no: values.receipt_no.trim(), note: values.note.trim() };
      if (values.received_at) body.received_at = values.received_at;
      const result = await VP.api("POST", "/api/v1/console/subscribers/" + encodeURIComponent(account.id) + "/payments", body);
      counter.reset();
      await load(account.number);
      VP.ui.$("[data-testid=cpay-counter-result]").textContent = t("cpay_recorded", { amount: result.amount, receipt: result.receipt_no, balance: result.balance });
      VP.ui.$("[data-testid=cpay-counter-result]").hidden = false;
    });
    const refund = $("#refund-form");
    onSubmit(refund, async () => {
      const values = formValues(refund);
      const result = await VP.api("POST", "/api/v1/console/subscribers/" + encodeURIComponent(account.id) + "/refunds", { amount_yuan: values.amount_yuan.trim(), method: values.method, reason: values.reason.trim() });
      refund.reset();
      await load(account.number);
      VP.ui.$("[data-testid=cpay-refund-result]").textContent = t("cpay_refunded", { amount: result.amount, balance: result.balance });
      VP.ui.$("[data-testid=cpay-refund-result]").hidden = false;
    });
    load("").catch(handlePageError);
  }

  VP.pages["console-payments"] = init;
})();
