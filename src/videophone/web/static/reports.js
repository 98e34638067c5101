/* Console: harassment report queue. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;
  let current = null;

  function stateBadge(state, testid) {
    return el("span", { class: "badge state-" + state, "data-testid": testid || "report-state", dataset: { state } }, labelOf("report_state_", state));
  }

  /** A party of a report: the number, and a link to the subscriber when the number is one. */
  function party(number, id, name, testid) {
    const nodes = [el("span", { class: "mono" }, number)];
    if (id !== null && id !== undefined) {
      nodes.push(" ", el("a", { href: "/console/subscribers/" + id, "data-testid": testid }, name || "#" + id));
    } else {
      nodes.push(" ", el("span", { class: "muted small" }, t("reports_not_subscriber")));
    }
    return nodes;
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function reportRow(r) {
    return el(
      "tr",
      { "data-testid": "report-row", dataset: { id: r.id, number: r.reported_number, state: r.state } },
      el("td", { class: "num" }, "#" + r.id),
      el("td", {}, party(r.reported_number, r.reported_id, r.reported_name, "report-reported-link")),
      el("td", {}, party(r.reporter_number, r.reporter_id, r.reporter_name, "report-reporter-link")),
      el("td", { class: "wrap" }, shorten(r.description, 80)),
      el("td", {}, stateBadge(r.state)),
      el("td", {}, formatDate(r.created_at)),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "report-open", dataset: { id: r.id } }, t("reports_open"))),
    );
  }

  async function loadReports(from) {
    offset = from === undefined ? offset : from;
    const values = formValues($("#reports-filter"));
    const table = $("[data-testid=reports-table]");
    const data = await VP.api("GET", "/api/v1/console/reports" + query({ state: values.state, number: values.number.trim(), offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, reportRow);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => loadReports(next).catch(handlePageError));
  }

  function showDetail(r) {
    current = r;
    const root = $("[data-testid=report-detail]");
    bind(root, {
      id_label: "#" + r.id,
      description: r.description,
      call_id_label: r.call_id || "—",
      reports_against_number: r.reports_against_number,
      created_at_label: formatDate(r.created_at),
      updated_at_label: formatDate(r.updated_at),
      handled_by_label: r.handled_by === null ? "—" : "#" + r.handled_by,
      resolution_label: r.resolution || "—",
    });
    const badge = $("[data-testid=report-detail-state]", root);
    badge.className = "badge state-" + r.state;
    badge.dataset.state = r.state;
    badge.textContent = labelOf("report_state_", r.state);
    $("[data-testid=report-detail-reported]", root).replaceChildren(...party(r.reported_number, r.reported_id, r.reported_name, "detail-reported-link"));
    $("[data-testid=report-detail-reporter]", root).replaceChildren(...party(r.reporter_number, r.reporter_id, r.reporter_name, "detail-reporter-link"));
    const form = $("#report-handle-form");
    $$("button[name=action]", form).forEach((button) => {
      button.hidden = !r.allowed_actions.includes(button.value);
    });
    const closed = r.allowed_actions.length === 0;
    form.elements.resolution.closest(".field").hidden = closed;
    $("[data-testid=report-closed-note]", form).hidden = !closed;
    root.hidden = false;
  }

  async function openReport(id) {
    const r = await VP.api("GET", "/api/v1/console/reports/" + encodeURIComponent(id));
    const form = $("#report-handle-form");
    form.reset();
    $$("[data-form-alert], [data-form-success]", form).forEach((node) => (node.hidden = true));
    $$("[data-error-for]", form).forEach((node) => (node.textContent = ""));
    showDetail(r);
    $("#h-report-detail").focus();
  }

  function init() {
    const filter = $("#reports-filter");
    filter.addEventListener("submit", (event) => {
      event.preventDefault();
      loadReports(0).catch(handlePageError);
    });
    $("[data-testid=reports-table]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=report-open]");
      if (button) openReport(button.dataset.id).catch(handlePageError);
    });
    $("[data-testid=report-close]").addEventListener("click", () => {
      $("[data-testid=report-detail]").hidden = true;
      current = null;
    });
    const form = $("#report-handle-form");
    onSubmit(form, async (event, submitter) => {
      if (!current || !submitter) return;
      const values = formValues(form);
      const r = await VP.api("POST", "/api/v1/console/reports/" + encodeURIComponent(current.id) + "/handle", {
        action: submitter.value,
        resolution: values.resolution.trim(),
      });
      form.reset();
      showDetail(Object.assign({}, r, { reports_against_number: current.reports_against_number }));
      const success = $("[data-form-success]", form);
      success.textContent = t("reports_handled");
      success.hidden = false;
      await loadReports();
    });
    const params = new URLSearchParams(location.search);
    if (params.get("state")) filter.elements.state.value = params.get("state");
    loadReports(0).catch(handlePageError);
    if (params.get("report")) openReport(params.get("report")).catch(handlePageError);
  }

  VP.pages["console-reports"] = init;
})();
