"""Every page in a real browser (Debian's chromium), as a reader who arrives from a forum link meets it: no errors, no
request to another site, math typeset and readable on a phone, both colour modes, and a search that works."""

import contextlib
import re
from urllib.parse import urlsplit

import pytest
from browserkit import (
    DESKTOP,
    EVERY_SECTION_LAID_OUT,
    PHONE,
    next_frames,
    open_everything,
)
from buildkit import ROOT
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.build

BOOK_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md"))  # the pages written in book/
PAGES = BOOK_PAGES + ["genindex", "search"]
SCREENSHOTS = ROOT / "_build" / "screenshots"
# TeX that was not typeset would show its delimiters or commands as text.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:frac|partial|mathcal|begin|left|right|sum)\b")


def visit(context, url):
    """Open `url`; return the page and what went wrong while it loaded (console errors, failed or foreign requests)."""
    page = context.new_page()
    problems = []
    origin = urlsplit(url).netloc
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("request", lambda r: urlsplit(r.url).netloc not in (origin, "")
            and not r.url.startswith(("data:", "blob:")) and problems.append(f"request to another site: {r.url}"))
    page.goto(url, wait_until="load")
    # Off-screen sections are laid out only near the screen (lean.css); lay them all out, so that the width check
    # below sees every box.
    page.add_style_tag(content=EVERY_SECTION_LAID_OUT)
    page.wait_for_selector("html[data-math-ready]", state="attached")
    page.wait_for_load_state("networkidle")
    return page, problems


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors_or_requests_to_other_sites_and_fits_a_phone(phone, site_url, name):
    page, problems = visit(phone, f"{site_url}{name}.html")
    assert not problems, f"{name}.html:\n  " + "\n  ".join(problems)
    raw = RAW_TEX.findall(page.evaluate("""() => {
        const copy = document.querySelector('main').cloneNode(true);
        // .katex-mathml: the MathML copy of each formula for screen readers, with its TeX source as an annotation.
        copy.querySelectorAll('pre, code, script, .katex-mathml').forEach(e => e.remove());
        return copy.innerText; }"""))
    assert not raw, f"{name}.html shows untypeset TeX: {raw[:5]}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}.html scrolls sideways by {overflow} px at {PHONE['width']} px"
    page.close()


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_light_and_dark_mode_render(browser, site_url, mode, viewport):
    context = browser.new_context(viewport=viewport, color_scheme=mode)
    page, problems = visit(context, f"{site_url}transpose.html")
    assert not problems, "\n".join(problems)
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = map(int, re.findall(r"\d+", background)[:3])
    assert (red + green + blue) / 3 > 200 if mode == "light" else (red + green + blue) / 3 < 60, background
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"transpose-{viewport['width']}px-{mode}.png")
    context.close()


def test_search_finds_the_transpose_page(browser, site_url):
    context = browser.new_context(viewport=DESKTOP)
    page, problems = visit(context, f"{site_url}search.html?q=transpose")
    page.wait_for_selector("#search-results li", timeout=15_000)
    hits = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
    context.close()
    assert not problems, "\n".join(problems)
    assert any(h.startswith("transpose.html") for h in hits), hits


def test_on_a_phone_the_menu_button_opens_the_site_navigation_and_the_contents_button_the_page_contents(phone, site_url):
    page, problems = visit(phone, f"{site_url}transpose.html")
    page.click("button.primary-toggle", timeout=5_000)  # the ☰ at the top left, the only one (conf/_templates/sections/header.html)
    navigation = page.wait_for_selector("dialog#pst-primary-sidebar-modal[open]", timeout=5_000)
    links = navigation.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert "notation.html" in links and "loss-vs-cost.html" in links, links
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog#pst-primary-sidebar-modal[open]", state="detached", timeout=5_000)
    page.click("button.secondary-toggle", timeout=5_000)
    contents = page.wait_for_selector("dialog#pst-secondary-sidebar-modal[open]", timeout=5_000)
    assert contents.eval_on_selector_all("a[href^='#']", "links => links.length") >= 3
    page.close()
    assert not problems, "\n".join(problems)


