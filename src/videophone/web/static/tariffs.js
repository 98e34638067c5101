/* Console: tariffs — plans and value-added services with their price history, new prices from a
 * date, new plans and services, withdrawing from sale. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, fillTable, onSubmit, formValues, setBusy, handlePageError } = VP.ui;
  let catalog = { today: "", plans: [], vas: [] };

  function nameOf(item) {
    return VP.lang === "zh-CN" ? item.name_zh : item.name_en || item.name_zh;
  }

  function yuan(amount) {
    return "¥" + Number(amount).toFixed(2);
  }

  function planPriceText(p) {
    return yuan(p.monthly_rent) + " · " + t("prices_minutes", { n: p.included_minutes }) + " · " +
      t("prices_rate_value", { rate: p.rate_per_minute }) + " · " +
      t("prices_increments_value", { first: p.first_increment_seconds, next: p.next_increment_seconds });
  }

  function history(item, text) {
    const currentId = item.price ? item.price.id : null;
    return el(
      "ol",
      { class: "price-history", "data-testid": "price-history" },
      item.history.map((p) =>
        el(
          "li",
          { "data-testid": "price-history-item", dataset: { from: p.effective_from, current: p.id === currentId ? "true" : "false", upcoming: p.effective_from > catalog.today ? "true" : "false" } },
          p.effective_from + "：" + text(p) + (p.effective_from > catalog.today ? "（" + t("tariffs_upcoming") + "）" : ""),
        ),
      ),
    );
  }

  function row(kind, item, text) {
    return el(
      "tr",
      { "data-testid": kind + "-row", dataset: { code: item.code, active: item.active ? "true" : "false" } },
      el("td", { class: "mono" }, item.code),
      el("td", {}, nameOf(item), item.description_text ? el("div", { class: "muted small", "data-testid": kind + "-description" }, item.description_text) : null),
      kind === "vas" ? el("td", { "data-testid": "vas-feature-cell", dataset: { feature: item.feature || "" } }, t(item.feature ? "feature_" + item.feature : "feature_fee_only")) : null,
      el("td", { class: "wrap" }, history(item, text)),
      el("td", {}, el("span", { class: "badge state-" + (item.active ? "active" : "inactive"), "data-testid": kind + "-state" }, t(item.active ? "tariffs_active" : "tariffs_inactive"))),
      el(
        "td",
        {},
        el(
          "div",
          { class: "tariff-actions" },
          el("button", { type: "button", class: "button small", "data-testid": kind + "-price", dataset: { kind, code: item.code, action: "price" } }, t("tariffs_add_price")),
          el("button", { type: "button", class: "button small" + (item.active ? " danger" : ""), "data-testid": kind + "-toggle", dataset: { kind, code: item.code, action: "toggle", active: item.active ? "true" : "false" } }, t(item.active ? "tariffs_deactivate" : "tariffs_activate")),
        ),
      ),
    );
  }

  function fillTargets() {
    const form = $("#price-form");
    const kind = form.elements.kind.value;
    const items = kind === "plan" ? catalog.plans : catalog.vas;
    const select = form.elements.target;
    const previous = select.value;
    select.replaceChildren(...items.map((i) => el("option", { value: i.code }, i.code + " · " + nameOf(i))));
    if (items.some((i) => i.code === previous)) select.value = previous;
    $$("[data-price-for]", form).forEach((box) => {
      const on = box.dataset.priceFor === kind;
      box.hidden = !on;
      box.disabled = !on;
    });
  }

  function fillDescribed() {
    const form = $("#describe-form");
    const items = form.elements.kind.value === "plan" ? catalog.plans : catalog.vas;
    const select = form.elements.target;
    const previous = select.value;
    select.replaceChildren(...items.map((i) => el("option", { value: i.code }, i.code + " · " + nameOf(i))));
    if (items.some((i) => i.code === previous)) select.value = previous;
    const item = items.find((i) => i.code === select.value);
    form.elements.description.value = item ? item.description : "";
    form.elements.description_en.value = item ? item.description_en : "";
  }

  async function load() {
    catalog = await VP.api("GET", "/api/v1/console/tariffs");
    const plans = $("[data-testid=plans-table]");
    const vas = $("[data-testid=vas-table]");
    fillTable(plans, catalog.plans, (p) => row("plan", p, planPriceText));
    fillTable(vas, catalog.vas, (v) => row("vas", v, (p) => yuan(p.monthly_fee)));
    setBusy(plans, false);
    setBusy(vas, false);
    // The operator's today (not the browser's): a new price may start today or later.
    const from = $("#price-form").elements.effective_from;
    if (!from.value) from.value = catalog.today;
    from.min = catalog.today;
    fillTargets();
    fillDescribed();
  }

  function init() {
    const describeForm = $("#describe-form");
    describeForm.elements.kind.addEventListener("change", fillDescribed);
    describeForm.elements.target.addEventListener("change", fillDescribed);
    onSubmit(describeForm, async () => {
      const values = formValues(describeForm);
      const base = values.kind === "plan" ? "/api/v1/console/tariffs/plans/" : "/api/v1/console/tariffs/vas/";
      await VP.api("POST", base + encodeURIComponent(values.target) + "/descriptions", {
        description: String(values.description || "").trim(),
        description_en: String(values.description_en || "").trim(),
      });
      const done = $("[data-testid=describe-success]");
      done.textContent = t("tariffs_descriptions_saved");
      done.hidden = false;
      await load();
    });
    const priceForm = $("#price-form");
    priceForm.elements.kind.addEventListener("change", fillTargets);
    onSubmit(priceForm, async () => {
      const values = formValues(priceForm);
      const { kind, target } = values;
      // Only the fields of the chosen kind (a disabled fieldset does not mark its inputs disabled).
      const fields = kind === "plan"
        ? ["effective_from", "monthly_rent", "included_minutes", "rate_per_minute", "first_increment_seconds", "next_increment_seconds"]
        : ["effective_from", "monthly_fee"];
      const body = {};
      fields.forEach((key) => (body[key] = String(values[key] || "").trim()));
      const base = kind === "plan" ? "/api/v1/console/tariffs/plans/" : "/api/v1/console/tariffs/vas/";
      await VP.api("POST", base + encodeURIComponent(target) + "/prices", body);
      const done = $("[data-testid=price-success]");
      done.textContent = t("tariffs_price_saved");
      done.hidden = false;
      await load();
    });

    [["plan", "/api/v1/console/tariffs/plans"], ["vas", "/api/v1/console/tariffs/vas"]].forEach(([kind, url]) => {
      const form = $("#" + kind + "-form");
      onSubmit(form, async () => {
        const values = formValues(form);
        const body = {};
        Object.entries(values).forEach(([key, value]) => {
          const text = String(value).trim();
          if (text !== "" || key !== "effective_from") body[key] = text;
        });
        await VP.api("POST", url, body);
        form.reset();
        const done = $("[data-testid=" + kind + "-success]");
        done.textContent = t("tariffs_created");
        done.hidden = false;
        await load();
      });
    });

    document.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action][data-kind]");
      if (!button) return;
      const kind = button.dataset.kind;
      const code = button.dataset.code;
      if (button.dataset.action === "price") {
        priceForm.elements.kind.value = kind;
        fillTargets();
        priceForm.elements.target.value = code;
        priceForm.scrollIntoView({ block: "start", behavior: "smooth" });
        priceForm.elements.effective_from.focus();
        return;
      }
      button.disabled = true;
      try {
        const base = kind === "plan" ? "/api/v1/console/tariffs/plans/" : "/api/v1/console/tariffs/vas/";
        await VP.api("POST", base + encodeURIComponent(code) + "/active", { active: button.dataset.active !== "true" });
        await load();
      } catch (error) {
        button.disabled = false;
        handlePageError(error);
      }
    });
    load().catch(handlePageError);
  }

  VP.pages["console-tariffs"] = init;
})();
