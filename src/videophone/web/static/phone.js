/* Phone page: device check, dial pad, signaling WebSocket (docs/signaling.md) and
 * WebRTC calls. Uses the helpers of app.js (VP.ui, VP.api) and the phone's parts loaded before it:
 * phone-tones.js (ringtone, ringback), phone-alerts.js (background-tab notification), phone-stats.js
 * (quality, telemetry), phone-call-screen.js (the call screen's controls, tile, placeholder, wake lock). */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, el, $, $$, handlePageError, mmss } = VP.ui;

  const PROTOCOL = 1;
  // the version this page runs — what the server shipped, or the release it last reloaded into
  // (docs/signaling.md, welcome.client_release).
  // The version this page runs: the server's (VP.version), or the web release it last reloaded into.
  const CLIENT_VERSION = sessionStorage.getItem("vp_web_version") || window.VP.version;
  const TELEMETRY_MS = 5000;
  const QUALITY_MS = 2000;
  // ?answer=<call id> (a push notification's "answer"): how long the page waits for that call's invite.
  const ANSWER_WAIT_MS = 60000;

  // Everything tests (and curious engineers) may look at.
  const phone = (VP.phone = { pc: null, lastStats: null, call: null, ws: null, welcome: null });
  const { tones, callAlerts, callStats, callScreen } = VP;

  // -- small helpers --------------------------------------------------------------------------------
  function deviceId() {
    let id = "";
    try {
      id = localStorage.getItem("vpDeviceId") || "";
    } catch (e) {
      id = "";
    }
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const random = crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "") : String(Math.random()).slice(2) + Date.now();
      id = "web-" + random.slice(0, 24);
      try {
        localStorage.setItem("vpDeviceId", id);
      } catch (e) {
        /* private mode: a per-page id still works */
      }
    }
    return id;
  }

  function relayOnly() {
    const param = new URLSearchParams(location.search).get("relay");
    let stored = null;
    try {
      stored = localStorage.getItem("vpRelayOnly");
    } catch (e) {
      stored = null;
    }
    return param === "1" || stored === "1";
  }

  function digits(value) {
    return String(value || "").replace(/[\s-]/g, "");
  }

  function hasKey(key) {
    return Object.prototype.hasOwnProperty.call(VP.t, key);
  }

  // Caller ID (ADR 0009): a caller not presented to us is "number withheld"; a presented one by our
  // contact name for the number, else their name on the service.
  function peerName(peer) {
    return (peer && (peer.contact_name || peer.name)) || "";
  }

  function peerLabel(peer) {
    if (!peer) return "";
    if (peer.withheld) return t("phone_withheld");
    const name = peerName(peer);
    return name ? name + " (" + peer.number + ")" : peer.number || "";
  }

  function showAlert(message) {
    const node = $("[data-page-alert]");
    node.textContent = message || "";
    node.hidden = !message;
  }

  // -- status line ------------------------------------------------------------------------------------
  function reasonText(reason, detail, role, by) {
    if (reason === "hangup") return t(by && by === role ? "phone_reason_hangup_me" : "phone_reason_hangup_peer");
    if (reason === "not_allowed") {
      const key = "phone_reason_not_allowed_" + (detail || "");
      return t(detail && hasKey(key) ? key : "phone_reason_not_allowed");
    }
    const roleKey = "phone_reason_" + reason + "_" + (role || "caller");
    if (hasKey(roleKey)) return t(roleKey);
    const key = "phone_reason_" + reason;
    return hasKey(key) ? t(key) : t("phone_reason_unknown");
  }

  function setStatus(state, extra) {
    const node = $("[data-testid=call-status]");
    const info = extra || {};
    node.dataset.state = state;
    delete node.dataset.reason;
    delete node.dataset.detail;
    const peer = peerLabel(info.peer || (phone.call && phone.call.peer));
    let text;
    if (state === "ended") {
      node.dataset.reason = info.reason || "";
      if (info.detail) node.dataset.detail = info.detail;
      text = t("phone_ended_prefix") + reasonText(info.reason, info.detail, info.role, info.by);
      if (info.duration) text += " " + t("phone_duration", { duration: mmss(info.duration) });
    } else if (state === "in-call") {
      text = t("phone_state_in_call", { peer });
    } else {
      text = t("phone_state_" + state, { peer });
    }
    node.textContent = text;
    document.body.dataset.callState = state;
    renderScreen(state === "in-call" ? "" : text);
  }

  // The call screen: the placeholder's name, the phase line, the controls.
  function renderScreen(phase) {
    const call = phone.call;
    callScreen.render(call, { label: call ? peerLabel(call.peer) : "", phase });
  }

  function showScreen(name) {
    $("[data-testid=incoming]").hidden = name !== "incoming";
    $("[data-testid=in-call]").hidden = name !== "call";
    $("[data-testid=idle]").hidden = name !== "idle";
  }

  // -- device check (R-14) -----------------------------------------------------------------------------
  function setCheck(item, status, valueKey) {
    const li = $("[data-testid=device-check-" + item + "]");
    li.dataset.status = status;
    $(".value", li).textContent = t(valueKey);
  }

  async function permissionState() {
    if (!navigator.permissions || !navigator.permissions.query) return "unknown";
    const states = [];
    for (const name of ["camera", "microphone"]) {
      try {
        states.push((await navigator.permissions.query({ name })).state);
      } catch (e) {
        states.push("unknown");
      }
    }
    if (states.includes("denied")) return "denied";
    if (states.every((s) => s === "granted")) return "granted";
    if (states.includes("prompt")) return "prompt";
    return "unknown";
  }

  async function deviceCheck() {
    const list = $("[data-testid=device-check]");
    const advice = [];
    const result = { webrtc: typeof window.RTCPeerConnection === "function" };
    result.media = !!(navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function");
    setCheck("webrtc", result.webrtc ? "ok" : "missing", result.webrtc ? "phone_check_ok" : "phone_check_missing");
    setCheck("media", result.media ? "ok" : "missing", result.media ? "phone_check_ok" : "phone_check_missing");
    if (!result.webrtc) advice.push(t("phone_check_no_webrtc"));
    if (!result.media) advice.push(t("phone_check_no_media"));
    let devices = [];
    if (navigator.mediaDevices && navigator.mediaDevices.enumerateDevices) {
      try {
        devices = await navigator.mediaDevices.enumerateDevices();
      } catch (e) {
        devices = [];
      }
    }
    result.camera = devices.some((d) => d.kind === "videoinput");
    result.microphone = devices.some((d) => d.kind === "audioinput");
    setCheck("camera", result.camera ? "ok" : "missing", result.camera ? "phone_check_ok" : "phone_check_missing");
    setCheck("microphone", result.microphone ? "ok" : "missing", result.microphone ? "phone_check_ok" : "phone_check_missing");
    if (result.media && !result.camera) advice.push(t("phone_check_no_camera"));
    if (result.media && !result.microphone) advice.push(t("phone_check_no_microphone"));
    result.permission = await permissionState();
    const permStatus = { granted: "ok", prompt: "prompt", denied: "denied" }[result.permission] || "unknown";
    setCheck("permission", permStatus, "phone_check_" + result.permission);
    if (result.permission === "denied") advice.push(t("phone_check_permission_denied"));
    const box = $("[data-testid=device-advice]");
    box.replaceChildren(...(advice.length ? advice : [t("phone_check_all_ok")]).map((text) => el("p", {}, text)));
    box.dataset.state = advice.length ? "problem" : "ok";
    result.ok = result.webrtc && result.media && result.camera && result.microphone && result.permission !== "denied";
    list.dataset.state = result.ok ? "ok" : "problem";
    list.setAttribute("aria-busy", "false");
    phone.deviceCheck = result;
    return result;
  }

  // -- what the account may do (GET /api/v1/me: the rule the server's invite decision follows) ---------
  // Calls that would be refused are not offered: the call buttons are disabled and the reason shown.
  // Read again on (re)connecting, after every call and when the page comes back into view.
  function applyCapabilities() {
    const mayCall = phone.mayCall !== false;
    $("[data-testid=call-button]").disabled = !mayCall;
    $$("[data-testid=quick-contact]").forEach((button) => (button.disabled = !mayCall));
  }

  async function loadCapabilities() {
    const me = await VP.api("GET", "/api/v1/me");
    const allowed = me.capabilities || [];
    const reasons = me.capability_reasons || {};
    phone.mayCall = allowed.includes("place_calls");
    phone.mayReceive = allowed.includes("receive_calls");
    const note = $("[data-testid=call-capability]");
    const lines = [];
    if (!phone.mayCall) lines.push(reasonText("not_allowed", reasons.place_calls || ""));
    if (!phone.mayReceive) lines.push(t("phone_receive_barred"));
    note.textContent = lines.join(" ");
    note.hidden = !lines.length;
    note.dataset.reason = phone.mayCall ? "" : reasons.place_calls || "";
    applyCapabilities();
  }

  function refreshCapabilities() {
    loadCapabilities().catch(() => {});
  }

  function starIcon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "icon star");
    svg.setAttribute("aria-hidden", "true");
    const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
    use.setAttribute("href", "#i-star");
    svg.append(use);
    return svg;
  }

  // -- contacts quick list -------------------------------------------------------------------------------
  async function loadContacts() {
    const list = $("[data-testid=quick-contacts]");
    let items = [];
    let failed = false;
    try {
      const data = await VP.api("GET", "/api/v1/me/contacts?limit=50");
      items = (data && (data.items || data)) || [];
    } catch (e) {
      failed = !(e && e.status === 404);
    }
    items = Array.isArray(items) ? items.slice() : [];
    items.sort((a, b) => (b.favourite ? 1 : 0) - (a.favourite ? 1 : 0));
    list.replaceChildren();
    if (!items.length) {
      list.append(el("li", { class: "muted" }, t(failed ? "phone_contacts_unavailable" : "phone_contacts_empty")));
    }
    items.slice(0, 20).forEach((c) =>
      list.append(
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "contact-quick", "data-testid": "quick-contact", dataset: { number: c.number }, onclick: () => dial(c.number, c.name) },
            el("span", { class: "name" }, c.favourite ? starIcon() : "", c.name || c.number),
            el("span", { class: "mono muted" }, c.number),
          ),
        ),
      ),
    );
    list.setAttribute("aria-busy", "false");
    applyCapabilities();
  }

  // -- signaling WebSocket ---------------------------------------------------------------------------------
  const conn = { ws: null, attempts: 0, pingTimer: null, retryTimer: null, stopped: false, ready: false };

  function setConn(state, text) {
    const node = $("[data-testid=connection]");
    node.dataset.state = state;
    $("[data-conn-text]", node).textContent = text;
    callScreen.setReconnecting("signaling", state !== "online");
  }

  function send(message) {
    if (conn.ws && conn.ws.readyState === WebSocket.OPEN) {
      conn.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  function connect() {
    clearTimeout(conn.retryTimer);
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    setConn("connecting", t("phone_conn_connecting"));
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    conn.ws = phone.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", protocol: PROTOCOL, device_id: deviceId(), client: { kind: "web", version: CLIENT_VERSION } }));
    };
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      onMessage(message).catch((error) => console.warn("signaling message failed", message.type, error));
    };
    ws.onclose = (event) => {
      if (conn.ws !== ws) return;
      conn.ready = false;
      clearInterval(conn.pingTimer);
      if (event.code === 4001) {
        conn.stopped = true;
        setConn("offline", t("phone_conn_signed_out"));
      } else if (event.code === 4409) {
        conn.stopped = true;
        setConn("offline", t("phone_conn_replaced"));
      } else if (event.code === 4400) {
        conn.stopped = true;
        setConn("offline", t("phone_conn_unsupported"));
      }
      if (!conn.stopped) scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    conn.attempts += 1;
    const base = Math.min(30, 2 ** Math.min(conn.attempts - 1, 5));
    const delay = base * (0.75 + Math.random() * 0.5);
    setConn("offline", t("phone_conn_offline", { seconds: Math.round(delay) }));
    conn.retryTimer = setTimeout(connect, delay * 1000);
  }

  async function onWelcome(message) {
    conn.ready = true;
    conn.attempts = 0;
    phone.welcome = message;
    setConn("online", t("phone_conn_online"));
    $("[data-testid=my-number]").textContent = message.number || "";
    showNumbers(message.numbers || [message.number]);
    clearInterval(conn.pingTimer);
    conn.pingTimer = setInterval(() => send({ type: "ping" }), Math.max(5, message.ping_interval || 20) * 1000);
    const calls = message.calls || [];
    const mine = phone.call;
    if (mine && !calls.some((c) => c.call_id === mine.id) && mine.state !== "ended") {
      // The server forgot the call while we were away (grace period over): it has ended.
      endCall({ reason: "connection_lost", role: mine.role });
    }
    for (const c of calls) await resumeCall(c);
    refreshCapabilities();
    if (message.client_release && message.client_release.update) offerRelease(message.client_release);
  }

  // -- the second number (第二号码, R-19): which of our numbers an outgoing call shows -----------------------
  function showNumbers(numbers) {
    const select = $("[data-testid=dial-from]");
    const chosen = select.value;
    select.replaceChildren(
      ...numbers.map((number, i) => el("option", { value: number }, t(i === 0 ? "phone_from_primary" : "phone_from_second", { number }))),
    );
    if (numbers.includes(chosen)) select.value = chosen;
    $("[data-testid=dial-from-block]").hidden = numbers.length < 2;
  }

  // -- client releases: reload into a new version after a call, never during one ----------------
  let pendingRelease = null;

  function callActive() {
    return Boolean(phone.call && phone.call.state !== "ended");
  }

  function releaseBanner() {
    let node = $("[data-testid=release-banner]");
    if (!node) {
      node = el("div", { class: "form-alert", role: "status", "data-testid": "release-banner" });
      const alert = $("[data-page-alert]");
      alert.parentNode.insertBefore(node, alert);
    }
    return node;
  }

  function offerRelease(release) {
    pendingRelease = { ...release, accepted: Boolean(release.mandatory) };
    const banner = releaseBanner();
    const text = t(release.mandatory ? "releases_banner_mandatory" : "releases_banner_optional", { version: release.version });
    const button = el("button", { type: "button", class: "button small primary", "data-testid": "release-reload" }, t("releases_reload"));
    button.addEventListener("click", () => {
      pendingRelease.accepted = true;
      maybeReload();
    });
    banner.replaceChildren(el("p", {}, text), release.notes ? el("p", { class: "small" }, release.notes) : "", release.mandatory ? "" : button);
    banner.hidden = false;
    maybeReload();
  }

  function maybeReload() {
    if (!pendingRelease || !pendingRelease.accepted) return;
    if (callActive()) {
      // Never during a call: the page reloads once it has ended.
      releaseBanner().dataset.waiting = "true";
      return;
    }
    sessionStorage.setItem("vp_web_version", pendingRelease.version);
    location.reload();
  }
  setInterval(maybeReload, 2000);

  async function onMessage(m) {
    const call = phone.call;
    const ours = call && m.call_id === call.id;
    switch (m.type) {
      case "welcome":
        return onWelcome(m);
      case "pong":
        return;
      case "incoming":
        onIncoming(m);
        return;
      case "forwarded":
        if (ours && call.role === "caller") onForwarded(call);
        return;
      case "ringing":
        if (ours && call.state === "calling") {
          call.state = "ringing";
          setStatus(call.forwarded ? "forwarded" : "ringing");
          tones.play("ringback");
          flushLocalCandidates();
        }
        return;
      case "accepted":
        if (ours) {
          setCreditLimit(call, m.limit_seconds);
          return onAccepted(m);
        }
        return;
      case "answered":
        if (ours) {
          call.answeredAt = Date.now();
          setCreditLimit(call, m.limit_seconds);
          flushLocalCandidates();
        }
        return;
      case "credit_warning":
        if (ours) creditWarning(call, m.remaining);
        return;
      case "answered_elsewhere":
        if (ours) {
          stopRinging();
          teardown();
          phone.call = null;
          showScreen("idle");
          setStatus("idle");
          showAlert(t("phone_answered_elsewhere"));
        }
        return;
      case "ice":
        if (ours) return addRemoteCandidate(m.candidate);
        return;
      case "renegotiate":
        if (ours) return onRenegotiate(m.description);
        return;
      case "media":
        if (ours) {
          call.peerMedia = { audio: m.audio !== false, video: m.video !== false };
          renderScreen("");
        }
        return;
      case "peer_reconnecting":
        if (ours) {
          showAlert(t("phone_peer_reconnecting"));
          callScreen.setReconnecting("peer", true);
        }
        return;
      case "peer_reconnected":
        if (ours) {
          showAlert(t("phone_peer_reconnected"));
          callScreen.setReconnecting("peer", false);
        }
        return;
      case "ended":
        if (ours) {
          endCall({ reason: m.reason, detail: m.detail, duration: m.duration, by: m.by, role: call.role });
          // Diverted to the callee's mailbox: the caller may leave a video message (voicemail-deposit.js).
          if (m.voicemail && call.role === "caller" && VP.voicemail) VP.voicemail.offer(m.voicemail, call.peer);
        }
        return;
      case "error":
        return onError(m);
      default:
        return;
    }
  }

  function onError(m) {
    const call = phone.call;
    if (call && m.call_id === call.id && call.state === "calling") {
      // The invite itself was refused (bad number, duplicate id…): nothing is going on at the server.
      teardown();
      phone.call = null;
      showScreen("idle");
      setStatus("idle");
      showAlert(m.message || m.code);
      return;
    }
    if (m.code === "rate_limited" || (call && m.call_id === call.id)) console.warn("signaling error", m.code, m.message);
  }

  // -- media ------------------------------------------------------------------------------------------
  async function getMedia(wantVideo) {
    const check = phone.deviceCheck || {};
    const video = wantVideo && check.camera !== false;
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: true, video: video ? { width: { ideal: 1280 }, height: { ideal: 720 } } : false });
    } catch (error) {
      if (video) {
        try {
          return await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        } catch (e) {
          /* fall through */
        }
      }
      try {
        return await navigator.mediaDevices.getUserMedia({ audio: false, video: video });
      } catch (e) {
        throw error;
      }
    }
  }

  function newPeerConnection(call) {
    const welcome = phone.welcome || {};
    const pc = new RTCPeerConnection({ iceServers: welcome.ice_servers || [], iceTransportPolicy: relayOnly() ? "relay" : "all" });
    call.pc = phone.pc = pc;
    call.remoteStream = new MediaStream();
    $("[data-testid=remote-video]").srcObject = call.remoteStream;
    pc.onicecandidate = (event) => {
      const c = event.candidate;
      const candidate = c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment } : null;
      if (c && !c.candidate) return; // an empty end-of-generation marker; the null event follows
      if (call.signalingOpen) sendCandidate(call, candidate);
      else call.localCandidates.push(candidate);
    };
    pc.ontrack = (event) => {
      if (!call.remoteStream.getTracks().includes(event.track)) call.remoteStream.addTrack(event.track);
      const video = $("[data-testid=remote-video]");
      if (video.srcObject !== call.remoteStream) video.srcObject = call.remoteStream;
      video.play().catch(() => {});
    };
    pc.oniceconnectionstatechange = () => {
      if (call.pc === pc) callScreen.setReconnecting("ice", ["disconnected", "failed"].includes(pc.iceConnectionState));
    };
    pc.onconnectionstatechange = () => {
      document.body.dataset.pcState = pc.connectionState;
      if (pc.connectionState === "failed" && call.state === "in-call" && call.role === "caller") restartIce(call);
    };
    return pc;
  }

  function attachLocal(call, stream) {
    call.localStream = stream;
    const video = $("[data-testid=local-video]");
    video.srcObject = stream;
    video.play().catch(() => {});
    callScreen.controls(call);
  }

  function flushLocalCandidates() {
    const call = phone.call;
    if (!call) return;
    call.signalingOpen = true;
    const queued = call.localCandidates.splice(0);
    queued.forEach((candidate) => sendCandidate(call, candidate));
  }

  function sendCandidate(call, candidate) {
    call.sentCandidates.push(candidate); // kept: a forwarded call offers them to its new callee
    send({ type: "ice", call_id: call.id, candidate });
  }

  // Call forwarding: the call goes on to another number; its devices get our offer again, and
  // the candidates sent so far (they went to the devices that stopped ringing).
  function onForwarded(call) {
    call.forwarded = true;
    setStatus("forwarded");
    if (call.signalingOpen) call.sentCandidates.slice().forEach((candidate) => send({ type: "ice", call_id: call.id, candidate }));
  }

  async function addRemoteCandidate(candidate) {
    const call = phone.call;
    if (!call.pc || !call.pc.remoteDescription) {
      call.remoteCandidates.push(candidate);
      return;
    }
    try {
      await call.pc.addIceCandidate(candidate || null);
    } catch (e) {
      console.warn("remote ICE candidate refused", e);
    }
  }

  async function flushRemoteCandidates(call) {
    const queued = call.remoteCandidates.splice(0);
    for (const candidate of queued) {
      try {
        await call.pc.addIceCandidate(candidate || null);
      } catch (e) {
        console.warn("remote ICE candidate refused", e);
      }
    }
  }

  function newCall(fields) {
    return Object.assign(
      { id: "", role: "caller", peer: null, state: "idle", pc: null, localStream: null, remoteStream: null, localCandidates: [], sentCandidates: [], forwarded: false, remoteCandidates: [], signalingOpen: false, answeredAt: null, limitAt: null, muted: false, offer: null, media: null, peerMedia: null, timers: [] },
      fields,
    );
  }

  // -- outgoing ----------------------------------------------------------------------------------------
  async function dial(number, name) {
    showAlert("");
    $("[data-testid=dial-error]").textContent = "";
    const to = digits(number);
    if (!/^[0-9]{5,20}$/.test(to)) {
      $("[data-testid=dial-error]").textContent = t("phone_number_invalid");
      return;
    }
    if (phone.call && phone.call.state !== "ended") return;
    if (phone.mayCall === false) return; // the reason is shown above the dial pad
    if (!conn.ready) {
      showAlert(t("phone_not_connected"));
      return;
    }
    const call = newCall({ id: crypto.randomUUID(), role: "caller", peer: { number: to, name: name || "" }, state: "calling" });
    phone.call = call;
    showScreen("call");
    renderCallInfo();
    setStatus("calling");
    callScreen.enter();
    let stream;
    try {
      stream = await getMedia(true);
    } catch (error) {
      phone.call = null;
      callScreen.leave();
      showScreen("idle");
      setStatus("idle");
      showAlert(t("phone_media_error", { error: error.message || error.name }));
      return;
    }
    if (phone.call !== call) {
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    attachLocal(call, stream);
    const pc = newPeerConnection(call);
    stream.getTracks().forEach((track) => pc.addTrack(track, stream));
    if (!stream.getAudioTracks().length) pc.addTransceiver("audio", { direction: "recvonly" });
    if (!stream.getVideoTracks().length) pc.addTransceiver("video", { direction: "recvonly" });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    call.media = { audio: stream.getAudioTracks().length > 0, video: stream.getVideoTracks().length > 0 };
    if (phone.call !== call) return;
    const invite = { type: "invite", call_id: call.id, to, sdp: pc.localDescription.sdp, media: call.media };
    const numbers = (phone.welcome && phone.welcome.numbers) || [];
    const from = $("[data-testid=dial-from]").value;
    if (numbers.length > 1 && from) invite.from = from; // R-19: the number this call shows
    send(invite);
  }

  async function onAccepted(m) {
    const call = phone.call;
    tones.stop();
    await call.pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
    await flushRemoteCandidates(call);
    flushLocalCandidates();
    startInCall(call, Date.now());
  }

  // -- incoming ----------------------------------------------------------------------------------------
  function onIncoming(m) {
    if (phone.call && phone.call.state !== "ended") return; // the server never offers call waiting
    showAlert("");
    const media = m.media || { audio: true, video: true };
    const call = newCall({ id: m.call_id, role: "callee", peer: m.from || { number: "" }, state: "incoming", offer: m.sdp, media, peerMedia: { audio: media.audio !== false, video: media.video !== false } });
    phone.call = call;
    const withheld = Boolean(m.from && m.from.withheld);
    callScreen.avatar($("[data-testid=incoming-avatar]"), call.peer);
    $("[data-testid=incoming]").dataset.withheld = String(withheld);
    $("[data-testid=incoming-name]").textContent = withheld ? "" : peerName(m.from);
    $("[data-testid=incoming-number]").textContent = withheld ? t("phone_withheld") : (m.from && m.from.number) || "";
    $("[data-testid=incoming-media]").textContent = t(call.media.video ? "phone_incoming_video" : "phone_incoming_audio");
    const via = $("[data-testid=incoming-forwarded]");
    via.textContent = m.forwarded_by ? t("phone_incoming_forwarded", { number: m.forwarded_by.number }) : "";
    via.hidden = !m.forwarded_by;
    // a call to our second number says so (the number dialled).
    const mine = phone.welcome && phone.welcome.number;
    const dialled = $("[data-testid=incoming-to]");
    dialled.hidden = !(m.to && m.to !== mine);
    dialled.dataset.number = m.to || "";
    dialled.textContent = dialled.hidden ? "" : t("phone_incoming_to_second", { number: m.to });
    $("[data-testid=accept-button]").disabled = !call.offer;
    showScreen("incoming");
    setStatus("incoming");
    startRinging(call);
    const wanted = answerFromUrl(call);
    if (wanted === "answer") accept().catch((e) => showAlert(e.message || String(e)));
    if (wanted === "decline") reject();
  }

  // ?answer=<call id> / ?decline=<call id>: /phone opened from a push notification (or its Answer / Decline
  // button) — that call is answered or declined as soon as its invite arrives (within ANSWER_WAIT_MS of
  // the page opening), then the parameter leaves the URL.
  const query = new URLSearchParams(location.search);
  const answerWanted = { id: query.get("answer") || query.get("decline") || "", action: query.get("answer") ? "answer" : "decline", until: Date.now() + ANSWER_WAIT_MS };

  function forgetAnswerParameter() {
    answerWanted.id = "";
    const url = new URL(location.href);
    if (!url.searchParams.has("answer") && !url.searchParams.has("decline")) return;
    url.searchParams.delete("answer");
    url.searchParams.delete("decline");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }

  function answerFromUrl(call) {
    if (!answerWanted.id) return "";
    if (Date.now() > answerWanted.until) {
      forgetAnswerParameter();
      return "";
    }
    if (call.id !== answerWanted.id || !call.offer) return "";
    forgetAnswerParameter();
    return answerWanted.action;
  }

  async function accept() {
    const call = phone.call;
    if (!call || call.state !== "incoming" || !call.offer) return;
    call.state = "accepting";
    stopRinging();
    showScreen("call");
    renderCallInfo();
    renderScreen("");
    callScreen.enter();
    let stream = null;
    try {
      stream = await getMedia(true);
    } catch (error) {
      showAlert(t("phone_media_error", { error: error.message || error.name }));
    }
    if (phone.call !== call) {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      return;
    }
    const pc = newPeerConnection(call);
    await pc.setRemoteDescription({ type: "offer", sdp: call.offer });
    if (stream) {
      attachLocal(call, stream);
      stream.getTracks().forEach((track) => pc.addTrack(track, stream));
    }
    pc.getTransceivers().forEach((tr) => {
      if (!tr.sender.track) tr.direction = "recvonly";
    });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await flushRemoteCandidates(call);
    send({ type: "accept", call_id: call.id, sdp: pc.localDescription.sdp });
    // Our own candidates go out once the server has seen the accept (it handles one device's messages in order).
    flushLocalCandidates();
    startInCall(call, Date.now());
  }

  function reject() {
    const call = phone.call;
    if (!call || call.state !== "incoming") return;
    send({ type: "reject", call_id: call.id });
    stopRinging();
  }

  // -- ringing: the ringtone (phone-tones.js) and, in a background tab, a notification (phone-alerts.js) --------
  function startRinging(call) {
    tones.play("ringtone");
    document.body.dataset.ringing = "true";
    callAlerts.ringing(call, t("phone_state_incoming", { peer: peerLabel(call.peer) }));
  }

  function stopRinging() {
    tones.stop();
    delete document.body.dataset.ringing;
    callAlerts.stopped();
  }

  // -- in call -------------------------------------------------------------------------------------------
  // -- credit limit: the time left before the cut-off and the warning ------------------------
  function setCreditLimit(call, seconds) {
    if (typeof seconds !== "number") return;
    call.limitAt = Date.now() + seconds * 1000;
    renderRemaining(call);
  }

  function renderRemaining(call) {
    const node = $("[data-testid=call-remaining]");
    if (!call || !call.limitAt) {
      node.hidden = true;
      return;
    }
    const left = Math.max(0, Math.ceil((call.limitAt - Date.now()) / 1000));
    node.textContent = t("phone_credit_remaining", { time: mmss(left) });
    node.classList.toggle("low", left <= 60);
    node.hidden = false;
  }

  function creditWarning(call, remaining) {
    if (typeof remaining === "number") call.limitAt = Date.now() + remaining * 1000;
    renderRemaining(call);
    const warning = $("[data-testid=credit-warning]");
    warning.textContent = t("phone_credit_warning", { seconds: remaining });
    warning.hidden = false;
    tones.beep();
  }

  function renderCallInfo() {
    const call = phone.call;
    $("[data-testid=call-peer]").textContent = call ? peerLabel(call.peer) : "";
    $("[data-testid=call-timer]").textContent = "00:00";
    $("[data-testid=credit-warning]").hidden = true;
    renderRemaining(call);
    callStats.setQuality("unknown");
    callScreen.controls(call);
  }

  function startInCall(call, startedAt) {
    call.state = "in-call";
    call.answeredAt = startedAt;
    tones.stop();
    showScreen("call");
    setStatus("in-call");
    renderCallInfo();
    callScreen.enter();
    sendMedia(call);
    const tick = () => {
      $("[data-testid=call-timer]").textContent = mmss((Date.now() - call.answeredAt) / 1000);
      if (call.limitAt) renderRemaining(call);
    };
    tick();
    call.timers.push(setInterval(tick, 1000));
    call.timers.push(setInterval(() => callStats.sample(call).catch(() => {}), QUALITY_MS));
    call.timers.push(setInterval(() => callStats.telemetry(call, false), TELEMETRY_MS));
  }

  // What we send now (camera off, muted), told to the peer (signaling `media`): it shows a placeholder.
  function sendMedia(call) {
    if (!call || call.state !== "in-call") return;
    const live = (kind) => Boolean(call.localStream && call.localStream.getTracks().some((tr) => tr.kind === kind && tr.readyState === "live" && tr.enabled));
    send({ type: "media", call_id: call.id, audio: live("audio"), video: live("video") });
  }

  function toggleMute() {
    const call = phone.call;
    if (!call || !call.localStream) return;
    call.muted = !call.muted;
    call.localStream.getAudioTracks().forEach((track) => (track.enabled = !call.muted));
    callScreen.controls(call);
    sendMedia(call);
  }

  async function toggleCamera() {
    const call = phone.call;
    if (!call || !call.pc) return;
    const tracks = call.localStream ? call.localStream.getVideoTracks().filter((tr) => tr.readyState === "live") : [];
    if (tracks.length) {
      const on = !tracks.some((tr) => tr.enabled);
      tracks.forEach((track) => (track.enabled = on));
      callScreen.controls(call);
      sendMedia(call);
      return;
    }
    // The call started without video: open the camera, add the track and renegotiate.
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch (error) {
      showAlert(t("phone_media_error", { error: error.message || error.name }));
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!call.localStream) call.localStream = new MediaStream();
    call.localStream.addTrack(track);
    attachLocal(call, call.localStream);
    const transceiver = call.pc.getTransceivers().find((tr) => tr.receiver.track && tr.receiver.track.kind === "video" && !tr.sender.track && !tr.stopped);
    if (transceiver) {
      await transceiver.sender.replaceTrack(track);
      transceiver.direction = "sendrecv";
    } else {
      call.pc.addTrack(track, call.localStream);
    }
    await sendOffer(call, false);
    sendMedia(call);
  }

  async function sendOffer(call, iceRestart) {
    const pc = call.pc;
    if (!pc || pc.signalingState !== "stable") return;
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    await pc.setLocalDescription(offer);
    send({ type: "renegotiate", call_id: call.id, description: { type: "offer", sdp: pc.localDescription.sdp } });
  }

  function restartIce(call) {
    sendOffer(call, true).catch((e) => console.warn("ICE restart failed", e));
  }

  async function onRenegotiate(description) {
    const call = phone.call;
    if (!description) return;
    if (description.type === "answer") {
      if (call.pc && call.pc.signalingState === "have-local-offer") {
        await call.pc.setRemoteDescription(description);
        await flushRemoteCandidates(call);
      }
      return;
    }
    // An offer: camera turned on, or an ICE restart after a reconnection.
    if (call.pc && call.pc.signalingState === "have-local-offer") {
      if (call.role === "caller") return; // glare: the caller's offer wins
      await call.pc.setLocalDescription({ type: "rollback" });
    }
    if (call.pc) {
      try {
        await call.pc.setRemoteDescription(description);
      } catch (e) {
        // The peer restarted with a brand-new connection (page reloaded): start over with a fresh one.
        rebuildPeerConnection(call);
        await call.pc.setRemoteDescription(description);
        if (call.localStream) call.localStream.getTracks().forEach((track) => call.pc.addTrack(track, call.localStream));
      }
    } else {
      newPeerConnection(call);
      await call.pc.setRemoteDescription(description);
      if (!call.localStream) {
        try {
          attachLocal(call, await getMedia(true));
        } catch (e) {
          /* receive only */
        }
      }
      if (call.localStream) call.localStream.getTracks().forEach((track) => call.pc.addTrack(track, call.localStream));
    }
    const answer = await call.pc.createAnswer();
    await call.pc.setLocalDescription(answer);
    call.signalingOpen = true;
    send({ type: "renegotiate", call_id: call.id, description: { type: "answer", sdp: call.pc.localDescription.sdp } });
    await flushRemoteCandidates(call);
    if (call.state !== "in-call") startInCall(call, call.answeredAt || Date.now());
  }

  function rebuildPeerConnection(call) {
    if (call.pc) call.pc.close();
    call.remoteCandidates = [];
    newPeerConnection(call);
  }

  async function resumeCall(info) {
    const call = phone.call;
    const answeredAt = info.answered_at ? Math.min(Date.now(), Date.parse(info.answered_at)) : Date.now();
    if (call && call.id === info.call_id) {
      // Same page, the WebSocket came back: restart ICE so media follows any new network path.
      if (info.state === "answered" && call.pc) {
        if (call.role === "caller" || call.state === "in-call") restartIce(call);
      }
      return;
    }
    if (call && call.state !== "ended") return;
    // The page was reloaded during a call.
    const resumed = newCall({ id: info.call_id, role: info.role, peer: info.peer || { number: "" }, state: "resuming", signalingOpen: true });
    phone.call = resumed;
    setCreditLimit(resumed, info.limit_seconds);
    if (info.state === "ringing") {
      if (info.role === "caller") {
        send({ type: "cancel", call_id: info.call_id }); // our offer is gone with the old page
      } else {
        onIncoming({ call_id: info.call_id, from: info.peer, to: info.to, sdp: null, media: { audio: true, video: true } });
      }
      return;
    }
    showScreen("call");
    showAlert(t("phone_resuming"));
    renderCallInfo();
    callScreen.enter();
    try {
      attachLocal(resumed, await getMedia(true));
    } catch (e) {
      /* receive only */
    }
    const pc = newPeerConnection(resumed);
    if (resumed.localStream) resumed.localStream.getTracks().forEach((track) => pc.addTrack(track, resumed.localStream));
    if (!resumed.localStream || !resumed.localStream.getVideoTracks().length) pc.addTransceiver("video", { direction: "recvonly" });
    startInCall(resumed, answeredAt);
    await sendOffer(resumed, true);
  }

  function hangup() {
    const call = phone.call;
    if (!call) return;
    if (call.state === "incoming") return reject();
    if (call.state === "calling" || call.state === "ringing") {
      send({ type: "cancel", call_id: call.id });
      return;
    }
    send({ type: "hangup", call_id: call.id });
  }

  function endCall(info) {
    const call = phone.call;
    if (!call || call.state === "ended") return;
    const wasInCall = call.state === "in-call";
    call.state = "ended";
    stopRinging();
    if (wasInCall && call.pc) {
      // The last sample is taken before the connection closes.
      callStats.telemetry(call, true);
    }
    teardown();
    showScreen("idle");
    $("[data-testid=call-remaining]").hidden = true;
    $("[data-testid=credit-warning]").hidden = true;
    setStatus("ended", info);
    refreshCapabilities();
    setTimeout(maybeReload, 1500); // a client release waiting for the call to end
  }

  function teardown() {
    const call = phone.call;
    if (!call) return;
    call.timers.forEach((id) => clearInterval(id));
    call.timers = [];
    tones.stop();
    callScreen.leave();
    if (call.localStream) call.localStream.getTracks().forEach((track) => track.stop());
    if (call.pc && call.pc.signalingState !== "closed") {
      // Closing waits for a pending final telemetry sample, which reads the stats first.
      const pc = call.pc;
      Promise.resolve(call.finalSample).finally(() => pc.close());
    }
    $("[data-testid=remote-video]").srcObject = null;
    $("[data-testid=local-video]").srcObject = null;
  }

  // -- page --------------------------------------------------------------------------------------------
  function initDialPad() {
    const form = $("#dial-form");
    const input = $("[data-testid=dial-number]");
    $$(".key", form).forEach((key) =>
      key.addEventListener("click", () => {
        input.value += key.dataset.key;
        input.focus();
      }),
    );
    $("[data-action=backspace]", form).addEventListener("click", () => {
      input.value = input.value.slice(0, -1);
      input.focus();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      dial(input.value).catch((error) => {
        showAlert(error.message || String(error));
      });
    });
    const to = new URLSearchParams(location.search).get("to");
    if (to) input.value = digits(to);
  }

  function init() {
    $("[data-testid=phone]").insertAdjacentElement(
      "afterbegin",
      el("p", { class: "my-number muted" }, t("phone_my_number") + ": ", el("strong", { class: "mono", "data-testid": "my-number" })),
    );
    initDialPad();
    $("[data-testid=accept-button]").addEventListener("click", () => accept().catch((e) => showAlert(e.message || String(e))));
    $("[data-testid=reject-button]").addEventListener("click", reject);
    $("[data-testid=hangup-button]").addEventListener("click", hangup);
    $("[data-testid=mute-button]").addEventListener("click", toggleMute);
    $("[data-testid=camera-button]").addEventListener("click", () => toggleCamera().catch((e) => showAlert(e.message || String(e))));
    callScreen.init(() => phone.call);
    callAlerts.init();
    window.addEventListener("pagehide", () => {
      const call = phone.call;
      if (call && call.state === "in-call") callStats.telemetry(call, true);
    });
    showScreen("idle");
    setStatus("idle");
    deviceCheck().catch(() => {});
    loadContacts().catch(() => {});
    refreshCapabilities();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !callActive()) refreshCapabilities();
    });
    connect();
  }

  VP.pages.phone = function () {
    try {
      init();
    } catch (error) {
      handlePageError(error);
    }
  };
  phone.hangup = hangup;
  phone.dial = dial;
  phone.receive = (message) => onMessage(message); // a signaling message, as if from the WebSocket (tests)
  phone.showAlert = showAlert;
})();
