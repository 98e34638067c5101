/* Console: client releases — publish a web or terminal release; newest version first. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, formatDate, onSubmit, formValues, setBusy, handlePageError, labelOf } = VP.ui;

  function releaseRow(r) {
    return el(
      "tr",
      { "data-testid": "release-row", dataset: { platform: r.platform, version: r.version } },
      el("td", {}, labelOf("creleases_platform_", r.platform)),
      el("td", { class: "mono" }, r.version),
      el("td", {}, t(r.mandatory ? "creleases_yes" : "creleases_no")),
      el("td", { class: "wrap" }, r.notes),
      el("td", {}, formatDate(r.published_at)),
    );
  }

  async function load() {
    const data = await VP.api("GET", "/api/v1/console/releases");
    const table = $("[data-testid=releases-table]");
    fillTable(table, data.items, releaseRow);
    setBusy(table, false);
    $("[data-testid=releases-none]").hidden = data.items.length > 0;
  }

  function init() {
    const form = $("#release-form");
    onSubmit(form, async () => {
      const values = formValues(form);
      const release = await VP.api("POST", "/api/v1/console/releases", {
        platform: values.platform,
        version: values.version.trim(),
        notes: values.notes.trim(),
        mandatory: Boolean(values.mandatory),
      });
      form.reset();
      const done = $("[data-form-success]", form);
      done.textContent = t("creleases_done", { version: release.version });
      done.hidden = false;
      await load();
    });
    load().catch(handlePageError);
  }

  VP.pages["console-releases"] = init;
})();
