"""The reading a forum arrival gets: the answer first and short, on the first phone screen; no garbled equation
references; code that fits the column. Checked on the built site, as a reader sees it."""

import re
from html.parser import HTMLParser

import pytest
from browserkit import (
    DESKTOP,
    PHONE,
    open_everything,
    pages_with_math_ready,
)
from reading import (
    ANSWER_PAGES,
    BOOK_PAGES,
    CONTENT_PAGES,
    VOID_ELEMENTS,
    answer_box,
    answer_words,
    shown_code_lines,
    words,
)

MAX_ANSWER_WORDS = 40
MAX_CODE_LINE = 88


def _page(built_site, page):
    return (built_site[0] / f"{page}.html").read_text(encoding="utf-8")


# -- How words are counted ------------------------------------------------------------------------------------------


def test_a_formula_counts_as_one_word_and_code_as_none():
    fragment = (
        '<p>So <span class="math"><span class="katex">d Z = W^T dZ</span></span> holds, by '
        '<code>np.sum(dZ, axis=1)</code>.</p><div class="cell_input"><pre>x = 1  # not read</pre></div>'
    )
    # So, <formula>, holds, by, np.sum, dZ, axis, 1
    assert words(fragment, article=False) == 8


def test_only_the_article_is_read():
    html = '<nav>Menu Light Dark</nav><article class="bd-article"><p>Two words.</p></article><footer>x y</footer>'
    assert words(html) == 2


# -- The answer first ------------------------------------------------------------------------------------------------


@pytest.mark.build
@pytest.mark.parametrize("page", ANSWER_PAGES)
def test_every_content_page_opens_with_its_answer_before_any_section(built_site, page):
    text = _page(built_site, page)
    box = answer_box(text, page)
    assert box, f"{page}.html has no answer box {page}-answer"
    # From the page's own title (the last <h1> before the box: the theme's header has one too) to the box.
    between = text[text.rindex("</h1>", 0, box.start()) : box.start()]
    assert "<section" not in between, f"{page}.html: a section comes before the answer box"
    assert "<p>" not in between, f"{page}.html: prose comes before the answer box"


@pytest.mark.build
@pytest.mark.parametrize("page", ANSWER_PAGES)
def test_every_answer_is_at_most_40_words_a_formula_counting_as_one(built_site, page):
    count = answer_words(_page(built_site, page), page)
    assert count <= MAX_ANSWER_WORDS, f"{page}.html: the answer box has {count} words (at most {MAX_ANSWER_WORDS})"


@pytest.mark.build
def test_the_answer_box_is_whole_on_the_first_phone_screen(built_site, browser, site_url):
    context = browser.new_context(viewport=PHONE)
    below = []
    for name, page in pages_with_math_ready(context, site_url, ANSWER_PAGES):
        box = page.locator(f"#{name}-answer").bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > PHONE["height"]:
            below.append(f"{name}: {box}")
    context.close()
    assert not below, "answer box not whole on the first 390 x 844 screen: " + "; ".join(below)


# -- Text and code a reader can read ----------------------------------------------------------------------------------


@pytest.mark.build
def test_no_equation_reference_is_wrapped_in_a_second_pair_of_parentheses(built_site):
    """{eq} renders as "(3)": written inside parentheses it reads "((3))"."""
    doubled = {}
    for path in sorted(built_site[0].glob("*.html")):
        text = re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))
        hits = re.findall(r"\(\s*\(\d+\)", text)
        if hits:
            doubled[path.name] = len(hits)
    assert not doubled, f"'((n)' in the text of {doubled}"


@pytest.mark.build
@pytest.mark.parametrize("page", CONTENT_PAGES)
def test_no_line_of_shown_code_is_longer_than_88_characters(built_site, page):
    long = [line for line in shown_code_lines(_page(built_site, page)) if len(line) > MAX_CODE_LINE]
    assert not long, f"{page}.html: {len(long)} code lines over {MAX_CODE_LINE} characters, e.g. {long[0]!r}"


