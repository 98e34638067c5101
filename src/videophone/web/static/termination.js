/* Portal: terminate the agreement — the warning and password confirmation, then what remains to
   pay until the account closes, and the withdrawal.  Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, setBusy, handlePageError, onSubmit } = VP.ui;

  function render(s) {
    const req = s.request && s.request.initiator === "subscriber" ? s.request : null;
    let key = "termination_state_active";
    if (s.service_state === "terminated") key = "termination_state_closed";
    else if (req && req.state === "awaiting_payment") key = "termination_state_awaiting";
    $("[data-testid=termination-state]").textContent = t(key);
    $("[data-testid=termination-remaining]").textContent = "¥" + s.remaining;
    $("[data-testid=termination-refund]").textContent = "¥" + s.refund_due;
    const bills = req ? req.final_bills : [];
    $("[data-testid=termination-bills]").replaceChildren(
      ...bills.map((b) =>
        el("li", {}, el("a", { href: "/bills#bill-" + b.id }, t("termination_final_bill") + " " + b.number + " (" + b.period + ") ¥" + b.total_due)),
      ),
    );
    const awaiting = Boolean(req && req.state === "awaiting_payment");
    $("[data-testid=termination-pay]").hidden = !(awaiting && s.remaining !== "0.00");
    $("[data-testid=termination-withdraw]").hidden = !awaiting;
    $("[data-testid=termination-request]").hidden = awaiting || s.service_state === "terminated";
    setBusy($("[data-testid=termination-status]"), false);
  }

  async function load() {
    render(await VP.api("GET", "/api/v1/me/termination"));
  }

  function init() {
    const form = $("[data-testid=termination-form]");
    onSubmit(form, async () => {
      if (!window.confirm(t("termination_confirm"))) return;
      const body = { password: form.password.value, note: form.note.value };
      render(await VP.api("POST", "/api/v1/me/termination", body));
      form.password.value = "";
    });
    $("[data-testid=termination-withdraw]").addEventListener("click", () => {
      VP.api("POST", "/api/v1/me/termination/withdraw").then(render).catch(handlePageError);
    });
    load().catch(handlePageError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
