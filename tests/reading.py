"""What a reader reads on a built page: the words of the article, the answer box, the code shown.

Shared by the reading tests (tests/test_reading.py) and `make bench`, which prints the reading words of every page.
Words are counted the way the house style counts them: prose words, each formula one word, code excluded (the input
of every code cell and every code block); the output of a cell (a table, a figure's caption) is read, so it counts.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")

# Pages that derive something run code at build (their header names a kernel); the others are reference pages.
CONTENT_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md") if "\nkernelspec:" in p.read_text())
BOOK_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md"))
# Pages that open with an answer box, (page-answer)=: every content page, and the package's reference (api.md).
ANSWER_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md") if f"\n({p.stem}-answer)=" in p.read_text())

VOID_ELEMENTS = {"br", "img", "hr", "input", "meta", "link", "wbr", "col", "area", "base", "embed", "source", "track"}
# Not read: code, the theme's buttons and the permalink marks that Sphinx puts after every heading.
_SKIP_CLASSES = {"cell_input", "highlight", "headerlink", "copy-link", "toggle-button"}
_SKIP_TAGS = {"script", "style", "svg", "button", "pre", "template"}


class _Reader(HTMLParser):
    """Words of the `<article>` of a page (or of a whole fragment when `article` is False): prose words, one per
    formula (an element of class "math", with the renderer's markup nested inside), nothing inside skipped code."""

    def __init__(self, article: bool = True):
        super().__init__(convert_charrefs=True)
        self.inside = not article  # inside <article class="bd-article">
        self.article_depth = 0
        self.skip = 0  # depth inside a skipped element
        self.formula = 0  # depth inside a formula
        self.words = 0
        self.formulas = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if not self.inside:
            if tag == "article" and "bd-article" in classes:
                self.inside, self.article_depth = True, 1
            return
        self.article_depth += 1
        if self.skip or self.formula:
            self.skip += bool(self.skip)
            self.formula += bool(self.formula)
        elif tag in _SKIP_TAGS or classes & _SKIP_CLASSES:
            self.skip = 1
        elif "math" in classes:
            self.formula = 1
            self.words += 1
            self.formulas += 1

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or not self.inside:
            return
        self.skip -= bool(self.skip)
        self.formula -= bool(self.formula)
        self.article_depth -= 1
        if self.article_depth == 0:
            self.inside = False

    def handle_data(self, data):
        if self.inside and not self.skip and not self.formula:
            self.words += len(WORD.findall(data))


def words(html: str, article: bool = True) -> int:
    """Reading words of a built page's article (or, with `article=False`, of an HTML fragment)."""
    reader = _Reader(article)
    reader.feed(html)
    return reader.words


def answer_box(html: str, page: str) -> re.Match | None:
    """The answer box `<page>-answer` of a built page: group 1 is its body, title included."""
    return re.search(rf'<div class="[^"]*admonition[^"]*" id="{page}-answer">(.*?)</div>', html, re.S)


def answer_body(html: str, page: str) -> str:
    """The HTML of the answer box's body, without its title ("The answer in one line")."""
    box = answer_box(html, page)
    assert box, f"{page}.html has no answer box {page}-answer"
    return re.sub(r'<p class="admonition-title">.*?</p>', "", box[1], flags=re.S)


def answer_words(html: str, page: str) -> int:
    """Words of the answer box's body (its title not counted)."""
    return words(answer_body(html, page), article=False)


def shown_code_lines(html: str) -> list[str]:
    """Every line of the input of every code cell on a built page (collapsed inputs included: a reader opens them)."""
    lines = []
    for block in re.findall(r'<div class="cell_input[^"]*">(.*?)</pre>', html, re.S):
        code = re.sub(r"<[^>]+>", "", block.split("<pre>", 1)[-1])
        code = code.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
        lines += code.replace("&amp;", "&").splitlines()
    return lines


def reading_words(site: Path) -> dict[str, int]:
    """Reading words of every book page of a built site."""
    return {page: words((site / f"{page}.html").read_text(encoding="utf-8")) for page in BOOK_PAGES}
