/* Contacts page: call forwarding (呼叫转移, R-17) — one rule per condition, only while subscribed.
   Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, $, $$, onSubmit, setBusy, handlePageError } = VP.ui;
  const CONDITIONS = ["unconditional", "busy", "no_answer", "unreachable"];

  function fieldsOf(form, condition) {
    return {
      target: form.elements[condition + "-target"],
      number: form.elements[condition + "-number"],
      delay: form.elements[condition + "-delay"] || null,
    };
  }

  function syncRow(form, condition) {
    const f = fieldsOf(form, condition);
    f.number.disabled = f.target.value !== "number";
    if (f.delay) f.delay.disabled = f.target.value === "";
  }

  function render(form, settings) {
    const section = $("[data-testid=forwarding]");
    section.dataset.subscribed = settings.subscribed ? "true" : "false";
    $("[data-testid=forwarding-not-subscribed]").hidden = settings.subscribed;
    const byCondition = {};
    settings.rules.forEach((rule) => (byCondition[rule.condition] = rule));
    CONDITIONS.forEach((condition) => {
      const f = fieldsOf(form, condition);
      const rule = byCondition[condition];
      f.target.value = rule ? rule.target : "";
      f.number.value = rule ? rule.number : "";
      $("option[value=voicemail]", f.target).disabled = !settings.voicemail && f.target.value !== "voicemail";
      if (f.delay) f.delay.value = String(rule && rule.delay_seconds ? rule.delay_seconds : settings.delay_default);
      syncRow(form, condition);
    });
    $$("select, input, button", form).forEach((node) => {
      if (!settings.subscribed) node.disabled = true;
    });
  }

  function body(form) {
    const rules = [];
    CONDITIONS.forEach((condition) => {
      const f = fieldsOf(form, condition);
      if (!f.target.value) return;
      const rule = { condition, target: f.target.value };
      if (f.target.value === "number") rule.number = f.number.value.trim();
      if (f.delay) {
        const delay = Number.parseInt(f.delay.value, 10);
        rule.delay_seconds = Number.isFinite(delay) ? delay : null;
      }
      rules.push(rule);
    });
    return { rules };
  }

  async function load(form) {
    const section = $("[data-testid=forwarding]");
    setBusy(section, true);
    try {
      render(form, await VP.api("GET", "/api/v1/me/forwarding"));
    } catch (error) {
      handlePageError(error);
    } finally {
      setBusy(section, false);
    }
  }

  function init() {
    const form = $("#forwarding-form");
    if (!form) return;
    CONDITIONS.forEach((condition) => fieldsOf(form, condition).target.addEventListener("change", () => syncRow(form, condition)));
    onSubmit(form, async () => {
      const saved = await VP.api("PUT", "/api/v1/me/forwarding", body(form));
      render(form, saved);
      const done = $("[data-testid=forwarding-saved]");
      done.textContent = t("fwd_saved");
      done.hidden = false;
    });
    load(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
