"""Sphinx extension: an inline formula and the punctuation right after it stay on one line.

A browser may break a line between a formula and the comma that follows it, so that a line starts with ", and".
Each inline formula followed by punctuation (", . ; : ! ? ) ]" and closing quotes) is wrapped with that punctuation in
<span class="math-nowrap">, which book/_static/site.css keeps on one line; the formula itself may still break inside,
where KaTeX allows it. Section titles get the same in the page's contents, which Sphinx copies without the wrapper.

A long formula that breaks across lines must keep its punctuation after its last piece. KaTeX writes a formula as
pieces (`<span class="base">`, inline blocks) that a line may break between; the browser may also break right after
the last piece, before the punctuation, whatever the white-space of the text around it, because the line breaker
asks the piece's parent. So, as each glued formula is written (in the page, and in the page's contents, which the
theme writes with the same HTML writer), its last piece is wrapped in <span class="katex-tail">, which site.css
does not let wrap: the punctuation moves with that piece. (The theme lays
inline math out as one inline-flex box, which kept the comma beside the box's first line; site.css makes it text.)
tests/test_browser.py checks every page at phone width.

A number in e-notation ("5.7e-12", as the pages print relative errors) is a third case: a browser may break it after
its minus sign, leaving "5.7e-" at the end of a line. Each one in the text (not in code, not in a formula) is wrapped
in <span class="nowrap">. tests/test_reading.py checks every page.

A short inline formula ("m = 1", "c' = s": at most SHORT characters of TeX) is a fourth: KaTeX lets a line break
after each relation and binary operator, and a phone split "m =" from "1". Its math node gets the class
"math-short", which site.css keeps on one line; a longer formula may still break where KaTeX allows, as TeX does.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.html5 import HTML5Translator

PUNCTUATION = re.compile(r"[,.;:!?)\]\u2019\u201d]+")
# The longest inline formula, in characters of TeX without spaces, that never breaks: at most about 200 px wide.
SHORT = 30
# Text that is not wrapped as prose is: code, formulas, raw HTML, and API signatures (already nowrap).
SET_APART = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.raw, addnodes.desc_signature)
# A number in e-notation: its minus (or plus) is where a browser may break it.
E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e[-+]\d+\b")


def glue(tree: nodes.Node) -> None:
    """Wrap each inline formula of `tree` that punctuation follows, with that punctuation."""
    for math in list(tree.findall(nodes.math)):
        if isinstance(math.parent, nodes.inline) and "math-nowrap" in math.parent["classes"]:
            continue
        after = math.next_node(descend=False, siblings=True, ascend=False)
        if not isinstance(after, nodes.Text):
            continue
        glued = PUNCTUATION.match(after.astext())
        if not glued:
            continue
        wrapper = nodes.inline(classes=["math-nowrap"])
        math.replace_self(wrapper)
        wrapper += math
        wrapper += nodes.Text(glued.group())
        rest = after.astext()[glued.end():]
        _replace_text(after, [nodes.Text(rest)] if rest else [])


def _replace_text(text: nodes.Text, new: list[nodes.Node]) -> None:
    """Put `new` where `text` is in its parent.

    By identity: a Text node is a str, and docutils' `index`, `remove` and `replace` find the first child *equal* to
    it, so removing the second of two "." removed the first one (a sentence lost its full stop, and another got two).
    """
    parent = text.parent
    index = next(k for k, child in enumerate(parent.children) if child is text)
    parent[index : index + 1] = new


def _set_apart(node: nodes.Element | None) -> bool:
    while node is not None and not isinstance(node, SET_APART):
        node = node.parent
    return node is not None


def keep_numbers_whole(tree: nodes.Node) -> None:
    """Wrap each number in e-notation in the text of `tree` in <span class="nowrap">."""
    for text in list(tree.findall(nodes.Text)):
        parent, content = text.parent, text.astext()
        if not E_NOTATION.search(content) or parent is None:
            continue
        if "nowrap" in parent.get("classes", ()) or _set_apart(parent):
            continue
        pieces, end = [], 0
        for number in E_NOTATION.finditer(content):
            if number.start() > end:
                pieces.append(nodes.Text(content[end : number.start()]))
            pieces.append(nodes.inline(number.group(), number.group(), classes=["nowrap"]))
            end = number.end()
        if end < len(content):
            pieces.append(nodes.Text(content[end:]))
        _replace_text(text, pieces)


def keep_short_formulas_whole(tree: nodes.Node) -> None:
    """Mark each inline formula of `tree` of at most SHORT characters (spaces aside) "math-short"."""
    for math in tree.findall(nodes.math):
        if len("".join(math.astext().split())) <= SHORT and "math-short" not in math["classes"]:
            math["classes"].append("math-short")


def keep_lines(tree: nodes.Node) -> None:
    """All of the above on `tree`: punctuation glued, numbers and short formulas whole."""
    glue(tree)
    keep_numbers_whole(tree)
    keep_short_formulas_whole(tree)


class GlueMathToPunctuation(SphinxTransform):
    default_priority = 900

    def apply(self, **kwargs) -> None:
        keep_lines(self.document)


class GlueMathToPunctuationLate(SphinxPostTransform):
    """Again as each page is written, for the text that cells' outputs add then (myst-nb's {glue} roles)."""

    default_priority = 950  # after myst-nb's glue replacements

    def run(self, **kwargs) -> None:
        keep_lines(self.document)


def glue_contents(app: Sphinx, doctree: nodes.document) -> None:
    """The same in the page's contents (env.tocs), which the toctree collector has just made from the titles."""
    toc = app.env.tocs.get(app.env.docname)
    if toc is not None:
        keep_lines(toc)


