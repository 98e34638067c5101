/* Contacts page: address book, block list, harassment reports. Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf, query, renderPager } = VP.ui;
  const PAGE_SIZE = 50;
  let offset = 0;

  function showSuccess(form, message) {
    const node = $("[data-form-success]", form);
    if (!node) return;
    node.textContent = message;
    node.hidden = false;
  }

  function stateBadge(state) {
    return el("span", { class: "badge state-" + state, "data-testid": "report-state", dataset: { state } }, labelOf("report_state_", state));
  }

  // -- address book ---------------------------------------------------------------------------------
  function contactRow(contact) {
    const fav = el(
      "button",
      {
        type: "button",
        class: "button small fav-toggle",
        "aria-pressed": contact.favourite ? "true" : "false",
        "aria-label": t(contact.favourite ? "contacts_unmark_favourite" : "contacts_mark_favourite") + " · " + contact.name,
        title: t(contact.favourite ? "contacts_unmark_favourite" : "contacts_mark_favourite"),
        "data-testid": "contact-favourite",
        dataset: { action: "favourite", id: contact.id, favourite: contact.favourite ? "true" : "false" },
      },
      contact.favourite ? "★" : "☆",
    );
    const actions = el(
      "div",
      { class: "contacts-actions" },
      el("a", { class: "button small primary", href: "/phone?to=" + encodeURIComponent(contact.number), "data-testid": "contact-call" }, t("contacts_call")),
      el("button", { type: "button", class: "button small", "data-testid": "contact-edit", dataset: { action: "edit", id: contact.id } }, t("contacts_edit")),
      el("button", { type: "button", class: "button small danger", "data-testid": "contact-delete", dataset: { action: "delete", id: contact.id } }, t("contacts_delete")),
    );
    const row = el(
      "tr",
      { "data-testid": "contact-row", dataset: { id: contact.id, number: contact.number, favourite: contact.favourite ? "true" : "false" } },
      el("td", {}, fav),
      el(
        "td",
        {},
        el("strong", { "data-testid": "contact-row-name" }, contact.name),
        contact.note ? el("span", { class: "contact-note muted", "data-testid": "contact-row-note" }, contact.note) : null,
      ),
      el("td", { class: "mono", "data-testid": "contact-row-number" }, contact.number),
      el("td", {}, actions),
    );
    row.contact = contact;
    return row;
  }

  async function loadContacts(from) {
    offset = from === undefined ? offset : from;
    const values = formValues($("#contacts-search"));
    const table = $("[data-testid=contacts-table]");
    const data = await VP.api("GET", "/api/v1/me/contacts" + query({ q: values.q.trim(), favourites_only: values.favourites_only ? "true" : "", offset, limit: PAGE_SIZE }));
    fillTable(table, data.items, contactRow);
    setBusy(table, false);
    $("[data-testid=contacts-total]").textContent = t("contacts_total", { total: data.total });
    renderPager($("[data-testid=contacts-pager]"), data.total, offset, PAGE_SIZE, (next) => loadContacts(next).catch(handlePageError));
  }

  function resetContactForm() {
    const form = $("#contact-form");
    form.reset();
    form.elements.id.value = "";
    $("[data-testid=contact-form-title]").textContent = t("contacts_form_add");
    $("[data-testid=contact-cancel]").hidden = true;
  }

  function editContact(contact) {
    const form = $("#contact-form");
    form.elements.id.value = contact.id;
    form.elements.name.value = contact.name;
    form.elements.number.value = contact.number;
    form.elements.note.value = contact.note || "";
    form.elements.favourite.checked = contact.favourite;
    $("[data-testid=contact-form-title]").textContent = t("contacts_form_edit");
    $("[data-testid=contact-cancel]").hidden = false;
    form.scrollIntoView({ block: "start", behavior: "smooth" });
    form.elements.name.focus();
  }

  function initContacts() {
    const search = $("#contacts-search");
    search.addEventListener("submit", (event) => {
      event.preventDefault();
      loadContacts(0).catch(handlePageError);
    });
    search.elements.favourites_only.addEventListener("change", () => loadContacts(0).catch(handlePageError));

    const form = $("#contact-form");
    onSubmit(form, async () => {
      const values = formValues(form);
      const body = { name: values.name.trim(), number: values.number.trim(), note: values.note.trim(), favourite: values.favourite };
      if (values.id) await VP.api("PATCH", "/api/v1/me/contacts/" + encodeURIComponent(values.id), body);
      else await VP.api("POST", "/api/v1/me/contacts", body);
      resetContactForm();
      showSuccess(form, t("contacts_saved"));
      await loadContacts();
    });
    $("[data-testid=contact-cancel]").addEventListener("click", resetContactForm);

    $("[data-testid=contacts-table]").addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const row = button.closest("tr");
      const contact = row && row.contact;
      if (!contact) return;
      if (button.dataset.action === "edit") {
        editContact(contact);
        return;
      }
      if (button.dataset.action === "delete" && !window.confirm(t("contacts_delete_confirm", { name: contact.name }))) return;
      button.disabled = true;
      try {
        if (button.dataset.action === "delete") {
          await VP.api("DELETE", "/api/v1/me/contacts/" + encodeURIComponent(contact.id));
          if (String(form.elements.id.value) === String(contact.id)) resetContactForm();
        } else {
          await VP.api("PATCH", "/api/v1/me/contacts/" + encodeURIComponent(contact.id), { favourite: !contact.favourite });
        }
        await loadContacts();
      } catch (error) {
        button.disabled = false;
        handlePageError(error);
      }
    });
  }

  // -- block list -----------------------------------------------------------------------------------
  function blockRow(block) {
    return el(
      "tr",
      { "data-testid": "block-row", dataset: { id: block.id, number: block.number } },
      el("td", { class: "mono" }, block.number),
      el("td", { class: "wrap" }, block.reason || "—"),
      el("td", {}, formatDate(block.created_at)),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "block-remove", dataset: { id: block.id } }, t("blocks_remove"))),
    );
  }

  async function loadBlocks() {
    const blocks = await VP.api("GET", "/api/v1/me/blocks");
    fillTable($("[data-testid=blocks-table]"), blocks, blockRow);
  }

  function initBlocks() {
    const form = $("#block-form");
    onSubmit(form, async () => {
      const values = formValues(form);
      await VP.api("POST", "/api/v1/me/blocks", { number: values.number.trim(), reason: values.reason.trim() });
      form.reset();
      showSuccess(form, t("blocks_added"));
      await loadBlocks();
    });
    $("[data-testid=blocks-table]").addEventListener("click", async (event) => {
      const button = event.target.closest("[data-testid=block-remove]");
      if (!button) return;
      button.disabled = true;
      try {
        await VP.api("DELETE", "/api/v1/me/blocks/" + encodeURIComponent(button.dataset.id));
        await loadBlocks();
      } catch (error) {
        button.disabled = false;
        handlePageError(error);
      }
    });
  }

  // -- harassment reports -----------------------------------------------------------------------------
  function reportRow(report) {
    return el(
      "tr",
      { "data-testid": "my-report-row", dataset: { id: report.id, state: report.state } },
      el("td", { class: "num" }, "#" + report.id),
      el("td", { class: "mono" }, report.reported_number),
      el("td", { class: "wrap" }, report.description),
      el("td", {}, stateBadge(report.state)),
      el("td", { class: "wrap", "data-testid": "my-report-resolution" }, report.resolution || "—"),
      el("td", {}, formatDate(report.created_at)),
    );
  }

  async function loadReports() {
    const data = await VP.api("GET", "/api/v1/me/reports" + query({ limit: 200 }));
    fillTable($("[data-testid=my-reports]"), data.items, reportRow);
  }

  function initReports() {
    const form = $("#report-form");
    onSubmit(form, async () => {
      const values = formValues(form);
      const report = await VP.api("POST", "/api/v1/me/reports", { number: values.number.trim(), description: values.description.trim(), block: values.block });
      form.reset();
      showSuccess(form, t("reports_sent", { id: report.id }));
      await Promise.all([loadReports(), values.block ? loadBlocks() : null]);
    });
    // A link such as /contacts?report=<number> (e.g. from the call history) fills in the number.
    const params = new URLSearchParams(location.search);
    if (params.get("report")) form.elements.number.value = params.get("report");
    if (params.get("block")) $("#block-form").elements.number.value = params.get("block");
  }

  function init() {
    initContacts();
    initBlocks();
    initReports();
    Promise.all([loadContacts(0), loadBlocks(), loadReports()]).catch(handlePageError);
  }

  VP.pages.contacts = init;
})();
