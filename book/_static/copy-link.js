/* backprop-derived: "copy link" buttons for forum answers, and deep links that land where they point.
 *
 * Every labelled equation and every quotable answer box gets two buttons: "Markdown link" copies a Markdown link, ready to
 * paste into a Discourse post, [backprop-derived: <page title>, eq. (5)](<absolute URL>#<anchor>); "URL" copies the
 * plain address, <absolute URL>#<anchor>. The absolute URL is the page's canonical link, which Sphinx writes from
 * html_baseurl (conf/conf.py), so it is the public address even on a local build.
 *
 * On a phone the page's contents open in a drawer (a <dialog>); a tapped entry closes it, so the reader sees the
 * section the entry leads to rather than the drawer still over it.
 *
 * A link to an equation may land before the web fonts have arrived; they change the height of everything above the
 * target, so once they have, the target is scrolled into view again (CSS scroll-margin keeps it below the header).
 */
(function () {
  "use strict";

  var SITE = "backprop-derived";

  function pageUrl() {
    var canonical = document.querySelector('link[rel="canonical"]');
    if (canonical && canonical.href) return canonical.href;
    return location.href.split("#")[0];
  }

  function pageTitle() {
    var h1 = document.querySelector("main h1, article h1, h1");
    if (!h1) return document.title;
    var copy = h1.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach(function (a) { a.remove(); });
    return copy.textContent.trim();
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

  var ICON = '<svg aria-hidden="true" focusable="false" viewBox="0 0 16 16" width="16" height="16">' +
    '<path fill="currentColor" d="M6.9 9.1a.75.75 0 0 1 0-1.06l1.6-1.6a.75.75 0 1 1 1.06 1.06l-1.6 1.6a.75.75 0 0 1' +
    '-1.06 0Zm-1.7 3.8a2.25 2.25 0 0 1-3.18-3.18l2-2a2.25 2.25 0 0 1 3.18 0 .75.75 0 1 0 1.06-1.06 3.75 3.75 0 0 0' +
    '-5.3 0l-2 2a3.75 3.75 0 0 0 5.3 5.3l.9-.9a.75.75 0 1 0-1.06-1.06l-.9.9Zm5.6-9.8a2.25 2.25 0 0 1 3.18 3.18l-2 2' +
    'a2.25 2.25 0 0 1-3.18 0 .75.75 0 1 0-1.06 1.06 3.75 3.75 0 0 0 5.3 0l2-2a3.75 3.75 0 0 0-5.3-5.3l-.9.9a.75.75' +
    ' 0 1 0 1.06 1.06l.9-.9Z"/></svg>';

  // A button that copies one form of the link: "markdown", ready to paste into a forum post, or the plain "url".
  // Its visible word says which; its name and tooltip start with that word (WCAG 2.5.3, label in name).
  function makeButton(form, what, linkText, anchor) {
    var word = form === "markdown" ? "Markdown link" : "URL";
    var label = form === "markdown" ? "Copy Markdown link to " + what : "Copy URL of " + what;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-link copy-link-" + form;
    button.setAttribute("aria-label", label);
    button.title = label;
    button.dataset.anchor = anchor;
    button.innerHTML = (form === "markdown" ? ICON : "") + '<span class="copy-link-text">' + word + "</span>";
    button.addEventListener("click", function () {
      var url = pageUrl() + "#" + anchor;
      var text = form === "markdown" ? markdownLink(linkText, url) : url;
      copyText(text).then(function () {
        button.classList.add("copied");
        status().textContent = (form === "markdown" ? "Copied a Markdown link: " : "Copied the URL: ") + text;
        setTimeout(function () { button.classList.remove("copied"); }, 2000);
      }, function () {
        status().textContent = "Could not copy. The link is: " + text;
      });
    });
    return button;
  }

  function addPair(where, what, linkText, anchor) {
    var pair = document.createElement("span");
    pair.className = "copy-link-pair";
    pair.appendChild(makeButton("markdown", what, linkText, anchor));
    pair.appendChild(makeButton("url", what, linkText, anchor));
    where.appendChild(pair);
  }

  function addButtons() {
    var title = pageTitle();
    document.querySelectorAll('div.math[id^="equation-"]').forEach(function (eq) {
      var eqno = eq.querySelector(".eqno");
      var number = eqno ? eqno.firstChild.textContent.trim() : "";
      var what = number ? "eq. " + number : "equation " + eq.id.replace(/^equation-/, "");
      addPair(eqno || eq, what, SITE + ": " + title + ", " + what, eq.id);
    });
    document.querySelectorAll('div.admonition[id$="-answer"]').forEach(function (box) {
      var heading = box.querySelector(".admonition-title");
      // A section's own answer box (not the page's first) names its section, so two links from one page differ.
      var section = box.closest("section");
      var sectionHead = section ? section.querySelector(":scope > h2, :scope > h3, :scope > h4") : null;
      var where = "";
      if (sectionHead) {
        var copy = sectionHead.cloneNode(true);
        copy.querySelectorAll(".headerlink, .katex-mathml").forEach(function (n) { n.remove(); });
        where = copy.textContent.replace(/\s+/g, " ").trim() + ", ";
      }
      addPair(heading || box, "this answer", SITE + ": " + title + " (" + where + "the answer in one line)", box.id);
    });
  }

  // Issue 15, item 10: next to each labelled equation's copy buttons, a "Report an error" link to a new issue that
  // names the equation by its number and its anchor. The tracker's address, and the question the issue asks, come
  // from the page's own report link (conf/report_error.py, which takes them from repository_url in conf/conf.py).
  function addReportLinks() {
    var pageLink = document.querySelector(".report-error-page a");
    if (!pageLink) return;
    var form = new URL(pageLink.href);
    var question = (form.searchParams.get("body") || "").replace(/^Page: .*\n+/, "");
    var title = pageTitle();
    document.querySelectorAll('div.math[id^="equation-"]').forEach(function (eq) {
      var eqno = eq.querySelector(".eqno");
      var number = eqno ? eqno.firstChild.textContent.trim() : "";
      var label = eq.id.replace(/^equation-/, "");
      var what = number ? "equation " + number : "equation " + label;
      var link = document.createElement("a");
      link.className = "report-error";
      link.href = form.origin + form.pathname +
        "?title=" + encodeURIComponent("Error in " + what + " (" + label + ") on the page \u201c" + title + "\u201d") +
        "&body=" + encodeURIComponent("Equation: " + pageUrl() + "#" + eq.id + "\n\n" + question);
      link.setAttribute("aria-label", "Report an error in " + what);
      link.title = "Report an error in " + what;
      link.textContent = "Report an error";
      (eqno || eq).appendChild(link);
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

  function afterLoad() {
    fontsLoaded().then(function () {
      landOnTarget();
      document.documentElement.dataset.mathReady = "true";
    });
  }

  // The link's own navigation (to its #fragment) goes ahead; the drawer closes after it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('dialog[open] a[href^="#"]') : null;
    if (link) link.closest("dialog").close();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addButtons);
  else addButtons();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addReportLinks);
  else addReportLinks();
  if (document.readyState === "complete") afterLoad();
  else window.addEventListener("load", afterLoad);
})();
