/* Operator console: calls going on now (refreshed every 5 s, stale signaling nodes flagged) and a
 * search of past calls with the quality of each side. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, fillTable, labelOf, setBusy, handlePageError, showErrors, formValues, mmss, renderPager, num } = VP.ui;
  const TZ = "Asia/Shanghai";
  const LIMIT = 50;
  const LIVE_MS = 5000;
  let search = { number: "", outcome: "", since: "", until: "" };

  function formatTime(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return date.toLocaleString(VP.lang, { timeZone: TZ, dateStyle: "medium", timeStyle: "medium" });
  }

  function badge(text, cls, attrs) {
    return el("span", Object.assign({ class: "badge " + (cls || "") }, attrs || {}), text);
  }

  function nodeCell(nodeId, fresh) {
    return el("td", { "data-testid": "call-node", dataset: { fresh: fresh ? "1" : "0" } },
      el("span", { class: "mono" }, nodeId), " ",
      fresh
        ? badge(t("callc_node_ok"), "node-ok")
        : badge(t("callc_node_stale"), "node-stale", { "data-testid": "node-stale" }));
  }

  // -- live calls -------------------------------------------------------------------------------
  // A side's device: browser or SIP phone; a callee with no device answering yet: "not answered".
  function deviceBadge(kind, testid) {
    if (kind !== "browser" && kind !== "sip") return el("span", { class: "muted", "data-testid": testid, "data-kind": "" }, t("callc_device_none"));
    return badge(t("callc_device_" + kind), "device-" + kind, { "data-testid": testid, "data-kind": kind });
  }

  // The media path: direct, through TURN, through the media relay (a SIP phone takes part); "—" not known yet.
  function mediaCell(path) {
    const known = path === "p2p" || path === "turn" || path === "relay";
    return el("td", { "data-testid": "live-media", dataset: { path: known ? path : "" } },
      known ? badge(t("callc_media_" + path), "media-" + path) : t("callc_media_unknown"));
  }

  function liveRow(call) {
    return el(
      "tr",
      { "data-testid": "live-call-row", dataset: { callId: call.id, state: call.state } },
      el("td", { class: "mono", "data-testid": "live-caller" }, call.caller_number),
      el("td", { class: "mono", "data-testid": "live-callee" }, call.callee_number),
      el("td", { class: "live-devices" }, deviceBadge(call.caller_device_kind, "live-caller-device"), " → ",
        deviceBadge(call.callee_device_kind, "live-callee-device")),
      mediaCell(call.media_path),
      el("td", {}, badge(labelOf("callc_state_", call.state), "state-" + call.state, { "data-testid": "live-state" })),
      el("td", { "data-testid": "live-since" }, formatTime(call.answered_at || call.started_at)),
      nodeCell(call.node_id, call.node_fresh),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "live-open", onclick: () => openDetail(call.id) },
        t("callc_open"))),
    );
  }

  let liveTimer = null;

  async function loadLive() {
    const table = $("[data-testid=live-calls]");
    try {
      const data = await VP.api("GET", "/api/v1/console/calls/live");
      fillTable(table, data.items, liveRow);
      $("[data-testid=live-count]").textContent = String(data.items.length);
      $("[data-testid=live-updated]").textContent = t("callc_updated", { time: new Date().toLocaleTimeString(VP.lang, { timeZone: TZ }) });
    } catch (error) {
      handlePageError(error);
    } finally {
      setBusy(table, false);
    }
  }

  function startLive() {
    loadLive();
    liveTimer = setInterval(() => {
      if (!document.hidden) loadLive();
    }, LIVE_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) loadLive();
    });
  }

  // -- search -----------------------------------------------------------------------------------
  function callRow(call) {
    return el(
      "tr",
      { "data-testid": "calls-row", dataset: { callId: call.id, outcome: call.outcome || "" } },
      el("td", {}, formatTime(call.started_at)),
      el("td", { class: "mono" }, call.caller_number),
      el("td", { class: "mono" }, call.callee_number),
      el("td", { "data-testid": "calls-outcome-cell" }, call.outcome ? labelOf("hist_outcome_", call.outcome) : labelOf("callc_state_", call.state)),
      el("td", { class: "num" }, call.answered_at ? mmss(call.billable_seconds) : "—"),
      el("td", {}, el("button", { type: "button", class: "button small", "data-testid": "calls-open", onclick: () => openDetail(call.id) },
        t("callc_open"))),
    );
  }

  async function loadSearch(offset) {
    const form = $("#calls-search");
    const table = $("[data-testid=calls-table]");
    const params = new URLSearchParams({ offset: String(offset), limit: String(LIMIT) });
    Object.entries(search).forEach(([key, value]) => {
      if (value) params.set(key, value);
    });
    setBusy(table, true);
    try {
      const data = await VP.api("GET", "/api/v1/console/calls?" + params.toString());
      fillTable(table, data.items, callRow);
      renderPager($("[data-pager]"), data.total, offset, LIMIT, (next) => loadSearch(next).catch(handlePageError));
    } catch (error) {
      if (error instanceof VP.ui.ApiError && error.status === 422) showErrors(form, error);
      else handlePageError(error);
    } finally {
      setBusy(table, false);
    }
  }

  // -- detail -----------------------------------------------------------------------------------
  function dl(rows) {
    return el("dl", { class: "details" }, rows.filter(Boolean).map(([label, value, testid]) =>
      el("div", {}, el("dt", {}, label), el("dd", testid ? { "data-testid": testid } : {}, value))));
  }

  function qualityBlock(title, view, testid) {
    const s = view.summary;
    return el(
      "div",
      { "data-testid": testid },
      el("h3", {}, title),
      dl([
        [t("hist_quality"), [badge(labelOf("hist_q_", view.assessment), "grade-" + view.assessment,
          { "data-testid": "quality-grade", "data-grade": view.assessment }),
          view.issues.length ? " " + view.issues.map((i) => t("hist_q_issue_" + i)).join(" · ") : ""]],
        [t("hist_q_rtt"), s.rtt_avg_ms === null ? "—" : t("hist_q_avg_max", { avg: num(s.rtt_avg_ms) + " ms", max: num(s.rtt_max_ms) + " ms" })],
        [t("hist_q_loss"), s.loss_avg_pct === null ? "—" : t("hist_q_avg_max", { avg: num(s.loss_avg_pct, 2) + " %", max: num(s.loss_max_pct, 2) + " %" })],
        [t("hist_q_fps"), s.fps_avg === null ? "—" : t("hist_q_avg_min", { avg: num(s.fps_avg, 1), min: num(s.fps_min, 1) })],
        [t("hist_q_bitrate"), num(s.bitrate_in_avg_kbps) + " / " + num(s.bitrate_out_avg_kbps) + " kbps"],
        [t("hist_q_resolution"), s.frame_width === null ? "—" : s.frame_width + "×" + s.frame_height],
        [t("hist_q_samples"), num(s.samples)],
      ]),
    );
  }

  async function openDetail(callId) {
    const panel = $("[data-testid=call-detail-panel]");
    const body = $("[data-testid=call-detail-body]");
    panel.hidden = false;
    setBusy(body, true);
    try {
      const d = await VP.api("GET", "/api/v1/console/calls/" + encodeURIComponent(callId));
      body.replaceChildren(
        dl([
          [t("callc_call_id"), el("span", { class: "mono" }, d.id), "detail-call-id"],
          [t("callc_col_caller"), el("span", { class: "mono" }, d.caller_number), "detail-caller"],
          [t("callc_col_callee"), el("span", { class: "mono" }, d.callee_number), "detail-callee"],
          [t("callc_caller_presented"), t(d.caller_presented ? "callc_presented_yes" : "callc_presented_no"), "detail-presented"],
          [t("callc_col_state"), labelOf("callc_state_", d.state), "detail-state"],
          [t("hist_started"), formatTime(d.started_at)],
          [t("hist_answered"), d.answered_at ? formatTime(d.answered_at) : t("hist_not_answered")],
          [t("hist_ended"), d.ended_at ? formatTime(d.ended_at) : t("hist_in_progress")],
          [t("hist_duration"), mmss(d.billable_seconds), "detail-duration"],
          [t("hist_outcome"), d.outcome ? labelOf("hist_outcome_", d.outcome) : "—", "detail-outcome"],
          [t("hist_reason"), d.end_reason ? labelOf("hist_reason_", d.end_reason) + " (" + d.end_reason + ")" : "—", "detail-reason"],
          [t("callc_devices"), el("span", { class: "mono" }, d.caller_device + " → " + (d.callee_device || "—"))],
          [t("callc_col_node"), [el("span", { class: "mono" }, d.node.node_id + (d.node.address ? " (" + d.node.address + ")" : "")), " ",
            d.state === "ended" ? null : d.node.fresh ? badge(t("callc_node_ok"), "node-ok") : badge(t("callc_node_stale"), "node-stale", { "data-testid": "node-stale" })],
            "detail-node"],
          [t("callc_node_heartbeat"), formatTime(d.node.heartbeat_at)],
        ]),
        el("div", { class: "grid-2" },
          qualityBlock(t("callc_quality_caller"), d.quality.caller, "quality-caller"),
          qualityBlock(t("callc_quality_callee"), d.quality.callee, "quality-callee")),
      );
      panel.focus();
      panel.scrollIntoView({ block: "start", behavior: "smooth" });
    } catch (error) {
      handlePageError(error);
    } finally {
      setBusy(body, false);
    }
  }

  function init() {
    const form = $("#calls-search");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = formValues(form);
      search = {
        number: (values.number || "").trim(),
        outcome: values.outcome || "",
        since: values.since || "",
        until: values.until || "",
      };
      $("[data-testid=call-detail-panel]").hidden = true;
      form.querySelectorAll("[data-error-for]").forEach((node) => { node.textContent = ""; });
      loadSearch(0);
    });
    $("[data-testid=call-detail-close]").addEventListener("click", () => {
      $("[data-testid=call-detail-panel]").hidden = true;
    });
    startLive();
    loadSearch(0);
  }

  VP.pages = VP.pages || {};
  VP.pages["console-calls"] = init;
  window.addEventListener("pagehide", () => {
    if (liveTimer) clearInterval(liveTimer);
  });
})();
