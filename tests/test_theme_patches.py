"""Every patch of the pinned theme's markup or script fails the build, naming the file
to check, once its target is gone (issue 17), and finds its target in the pinned files.

Each test feeds a patch's check the real pinned file, then a copy with the patched part
changed; no site is built.
"""

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from buildkit import ROOT

sys.path.insert(0, str(ROOT / "conf"))
import accessible_html  # noqa: E402
import lean_pages  # noqa: E402
import search_results  # noqa: E402
import theme_patches  # noqa: E402
from sphinx.errors import ExtensionError  # noqa: E402

LAYOUT_DROPS = [(block, string) for block, strings in
                theme_patches.DROPPED_THEME_LINES.items() for string in strings]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _html_app() -> SimpleNamespace:
    return SimpleNamespace(builder=SimpleNamespace(format="html"))


# -- conf/_templates/layout.html: lines dropped from the theme's css, extrahead blocks
@pytest.mark.parametrize(("block", "string"), LAYOUT_DROPS)
def test_layout_line_filter_fails_naming_the_theme_file_once_a_dropped_line_is_gone(
        block, string):
    theme_file = theme_patches.DROPPED_FROM[block]
    pinned = _read(theme_file)
    theme_patches.check_dropped_lines(block, theme_file, pinned)  # the pinned theme
    assert string in pinned
    with pytest.raises(ExtensionError) as error:
        theme_patches.check_dropped_lines(
            block, theme_file, pinned.replace(string, "/renamed-by-an-upgrade"))
    message = str(error.value)
    assert str(theme_file) in message and repr(string) in message
    assert "conf/_templates/layout.html" in message and "DROPPED_THEME_LINES" in message


def test_layout_template_takes_its_dropped_strings_from_theme_patches():
    layout = _read(ROOT / "conf" / "_templates" / "layout.html")
    assert "{%- set dropped = theme_patches.css %}" in layout
    assert "{%- set search_scripts = theme_patches.search %}" in layout
    context = {}
    theme_patches.give_patch_targets(None, "page", "page.html", context, None)
    assert context["theme_patches"]["css"] == theme_patches.DROPPED_THEME_LINES["css"]
    assert context["theme_patches"]["navbar_button"] == theme_patches.NAVBAR_BUTTON


# -- conf/_templates/sections/header.html: the top bar cut at its sidebar buttons' class
def test_header_cut_finds_exactly_the_two_sidebar_buttons_in_the_pinned_theme():
    pinned = _read(theme_patches.HEADER)
    theme_patches.check_header_buttons(pinned)
    assert pinned.count(theme_patches.NAVBAR_BUTTON) == 2


@pytest.mark.parametrize("change", [
    lambda text: text.replace("pst-navbar-icon sidebar-toggle primary-toggle",
                              "sidebar-toggle primary-toggle pst-navbar-icon"),
    lambda text: text.replace("pst-navbar-icon", "pst-icon"),
    lambda text: text + '<button class="pst-navbar-icon new-button"></button>',
], ids=["class-reordered", "class-renamed", "a-third-button"])
def test_header_cut_fails_naming_the_theme_file_once_the_buttons_change(change):
    with pytest.raises(ExtensionError) as error:
        theme_patches.check_header_buttons(change(_read(theme_patches.HEADER)))
    message = str(error.value)
    assert str(theme_patches.HEADER) in message
    assert "conf/_templates/sections/header.html" in message


# -- conf/_templates/search-button-field.html: the theme's button less its aria-label
LOCAL_SEARCH_BUTTON = ROOT / "conf" / "_templates" / "search-button-field.html"


def test_search_button_override_is_the_pinned_theme_button_less_its_aria_label():
    theme_patches.check_search_button(
        _read(theme_patches.SEARCH_BUTTON), _read(LOCAL_SEARCH_BUTTON))


@pytest.mark.parametrize("change", [
    lambda text: text.replace("search-button-field ", "search-button-field new-class "),
    lambda text: text.replace(theme_patches.SEARCH_BUTTON_ARIA_LABEL, ""),
], ids=["markup-changed", "aria-label-gone"])
def test_search_button_override_fails_naming_the_theme_file_once_it_changes(change):
    with pytest.raises(ExtensionError) as error:
        theme_patches.check_search_button(
            change(_read(theme_patches.SEARCH_BUTTON)), _read(LOCAL_SEARCH_BUTTON))
    assert str(theme_patches.SEARCH_BUTTON) in str(error.value)
    assert "conf/_templates/search-button-field.html" in str(error.value)


def test_build_start_checks_the_theme_files_the_templates_patch(monkeypatch, tmp_path):
    theme_patches.check_theme_templates(_html_app())  # the pinned theme
    header = tmp_path / "header.html"
    header.write_text(_read(theme_patches.HEADER).replace("pst-navbar-icon", "x"))
    monkeypatch.setattr(theme_patches, "HEADER", header)
    with pytest.raises(ExtensionError, match=re.escape(str(header))):
        theme_patches.check_theme_templates(_html_app())


