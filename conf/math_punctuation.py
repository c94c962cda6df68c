"""Sphinx extension: an inline formula and the punctuation right after it stay on one line.

A browser may break a line between a formula and the comma that follows it, so that a line starts with ", and".
Each inline formula followed by punctuation (", . ; : ! ? ) ]" and closing quotes) is wrapped with that punctuation in
<span class="math-nowrap">, which book/_static/site.css keeps on one line; the formula itself may still break inside,
where KaTeX allows it. Section titles get the same in the page's contents, which Sphinx copies without the wrapper.
tests/test_browser.py checks every page at phone width.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

PUNCTUATION = re.compile(r"[,.;:!?)\]\u2019\u201d]+")


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
        if rest:
            after.parent.replace(after, nodes.Text(rest))
        else:
            after.parent.remove(after)


class GlueMathToPunctuation(SphinxTransform):
    default_priority = 900

    def apply(self, **kwargs) -> None:
        glue(self.document)


class GlueMathToPunctuationLate(SphinxPostTransform):
    """Again as each page is written, for the text that cells' outputs add then (myst-nb's {glue} roles)."""

    default_priority = 950  # after myst-nb's glue replacements

    def run(self, **kwargs) -> None:
        glue(self.document)


def glue_contents(app: Sphinx, doctree: nodes.document) -> None:
    """The same in the page's contents (env.tocs), which the toctree collector has just made from the titles."""
    toc = app.env.tocs.get(app.env.docname)
    if toc is not None:
        glue(toc)


def setup(app: Sphinx) -> dict:
    app.add_transform(GlueMathToPunctuation)
    app.add_post_transform(GlueMathToPunctuationLate)
    app.connect("doctree-read", glue_contents, priority=900)  # after the toctree collector (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