def test_on_a_desktop_the_sidebar_button_hides_and_shows_the_site_navigation(browser, site_url):
    context = browser.new_context(viewport=DESKTOP)
    page, problems = visit(context, f"{site_url}transpose.html")
    sidebar = page.locator("#pst-primary-sidebar")
    page.click("button.primary-toggle", timeout=5_000)
    page.wait_for_function("document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')")
    assert page.evaluate("[...document.querySelectorAll('dialog')].every(d => !d.open)")  # not the phone's dialog
    page.click("button.primary-toggle", timeout=5_000)
    page.wait_for_function("!document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')")
    sidebar.wait_for(state="visible", timeout=5_000)  # it slides back in
    context.close()
    assert not problems, "\n".join(problems)


# What a focused element draws: an outline of at least 2 px, or a box shadow (the theme's rings for links and menus).
FOCUS_RING = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return {ring: outline || style.boxShadow !== 'none', what: el.outerHTML.slice(0, 120)};
}"""


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_each_of_the_first_20_tab_stops_shows_a_focus_ring(browser, site_url, mode, viewport):
    context = browser.new_context(viewport=viewport, color_scheme=mode)
    page, problems = visit(context, f"{site_url}transpose.html")
    without_ring = []
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_RING)
        if not focused["ring"]:
            without_ring.append(focused["what"])
    context.close()
    assert not without_ring, "no visible focus on:\n  " + "\n  ".join(without_ring)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_click_anywhere_on_a_solution_title_opens_and_closes_it_without_moving_the_page(browser, site_url, viewport):
    # The title reads "Solution to Exercise 5": a click on "Exercise 5" must open the solution as a click on
    # "Solution to" does, and not jump to the exercise or change the address.
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page, problems = visit(context, f"{site_url}transpose.html")
    title = page.locator("#sol-transpose-rows > .admonition-title")
    title.scroll_into_view_if_needed()
    hidden = "document.getElementById('sol-transpose-rows').classList.contains('toggle-hidden')"
    # The hint's words, when the button shows them inside the title's box (not beneath it, where the closed
    # solution hides them); null otherwise.
    hint = """(() => {
        const title = document.querySelector('#sol-transpose-rows > .admonition-title');
        const button = title.querySelector('.toggle-button'), words = getComputedStyle(button, '::before');
        const [t, b] = [title.getBoundingClientRect(), button.getBoundingClientRect()];
        const inside = b.top >= t.top && b.bottom <= t.bottom && b.left >= t.left && b.right <= t.right;
        return words.display !== 'none' && inside ? words.content : null; })()"""
    assert page.evaluate(hidden)
    assert page.evaluate(hint) == '"Show solution"', "no visible hint that the title opens the solution"
    for words, shown in (("Exercise", True), ("Solution to", False), ("Exercise", True)):
        # Where the words are drawn: the middle of the first line of their text.
        x, y = page.evaluate("""words => {
            const title = document.querySelector('#sol-transpose-rows > .admonition-title');
            const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
            for (let text = walker.nextNode(); text; text = walker.nextNode()) {
                const at = text.textContent.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(text, at);
                range.setEnd(text, at + words.length);
                const box = range.getClientRects()[0];
                return [box.left + box.width / 2, box.top + box.height / 2];
            }
        }""", words)
        before = page.evaluate("[window.scrollY, location.hash]")
        if viewport is PHONE:
            page.touchscreen.tap(x, y)
        else:
            page.mouse.click(x, y)
        # The solution's state after the click, once it has changed (or not, within 2 s); then the frames in which
        # a jump to the exercise would scroll the page.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(f"{hidden} === {'false' if shown else 'true'}", timeout=2_000)
        next_frames(page)
        state = "closed" if shown else "open"
        assert page.evaluate(hidden) is not shown, f"a click on {words!r} left the solution {state}"
        assert page.evaluate(hint) == ('"Hide solution"' if shown else '"Show solution"')
        assert page.evaluate("[window.scrollY, location.hash]") == before, f"a click on {words!r} moved the page"
    context.close()
    assert not problems, "\n".join(problems)


# The number of each labelled equation against its formula, at phone width: on the formula's row (their boxes
# overlap vertically) or above it, never below it.
NUMBERS_BELOW_THEIR_FORMULA = """() => [...document.querySelectorAll('div.math[id^="equation-"]')].filter(math => {
    const number = math.querySelector('.eqno').getBoundingClientRect();
    const formula = math.querySelector('.katex-display').getBoundingClientRect();
    return number.top >= formula.bottom - 1;
}).map(math => math.id)"""


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page_name, label", [("chain-rule", "eq-dz-hidden"), ("loss-vs-cost", "eq-dz-columns")])
def test_a_link_to_an_equation_lands_on_it_highlighted_with_its_number_on_its_row_or_above(
        browser, site_url, mode, page_name, label):
    # eq-dz-columns is wider than a phone: its number moves above it.
    context = browser.new_context(viewport=PHONE, color_scheme=mode, is_mobile=True, has_touch=True)
    page, problems = visit(context, f"{site_url}{page_name}.html#equation-{label}")
    landed = page.evaluate("""id => {
        const math = document.getElementById(id), heading = document.querySelector('h1');
        const box = math.getBoundingClientRect(), header = document.querySelector('.bd-header').getBoundingClientRect();
        const number = math.querySelector('.eqno').firstChild.textContent.trim();
        return {
            target: math.matches(':target'),
            background: getComputedStyle(math).backgroundColor,
            targetColour: getComputedStyle(document.documentElement).getPropertyValue('--pst-color-target').trim(),
            inView: box.top >= header.bottom - 1 && box.top < innerHeight / 2,
            number, button: math.querySelector('button.copy-link').getAttribute('aria-label') };
    }""", f"equation-{label}")
    below = page.evaluate(NUMBERS_BELOW_THEIR_FORMULA)
    context.close()
    assert landed["target"] and landed["inView"], landed
    # the theme's colour for a linked heading, which the page sets per mode
    probe = browser.new_page(color_scheme=mode)
    probe.set_content(f"<div style='background: {landed['targetColour']}'></div>")
    expected = probe.evaluate("getComputedStyle(document.querySelector('div')).backgroundColor")
    probe.close()
    assert landed["background"] == expected, (landed["background"], expected)
    assert re.fullmatch(r"\(\d+\)", landed["number"]), landed
    assert f"eq. {landed['number']}" in landed["button"], "the copy-link text must show the number the page shows"
    assert not below, f"{page_name}.html at {PHONE['width']} px: numbers below their equations: {below}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", BOOK_PAGES)
def test_each_page_numbers_its_equations_figures_and_exercises_from_1_and_its_links_show_those_numbers(
        phone, site_url, name):
    page, problems = visit(phone, f"{site_url}{name}.html")
    shown = page.evaluate("""() => ({
        equations: [...document.querySelectorAll('div.math .eqno')].map(e => e.firstChild.textContent.trim()),
        figures: [...document.querySelectorAll('figcaption .caption-number')].map(e => e.textContent.trim()),
        exercises: [...document.querySelectorAll('div.exercise > .admonition-title')].map(e => e.textContent.trim()),
        below: (""" + NUMBERS_BELOW_THEIR_FORMULA + """)(),
        // each link to an equation: its text, and the number its target shows (on this page, or on another page)
        links: [...document.querySelectorAll('a[href*="#equation-"]:not(.headerlink)')].map(a => {
            const here = a.getAttribute('href').startsWith('#');
            const target = here && document.getElementById(a.getAttribute('href').slice(1));
            return [a.textContent.trim(), here ? target.querySelector('.eqno').firstChild.textContent.trim() : null,
                    a.getAttribute('href')]; }) })""")
    page.close()
    assert shown["equations"] == [f"({n})" for n in range(1, len(shown["equations"]) + 1)], shown["equations"]
    assert shown["figures"] == [f"Fig. {n}" for n in range(1, len(shown["figures"]) + 1)], shown["figures"]
    numbers = [re.search(r"Exercise (\d+)", title)[1] for title in shown["exercises"]]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)], shown["exercises"]
    assert not shown["below"], f"numbers below their equations at {PHONE['width']} px: {shown['below']}"
    for text, number, href in shown["links"]:
        if number is not None:
            assert text == number, f"{name}.html: a link to {href} shows {text!r}; the equation shows {number}"
        else:  # another page's equation: the link names that page
            assert re.fullmatch(re.escape(href.split(".html")[0]) + r" \(\d+\)", text), (name, text, href)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", BOOK_PAGES)
def test_on_a_phone_the_page_starts_with_its_44_px_header_buttons_and_prev_next_titles_take_3_lines_at_most(
        phone, site_url, name):
    page, problems = visit(phone, f"{site_url}{name}.html")
    measured = page.evaluate("""() => ({
        header: document.querySelector('.bd-header-article').getBoundingClientRect().top + window.scrollY,
        titles: [...document.querySelectorAll('.prev-next-area .prev-next-title')].map(t => [t.textContent.trim(),
            Math.round(t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight))]),
        buttons: [...document.querySelectorAll('.bd-header-article button')].filter(b => b.offsetParent)
            .map(b => [b.className, Math.round(b.getBoundingClientRect().width),
                       Math.round(b.getBoundingClientRect().height)]) })""")
    page.close()
    # Side by side they took up to five lines; across the width, the longest title ("Gradient checking: ...") takes 3.
    wrapped = [(title, lines) for title, lines in measured["titles"] if lines > 3]
    assert not wrapped, f"{name}.html: previous/next titles over three lines at {PHONE['width']} px: {wrapped}"
    # The theme's top bar, empty at this width, stood above them as a blank strip.
    assert measured["header"] == 0, f"{name}.html: {measured['header']} px above the header buttons"
    small = [button for button in measured["buttons"] if min(button[1:]) < 44]
    assert measured["buttons"] and not small, f"{name}.html: header buttons under 44 x 44 px: {small}"
    assert not problems, "\n".join(problems)


def _contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two computed colours, "rgb(r, g, b)"."""
    def luminance(colour):
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_figure_captions_are_in_normal_weight_at_a_contrast_of_7_to_1(browser, site_url, mode):
    # The theme writes captions in weight 300 and its muted grey: thin and pale under the figure.
    context = browser.new_context(viewport=PHONE, color_scheme=mode, is_mobile=True, has_touch=True)
    page, problems = visit(context, f"{site_url}transpose.html")
    captions = page.evaluate("""() => [...document.querySelectorAll('figure figcaption')].map(c => {
        const style = getComputedStyle(c);
        return [parseInt(style.fontWeight), style.color, getComputedStyle(document.body).backgroundColor]; })""")
    context.close()
    assert captions
    for weight, colour, background in captions:
        assert weight >= 400, f"caption weight {weight} in {mode} mode"
        assert _contrast(colour, background) >= 7, f"caption {colour} on {background}: {_contrast(colour, background):.1f}:1"
    assert not problems, "\n".join(problems)


