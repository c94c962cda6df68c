/* backprop-derived: the page's "Contents" (the secondary sidebar) follows the reading position to the page's last
 * section, and keeps its highlighted entry in view (issue 15, item 5).
 *
 * The theme highlights an entry when its heading enters the top 30 % of the window (an IntersectionObserver). A jump
 * that lands inside a section (a dragged scroll bar, a flick, Page Up) moves no heading into that band, so the entry
 * of a section left long ago stayed highlighted; and the sidebar itself never scrolled, so on a long page the
 * highlighted entry went below its visible part (from about 6,000 px down transpose.html).
 *
 * Here, once per frame in which the page scrolled, the highlighted entry is the last whose heading is above the line
 * 30 % down the window (the theme's line), and the sidebar scrolls it into view when it is outside. When the theme
 * highlights another entry (its observer runs on its own), this one puts the highlight back at once. A link to a
 * section (from the Contents or elsewhere) highlights that section, as the theme does, until the reader scrolls away
 * from where it landed: at the page's end a short last section's heading may stop below the line.
 *
 * Sections are measured by their own boxes: sections off screen are not laid out (content-visibility, lean.css), and
 * measuring anything inside one would lay it out. A sub-section is measured only when its section is near the screen.
 */
(function () {
  "use strict";

  var LINE = 0.3;  // the theme's line, as a fraction of the window's height
  var LEAVE = 40;  // px the reader scrolls from where a link landed before the highlight follows the scroll again

  function start() {
    var nav = document.getElementById("pst-page-toc-nav");
    if (!nav) return;
    var links = Array.prototype.slice.call(nav.querySelectorAll("a"));
    var entries = [];
    links.forEach(function (link) {
      var id = link.getAttribute("href").charAt(0) === "#" ? decodeURIComponent(link.hash.slice(1)) : "";
      var section = id && document.getElementById(id);
      if (!section) return;
      entries.push({
        link: link,
        section: section,
        // the section that lean.css lays out lazily, when this one is inside it
        outer: section.parentElement.closest(".bd-article > section > section")
      });
    });
    if (!entries.length) return;
    var current = null;
    var pinned = null;  // {entry, y}: a link led here, the page was at y

    function headingTop(entry) {
      var outer = (entry.outer || entry.section).getBoundingClientRect();
      if (outer.bottom < 0 || outer.top > innerHeight) return outer.top;  // not laid out, and far from the line
      var heading = entry.section.querySelector("h1, h2, h3, h4, h5, h6") || entry.section;
      return heading.getBoundingClientRect().top;
    }

    function reading() {
      if (pinned) {
        if (Math.abs(scrollY - pinned.y) < LEAVE) return pinned.entry;
        pinned = null;
      }
      var line = innerHeight * LINE, found = entries[0];
      for (var i = 0; i < entries.length; i++) {
        if (headingTop(entries[i]) > line) break;
        found = entries[i];
      }
      return found;
    }

    // The theme's own marks (pydata-sphinx-theme's activate): the link and each entry around it.
    function highlight(entry) {
      links.forEach(function (link) {
        var on = link === entry.link;
        if (link.classList.contains("active") !== on) link.classList.toggle("active", on);
        if (on) link.setAttribute("aria-current", "true");
        else if (link.hasAttribute("aria-current")) link.removeAttribute("aria-current");
      });
      nav.querySelectorAll(".toc-entry").forEach(function (item) {
        var on = item.contains(entry.link);
        if (item.classList.contains("active") !== on) item.classList.toggle("active", on);
      });
    }

    function inView(entry) {
      var sidebar = entry.link.closest(".bd-sidebar-secondary");
      if (!sidebar || sidebar.scrollHeight <= sidebar.clientHeight) return;
      var box = sidebar.getBoundingClientRect();
      var top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
      var link = entry.link.getBoundingClientRect();
      if (link.top >= top && link.bottom <= bottom) return;
      sidebar.scrollTop += link.top - (top + bottom) / 2 + link.height / 2;
    }

    function update() {
      var entry = reading();
      var shown = nav.querySelector("a.active");
      if (entry !== current || shown !== entry.link) {
        current = entry;
        highlight(entry);
      }
      inView(entry);
    }

    var queued = false;
    function soon() {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () {
        queued = false;
        update();
      });
    }

    function pinTo(hash) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].link.hash === hash) {
          pinned = { entry: entries[i], y: scrollY };
          soon();
          return;
        }
      }
    }

    window.addEventListener("scroll", soon, { passive: true });
    window.addEventListener("resize", soon);
    window.addEventListener("hashchange", function () { pinTo(location.hash); });
    // A link to the section already in the address bar scrolls there again without a hashchange.
    window.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest('a[href^="#"]');
      if (link && link.hash === location.hash) requestAnimationFrame(function () { pinTo(link.hash); });
    });
    // The theme's observer changes the highlight by itself: put back the one read here.
    new MutationObserver(function () {
      if (current && nav.querySelector("a.active") !== current.link) highlight(current);
    }).observe(nav, { subtree: true, attributes: true, attributeFilter: ["class"] });
    if (location.hash) pinTo(location.hash);
    soon();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
