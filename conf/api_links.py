"""Sphinx extension: the `backprop` package's reference (book/api.md) and the book's equations link each other.

Issue 15, item 8. The docstrings are the one source of truth for which function implements which equation: each
formula function's docstring has a sentence starting "Implements", naming the labels of the equations it implements
with MyST's role, as in "Implements {eq}`eq-dw`." (the house style; grep a label and you find both ends).

1. Docstrings to links. autodoc reads docstrings as reST, where {eq}`eq-dw` is not a role. Before autodoc parses
   a docstring of `backprop`, each {eq}`label` becomes :eq:`label`, a link to the equation on its page ("chain-rule
   (5)"), and each `name` in single backquotes becomes a link to that object's entry when it is one of the package's
   public names, or ``name`` (code) otherwise (in reST a single backquote makes the "title reference", set as a
   citation). The source files keep their MyST spelling, which is what the house style asks for.
2. Equations to code. `implementers()` reads the same docstrings, through the package's `__all__`: label -> the
   public functions whose "Implements" sentence names it. Each labelled display equation whose label has an
   implementer gets a "code" link next to its number, to that function's entry on the API page (where `viewcode`
   links its source). When several functions implement one equation (eq-dw: `weight_gradient`, and the layer's and
   network's backward passes that call it), the link goes to the one naming the fewest equations, the function that
   computes that equation and nothing else. The link is written while the page is built, inside the equation's
   number (<span class="eqno">), before the copy-link buttons (conf/copy_links.py): it needs no script, it is in the HTML a
   test or a crawler reads, and a page that is not rebuilt cannot point at a function that moved (any change to the
   package re-reads every page: see conf/execution_cache.py).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

PACKAGE = "backprop"
API_PAGE = "api"  # book/api.md, the package's reference
EQ_ROLE = re.compile(r"\{eq\}`([^`]+)`")
# The sentence that starts with "Implements", up to the first full stop or colon that ends a sentence.
IMPLEMENTS = re.compile(r"\bImplements\b(.*?)[.:](?:\s|$)", re.S)
# `name` in single backquotes, not part of ``literal`` or of a role's :role:`target`.
TITLE_REFERENCE = re.compile(r"(?<![`:\w])`([^`\s][^`]*)`(?!`)")


@functools.lru_cache(maxsize=None)
def public_objects() -> dict[str, object]:
    """The package's public names (its `__all__`) and the objects they name."""
    package = importlib.import_module(PACKAGE)
    return {name: getattr(package, name) for name in package.__all__}


def implemented_labels(docstring: str) -> list[str]:
    """The equation labels that a docstring's "Implements" sentences name, in order, each once."""
    labels: list[str] = []
    for sentence in IMPLEMENTS.findall(docstring or ""):
        labels += [label for label in EQ_ROLE.findall(sentence) if label not in labels]
    return labels


@functools.lru_cache(maxsize=None)
def implementers() -> dict[str, list[str]]:
    """Equation label -> the public functions implementing it, the one naming the fewest equations first."""
    found: dict[str, list[tuple[int, str]]] = {}
    for name, obj in public_objects().items():
        if not callable(obj):
            continue
        labels = implemented_labels(inspect.getdoc(obj))
        for label in labels:
            found.setdefault(label, []).append((len(labels), name))
    return {label: [name for _, name in sorted(names)] for label, names in found.items()}


def entry_id(name: str) -> str:
    """The id of a public name's entry on the API page (autodoc's: the full dotted name)."""
    return f"{PACKAGE}.{name}"


def _to_rest(text: str) -> str:
    text = EQ_ROLE.sub(r":eq:`\1`", text)

    def title_reference(match: re.Match) -> str:
        name = match.group(1)
        public = name.removeprefix(PACKAGE + ".")
        return f":py:obj:`~{entry_id(public)}`" if public in public_objects() else f"``{name}``"

    return TITLE_REFERENCE.sub(title_reference, text)


