/* Phone page: call quality — reading getStats(), the good/fair/poor indicator over the video, and the
 * telemetry samples posted to the call record. VP.callStats.{read, sample, telemetry, setQuality}. */
(function () {
  "use strict";

  const VP = window.VP;
  const { t, $ } = VP.ui;
  const phone = () => VP.phone;
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
      // The media path (issue 16): a relay (TURN) candidate on either side of the selected pair means the
      // media goes through the TURN server; both candidate types known and neither a relay: direct.
      if (sample.local_candidate_type === "relay" || sample.remote_candidate_type === "relay") sample.path = "turn";
      else if (sample.local_candidate_type && sample.remote_candidate_type) sample.path = "p2p";
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
    phone().lastStats = Object.assign({ call_id: call.id }, sample);
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
    if (sample && phone().call === call) setQuality(grade(sample));
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
      if (sample.path === "p2p" || sample.path === "turn") body.path = sample.path;
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

  VP.callStats = { read: readStats, sample: sampleStats, telemetry: sendTelemetry, setQuality, grade };
})();