# Every word highlighted by a search, against the highlight's background: its colour, the contrast, where it is.
HIGHLIGHTED_CONTRASTS = """() => [...document.querySelectorAll('span.highlighted')].map(word => [
    getComputedStyle(word).color, getComputedStyle(word).backgroundColor,
    word.closest('pre') ? 'code' : word.closest('a') ? 'link' : word.closest('code') ? 'inline code' : 'text'])"""


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_words_a_search_highlights_keep_a_contrast_of_4_5_to_1_in_text_links_and_code(browser, site_url, mode):
    # Words that the pages have in prose, links, inline code, code cells and both sidebars.
    context = browser.new_context(viewport=DESKTOP, color_scheme=mode)
    low, seen = set(), set()
    for name, words in [("dropout", "keep_prob"), ("l-layers", "backprop"), ("transpose", "assert")]:
        page, problems = visit(context, f"{site_url}{name}.html?highlight={words}")
        open_everything(page, name)
        page.wait_for_selector("span.highlighted")
        for colour, background, where in page.evaluate(HIGHLIGHTED_CONTRASTS):
            seen.add(where)
            if _contrast(colour, background) < 4.5:
                low.add(f"{name}.html, {where}: {colour} on {background}, {_contrast(colour, background):.2f}:1")
        page.close()
        assert not problems, "\n".join(problems)
    context.close()
    assert seen == {"code", "link", "inline code", "text"}, seen
    assert not low, "\n".join(sorted(low))


