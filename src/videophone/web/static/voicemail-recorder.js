/* Recording a short video in the browser: the caller's message on the phone page and the
 * greeting on the mailbox page.  MediaRecorder over the camera and microphone, WebM (VP8/VP9 + Opus) at
 * about 1 Mbit/s, so that the policy's longest message stays well under its byte cap; the recording stops
 * by itself at ``maxSeconds``.  The server reads what it gets from its bytes (WebM with video, its
 * length), whatever this says. */
(function () {
  "use strict";

  const VP = window.VP;
  const TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];

  function supported() {
    return Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  /** Start recording into ``preview`` (a muted live view).  Returns {stop, cancel, done}: ``done``
   * resolves with {blob, seconds} once stopped (by ``stop()`` or at ``maxSeconds``), or null when
   * cancelled; ``onTick(elapsedSeconds)`` is called four times a second. */
  async function record({ preview, maxSeconds, onTick }) {
    if (!supported()) throw new Error("unsupported");
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } });
    if (!stream.getVideoTracks().length) {
      stream.getTracks().forEach((track) => track.stop());
      throw new Error("no camera");
    }
    preview.muted = true;
    preview.srcObject = stream;
    preview.play().catch(() => {});
    const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    const options = { videoBitsPerSecond: 1000000, audioBitsPerSecond: 64000 };
    if (mimeType) options.mimeType = mimeType;
    const recorder = new MediaRecorder(stream, options);
    const chunks = [];
    let cancelled = false;
    let startedAt = 0;
    let timer = null;
    const done = new Promise((resolve) => {
      recorder.ondataavailable = (event) => {
        if (event.data && event.data.size) chunks.push(event.data);
      };
      recorder.onstop = () => {
        clearInterval(timer);
        stream.getTracks().forEach((track) => track.stop());
        preview.srcObject = null;
        const seconds = startedAt ? Math.min(maxSeconds, (Date.now() - startedAt) / 1000) : 0;
        resolve(cancelled ? null : { blob: new Blob(chunks, { type: "video/webm" }), seconds });
      };
    });
    function stop() {
      if (recorder.state !== "inactive") recorder.stop();
      return done;
    }
    function cancel() {
      cancelled = true;
      return stop();
    }
    recorder.start(1000);
    startedAt = Date.now();
    timer = setInterval(() => {
      const elapsed = (Date.now() - startedAt) / 1000;
      if (onTick) onTick(Math.min(elapsed, maxSeconds));
      if (elapsed >= maxSeconds) stop();
    }, 250);
    return { stop, cancel, done };
  }

  /** Upload a recording as the multipart field ``video``. */
  function upload(method, url, blob) {
    const form = new FormData();
    form.append("video", blob, "message.webm");
    return VP.api(method, url, form);
  }

  VP.recorder = { supported, record, upload };
})();
