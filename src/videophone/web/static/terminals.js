/* Portal: my terminals, their warranty end, and written warranty claims with photos. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, onSubmit, setBusy, handlePageError, labelOf } = VP.ui;

  function warrantyCell(u) {
    const badge = u.voided_on
      ? el("span", { class: "badge warranty-out", "data-testid": "terminal-warranty-state" }, t("terminals_voided", { date: u.voided_on }))
      : el("span", { class: "badge " + (u.in_warranty ? "warranty-in" : "warranty-out"), "data-testid": "terminal-warranty-state" },
        t(u.in_warranty ? "terminals_in_warranty" : "terminals_out_of_warranty"));
    return [el("span", { "data-testid": "terminal-warranty-end" }, u.warranty_end || "—"), " ", badge];
  }

  function terminalRow(u) {
    return el(
      "tr",
      { "data-testid": "terminal-row", dataset: { serial: u.serial } },
      el("td", {}, el("span", { class: "mono", "data-testid": "terminal-serial" }, u.serial),
        u.replaces_serial ? [el("br"), el("span", { class: "small muted" }, t("terminals_replaces", { serial: u.replaces_serial }))] : null),
      el("td", {}, u.model),
      el("td", { "data-testid": "terminal-installed" }, u.installed_on || "—"),
      el("td", {}, warrantyCell(u)),
    );
  }

  function result(c) {
    if (c.state === "replaced") return t("terminals_result_replaced", { serial: c.replacement_serial, end: c.warranty_end });
    if (c.state === "repaired") return t("terminals_result_repaired", { end: c.warranty_end });
    if (c.state === "denied") return t("terminals_result_denied", { cause: labelOf("warranty_cause_", c.cause), note: c.note });
    return t("terminals_result_pending");
  }

  function claimRow(c) {
    return el(
      "tr",
      { "data-testid": "claim-row", dataset: { id: c.id, state: c.state } },
      el("td", {}, "#" + c.id),
      el("td", { class: "mono" }, c.serial),
      el("td", {}, formatDate(c.filed_at)),
      el("td", {}, el("span", { class: "badge state-" + c.state, "data-testid": "claim-state" }, labelOf("warranty_state_", c.state))),
      el("td", { class: "wrap", "data-testid": "claim-result" }, result(c)),
    );
  }

  async function load() {
    const data = await VP.api("GET", "/api/v1/me/terminals");
    const table = $("[data-testid=terminals-table]");
    fillTable(table, data.items, terminalRow);
    setBusy(table, false);
    // One empty state each: the page's own sentence, not an empty table saying "nothing" as well.
    $("[data-testid=terminals-none]").hidden = data.items.length > 0;
    table.closest(".table-wrap").hidden = data.items.length === 0;
    const claims = $("[data-testid=claims-table]");
    fillTable(claims, data.claims, claimRow);
    $("[data-testid=claims-none]").hidden = data.claims.length > 0;
    claims.closest(".table-wrap").hidden = data.claims.length === 0;
    const select = $("#claim-terminal");
    const chosen = select.value;
    select.replaceChildren(...data.items.map((u) => el("option", { value: u.id }, u.serial + " · " + u.model)));
    if (chosen && data.items.some((u) => String(u.id) === chosen)) select.value = chosen;
    $("[data-testid=claim-section]").hidden = data.items.length === 0;
  }

  function init() {
    const form = $("#claim-form");
    onSubmit(form, async () => {
      const body = new FormData();
      body.append("terminal_id", form.elements.terminal_id.value);
      body.append("description", form.elements.description.value.trim());
      Array.from(form.elements.photos.files).forEach((file) => body.append("photos", file, file.name));
      const claim = await VP.api("POST", "/api/v1/me/warranty-claims", body);
      form.reset();
      const done = $("[data-form-success]", form);
      done.textContent = t("terminals_claim_done", { id: claim.id });
      done.hidden = false;
      await load();
    });
    load().catch(handlePageError);
  }

  VP.pages.terminals = init;
})();