class _Prose(HTMLParser):
    """The text of a page, with each element of a class or tag in `apart` (code, a formula) as one "□"."""

    def __init__(self, apart: set[str]):
        super().__init__(convert_charrefs=True)
        self.apart, self.stack, self.text = apart, [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_ELEMENTS:
            classes = set((dict(attrs).get("class") or "").split())
            set_apart = tag in self.apart or bool(classes & self.apart)
            if set_apart and not any(self.stack):
                self.text.append("□")
            self.stack.append(set_apart)

    def handle_endtag(self, tag):
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.text.append(data)


def _prose(path, apart: set[str]) -> str:
    reader = _Prose(apart)
    reader.feed(path.read_text(encoding="utf-8"))
    return "".join(reader.text)


# A number in e-notation, in the text (code, formulas and signatures are laid out apart): a browser may break it after
# its minus, "5.7e-" ending a line, unless it sits in <span class="nowrap"> (conf/math_punctuation.py).
_E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e[-+]\d+")


@pytest.mark.build
def test_no_number_in_e_notation_can_break_at_its_minus(built_site):
    loose = {}
    for path in sorted(built_site[0].glob("*.html")):
        found = _E_NOTATION.findall(_prose(path, {"pre", "code", "nowrap", "math", "sig", "highlight"}))
        if found:
            loose[path.name] = found
    assert not loose, f"numbers a line may break after their minus: {loose}"


@pytest.mark.build
def test_no_punctuation_is_doubled_around_a_formula_or_code(built_site):
    # Gluing a formula to its full stop removed the first "." of the paragraph that was an equal string: one
    # sentence lost its full stop, the next had two (conf/math_punctuation.py).
    doubled = {}
    for path in sorted(built_site[0].glob("*.html")):
        text = _prose(path, {"pre", "code", "katex", "highlight"})
        found = [text[max(0, m.start() - 30) : m.end()] for m in re.finditer(r"([,;:])\s*\1|(?<!\.)\.\s?\.(?!\.)", text)]
        if found:
            doubled[path.name] = found
    assert not doubled, f"doubled punctuation: {doubled}"


# The glyphs of each display formula, checked against every box on the way up that does not show what overflows it:
# a box that hides its overflow must contain them; a box that scrolls must be able to scroll to them (not leave part
# of them before the start of its scrolling, as a reversed flex row did), and what it shows stands in for the glyphs
# from there up. Last, the page itself must not scroll sideways to show them.
_CUT_OFF_FORMULAS = """name => {
    const cut = [];
    document.querySelectorAll('.katex-display').forEach((display, index) => {
        const where = `${name}.html formula ${index + 1} (in #${(display.closest('[id]') || {}).id})`;
        const rects = [...display.querySelectorAll('.katex-html .base')]
            .map(base => base.getBoundingClientRect()).filter(r => r.width > 0);
        if (!rects.length) { cut.push(`${where}: not shown`); return; }
        let left = Math.min(...rects.map(r => r.left)), right = Math.max(...rects.map(r => r.right));
        for (let box = display.querySelector('.katex-html'); box !== document.body; box = box.parentElement) {
            const overflow = getComputedStyle(box).overflowX;
            if (overflow === 'visible') continue;
            const start = box.getBoundingClientRect().left + box.clientLeft, end = start + box.clientWidth;
            if (overflow === 'auto' || overflow === 'scroll') {
                const origin = start - box.scrollLeft;
                if (left < origin - 1 || right > origin + box.scrollWidth + 1) {
                    cut.push(`${where}: out of reach of the scrolling ${box.className}`);
                    return;
                }
                [left, right] = [start, end];
            } else if (left < start - 1 || right > end + 1) {
                cut.push(`${where}: hidden by ${box.tagName.toLowerCase()}.${[...box.classList].join('.')}`);
                return;
            }
        }
        if (left < -1 || right > document.documentElement.clientWidth + 1) cut.push(`${where}: off the page`);
    });
    return cut;
}"""


@pytest.mark.build
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_display_formula_is_cut_off_it_fits_or_scrolls_from_its_start(built_site, browser, site_url, viewport):
    """With every collapsed cell, toggle and solution opened (by its button, as a reader opens it), each display
    formula is whole in view, or its own box scrolls sideways to every symbol of it: nothing is out of reach."""
    context = browser.new_context(viewport=viewport)
    cut = []
    for name, page in pages_with_math_ready(context, site_url, BOOK_PAGES):
        open_everything(page, name)
        cut += page.evaluate(_CUT_OFF_FORMULAS, name)
    context.close()
    assert not cut, "display formulas cut off:\n  " + "\n  ".join(cut)
