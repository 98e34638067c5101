/* Phone page: device check, dial pad, signaling WebSocket (docs/signaling.md),
 * WebRTC calls and call-quality telemetry. Uses the helpers of app.js (VP.ui, VP.api). */
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
  const END_NOTICE_MS = 4000;

  // Everything tests (and curious engineers) may look at.
  const phone = (VP.phone = { pc: null, lastStats: null, call: null, ws: null, welcome: null });

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
            el("span", { class: "name" }, (c.favourite ? "★ " : "") + (c.name || c.number)),
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
        return answerFromPush(m);
      case "forwarded":
        if (ours && call.role === "caller") onForwarded(call);
        return;
      case "ringing":
        if (ours && call.state === "calling") {
          call.state = "ringing";
          setStatus(call.forwarded ? "forwarded" : "ringing");
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
      case "peer_reconnecting":
        if (ours) showAlert(t("phone_peer_reconnecting"));
        return;
      case "peer_reconnected":
        if (ours) showAlert(t("phone_peer_reconnected"));
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
    updateButtons();
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
      { id: "", role: "caller", peer: null, state: "idle", pc: null, localStream: null, remoteStream: null, localCandidates: [], sentCandidates: [], forwarded: false, remoteCandidates: [], signalingOpen: false, answeredAt: null, limitAt: null, muted: false, cameraOff: false, offer: null, media: null, timers: [] },
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
    clearEndTimer();
    showScreen("call");
    setStatus("calling");
    renderCallInfo();
    let stream;
    try {
      stream = await getMedia(true);
    } catch (error) {
      phone.call = null;
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
    await call.pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
    await flushRemoteCandidates(call);
    flushLocalCandidates();
    startInCall(call, Date.now());
  }

  // -- incoming ----------------------------------------------------------------------------------------
  function onIncoming(m) {
    if (phone.call && phone.call.state !== "ended") return; // the server never offers call waiting
    showAlert("");
    clearEndTimer();
    const call = newCall({ id: m.call_id, role: "callee", peer: m.from || { number: "" }, state: "incoming", offer: m.sdp, media: m.media || { audio: true, video: true } });
    phone.call = call;
    const withheld = Boolean(m.from && m.from.withheld);
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
    startRinging();
  }

  // opened from a call's push notification (/phone?answer=<call id>): answer that call when its
  // ``incoming`` arrives, once (the parameter is cleared).
  function answerFromPush(m) {
    const params = new URLSearchParams(location.search);
    if (!m.call_id || params.get("answer") !== m.call_id) return;
    params.delete("answer");
    const rest = params.toString();
    history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    return accept();
  }

  async function accept() {
    const call = phone.call;
    if (!call || call.state !== "incoming" || !call.offer) return;
    call.state = "accepting";
    stopRinging();
    showScreen("call");
    renderCallInfo();
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

  // -- ringtone (WebAudio; no audio files) ------------------------------------------------------------------
  const ring = { ctx: null, timer: null };

  function beep(ctx) {
    const now = ctx.currentTime;
    [0, 0.5].forEach((offset) => {
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, now + offset + 0.03);
      gain.gain.setValueAtTime(0.15, now + offset + 0.35);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.4);
      gain.connect(ctx.destination);
      [440, 480].forEach((frequency) => {
        const osc = ctx.createOscillator();
        osc.frequency.value = frequency;
        osc.connect(gain);
        osc.start(now + offset);
        osc.stop(now + offset + 0.42);
      });
    });
  }

  function startRinging() {
    stopRinging();
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      ring.ctx = new Ctx();
      if (ring.ctx.state === "suspended") ring.ctx.resume().catch(() => {});
      beep(ring.ctx);
      ring.timer = setInterval(() => ring.ctx && beep(ring.ctx), 3000);
      document.body.dataset.ringing = "true";
    } catch (e) {
      ring.ctx = null;
    }
  }

  function stopRinging() {
    clearInterval(ring.timer);
    ring.timer = null;
    if (ring.ctx) ring.ctx.close().catch(() => {});
    ring.ctx = null;
    delete document.body.dataset.ringing;
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
    beepOnce();
  }

  function beepOnce() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      beep(ctx);
      setTimeout(() => ctx.close().catch(() => {}), 1500);
    } catch (e) {
      /* no audio: the visible warning is enough */
    }
  }

  function renderCallInfo() {
    const call = phone.call;
    $("[data-testid=call-peer]").textContent = call ? peerLabel(call.peer) : "";
    $("[data-testid=call-timer]").textContent = "00:00";
    $("[data-testid=credit-warning]").hidden = true;
    renderRemaining(call);
    setQuality("unknown");
    updateButtons();
  }

  function startInCall(call, startedAt) {
    call.state = "in-call";
    call.answeredAt = startedAt;
    showScreen("call");
    setStatus("in-call");
    renderCallInfo();
    const tick = () => {
      $("[data-testid=call-timer]").textContent = mmss((Date.now() - call.answeredAt) / 1000);
      if (call.limitAt) renderRemaining(call);
    };
    tick();
    call.timers.push(setInterval(tick, 1000));
    call.timers.push(setInterval(() => sampleStats(call).catch(() => {}), QUALITY_MS));
    call.timers.push(setInterval(() => sendTelemetry(call, false), TELEMETRY_MS));
  }

  function updateButtons() {
    const call = phone.call;
    const mute = $("[data-testid=mute-button]");
    const camera = $("[data-testid=camera-button]");
    const muted = !!(call && call.muted);
    const hasVideo = !!(call && call.localStream && call.localStream.getVideoTracks().some((tr) => tr.readyState === "live" && tr.enabled));
    mute.setAttribute("aria-pressed", String(muted));
    mute.textContent = t(muted ? "phone_unmute" : "phone_mute");
    camera.setAttribute("aria-pressed", String(!hasVideo));
    camera.dataset.camera = hasVideo ? "on" : "off";
    camera.textContent = t(hasVideo ? "phone_camera_off" : "phone_camera_on");
    $("[data-testid=local-video]").classList.toggle("off", !hasVideo);
  }

  function toggleMute() {
    const call = phone.call;
    if (!call || !call.localStream) return;
    call.muted = !call.muted;
    call.localStream.getAudioTracks().forEach((track) => (track.enabled = !call.muted));
    updateButtons();
  }

  async function toggleCamera() {
    const call = phone.call;
    if (!call || !call.pc) return;
    const tracks = call.localStream ? call.localStream.getVideoTracks().filter((tr) => tr.readyState === "live") : [];
    if (tracks.length && tracks.some((tr) => tr.enabled)) {
      tracks.forEach((track) => (track.enabled = false));
      updateButtons();
      return;
    }
    if (tracks.length) {
      tracks.forEach((track) => (track.enabled = true));
      updateButtons();
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

  let endTimer = null;
  function clearEndTimer() {
    clearTimeout(endTimer);
    endTimer = null;
  }

  function endCall(info) {
    const call = phone.call;
    if (!call || call.state === "ended") return;
    const wasInCall = call.state === "in-call";
    call.state = "ended";
    stopRinging();
    if (wasInCall && call.pc) {
      // The last sample is taken before the connection closes.
      sendTelemetry(call, true);
    }
    teardown();
    showScreen("idle");
    $("[data-testid=call-remaining]").hidden = true;
    $("[data-testid=credit-warning]").hidden = true;
    setStatus("ended", info);
    clearEndTimer();
    refreshCapabilities();
    setTimeout(maybeReload, 1500); // a client release waiting for the call to end
  }

  function teardown() {
    const call = phone.call;
    if (!call) return;
    call.timers.forEach((id) => clearInterval(id));
    call.timers = [];
    if (call.localStream) call.localStream.getTracks().forEach((track) => track.stop());
    if (call.pc && call.pc.signalingState !== "closed") {
      // Closing waits for a pending final telemetry sample, which reads the stats first.
      const pc = call.pc;
      Promise.resolve(call.finalSample).finally(() => pc.close());
    }
    $("[data-testid=remote-video]").srcObject = null;
    $("[data-testid=local-video]").srcObject = null;
  }

  // -- quality: stats, indicator, telemetry (R-15) ------------------------------------------------------------
  async function readStats(call) {
    const pc = call.pc;
    if (!pc || pc.signalingState === "closed") return null;
    const report = await pc.getStats();
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    let pair = null;
    report.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId && byId.get(s.selectedCandidatePairId)) pair = byId.get(s.selectedCandidatePairId);
    });
    if (!pair) {
      report.forEach((s) => {
        if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pair = s;
      });
    }
    const sample = { at: Date.now() };
    let bytesIn = 0;
    let bytesOut = 0;
    let lost = 0;
    let received = 0;
    report.forEach((s) => {
      if (s.type === "inbound-rtp") {
        bytesIn += s.bytesReceived || 0;
        lost += Math.max(0, s.packetsLost || 0);
        received += s.packetsReceived || 0;
        if (s.kind === "video") {
          sample.frames_decoded = (sample.frames_decoded || 0) + (s.framesDecoded || 0);
          if (s.framesPerSecond !== undefined) sample.frames_per_second = s.framesPerSecond;
          if (s.frameWidth) sample.frame_width = s.frameWidth;
          if (s.frameHeight) sample.frame_height = s.frameHeight;
        } else if (s.kind === "audio") {
          sample.audio_packets_received = (sample.audio_packets_received || 0) + (s.packetsReceived || 0);
        }
      } else if (s.type === "outbound-rtp") {
        bytesOut += s.bytesSent || 0;
      }
    });
    if (pair) {
      if (typeof pair.currentRoundTripTime === "number") sample.rtt_ms = Math.round(pair.currentRoundTripTime * 1000 * 10) / 10;
      const local = byId.get(pair.localCandidateId);
      const remote = byId.get(pair.remoteCandidateId);
      sample.local_candidate_type = local ? local.candidateType : null;
      sample.remote_candidate_type = remote ? remote.candidateType : null;
      sample.local_address = local ? local.address || local.ip : null;
      sample.remote_address = remote ? remote.address || remote.ip : null;
    }
    if (received + lost > 0) sample.packet_loss_pct = Math.round((lost / (received + lost)) * 10000) / 100;
    sample.bytes_in = bytesIn;
    sample.bytes_out = bytesOut;
    const prev = call.prevStats;
    if (prev && sample.at > prev.at) {
      const seconds = (sample.at - prev.at) / 1000;
      sample.bitrate_in_kbps = Math.max(0, Math.round(((bytesIn - prev.bytes_in) * 8) / seconds / 100) / 10);
      sample.bitrate_out_kbps = Math.max(0, Math.round(((bytesOut - prev.bytes_out) * 8) / seconds / 100) / 10);
    }
    call.prevStats = sample;
    phone.lastStats = Object.assign({ call_id: call.id }, sample);
    return sample;
  }

  function grade(sample) {
    if (!sample || sample.rtt_ms === undefined) return "unknown";
    const rtt = sample.rtt_ms;
    const loss = sample.packet_loss_pct || 0;
    const fps = sample.frames_per_second;
    if (rtt > 800 || loss > 10 || (fps !== undefined && fps < 5)) return "poor";
    if (rtt > 300 || loss > 3 || (fps !== undefined && fps < 15)) return "fair";
    return "good";
  }

  function setQuality(level) {
    const node = $("[data-testid=quality]");
    node.dataset.quality = level;
    $("[data-quality-text]", node).textContent = t("phone_quality_" + level);
  }

  async function sampleStats(call) {
    const sample = await readStats(call);
    if (sample && phone.call === call) setQuality(grade(sample));
    return sample;
  }

  const TELEMETRY_FIELDS = ["rtt_ms", "packet_loss_pct", "bitrate_in_kbps", "bitrate_out_kbps", "frames_per_second", "frame_width", "frame_height", "frames_decoded", "audio_packets_received"];

  function sendTelemetry(call, final) {
    const work = (async () => {
      let sample = null;
      try {
        sample = await readStats(call);
      } catch (e) {
        sample = null;
      }
      sample = sample || call.prevStats;
      if (!sample) return;
      const body = { final: !!final };
      TELEMETRY_FIELDS.forEach((name) => {
        const value = sample[name];
        if (typeof value === "number" && Number.isFinite(value)) body[name] = ["frame_width", "frame_height", "frames_decoded", "audio_packets_received"].includes(name) ? Math.round(value) : value;
      });
      try {
        await VP.api("POST", "/api/v1/me/calls/" + encodeURIComponent(call.id) + "/quality", body);
      } catch (e) {
        /* telemetry is best effort */
      }
    })();
    if (final) call.finalSample = work;
    return work;
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
    window.addEventListener("pagehide", () => {
      const call = phone.call;
      if (call && call.state === "in-call") sendTelemetry(call, true);
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
})();
