/* Phone page: call tones made with WebAudio (no audio files). VP.tones.play("ringtone" | "ringback"),
 * VP.tones.stop(), VP.tones.beep() (the credit warning). One AudioContext for the page: it is resumed on the
 * first user gesture, so a tone may later start while the tab is in the background (autoplay policy).
 * A tone's whole cadence is scheduled on the audio clock at once: no timers, which a hidden tab throttles.
 * What plays is on <body>: data-tone (ringtone/ringback) and data-audio (the context's state). */
(function () {
  "use strict";

  const VP = window.VP;
  // Incoming: two short dual-tone bursts every 3 s. Outgoing (Chinese ringback): 450 Hz, 1 s on, 4 s off.
  const TONES = {
    ringtone: { frequencies: [440, 480], cycle: 3, bursts: [[0, 0.4], [0.5, 0.9]], level: 0.15, seconds: 120 },
    ringback: { frequencies: [450], cycle: 5, bursts: [[0, 1]], level: 0.12, seconds: 180 },
  };
  const tones = (VP.tones = { ctx: null, playing: null });

  function context() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!tones.ctx) {
      tones.ctx = new Ctx();
      tones.ctx.onstatechange = showState;
    }
    return tones.ctx;
  }

  function showState() {
    if (tones.ctx) document.body.dataset.audio = tones.ctx.state;
  }

  // The first gesture on the page unlocks audio for the rest of its life (a background ring needs it).
  function unlock() {
    const ctx = context();
    if (ctx && ctx.state === "suspended") ctx.resume().then(() => !tones.playing && ctx.suspend()).catch(() => {});
    ["pointerdown", "keydown"].forEach((name) => document.removeEventListener(name, unlock, true));
  }
  ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, unlock, true));

  function envelope(gain, start, spec) {
    const g = gain.gain;
    g.setValueAtTime(0, start);
    for (let at = 0; at < spec.seconds; at += spec.cycle) {
      spec.bursts.forEach(([on, off]) => {
        g.setValueAtTime(0, start + at + on);
        g.linearRampToValueAtTime(spec.level, start + at + on + 0.02);
        g.setValueAtTime(spec.level, start + at + off - 0.02);
        g.linearRampToValueAtTime(0, start + at + off);
      });
    }
  }

  function play(kind) {
    stop();
    const spec = TONES[kind];
    const ctx = context();
    if (!ctx || !spec) return;
    try {
      const gain = ctx.createGain();
      gain.connect(ctx.destination);
      const start = ctx.currentTime + 0.05;
      envelope(gain, start, spec);
      const oscillators = spec.frequencies.map((frequency) => {
        const osc = ctx.createOscillator();
        osc.frequency.value = frequency;
        osc.connect(gain);
        osc.start(start);
        osc.stop(start + spec.seconds);
        return osc;
      });
      tones.playing = { kind, gain, oscillators };
      document.body.dataset.tone = kind;
      if (ctx.state !== "running") ctx.resume().catch(() => {});
      showState();
    } catch (e) {
      tones.playing = null; // no audio: the screen still shows the call
    }
  }

  function stop() {
    const playing = tones.playing;
    tones.playing = null;
    delete document.body.dataset.tone;
    if (!playing) return;
    playing.oscillators.forEach((osc) => {
      try {
        osc.stop();
      } catch (e) {
        /* already stopped */
      }
    });
    playing.gain.disconnect();
    if (tones.ctx && tones.ctx.state === "running") tones.ctx.suspend().catch(() => {});
  }

  function beep() {
    const ctx = context();
    if (!ctx || tones.playing) return;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    const start = ctx.currentTime + 0.05;
    envelope(gain, start, { ...TONES.ringtone, seconds: 1 });
    TONES.ringtone.frequencies.forEach((frequency) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start(start);
      osc.stop(start + 1);
    });
    if (ctx.state !== "running") ctx.resume().catch(() => {});
  }

  // Is a tone audible now: the context runs and the tone's oscillators are started.
  tones.audible = () => Boolean(tones.playing && tones.ctx && tones.ctx.state === "running");
  tones.play = play;
  tones.stop = stop;
  tones.beep = beep;
})();
