"""Sphinx extension: when what pages show of each other changes, every page is written.

Every page shows parts of other pages: their titles in the menu and in the previous and
next links, a section's title or an equation's number in a link to it ("chain-rule
(3)"), an exercise's or a figure's number. Sphinx writes again the pages it read again
and the pages whose table of contents lists them; a page that only links to an edited
one would keep its old title or number, and the site would differ from a clean build.

So the "face" of each page, all that another page can show of it (`page_face`), is
recorded as the page is read; when a page read again shows another face, or a page is
added or removed, every page is written again, and so is each page of the package's
source (_modules/; also when every page was read again, after an edit to conf/). A prose
edit leaves the face as it was:
the build then writes the edited page and what Sphinx itself adds (the page whose table
of contents lists it), and no other.

This is Sphinx's environment collector API: the faces are kept in the environment
(`env.page_faces`, pickled with it, merged from the -j workers) and the pages to write
again are returned once every page is read (`get_updated_docs`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector


def _heading(node: nodes.Element) -> str | None:
    """The title or caption of `node` (a section's, a figure's, an exercise's)."""
    for child in node.children:
        if isinstance(child, (nodes.title, nodes.caption)):
            return child.astext()
        if type(child).__name__.endswith("_title"):  # sphinx-exercise's exercise_title
            return child.astext()
    return None


def page_face(doctree: nodes.document) -> str:
    """All that another page can show of the page `doctree`, as a digest.

    Its explicit title; each table of contents in it (they make the menu and the
    previous and next links); and each element with an id, in the page's order (the
    order gives its equations, figures and exercises their numbers), with its kind and
    its title (a link to a section can show the title).
    """
    parts: list[tuple] = []
    for node in doctree.findall(nodes.Element):
        if isinstance(node, addnodes.toctree):
            parts.append(("toctree", repr(sorted(node.attributes.items()))))
        elif node.get("ids"):
            parts.append((node.tagname, tuple(node["ids"]), _heading(node)))
    return hashlib.sha256(repr((doctree.get("title"), parts)).encode()).hexdigest()


def _faces(env) -> dict[str, str]:
    if not hasattr(env, "page_faces"):
        env.page_faces = {}
    return env.page_faces


class PageFaces(EnvironmentCollector):
    """The faces of the pages; every page to write again when one of them changed."""

    def __init__(self) -> None:
        # The faces, before this build, of the pages it reads or removes (None: new).
        self.before: dict[str, str | None] = {}

    def clear_doc(self, app: Sphinx, env, docname: str) -> None:
        # Sphinx forgets a page before reading it again, and a removed page.
        self.before.setdefault(docname, _faces(env).pop(docname, None))

    def merge_other(self, app: Sphinx, env, docnames, other) -> None:
        for docname in docnames:  # read by a -j worker
            _faces(env)[docname] = _faces(other)[docname]
            self.before.setdefault(docname, None)

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        _faces(app.env)[app.env.docname] = page_face(doctree)
        self.before.setdefault(app.env.docname, None)

    def get_updated_docs(self, app: Sphinx, env) -> list[str]:
        faces = _faces(env)
        changed = any(faces.get(doc) != face for doc, face in self.before.items())
        every_page_read = env.found_docs <= set(self.before)  # conf/ or settings edited
        self.before = {}
        if changed or every_page_read:
            # The package's source pages (sphinx.ext.viewcode) show the menu and the
            # site's markup too, but viewcode writes one again only when its module is
            # newer, or the page is missing.
            for page in Path(app.outdir, "_modules").rglob("*.html"):
                page.unlink()
        return sorted(env.found_docs) if changed else []


def setup(app: Sphinx) -> dict:
    app.add_env_collector(PageFaces)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
