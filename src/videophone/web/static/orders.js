/* My services and orders: the plan and value-added services in force, and the order documents. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, handlePageError, setBusy, labelOf } = VP.ui;

  function nameOf(item) {
    return VP.lang === "zh-CN" ? item.name_zh : item.name_en || item.name_zh;
  }

  function yuan(amount) {
    return t("orders_yuan", { amount });
  }

  function itemName(item) {
    return VP.lang === "zh-CN" ? item.name : (item.price_detail && item.price_detail.name_en) || item.name;
  }

  function vasRow(vas) {
    const action = vas.removable
      ? el("button", { type: "button", class: "button small danger", "data-testid": "vas-remove", dataset: { code: vas.code, name: nameOf(vas) } }, t("orders_remove"))
      : el("span", { class: "badge", "data-testid": "vas-ends" }, t("orders_ends_today"));
    return el(
      "tr",
      { "data-testid": "current-vas-row", dataset: { code: vas.code } },
      el("td", {}, nameOf(vas)),
      el("td", { class: "nowrap" }, yuan(vas.monthly_fee)),
      el("td", {}, action),
    );
  }

  function termsText(detail) {
    if (detail.included_minutes === undefined) return "";
    return t("prices_rent") + " " + yuan(detail.monthly_rent) + " · " + t("prices_minutes", { n: detail.included_minutes }) + " · " +
      t("prices_rate_value", { rate: detail.rate_per_minute }) + " · " +
      t("prices_increments_value", { first: detail.first_increment_seconds, next: detail.next_increment_seconds });
  }

  function orderRows(order) {
    const items = order.items.map((i) => labelOf("order_action_", i.action) + " " + itemName(i)).join("；");
    const pdf = "/api/v1/me/orders/" + encodeURIComponent(order.id) + ".pdf";
    const row = el(
      "tr",
      { class: "order-row", "data-testid": "order-row", dataset: { id: order.id, number: order.number, kind: order.kind } },
      el("td", { class: "mono", "data-testid": "order-number" }, order.number),
      el("td", {}, formatDate(order.created_at)),
      el("td", { "data-testid": "order-kind" }, labelOf("order_kind_", order.kind)),
      el("td", {}, items),
      el("td", { class: "nowrap", "data-testid": "order-effective" }, order.effective_date),
      el("td", { class: "nowrap", "data-testid": "order-fee" }, yuan(order.monthly_fee)),
      el(
        "td",
        {},
        el(
          "div",
          { class: "order-actions" },
          el("a", { class: "button small", href: pdf, download: order.number + ".pdf", "data-testid": "order-pdf" }, t("orders_pdf")),
          el("button", { type: "button", class: "button small", "aria-expanded": "false", "data-testid": "order-details", dataset: { id: order.id } }, t("orders_details")),
        ),
      ),
    );
    const detail = el(
      "tr",
      { class: "order-detail", "data-testid": "order-detail", dataset: { id: order.id }, hidden: true },
      el(
        "td",
        { colspan: 7 },
        el("p", {}, t("orders_agreement_version", { v: order.agreement_version })),
        el(
          "ul",
          {},
          order.items.map((i) =>
            el("li", {}, labelOf("order_action_", i.action) + " " + itemName(i) + " — " + yuan(i.monthly_fee), termsText(i.price_detail) ? el("div", { class: "muted small" }, t("orders_terms") + ": " + termsText(i.price_detail)) : null),
          ),
        ),
      ),
    );
    return [row, detail];
  }

  async function loadServices() {
    const root = $("[data-testid=current-services]");
    const s = await VP.api("GET", "/api/v1/me/services");
    const plan = $("[data-testid=current-plan]");
    if (s.plan) {
      plan.dataset.code = s.plan.code;
      // replaceChildren would write a null as the text "null": only the nodes there are.
      plan.replaceChildren(
        ...[
          el("strong", {}, nameOf(s.plan)),
          el("span", {}, t("prices_rent") + " " + yuan(s.plan.monthly_fee)),
          s.plan.last_day ? el("span", { class: "muted", "data-testid": "current-plan-ends" }, t("orders_plan_ends", { date: s.plan.last_day })) : null,
        ].filter(Boolean),
      );
    } else {
      plan.dataset.code = "";
      plan.replaceChildren(el("span", { class: "muted" }, t("orders_no_plan")));
    }
    const pending = $("[data-testid=pending-plan]");
    pending.hidden = !s.pending_plan;
    pending.textContent = s.pending_plan ? t("orders_pending_plan", { date: s.pending_plan.start_date, name: nameOf(s.pending_plan) }) : "";
    const table = $("[data-testid=current-vas]");
    fillTable(table, s.vas, vasRow);
    if (!s.vas.length) $("tbody td", table).textContent = t("orders_no_vas");
    $("[data-testid=monthly-total]").textContent = yuan(s.monthly_fee);
    setBusy(root, false);
  }

  async function loadOrders() {
    const table = $("[data-testid=orders-table]");
    const orders = await VP.api("GET", "/api/v1/me/orders");
    fillTable(table, orders, (order) => orderRows(order)[0]);
    // Each order row is followed by its (hidden) details row.
    orders.forEach((order) => {
      const row = $('[data-testid=order-row][data-id="' + CSS.escape(String(order.id)) + '"]', table);
      if (row) row.after(orderRows(order)[1]);
    });
    setBusy(table, false);
  }

  function init() {
    $("[data-testid=current-vas]").addEventListener("click", async (event) => {
      const button = event.target.closest("[data-testid=vas-remove]");
      if (!button) return;
      if (!window.confirm(t("orders_confirm_remove", { name: button.dataset.name }))) return;
      button.disabled = true;
      try {
        const view = await VP.api("POST", "/api/v1/me/orders", { action: "remove_vas", code: button.dataset.code });
        const done = $("[data-testid=orders-success]");
        done.textContent = t("orders_removed", { number: view.number });
        done.hidden = false;
        await Promise.all([loadServices(), loadOrders()]);
      } catch (error) {
        button.disabled = false;
        handlePageError(error);
      }
    });
    $("[data-testid=orders-table]").addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=order-details]");
      if (!button) return;
      const detail = $('[data-testid=order-detail][data-id="' + CSS.escape(button.dataset.id) + '"]');
      detail.hidden = !detail.hidden;
      button.setAttribute("aria-expanded", detail.hidden ? "false" : "true");
    });
    loadServices().catch(handlePageError);
    loadOrders().catch(handlePageError);
  }

  VP.pages.orders = init;
})();
