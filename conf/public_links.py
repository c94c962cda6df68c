"""Links that last: the Sphinx side of the site's public URLs (a local extension, loaded from conf/).

Forum answers link to pages, equations and answer boxes for years, and a pasted link should preview with the answer.

- Each page with a quotable answer box (label ``<page>-answer``) gets that answer, as plain text, for its
  ``<meta name="description">`` and ``og:description``: the line a forum preview shows under the title.
- ``anchor_aliases`` keeps an old anchor alive when a label or equation is renamed: ``{"page": {"old-id": "new-id"}}``
  writes ``old-id`` as a second id of the element that now carries ``new-id``. (A page that moves gets a redirect
  instead: ``redirects`` of sphinx-reredirects, whose template in conf/redirect.html keeps the ``#fragment``.)
- ``og:url``, the canonical link, the sitemap, the copy-link buttons and ``{{ baseurl }}`` in a page all derive from
  ``html_baseurl``.
- Equations, figures and exercises are numbered per page, from 1 (Sphinx's numfig numbers them across the whole site,
  so that transpose's first equation was "(6)"): a number read on a page is that page's, and a forum answer's "eq. (3)"
  stays right when another page gains an equation. A link to an equation on another page names that page before the
  number, "chain-rule (3)". A page's numbers follow from its own elements; when they change, so does what other pages
  show of it, and conf/cross_page.py writes every page again.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.math import MathDomain
from sphinx.domains.std import StandardDomain
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

# TeX in an answer, written the way the course and its forum write formulas in plain text: dW[l] = (1/m) dZ[l] A[l-1]ᵀ.
_SYMBOLS = {
    r"\partial": "∂", r"\mathcal": "", r"\operatorname": "", r"\text": "", r"\mathrm": "", r"\big": "", r"\Big": "",
    r"\left": "", r"\right": "", r"\sum": "Σ", r"\prime": "′", r"\varepsilon": "ε", r"\epsilon": "ε",
    r"\to": "→", r"\oslash": "⊘", r"\odot": "⊙", r"\cdot": "·", r"\times": "×",
    r"\top": "T", r"\ldots": "…", r"\dots": "…", r"\in": "∈", r"\approx": "≈", r"\le": "≤", r"\ge": "≥",
    r"\leq": "≤", r"\geq": "≥", r"\ne": "≠", r"\neq": "≠", r"\infty": "∞",
    **{"\\" + name: letter for name, letter in zip(
        "alpha beta gamma delta eta theta kappa lambda mu pi rho sigma tau phi chi psi omega Sigma Delta".split(),
        "αβγδηθκλμπρστφχψωΣΔ")},
    r"\lVert": "‖", r"\rVert": "‖", r"\|": "‖", r"\lvert": "|", r"\rvert": "|", r"\mid": "|",
    r"\,": " ", r"\;": " ", r"\!": "", r"\ ": " ", r"\quad": " ", r"\qquad": " ", r"\{": "{", r"\}": "}",
    r"\_": "_",
}
_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[,;! {}|_])")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# a braced group (two levels of nesting: \\frac{\\gamma}{\\sqrt{\\sigma^{2[l]} + \\varepsilon}}) or one token
_GROUP = r"(\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}|\\[A-Za-z]+|[^\s{}\\])"
_ACCENTS = {r"\hat": "\u0302", r"\tilde": "\u0303"}  # Ẑ, Z̃: the letter with a combining accent


def _ungroup(text: str) -> str:
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def tex_to_text(tex: str) -> str:
    """Inline TeX as plain text a forum preview can show: ``\\frac1m dZ^{[l]} A^{[l-1]T}`` → ``1/m dZ[l] A[l-1]ᵀ``.

    Raises ValueError naming the first TeX command it does not know, so a description never shows raw TeX.
    """
    text = re.sub(r"(\\hat|\\tilde)\s*\{?([A-Za-z])\}?", lambda m: m[2] + _ACCENTS[m[1]], tex)
    text = re.sub(r"\\sqrt\s*" + _GROUP, lambda m: "√" + _root(_ungroup(m[1])), text)
    text = re.sub(r"\\frac\s*" + _GROUP + r"\s*" + _GROUP, lambda m: _fraction(_ungroup(m[1]), _ungroup(m[2])), text)
    text = re.sub(r"\^\{2(\[[^\]]*\])\}", r"²\1", text)  # σ^{2[l]} -> σ²[l]
    text = re.sub(r"\^\{?(\[[^\]]*\])T\}?", r"\1ᵀ", text)  # A^{[l-1]T} -> A[l-1]ᵀ
    text = re.sub(r"\^(?:\{T\}|T\b|\{\\top\}|\\top)", "ᵀ", text)  # W^T -> Wᵀ
    text = re.sub(r"\^\{(\[[^\]]*\])(\\prime|')?\}", lambda m: m[1] + ("′" if m[2] else ""), text)  # ^{[l]} -> [l]
    text = re.sub(r"\^\{?\\prime\}?|'", "′", text)
    text = re.sub(r"\^(\d|\{-?\d+\})", lambda m: m[1].strip("{}").translate(_SUPERSCRIPT), text)  # 10^{-7} -> 10⁻⁷
    text = re.sub(r"\^\{([^{}]{2,})\}", r"^(\1)", text)  # δ^{l+1} -> δ^(l+1), not δ^l+1
    unknown = [c for c in _COMMAND.findall(text) if c not in _SYMBOLS]
    if unknown:
        raise ValueError(f"tex_to_text: no plain-text form for {unknown[0]!r} in {tex!r}")
    text = _COMMAND.sub(lambda m: _SYMBOLS[m[0]], text)
    text = re.sub(r"_\{([^{}]*)\}", r"_\1", text).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _root(inside: str) -> str:
    text = tex_to_text(inside)
    return text if re.fullmatch(r"\w+", text) else f"({text})"


def _fraction(top: str, bottom: str) -> str:
    """a/b, with parentheses only around a part that is not a single term: ∂L/∂a[l-1], (f(x+ε) - f(x-ε))/2ε."""
    parts = []
    for part in (top, bottom):
        text = re.sub(r"∂\s+", "∂", tex_to_text(part))
        single_term = re.fullmatch(r"[\w∂′ᵀ\u0302\u0303²]+(\[[^\]]*\][\w′ᵀ]*)*|√(\w+|\([^()]*\))", text)
        parts.append(text if single_term else f"({text})")
    return "/".join(parts)


def node_text(node: nodes.Node) -> str:
    """The text of a paragraph or admonition, with its math as plain text."""
    parts = []
    for child in node.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(child, nodes.math):
            parts.append(tex_to_text(child.astext()))
        elif not isinstance(child.parent, nodes.math):
            parts.append(child.astext())
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _page_description(app: Sphinx, doctree: nodes.document) -> None:
    """Store the page's description, as plain text (doctree-read).

    The one-line answer of a page with an answer box (label ``<page>-answer``); otherwise the page's first paragraph,
    cut at ``ogp_description_length`` characters. Math is written out as plain text (`tex_to_text`).
    """
    docname = app.env.docname
    label = f"{docname.rsplit('/', 1)[-1]}-answer"
    box = next((n for n in doctree.findall(nodes.Element) if label in n.get("ids", ())), None)
    if box is not None:
        body = [child for child in box.children if not isinstance(child, nodes.title)]
    else:
        body = [next(iter(doctree.findall(nodes.paragraph)), nodes.paragraph())]
        box = body[0]
    try:
        text = " ".join(node_text(child) for child in body)
    except ValueError as error:
        logger.warning("%s: no plain-text description: %s", docname, error,
                       location=box, type="public_links", subtype="description")
        return
    limit = app.config.ogp_description_length
    if box is body[0] and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    app.env.metadata[docname]["og:description"] = text
    app.env.metadata[docname]["description"] = text


def _description_meta(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Write the stored description as <meta name="description"> (before sphinxext-opengraph, which then keeps it)."""
    description = (context.get("meta") or {}).get("description")
    if description:
        from html import escape

        context["metatags"] += f'\n<meta name="description" content="{escape(description)}" />'


