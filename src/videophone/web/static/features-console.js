/* Console, a subscriber's page: the calling features their value-added services turn on now (issue 14).
 * Uses the helpers of app.js. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, setBusy, handlePageError } = VP.ui;

  async function load(root) {
    const id = root.dataset.subscriberId;
    try {
      const data = await VP.api("GET", "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/features");
      const list = $("[data-testid=subscriber-feature-list]", root);
      list.replaceChildren(
        ...data.features.map((f) => el("li", { class: "badge", "data-testid": "subscriber-feature", dataset: { feature: f } }, t("feature_" + f))),
      );
      $("[data-testid=subscriber-features-none]", root).hidden = data.features.length > 0;
    } catch (err) {
      handlePageError(err);
    } finally {
      setBusy(root, false);
    }
  }

  function init() {
    const root = $("[data-testid=subscriber-features]");
    if (root) load(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