def rest_docstring(app: Sphinx, what: str, name: str, obj, options, lines: list[str]) -> None:
    """autodoc-process-docstring: the MyST roles of the package's docstrings, as reST (see 1. above)."""
    if name == PACKAGE or name.startswith(PACKAGE + "."):
        lines[:] = _to_rest("\n".join(lines)).split("\n")


def types_as_text(app: Sphinx, env, node, contnode):
    """missing-reference: a word of a type on the API page that names nothing documented stays text.

    The docstrings write types for readers ("numpy.ndarray, shape (n[l], m)"); Sphinx reads each word of an
    attribute's type, or of a signature's annotation, as a class to link, and offline (no intersphinx) there is
    nothing to link "numpy.ndarray" or "n" to. A reference to the package's own names is left alone: if one of
    those is missing, the build still fails.
    """
    if (
        node.get("refdomain") == "py"
        and node.get("reftype") == "class"
        and node.get("refdoc") == API_PAGE
        and not node.get("reftarget", "").startswith(PACKAGE)
        and node.get("reftarget", "").removeprefix("~") not in public_objects()
    ):
        return contnode
    return None


def lists_out_of_paragraphs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A field's list (napoleon writes a function's several return values as one) stands on its own: Sphinx wraps a
    field's body in a paragraph, which made <p><ul>, invalid HTML (vnu)."""
    if docname != API_PAGE:
        return
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if any(isinstance(child, (nodes.bullet_list, nodes.enumerated_list)) for child in paragraph.children):
            paragraph.replace_self(list(paragraph.children))


VIEWCODE_BLOCK = re.compile(r'<div class="viewcode-block" (id="[^"]*")>\n(<a class="viewcode-back"[^>]*>[^<]*</a>)\n')
PRE = re.compile(r"<pre>.*?</pre>", re.S)


def valid_source_pages(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """viewcode's source pages (_modules/) as valid HTML: each function's block, which the "[docs]" link heads and a
    link from the API page targets, is a <span> instead of viewcode's <div>, which a <pre> may not contain (vnu)."""
    if not pagename.startswith("_modules/") or "body" not in context:
        return

    def spans(pre: re.Match) -> str:
        return VIEWCODE_BLOCK.sub(r'<span class="viewcode-block" \1>\2\n', pre.group(0)).replace("</div>\n", "</span>")

    context["body"] = PRE.sub(spans, context["body"])


def visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    """The math renderer's display equation, with a "code" link inside its number when a function implements it."""
    start = len(self.body)
    try:
        HTML5Translator.visit_math_block(self, node)
    except nodes.SkipNode:
        _add_code_link(self, node, start)
        raise
    _add_code_link(self, node, start)


def _add_code_link(self: HTML5Translator, node: nodes.math_block, start: int) -> None:
    names = implementers().get(node.get("label") or "")
    if not names or self.builder.current_docname == API_PAGE:
        return
    # The renderer writes the number as '<span class="eqno">(3)', the permalink, then '</span>'.
    opened = next((i for i in range(start, len(self.body)) if self.body[i].startswith('<span class="eqno">')), None)
    if opened is None:
        return
    closed = next(i for i in range(opened, len(self.body)) if self.body[i] == "</span>")
    href = self.builder.get_relative_uri(self.builder.current_docname, API_PAGE) + "#" + entry_id(names[0])
    label = f"code: {PACKAGE}.{names[0]}"
    self.body.insert(
        closed, f'<a class="eq-code" href="{href}" aria-label="{label}" title="{label}">code</a>'
    )


def depart_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    HTML5Translator.depart_math_block(self, node)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", rest_docstring, priority=400)  # before napoleon reads the sections
    app.connect("missing-reference", types_as_text)
    app.connect("html-page-context", valid_source_pages)
    app.connect("doctree-resolved", lists_out_of_paragraphs)
    app.add_node(nodes.math_block, override=True, html=(visit_math_block, depart_math_block))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
