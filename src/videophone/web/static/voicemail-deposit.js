/* The caller's side of video voicemail on the phone page.  When a call ends with ``voicemail`` in
 * its ``ended`` message (docs/signaling.md: {token, max_seconds, greeting_url}), phone.js calls
 * VP.voicemail.offer(): the callee's greeting (their own recording, or the default text) is shown, the
 * caller may record a message with a countdown, stop, play it back, send or cancel; sending uploads it to
 * POST /api/v1/voicemail/deposits/{token} (once) and confirms. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $ } = VP.ui;
  const state = { panel: null, session: null, recording: null, result: null, reviewUrl: null };

  function setState(name) {
    state.panel.dataset.state = name;
  }

  function showError(message) {
    const node = $("[data-testid=voicemail-error]", state.panel);
    node.textContent = message || "";
    node.hidden = !message;
  }

  function peerText(peer) {
    if (!peer) return "";
    return peer.name ? peer.name + " (" + peer.number + ")" : peer.number || "";
  }

  function button(testid, text, onclick, primary) {
    return el("button", { type: "button", class: "button" + (primary ? " primary" : ""), "data-testid": testid, onclick }, text);
  }

  function actions(...buttons) {
    $("[data-testid=voicemail-actions]", state.panel).replaceChildren(...buttons);
  }

  function clearReview() {
    if (state.reviewUrl) URL.revokeObjectURL(state.reviewUrl);
    state.reviewUrl = null;
    if (!state.panel) return;
    const review = $("[data-testid=voicemail-review]", state.panel);
    review.removeAttribute("src");
    review.hidden = true;
  }

  function close() {
    if (state.recording) state.recording.cancel();
    state.recording = null;
    clearReview();
    if (state.panel) state.panel.remove();
    state.panel = null;
    state.session = null;
  }

  async function startRecording() {
    showError("");
    clearReview();
    const session = state.session;
    const preview = $("[data-testid=voicemail-preview]", state.panel);
    const countdown = $("[data-testid=voicemail-countdown]", state.panel);
    const greeting = $("[data-testid=voicemail-greeting]", state.panel);
    if (greeting) greeting.pause();
    preview.hidden = false;
    countdown.hidden = false;
    countdown.textContent = t("vm_rec_remaining", { seconds: session.maxSeconds });
    try {
      state.recording = await VP.recorder.record({
        preview,
        maxSeconds: session.maxSeconds,
        onTick: (elapsed) => {
          countdown.textContent = t("vm_rec_remaining", { seconds: Math.max(0, Math.ceil(session.maxSeconds - elapsed)) });
        },
      });
    } catch (error) {
      preview.hidden = true;
      countdown.hidden = true;
      showError(t("vm_rec_unsupported"));
      return;
    }
    setState("recording");
    actions(button("voicemail-stop", t("vm_rec_stop"), () => state.recording && state.recording.stop(), true), button("voicemail-cancel", t("vm_rec_cancel"), cancel));
    const result = await state.recording.done;
    state.recording = null;
    preview.hidden = true;
    countdown.hidden = true;
    if (!result || state.session !== session) return;
    state.result = result;
    state.reviewUrl = URL.createObjectURL(result.blob);
    const review = $("[data-testid=voicemail-review]", state.panel);
    review.src = state.reviewUrl;
    review.hidden = false;
    $("[data-testid=voicemail-recorded]", state.panel).textContent = t("vm_rec_recorded", { seconds: Math.round(result.seconds) });
    setState("review");
    actions(button("voicemail-send", t("vm_rec_send"), send, true), button("voicemail-rerecord", t("vm_rec_start"), startRecording), button("voicemail-cancel", t("vm_rec_cancel"), cancel));
  }

  async function send() {
    const session = state.session;
    if (!session || !state.result) return;
    showError("");
    setState("sending");
    actions(el("span", { class: "muted" }, t("vm_dep_sending")));
    try {
      const left = await VP.recorder.upload("POST", "/api/v1/voicemail/deposits/" + encodeURIComponent(session.token), state.result.blob);
      if (state.session !== session) return;
      clearReview();
      $("[data-testid=voicemail-recorded]", state.panel).textContent = "";
      state.panel.dataset.messageId = left.id;
      $("[data-testid=voicemail-status]", state.panel).textContent = t("vm_dep_sent");
      setState("sent");
      actions(button("voicemail-close", t("vm_dep_close"), close));
    } catch (error) {
      if (state.session !== session) return;
      showError((error && error.problem && error.problem.message) || t("error_network"));
      setState("failed");
      // The token is used or gone (404, 409): nothing more to do.  A refused recording (413, 422): record
      // again.  The service or the network failed: the same recording may be sent again.
      const status = (error && error.status) || 0;
      if (status === 404 || status === 409) {
        actions(button("voicemail-close", t("vm_dep_close"), close));
        return;
      }
      const retry = status === 0 || status >= 500 ? [button("voicemail-send", t("vm_rec_send"), send, true)] : [];
      actions(...retry, button("voicemail-rerecord", t("vm_rec_start"), startRecording), button("voicemail-cancel", t("vm_rec_cancel"), cancel));
    }
  }

  async function cancel() {
    if (state.recording) await state.recording.cancel();
    state.recording = null;
    clearReview();
    if (!state.panel) return;
    $("[data-testid=voicemail-status]", state.panel).textContent = t("vm_dep_cancelled");
    $("[data-testid=voicemail-recorded]", state.panel).textContent = "";
    setState("cancelled");
    actions(button("voicemail-close", t("vm_dep_close"), close));
  }

  /** The caller may leave a message: ``voicemail`` as the ``ended`` message carries it. */
  function offer(voicemail, peer) {
    if (!voicemail || typeof voicemail.token !== "string") return;
    close();
    const maxSeconds = Math.max(1, Math.min(600, Number(voicemail.max_seconds) || 60));
    state.session = { token: voicemail.token, maxSeconds };
    const greeting = voicemail.greeting_url
      ? el("video", { class: "vm-greeting", src: voicemail.greeting_url, controls: true, autoplay: true, playsinline: true, "data-testid": "voicemail-greeting", "aria-label": t("vm_dep_greeting") })
      : el("p", { class: "vm-default-greeting", "data-testid": "voicemail-default-greeting" }, t("vm_dep_default_greeting", { seconds: maxSeconds }));
    state.panel = el(
      "section",
      { class: "card voicemail-deposit", "data-testid": "voicemail-deposit", "aria-labelledby": "h-voicemail", dataset: { state: "offered" } },
      el("h2", { id: "h-voicemail" }, t("vm_dep_title")),
      el("p", { "data-testid": "voicemail-peer" }, t("vm_dep_lead", { peer: peerText(peer) })),
      greeting,
      el("video", { class: "vm-preview", "data-testid": "voicemail-preview", autoplay: true, playsinline: true, muted: true, hidden: true, "aria-label": t("vm_rec_preview") }),
      el("p", { class: "vm-countdown mono", "data-testid": "voicemail-countdown", role: "timer", hidden: true }),
      el("video", { class: "vm-review", "data-testid": "voicemail-review", controls: true, playsinline: true, hidden: true }),
      el("p", { class: "muted", "data-testid": "voicemail-recorded" }),
      el("p", { class: "form-alert", role: "alert", "data-testid": "voicemail-error", hidden: true }),
      el("p", { class: "form-success", role: "status", "data-testid": "voicemail-status" }),
      el("div", { class: "form-actions", "data-testid": "voicemail-actions" }),
    );
    const status = $("[data-testid=call-status]");
    status.insertAdjacentElement("afterend", state.panel);
    if (!VP.recorder.supported()) {
      showError(t("vm_rec_unsupported"));
      actions(button("voicemail-close", t("vm_dep_close"), close));
      return;
    }
    actions(button("voicemail-record", t("vm_rec_start"), startRecording, true), button("voicemail-cancel", t("vm_rec_cancel"), cancel));
  }

  VP.voicemail = { offer, close };
})();
