/* Phone page: the call screen (issue 15) — the call fills the viewport with its controls over the video;
 * full screen; the self view as a small tile that can be dragged and stays inside; the placeholder (avatar,
 * name or number) when the other side's camera is off; "reconnecting…" over the video; the speaker,
 * microphone and camera choice (setSinkId, replaceTrack) and the front/back camera switch; the screen kept
 * awake (Wake Lock) during a call. phone.js drives it: VP.callScreen.{init, enter, leave, render, controls,
 * setReconnecting, avatar}. State for tests and the curious: <body data-wake-lock>, data-fullscreen. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, $, $$, el } = VP.ui;
  const screen = (VP.callScreen = { call: () => null });
  const SVG = "http://www.w3.org/2000/svg";
  const TILE_MARGIN = 8;

  function icon(button, name) {
    const use = button.querySelector("use");
    if (use) use.setAttribute("href", "#i-" + name);
  }

  function label(button, text) {
    button.setAttribute("aria-label", text);
    button.title = text;
  }

  // -- avatar: initials (or the last digits of a number) on a colour of the name --------------------------
  function initials(peer) {
    if (!peer || peer.withheld) return "";
    const name = String(peer.contact_name || peer.name || "").trim();
    if (/^[\u3400-\u9fff]/.test(name)) return name.length > 2 ? name.slice(-2) : name;
    if (name) return name.split(/\s+/).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
    return String(peer.number || "").slice(-2);
  }

  function avatar(node, peer) {
    const text = initials(peer);
    node.replaceChildren();
    if (text) {
      node.textContent = text;
    } else {
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("class", "icon");
      svg.setAttribute("aria-hidden", "true");
      const use = document.createElementNS(SVG, "use");
      use.setAttribute("href", "#i-person");
      svg.append(use);
      node.append(svg);
    }
    const seed = String((peer && (peer.number || peer.name)) || "");
    let hue = 210;
    for (const ch of seed) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
    node.style.background = text ? "hsl(" + hue + ", 42%, 42%)" : "";
  }

  // -- what the screen shows ----------------------------------------------------------------------------
  // phase: the state line while no picture flows (calling…, ringing…); label: the peer as we may see them.
  function render(call, info) {
    const extra = info || {};
    const inCall = Boolean(call && call.state === "in-call");
    const media = (call && call.peerMedia) || { audio: true, video: true };
    const placeholder = $("[data-testid=peer-placeholder]");
    const show = Boolean(call) && (!inCall || media.video === false);
    placeholder.hidden = !show;
    placeholder.dataset.reason = inCall ? "camera-off" : "connecting";
    $("[data-testid=remote-video]").classList.toggle("covered", show);
    if (call) {
      avatar($("[data-testid=peer-avatar]"), call.peer);
      $("[data-testid=placeholder-name]").textContent = extra.label || "";
    }
    const notes = [];
    if (inCall && media.video === false) notes.push(t("phone_peer_camera_off"));
    if (inCall && media.audio === false) notes.push(t("phone_peer_muted"));
    if (!inCall && extra.phase) notes.push(extra.phase);
    $("[data-testid=placeholder-note]").textContent = notes.join(" · ");
    $("[data-testid=call-phase]").textContent = inCall ? "" : extra.phase || "";
    $("[data-testid=call-timer]").hidden = !inCall;
    showReconnecting();
  }

  function controls(call) {
    const mute = $("[data-testid=mute-button]");
    const camera = $("[data-testid=camera-button]");
    const muted = Boolean(call && call.muted);
    const video = Boolean(call && call.localStream && call.localStream.getVideoTracks().some((tr) => tr.readyState === "live" && tr.enabled));
    mute.setAttribute("aria-pressed", String(muted));
    label(mute, t(muted ? "phone_unmute" : "phone_mute"));
    icon(mute, muted ? "mic-off" : "mic");
    camera.setAttribute("aria-pressed", String(!video));
    camera.dataset.camera = video ? "on" : "off";
    label(camera, t(video ? "phone_camera_off" : "phone_camera_on"));
    icon(camera, video ? "cam" : "cam-off");
    $("[data-testid=local-video]").classList.toggle("off", !video);
  }

  // -- reconnecting: ICE disconnected, our signaling socket reconnecting, or the peer's ------------------
  const trouble = { ice: false, signaling: false, peer: false };

  function setReconnecting(kind, on) {
    trouble[kind] = Boolean(on);
    showReconnecting();
  }

  function showReconnecting() {
    const call = screen.call();
    const on = Boolean(call && call.state === "in-call") && (trouble.ice || trouble.signaling || trouble.peer);
    $("[data-testid=reconnecting]").hidden = !on;
  }

  // -- full screen ---------------------------------------------------------------------------------------
  function toggleFullscreen() {
    if (document.fullscreenElement) return document.exitFullscreen();
    const target = $("[data-testid=in-call]");
    return target.requestFullscreen ? target.requestFullscreen({ navigationUI: "hide" }) : Promise.resolve();
  }

  function onFullscreen() {
    const on = Boolean(document.fullscreenElement);
    const button = $("[data-testid=fullscreen-button]");
    button.setAttribute("aria-pressed", String(on));
    label(button, t(on ? "phone_fullscreen_exit" : "phone_fullscreen"));
    icon(button, on ? "fullscreen-exit" : "fullscreen");
    document.body.dataset.fullscreen = String(on);
    placeTile();
  }

  // -- Wake Lock: held during a call, taken again when the page comes back into view ---------------------
  const wake = { wanted: false, sentinel: null };

  function wakeState() {
    const held = Boolean(wake.sentinel && !wake.sentinel.released);
    document.body.dataset.wakeLock = !("wakeLock" in navigator) ? "unsupported" : held ? "held" : wake.wanted ? "wanted" : "released";
  }

  async function acquireWake() {
    if (!wake.wanted || !("wakeLock" in navigator) || document.visibilityState !== "visible") return wakeState();
    if (wake.sentinel && !wake.sentinel.released) return wakeState();
    try {
      const sentinel = await navigator.wakeLock.request("screen");
      sentinel.addEventListener("release", wakeState);
      if (wake.wanted) wake.sentinel = sentinel;
      else sentinel.release().catch(() => {});
    } catch (e) {
      wake.sentinel = null; // not allowed (battery saver, policy): the call goes on
    }
    wakeState();
  }

  function releaseWake() {
    wake.wanted = false;
    const sentinel = wake.sentinel;
    wake.sentinel = null;
    if (sentinel && !sentinel.released) sentinel.release().catch(() => {});
    wakeState();
  }

  // -- the self view: a tile dragged with pointer events, kept inside the stage -----------------------------
  const tile = { dragging: null, at: null };

  function placeTile() {
    const video = $("[data-testid=local-video]");
    if (!tile.at) return;
    const stage = $("[data-testid=stage]").getBoundingClientRect();
    const box = video.getBoundingClientRect();
    const x = Math.min(Math.max(TILE_MARGIN, tile.at.x), Math.max(TILE_MARGIN, stage.width - box.width - TILE_MARGIN));
    const y = Math.min(Math.max(TILE_MARGIN, tile.at.y), Math.max(TILE_MARGIN, stage.height - box.height - TILE_MARGIN));
    tile.at = { x, y };
    Object.assign(video.style, { left: x + "px", top: y + "px", right: "auto", bottom: "auto" });
  }

  function initTile() {
    const video = $("[data-testid=local-video]");
    video.addEventListener("pointerdown", (event) => {
      const box = video.getBoundingClientRect();
      const stage = $("[data-testid=stage]").getBoundingClientRect();
      tile.dragging = { id: event.pointerId, dx: event.clientX - box.left, dy: event.clientY - box.top, stage };
      video.setPointerCapture(event.pointerId);
      video.classList.add("dragging");
      event.preventDefault();
    });
    video.addEventListener("pointermove", (event) => {
      const drag = tile.dragging;
      if (!drag || drag.id !== event.pointerId) return;
      tile.at = { x: event.clientX - drag.stage.left - drag.dx, y: event.clientY - drag.stage.top - drag.dy };
      placeTile();
    });
    const stop = (event) => {
      if (!tile.dragging || tile.dragging.id !== event.pointerId) return;
      tile.dragging = null;
      video.classList.remove("dragging");
    };
    video.addEventListener("pointerup", stop);
    video.addEventListener("pointercancel", stop);
    window.addEventListener("resize", placeTile);
  }

  // -- devices: speaker, microphone, camera; the front/back switch --------------------------------------------
  async function devices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    try {
      return await navigator.mediaDevices.enumerateDevices();
    } catch (e) {
      return [];
    }
  }

  function currentDevice(kind) {
    const call = screen.call();
    if (kind === "audiooutput") return $("[data-testid=remote-video]").sinkId || "";
    const media = kind === "audioinput" ? "audio" : "video";
    const track = call && call.localStream && call.localStream.getTracks().find((tr) => tr.kind === media && tr.readyState === "live");
    return (track && track.getSettings && track.getSettings().deviceId) || "";
  }

  async function refreshDevices() {
    const list = await devices();
    const cameras = list.filter((d) => d.kind === "videoinput");
    $("[data-testid=switch-camera-button]").hidden = cameras.length < 2;
    const sink = typeof HTMLMediaElement.prototype.setSinkId === "function";
    $$(".device-choice").forEach((choice) => {
      const kind = choice.dataset.kind;
      const select = $("select", choice);
      const found = list.filter((d) => d.kind === kind && d.deviceId);
      select.replaceChildren(...found.map((d, i) => el("option", { value: d.deviceId }, d.label || t("phone_device_unnamed", { n: i + 1 }))));
      const current = currentDevice(kind);
      if (found.some((d) => d.deviceId === current)) select.value = current;
      choice.hidden = !found.length || (kind === "audiooutput" && !sink);
    });
    return list;
  }

  async function useDevice(kind, deviceId) {
    if (kind === "audiooutput") {
      const remote = $("[data-testid=remote-video]");
      if (typeof remote.setSinkId === "function") await remote.setSinkId(deviceId);
      return;
    }
    const call = screen.call();
    if (!call || !call.localStream) return;
    const media = kind === "audioinput" ? "audio" : "video";
    const old = call.localStream.getTracks().find((tr) => tr.kind === media);
    if (!old || old.readyState !== "live") return; // no such track yet: the camera button starts one
    const stream = await navigator.mediaDevices.getUserMedia({ [media]: { deviceId: { exact: deviceId } } });
    const track = stream.getTracks()[0];
    track.enabled = old.enabled;
    const sender = call.pc && call.pc.getSenders().find((s) => s.track === old);
    if (sender) await sender.replaceTrack(track);
    call.localStream.removeTrack(old);
    old.stop();
    call.localStream.addTrack(track);
    if (media === "video") {
      const local = $("[data-testid=local-video]");
      local.srcObject = call.localStream;
      local.classList.toggle("rear", (track.getSettings().facingMode || "") === "environment");
      local.play().catch(() => {});
    }
    controls(call);
  }

  async function switchCamera() {
    const cameras = (await devices()).filter((d) => d.kind === "videoinput" && d.deviceId);
    if (cameras.length < 2) return;
    const current = currentDevice("videoinput");
    const at = cameras.findIndex((d) => d.deviceId === current);
    await useDevice("videoinput", cameras[(at + 1) % cameras.length].deviceId);
  }

  function toggleDeviceMenu(open) {
    const menu = $("[data-testid=device-menu]");
    const show = open === undefined ? menu.hidden : open;
    menu.hidden = !show;
    $("[data-testid=devices-button]").setAttribute("aria-expanded", String(show));
    if (show) refreshDevices().catch(() => {});
  }

  function report(error) {
    VP.phone.showAlert(t("phone_media_error", { error: error.message || error.name }));
  }

  screen.init = (current) => {
    screen.call = current;
    $("[data-testid=fullscreen-button]").addEventListener("click", () => Promise.resolve(toggleFullscreen()).catch(() => {}));
    document.addEventListener("fullscreenchange", onFullscreen);
    $("[data-testid=switch-camera-button]").addEventListener("click", () => switchCamera().catch(report));
    $("[data-testid=devices-button]").addEventListener("click", () => toggleDeviceMenu());
    $$("[data-testid=device-menu] select").forEach((select) =>
      select.addEventListener("change", () => useDevice(select.dataset.kind, select.value).catch(report)),
    );
    if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
      navigator.mediaDevices.addEventListener("devicechange", () => refreshDevices().catch(() => {}));
    }
    document.addEventListener("visibilitychange", () => acquireWake());
    initTile();
    wakeState();
  };

  // The call screen opens (calling, ringing, answering or resuming) and closes.
  screen.enter = () => {
    wake.wanted = true;
    acquireWake();
    refreshDevices().catch(() => {});
    requestAnimationFrame(placeTile);
  };

  screen.leave = () => {
    releaseWake();
    toggleDeviceMenu(false);
    Object.keys(trouble).forEach((k) => (trouble[k] = false));
    showReconnecting();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  };

  screen.render = render;
  screen.controls = controls;
  screen.setReconnecting = setReconnecting;
  screen.avatar = avatar;
})();
