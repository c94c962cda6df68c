"""What an incremental build writes again, decided without building: a page's face
(conf/cross_page.py), the bibliography's lists (conf/cited_by.py) and the search index's
entries of pages not written (conf/search_results.py).

tests/test_build.py builds the site after such edits and compares it with a clean build.
"""

import io
import re
import sys
from types import SimpleNamespace

import pytest
from buildkit import ROOT
from docutils.core import publish_doctree
from sphinx import addnodes
from sphinx.search import js_index

sys.path.insert(0, str(ROOT / "conf"))
import cited_by  # noqa: E402
import search_results  # noqa: E402
from cross_page import page_face  # noqa: E402

PAGE = """\
.. _top:

Title
=====

A first sentence.

.. _part:

A part
------

.. math::
   :name: one

   x = 1

.. math::
   :name: two

   y = 2
"""


def face(source):
    return page_face(publish_doctree(source, settings_overrides={"report_level": 5}))


def test_a_prose_edit_keeps_the_face_of_a_page():
    assert face(PAGE.replace("A first sentence.", "A first sentence, edited.")) == face(PAGE)


@pytest.mark.parametrize("edit", [
    ("Title\n=====", "Another title\n============="),  # the menu, previous/next links
    ("A part\n------", "A renamed part\n--------------"),  # a link to the section shows its title
    (".. _part:", ".. _renamed:"),  # a link to the old label
    (":name: one", ":name: uno"),  # a link to the equation
    ("   x = 1\n\n.. math::\n   :name: two\n\n   y = 2",
     "   y = 2\n\n.. math::\n   :name: one\n\n   x = 1"),  # the equations' numbers swap
], ids=["title", "section title", "label", "equation label", "equation order"])
def test_what_another_page_can_show_changes_the_face_of_a_page(edit):
    old, new = edit
    assert old in PAGE
    assert face(PAGE.replace(old, new)) != face(PAGE)


def test_a_changed_table_of_contents_changes_the_face_of_a_page():
    def with_contents(entries):
        doctree = publish_doctree(PAGE, settings_overrides={"report_level": 5})
        doctree += addnodes.toctree(entries=entries, caption="Pages")
        return page_face(doctree)

    assert with_contents([(None, "a"), (None, "b")]) != with_contents([(None, "b"), (None, "a")])


# -- the bibliography page -----------------------------------------------------------------------------------------
def _cite_env(citations):
    """An environment whose "cite" domain records `citations`: (page, key) pairs."""
    refs = [SimpleNamespace(docname=page, targets=[SimpleNamespace(key=key)]) for page, key in citations]
    domain = SimpleNamespace(citation_refs=refs)
    return SimpleNamespace(get_domain=lambda name: domain, found_docs={"dropout", "notation", "references"})


def _pages_to_write(before, after):
    app = SimpleNamespace()
    cited_by._remember_citations(app, _cite_env(before), set(), {"dropout"}, set())
    return cited_by.rewrite_bibliography_page(app, _cite_env(after))


def test_the_bibliography_page_is_written_again_when_a_page_cites_another_work():
    before = [("notation", "ng-dls")]
    assert _pages_to_write(before, before + [("dropout", "goodfellow2016")]) == ["references"]
    assert _pages_to_write(before + [("dropout", "goodfellow2016")], before) == ["references"]


def test_the_bibliography_page_is_not_written_again_when_the_citations_are_the_same():
    # a page read again records its citations again, after the others'
    before = [("dropout", "ng-dls"), ("notation", "ng-dls")]
    assert _pages_to_write(before, list(reversed(before))) == []


# -- the search index's entries ------------------------------------------------------------------------------------
ENTRIES = {
    "api": [("single", "forward() (in module backprop)", "backprop.forward", "", None),
            ("pair", "layer; cache", "id1", "main", None)],
    "notation": [("see", "shapes; notation", "id2", "", None)],
}


def _index_builder(cls):
    """An index builder over an environment whose pages have ENTRIES in Sphinx's index domain."""
    env = SimpleNamespace(
        domains=SimpleNamespace(sorted=lambda: [],
                                index_domain=SimpleNamespace(entries=ENTRIES)),
        version=1, metadata={},
        **{f"_search_index_{name}": {} for name in (
            "titles", "filenames", "mapping", "title_mapping", "all_titles", "index_entries", "objtypes", "objnames")},
    )
    return cls(env, "en", {}, "")


def _fed(builder, page, text="Text."):
    doctree = publish_doctree(f"{page}\n{'=' * len(page)}\n\n{text}\n", settings_overrides={"report_level": 5})
    doctree += addnodes.index(entries=ENTRIES.get(page, []))
    builder.feed(page, f"{page}.md", page, doctree)


def _index_after_writing_only(cls, written, text_before="Text."):
    """The search index of a clean build, and as an incremental build dumps it when the build before wrote every page
    (`written` then had `text_before`) and this one only `written` (the HTML builder's load_indexer, then feed, then
    the last prune)."""
    previous, clean = _index_builder(cls), _index_builder(cls)
    for page in ("api", "notation"):
        _fed(previous, page, text_before if page == written else "Text.")
        _fed(clean, page)
    dumped = io.StringIO()
    previous.dump(dumped, js_index)
    incremental = _index_builder(cls)
    incremental.load(io.StringIO(dumped.getvalue()), js_index)
    incremental.prune({"api", "notation"} - {written})
    _fed(incremental, written)
    incremental.prune({"api", "notation"})
    return clean.freeze(), incremental.freeze()


def test_a_build_that_does_not_write_the_api_page_keeps_its_index_entries_in_the_search_index():
    clean, incremental = _index_after_writing_only(search_results.PlainTitlesIndexBuilder, "notation")
    assert clean["indexentries"]
    assert incremental == clean


def test_a_word_edited_out_of_a_page_leaves_the_search_index():
    clean, incremental = _index_after_writing_only(search_results.PlainTitlesIndexBuilder, "notation",
                                                   text_before="Text, with a word edited out.")
    assert "edit" not in incremental["terms"]
    assert incremental == clean


def test_the_index_entries_of_a_page_come_from_sphinx_s_index_domain_as_sphinx_feeds_them():
    # Sphinx's own builder, given the page, stores them; `index_entries` derives the same from the domain's record
    sphinx_builder = _index_builder(search_results.PlainTitlesIndexBuilder.__mro__[1])
    for page in ENTRIES:
        _fed(sphinx_builder, page)
        assert sphinx_builder._index_entries[page] == search_results.index_entries(ENTRIES[page])


@pytest.mark.parametrize("pinned", range(len(search_results.PINNED_INDEX)))
def test_the_search_index_patch_fails_naming_sphinx_s_file_once_its_pinned_code_changes(pinned, tmp_path,
                                                                                         monkeypatch):
    path, code = search_results.PINNED_INDEX[pinned]
    changed = tmp_path / path.name
    changed.write_text(path.read_text(encoding="utf-8").replace(code, "# changed by an upgrade"), encoding="utf-8")
    pins = list(search_results.PINNED_INDEX)
    pins[pinned] = (changed, code)
    monkeypatch.setattr(search_results, "PINNED_INDEX", pins)
    with pytest.raises(search_results.ExtensionError, match=re.escape(str(changed))):
        search_results.use_plain_titles_index(None)


def test_the_search_index_patch_finds_its_pinned_code_in_sphinx(monkeypatch):
    monkeypatch.setattr(search_results.sphinx.search, "IndexBuilder", search_results.sphinx.search.IndexBuilder)
    search_results.use_plain_titles_index(None)
    assert search_results.sphinx.search.IndexBuilder is search_results.PlainTitlesIndexBuilder

