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
      const second = $("[data-testid=subscriber-second-number]", root);
      second.hidden = !data.second_number;
      second.textContent = data.second_number ? t("subscriber_second_number", { number: data.second_number }) : "";
      const forwarding = $("[data-testid=subscriber-forwarding]", root);
      forwarding.hidden = data.forwarding.length === 0;
      $("[data-testid=subscriber-forwarding-inactive]", root).hidden = data.features.includes("forwarding");
      $("[data-testid=subscriber-forwarding-rules]", root).replaceChildren(
        ...data.forwarding.map((r) =>
          el(
            "li",
            { "data-testid": "subscriber-forwarding-rule", dataset: { condition: r.condition } },
            t("fwd_condition_" + r.condition) + " → " + (r.target === "voicemail" ? t("fwd_target_voicemail") : r.number) +
              (r.delay_seconds ? "（" + r.delay_seconds + " s）" : ""),
          ),
        ),
      );
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
