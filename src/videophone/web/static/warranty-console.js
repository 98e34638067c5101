/* Console: written warranty claims — photos, warranty end, and the decision: repair or replace a
 * covered fault (defect, damage in shipping), or deny an excluded external cause with the reason. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  const COVERED = ["defect", "shipping_damage"];
  const EXCLUDED = ["accident", "misuse", "power_problem", "opened_sealed_unit", "other_equipment_or_network", "unauthorised_repair"];
  let offset = 0;
  let claims = new Map();
  let current = null;

  function photoUrl(c, p) {
    return "/api/v1/console/warranty-claims/" + encodeURIComponent(c.id) + "/photos/" + encodeURIComponent(p.id);
  }

  function outcome(c) {
    if (c.state === "replaced") return t("terminals_result_replaced", { serial: c.replacement_serial, end: c.warranty_end });
    if (c.state === "repaired") return t("terminals_result_repaired", { end: c.warranty_end });
    if (c.state === "denied") return t("terminals_result_denied", { cause: labelOf("warranty_cause_", c.cause), note: c.note });
    return "";
  }

  function claimRow(c) {
    return el(
      "tr",
      { "data-testid": "claim-row", dataset: { id: c.id, state: c.state } },
      el("td", {}, "#" + c.id, el("br"), el("span", { class: "small muted" }, formatDate(c.filed_at))),
      el("td", { class: "mono" }, c.subscriber_number),
      el("td", { class: "mono" }, c.serial),
      el("td", { class: "wrap" }, c.description),
      el("td", {}, el("div", { class: "claim-photos" }, c.photos.map((p) =>
        el("a", { href: photoUrl(c, p), target: "_blank", rel: "noopener" }, el("img", { src: photoUrl(c, p), alt: p.filename, "data-testid": "claim-photo" }))))),
      el("td", {}, c.warranty_end),
      el("td", { class: "wrap" }, el("span", { class: "badge state-" + c.state, "data-testid": "claim-state" }, labelOf("warranty_state_", c.state)),
        c.state !== "submitted" ? [el("br"), el("span", { class: "small" }, outcome(c))] : null),
      el("td", {}, c.state === "submitted"
        ? el("button", { type: "button", class: "button small primary", "data-testid": "claim-decide", dataset: { id: c.id } }, t("cwarranty_decide"))
        : null),
    );
  }

  async function load(from) {
    offset = from === undefined ? offset : from;
    const data = await VP.api("GET", "/api/v1/console/warranty-claims" + query({ offset, limit: PAGE_SIZE }));
    claims = new Map(data.items.map((c) => [String(c.id), c]));
    const table = $("[data-testid=claims-queue]");
    fillTable(table, data.items, claimRow);
    setBusy(table, false);
    $("[data-testid=claims-none]").hidden = data.items.length > 0;
    $("[data-testid=claims-summary]").textContent = t("cwarranty_summary", { open: data.open });
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => load(next).catch(handlePageError));
  }

  function syncDecision() {
    const form = $("#decision-form");
    const kind = form.elements.decision.value;
    const causes = kind === "deny" ? EXCLUDED : COVERED;
    const select = form.elements.cause;
    const before = select.value;
    select.replaceChildren(...causes.map((c) => el("option", { value: c }, labelOf("warranty_cause_", c))));
    if (causes.includes(before)) select.value = before;
    $("[data-testid=decision-replacement-field]").hidden = kind !== "replace";
  }

  async function loadStock() {
    const data = await VP.api("GET", "/api/v1/console/terminals" + query({ state: "in_stock", limit: 200 })).catch(() => ({ items: [] }));
    $("#stock-serials").replaceChildren(...data.items.map((u) => el("option", { value: u.serial }, u.model)));
  }

  function openClaim(c) {
    current = c;
    const form = $("#decision-form");
    form.reset();
    ["[data-form-alert]", "[data-form-success]"].forEach((sel) => ($(sel, form).hidden = true));
    syncDecision();
    $("[data-testid=decision-title]").textContent = t("cwarranty_decision_title", { id: c.id }) + " · " + c.serial;
    $("[data-testid=decision-description]").textContent = c.description;
    $("[data-testid=decision-section]").hidden = false;
    $("#h-decision").focus();
    loadStock();
  }

  function init() {
    const form = $("#decision-form");
    form.elements.decision.addEventListener("change", syncDecision);
    $("[data-testid=claims-queue]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=claim-decide]");
      const c = button && claims.get(button.dataset.id);
      if (c) openClaim(c);
    });
    $("[data-testid=decision-close]").addEventListener("click", () => {
      $("[data-testid=decision-section]").hidden = true;
      current = null;
    });
    onSubmit(form, async () => {
      if (!current) return;
      const values = formValues(form);
      const body = { decision: values.decision, cause: values.cause, note: values.note.trim() };
      if (values.decision === "replace") body.replacement_serial = values.replacement_serial.trim();
      await VP.api("POST", "/api/v1/console/warranty-claims/" + encodeURIComponent(current.id) + "/decision", body);
      const done = $("[data-form-success]", form);
      done.textContent = t("cwarranty_done");
      done.hidden = false;
      current = null;
      await load();
    });
    load(0).catch(handlePageError);
  }

  VP.pages["console-warranty"] = init;
})();
