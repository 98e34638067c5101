/* Portal: file a billing dispute about a bill or one of its calls, and follow the answers.
 * Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, mmss } = VP.ui;
  let disputable = null;

  function day(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(VP.lang, { dateStyle: "medium" });
  }

  function stateBadges(d) {
    const out = [el("span", { class: "badge state-" + d.state, "data-testid": "dispute-state", dataset: { state: d.state } }, labelOf("dispute_state_", d.state))];
    if (d.overdue) out.push(" ", el("span", { class: "badge overdue", "data-testid": "dispute-overdue" }, t("disputes_overdue")));
    return out;
  }

  function subject(d) {
    return d.call_id ? t("disputes_subject_call", { number: d.call_number }) : t("disputes_subject_bill");
  }

  function answer(d) {
    if (d.state === "adjusted") return t("disputes_answer_credit", { credit: d.credit, explanation: d.resolution });
    if (d.state === "rejected") return t("disputes_answer_rejected", { explanation: d.resolution });
    return t("disputes_answer_pending");
  }

  function disputeRow(d) {
    return el(
      "tr",
      { "data-testid": "dispute-row", dataset: { id: d.id, state: d.state } },
      el("td", { class: "num" }, "#" + d.id),
      el("td", {}, d.bill_period, el("br"), el("span", { class: "mono small muted" }, d.bill_number)),
      el("td", { class: "wrap" }, subject(d)),
      el("td", { class: "num" }, "¥" + d.amount),
      el("td", {}, stateBadges(d)),
      el("td", {}, day(d.due_at)),
      el("td", { class: "wrap", "data-testid": "dispute-answer" }, answer(d)),
    );
  }

  async function loadDisputes() {
    const table = $("[data-testid=disputes-table]");
    const data = await VP.api("GET", "/api/v1/me/disputes");
    fillTable(table, data.items, disputeRow);
    setBusy(table, false);
  }

  function maxFor(callId) {
    if (!disputable) return "";
    if (!callId) return disputable.new_charges;
    const call = disputable.calls.find((c) => c.call_id === callId);
    return call ? call.amount : "";
  }

  function updateHint() {
    const form = $("#dispute-form");
    $("[data-testid=dispute-amount-hint]").textContent = t("disputes_amount_hint", { max: maxFor(form.elements.call_id.value) });
  }

  async function loadDisputable(billId, wantedCall) {
    const form = $("#dispute-form");
    const select = form.elements.call_id;
    disputable = await VP.api("GET", "/api/v1/me/bills/" + encodeURIComponent(billId) + "/disputable");
    const open = (id) => (id ? t("disputes_already_open_mark") : "");
    select.replaceChildren(
      el("option", { value: "" }, t("disputes_whole_bill", { amount: disputable.new_charges }) + open(disputable.open_dispute_id)),
      ...disputable.calls.map((c) =>
        el(
          "option",
          { value: c.call_id },
          t("disputes_call_option", { time: formatDate(c.started_at), number: c.callee_number, duration: mmss(c.billable_seconds), amount: c.amount }) + open(c.open_dispute_id),
        ),
      ),
    );
    if (wantedCall && disputable.calls.some((c) => c.call_id === wantedCall)) select.value = wantedCall;
    updateHint();
  }

  async function loadBills() {
    const form = $("#dispute-form");
    const data = await VP.api("GET", "/api/v1/me/bills");
    if (!data.items.length) {
      form.hidden = true;
      $("[data-testid=disputes-no-bills]").hidden = false;
      return;
    }
    const select = form.elements.bill_id;
    select.replaceChildren(
      ...data.items.map((b) => el("option", { value: b.id }, t("disputes_bill_option", { period: b.period, number: b.number, amount: b.new_charges }))),
    );
    const params = new URLSearchParams(location.search);
    const wanted = params.get("bill");
    if (wanted && data.items.some((b) => String(b.id) === wanted)) select.value = wanted;
    await loadDisputable(select.value, params.get("call"));
  }

  function init() {
    const form = $("#dispute-form");
    form.elements.bill_id.addEventListener("change", () => loadDisputable(form.elements.bill_id.value).catch(handlePageError));
    form.elements.call_id.addEventListener("change", updateHint);
    onSubmit(form, async () => {
      const values = formValues(form);
      const amount = values.amount_yuan.trim();
      const created = await VP.api("POST", "/api/v1/me/disputes", {
        bill_id: Number(values.bill_id),
        call_id: values.call_id || null,
        amount_yuan: amount === "" ? null : amount,
        reason: values.reason.trim(),
      });
      form.elements.amount_yuan.value = "";
      form.elements.reason.value = "";
      await Promise.all([loadDisputes(), loadDisputable(values.bill_id, values.call_id)]);
      const done = $("[data-form-success]", form);
      done.textContent = t("disputes_submitted", { id: created.id, due: day(created.due_at) });
      done.hidden = false;
    });
    loadBills().catch(handlePageError);
    loadDisputes().catch(handlePageError);
  }

  VP.pages.disputes = init;
})();
