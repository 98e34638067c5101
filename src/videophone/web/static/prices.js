/* Public price list; a logged-in, verified subscriber orders from here. Uses app.js helpers. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, handlePageError, setBusy, bind } = VP.ui;

  function nameOf(item) {
    return VP.lang === "zh-CN" ? item.name_zh : item.name_en || item.name_zh;
  }

  function yuan(amount) {
    return t("orders_yuan", { amount });
  }

  function planCard(plan, services) {
    const p = plan.price;
    const current = services && services.plan && services.plan.code === plan.code;
    const pending = services && services.pending_plan && services.pending_plan.code === plan.code;
    let action = null;
    if (services && services.may_order) {
      action = current || pending
        ? el("span", { class: "badge state-verified", "data-testid": "plan-current" }, current ? t("prices_current_plan") : t("orders_pending_plan", { date: services.pending_plan.start_date, name: nameOf(plan) }))
        : el("button", { type: "button", class: "button primary", "data-testid": "plan-choose", dataset: { code: plan.code, name: nameOf(plan) } }, t("prices_choose_plan"));
    } else if (current) {
      action = el("span", { class: "badge state-verified", "data-testid": "plan-current" }, t("prices_current_plan"));
    }
    const terms = p
      ? el(
          "dl",
          {},
          el("dt", {}, t("prices_included")), el("dd", { "data-testid": "plan-minutes" }, t("prices_minutes", { n: p.included_minutes })),
          el("dt", {}, t("prices_rate")), el("dd", { "data-testid": "plan-rate" }, t("prices_rate_value", { rate: p.rate_per_minute })),
          el("dt", {}, t("prices_increments")), el("dd", { "data-testid": "plan-increments" }, t("prices_increments_value", { first: p.first_increment_seconds, next: p.next_increment_seconds })),
        )
      : null;
    return el(
      "article",
      { class: "price-card", "data-testid": "plan-card", dataset: { code: plan.code, current: current ? "true" : "false" } },
      el("h3", {}, nameOf(plan)),
      plan.description_text ? el("p", { class: "muted small", "data-testid": "plan-description" }, plan.description_text) : null,
      p ? el("div", {}, el("span", { class: "big", "data-testid": "plan-rent" }, p.monthly_rent), " ", t("prices_per_month")) : el("p", { class: "muted" }, t("prices_from", { date: plan.upcoming[0].effective_from })),
      terms,
      action,
    );
  }

  function vasRow(vas, services) {
    const held = services ? services.vas.find((v) => v.code === vas.code) : null;
    let action = null;
    if (held) action = el("span", { class: "badge state-verified", "data-testid": "vas-held" }, t("prices_have_vas"));
    else if (services && services.may_order && vas.price) {
      action = el("button", { type: "button", class: "button small primary", "data-testid": "vas-add", dataset: { code: vas.code, name: nameOf(vas), fee: vas.price.monthly_fee } }, t("prices_add_vas"));
    }
    return el(
      "tr",
      { "data-testid": "vas-row", dataset: { code: vas.code } },
      el("td", {}, el("strong", {}, nameOf(vas)), vas.description_text ? el("div", { class: "muted small", "data-testid": "vas-description" }, vas.description_text) : null),
      el("td", { class: "nowrap", "data-testid": "vas-fee" }, vas.price ? yuan(vas.price.monthly_fee) : t("prices_from", { date: (vas.upcoming[0] || {}).effective_from })),
      el("td", { class: "vas-actions" }, action),
    );
  }

  function upcomingRow(change) {
    const detail = change.plan_price
      ? t("prices_rent") + " " + yuan(change.plan_price.monthly_rent) + " · " + t("prices_minutes", { n: change.plan_price.included_minutes }) + " · " + t("prices_rate_value", { rate: change.plan_price.rate_per_minute })
      : t("prices_fee") + " " + yuan(change.monthly_fee);
    return el(
      "tr",
      { "data-testid": "upcoming-row", dataset: { code: change.code } },
      el("td", {}, nameOf(change)),
      el("td", {}, detail),
      el("td", { class: "nowrap" }, change.effective_from),
    );
  }

  async function load() {
    const root = $("[data-testid=prices]");
    const loggedIn = root.dataset.loggedIn === "true";
    const data = await VP.api("GET", "/api/v1/prices");
    let services = null;
    if (loggedIn) {
      try {
        services = await VP.api("GET", "/api/v1/me/services");
      } catch (error) {
        services = null;
      }
    }
    const hint = $("[data-testid=order-hint]");
    if (!loggedIn) {
      hint.replaceChildren(el("a", { href: "/login?next=/prices" }, t("prices_login_to_order")));
      hint.hidden = false;
    } else if (services && !services.may_order) {
      hint.textContent = t("prices_verify_to_order");
      hint.hidden = false;
    } else {
      hint.hidden = true;
    }
    const cards = $("[data-testid=plan-cards]");
    cards.replaceChildren(...data.plans.map((plan) => planCard(plan, services)));
    if (!data.plans.length) cards.append(el("p", { class: "muted" }, t("empty_list")));
    fillTable($("[data-testid=vas-table]"), data.vas, (vas) => vasRow(vas, services));
    const upcoming = $("[data-testid=upcoming-table]");
    fillTable(upcoming, data.upcoming_changes, upcomingRow);
    if (!data.upcoming_changes.length) $("tbody td", upcoming).textContent = t("prices_no_upcoming");
    setBusy(root, false);
  }

  async function order(action, code) {
    const result = $("[data-testid=order-result]");
    result.hidden = true;
    const view = await VP.api("POST", "/api/v1/me/orders", { action, code });
    bind(result, { message: t("prices_ordered", { number: view.number }) });
    result.dataset.number = view.number;
    result.hidden = false;
    await load();
  }

  function init() {
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=plan-choose], [data-testid=vas-add]");
      if (!button) return;
      const isPlan = button.dataset.testid === "plan-choose";
      const question = isPlan
        ? t("prices_confirm_plan", { name: button.dataset.name })
        : t("prices_confirm_vas", { name: button.dataset.name, fee: button.dataset.fee });
      if (!window.confirm(question)) return;
      button.disabled = true;
      order(isPlan ? "change_plan" : "add_vas", button.dataset.code).catch((error) => {
        button.disabled = false;
        handlePageError(error);
      });
    });
    load().catch(handlePageError);
  }

  VP.pages.prices = init;
})();
