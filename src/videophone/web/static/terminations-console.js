/* Console: terminations — requests awaiting payment with the amount outstanding, the operator's
   termination for breach or illegal acts, accounts under an inactivity notice, recent terminations. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, handlePageError, labelOf, onSubmit } = VP.ui;

  function fill(testid, rows) {
    $("[data-testid=" + testid + "] tbody").replaceChildren(
      ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, String(c))))),
    );
  }

  async function load() {
    const data = await VP.api("GET", "/api/v1/console/terminations");
    fill("terminations-pending", data.pending.map((p) => [p.number, p.name, p.termination_date, "¥" + p.balance]));
    fill("terminations-notice", data.under_notice.map((n) => [n.number, n.name, n.last_activity_at.slice(0, 10), n.terminate_on]));
    fill(
      "terminations-recent",
      data.recent.map((r) => [r.number, labelOf("terminations_reason_", r.reason), labelOf("terminations_state_", r.state), "¥" + r.refund_due]),
    );
  }

  function init() {
    const form = $("[data-testid=terminations-form]");
    onSubmit(form, async () => {
      if (!window.confirm(t("terminations_confirm"))) return;
      const id = Number(form.subscriber_id.value);
      await VP.api("POST", "/api/v1/console/terminations", {
        subscriber_id: Number.isInteger(id) ? id : 0,
        reason: form.reason.value,
        note: form.note.value,
      });
      const done = $("[data-testid=terminations-done]");
      done.textContent = t("terminations_done");
      done.hidden = false;
      form.note.value = "";
      await load();
    });
    load().catch(handlePageError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
