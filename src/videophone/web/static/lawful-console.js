"use strict";
/* Console: lawful suspension — legal staff record an authority's request (the account is
 * suspended both ways at once), list them with the reference, lift them. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;
  let lifting = null;

  function row(s) {
    const period = s.period_from + " – " + (s.period_to || t("lawful_until_lifted"));
    const state = [el("span", { class: "badge state-" + s.state, "data-testid": "lawful-state", dataset: { state: s.state } }, labelOf("lawful_state_", s.state))];
    if (s.lifted_at) state.push(el("div", { class: "small muted" }, t("enf_lifted_note", { at: formatDate(s.lifted_at), by: s.lifted_by || "—", reason: s.lift_reason })));
    return el(
      "tr",
      { "data-testid": "lawful-row", dataset: { id: s.id, state: s.state } },
      el("td", {}, "#" + s.id),
      el("td", {}, el("span", { class: "mono" }, s.subscriber_number), " ", s.subscriber_name),
      el("td", { class: "wrap" }, s.authority),
      el("td", { class: "wrap mono", "data-testid": "lawful-reference-cell" }, s.reference),
      el("td", { class: "nowrap" }, period),
      el("td", {}, state),
      el("td", { class: "nowrap" }, formatDate(s.recorded_at), el("br"), el("span", { class: "small muted" }, s.recorded_by)),
      el("td", {}, s.state === "active"
        ? el("button", { type: "button", class: "button small", "data-testid": "lawful-lift-open", dataset: { id: s.id } }, t("enf_lift"))
        : ""),
    );
  }

  async function loadList(from) {
    offset = from === undefined ? offset : from;
    const table = $("[data-testid=lawful-list]");
    const data = await VP.api("GET", "/api/v1/console/lawful" + query({ offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, row);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => loadList(next).catch(handlePageError));
  }

  function init() {
    onSubmit($("#lawful-record"), async () => {
      const form = $("#lawful-record");
      const created = await VP.api("POST", "/api/v1/console/lawful", formValues(form));
      form.reset();
      await loadList(0);
      const done = $("[data-testid=lawful-recorded]", form);
      done.textContent = t("lawful_recorded", { id: created.id });
      done.hidden = false;
    });
    $("[data-testid=lawful-list]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=lawful-lift-open]");
      if (!button) return;
      lifting = Number(button.dataset.id);
      const section = $("[data-testid=lawful-lift]");
      bind(section, { title: t("lawful_lift_title", { id: lifting }) });
      $("#lawful-lift-form").reset();
      $("[data-testid=lawful-lifted]").hidden = true;
      section.hidden = false;
      $("#lawful-lift-reason").focus();
    });
    $("[data-testid=lawful-lift-cancel]").addEventListener("click", () => {
      $("[data-testid=lawful-lift]").hidden = true;
    });
    onSubmit($("#lawful-lift-form"), async () => {
      const id = lifting;
      await VP.api("POST", "/api/v1/console/lawful/" + id + "/lift", { reason: formValues($("#lawful-lift-form")).reason });
      $("#lawful-lift-form").reset();
      const done = $("[data-testid=lawful-lifted]");
      done.textContent = t("lawful_lifted", { id });
      done.hidden = false;
      await loadList();
    });
    loadList(0).catch(handlePageError);
  }

  init();
})();