TAG = re.compile(r"<span\b[^>]*>|</span>")
GLUED = '<span class="math-nowrap">'


def wrap_last_piece(body: str) -> str:
    """`body` with the last KaTeX piece of every glued formula wrapped in <span class="katex-tail">."""
    inserts: list[tuple[int, str]] = []
    start = body.find(GLUED)
    while start != -1:
        pieces = body.find('<span class="katex-html"', start)
        depth, last = 0, None
        # (a formula KaTeX refused is an error box, with no pieces: there is nothing to wrap)
        for tag in TAG.finditer(body, pieces) if pieces != -1 else ():
            if tag.group().startswith("</"):
                depth -= 1
                if depth == 1 and last is not None and last[1] is None:
                    last = (last[0], tag.end())
                if depth == 0:
                    break
            else:
                depth += 1
                if depth == 2 and 'class="base"' in tag.group():
                    last = (tag.start(), None)
        if last is not None and last[1] is not None:
            inserts += [(last[0], '<span class="katex-tail">'), (last[1], "</span>")]
        start = body.find(GLUED, start + len(GLUED))
    for position, text in sorted(inserts, reverse=True):
        body = body[:position] + text + body[position:]
    return body


def visit_inline(self: HTML5Translator, node: nodes.inline) -> None:
    if "math-nowrap" in node["classes"]:
        self.__dict__.setdefault("_glued_starts", []).append(len(self.body))
    HTML5Translator.visit_inline(self, node)


def depart_inline(self: HTML5Translator, node: nodes.inline) -> None:
    HTML5Translator.depart_inline(self, node)
    if "math-nowrap" in node["classes"]:
        start = self._glued_starts.pop()
        self.body[start:] = [wrap_last_piece("".join(self.body[start:]))]


def setup(app: Sphinx) -> dict:
    app.add_transform(GlueMathToPunctuation)
    app.add_post_transform(GlueMathToPunctuationLate)
    app.connect("doctree-read", glue_contents, priority=900)  # after the toctree collector (500)
    app.add_node(nodes.inline, override=True, html=(visit_inline, depart_inline))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
