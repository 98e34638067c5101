/* Console, a subscriber's page: their video mailbox — subscribed or not, messages, unread, storage
 * used — never the messages themselves; support (clear_mailbox) can clear it on a legal request, with a
 * reason and the request's reference, audited. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, $, formatSize, handlePageError, onSubmit, setBusy } = VP.ui;

  function render(root, box) {
    $("[data-testid=vm-console-subscribed]", root).textContent = box.subscribed ? t("vm_console_subscribed") : t("vm_console_not_subscribed");
    const usage = $("[data-testid=vm-console-usage]", root);
    usage.dataset.messages = String(box.messages);
    usage.textContent = t("vm_console_usage", { count: box.messages, used: formatSize(box.used_bytes), quota: formatSize(box.quota_bytes) });
    $("[data-testid=vm-console-unread]", root).textContent = t("vm_unread", { count: box.unread });
    $("[data-testid=vm-console-greeting]", root).textContent = t("vm_console_greeting") + ": " + (box.greeting ? "✓" : "—");
    root.hidden = false;
    setBusy(root, false);
  }

  async function load(root) {
    const id = root.dataset.subscriberId;
    render(root, await VP.api("GET", "/api/v1/console/subscribers/" + encodeURIComponent(id) + "/voicemail"));
  }

  function init() {
    const root = $("[data-testid=subscriber-voicemail]");
    if (!root) return;
    const form = $("[data-testid=vm-console-clear-form]", root);
    onSubmit(form, async () => {
      const body = { reason: form.elements.reason.value, reference: form.elements.reference.value };
      const box = await VP.api("POST", "/api/v1/console/subscribers/" + encodeURIComponent(root.dataset.subscriberId) + "/voicemail/clear", body);
      render(root, box);
      form.reset();
      const success = $("[data-form-success]", form);
      success.textContent = t("vm_console_cleared");
      success.hidden = false;
    });
    load(root).catch(handlePageError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
