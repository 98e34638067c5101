"use strict";
/* Console: violations of the agreement — find the subscriber, take a measure with its reason and
 * evidence, list what was done, lift restrictions and suspensions. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;
  let target = null;
  let lifting = null;

  function serviceBadge(state, reason) {
    const [open, close] = VP.lang === "en" ? [" (", ")"] : ["（", "）"];
    const text = labelOf("enf_service_", state) + (reason ? open + labelOf("enf_reason_", reason) + close : "");
    return el("span", { class: "badge svc-" + state, "data-testid": "service-state", dataset: { state } }, text);
  }

  function stateCell(v) {
    const out = [el("span", { class: "badge state-" + v.state, "data-testid": "viol-state", dataset: { state: v.state } }, labelOf("viol_state_", v.state))];
    if (v.state === "lifted") {
      out.push(el("div", { class: "small muted" }, t("enf_lifted_note", { at: formatDate(v.lifted_at), by: v.lifted_by, reason: v.lift_reason })));
    }
    return out;
  }

  function evidenceLinks(v) {
    return el("div", { class: "evidence-links" }, v.evidence.map((e) =>
      el("a", { href: "/api/v1/console/violations/" + v.id + "/evidence/" + e.id, target: "_blank", rel: "noopener", "data-testid": "viol-evidence" }, e.filename)));
  }

  function row(v) {
    const action = labelOf("viol_action_", v.action) + (v.vas_code ? " · " + v.vas_code : "");
    return el(
      "tr",
      { "data-testid": "viol-row", dataset: { id: v.id, state: v.state, action: v.action } },
      el("td", {}, "#" + v.id),
      el("td", {}, el("span", { class: "mono" }, v.subscriber_number), " ", v.subscriber_name),
      el("td", {}, action),
      el("td", { class: "wrap" }, v.reason),
      el("td", {}, evidenceLinks(v)),
      el("td", {}, stateCell(v)),
      el("td", { class: "nowrap" }, formatDate(v.issued_at), el("br"), el("span", { class: "small muted" }, v.issued_by)),
      el("td", {}, v.state === "open"
        ? el("button", { type: "button", class: "button small", "data-testid": "viol-lift-open", dataset: { id: v.id } }, t("enf_lift"))
        : ""),
    );
  }

  async function loadList(from) {
    offset = from === undefined ? offset : from;
    const table = $("[data-testid=viol-list]");
    const number = target ? target.number : "";
    const data = await VP.api("GET", "/api/v1/console/violations" + query({ number, offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, row);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, PAGE_SIZE, (next) => loadList(next).catch(handlePageError));
  }

  function showTarget(sub) {
    target = sub;
    const section = $("[data-testid=viol-target]");
    bind(section, { number: sub.number, name: sub.name });
    $("[data-testid=viol-target-state]").replaceChildren(serviceBadge(sub.service_state, sub.service_reason));
    $("#viol-issue [name=subscriber_id]").value = String(sub.id);
    const vas = $("#viol-vas");
    vas.replaceChildren(...(sub.vas.length
      ? sub.vas.map((v) => el("option", { value: v.code }, (VP.lang === "en" ? v.name_en : v.name_zh) + " (" + v.code + ")"))
      : [el("option", { value: "" }, t("viol_no_vas"))]));
    section.hidden = false;
    syncAction();
  }

  function syncAction() {
    $("[data-vas-field]").hidden = $("#viol-action").value !== "withdraw_vas";
  }

  async function refreshTarget() {
    if (!target) return;
    showTarget(await VP.api("GET", "/api/v1/console/violations/subscriber" + query({ number: target.number })));
  }

  function init() {
    $("#viol-action").addEventListener("change", syncAction);
    onSubmit($("#viol-find"), async () => {
      const number = formValues($("#viol-find")).number.trim();
      showTarget(await VP.api("GET", "/api/v1/console/violations/subscriber" + query({ number })));
      await loadList(0);
    });
    onSubmit($("#viol-issue"), async () => {
      const form = $("#viol-issue");
      const values = formValues(form);
      if (values.action === "terminate" && !window.confirm(t("viol_confirm_terminate"))) return;
      const data = new FormData();
      data.set("subscriber_id", values.subscriber_id);
      data.set("action", values.action);
      data.set("reason", values.reason);
      if (values.action === "withdraw_vas") data.set("vas_code", values.vas_code || "");
      Array.from($("#viol-files").files || []).forEach((file) => data.append("files", file, file.name));
      const created = await VP.api("POST", "/api/v1/console/violations", data);
      form.reset();
      syncAction();
      await refreshTarget();
      await loadList(0);
      const done = $("[data-testid=viol-issued]", form);
      done.textContent = t("viol_issued", { id: created.id });
      done.hidden = false;
    });
    $("[data-testid=viol-list]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=viol-lift-open]");
      if (!button) return;
      lifting = Number(button.dataset.id);
      const section = $("[data-testid=viol-lift]");
      bind(section, { title: t("viol_lift_title", { id: lifting }) });
      $("#viol-lift-form").reset();
      $("[data-testid=viol-lifted]").hidden = true;
      section.hidden = false;
      $("#viol-lift-reason").focus();
    });
    $("[data-testid=viol-lift-cancel]").addEventListener("click", () => {
      $("[data-testid=viol-lift]").hidden = true;
    });
    onSubmit($("#viol-lift-form"), async () => {
      const id = lifting;
      await VP.api("POST", "/api/v1/console/violations/" + id + "/lift", { reason: formValues($("#viol-lift-form")).reason });
      $("#viol-lift-form").reset();
      const done = $("[data-testid=viol-lifted]");
      done.textContent = t("viol_lifted", { id });
      done.hidden = false;
      await refreshTarget();
      await loadList();
    });
    loadList(0).catch(handlePageError);
  }

  init();
})();
