/* Tables wider than the screen scroll sideways in their `.table-wrap`; a region that scrolls must be
 * reachable by keyboard (WCAG 2.1.1, axe-core "scrollable-region-focusable"), so such a wrapper takes
 * tabindex="0" (arrow keys then scroll it) while it overflows, and gives it back when it fits. */
(function () {
  "use strict";

  function mark(wrap) {
    if (!wrap) return;
    if (wrap.scrollWidth > wrap.clientWidth + 1) wrap.setAttribute("tabindex", "0");
    else wrap.removeAttribute("tabindex");
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
