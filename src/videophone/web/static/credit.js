/* Portal: the monthly credit limit — options, this month's usage against it, the state.
   Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, bind, setBusy, handlePageError, onSubmit } = VP.ui;

  const yuan = (value) => (value === null || value === undefined ? t("credit_none") : "¥" + value);

  function optionLabel(amount) {
    return t("credit_option_yuan").replace("{amount}", String(amount));
  }

  function renderOptions(status) {
    const box = $("[data-testid=credit-options]");
    const choices = [null].concat(status.options);
    if (status.limit_yuan !== null && !status.options.includes(status.limit_yuan)) choices.push(status.limit_yuan);
    box.replaceChildren(
      ...choices.map((amount) =>
        el(
          "label",
          {},
          el("input", {
            type: "radio",
            name: "limit_yuan",
            value: amount === null ? "" : String(amount),
            checked: amount === status.limit_yuan,
            "data-testid": "credit-option-" + (amount === null ? "none" : amount),
          }),
          " ",
          amount === null ? t("credit_option_none") : optionLabel(amount),
        ),
      ),
    );
  }

  function renderStatus(status) {
    const root = $("[data-testid=credit-status]");
    bind(root, {
      period: status.period,
      limit_label: yuan(status.limit),
      used_label: yuan(status.used),
      prepaid_label: yuan(status.prepaid),
      reserved_label: yuan(status.reserved),
      remaining_label: status.remaining === null ? t("credit_none") : yuan(status.remaining),
    });
    $("[data-testid=credit-prepaid-box]").hidden = status.prepaid_fen === 0;
    const bar = $("[data-testid=credit-bar]");
    bar.hidden = status.limit_yuan === null;
    const percent = status.percent === null ? 0 : status.percent;
    bar.setAttribute("aria-valuenow", String(Math.min(100, percent)));
    bar.dataset.level = percent >= 100 ? "100" : percent >= 80 ? "80" : "0";
    $("[data-testid=credit-bar-fill]").style.width = Math.min(100, percent) + "%";
    const state = $("[data-testid=credit-state]");
    let kind = "ok";
    let text = t("credit_state_ok");
    if (status.barred) {
      kind = "barred";
      // The reason is what an invite now is refused with (e.g. "suspended_credit_limit").
      text = String(status.reason || "").startsWith("suspended") ? t("credit_state_barred_all") : t("credit_state_barred_outgoing");
    } else if (status.limit_yuan !== null && percent >= 80) {
      kind = "warning";
      text = t("credit_state_warning");
    }
    state.dataset.state = kind;
    state.textContent = text;
    $("[data-testid=credit-pay]").hidden = !status.barred;
    $("[data-testid=credit-action]").textContent =
      status.action === "suspended" ? t("credit_action_all") : t("credit_action_outgoing");
    setBusy(root, false);
  }

  function render(status) {
    renderStatus(status);
    renderOptions(status);
  }

  async function load() {
    render(await VP.api("GET", "/api/v1/me/credit-limit"));
  }

  function init() {
    const form = $("[data-testid=credit-form]");
    onSubmit(form, async () => {
      const chosen = form.querySelector("input[name=limit_yuan]:checked");
      const value = chosen && chosen.value !== "" ? Number(chosen.value) : null;
      const status = await VP.api("PUT", "/api/v1/me/credit-limit", { limit_yuan: value });
      render(status);
      const saved = $("[data-testid=credit-saved]");
      saved.textContent = t("credit_saved");
      saved.hidden = false;
    });
    load().catch(handlePageError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