@pytest.mark.parametrize("anchor", ["equation-eq-dz-hidden", "chain-rule-answer"])
def test_copy_link_says_it_copies_markdown_and_offers_the_plain_url_too(browser, site_url, anchor):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page, problems = visit(context, f"{site_url}chain-rule.html")
    buttons = page.evaluate("""anchor => [...document.querySelectorAll(`button.copy-link[data-anchor="${anchor}"]`)]
        .map(b => { const box = b.getBoundingClientRect();
                    return [b.innerText.trim(), b.getAttribute('aria-label'), b.title, box.width, box.height]; })""",
                            anchor)
    assert [text for text, *_ in buttons] == ["Markdown link", "URL"], buttons
    for text, label, title, width, height in buttons:
        assert label.startswith(f"Copy {text}") and title == label, (text, label, title)
        assert min(width, height) >= 44, f"{text!r} button is {width:.0f} x {height:.0f} px on a phone"
    url = f"https://backprop-derived.github.io/chain-rule.html#{anchor}"
    copied = []
    for index in range(2):
        page.locator(f'button.copy-link[data-anchor="{anchor}"]').nth(index).click()
        page.wait_for_function("document.getElementById('copy-link-status')?.textContent.startsWith('Copied')")
        copied.append([page.evaluate("navigator.clipboard.readText()"),
                       page.evaluate("document.getElementById('copy-link-status').textContent")])
        page.evaluate("document.getElementById('copy-link-status').textContent = ''")
    context.close()
    (markdown, markdown_status), (plain, plain_status) = copied
    assert re.fullmatch(r"\[backprop-derived: .+\]\(" + re.escape(url) + r"\)", markdown), markdown
    assert markdown_status.startswith("Copied a Markdown link"), markdown_status
    assert plain == url and plain_status == f"Copied the URL: {url}", (plain, plain_status)
    assert not problems, "\n".join(problems)


