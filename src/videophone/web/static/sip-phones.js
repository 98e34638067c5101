/* /account: the subscriber's SIP softphone accounts (issue 16) — list them with their registration,
 * create one (its password is shown this once, with the settings to type into the softphone), revoke
 * one after a confirmation. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, formatDate, onSubmit, setBusy, handlePageError } = VP.ui;
  let pending = null; // the credential whose revocation waits for a confirmation

  /** Registered (since when) or not, as a badge and a line under it; shared with the console. */
  function stateCell(state) {
    const badge = el(
      "span",
      { class: "badge " + (state.registered ? "state-verified" : "state-pending"), "data-testid": "sip-state", dataset: { registered: String(state.registered) } },
      t(state.registered ? "sip_registered" : "sip_unregistered"),
    );
    const when = state.last_register_at
      ? t(state.registered ? "sip_since" : "sip_last_seen", { time: formatDate(state.last_register_at) })
      : "";
    return [badge, when ? [el("br"), el("span", { class: "small muted", "data-testid": "sip-since" }, when)] : null];
  }
  VP.sipStateCell = stateCell;

  function row(item) {
    return el(
      "tr",
      { "data-testid": "sip-row", dataset: { id: item.id, user: item.state.auth_user } },
      el("td", { "data-testid": "sip-row-label" }, item.label),
      el("td", { class: "mono", "data-testid": "sip-row-user" }, item.state.auth_user),
      el("td", {}, stateCell(item.state)),
      el("td", { class: "ua" }, item.state.user_agent || "—"),
      el("td", {}, el("button", { type: "button", class: "button small danger", "data-testid": "sip-revoke", dataset: { id: item.id, label: item.label } }, t("sip_revoke"))),
    );
  }

  async function load() {
    const section = $("[data-testid=sip-section]");
    const data = await VP.api("GET", "/api/v1/me/sip-credentials");
    $("[data-testid=sip-lead]").textContent = t("sip_lead", { max: data.max });
    const table = $("[data-testid=sip-table]");
    const tbody = $("tbody", table);
    tbody.replaceChildren(...data.items.map(row));
    table.hidden = !data.items.length;
    $("[data-testid=sip-none]").hidden = data.items.length > 0;
    setBusy(section, false);
  }

  function showIssued(issued) {
    const box = $("[data-testid=sip-result]");
    const r = issued.registrar;
    $("[data-testid=sip-new-user]").textContent = issued.credential.state.auth_user;
    $("[data-testid=sip-new-password]").textContent = issued.password;
    $("[data-testid=sip-new-domain]").textContent = r.domain;
    $("[data-testid=sip-new-registrar]").textContent = r.registrar_host + ":" + r.registrar_port;
    $("[data-testid=sip-new-realm]").textContent = r.realm;
    $("[data-testid=sip-new-transport]").textContent = r.transports.map((x) => x.toUpperCase()).join(", ");
    $("[data-testid=sip-new-stun]").textContent = r.stun_urls.join(", ");
    $("[data-sip-stun]").hidden = !r.stun_urls.length;
    box.hidden = false;
    box.focus();
  }

  function askRevoke(button) {
    pending = button.dataset.id;
    const confirm = $("[data-testid=sip-confirm]");
    $("[data-testid=sip-confirm-text]").textContent = t("sip_revoke_confirm", { label: button.dataset.label });
    $("[data-testid=sip-revoked]").hidden = true;
    confirm.hidden = false;
    $("[data-testid=sip-confirm-yes]").focus();
  }

  async function revoke() {
    if (!pending) return;
    const id = pending;
    pending = null;
    $("[data-testid=sip-confirm]").hidden = true;
    await VP.api("DELETE", "/api/v1/me/sip-credentials/" + encodeURIComponent(id));
    $("[data-testid=sip-revoked]").hidden = false;
    await load();
  }

  function init() {
    if (!$("[data-testid=sip-section]")) return;
    const form = $("#sip-form");
    onSubmit(form, async () => {
      const issued = await VP.api("POST", "/api/v1/me/sip-credentials", { label: form.elements.label.value.trim() });
      form.reset();
      $("[data-testid=sip-revoked]").hidden = true;
      await load();
      showIssued(issued);
    });
    $("[data-testid=sip-table]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=sip-revoke]");
      if (button) askRevoke(button);
    });
    $("[data-testid=sip-confirm-yes]").addEventListener("click", () => revoke().catch(handlePageError));
    $("[data-testid=sip-confirm-no]").addEventListener("click", () => {
      pending = null;
      $("[data-testid=sip-confirm]").hidden = true;
    });
    load().catch(handlePageError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
