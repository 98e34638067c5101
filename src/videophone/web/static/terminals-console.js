/* Console: the terminal inventory — add units, install them at a subscriber's (the token is shown
 * once), correct the installation date, mark "opened by others", reissue or revoke the token. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, formatDate, fillTable, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  const TITLES = { assign: "cterminals_assign", date: "cterminals_set_date", opened: "cterminals_opened" };
  let offset = 0;
  let units = new Map();
  let action = null;

  function warranty(u) {
    if (!u.warranty_end) return "—";
    const label = u.voided_on ? t("terminals_voided", { date: u.voided_on }) : t(u.in_warranty ? "terminals_in_warranty" : "terminals_out_of_warranty");
    return [u.warranty_end, " ", el("span", { class: "badge " + (u.in_warranty ? "warranty-in" : "warranty-out") }, label)];
  }

  /** The unit's SIP registration (issue 16): registered or not, since when, from where, which software. */
  function sipCell(u) {
    const sip = u.sip;
    const registered = Boolean(sip && sip.registered);
    const lines = [el("span", { class: "badge " + (registered ? "state-verified" : "state-pending"), "data-testid": "unit-sip-state", dataset: { registered: String(registered) } },
      t(registered ? "sip_registered" : "sip_unregistered"))];
    const more = (text, id) => lines.push(el("br"), el("span", { class: "small muted", "data-testid": id }, text));
    if (!sip) more(t("sip_no_account"), "unit-sip-none");
    else {
      if (sip.last_register_at) more(t(registered ? "sip_since" : "sip_last_seen", { time: formatDate(sip.last_register_at) }), "unit-sip-since");
      if (sip.address) more(t("sip_from", { address: sip.address }), "unit-sip-address");
      if (sip.user_agent) more(sip.user_agent, "unit-sip-agent");
    }
    if (u.reported_version) more(t("sip_version", { version: u.reported_version }), "unit-version");
    if (u.upgrade_available) lines.push(" ", el("span", { class: "badge state-documents_requested", "data-testid": "unit-upgrade" }, t("sip_upgrade_available")));
    return lines;
  }

  function button(kind, u, label) {
    return el("button", { type: "button", class: "button small", "data-testid": "unit-" + kind, dataset: { action: kind, id: u.id } }, label);
  }

  function unitRow(u) {
    const actions = [];
    if (u.state === "in_stock" || u.state === "returned") actions.push(button("assign", u, t("cterminals_assign")));
    if (u.state === "assigned") {
      if (!u.replaces_serial) actions.push(button("date", u, t("cterminals_set_date")));
      if (!u.voided_on) actions.push(button("opened", u, t("cterminals_opened")));
      actions.push(button("reissue", u, t("cterminals_reissue")));
      if (u.has_token) actions.push(button("revoke", u, t("cterminals_revoke")));
    }
    return el(
      "tr",
      { "data-testid": "unit-row", dataset: { serial: u.serial, state: u.state } },
      el("td", {}, el("span", { class: "mono" }, u.serial), u.replaces_serial ? [el("br"), el("span", { class: "small muted" }, t("terminals_replaces", { serial: u.replaces_serial }))] : null),
      el("td", { class: "wrap" }, u.model),
      el("td", { "data-testid": "unit-state" }, labelOf("terminals_state_", u.state)),
      el("td", { class: "mono" }, u.subscriber_number || "—"),
      el("td", {}, u.installed_on || "—"),
      el("td", { "data-testid": "unit-warranty" }, warranty(u)),
      el("td", { class: "wrap", "data-testid": "unit-sip" }, sipCell(u)),
      el("td", {}, el("div", { class: "unit-actions" }, actions)),
    );
  }

  async function load(from) {
    offset = from === undefined ? offset : from;
    const values = formValues($("#units-filter"));
    const data = await VP.api("GET", "/api/v1/console/terminals" + query({ state: values.state, q: values.q.trim(), offset, limit: PAGE_SIZE }));
    units = new Map(data.items.map((u) => [String(u.id), u]));
    const table = $("[data-testid=units-table]");
    fillTable(table, data.items, unitRow);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => load(next).catch(handlePageError));
  }

  function showToken(form, message, token) {
    const done = $("[data-form-success]", form);
    done.replaceChildren(el("p", {}, message), el("p", { class: "token-box mono", "data-testid": "terminal-token" }, token));
    done.hidden = false;
  }

  function openAction(kind, u) {
    action = { kind, unit: u };
    const section = $("[data-testid=unit-action]");
    const form = $("#unit-action-form");
    form.reset();
    $$("[data-form-alert], [data-form-success]", form).forEach((node) => (node.hidden = true));
    $$("[data-error-for]", form).forEach((node) => (node.textContent = ""));
    $$("[data-for-action]", form).forEach((node) => (node.hidden = !node.dataset.forAction.split(" ").includes(kind)));
    $("[data-testid=unit-action-title]").textContent = t(TITLES[kind]).replace("…", "");
    $("[data-testid=unit-action-serial]").textContent = u.serial;
    $("[data-testid=unit-action-submit]").textContent = t(TITLES[kind]).replace("…", "");
    $("[data-testid=unit-action-submit]").hidden = false;
    if (kind === "date" && u.installed_on) form.elements.installed_on.value = u.installed_on;
    section.hidden = false;
    $("#h-unit-action").focus();
  }

  async function quickAction(kind, u) {
    const base = "/api/v1/console/terminals/" + encodeURIComponent(u.id) + "/token";
    const section = $("[data-testid=unit-action]");
    const form = $("#unit-action-form");
    openAction(kind, u);
    $$("[data-for-action]", form).forEach((node) => (node.hidden = true));
    $("[data-testid=unit-action-submit]").hidden = true;
    if (kind === "reissue") {
      const issued = await VP.api("POST", base);
      showToken(form, t("cterminals_token_once"), issued.token);
    } else {
      await VP.api("DELETE", base);
      const done = $("[data-form-success]", form);
      done.textContent = t("cterminals_revoked");
      done.hidden = false;
    }
    section.hidden = false;
    await load();
  }

  function init() {
    const addForm = $("#unit-form");
    onSubmit(addForm, async () => {
      const values = formValues(addForm);
      const unit = await VP.api("POST", "/api/v1/console/terminals", { serial: values.serial.trim(), model: values.model.trim() });
      addForm.reset();
      const done = $("[data-form-success]", addForm);
      done.textContent = t("cterminals_added", { serial: unit.serial });
      done.hidden = false;
      await load(0);
    });
    $("#units-filter").addEventListener("submit", (event) => {
      event.preventDefault();
      load(0).catch(handlePageError);
    });
    $("[data-testid=units-table]").addEventListener("click", (event) => {
      const target = event.target.closest("button[data-action]");
      if (!target) return;
      const u = units.get(target.dataset.id);
      if (!u) return;
      const kind = target.dataset.action;
      if (kind === "reissue" || kind === "revoke") quickAction(kind, u).catch(handlePageError);
      else openAction(kind, u);
    });
    $("[data-testid=unit-action-close]").addEventListener("click", () => {
      $("[data-testid=unit-action]").hidden = true;
      action = null;
    });
    const form = $("#unit-action-form");
    onSubmit(form, async () => {
      if (!action) return;
      const values = formValues(form);
      const base = "/api/v1/console/terminals/" + encodeURIComponent(action.unit.id);
      if (action.kind === "assign") {
        const issued = await VP.api("POST", base + "/assign", { number: values.number.trim(), installed_on: values.installed_on || null });
        showToken(form, t("cterminals_token_once"), issued.token);
      } else if (action.kind === "date") {
        await VP.api("POST", base + "/installation", { installed_on: values.installed_on || null });
        $("[data-testid=unit-action]").hidden = true;
      } else {
        await VP.api("POST", base + "/opened", { note: values.note.trim() });
        $("[data-testid=unit-action]").hidden = true;
      }
      $("[data-testid=unit-action-submit]").hidden = action.kind === "assign";
      await load();
    });
    load(0).catch(handlePageError);
  }

  VP.pages["console-terminals"] = init;
})();
