"""Sphinx extension: the build fails, naming what to check, if theme markup that the
site's templates patch has changed.

The templates in conf/_templates patch the pinned pydata-sphinx-theme (0.20) by text,
and a text patch stops applying silently: a line filter that no longer matches keeps
the line, a cut at a class that is gone cuts nothing, an override of a component keeps
an old copy. Each target is checked here, in the theme's own template files, when the
HTML builder starts; a missing one is an ExtensionError naming the theme's file, the
local file, and what to update.

- conf/_templates/layout.html drops lines of the theme's `css` and `extrahead` blocks,
  those containing a string of DROPPED_THEME_LINES (given to the templates from here,
  so each string is written once).
- conf/_templates/sections/header.html cuts the top bar's buttons out at NAVBAR_BUTTON.
- conf/_templates/search-button-field.html is the theme's component less an aria-label.

Patches made in Python check their own target where they apply it: conf/lean_pages.py
(the theme's minified script, the theme files it removes), conf/search_results.py
(Sphinx's searchtools.js, the theme's search.html), conf/accessible_html.py
(sphinx-exercise's sections, the themes' macro files). tests/test_theme_patches.py
tests every one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
TEMPLATES = Path(__file__).with_name("_templates")

# Lines of the theme's blocks that conf/_templates/layout.html drops, by a string each
# contains (why: see there).
DROPPED_THEME_LINES = {
    "css": ("/fontawesome.js", 'rel="preload"', "/styles/theme.css",
            "/styles/pydata-sphinx-theme.css"),
    "search": ("/searchtools.js", "/language_data.js", "searchindex.js"),
}
# Where the theme writes those lines: the css block's in its webpack macros, the search
# scripts in its layout.
DROPPED_FROM = {
    "css": THEME / "static" / "webpack-macros.html",
    "search": THEME / "layout.html",
}

# conf/_templates/sections/header.html cuts out every button that starts with
# NAVBAR_BUTTON; those must be exactly the two sidebar buttons.
NAVBAR_BUTTON = '<button class="pst-navbar-icon'
NAVBAR_BUTTONS = (
    '<button class="pst-navbar-icon sidebar-toggle primary-toggle"',
    '<button class="pst-navbar-icon sidebar-toggle secondary-toggle"',
)
HEADER = THEME / "sections" / "header.html"

SEARCH_BUTTON = THEME / "components" / "search-button-field.html"
# What conf/_templates/search-button-field.html leaves out of the theme's button.
SEARCH_BUTTON_ARIA_LABEL = " aria-label=\"{{ _('Search') }}\""
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def _changed(theme_file: Path, local: str, missing: str, update: str) -> ExtensionError:
    return ExtensionError(
        f"theme_patches: the theme changed: {theme_file} no longer has {missing}, "
        f"which {local} patches; check what {local} does with it, then update {update}")


def check_dropped_lines(block: str, theme_file: Path, text: str) -> None:
    """Fail unless the theme's `text` still writes every line that
    conf/_templates/layout.html drops from `block` ("css" or "search")."""
    missing = [string for string in DROPPED_THEME_LINES[block] if string not in text]
    if missing:
        raise _changed(
            theme_file, "conf/_templates/layout.html",
            f"a line with {', '.join(map(repr, missing))}",
            f'DROPPED_THEME_LINES["{block}"] in conf/theme_patches.py')


def check_header_buttons(text: str) -> None:
    """Fail unless the theme's top bar `text` has exactly the two sidebar buttons that
    conf/_templates/sections/header.html cuts out."""
    found = text.count(NAVBAR_BUTTON)
    missing = [button for button in NAVBAR_BUTTONS if button not in text]
    if missing or found != len(NAVBAR_BUTTONS):
        raise _changed(
            HEADER, "conf/_templates/sections/header.html",
            f"exactly the buttons {', '.join(map(repr, NAVBAR_BUTTONS))} "
            f"(found {found} {NAVBAR_BUTTON!r})",
            "NAVBAR_BUTTONS in conf/theme_patches.py")


def check_search_button(theme_text: str, local_text: str) -> None:
    """Fail unless the local search button is the theme's, less its aria-label."""
    theme = JINJA_COMMENT.sub("", theme_text).strip()
    local = JINJA_COMMENT.sub("", local_text).strip()
    if SEARCH_BUTTON_ARIA_LABEL not in theme or (
            theme.replace(SEARCH_BUTTON_ARIA_LABEL, "", 1) != local):
        raise _changed(
            SEARCH_BUTTON, "conf/_templates/search-button-field.html",
            "the markup copied there (with the aria-label that it leaves out)",
            "the copy in conf/_templates/search-button-field.html")


def check_theme_templates(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    for block, theme_file in DROPPED_FROM.items():
        check_dropped_lines(block, theme_file, theme_file.read_text(encoding="utf-8"))
    check_header_buttons(HEADER.read_text(encoding="utf-8"))
    check_search_button(
        SEARCH_BUTTON.read_text(encoding="utf-8"),
        (TEMPLATES / "search-button-field.html").read_text(encoding="utf-8"))


def give_patch_targets(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree) -> None:
    """The strings that layout.html and sections/header.html patch at."""
    context["theme_patches"] = {**DROPPED_THEME_LINES, "navbar_button": NAVBAR_BUTTON}


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_theme_templates)
    app.connect("html-page-context", give_patch_targets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
