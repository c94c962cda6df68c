"""Every page of the built site passes axe-core's WCAG 2.1 A/AA, WCAG 2.2 AA and best-practice rules, theme chrome
included.

Each page is checked whole (header, sidebars, search button, theme switcher, footer, toggles, exercises and solutions,
the typeset math) in light and dark mode, at desktop width and at phone width (where the theme collapses both
sidebars). No axe rule is disabled: what the theme and the extensions get wrong is fixed in book/_static/site.css,
conf/_templates and conf/accessible_html.py. Each page is checked as it loads, before the reader scrolls: what is laid
out only as the reader nears it is checked in that state (api.html's "[source]" links once failed WCAG 2.2's
target-size there).

The pages are the built site's top-level .html files and viewcode's _modules pages, so a new page is checked without
touching this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browserkit import AXE, DESKTOP, PHONE

# axe-core's tags for WCAG 2.0 and 2.1, levels A and AA, WCAG 2.2 AA (target-size: a link or button is 24 px or has
# that room; Lighthouse runs it), and its best-practice rules.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
MODES = ["light", "dark"]
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}

# pydata-sphinx-theme reads the reader's choice from localStorage "mode" ("light", "dark" or "auto") before the page
# renders, and resolves "auto" with prefers-color-scheme; the result is <html data-theme="...">. A context sets both
# the stored choice and the emulated colour scheme, and every page checks that data-theme is what it asked for.
SET_MODE = 'localStorage.setItem("mode", "{mode}"); localStorage.setItem("theme", "{mode}");'

# The math is typeset at build time (KaTeX); axe waits for the web fonts, so that contrast and sizes are checked on
# the final rendering.
WAIT_FOR_MATH = """async () => {
  if (document.fonts) { await document.fonts.ready; }
}"""

# axe runs in the page without blocking the test (window.__axe holds its promise), so the four contexts of a page
# are checked at the same time, each in its own renderer process; COLLECT_AXE waits for the result.
START_AXE = """(tags) => {
  window.__axe = axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
    .then(results => results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "), summary: n.failureSummary})),
    })));
}"""
COLLECT_AXE = "() => window.__axe"


def site_pages(html: Path) -> list[str]:
    """The pages of the built site: every top-level .html file (book pages, genindex.html, search.html), and the
    package's source as viewcode shows it (_modules/, linked from api.html)."""
    return sorted(p.relative_to(html).as_posix() for p in [*html.glob("*.html"), *html.glob("_modules/**/*.html")])


def open_context(browser, mode: str, width: str):
    """A browser context whose pages open in `mode` ("light" or "dark") at `width` ("desktop" or "phone")."""
    context = browser.new_context(viewport=WIDTHS[width], color_scheme=mode)
    context.add_init_script(SET_MODE.format(mode=mode))
    return context


def start_axe(page, url: str, mode: str, width: str) -> None:
    """Open `url`, check that the mode and width took effect, wait for the math, and start axe on the whole page."""
    page.goto(url, wait_until="load")
    theme, inner_width = page.evaluate("[document.documentElement.dataset.theme, window.innerWidth]")
    assert theme == mode, f"{url}: asked for {mode} mode, but <html data-theme> is {theme!r}"
    assert inner_width == WIDTHS[width]["width"], f"{url}: asked for {width} width, but the page is {inner_width}px"
    page.evaluate(WAIT_FOR_MATH)
    page.add_script_tag(path=str(AXE))
    page.evaluate(START_AXE, AXE_TAGS)


def describe(where: str, violations: list[dict]) -> list[str]:
    """One block per violation: where, the rule and its impact, axe's help text, and every offending element."""
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}")
            lines.append("      " + node["summary"].replace("\n", "\n      "))
    return lines


@pytest.mark.build
def test_every_page_has_no_axe_violation_in_light_and_dark_mode_at_desktop_and_phone_width(
    built_site, site_url, browser
):
    pages = site_pages(built_site[0])
    assert {"index.html", "genindex.html", "search.html", "api.html", "_modules/backprop/layer.html"} <= set(pages), (
        f"pages found: {pages}"
    )
    combos = [(mode, width) for mode in MODES for width in WIDTHS]
    contexts = [open_context(browser, mode, width) for mode, width in combos]
    report = []
    try:
        tabs = [context.new_page() for context in contexts]
        for name in pages:
            for tab, (mode, width) in zip(tabs, combos):
                start_axe(tab, site_url + name, mode, width)
            for tab, (mode, width) in zip(tabs, combos):
                report += describe(f"{name} [{mode}, {width}]", tab.evaluate(COLLECT_AXE))
    finally:
        for context in contexts:
            context.close()
    assert not report, "axe-core violations:\n" + "\n".join(report)


def test_axe_check_reports_low_contrast_text_an_image_without_alt_text_and_links_too_small_to_tap(
        browser, tmp_path):
    """The harness itself: a page with known violations must come back with those rules."""
    tiny = '<a href="#{0}" aria-label="{0}" style="display: inline-block; width: 8px; height: 8px"></a>'
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en" data-theme="light"><head><title>bad</title></head>'
        '<body><main><h1>bad</h1><p style="color: #aaa">faint</p><img src="x.png">'
        f'<p>{tiny.format("one")}{tiny.format("two")}</p></main></body></html>'
    )
    context = browser.new_context(viewport=DESKTOP)
    try:
        tab = context.new_page()
        start_axe(tab, (tmp_path / "bad.html").as_uri(), "light", "desktop")
        violations = tab.evaluate(COLLECT_AXE)
    finally:
        context.close()
    assert {"color-contrast", "image-alt", "target-size"} <= {v["id"] for v in violations}, violations
