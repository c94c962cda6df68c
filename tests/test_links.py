"""Links made for forum answers: descriptions for link previews, one base URL, a sitemap, copy-link buttons that copy
the right Markdown, and deep links that land on their target below the header once the math is typeset."""

import html as htmllib
import re
import sys
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from browserkit import (
    DESKTOP,
    EVERY_SECTION_LAID_OUT,
    PHONE,
    next_frames,
    pages_with_math_ready,
)
from buildkit import ROOT
from reading import VOID_ELEMENTS, answer_body
from sitecheck import broken_links, lost_anchors

sys.path.insert(0, str(ROOT / "conf"))
from public_links import tex_to_text  # noqa: E402  (conf/ is where Sphinx loads it from)

BASEURL = "https://backprop-derived.github.io/"
BOOK_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md"))
ANSWER_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md") if f"({p.stem}-answer)=" in p.read_text())
SCREENSHOTS = ROOT / "_build" / "screenshots"


# -- Descriptions: the answer in one line, as plain text ----------------------------------------------------------


@pytest.mark.parametrize(
    "tex, text",
    [
        (r"dW^{[l]} = \frac1m dZ^{[l]} A^{[l-1]T}", "dW[l] = 1/m dZ[l] A[l-1]ᵀ"),
        (r"\frac{\partial \mathcal L}{\partial a^{[l-1]}}", "∂L/∂a[l-1]"),
        (r"\frac{J(\theta+\varepsilon) - J(\theta-\varepsilon)}{2\varepsilon}", "(J(θ+ε) - J(θ-ε))/2ε"),
        (r"g^{[1]\prime}(Z^{[1]})", "g[1]′(Z[1])"),
        (r"W^T dz", "Wᵀ dz"),
        (r"10^{-7}", "10⁻⁷"),
        (r"\delta^{l+1} = x^{2k}", "δ^(l+1) = x^(2k)"),
        (r"\lVert a - n \rVert", "‖ a - n ‖"),
    ],
)
def test_tex_in_an_answer_becomes_the_plain_text_the_forum_writes(tex, text):
    assert tex_to_text(tex) == text


def test_tex_without_a_plain_text_form_is_an_error_that_names_the_command():
    with pytest.raises(ValueError, match=r"tex_to_text: no plain-text form for '\\\\mathfrak'"):
        tex_to_text(r"\mathfrak{g}")


def _meta(page_html: str, attribute: str, name: str) -> str | None:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page_html)
    return htmllib.unescape(found[1]) if found else None


@pytest.mark.build
@pytest.mark.parametrize("page", BOOK_PAGES)
def test_every_page_has_a_title_url_and_plain_text_description_for_link_previews(built_site, page):
    text = (built_site[0] / f"{page}.html").read_text(encoding="utf-8")
    description = _meta(text, "name", "description")
    assert description, f"{page}.html has no <meta name=description>"
    assert _meta(text, "property", "og:description") == description
    assert not re.search(r"[\\${}]|\^\{", description), f"{page}.html: raw TeX in the description: {description}"
    assert _meta(text, "property", "og:url") == f"{BASEURL}{page}.html"
    assert _meta(text, "property", "og:title")
    assert f'<link rel="canonical" href="{BASEURL}{page}.html" />' in text


class _FormulaSplitter(HTMLParser):
    """The text of an HTML fragment, in pieces cut where a formula (an element of class "math", with the renderer's
    markup nested inside) stands."""

    def __init__(self):
        super().__init__()
        self.pieces, self.depth = [""], 0  # depth: open elements inside the current formula

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID_ELEMENTS
        elif "math" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.pieces.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.pieces[-1] += data


def _text_between_formulas(fragment):
    splitter = _FormulaSplitter()
    splitter.feed(fragment)
    return splitter.pieces


@pytest.mark.build
@pytest.mark.parametrize("page", ANSWER_PAGES)
def test_a_page_with_an_answer_box_is_described_by_its_answer(built_site, page):
    text = (built_site[0] / f"{page}.html").read_text(encoding="utf-8")
    body = answer_body(text, page)
    # The words between the formulas: each must appear, in order, in the description.
    words = [re.sub(r"\s+", " ", part).strip() for part in _text_between_formulas(body)]
    description = _meta(text, "name", "description")
    position = 0
    for chunk in filter(None, words):
        found = description.find(chunk, position)
        assert found >= 0, f"{page}.html: the description lacks {chunk!r} of the answer:\n{description}"
        position = found + len(chunk)