# Where inline math is followed by punctuation ("$x$," or "$\\frac{1}{m}$."), the punctuation's first character,
# each on a line after the formula's last line.
# Inline formulas followed by punctuation whose punctuation is not right after the formula's last piece (KaTeX's
# last <span class="base">), on the same line: it started the next line, or stood beside the first line of a long
# formula laid out as a block (the theme's inline-flex).
PUNCTUATION_AWAY_FROM_ITS_FORMULA = """() => [...document.querySelectorAll('main span.math')].filter(math => {
    const next = math.nextSibling;
    if (math.closest('.katex-display') || !next || next.nodeType !== Node.TEXT_NODE) return false;
    if (!/^[,.;:!?)\\]]/.test(next.textContent)) return false;
    const pieces = math.querySelectorAll('.katex-html > .base, .katex-html > .katex-tail > .base');
    if (!pieces.length || !math.getClientRects().length) return false;
    const last = pieces[pieces.length - 1].getBoundingClientRect(), range = document.createRange();
    range.setStart(next, 0);
    range.setEnd(next, 1);
    const mark = range.getClientRects()[0], middle = (mark.top + mark.bottom) / 2;
    return !(middle > last.top && middle < last.bottom && mark.left >= last.right - 2);
}).map(math => math.querySelector('annotation')?.textContent + math.nextSibling.textContent.slice(0, 12))"""


# Inline formulas of at most 30 characters of TeX (spaces aside) that a line breaks: a piece of KaTeX's starts left of
# the one before it. Breaks are allowed after a relation or binary operator; "m =" ended a line, "1" began the next.
SHORT_FORMULAS_BROKEN = """() => [...document.querySelectorAll('main span.math')]
    .filter(math => !math.closest('.katex-display') && math.getClientRects().length)
    .map(math => [math.querySelector('annotation').textContent, [...math.querySelectorAll(
        '.katex-html > .base, .katex-html > .katex-tail > .base')].map(base => base.getBoundingClientRect().left)])
    .filter(([tex, lefts]) => tex.replace(/\\s/g, '').length <= 30 && lefts.some((x, i) => i && x < lefts[i - 1]))
    .map(([tex]) => tex)"""