def _add_aliases(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give the element that carries a renamed anchor its old id too (doctree-resolved)."""
    for old, new in app.config.anchor_aliases.get(docname, {}).items():
        target = next((n for n in doctree.findall(nodes.Element) if new in n.get("ids", ())), None)
        if target is None:
            raise ExtensionError(f"anchor_aliases: {docname} has no anchor {new!r} for the alias {old!r}")
        target["ids"].append(old)


def _derive_urls(app: Sphinx, config) -> None:
    """One base URL for everything that writes an absolute link (config-inited)."""
    if not config.html_baseurl.endswith("/"):
        raise ExtensionError(f"html_baseurl must end with '/'; got {config.html_baseurl!r}")
    config.ogp_site_url = config.html_baseurl
    config.myst_substitutions = {**config.myst_substitutions, "baseurl": config.html_baseurl}


def _complete_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """Every page of the book in the sitemap, in the order of their addresses, after any build.

    sphinx-sitemap lists the pages this build wrote, as workers wrote them: an incremental build (a prose edit) left
    out every page it did not write again, and two builds of one commit could list the pages in different orders
    (tests/test_reproducible.py found it with four workers). Here the list is the pages it collected plus every page
    of the book (each source document is one page, `<docname>.html`), less sitemap_excludes, sorted.
    """
    from xml.etree import ElementTree

    from sphinx_sitemap import is_excluded

    if exception is not None or app.builder.format != "html":
        return
    sitemap = Path(app.outdir) / app.config.sitemap_filename
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    ElementTree.register_namespace("", namespace.strip("{}"))
    ElementTree.register_namespace("xhtml", "http://www.w3.org/1999/xhtml")
    written = ElementTree.parse(sitemap).getroot().findall(f"{namespace}url") if sitemap.is_file() else []
    base = app.config.html_baseurl
    locations = {url.findtext(f"{namespace}loc") for url in written} | {
        base + app.config.sitemap_url_scheme.format(lang="", version="", link=link)
        for link in (f"{docname}{app.builder.out_suffix}" for docname in app.env.found_docs)
        if not is_excluded(link, app.config.sitemap_excludes)
    }
    root = ElementTree.Element(f"{namespace}urlset")
    for location in sorted(locations - {None}):
        ElementTree.SubElement(ElementTree.SubElement(root, f"{namespace}url"), f"{namespace}loc").text = location
    ElementTree.ElementTree(root).write(sitemap, xml_declaration=True, encoding="utf-8", method="xml")


_assign_site_wide_numbers = TocTreeCollector.assign_figure_numbers
# This build's reading, noted before Sphinx forgets the pages it reads again: the pages read, whether any was added or
# removed, and the pages that had a table of contents.
_reading: dict = {"read": set(), "added_or_removed": True, "with_toctree": set()}


def _note_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    _reading.update(added_or_removed=bool(added or removed), with_toctree=set(env.toctree_includes))
    return []


def _note_read(app: Sphinx, env, docnames: list[str]) -> None:
    _reading["read"] = set(docnames)


def _figure_type(env, node: nodes.Element) -> str | None:
    """The kind of number `node` gets, as Sphinx's numbering decides it (an uncaptioned figure gets none)."""
    for domain in env.domains.sorted():
        figtype = domain.get_enumerable_node_type(node)
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue
        if figtype:
            return figtype
    return None


def numbers_of_page(env, doctree: nodes.document) -> dict[str, dict[str, tuple[int]]]:
    """Each numbered element of one page, by kind, numbered from 1 in the page's order (what Sphinx's numbering
    then `_assign_numbers_per_page` give it, without reading every other page)."""
    numbers: dict[str, dict[str, tuple[int]]] = {}

    def walk(node: nodes.Element) -> None:
        for child in node.children:
            if isinstance(child, nodes.section):
                walk(child)
            elif isinstance(child, nodes.Element) and not isinstance(child, addnodes.toctree):
                figtype = _figure_type(env, child)
                if figtype and child["ids"]:
                    kind = numbers.setdefault(figtype, {})
                    kind[child["ids"][0]] = (len(kind) + 1,)
                walk(child)

    walk(doctree)
    return numbers


def book_order(env) -> list[str]:
    """The root page and what its tables of contents reach, in the reading order of the menu (the pages Sphinx
    numbers; conf/cited_by.py orders its lists by it)."""
    ordered = []

    def walk(doc):
        if doc in ordered:
            return
        ordered.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return ordered


def _assign_numbers_per_page(collector: TocTreeCollector, env) -> list[str]:
    """Sphinx's figure, equation and exercise numbers, counted again from 1 on each page, in the page's order.

    Returns no page to write again. A page's numbers follow from the order of its own elements, so they change only
    when the page is read again, and it is then written again; the pages that link to its numbers are written again
    by conf/cross_page.py, which sees the order change. (Sphinx's method returns the pages whose numbers differ from
    the previous build's, where a page read again, which Sphinx forgot, had none: that is every page with a number.)

    Sphinx numbers the whole site on every build, loading every page's doctree (1.6 to 3 s on a loaded 2-core
    machine, on no-op builds too).
    Here the pages that kept their numbers keep them: on a build that read no page nothing is numbered, and when the
    pages read have no table of contents, before or after, and no page was added or removed (a prose edit), only the
    pages read are numbered (`numbers_of_page`). Otherwise, Sphinx numbers the site, and each page is renumbered."""
    read = _reading["read"]
    if not read and not _reading["added_or_removed"]:
        return []
    if _reading["added_or_removed"] or read & (_reading["with_toctree"] | set(env.toctree_includes)):
        _assign_site_wide_numbers(collector, env)
        env.toc_fignumbers = {
            doc: {kind: {id_: (n,) for n, id_ in enumerate(sorted(ids, key=ids.get), 1)}
                  for kind, ids in kinds.items()}
            for doc, kinds in env.toc_fignumbers.items()
        }
        return []
    numbered = set(book_order(env)) & env.found_docs
    for doc in read:
        numbers = numbers_of_page(env, env.get_doctree(doc)) if doc in numbered else {}
        if numbers:
            env.toc_fignumbers[doc] = numbers
        else:
            env.toc_fignumbers.pop(doc, None)
    return []


class MathDomainNamingPages(MathDomain):
    """Sphinx's math domain, with a link to another page's equation naming that page: "chain-rule (3)", not "(3)"."""

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        link = super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
        docname = self.equations.get(target, (fromdocname,))[0]
        if link is not None and docname != fromdocname:
            number = link.astext()
            link.clear()
            link += nodes.Text(f"{docname.rsplit('/', 1)[-1]} {number}")
        return link


def setup(app: Sphinx) -> dict:
    app.add_config_value("anchor_aliases", {}, "env", types=frozenset({dict}))
    # Sphinx numbers and compares with the previous build in one method, with no event in between: replaced whole.
    TocTreeCollector.assign_figure_numbers = _assign_numbers_per_page
    app.add_domain(MathDomainNamingPages, override=True)
    app.connect("build-finished", _complete_sitemap, priority=800)  # after sphinx-sitemap writes it
    app.connect("config-inited", _derive_urls)
    app.connect("env-get-outdated", _note_outdated)  # before Sphinx forgets any page
    app.connect("env-before-read-docs", _note_read)
    app.connect("doctree-read", _page_description)
    app.connect("doctree-resolved", _add_aliases)
    app.connect("html-page-context", _description_meta, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