# -- Sitemap, and links that follow redirects ---------------------------------------------------------------------


@pytest.mark.build
def test_the_sitemap_lists_every_page_at_its_public_address(built_site):
    tree = ElementTree.parse(built_site[0] / "sitemap.xml")
    urls = {loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert urls == {f"{BASEURL}{page}.html" for page in BOOK_PAGES}


def _redirect(to: str) -> str:
    return (ROOT / "conf" / "redirect.html").read_text().replace("${to_uri}", to)


def test_link_checker_follows_a_redirect_and_keeps_the_fragment(tmp_path):
    (tmp_path / "old.html").write_text(_redirect("new.html"))
    (tmp_path / "new.html").write_text('<div id="equation-eq-x"></div>')
    (tmp_path / "a.html").write_text('<a href="old.html#equation-eq-x">ok</a> <a href="old.html#gone">broken</a>')
    assert broken_links(tmp_path) == ["a.html: <a> old.html#gone -> new.html has no id 'gone'"]
    assert lost_anchors(tmp_path, {"old.html", "old.html#equation-eq-x", "old.html#gone"}) == [
        "old.html#gone (new.html has no id 'gone')"
    ]


def test_link_checker_reports_a_redirect_to_nowhere_and_a_redirect_loop(tmp_path):
    (tmp_path / "a.html").write_text(_redirect("missing.html"))
    (tmp_path / "b.html").write_text(_redirect("c.html"))
    (tmp_path / "c.html").write_text(_redirect("b.html"))
    assert lost_anchors(tmp_path, {"a.html", "b.html"}) == [
        "a.html (no file missing.html)",
        "b.html (a redirect loop (more than 5 redirects))",
    ]


# -- In a real browser: the copy-link buttons, and deep links -------------------------------------------------------


def _open(browser, site_url, path, viewport, **options):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.goto(site_url + path)
    page.wait_for_selector("html[data-math-ready]", state="attached")
    return context, page


def _h1(page) -> str:
    return page.evaluate("""() => { const h = document.querySelector('main h1').cloneNode(true);
        h.querySelectorAll('.headerlink').forEach(a => a.remove()); return h.textContent.trim(); }""")


def _escaped(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)


@pytest.mark.build
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_copy_button_of_an_equation_copies_a_markdown_link_to_it(browser, site_url, viewport):
    context, page = _open(browser, site_url, "chain-rule.html", viewport,
                          permissions=["clipboard-read", "clipboard-write"])
    button = page.locator("#equation-eq-dz-hidden button.copy-link-markdown")
    assert button.is_visible(), "the copy button of eq-dz-hidden is not visible"
    number = page.locator("#equation-eq-dz-hidden .eqno").evaluate("e => e.firstChild.textContent.trim()")
    assert re.fullmatch(r"\(\d+\)", number)
    assert button.get_attribute("aria-label") == f"Copy Markdown link to eq. {number}"
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = f"[backprop-derived: {_escaped(_h1(page))}, eq. {number}]({BASEURL}chain-rule.html#equation-eq-dz-hidden)"
    assert copied == expected
    assert page.locator("#copy-link-status").text_content() == f"Copied a Markdown link: {expected}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#equation-eq-dz-hidden").screenshot(path=SCREENSHOTS / f"copy-link-{viewport['width']}.png")
    context.close()


@pytest.mark.build
def test_the_copy_button_of_an_answer_works_from_the_keyboard(browser, site_url):
    context, page = _open(browser, site_url, "loss-vs-cost.html", PHONE,
                          permissions=["clipboard-read", "clipboard-write"])
    button = page.locator("#loss-vs-cost-answer button.copy-link-markdown")
    assert button.is_visible() and button.text_content().strip() == "Markdown link"
    button.focus()
    assert page.evaluate("document.activeElement.closest('#loss-vs-cost-answer') !== null")
    page.keyboard.press("Enter")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (
        f"[backprop-derived: {_escaped(_h1(page))} (the answer in one line)]"
        f"({BASEURL}loss-vs-cost.html#loss-vs-cost-answer)"
    )
    context.close()