@pytest.mark.parametrize("name", BOOK_PAGES)
def test_the_punctuation_after_an_inline_formula_follows_its_last_piece_and_a_short_one_is_on_one_line(
        phone, site_url, name):
    """On a phone, with every solution and collapsed cell open."""
    page, problems = visit(phone, f"{site_url}{name}.html")
    open_everything(page, name)
    away = page.evaluate(PUNCTUATION_AWAY_FROM_ITS_FORMULA)
    broken = page.evaluate(SHORT_FORMULAS_BROKEN)
    page.close()
    assert not away, f"{name}.html at {PHONE['width']} px: the punctuation is away from the end of {away}"
    assert not broken, f"{name}.html at {PHONE['width']} px: short formulas broken across lines: {broken}"
    assert not problems, "\n".join(problems)


def test_on_a_phone_a_tapped_contents_entry_closes_the_drawer_and_shows_its_section(phone, site_url):
    page, problems = visit(phone, f"{site_url}transpose.html")
    page.click("button.secondary-toggle", timeout=5_000)
    contents = page.wait_for_selector("dialog#pst-secondary-sidebar-modal[open]", timeout=5_000)
    entry = contents.query_selector_all("a[href^='#']")[2]
    target = entry.get_attribute("href")[1:]
    entry.tap()
    page.wait_for_selector("dialog#pst-secondary-sidebar-modal[open]", state="detached", timeout=5_000)
    page.wait_for_function("id => { const top = document.getElementById(id).getBoundingClientRect().top;"
                           " return top >= 0 && top < innerHeight / 2; }", arg=target, timeout=5_000)
    assert page.evaluate("location.hash") == f"#{target}"
    page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page_name, what, boxes_selector", [
    ("transpose.html", "formula", "div.math > .katex-display"),
    ("batch-norm.html", "table", ".pst-scrollable-table-container"),
])
def test_a_formula_or_table_that_scrolls_sideways_fades_at_the_edge_where_more_of_it_lies(
        browser, site_url, page_name, what, boxes_selector):
    """On a phone a wide formula or table scrolls inside its box: its right edge fades at first, its left edge once
    scrolled to the end, and one that fits does not fade (site.css, a scroll-driven animation)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{site_url}{page_name}")
    page.wait_for_selector("html[data-math-ready]", state="attached")
    page.add_style_tag(content=EVERY_SECTION_LAID_OUT)
    fades = """e => { const s = getComputedStyle(e);
        return [parseFloat(s.getPropertyValue('--formula-fade-left')), parseFloat(s.getPropertyValue('--formula-fade-right'))]; }"""
    boxes = page.evaluate_handle("selector => [...document.querySelectorAll(selector)]", boxes_selector)
    wide = page.evaluate_handle("boxes => boxes.find(e => e.scrollWidth > e.clientWidth + 1)", boxes).as_element()
    narrow = page.evaluate_handle("boxes => boxes.find(e => e.scrollWidth <= e.clientWidth)", boxes).as_element()
    assert wide and narrow, f"{page_name} needs a {what} wider than a phone and one that fits"
    wide.scroll_into_view_if_needed()
    next_frames(page)
    left, right = wide.evaluate(fades)
    assert left == 0 and right > 0, f"{page_name}, a wide {what} at the start: left fade {left}, right fade {right}"
    wide.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    next_frames(page)
    left, right = wide.evaluate(fades)
    assert left > 0 and right == 0, f"{page_name}, a wide {what} scrolled to the end: left fade {left}, right {right}"
    assert narrow.evaluate(fades) == [0, 0], f"{page_name}: a {what} that fits fades"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_colour_scheme_is_resolved_before_the_themes_script_runs(browser, site_url, scheme):
    """The theme's colours (and the borders drawn in them) exist for "light" and "dark" only: with its main script
    not yet run (here: never), the page is already in the reader's scheme, and a blockquote has its border."""
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    page.route("**/pydata-sphinx-theme.js*", lambda route: route.abort())
    page.goto(f"{site_url}l-layers.html")
    theme, border = page.evaluate("""() => [document.documentElement.dataset.theme,
        getComputedStyle(document.querySelector('article blockquote')).borderLeftWidth]""")
    context.close()
    assert (theme, border) == (scheme, "4px")