# -- conf/lean_pages.py: the regex on the theme's minified script
PINNED_SCRIPT = theme_patches.THEME / "static" / lean_pages.THEME_SCRIPT


def test_eager_tab_stop_regex_removes_exactly_one_call_from_the_pinned_theme_script():
    pinned = _read(PINNED_SCRIPT)
    lean = lean_pages.without_eager_tab_stops(pinned)
    assert len(lean) < len(pinned) and 'addEventListener("load"' not in lean


def test_eager_tab_stop_regex_fails_naming_the_script_once_the_theme_changes_it():
    changed = _read(PINNED_SCRIPT).replace('"complete"===document.readyState',
                                           '"interactive"===document.readyState')
    with pytest.raises(ExtensionError) as error:
        lean_pages.without_eager_tab_stops(changed)
    message = str(error.value)
    assert lean_pages.THEME_SCRIPT in message and "found 0" in message
    assert "book/_static/tab-stops.js" in message


# -- conf/search_results.py: the code of searchtools.js and the theme's search.html
def _scorer_app() -> SimpleNamespace:
    scorer = str(search_results.SCRIPT)
    return SimpleNamespace(config=SimpleNamespace(html_search_scorer=scorer))


def test_search_patch_finds_its_targets_in_the_pinned_sphinx_and_theme():
    search_results.check_pinned_search_code(_scorer_app())


@pytest.mark.parametrize("what", list(search_results.PINNED))
def test_search_patch_fails_naming_searchtools_once_pinned_code_is_gone(
        what, monkeypatch, tmp_path):
    changed = tmp_path / "searchtools.js"
    changed.write_text(_read(search_results.SEARCHTOOLS).replace(
        search_results.PINNED[what], "/* changed by an upgrade */"))
    monkeypatch.setattr(search_results, "SEARCHTOOLS", changed)
    with pytest.raises(ExtensionError) as error:
        search_results.check_pinned_search_code(_scorer_app())
    assert str(changed) in str(error.value) and what in str(error.value)


def test_search_patch_fails_naming_the_theme_search_page_once_its_scripts_move(
        monkeypatch, tmp_path):
    page = _read(search_results.THEME_SEARCH_PAGE)
    changed = tmp_path / "search.html"
    changed.write_text(page.replace("_static/searchtools.js", "_static/moved.js"))
    monkeypatch.setattr(search_results, "THEME_SEARCH_PAGE", changed)
    with pytest.raises(ExtensionError, match=re.escape(str(changed))):
        search_results.check_pinned_search_code(_scorer_app())


# -- conf/accessible_html.py: sphinx-exercise's sections, the themes' macro files
EXERCISE_SOURCE = Path(accessible_html.sphinx_exercise.directive.__file__)


def test_exercise_sections_are_found_in_the_pinned_sphinx_exercise():
    accessible_html.check_exercise_sections(_read(EXERCISE_SOURCE))


def test_exercise_sections_fail_naming_the_file_once_sphinx_exercise_renames_them():
    changed = _read(EXERCISE_SOURCE).replace('ids=["solution-content"]',
                                             'classes=["solution-content"]')
    with pytest.raises(ExtensionError) as error:
        accessible_html.check_exercise_sections(changed)
    assert str(EXERCISE_SOURCE) in str(error.value)
    assert "conf/accessible_html.py" in str(error.value)


def test_theme_macro_files_are_the_pinned_themes_and_a_renamed_one_fails(tmp_path):
    accessible_html.check_theme_macro_files()
    for folder in accessible_html.THEME_STATIC:
        copy = tmp_path / folder.parent.name
        copy.mkdir()
        for macros in folder.glob("*.html"):
            name = macros.name.replace("webpack-macros", "macros")
            (copy / name).write_text(_read(macros))
    copies = tuple(tmp_path / f.parent.name for f in accessible_html.THEME_STATIC)
    with pytest.raises(ExtensionError, match="THEME_MACRO_FILES in conf/accessible"):
        accessible_html.check_theme_macro_files(copies)


def test_unloaded_theme_files_are_in_the_pinned_theme_and_a_renamed_one_fails(tmp_path):
    lean_pages.check_unloaded_theme_files()
    for name in lean_pages.UNLOADED_THEME_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    lean_pages.check_unloaded_theme_files(tmp_path)
    licence = tmp_path / "scripts" / "fontawesome.js.LICENSE.txt"
    licence.rename(licence.with_name("icons.js.LICENSE.txt"))
    with pytest.raises(ExtensionError) as error:
        lean_pages.check_unloaded_theme_files(tmp_path)
    assert str(tmp_path) in str(error.value)
    assert "fontawesome.js.LICENSE.txt" in str(error.value)
    assert "UNLOADED_THEME_FILES in conf/lean_pages.py" in str(error.value)
