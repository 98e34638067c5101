/* Videophone pages: a small amount of vanilla JavaScript on top of server-rendered shells.
 * Every page talks to the JSON API; errors come back as localized problem JSON. */
(function () {
  "use strict";

  const VP = window.VP || { lang: "zh-CN", area: "portal", t: {}, idTypes: [] };

  // -- text ---------------------------------------------------------------------------------------
  function t(key, params) {
    let text = Object.prototype.hasOwnProperty.call(VP.t, key) ? VP.t[key] : key;
    Object.entries(params || {}).forEach(([name, value]) => {
      text = text.split("{" + name + "}").join(String(value));
    });
    return text;
  }

  function labelOf(prefix, value) {
    const key = prefix + value;
    return Object.prototype.hasOwnProperty.call(VP.t, key) ? VP.t[key] : value || "";
  }

  function idTypeLabel(value) {
    const found = (VP.idTypes || []).find((it) => it.value === value);
    return found ? found.label : labelOf("id_type_", value);
  }

  /** An instant in the page's language; on console pages in the operator's time zone (``VP.operator``),
   * not the browser's. A plain day (YYYY-MM-DD) stays a day. */
  function formatDate(iso) {
    if (!iso) return "";
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const zone = (VP.operator && VP.operator.zone) || undefined;
    return date.toLocaleString(VP.lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone });
  }

  /** A duration in seconds as mm:ss, or h:mm:ss from an hour on. */
  function mmss(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(s / 3600);
    const m = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
    const sec = String(s % 60).padStart(2, "0");
    return h ? h + ":" + m + ":" + sec : m + ":" + sec;
  }

  /** A number in the page's language ("—" when missing), at most ``digits`` decimals. */
  function num(value, digits) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(VP.lang, { maximumFractionDigits: digits === undefined ? 0 : digits });
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  // -- DOM ----------------------------------------------------------------------------------------
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  /** el("a", {href: "/x", class: "button"}, "text", otherNode) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    children.flat().forEach((child) => {
      if (child === null || child === undefined) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function setBusy(root, busy) {
    if (root) root.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /** Fill every [data-bind=key] inside root with values[key]. */
  function bind(root, values) {
    $$("[data-bind]", root).forEach((node) => {
      const key = node.dataset.bind;
      if (key in values) node.textContent = values[key] === null || values[key] === undefined ? "" : values[key];
    });
  }

  /** Replace a table body with one row per item, or an "empty" row. */
  function fillTable(table, items, rowOf) {
    const tbody = $("tbody", table);
    const columns = $$("thead th", table).length || 1;
    tbody.replaceChildren();
    if (!items.length) {
      tbody.append(el("tr", { class: "empty" }, el("td", { colspan: columns }, t("empty_list"))));
      return;
    }
    items.forEach((item) => tbody.append(rowOf(item)));
  }

  function badge(text, tone) {
    return el("span", { class: "badge" + (tone ? " " + tone : "") }, text);
  }

  function setStateBadge(node, state) {
    node.className = "badge state-" + state;
    node.dataset.state = state;
  }

  function reviewBadge(state) {
    return badge(labelOf("review_", state), "state-" + state);
  }

  // -- API ----------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.message || "error");
      this.status = status;
      this.problem = problem;
    }
  }

  function cookie(name) {
    const prefix = name + "=";
    const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
    return found ? decodeURIComponent(found.slice(prefix.length)) : "";
  }

  function csrfToken() {
    return cookie(VP.area === "console" ? "vp_staff_csrf" : "vp_csrf");
  }

  /** Send a request to the API; resolves with the parsed JSON (null for 204), throws ApiError. */
  async function api(method, url, body, extraHeaders) {
    const headers = Object.assign({ Accept: "application/json" }, extraHeaders || {});
    if (method !== "GET" && csrfToken()) headers["X-CSRF-Token"] = csrfToken();
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
    } catch (networkError) {
      throw new ApiError(0, { message: t("error_network"), errors: [] });
    }
    if (response.status === 204) return null;
    const isJson = (response.headers.get("content-type") || "").includes("json");
    const data = isJson ? await response.json() : null;
    if (!response.ok) throw new ApiError(response.status, data || { message: t("error_network"), errors: [] });
    return data;
  }

  function query(params) {
    const search = new URLSearchParams();
    Object.entries(params).forEach(([key, value]) => {
      if (value !== "" && value !== null && value !== undefined) search.set(key, value);
    });
    const text = search.toString();
    return text ? "?" + text : "";
  }

  function loginUrl() {
    const here = location.pathname + location.search;
    return VP.area === "console" ? "/console/login?next=" + encodeURIComponent(here) : "/login?next=" + encodeURIComponent(here);
  }

  /** Problems that are not about a form: a lost session sends the user to log in, the rest is shown. */
  function handlePageError(error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign(loginUrl());
      return;
    }
    const alert = $("[data-page-alert]");
    const message = error instanceof ApiError ? error.problem.message : t("error_network");
    if (alert) {
      alert.textContent = message;
      alert.hidden = false;
    }
    if (!(error instanceof ApiError)) console.warn(error); // eslint-disable-line no-console
  }

  // -- forms --------------------------------------------------------------------------------------
  function clearErrors(form) {
    $$("[data-error-for]", form).forEach((node) => {
      node.textContent = "";
    });
    $$("[aria-invalid]", form).forEach((node) => node.removeAttribute("aria-invalid"));
    $$("[data-form-alert], [data-form-success]", form).forEach((node) => {
      node.hidden = true;
      node.textContent = "";
    });
  }

  function errorSlot(form, field) {
    const candidates = [field, field.split(".").pop()];
    for (const name of candidates) {
      const slot = form.querySelector('[data-error-for="' + CSS.escape(name) + '"]');
      if (slot) return { slot, name };
    }
    return null;
  }

  function showFormAlert(form, message, extra) {
    const alert = $("[data-form-alert]", form);
    if (!alert) return;
    alert.replaceChildren(el("p", {}, message));
    if (extra && extra.length) alert.append(el("ul", {}, extra.map((text) => el("li", {}, text))));
    alert.hidden = false;
  }

  function showSuccess(form, message) {
    const node = $("[data-form-success]", form);
    if (!node) return;
    node.textContent = message;
    node.hidden = false;
  }

  /** Put each errors[] entry under its input and the top-level message in the form alert. */
  function showErrors(form, error) {
    clearErrors(form);
    if (!(error instanceof ApiError)) {
      showFormAlert(form, t("error_network"));
      return;
    }
    const problem = error.problem || {};
    const unplaced = [];
    let firstInvalid = null;
    (problem.errors || []).forEach((entry) => {
      const found = errorSlot(form, entry.field || "");
      if (!found) {
        unplaced.push(entry.message);
        return;
      }
      found.slot.textContent = found.slot.textContent ? found.slot.textContent + " " + entry.message : entry.message;
      const input = form.querySelector('[name="' + CSS.escape(found.name) + '"]');
      if (input) {
        input.setAttribute("aria-invalid", "true");
        firstInvalid = firstInvalid || input;
      }
    });
    showFormAlert(form, problem.message || t("error_network"), unplaced);
    if (firstInvalid && !firstInvalid.disabled) firstInvalid.focus();
  }

  /** The enabled, named controls of a form as a plain object (checkbox groups become arrays). */
  function formValues(form) {
    const values = {};
    const groups = new Set();
    $$("input[name], select[name], textarea[name]", form).forEach((input) => {
      if (input.disabled || input.type === "file") return;
      if (input.type === "checkbox") {
        const sameName = form.querySelectorAll('input[type="checkbox"][name="' + CSS.escape(input.name) + '"]');
        if (sameName.length > 1) {
          groups.add(input.name);
          values[input.name] = values[input.name] || [];
          if (input.checked) values[input.name].push(input.value);
        } else {
          values[input.name] = input.checked;
        }
        return;
      }
      if (input.type === "radio") {
        if (input.checked) values[input.name] = input.value;
        return;
      }
      values[input.name] = input.value;
    });
    return values;
  }

  /** Wire a form: on submit, clear errors, call handler; API problems are shown in the form. */
  function onSubmit(form, handler) {
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const submitter = event.submitter || $("[type=submit]", form);
      clearErrors(form);
      const buttons = $$("button[type=submit]", form);
      buttons.forEach((button) => (button.disabled = true));
      try {
        await handler(event, submitter);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401 && !form.dataset.anonymous) {
          location.assign(loginUrl());
          return;
        }
        showErrors(form, error);
      } finally {
        buttons.forEach((button) => (button.disabled = false));
      }
    });
  }

  function safeNext(fallback) {
    const next = new URLSearchParams(location.search).get("next") || "";
    const local = next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\");
    return local ? next : fallback;
  }

  // -- shared: logout -----------------------------------------------------------------------------
  function initLogout() {
    $$("[data-action=logout]").forEach((button) => {
      button.addEventListener("click", async () => {
        const console_ = VP.area === "console";
        try {
          await api("POST", console_ ? "/api/v1/console/auth/logout" : "/api/v1/auth/logout");
        } catch (error) {
          /* already logged out: nothing to do */
        }
        location.assign(console_ ? "/console/login" : "/");
      });
    });
  }

  // -- portal: register ---------------------------------------------------------------------------
  function applyKind(form, kind) {
    $$("[data-kind-only]", form).forEach((node) => {
      const active = node.dataset.kindOnly === kind;
      node.hidden = !active;
      $$("input, select, textarea", node).forEach((input) => (input.disabled = !active));
    });
  }

  function registrationBody(form) {
    const values = formValues(form);
    const body = {};
    Object.entries(values).forEach(([name, value]) => {
      if (typeof value === "string" && value.trim() === "") return;
      body[name] = typeof value === "string" && name !== "password" ? value.trim() : value;
    });
    body.accept_agreement = Boolean(values.accept_agreement);
    if (body.agreement_version !== undefined) body.agreement_version = Number(body.agreement_version);
    return body;
  }

  function initRegister() {
    const form = $("#register-form");
    form.dataset.anonymous = "1";
    const checkedKind = () => ($("input[name=kind]:checked", form) || {}).value || "person";
    $$("input[name=kind]", form).forEach((radio) => radio.addEventListener("change", () => applyKind(form, checkedKind())));
    applyKind(form, checkedKind());
    onSubmit(form, async () => {
      const created = await api("POST", "/api/v1/subscribers", registrationBody(form), { "X-Client": "web" });
      const panel = $("[data-testid=register-success]");
      $("[data-testid=new-number]", panel).textContent = created.number;
      form.hidden = true;
      $$(".form-card > .lead").forEach((node) => (node.hidden = true));
      panel.hidden = false;
      panel.focus();
    });
  }

  // -- portal: login ------------------------------------------------------------------------------
  function initLogin() {
    const form = $("#login-form");
    form.dataset.anonymous = "1";
    onSubmit(form, async () => {
      const values = formValues(form);
      await api("POST", "/api/v1/auth/login", { login: values.login.trim(), password: values.password });
      location.assign(safeNext("/account"));
    });
  }

  // -- portal: password reset ---------------------------------------------------------------------
  function initForgotPassword() {
    const form = $("#forgot-form");
    form.dataset.anonymous = "1";
    onSubmit(form, async () => {
      await api("POST", "/api/v1/auth/password-reset", { login: formValues(form).login.trim() });
      form.hidden = true;
      const sent = $("[data-testid=forgot-sent]");
      sent.hidden = false;
      sent.focus();
    });
  }

  function initResetPassword() {
    const form = $("#reset-form");
    form.dataset.anonymous = "1";
    onSubmit(form, async () => {
      const values = formValues(form);
      await api("POST", "/api/v1/auth/password-reset/confirm", { token: values.token, new_password: values.new_password });
      form.hidden = true;
      const done = $("[data-testid=reset-done]");
      done.hidden = false;
      done.focus();
    });
  }

  // -- portal: account ----------------------------------------------------------------------------
  function accountValues(me) {
    return Object.assign({}, me, {
      kind_label: labelOf("kind_", me.kind),
      id_type_label: idTypeLabel(me.id_type),
      review_state_label: labelOf("review_", me.review_state),
      service_state_label: labelOf("service_", me.service_state),
      agreement_version_label: me.agreement_version ? t("agreement_version_value", { version: me.agreement_version }) : "—",
      agreement_accepted_at_label: formatDate(me.agreement_accepted_at) || "—",
      created_at_label: formatDate(me.created_at),
    });
  }

  function showKindRows(root, kind) {
    $$("[data-person-only]", root).forEach((node) => (node.hidden = kind !== "person"));
    $$("[data-org-only]", root).forEach((node) => (node.hidden = kind !== "organization"));
  }

  function documentRow(doc, link) {
    const name = link ? el("a", { href: link, target: "_blank", rel: "noopener", "data-testid": "document-link" }, doc.filename) : doc.filename;
    return el(
      "tr",
      { "data-testid": "document-row" },
      el("td", {}, name),
      el("td", {}, doc.content_type),
      el("td", { class: "num" }, formatSize(doc.size)),
      el("td", {}, formatDate(doc.uploaded_at)),
    );
  }

  async function loadMyDocuments() {
    const docs = await api("GET", "/api/v1/me/documents");
    $("[data-testid=documents-block]").hidden = docs.length === 0;
    fillTable($("[data-testid=documents-list]"), docs, (doc) => documentRow(doc, null));
  }

  async function loadAccount() {
    const root = $("[data-testid=account]");
    const me = await api("GET", "/api/v1/me");
    bind(document, accountValues(me));
    $("[data-second-number]", root).hidden = !me.second_number; // 第二号码 while subscribed
    showKindRows(root, me.kind);
    setStateBadge($("[data-testid=review-state]"), me.review_state);
    $("[data-testid=review-reason-block]").hidden = !me.review_reason;
    $("[data-testid=documents-section]").hidden = me.review_state !== "documents_requested";
    const contact = $("#contact-form");
    ["contact_phone", "email", "postal_code"].forEach((name) => {
      contact.elements[name].value = me[name] || "";
      contact.elements[name].dataset.current = me[name] || "";
    });
    $("#notice-language").value = me.language;
    setBusy(root, false);
    await loadMyDocuments();
    return me;
  }

  function sessionRow(session) {
    const actions = session.current
      ? badge(t("session_current"), "state-verified")
      : el("button", { type: "button", class: "button small", "data-testid": "session-revoke", dataset: { sessionId: session.id } }, t("session_revoke"));
    return el(
      "tr",
      { "data-testid": "session-row", dataset: { current: session.current ? "true" : "false" } },
      el("td", {}, labelOf("session_kind_", session.kind)),
      el("td", {}, session.label || "—"),
      el("td", {}, session.ip),
      el("td", { class: "ua" }, session.user_agent),
      el("td", {}, formatDate(session.created_at)),
      el("td", {}, formatDate(session.last_seen_at)),
      el("td", {}, actions),
    );
  }

  async function loadSessions() {
    const sessions = await api("GET", "/api/v1/me/sessions");
    fillTable($("[data-testid=sessions]"), sessions, sessionRow);
  }

  function initSessionRevoke() {
    $("[data-testid=sessions]").addEventListener("click", async (event) => {
      const button = event.target.closest("[data-testid=session-revoke]");
      if (!button) return;
      button.disabled = true;
      try {
        await api("DELETE", "/api/v1/me/sessions/" + encodeURIComponent(button.dataset.sessionId));
        await loadSessions();
      } catch (error) {
        button.disabled = false;
        handlePageError(error);
      }
    });
  }

  function initUpload() {
    const form = $("#upload-form");
    onSubmit(form, async () => {
      const input = form.elements.file;
      if (!input.files.length) {
        $("[data-error-for=file]", form).textContent = t("documents_choose_file");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      const data = new FormData();
      data.append("file", input.files[0]);
      await api("POST", "/api/v1/me/documents", data);
      input.value = "";
      showSuccess(form, t("documents_uploaded"));
      await loadMyDocuments();
    });
  }

  function initContactForm() {
    const form = $("#contact-form");
    onSubmit(form, async () => {
      const changes = {};
      Object.entries(formValues(form)).forEach(([name, value]) => {
        const current = form.elements[name].dataset.current || "";
        if (value.trim() !== "" && value.trim() !== current) changes[name] = value.trim();
      });
      if (!Object.keys(changes).length) {
        showFormAlert(form, t("nothing_changed"));
        return;
      }
      await api("PATCH", "/api/v1/me", changes);
      ["address", "employer"].forEach((name) => (form.elements[name].value = ""));
      await loadAccount();
      showSuccess(form, t("contact_saved"));
    });
  }

  /** The language of the account's notices (email, SMS); the pages keep the language switch's choice. */
  function initNoticeLanguageForm() {
    const form = $("#notice-language-form");
    onSubmit(form, async () => {
      await api("PUT", "/api/v1/me/language", { language: form.elements.language.value });
      showSuccess(form, t("notice_language_saved"));
    });
  }

  function initPasswordForm() {
    const form = $("#password-form");
    onSubmit(form, async () => {
      await api("POST", "/api/v1/me/password", formValues(form));
      form.reset();
      showSuccess(form, t("password_changed"));
      await loadSessions();
    });
  }

  function initTokenForm() {
    const form = $("#token-form");
    onSubmit(form, async () => {
      const issued = await api("POST", "/api/v1/me/tokens", { label: form.elements.label.value.trim() });
      const box = $("[data-testid=token-result]");
      $("[data-testid=new-token]", box).textContent = issued.token;
      $("[data-token-expires]", box).textContent = formatDate(issued.expires_at);
      box.hidden = false;
      form.reset();
      await loadSessions();
    });
  }

  function initAccount() {
    initUpload();
    initContactForm();
    initNoticeLanguageForm();
    initPasswordForm();
    initTokenForm();
    initSessionRevoke();
    loadAccount().then(loadSessions).catch(handlePageError);
  }

  // -- console: common ----------------------------------------------------------------------------
  let staffPromise = null;

  function staffMe() {
    staffPromise = staffPromise || api("GET", "/api/v1/console/me");
    return staffPromise;
  }

  function can(me, permission) {
    return (me.permissions || []).includes(permission);
  }

  function applyPermissions(me) {
    $$("[data-perm]").forEach((node) => {
      if (can(me, node.dataset.perm)) node.hidden = false;
    });
    // A menu group shows when at least one of its links is allowed.
    $$("[data-perm-group]").forEach((group) => {
      group.hidden = !$$("a[data-perm]", group).some((link) => !link.hidden);
    });
  }

  async function initConsoleChrome() {
    const me = await staffMe();
    $("[data-testid=staff-name]").textContent = me.display_name;
    $("[data-testid=staff-roles]").textContent = me.roles.map((role) => labelOf("role_", role)).join(" · ");
    $("[data-testid=staff-identity]").hidden = false;
    applyPermissions(me);
    return me;
  }

  function initConsoleLogin() {
    const form = $("#console-login-form");
    form.dataset.anonymous = "1";
    onSubmit(form, async () => {
      const values = formValues(form);
      await api("POST", "/api/v1/console/auth/login", { username: values.username.trim(), password: values.password });
      location.assign(safeNext("/console/dashboard"));
    });
  }

  /** Simple offset pager under a table. */
  function renderPager(container, total, offset, limit, go) {
    if (!container) return;
    container.replaceChildren();
    container.hidden = total <= limit && offset === 0;
    if (container.hidden) return;
    const to = Math.min(offset + limit, total);
    const prev = el("button", { type: "button", class: "button small", disabled: offset === 0, "data-testid": "page-prev", onclick: () => go(Math.max(0, offset - limit)) }, t("previous_page"));
    const next = el("button", { type: "button", class: "button small", disabled: to >= total, "data-testid": "page-next", onclick: () => go(offset + limit) }, t("next_page"));
    container.append(prev, el("span", { class: "muted" }, t("page_info", { from: total ? offset + 1 : 0, to, total })), next);
  }

  // -- console: review queue ----------------------------------------------------------------------
  function queueRow(item) {
    const href = "/console/subscribers/" + item.subscriber_id;
    return el(
      "tr",
      { "data-testid": "queue-row", dataset: { subscriberId: item.subscriber_id, number: item.number } },
      el("td", { class: "mono" }, item.number),
      el("td", {}, item.name),
      el("td", {}, labelOf("kind_", item.kind)),
      el("td", { class: "mono" }, item.id_number),
      el("td", {}, reviewBadge(item.review_state)),
      el("td", {}, formatDate(item.registered_at)),
      el("td", { class: "num", "data-testid": "queue-documents" }, item.documents),
      el("td", {}, el("a", { href, class: "button small", "data-testid": "queue-open" }, t("open_subscriber"))),
    );
  }

  async function loadQueue(offset) {
    const limit = 50;
    const table = $("[data-testid=review-queue]");
    const data = await api("GET", "/api/v1/console/review-queue" + query({ offset, limit }));
    fillTable(table, data.items, queueRow);
    setBusy(table, false);
    renderPager($("[data-pager]"), data.total, offset, limit, (next) => loadQueue(next).catch(handlePageError));
  }

  function initReviews() {
    loadQueue(0).catch(handlePageError);
  }

  // -- console: subscriber search -----------------------------------------------------------------
  function subscriberRow(sub) {
    return el(
      "tr",
      { "data-testid": "subscriber-row", dataset: { subscriberId: sub.id } },
      el("td", { class: "mono" }, sub.number),
      el("td", {}, sub.name),
      el("td", {}, labelOf("kind_", sub.kind)),
      el("td", {}, sub.email),
      el("td", {}, reviewBadge(sub.review_state)),
      el("td", {}, formatDate(sub.created_at)),
      el("td", {}, el("a", { href: "/console/subscribers/" + sub.id, class: "button small", "data-testid": "subscriber-open" }, t("open_subscriber"))),
    );
  }

  function initSubscribers() {
    const form = $("#subscriber-search");
    const limit = 50;
    const load = async (offset) => {
      const values = formValues(form);
      const data = await api("GET", "/api/v1/console/subscribers" + query({ q: values.q.trim(), review_state: values.review_state, offset, limit }));
      fillTable($("[data-testid=subscriber-results]"), data.items, subscriberRow);
      renderPager($("[data-pager]"), data.total, offset, limit, (next) => load(next).catch(handlePageError));
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      load(0).catch(handlePageError);
    });
    load(0).catch(handlePageError);
  }

  // -- console: subscriber detail -----------------------------------------------------------------
  function decisionRow(d) {
    return el(
      "tr",
      { "data-testid": "decision-row" },
      el("td", {}, formatDate(d.at)),
      el("td", {}, labelOf("action_", d.action)),
      el("td", {}, labelOf("review_", d.from)),
      el("td", {}, labelOf("review_", d.to)),
      el("td", {}, d.reason || "—"),
      el("td", {}, d.staff_username || "—"),
    );
  }

  function numberChangeRow(n) {
    return el(
      "tr",
      {},
      el("td", {}, formatDate(n.at)),
      el("td", { class: "mono" }, n.old),
      el("td", { class: "mono" }, n.new),
      el("td", {}, labelOf("reason_", n.reason)),
      el("td", {}, n.note || "—"),
    );
  }

  async function loadSubscriber(root, id) {
    const data = await api("GET", "/api/v1/console/subscribers/" + encodeURIComponent(id));
    const sub = data.subscriber;
    bind(document, accountValues(sub));
    setStateBadge($("[data-testid=subscriber-review-state]"), sub.review_state);
    showKindRows(root, sub.kind);
    $("[data-testid=subscriber-review-reason]").hidden = !sub.review_reason;
    const docLink = (doc) => "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/documents/" + doc.id;
    fillTable($("[data-testid=subscriber-documents]"), data.documents, (doc) => documentRow(doc, docLink(doc)));
    fillTable($("[data-testid=review-decisions]"), data.review_decisions, decisionRow);
    fillTable($("[data-testid=number-changes]"), data.number_changes, numberChangeRow);
    if (window.VP.ui.auditNames) await window.VP.ui.auditNames();
    fillTable($("[data-testid=account-history]"), data.history, window.VP.ui.auditHistoryRow);
    $$(".revealable", root).forEach((row) => {
      const span = $("[data-bind]", row);
      span.classList.remove("revealed");
    });
    setBusy(root, false);
  }

  function initReveal(root, id) {
    $$(".revealable", root).forEach((row) => {
      const field = row.dataset.revealField;
      const button = $("[data-action=reveal]", row);
      const form = $("form", row);
      button.addEventListener("click", () => {
        form.hidden = !form.hidden;
        button.setAttribute("aria-expanded", String(!form.hidden));
        if (!form.hidden) form.elements.reason.focus();
      });
      onSubmit(form, async () => {
        const result = await api("POST", "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/reveal", { field, reason: form.elements.reason.value.trim() });
        const span = $("[data-bind]", row);
        span.textContent = result.value;
        span.classList.add("revealed");
        form.hidden = true;
        button.hidden = true;
      });
    });
  }

  function initReviewForm(root, id) {
    const form = $("#review-form");
    onSubmit(form, async (event, submitter) => {
      const action = submitter && submitter.value ? submitter.value : "verify";
      await api("POST", "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/review", { action, reason: form.elements.reason.value.trim() });
      form.elements.reason.value = "";
      await loadSubscriber(root, id);
      showSuccess(form, t("review_done"));
    });
  }

  function initNumberChange(root, id) {
    const form = $("#number-change-form");
    onSubmit(form, async () => {
      const values = formValues(form);
      const result = await api("POST", "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/number-change", { reason: values.reason, note: values.note.trim() });
      form.elements.note.value = "";
      await loadSubscriber(root, id);
      showSuccess(form, t("number_changed", { number: result.number }));
    });
  }

  function initSubscriber() {
    const root = $("#subscriber");
    const id = root.dataset.subscriberId;
    initReveal(root, id);
    initReviewForm(root, id);
    initNumberChange(root, id);
    loadSubscriber(root, id).catch(handlePageError);
  }

  // -- console: staff -----------------------------------------------------------------------------
  function staffRow(s) {
    const toggle = el(
      "button",
      { type: "button", class: "button small" + (s.active ? " danger" : ""), "data-testid": "staff-toggle", dataset: { staffId: s.id, active: s.active ? "true" : "false" } },
      t(s.active ? "staff_deactivate" : "staff_activate"),
    );
    return el(
      "tr",
      { "data-testid": "staff-row", dataset: { username: s.username } },
      el("td", { class: "mono" }, s.username),
      el("td", {}, s.display_name),
      el("td", {}, s.roles.map((role) => labelOf("role_", role)).join("、")),
      el("td", {}, badge(t(s.active ? "staff_active" : "staff_inactive"), s.active ? "state-verified" : "state-rejected")),
      el("td", {}, toggle),
    );
  }

  async function loadStaff() {
    const rows = await api("GET", "/api/v1/console/staff");
    fillTable($("[data-testid=staff-table]"), rows, staffRow);
  }

  function initStaff() {
    const form = $("#staff-form");
    onSubmit(form, async () => {
      const values = formValues(form);
      await api("POST", "/api/v1/console/staff", { username: values.username.trim(), display_name: values.display_name.trim(), password: values.password, roles: values.roles || [] });
      form.reset();
      showSuccess(form, t("staff_created"));
      await loadStaff();
    });
    $("[data-testid=staff-table]").addEventListener("click", async (event) => {
      const button = event.target.closest("[data-testid=staff-toggle]");
      if (!button) return;
      button.disabled = true;
      try {
        await api("POST", "/api/v1/console/staff/" + encodeURIComponent(button.dataset.staffId) + "/active", { active: button.dataset.active !== "true" });
        await loadStaff();
      } catch (error) {
        button.disabled = false;
        handlePageError(error);
      }
    });
    loadStaff().catch(handlePageError);
  }

  // -- start --------------------------------------------------------------------------------------
  const PAGES = {
    register: initRegister,
    login: initLogin,
    "forgot-password": initForgotPassword,
    "reset-password": initResetPassword,
    account: initAccount,
    "console-login": initConsoleLogin,
    "console-reviews": initReviews,
    "console-subscribers": initSubscribers,
    "console-subscriber": initSubscriber,
    "console-staff": initStaff,
  };

  // Navigation menus: one open at a time; a click elsewhere or Escape closes them.
  function initNavGroups() {
    const groups = $$(".nav-group");
    groups.forEach((group) => {
      group.addEventListener("toggle", () => {
        if (group.open) groups.forEach((other) => { if (other !== group) other.open = false; });
      });
    });
    document.addEventListener("click", (event) => {
      groups.forEach((group) => { if (group.open && !group.contains(event.target)) group.open = false; });
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") groups.forEach((group) => { group.open = false; });
    });
  }

  // The menu button (phone width): opens and closes the navigation; Escape or a click outside closes it.
  function initNavToggle() {
    const toggle = $(".nav-toggle");
    if (!toggle) return;
    const bar = toggle.closest(".topbar");
    const setOpen = (open) => {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      bar.classList.toggle("nav-open", open);
    };
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      setOpen(false);
      toggle.focus();
    });
    document.addEventListener("click", (event) => {
      if (toggle.getAttribute("aria-expanded") === "true" && !bar.contains(event.target)) setOpen(false);
    });
  }

  // Tables at phone width: every cell carries its column's name (data-label), which the portal's card
  // layout shows before the value; a table wider than its box says so (shadows and a hint).
  function labelCells(table) {
    const heads = $$("thead th", table).map((th) => th.textContent.replace(/\s+/g, " ").trim());
    if (!heads.length) return;
    $$("tbody tr", table).forEach((row) => {
      let column = 0;
      Array.from(row.cells).forEach((cell) => {
        if (!cell.hasAttribute("data-label") && heads[column]) cell.dataset.label = heads[column];
        column += cell.colSpan || 1;
      });
    });
  }

  function initTables() {
    const tables = () => $$("table.table");
    tables().forEach(labelCells);
    new MutationObserver((records) => {
      const touched = new Set();
      records.forEach((record) => {
        const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        const table = target && target.closest("table.table");
        if (table) touched.add(table);
        record.addedNodes.forEach((node) => {
          if (node.nodeType === 1) $$("table.table", node).forEach((found) => touched.add(found));
        });
      });
      touched.forEach(labelCells);
    }).observe(document.body, { childList: true, subtree: true });
    // Tables wider than their box scroll sideways: table-scroll.js (the hint and the keyboard).
  }

  function start() {
    const page = document.body.dataset.page;
    initLogout();
    initNavGroups();
    initNavToggle();
    initTables();
    if (VP.area === "console" && page !== "console-login" && page !== "not-found") {
      initConsoleChrome().catch(handlePageError);
    }
    const init = PAGES[page] || (window.VP.pages || {})[page];
    if (init) init();
  }

  window.VP.api = api;
  // Shared helpers for the page scripts loaded after this one (phone.js, contacts.js, history.js, …);
  // each registers its initializer in VP.pages[<body data-page>].
  window.VP.pages = window.VP.pages || {};
  window.VP.ui = { t, el, $, $$, bind, fillTable, formatDate, formatSize, labelOf, onSubmit, formValues,
    showErrors, setBusy, handlePageError, ApiError, query, renderPager, mmss, num, staffMe, can, showFormAlert,
    showSuccess, clearErrors };
  window.VP.showErrors = showErrors;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
