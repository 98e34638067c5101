/* Tables wider than the screen scroll sideways in their `.table-wrap`: while one overflows it has the
 * class "scrolls" (edge shadows), a visible "swipe for more" hint before it, and — a region that scrolls
 * must be reachable by keyboard (WCAG 2.1.1, axe-core "scrollable-region-focusable") — tabindex="0", so
 * the arrow keys scroll it; all given back when it fits. */
(function () {
  "use strict";

  function mark(wrap) {
    if (!wrap) return;
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls) wrap.setAttribute("tabindex", "0");
    else wrap.removeAttribute("tabindex");
    wrap.classList.toggle("scrolls", scrolls);
    let hint = wrap.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      if (!scrolls) return;
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = window.VP.ui.t("table_scroll_hint");
      wrap.before(hint);
    }
    hint.hidden = !scrolls;
  }

  // The wrapper changes size with the window; its table changes size when rows arrive.
  const sizes = new ResizeObserver((entries) => {
    entries.forEach((entry) => mark(entry.target.closest(".table-wrap")));
  });
  const watched = new WeakSet();

  function watch(root) {
    const wraps = root.matches && root.matches(".table-wrap") ? [root] : [];
    if (root.querySelectorAll) wraps.push(...root.querySelectorAll(".table-wrap"));
    wraps.forEach((wrap) => {
      if (watched.has(wrap)) return;
      watched.add(wrap);
      sizes.observe(wrap);
      Array.from(wrap.children).forEach((child) => sizes.observe(child));
    });
  }

  function start() {
    watch(document.body);
    // Some pages draw their tables (and wrappers) from the API's data.
    new MutationObserver((records) => {
      records.forEach((record) => record.addedNodes.forEach((node) => {
        if (node.nodeType !== 1) return;
        if (node.parentElement && node.parentElement.matches(".table-wrap")) sizes.observe(node);
        watch(node);
      }));
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
