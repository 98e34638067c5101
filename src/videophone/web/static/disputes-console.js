/* Console: the billing dispute queue — deadlines, overdue ones marked, the evidence (bill, call
 * records, quality, rating) and the decision. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager, mmss, num } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;
  let current = null;

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

  function queueRow(d) {
    return el(
      "tr",
      { "data-testid": "dispute-row", class: d.overdue ? "overdue" : null, dataset: { id: d.id, state: d.state, overdue: d.overdue ? "true" : "false" } },
      el("td", { class: "num" }, "#" + d.id),
      el("td", {}, el("span", { class: "mono" }, d.subscriber_number), " ", d.subscriber_name),
      el("td", {}, d.bill_period, el("br"), el("span", { class: "mono small muted" }, d.bill_number)),
      el("td", { class: "wrap" }, subject(d)),
      el("td", { class: "num" }, "¥" + d.amount),
      el("td", {}, stateBadges(d)),
      el("td", { class: "nowrap" }, formatDate(d.due_at)),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "dispute-open", dataset: { id: d.id } }, t("cdisputes_open"))),
    );
  }

  async function loadQueue(from) {
    offset = from === undefined ? offset : from;
    const values = formValues($("#disputes-filter"));
    const table = $("[data-testid=disputes-queue]");
    const data = await VP.api("GET", "/api/v1/console/disputes" + query({ state: values.state, number: values.number.trim(), offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, queueRow);
    setBusy(table, false);
    $("[data-testid=disputes-summary]").textContent = t("cdisputes_summary", { open: data.open, overdue: data.overdue });
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => loadQueue(next).catch(handlePageError));
  }

  function dl(rows) {
    return el("dl", { class: "details" }, rows.map(([label, value, testid]) =>
      el("div", {}, el("dt", {}, label), el("dd", testid ? { "data-testid": testid } : {}, value))));
  }

  function quality(title, view, testid) {
    const s = view.summary;
    return el(
      "div",
      { "data-testid": testid },
      el("h4", {}, title),
      dl([
        [t("hist_quality"), [el("span", { class: "badge grade-" + view.assessment, "data-testid": "quality-grade", dataset: { grade: view.assessment } }, labelOf("hist_q_", view.assessment)),
          view.issues.length ? " " + view.issues.map((i) => t("hist_q_issue_" + i)).join(" · ") : ""]],
        [t("hist_q_rtt"), s.rtt_avg_ms === null ? "—" : t("hist_q_avg_max", { avg: num(s.rtt_avg_ms) + " ms", max: num(s.rtt_max_ms) + " ms" })],
        [t("hist_q_loss"), s.loss_avg_pct === null ? "—" : t("hist_q_avg_max", { avg: num(s.loss_avg_pct, 2) + " %", max: num(s.loss_max_pct, 2) + " %" })],
        [t("hist_q_fps"), s.fps_avg === null ? "—" : t("hist_q_avg_min", { avg: num(s.fps_avg, 1), min: num(s.fps_min, 1) })],
        [t("hist_q_samples"), num(s.samples)],
      ]),
    );
  }

  function callEvidence(c) {
    const rating = c.charge === null
      ? t("cdisputes_not_rated")
      : t("cdisputes_rating_text", { rated: c.rated_seconds, included: c.included_seconds, charged: c.charged_seconds, amount: c.charge });
    const times = [formatDate(c.started_at), c.answered_at ? formatDate(c.answered_at) : "—", c.ended_at ? formatDate(c.ended_at) : "—"].join(" / ");
    return el(
      "div",
      { class: "evidence", "data-testid": "dispute-call", dataset: { id: c.id } },
      dl([
        [t("cdisputes_call_parties"), el("span", { class: "mono" }, c.caller_number + " → " + c.callee_number)],
        [t("cdisputes_call_times"), times],
        [t("hist_duration"), mmss(c.billable_seconds), "dispute-call-duration"],
        [t("cdisputes_call_end"), (c.outcome ? labelOf("hist_outcome_", c.outcome) : "—") + " · " + (c.end_reason ? labelOf("hist_reason_", c.end_reason) : "—"), "dispute-call-end"],
        [t("cdisputes_call_node"), el("span", { class: "mono" }, c.node_id + (c.node_address ? " (" + c.node_address + ")" : ""))],
        [t("cdisputes_call_rating"), rating, "dispute-call-rating"],
      ]),
      el("div", { class: "grid-2" }, quality(t("cdisputes_quality_caller"), c.quality.caller, "quality-caller"), quality(t("cdisputes_quality_callee"), c.quality.callee, "quality-callee")),
    );
  }

  function showDetail(d) {
    current = d;
    const root = $("[data-testid=dispute-detail]");
    bind(root, {
      id_label: "#" + d.id,
      subject: subject(d),
      amount_label: "¥" + d.amount,
      reason: d.reason,
      opened_label: formatDate(d.opened_at),
      answer: answer(d),
      bill_number: d.bill.number,
      bill_period: d.bill.period,
      bill_total: d.bill.total_due_text,
    });
    $("[data-testid=dispute-detail-state]", root).replaceChildren(...stateBadges(d));
    const who = $("[data-testid=dispute-detail-subscriber]", root);
    who.textContent = d.subscriber_number + " " + d.subscriber_name;
    who.href = "/console/subscribers/" + d.subscriber_id;
    $("[data-testid=dispute-detail-deadline]", root).replaceChildren(formatDate(d.due_at), ...(d.overdue ? [" ", el("span", { class: "badge overdue" }, t("disputes_overdue"))] : []));
    fillTable($("[data-testid=dispute-bill-lines]", root), d.bill.lines, (line) =>
      el("tr", { "data-testid": "dispute-bill-line", dataset: { kind: line.kind } },
        el("td", { class: "wrap" }, line.description), el("td", {}, line.quantity), el("td", { class: "num" }, "¥" + line.amount)));
    const calls = $("[data-testid=dispute-calls]", root);
    calls.replaceChildren(...(d.calls.length ? d.calls.map(callEvidence) : [el("p", { class: "muted" }, t("cdisputes_no_calls"))]));
    const form = $("#dispute-decision");
    const open = d.state === "open";
    $$("[data-open-only]", form).forEach((node) => (node.hidden = !open));
    $("[data-testid=dispute-decided-note]", form).hidden = open;
    $("[data-testid=decision-credit-hint]", form).textContent = t("cdisputes_credit_hint", { max: d.amount });
    root.hidden = false;
  }

  function resetForm(form) {
    form.reset();
    $$("[data-form-alert], [data-form-success]", form).forEach((node) => (node.hidden = true));
    $$("[data-error-for]", form).forEach((node) => (node.textContent = ""));
  }

  async function openDispute(id) {
    const d = await VP.api("GET", "/api/v1/console/disputes/" + encodeURIComponent(id));
    resetForm($("#dispute-decision"));
    showDetail(d);
    $("#h-dispute-detail").focus();
  }

  function init() {
    const filter = $("#disputes-filter");
    filter.addEventListener("submit", (event) => {
      event.preventDefault();
      loadQueue(0).catch(handlePageError);
    });
    $("[data-testid=disputes-queue]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=dispute-open]");
      if (button) openDispute(button.dataset.id).catch(handlePageError);
    });
    $("[data-testid=dispute-close]").addEventListener("click", () => {
      $("[data-testid=dispute-detail]").hidden = true;
      current = null;
    });
    const form = $("#dispute-decision");
    onSubmit(form, async (event, submitter) => {
      if (!current || !submitter) return;
      const values = formValues(form);
      const base = "/api/v1/console/disputes/" + encodeURIComponent(current.id);
      const d = submitter.value === "adjust"
        ? await VP.api("POST", base + "/adjust", { credit_yuan: values.credit_yuan.trim(), explanation: values.explanation.trim() })
        : await VP.api("POST", base + "/reject", { explanation: values.explanation.trim() });
      form.reset();
      showDetail(d);
      const done = $("[data-form-success]", form);
      done.textContent = t("cdisputes_done");
      done.hidden = false;
      await loadQueue();
    });
    const params = new URLSearchParams(location.search);
    if (params.get("state")) filter.elements.state.value = params.get("state");
    loadQueue(0).catch(handlePageError);
    if (params.get("dispute")) openDispute(params.get("dispute")).catch(handlePageError);
  }

  VP.pages["console-disputes"] = init;
})();
