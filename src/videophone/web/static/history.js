/* Call history with the quality of each call: portal page /history.
 * Filters live in the address (?filter=missed&since=…&until=…&page=…) so a link can open them;
 * opening the missed calls marks them as seen. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, labelOf, setBusy, handlePageError, showErrors, mmss, renderPager, num } = VP.ui;
  const LIMIT = 20;
  const DIRECTIONS = ["all", "missed", "incoming", "outgoing"];
  const TZ = "Asia/Shanghai";
  const state = { direction: "all", since: "", until: "", offset: 0 };

  // -- formatting ---------------------------------------------------------------------------------
  function formatTime(iso, withDate) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const opts = withDate === false
      ? { timeZone: TZ, timeStyle: "medium" }
      : { timeZone: TZ, dateStyle: "medium", timeStyle: "short" };
    return date.toLocaleString(VP.lang, opts);
  }

  function outcomeText(call) {
    if (!call.outcome) return t("hist_in_progress");
    return labelOf("hist_outcome_", call.outcome);
  }

  function isMissed(call) {
    return call.direction === "incoming" && call.outcome === "missed";
  }

  function directionIcon(call) {
    if (isMissed(call)) return { icon: "↙", cls: "missed", label: t("hist_dir_missed") };
    if (call.direction === "incoming") return { icon: "↙", cls: "incoming", label: t("hist_dir_incoming") };
    return { icon: "↗", cls: "outgoing", label: t("hist_dir_outgoing") };
  }

  // -- quality ------------------------------------------------------------------------------------
  function gradeBadge(grade) {
    return el("span", { class: "badge grade-" + grade, "data-testid": "quality-grade", dataset: { grade } },
      labelOf("hist_q_", grade));
  }

  function qualityBlock(title, view, testid) {
    const s = view.summary;
    const rows = [];
    const row = (label, value) => rows.push(el("div", {}, el("dt", {}, label), el("dd", {}, value)));
    row(t("hist_quality"), [gradeBadge(view.assessment),
      view.issues.length ? " " + view.issues.map((i) => t("hist_q_issue_" + i)).join(" · ") : ""]);
    if (s.rtt_avg_ms !== null) {
      row(t("hist_q_rtt"), t("hist_q_avg_max", { avg: num(s.rtt_avg_ms) + " ms", max: num(s.rtt_max_ms) + " ms" }));
    }
    if (s.loss_avg_pct !== null) {
      row(t("hist_q_loss"), t("hist_q_avg_max", { avg: num(s.loss_avg_pct, 1) + " %", max: num(s.loss_max_pct, 1) + " %" }));
    }
    if (s.fps_avg !== null) {
      row(t("hist_q_fps"), t("hist_q_avg_min", { avg: num(s.fps_avg, 1), min: num(s.fps_min, 1) }));
    }
    if (s.bitrate_in_avg_kbps !== null || s.bitrate_out_avg_kbps !== null) {
      row(t("hist_q_bitrate"), num(s.bitrate_in_avg_kbps) + " / " + num(s.bitrate_out_avg_kbps) + " kbps");
    }
    if (s.frame_width !== null) row(t("hist_q_resolution"), s.frame_width + "×" + s.frame_height);
    row(t("hist_q_samples"), num(s.samples));
    return el("div", { "data-testid": testid }, el("h3", {}, title), el("dl", { class: "details" }, rows));
  }

  function detailPanel(call, detail) {
    const timing = el(
      "dl",
      { class: "details" },
      el("div", {}, el("dt", {}, t("hist_number")),
        el("dd", { class: "mono", "data-testid": "call-detail-number" }, call.withheld ? t("hist_withheld") : call.other_number)),
      el("div", {}, el("dt", {}, t("hist_started")), el("dd", { "data-testid": "call-detail-started" }, formatTime(call.started_at))),
      el("div", {}, el("dt", {}, t("hist_answered")),
        el("dd", { "data-testid": "call-detail-answered" }, call.answered_at ? formatTime(call.answered_at) : t("hist_not_answered"))),
      el("div", {}, el("dt", {}, t("hist_ended")), el("dd", { "data-testid": "call-detail-ended" }, call.ended_at ? formatTime(call.ended_at) : t("hist_in_progress"))),
      el("div", {}, el("dt", {}, t("hist_duration")), el("dd", { "data-testid": "call-detail-duration" }, mmss(call.billable_seconds))),
      el("div", {}, el("dt", {}, t("hist_outcome")), el("dd", { "data-testid": "call-detail-outcome" }, outcomeText(call))),
      call.end_reason
        ? el("div", {}, el("dt", {}, t("hist_reason")), el("dd", { "data-testid": "call-detail-reason" }, labelOf("hist_reason_", call.end_reason)))
        : null,
    );
    const q = detail.quality;
    const anyPoor = q.mine.assessment === "poor" || q.peer.assessment === "poor";
    return [
      timing,
      el("div", { class: "quality-grid" },
        qualityBlock(t("hist_quality_mine"), q.mine, "quality-mine"),
        qualityBlock(t("hist_quality_peer"), q.peer, "quality-peer")),
      anyPoor ? el("p", { class: "hint", "data-testid": "quality-note" }, t("hist_quality_note")) : null,
    ];
  }

  async function toggleDetail(li, call, button) {
    const panel = $("[data-testid=call-detail]", li);
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    button.textContent = open ? t("hist_show_details") : t("hist_hide_details");
    panel.hidden = open;
    if (open || panel.dataset.loaded) return;
    setBusy(panel, true);
    try {
      const detail = await VP.api("GET", "/api/v1/me/calls/" + encodeURIComponent(call.id));
      panel.replaceChildren(...detailPanel(call, detail).filter(Boolean));
      panel.dataset.loaded = "1";
    } catch (error) {
      handlePageError(error);
    } finally {
      setBusy(panel, false);
    }
  }

  // Call forwarding: where a call went, who forwarded a leg, a leg the subscriber pays.
  function forwardNote(call) {
    let text = "";
    if (call.leg_of && call.direction === "outgoing") text = t("hist_forwarded_leg");
    else if (call.leg_of && call.forwarded_by) text = t("hist_forwarded_by", { number: call.forwarded_by });
    if (call.forwarded_to) text = (text ? text + " · " : "") + t("hist_forwarded_to", { number: call.forwarded_to });
    return text ? el("span", { "data-testid": "call-forwarded" }, text) : null;
  }

  // -- list ---------------------------------------------------------------------------------------
  function callRow(call) {
    const dir = directionIcon(call);
    // A caller not shown to us when the call came (no caller ID then: ADR 0009) stays withheld, with
    // no call-back.
    const party = call.withheld ? t("hist_withheld") : call.other_name || call.other_number;
    const panelId = "call-detail-" + call.id;
    const toggle = el("button", { type: "button", class: "button small", "aria-expanded": "false", "aria-controls": panelId,
      "data-testid": "call-toggle" }, t("hist_show_details"));
    const li = el(
      "li",
      { "data-testid": "call-row", dataset: { callId: call.id, direction: call.direction, outcome: call.outcome || "", withheld: String(call.withheld) } },
      el(
        "div",
        { class: "call-line" },
        el("span", { class: "call-icon " + dir.cls, "aria-hidden": "true" }, dir.icon),
        el(
          "div",
          {},
          el("div", { class: "call-party " + (isMissed(call) ? "missed" : ""), "data-testid": "call-party",
            title: call.withheld ? t("hist_withheld_hint") : null }, party,
            call.unseen_missed ? [" ", el("span", { class: "badge grade-poor", "data-testid": "call-new" }, t("hist_new"))] : null),
          el(
            "div",
            { class: "call-meta" },
            el("span", { "data-testid": "call-direction" }, dir.label),
            call.other_name ? el("span", { class: "mono" }, call.other_number) : null,
            // the call used our second number (dialled, or shown by us).
            call.own_number_primary
              ? null
              : el("span", { class: "badge", "data-testid": "call-own-number", dataset: { number: call.own_number } },
                call.direction === "outgoing"
                  ? t("hist_presented_number", { number: call.own_number })
                  : t("hist_dialled_number", { number: call.own_number })),
            el("time", { datetime: call.started_at, "data-testid": "call-time" }, formatTime(call.started_at)),
            el("span", { "data-testid": "call-duration", "aria-label": t("hist_duration") }, call.answered_at ? mmss(call.billable_seconds) : "—"),
            el("span", { "data-testid": "call-outcome" }, outcomeText(call)),
            forwardNote(call),
          ),
        ),
        el(
          "div",
          { class: "call-actions" },
          toggle,
          call.withheld
            ? null
            : el("a", { class: "button small primary", href: "/phone?to=" + encodeURIComponent(call.other_number), "data-testid": "call-back" },
              t("hist_call_back")),
        ),
      ),
      el("div", { class: "call-detail", id: panelId, "data-testid": "call-detail", hidden: true }),
    );
    toggle.addEventListener("click", () => toggleDetail(li, call, toggle));
    return li;
  }

  function syncAddress() {
    const params = new URLSearchParams();
    if (state.direction !== "all") params.set("filter", state.direction);
    if (state.since) params.set("since", state.since);
    if (state.until) params.set("until", state.until);
    if (state.offset) params.set("offset", String(state.offset));
    const text = params.toString();
    history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
  }

  async function markMissedSeen() {
    await VP.api("POST", "/api/v1/me/calls/missed-seen");
    if (typeof VP.refreshMissedBadge === "function") VP.refreshMissedBadge();
  }

  let generation = 0;

  async function load() {
    const mine = ++generation;
    const list = $("[data-testid=history-list]");
    const form = $("#history-dates");
    setBusy(list, true);
    syncAddress();
    $$("[data-testid^=history-tab-]").forEach((b) => b.setAttribute("aria-pressed", b.dataset.direction === state.direction ? "true" : "false"));
    const params = new URLSearchParams({ direction: state.direction, offset: String(state.offset), limit: String(LIMIT) });
    if (state.since) params.set("since", state.since);
    if (state.until) params.set("until", state.until);
    try {
      // The missed filter shows the missed calls; looking at them marks them as seen (the badge
      // goes away), but the rows still say which ones were new.
      const data = await VP.api("GET", "/api/v1/me/calls?" + params.toString());
      if (mine !== generation) return;
      list.replaceChildren(...data.items.map(callRow));
      $("[data-testid=history-empty]").hidden = data.items.length > 0;
      $("[data-testid=history-total]").textContent = t("hist_total", { total: data.total });
      renderPager($("[data-pager]"), data.total, state.offset, LIMIT, (next) => { state.offset = next; load().catch(handlePageError); });
      if (state.direction === "missed" && data.items.some((c) => c.unseen_missed)) await markMissedSeen();
    } catch (error) {
      if (error instanceof VP.ui.ApiError && error.status === 422) showErrors(form, error);
      else handlePageError(error);
    } finally {
      if (mine === generation) setBusy(list, false);
    }
  }

  function init() {
    const params = new URLSearchParams(location.search);
    const wanted = params.get("filter") || params.get("direction") || "all";
    state.direction = DIRECTIONS.includes(wanted) ? wanted : "all";
    state.since = params.get("since") || "";
    state.until = params.get("until") || "";
    state.offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    const form = $("#history-dates");
    form.elements.since.value = state.since;
    form.elements.until.value = state.until;

    $$("[data-testid^=history-tab-]").forEach((button) => {
      button.addEventListener("click", () => {
        state.direction = button.dataset.direction;
        state.offset = 0;
        load();
      });
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      $$("[data-error-for]", form).forEach((node) => { node.textContent = ""; });
      state.since = form.elements.since.value;
      state.until = form.elements.until.value;
      state.offset = 0;
      load();
    });
    $("[data-testid=history-clear]").addEventListener("click", () => {
      form.elements.since.value = "";
      form.elements.until.value = "";
      state.since = state.until = "";
      state.offset = 0;
      load();
    });
    load();
  }

  VP.pages = VP.pages || {};
  VP.pages["history"] = init;
})();
