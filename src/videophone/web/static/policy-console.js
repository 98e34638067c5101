/* Console: the operator policy editor. Every parameter by its type — a select for choices and the
 * default plan, a number with its unit, a switch for on/off — with a translated heading and hint; a change
 * is previewed in the agreement's clauses (server-rendered, nothing saved) before it is saved. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, fillTable, formatDate, labelOf, onSubmit, handlePageError, staffMe, can, showFormAlert, showSuccess } = VP.ui;

  function paramLabel(spec) {
    return VP.lang === "en" ? spec.label_en : spec.label_zh;
  }

  function planName(plan) {
    return (VP.lang === "en" ? plan.name_en : plan.name_zh) + (plan.active ? "" : " " + t("policy_plan_inactive"));
  }

  function control(spec, value, editable, policy) {
    const id = "policy-" + spec.name;
    const common = { id, name: spec.name, "aria-describedby": id + "-hint " + id + "-err", dataset: { original: String(value), kind: spec.kind, input: spec.input }, "data-testid": "policy-input-" + spec.name };
    if (spec.input === "select" || spec.input === "plan") {
      const options = spec.input === "plan"
        ? policy.plans.map((p) => el("option", { value: p.code, selected: p.code === value }, planName(p)))
        : spec.choices.map((c) => el("option", { value: c, selected: c === value }, labelOf("policy_choice_", c)));
      return el("select", Object.assign(common, { disabled: !editable }), options);
    }
    if (spec.input === "switch") {
      const box = el("input", Object.assign(common, { type: "checkbox", role: "switch", class: "switch", checked: Number(value) === 1, disabled: !editable }));
      box.dataset.original = Number(value) === 1 ? "1" : "0";
      return box;
    }
    const attrs = Object.assign(common, { value: String(value), readonly: !editable });
    if (spec.input === "integer") Object.assign(attrs, { type: "number", step: "1", min: spec.min, max: spec.max, inputmode: "numeric" });
    else if (spec.input === "decimal") Object.assign(attrs, { type: "text", inputmode: "decimal" });
    else Object.assign(attrs, { type: "text" });
    return el("input", attrs);
  }

  function policyField(spec, value, editable, policy) {
    const id = "policy-" + spec.name;
    const input = control(spec, value, editable, policy);
    const unit = spec.unit ? el("span", { class: "unit", "data-testid": "policy-unit-" + spec.name }, labelOf("policy_unit_", spec.unit)) : null;
    const range = spec.min !== null && spec.max !== null && spec.input === "integer" ? " " + t("policy_range") + " " + spec.min + "–" + spec.max + (spec.unit ? " " + labelOf("policy_unit_", spec.unit) : "") + "。" : "";
    let body;
    if (spec.input === "switch") {
      body = el("label", { class: "switch-row", for: id }, input, el("span", { "data-switch-text": "" }, t(Number(value) === 1 ? "policy_switch_on" : "policy_switch_off")));
      input.addEventListener("change", () => { $("[data-switch-text]", body).textContent = t(input.checked ? "policy_switch_on" : "policy_switch_off"); });
    } else {
      body = el("div", { class: "with-unit" }, input, unit);
    }
    return el(
      "div",
      { class: "field", "data-testid": "policy-field-" + spec.name },
      spec.input === "switch" ? el("span", { class: "label", id: id + "-label" }, paramLabel(spec)) : el("label", { for: id }, paramLabel(spec)),
      body,
      el("p", { class: "hint", id: id + "-hint" }, labelOf("policy_hint_", spec.name) + range),
      el("p", { class: "field-error", id: id + "-err", role: "alert", "data-error-for": spec.name }),
    );
  }

  function renderPolicy(form, policy, editable) {
    const container = $("[data-policy-groups]", form);
    container.replaceChildren();
    const groups = [];
    policy.parameters.forEach((spec) => {
      let group = groups.find((g) => g.name === spec.group);
      if (!group) groups.push((group = { name: spec.group, specs: [] }));
      group.specs.push(spec);
    });
    groups.forEach((group) => {
      const fieldset = el("fieldset", { class: "policy-group", "data-testid": "policy-group-" + group.name }, el("legend", {}, labelOf("policy_group_", group.name)));
      fieldset.append(el("div", { class: "field-grid" }, group.specs.map((spec) => policyField(spec, policy.values[spec.name], editable, policy))));
      container.append(fieldset);
    });
    form.dataset.version = policy.version;
    $("[data-testid=policy-version]").textContent = t("policy_version") + ": " + policy.version;
  }

  function valueWords(name, value, specs) {
    const spec = specs[name];
    if (!spec || value === null || value === undefined) return value === null || value === undefined ? "—" : String(value);
    if (spec.input === "switch") return t(Number(value) === 1 ? "policy_switch_on" : "policy_switch_off");
    if (spec.input === "select") return labelOf("policy_choice_", value);
    return String(value) + (spec.unit ? " " + labelOf("policy_unit_", spec.unit) : "");
  }

  function changeList(changes, specs) {
    const entries = Object.entries(changes || {});
    if (!entries.length) return "—";
    return el("ul", { class: "plain" }, entries.map(([name, c]) => el("li", {}, labelOf("policy_param_", name) + "：" + valueWords(name, c.before, specs) + " → " + valueWords(name, c.after, specs))));
  }

  async function loadPolicyHistory(specs) {
    const rows = await VP.api("GET", "/api/v1/console/policy/history");
    fillTable($("[data-testid=policy-history]"), rows, (row) =>
      el(
        "tr",
        { "data-testid": "policy-history-row" },
        el("td", {}, row.version),
        el("td", {}, formatDate(row.changed_at)),
        el("td", {}, row.changed_by_username || t("actor_system")),
        el("td", {}, row.reason === "initial" ? t("policy_reason_initial") : row.reason || "—"),
        el("td", {}, changeList(row.changes, specs)),
      ),
    );
  }

  function changedPolicyValues(form) {
    const values = {};
    $$("[data-policy-groups] input, [data-policy-groups] select", form).forEach((input) => {
      const current = input.type === "checkbox" ? (input.checked ? "1" : "0") : input.value;
      if (current === input.dataset.original) return;
      const integer = input.dataset.kind === "int" && /^-?\d+$/.test(current.trim());
      values[input.name] = integer ? parseInt(current, 10) : current.trim();
    });
    return values;
  }

  function renderPreview(preview) {
    const box = $("[data-testid=policy-preview]");
    const list = $("[data-preview-clauses]", box);
    list.replaceChildren();
    $("[data-preview-lead]", box).textContent = preview.clauses.length ? t("policy_preview_lead", { version: preview.agreement_version }) : t("policy_preview_none");
    preview.clauses.forEach((clause) => {
      const after = el("p", { class: "clause-after", "data-testid": "preview-after" }, clause.after.map((s) => (s.changed ? el("mark", { "data-testid": "preview-changed" }, s.text) : s.text)));
      list.append(el("li", { "data-testid": "preview-clause" },
        el("p", { class: "muted small" }, t("policy_preview_now")), el("p", { class: "clause-before" }, clause.before),
        el("p", { class: "muted small" }, t("policy_preview_after")), after));
    });
    box.hidden = false;
  }

  function initPolicy() {
    const form = $("#policy-form");
    let editable = false;
    let specs = {};
    let previewed = null;
    const load = async () => {
      const policy = await VP.api("GET", "/api/v1/console/policy");
      specs = Object.fromEntries(policy.parameters.map((p) => [p.name, p]));
      renderPolicy(form, policy, editable);
      $("[data-testid=policy-preview]").hidden = true;
      previewed = null;
    };
    form.addEventListener("input", () => {
      if (previewed !== null && JSON.stringify(changedPolicyValues(form)) !== previewed) $("[data-preview-lead]").textContent = t("policy_preview_stale");
    });
    onSubmit(form, async (event, submitter) => {
      const values = changedPolicyValues(form);
      if (!Object.keys(values).length) {
        showFormAlert(form, t("policy_no_changes"));
        return;
      }
      if (submitter && submitter.dataset.action === "preview") {
        renderPreview(await VP.api("POST", "/api/v1/console/policy/preview", { values }));
        previewed = JSON.stringify(values);
        return;
      }
      const body = { values, reason: form.elements.reason.value.trim(), version: Number(form.dataset.version) };
      const result = await VP.api("PUT", "/api/v1/console/policy", body);
      form.elements.reason.value = "";
      await load();
      await loadPolicyHistory(specs);
      showSuccess(form, t("policy_saved", { version: result.version }));
    });
    staffMe()
      .then((me) => {
        editable = can(me, "edit_policy");
        $("[data-edit-only]", form).hidden = !editable;
        return load();
      })
      .then(() => loadPolicyHistory(specs))
      .catch(handlePageError);
  }

  VP.pages["console-policy"] = initPolicy;
})();
