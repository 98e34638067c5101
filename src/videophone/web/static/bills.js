/* Portal: month-to-date usage and the subscriber's bills. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, setBusy, handlePageError, labelOf } = VP.ui;

  const yuan = (value) => "¥" + value;

  function lineRow(line) {
    return el(
      "tr",
      { "data-testid": "bill-line", dataset: { kind: line.kind } },
      el("td", { class: "wrap" }, line.description || labelOf("bill_line_", line.kind)),
      el("td", {}, line.quantity),
      el("td", { class: "num", "data-testid": "bill-line-amount" }, yuan(line.amount)),
    );
  }

  function billValues(bill) {
    return Object.assign({}, bill, {
      issued_label: formatDate(bill.issued_at),
      previous_label: yuan(bill.previous_balance),
      payments_label: yuan(bill.payments),
      new_charges_label: yuan(bill.new_charges),
    });
  }

  async function openBill(id) {
    const bill = await VP.api("GET", "/api/v1/me/bills/" + encodeURIComponent(id));
    const root = $("[data-testid=bill-detail]");
    bind(root, billValues(bill));
    fillTable($("[data-testid=bill-lines]", root), bill.lines, lineRow);
    const pdf = $("[data-testid=bill-pdf]", root);
    pdf.href = "/api/v1/me/bills/" + encodeURIComponent(bill.id) + ".pdf";
    pdf.setAttribute("download", bill.number + ".pdf");
    $("[data-testid=bill-dispute]", root).href = "/disputes?bill=" + encodeURIComponent(bill.id);
    root.hidden = false;
    $("#h-bill-detail").focus();
  }

  // Payments: a bill is paid when nothing of its charges remains (oldest debt first).
  function payCell(status) {
    if (!status) return el("td", {});
    if (status.paid) return el("td", {}, el("span", { class: "badge state-verified", "data-testid": "bill-paid" }, t("pay_bill_paid")));
    const pay = el("button", { type: "button", class: "button small primary", "data-testid": "bill-pay", dataset: { id: status.bill_id, amount: status.remaining } }, t("pay_bill_pay", { amount: yuan(status.remaining) }));
    return el("td", {}, pay);
  }

  async function payBill(button) {
    button.disabled = true;
    try {
      const created = await VP.api("POST", "/api/v1/me/payments", { amount_yuan: button.dataset.amount, bill_id: Number(button.dataset.id) });
      location.assign(created.redirect_url);
    } catch (error) {
      button.disabled = false;
      handlePageError(error);
    }
  }

  function billRow(bill, status) {
    return el(
      "tr",
      { "data-testid": "bill-row", dataset: { id: bill.id, period: bill.period, paid: status && status.paid ? "true" : "false" } },
      el("td", {}, bill.period),
      el("td", { class: "mono" }, bill.number),
      el("td", { class: "num", "data-testid": "bill-row-total" }, bill.total_due_text),
      el("td", {}, bill.due_date),
      payCell(status),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "bill-open", dataset: { id: bill.id } }, t("bills_open"))),
    );
  }

  async function loadUsage() {
    const usage = await VP.api("GET", "/api/v1/me/usage");
    bind($("[data-testid=usage]"), {
      period: usage.period,
      calls: usage.calls,
      minutes: usage.minutes,
      usage_label: yuan(usage.usage),
      included_left_label: Math.floor(usage.included_left_seconds / 60) + " / " + Math.floor(usage.included_seconds / 60),
    });
  }

  async function loadBills() {
    const table = $("[data-testid=bills-table]");
    const [data, payments] = await Promise.all([VP.api("GET", "/api/v1/me/bills"), VP.api("GET", "/api/v1/me/payments")]);
    const statuses = new Map(payments.bills.map((b) => [String(b.bill_id), b]));
    fillTable(table, data.items, (bill) => billRow(bill, statuses.get(String(bill.id))));
    setBusy(table, false);
  }

  function init() {
    $("[data-testid=bills-table]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=bill-open]");
      if (button) openBill(button.dataset.id).catch(handlePageError);
      const pay = event.target.closest("[data-testid=bill-pay]");
      if (pay) payBill(pay);
    });
    $("[data-testid=bill-close]").addEventListener("click", () => {
      $("[data-testid=bill-detail]").hidden = true;
    });
    loadUsage().catch(handlePageError);
    loadBills().catch(handlePageError);
  }

  VP.pages.bills = init;
})();
