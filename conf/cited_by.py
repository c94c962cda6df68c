"""Each entry of the bibliography says which pages cite it, with a link to each (book/cite.md promises this).

The pages are read from sphinxcontrib-bibtex's own record of the citations (its "cite" domain, public data), once
every page has been read, so the list is complete in a parallel or incremental build. An entry that no page cites
is a warning, which the strict build turns into a failure: cite it where it helps, or remove it from
book/references.bib.

Each entry also shows its URL in full: the theme shortens the text of a link to GitHub to "owner/repository",
which, for a notebook deep in a repository, is not the address the entry cites.
"""

from docutils import nodes
from public_links import book_order
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

BIBLIOGRAPHY_PAGE = "references"


def _pages_citing(domain) -> dict[str, list[str]]:
    """Bibliography key -> the pages that cite it, in the order of the book."""
    pages: dict[str, list[str]] = {}
    for ref in domain.citation_refs:
        for target in ref.targets:
            docs = pages.setdefault(target.key, [])
            if ref.docname not in docs and ref.docname != BIBLIOGRAPHY_PAGE:
                docs.append(ref.docname)
    return pages


def add_cited_by(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if docname != BIBLIOGRAPHY_PAGE:
        return
    env = app.env
    domain = env.get_domain("cite")
    order = {name: i for i, name in enumerate(book_order(env))}
    pages = _pages_citing(domain)
    key_of = {citation.citation_id: citation.key for citation in domain.citations}
    uncited = []
    for entry in doctree.findall(nodes.citation):
        _show_urls_in_full(entry)
        key = next((key_of[i] for i in entry["ids"] if i in key_of), None)
        if key is None:
            continue
        docs = sorted(pages.get(key, []), key=lambda d: order.get(d, len(order)))
        if not docs:
            uncited.append(key)
            continue
        para = nodes.paragraph(classes=["cited-by"])
        para += nodes.Text("Cited on: ")
        for i, doc in enumerate(docs):
            if i:
                para += nodes.Text(", ")
            uri = app.builder.get_relative_uri(docname, doc)
            para += nodes.reference("", env.titles[doc].astext(), internal=True, refuri=uri)
        if not para.astext().endswith(("?", "!", ".")):  # a title may end the sentence ("… product?")
            para += nodes.Text(".")
        entry += para
    for key in sorted(uncited):
        logger.warning(
            f"cited_by: no page cites {key!r}: cite it where it helps, or remove it from book/references.bib",
            location=docname,
        )


def _show_urls_in_full(entry: nodes.citation) -> None:
    """Undo the theme's short text ("owner/repository") of the links to GitHub in a bibliography entry."""
    for link in entry.findall(nodes.reference):
        if "github" in link["classes"] and link.get("refuri") and link.astext() != link["refuri"]:
            link.children = []
            link += nodes.Text(link["refuri"])


def _citing(env) -> dict[str, frozenset[str]]:
    """Bibliography key -> the pages that cite it (the lists' contents, their order aside)."""
    return {key: frozenset(docs) for key, docs in _pages_citing(env.get_domain("cite")).items()}


def _remember_citations(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Which pages cite what, before this build forgets the pages it reads again."""
    app._citing_before = _citing(env)
    return []


def rewrite_bibliography_page(app: Sphinx, env) -> list[str]:
    """The bibliography page, to write again when a page read in this build cites other
    works than before; a prose edit does not touch it.

    Written, not read again: its lists are added as it is written (`add_cited_by`), from
    the citations of every page as now read. (A citing page's new title changes what
    every page shows of it: conf/cross_page.py writes them all.)"""
    if BIBLIOGRAPHY_PAGE in env.found_docs and _citing(env) != app._citing_before:
        return [BIBLIOGRAPHY_PAGE]
    return []


def setup(app: Sphinx) -> dict:
    app.connect("env-get-outdated", _remember_citations)  # before Sphinx forgets any page
    app.connect("env-updated", rewrite_bibliography_page)
    app.connect("doctree-resolved", add_cited_by)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
