/* backprop-derived: code blocks and outputs that scroll sideways can be reached with the keyboard, without laying out
 * the whole page to find out which ones scroll.
 *
 * The theme does this once the page has loaded: it reads the width of every code block and output, gives those that
 * scroll tabindex 0 and the others -1. Reading a width lays out the section around it, and the sections off screen
 * are left unlaid on purpose (content-visibility in lean.css), so that one pass laid out the whole page at once: on a
 * throttled phone, the longest task of the page (Lighthouse: total blocking time 225-236 ms with it, 47-59 ms
 * without). conf/lean_pages.py takes that pass out of the theme's script, and this one does the same work lazily:
 *
 * - at once, with no measuring: every such element gets tabindex 0, so each one that might scroll can be focused;
 * - as an element comes within a screen of the viewport, where it is laid out anyway: 0 if it scrolls, -1 if not;
 * - after the window is resized, the elements near the screen are measured again (the others keep 0 until they come
 *   near it).
 */
(function () {
  "use strict";

  // The theme's list (pydata-sphinx-theme, addTabStopsToScrollableElements), and display formulas, which scroll
  // sideways when wider than the column (site.css makes .katex-display the box that scrolls, not KaTeX's
  // .katex-html inside it, which is aria-hidden and so must not take focus).
  var SCROLLABLE = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, " +
    ".pst-scrollable-table-container, div.math > .katex-display";

  function scrolls(element) {
    return element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
  }

  function start() {
    var elements = Array.prototype.slice.call(document.querySelectorAll(SCROLLABLE));
    elements.forEach(function (element) { element.tabIndex = 0; });
    if (!("IntersectionObserver" in window)) return;  // every one stays focusable
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        entry.target.tabIndex = entry.isIntersecting && !scrolls(entry.target) ? -1 : 0;
      });
    }, { rootMargin: "100% 0px" });
    elements.forEach(function (element) { near.observe(element); });
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        elements.forEach(function (element) { near.unobserve(element); near.observe(element); });
      }, 300);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