def _every_book_page(context, site_url):
    """One tab of `context` showing each book page in turn, once its math is ready."""
    for _, page in pages_with_math_ready(context, site_url, BOOK_PAGES):
        yield page


@pytest.mark.build
def test_every_labelled_equation_and_answer_box_has_a_copy_button(built_site, browser, site_url):
    missing = []
    context = browser.new_context(viewport=DESKTOP)
    for page in _every_book_page(context, site_url):
        missing += page.evaluate("""() => [...document.querySelectorAll(
            'div.math[id^="equation-"], div.admonition[id$="-answer"]')]
            .filter(e => !e.querySelector('button.copy-link')).map(e => location.pathname + '#' + e.id)""")
    context.close()
    assert not missing, "no copy button: " + ", ".join(missing)


@pytest.mark.build
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_equation_number_or_copy_button_covers_its_formula(built_site, browser, site_url, viewport):
    """They sit beside the formula, or, on a phone where both do not fit, on a row above it (site.css). The "Copied"
    state, wider, is shown on every button, so the check holds for it too."""
    covered = []
    context = browser.new_context(viewport=viewport)
    for page in _every_book_page(context, site_url):
        page.add_style_tag(content=EVERY_SECTION_LAID_OUT)
        covered += page.evaluate("""() => {
            document.querySelectorAll('div.math[id^="equation-"] button.copy-link').forEach(b => b.classList.add('copied'));
            return [...document.querySelectorAll('div.math[id^="equation-"]')].filter(e => {
                const number = e.querySelector('.eqno').getBoundingClientRect();
                const formula = e.querySelector('.katex-html').getBoundingClientRect();
                const katex = [...e.querySelectorAll('.katex-html .base')].map(b => b.getBoundingClientRect());
                const right = Math.max(...katex.map(r => r.right));
                const apart = number.bottom <= formula.top + 1 || number.left >= right - 1;
                return !apart; }).map(e => location.pathname + '#' + e.id); }""")
    context.close()
    assert not covered, f"at {viewport['width']} px, number or button over the formula: " + ", ".join(covered)


DEEP_LINKS = [
    "chain-rule.html#equation-eq-dz-hidden",
    "transpose.html#equation-eq-da-prev",
    "loss-vs-cost.html#equation-eq-dw-sum",
    "l-layers.html#l-layers-answer",
    "questions.html#questions-q12",
]


@pytest.mark.build
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("link", DEEP_LINKS)
def test_a_deep_link_lands_on_its_target_below_the_header_after_typesetting(browser, site_url, link, viewport):
    context, page = _open(browser, site_url, link, viewport)
    next_frames(page)  # the re-scroll after typesetting is drawn
    target, header = page.evaluate("""(id) => {
        const box = document.getElementById(id).getBoundingClientRect();
        const header = document.querySelector('.bd-header-article').getBoundingClientRect();
        return [{top: box.top, bottom: box.bottom}, {bottom: header.bottom}];
    }""", link.split("#")[1])
    context.close()
    assert target["top"] >= header["bottom"], f"{link} at {viewport['width']} px: the target starts under the header"
    assert target["top"] < viewport["height"] / 2, f"{link} at {viewport['width']} px: the target is not at the top"


@pytest.mark.parametrize("fragment", ["%E0", "%", "no-such-anchor"])
def test_a_malformed_or_unknown_fragment_raises_no_error_and_the_page_still_signals_it_is_ready(browser, site_url,
                                                                                                fragment):
    """A forum may mangle a link's #fragment: copy-link.js must not throw, and still marks the page ready."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site_url}transpose.html#{fragment}")
    page.wait_for_selector("html[data-math-ready]", state="attached", timeout=10_000)
    buttons = page.evaluate("document.querySelectorAll('button.copy-link').length")
    context.close()
    assert not errors, f"#{fragment}: {errors}"
    assert buttons, "the copy-link buttons are missing"
