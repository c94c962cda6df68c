"""Sphinx extension: the HTML that the extensions write, made valid and accessible.

Each fix below answers one finding of the Nu HTML checker (vnu) or of axe-core on the built site, and names it; the
theme's own chrome is fixed in conf/_templates and in book/_static/site.css instead. tests/test_html_valid.py and
tests/test_accessibility.py fail if one of these findings comes back.
"""

from __future__ import annotations

from pathlib import Path

import pydata_sphinx_theme
import sphinx_book_theme
import sphinx_exercise.directive
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxTranslator


# -- myst-nb's "Show code cell source" toggle ----------------------------------------------------------------------
# myst-nb writes <summary aria-label="Toggle hidden content"><p>Show code cell source</p><p>Hide …</p></summary>:
# vnu rejects <p> inside <summary> (phrasing content only), and axe (label-content-name-mismatch) rejects an
# accessible name that does not contain the visible text. The same markup with <span> instead of <p>, and no
# aria-label, so the name is what the reader sees: "Show code cell source" or "Hide code cell source". myst-nb's CSS
# selects `summary > p.admonition-title`; site.css gives the spans the same look.
def visit_hide_code_cell(self: SphinxTranslator, node: nodes.Element) -> None:
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>')
    self.body.append(f'<span class="collapsed admonition-title">{escape(node["prompt_show"])}</span>')
    self.body.append(f'<span class="expanded admonition-title">{escape(node["prompt_hide"])}</span>')
    self.body.append("</summary>\n")


def depart_hide_code_cell(self: SphinxTranslator, node: nodes.Element) -> None:
    self.body.append("</details>\n")


# -- sphinx-exercise's content sections ----------------------------------------------------------------------------
# Every exercise and solution wraps its body in <section id="exercise-content"> (or "solution-content"): the same id
# on every exercise of a page (vnu: duplicate ID), and a section without a heading (vnu warns). Nothing links to
# these ids or styles them, so the body becomes a plain <div class="exercise-content"> (or "solution-content").
# Found by these ids: were sphinx-exercise to write others, the transform would change
# nothing, so the build fails instead (its source is checked as the build starts, since
# not every build has an exercise).
EXERCISE_SECTIONS = ('nodes.section(ids=["exercise-content"])',
                     'nodes.section(ids=["solution-content"])')


def check_exercise_sections(source: str) -> None:
    """Fail unless sphinx-exercise's `source` still writes the sections changed here."""
    missing = [section for section in EXERCISE_SECTIONS if section not in source]
    if missing:
        raise ExtensionError(
            f"accessible_html: sphinx-exercise changed: "
            f"{sphinx_exercise.directive.__file__} no longer has {', '.join(missing)}; "
            "check what it writes for an exercise's body, then update "
            "EXERCISE_SECTIONS and ExerciseContentAsDiv in conf/accessible_html.py")


class ExerciseContentAsDiv(SphinxPostTransform):
    default_priority = 900  # after sphinx-exercise's own post-transforms (5 to 22)
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for section in list(self.document.findall(nodes.section)):
            ids = section["ids"]
            if len(ids) == 1 and ids[0] in ("exercise-content", "solution-content"):
                body = nodes.container(classes=[ids[0]])
                body.extend(section.children)
                section.replace_self(body)
                body["ids"] = []  # replace_self copies the section's ids onto its replacement


# -- the bibliography's list roles ---------------------------------------------------------------------------------
# docutils gives each citation role="doc-biblioentry", deprecated by DPUB-ARIA 1.1 and not allowed on a <div>
# (axe: aria-deprecated-role, aria-allowed-role, and aria-required-children on the surrounding role="list"). The
# same markup, with each entry a plain list item of that list.
def visit_citation(self: SphinxTranslator, node: nodes.citation) -> None:
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: SphinxTranslator, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


# -- the theme's macro files ---------------------------------------------------------------------------------------
# pydata-sphinx-theme and sphinx-book-theme keep Jinja macro files in their static folders, so Sphinx copies them to
# _static/ as if they were pages: raw Jinja that no page loads (vnu: no doctype, no title, "{{" in URLs). They are
# removed from the output.
THEME_MACRO_FILES = ("webpack-macros.html", "sbt-webpack-macros.html")


THEME_STATIC = tuple(Path(theme.__file__).parent / "theme" / theme.__name__ / "static"
                     for theme in (pydata_sphinx_theme, sphinx_book_theme))


def check_theme_macro_files(folders: tuple[Path, ...] = THEME_STATIC) -> None:
    """Fail unless the themes' static `folders` hold exactly the macro files removed
    here (a renamed one would be copied to _static and stay)."""
    names = {path.name for folder in folders for path in folder.glob("*.html")}
    if names != set(THEME_MACRO_FILES):
        raise ExtensionError(
            "accessible_html: the themes changed: their static folders "
            f"({', '.join(map(str, folders))}) hold {sorted(names)}, not "
            f"{sorted(THEME_MACRO_FILES)}; check which are Jinja macro files, then "
            "update THEME_MACRO_FILES in conf/accessible_html.py")


def check_patched_markup(app: Sphinx) -> None:
    if app.builder.format == "html":
        source = Path(sphinx_exercise.directive.__file__).read_text(encoding="utf-8")
        check_exercise_sections(source)
        check_theme_macro_files()


def remove_theme_macro_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        for name in THEME_MACRO_FILES:
            (Path(app.outdir) / "_static" / name).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_code_cell, depart_hide_code_cell))
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.add_post_transform(ExerciseContentAsDiv)
    app.connect("builder-inited", check_patched_markup)
    app.connect("build-finished", remove_theme_macro_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
