/* backprop-derived: "copy link" buttons for forum answers, and deep links that land where they point.
 *
 * Every labelled equation and every quotable answer box has two buttons, written into the page by conf/copy_links.py:
 * "Markdown link" copies a Markdown link, ready to paste into a Discourse post,
 * [backprop-derived: <page title>, eq. (5)](<absolute URL>#<anchor>); "URL" copies the plain address,
 * <absolute URL>#<anchor>. The absolute URL is the page's canonical link, which Sphinx writes from html_baseurl
 * (conf/conf.py), so it is the public address even on a local build.
 *
 * On a phone the page's contents open in a drawer (a <dialog>); a tapped entry closes it, so the reader sees the
 * section the entry leads to rather than the drawer still over it.
 *
 * A link to an equation may land before the web fonts have arrived; they change the height of everything above the
 * target, so once they have, the target is scrolled into view again (CSS scroll-margin keeps it below the header).
 */
(function () {
  "use strict";

  function pageUrl() {
    var canonical = document.querySelector('link[rel="canonical"]');
    if (canonical && canonical.href) return canonical.href;
    return location.href.split("#")[0];
  }

  // Markdown link text: brackets escaped so that "dZ[1]" cannot end the link text early.
  function markdownLink(text, url) {
    return "[" + text.replace(/([\[\]\\])/g, "\\$1") + "](" + url + ")";
  }

  function status() {
    var region = document.getElementById("copy-link-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "copy-link-status";
      region.className = "copy-link-status";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    return region;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  // A button copies one form of the link to its data-anchor: "markdown", ready to paste into a forum post, with its
  // data-link-text, or the plain "url". The buttons are in the HTML (conf/copy_links.py); one listener serves all.
  function copyFrom(button) {
    var form = button.classList.contains("copy-link-markdown") ? "markdown" : "url";
    var url = pageUrl() + "#" + button.dataset.anchor;
    var text = form === "markdown" ? markdownLink(button.dataset.linkText, url) : url;
    copyText(text).then(function () {
      button.classList.add("copied");
      status().textContent = (form === "markdown" ? "Copied a Markdown link: " : "Copied the URL: ") + text;
      setTimeout(function () { button.classList.remove("copied"); }, 2000);
    }, function () {
      status().textContent = "Could not copy. The link is: " + text;
    });
  }

  // The math is typeset while the site builds (KaTeX), so only web fonts arriving late can still move the target:
  // once they have, land on it again, and say so (tests wait for data-math-ready).
  function fontsLoaded() {
    return document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
  }

  // The element the address's #fragment names. A malformed %-escape (#%E0) cannot be decoded: the raw text is tried.
  function fragmentTarget() {
    var id = location.hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
    }
    return id ? document.getElementById(id) : null;
  }

  function landOnTarget() {
    var target = fragmentTarget();
    if (target) target.scrollIntoView({ block: "start" });
  }

  // Sections off screen are laid out only when the reader comes near them (lean.css); those the jump to a target
  // brings into view then take their real height, and the one above the target could move it under the header.
  // For a second after a jump (a contents entry, a link in the page), the target is held where the jump put it,
  // until the reader scrolls, taps or types.
  var holding = null;
  function holdTarget() {
    var target = fragmentTarget();
    if (!target) return;
    var frames = 60;
    var wanted = null;
    var token = {};
    holding = token;
    function check() {
      if (holding !== token) return;
      if (wanted === null || Math.abs(target.getBoundingClientRect().top - wanted) > 1) {
        target.scrollIntoView({ block: "start" });
        wanted = target.getBoundingClientRect().top;
      }
      if (--frames > 0) requestAnimationFrame(check);
    }
    requestAnimationFrame(check);
  }
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (type) {
    window.addEventListener(type, function () { holding = null; }, { passive: true, capture: true });
  });
  window.addEventListener("hashchange", holdTarget);

  function afterLoad() {
    fontsLoaded().then(function () {
      landOnTarget();
      holdTarget();
      document.documentElement.dataset.mathReady = "true";
    });
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var button = event.target.closest("button.copy-link[data-anchor]");
    if (button) copyFrom(button);
    // A contents entry in the phone's drawer: the link's own navigation (to its #fragment) goes ahead, then it closes.
    var link = event.target.closest('dialog[open] a[href^="#"]');
    if (link) link.closest("dialog").close();
  });

  if (document.readyState === "complete") afterLoad();
  else window.addEventListener("load", afterLoad);
})();
