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
    root.hidden = false;
    $("#h-bill-detail").focus();
  }

  function billRow(bill) {
    return el(
      "tr",
      { "data-testid": "bill-row", dataset: { id: bill.id, period: bill.period } },
      el("td", {}, bill.period),
      el("td", { class: "mono" }, bill.number),
      el("td", { class: "num", "data-testid": "bill-row-total" }, bill.total_due_text),
      el("td", {}, bill.due_date),
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
    const data = await VP.api("GET", "/api/v1/me/bills");
    fillTable(table, data.items, billRow);
    setBusy(table, false);
  }

  function init() {
    $("[data-testid=bills-table]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=bill-open]");
      if (button) openBill(button.dataset.id).catch(handlePageError);
    });
    $("[data-testid=bill-close]").addEventListener("click", () => {
      $("[data-testid=bill-detail]").hidden = true;
    });
    loadUsage().catch(handlePageError);
    loadBills().catch(handlePageError);
  }

  VP.pages.bills = init;
})();
