/* Console: bill runs, bill search, bill detail and adjustments. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;
  let current = null;

  const yuan = (value) => "¥" + value;

  /** The month before the operator's today (the server's calendar, not the browser's clock). */
  function lastMonth() {
    const [year, month] = VP.operator.today.split("-").map(Number);
    const y = month === 1 ? year - 1 : year;
    const m = month === 1 ? 12 : month - 1;
    return y + "-" + String(m).padStart(2, "0");
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function runRow(run) {
    return el(
      "tr",
      { "data-testid": "bill-run-row", dataset: { id: run.id, period: run.period, state: run.state } },
      el("td", { class: "num" }, "#" + run.id),
      el("td", {}, run.period),
      el("td", {}, el("span", { class: "badge state-" + run.state, "data-testid": "bill-run-state" }, labelOf("run_state_", run.state))),
      el("td", { class: "num" }, run.accounts),
      el("td", { class: "num", "data-testid": "bill-run-created" }, run.bills_created),
      el("td", {}, formatDate(run.started_at)),
      el("td", {}, formatDate(run.finished_at) || "—"),
    );
  }

  async function loadRuns() {
    const table = $("[data-testid=bill-runs-table]");
    const data = await VP.api("GET", "/api/v1/console/bill-runs");
    fillTable(table, data.items, runRow);
    setBusy(table, false);
  }

  function billRow(bill) {
    return el(
      "tr",
      { "data-testid": "console-bill-row", dataset: { id: bill.id, period: bill.period } },
      el("td", { class: "mono" }, bill.number),
      el("td", {}, el("span", { class: "mono" }, bill.subscriber_number), " ", bill.subscriber_name),
      el("td", {}, bill.period),
      el("td", { class: "num" }, bill.total_due_text),
      el("td", {}, bill.due_date),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "console-bill-open", dataset: { id: bill.id } }, t("bills_open"))),
    );
  }

  async function loadBills(from) {
    offset = from === undefined ? offset : from;
    const values = formValues($("#bills-search"));
    const table = $("[data-testid=console-bills-table]");
    const data = await VP.api("GET", "/api/v1/console/bills" + query({ number: values.number.trim(), period: values.period.trim(), offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, billRow);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => loadBills(next).catch(handlePageError));
  }

  function lineRow(line) {
    return el(
      "tr",
      { "data-testid": "console-bill-line", dataset: { kind: line.kind } },
      el("td", { class: "wrap" }, line.description || labelOf("bill_line_", line.kind)),
      el("td", {}, line.quantity),
      el("td", { class: "num" }, yuan(line.amount)),
    );
  }

  async function openBill(id) {
    const bill = await VP.api("GET", "/api/v1/console/bills/" + encodeURIComponent(id));
    current = bill;
    const root = $("[data-testid=console-bill-detail]");
    bind(root, Object.assign({}, bill, {
      issued_label: formatDate(bill.issued_at),
      previous_label: yuan(bill.previous_balance),
      payments_label: yuan(bill.payments),
      new_charges_label: yuan(bill.new_charges),
    }));
    const link = $("[data-testid=console-bill-subscriber]", root);
    link.href = "/console/subscribers/" + bill.subscriber_id;
    link.textContent = bill.subscriber_number + " " + bill.subscriber_name;
    fillTable($("[data-testid=console-bill-lines]", root), bill.lines, lineRow);
    const form = $("#adjust-form");
    form.dataset.key = uuid();
    root.hidden = false;
    $("#h-cbill").focus();
  }

  function init() {
    const runForm = $("#bill-run-form");
    runForm.elements.period.value = lastMonth();
    onSubmit(runForm, async () => {
      const summary = await VP.api("POST", "/api/v1/console/bill-runs", { period: formValues(runForm).period.trim() });
      const result = $("[data-testid=bill-run-result]");
      result.textContent = t("cbills_run_done", { period: summary.period, created: summary.bills_created, already: summary.already_billed });
      result.hidden = false;
      $("#bills-search").elements.period.value = summary.period;
      await Promise.all([loadRuns(), loadBills(0)]);
    });
    onSubmit($("#bills-search"), async () => loadBills(0));
    $("[data-testid=console-bills-table]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=console-bill-open]");
      if (button) openBill(button.dataset.id).catch(handlePageError);
    });
    const adjust = $("#adjust-form");
    onSubmit(adjust, async () => {
      if (!current) return;
      const values = formValues(adjust);
      // One key per intended posting: a double click or a retry posts once.
      const key = adjust.dataset.key || uuid();
      adjust.dataset.key = key;
      const done = await VP.api(
        "POST",
        "/api/v1/console/subscribers/" + encodeURIComponent(current.subscriber_id) + "/adjustments",
        { kind: values.kind, amount_yuan: values.amount_yuan.trim(), reason: values.reason.trim() },
        { "Idempotency-Key": key },
      );
      adjust.reset();
      adjust.dataset.key = uuid();
      const result = $("[data-testid=adjust-result]");
      result.textContent = t("cbills_adjust_done", { amount: done.amount_yuan, balance: done.balance_yuan });
      result.hidden = false;
    });
    loadRuns().catch(handlePageError);
    loadBills(0).catch(handlePageError);
  }

  VP.pages["console-bills"] = init;
})();
