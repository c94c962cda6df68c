"""Sphinx extension: the build fails if the search code that conf/search_results.js changes is no longer as pinned.

conf/search_results.js (issue 15, item 3: page-title matches first, section results, summaries without theme chrome
and with each formula once) is Sphinx's `html_search_scorer` file: Sphinx writes it into _static/language_data.js.
Besides the Scorer, it replaces Search.htmlToText and wraps Search._performSearch and Search._parseQuery of Sphinx's
searchtools.js, and it
relies on the theme's search.html loading language_data.js after searchtools.js. Those are not public interfaces: if
Sphinx or pydata-sphinx-theme changes any of them, the search would quietly fall back to Sphinx's own results, or
break, so the build stops instead and names what to check.

It also writes the titles of sections in the search index (`alltitles`, which the results show as "Page > Section")
with their math as plain text, as conf/public_links.py writes descriptions: "Why b[l] becomes redundant", not
"Why b^{[l]} becomes redundant". Sphinx stores a title's text with its math as TeX; the words searched stay as Sphinx
indexes them.

And it keeps the index entries (the API's functions and classes) in the search index after a build that does not
write their page: see `PlainTitlesIndexBuilder.load`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme
import sphinx
import sphinx.builders.html
import sphinx.search
from docutils import nodes
from public_links import tex_to_text
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.index_entries import split_index_msg

SCRIPT = Path(__file__).with_name("search_results.js")
SEARCHTOOLS = Path(sphinx.__file__).parent / "themes" / "basic" / "static" / "searchtools.js"
THEME_SEARCH_PAGE = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "search.html"

# What conf/search_results.js uses of searchtools.js, each as Sphinx 9.0 writes it.
PINNED = {
    "Search.htmlToText, which search_results.js replaces": "htmlToText: (htmlString, anchor) => {",
    "its caller, which passes the result's #anchor": "const text = Search.htmlToText(htmlText, anchor);",
    "the summary's source, the page's [role=main] (search_results.js reads its <article>)":
        "htmlElement.querySelector('[role=\"main\"]')",
    "Search._performSearch, which search_results.js wraps": "_performSearch: (\n    query,\n    searchTerms,\n"
        "    excludedTerms,\n    highlightTerms,\n    objectTerms,\n  ) => {",
    "its call through the Search object (so the wrapper is the one called)": "const results = Search._performSearch(",
    "the order of results, which the wrapper sorts by again": "const _orderResultsByScoreThenName = (a, b) => {",
    "the fields of a result": "Each input is an array of [docname, title, anchor, descr, score, filename, kind].",
    "the index fields the wrapper reads": "const allTitles = Search._index.alltitles;",
    "the kind of a title result": "static get title() { return \"title\"; }",
    "the Scorer's score hook, applied to every result":
        "normalResults.forEach((item) => (item[4] = Scorer.score(item)));",
    "a Scorer defined only when none is defined yet": 'if (typeof Scorer === "undefined") {',
    "Search._parseQuery, which search_results.js wraps": "_parseQuery: (query) => {",
    "its list of words to highlight, which the wrapper shortens":
        'localStorage.setItem(\n        "sphinx_highlight_terms",',
    "its call through the Search object": "] = Search._parseQuery(query);",
    "Search.makeSearchSummary, which search_results.js wraps": "makeSearchSummary: (htmlText, keywords, anchor) => {",
    "its call, whose summary is appended to the result at once (the wrapper then changes the result's link)":
        "listItem.appendChild(\n            Search.makeSearchSummary(data, searchTerms, anchor),",
    "the result's link, written before its summary is fetched": "linkEl.href = linkUrl + anchor;",
}
# The theme's search.html loads searchtools.js, then language_data.js (with search_results.js in it).
SCRIPT_ORDER = re.compile(r"_static/searchtools\.js.*?_static/language_data\.js", re.S)


def check_pinned_search_code(app: Sphinx) -> None:
    searchtools = SEARCHTOOLS.read_text(encoding="utf-8")
    missing = [what for what, code in PINNED.items() if code not in searchtools]
    if missing:
        raise ExtensionError(
            f"search_results: Sphinx {sphinx.__version__}'s {SEARCHTOOLS} changed: no longer found: "
            f"{'; '.join(missing)}. Check what conf/search_results.js replaces in it, then update PINNED in "
            "conf/search_results.py")
    if not SCRIPT_ORDER.search(THEME_SEARCH_PAGE.read_text(encoding="utf-8")):
        raise ExtensionError(
            f"search_results: {THEME_SEARCH_PAGE} no longer loads _static/searchtools.js before "
            "_static/language_data.js: conf/search_results.js (written into language_data.js) changes the Search "
            "object of searchtools.js, so it must run after it; check the theme's search page")
    if Path(app.config.html_search_scorer).resolve() != SCRIPT.resolve():
        raise ExtensionError(f"search_results: html_search_scorer must be {SCRIPT} (see conf/conf.py)")


# -- section titles as plain text ------------------------------------------------------------------------------------
# TeX that conf/public_links.py has no plain-text form for, and that a title uses: a bold letter, a row of dots, Ω;
# and an example's index, x^{(i)}, written x(i) as the pages write it in text.
TITLE_TEX = [(r"\\boldsymbol", ""), (r"\\cdots", r"\\dots"), (r"\\Omega", "Ω"), (r"\^\{(\([^{}()]*\))\}", r"\1")]


def plain_title(title: nodes.title) -> str | None:
    """The title with its math as plain text, or None if it has no math, or math that tex_to_text cannot write."""
    if not any(True for _ in title.findall(nodes.math)):
        return None
    parts = []
    for node in title.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(node, nodes.math):
            tex = node.astext()
            for pattern, replacement in TITLE_TEX:
                tex = re.sub(pattern, replacement, tex)
            try:
                parts.append(tex_to_text(tex))
            except ValueError:
                return None  # the title stays as Sphinx stores it
        elif not isinstance(node.parent, nodes.math):
            parts.append(node.astext())
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def index_entries(entries) -> list[tuple[str, str, str]]:
    """A page's entries in the search index, from its entries in Sphinx's index domain:
    what IndexBuilder.feed stores for the page (see PINNED_INDEX)."""
    found: set[tuple[str, str, str]] = set()
    for entry_type, value, target_id, main, _category in entries:
        try:
            words = split_index_msg(entry_type, value)
        except ValueError:
            continue
        if entry_type in {"see", "seealso"}:
            found.add((words[0], target_id or "", main))
        found |= {(word, target_id or "", main) for word in words}
    return sorted(found)


class PlainTitlesIndexBuilder(sphinx.search.IndexBuilder):
    """Sphinx's index, with each section title that has math stored as plain text (see the module's docstring), and
    with the index entries of the pages a build does not write."""

    def __init__(self, env, *args, **kwargs) -> None:
        super().__init__(env, *args, **kwargs)
        self._env = env

    def feed(self, docname, filename, title, doctree) -> None:
        super().feed(docname, filename, title, doctree)
        plain = {node.astext(): text for node in doctree.findall(nodes.title) if (text := plain_title(node))}
        self._all_titles[docname] = [(plain.get(text, text), anchor) for text, anchor in self._all_titles[docname]]

    def load(self, stream, format) -> None:
        """The previous build's index, with the pages' index entries, which Sphinx does not load.

        Sphinx reads back every page's words and titles from the previous searchindex.js,
        but keeps a page's index entries only when it writes the page in this build
        (sphinx-doc/sphinx#12599, open in 9.0): a build that did not write book/api.md (a
        prose edit of another page, a no-op build) published a search index without the
        API's entries. Here each page the index holds gets them from the environment, in
        the order of a clean build (by page name; `feed` replaces a page's in place).
        """
        super().load(stream, format)
        domain_entries = self._env.domains.index_domain.entries
        self._index_entries.clear()
        for docname in sorted(self._titles):
            metadata = self._env.metadata.get(docname, {})
            searched = "no-search" not in metadata and "nosearch" not in metadata
            entries = domain_entries.get(docname, []) if searched else []
            self._index_entries[docname] = index_entries(entries)

    def prune(self, docnames) -> None:
        """Sphinx's prune, which forgets the pages to write again and the pages gone, and here also their index
        entries, and the words that no page has any more (Sphinx kept each as an empty list in every later
        searchindex.js: a word once written, then edited out, stayed in the index, unlike in a clean build)."""
        super().prune(docnames)
        for docname in self._index_entries:
            if docname not in self._titles:
                self._index_entries[docname] = []
        self._mapping = {word: pages for word, pages in self._mapping.items() if pages}
        self._title_mapping = {word: pages for word, pages in self._title_mapping.items() if pages}


# PlainTitlesIndexBuilder relies on these lines of Sphinx: the HTML builder imports IndexBuilder from sphinx.search
# when it starts writing (prepare_writing); feed() stores a page's titles in _all_titles and its index entries in
# _index_entries, computed as `index_entries` computes them; freeze() writes them; prune() empties the pages of a
# word, in _mapping and _title_mapping (word -> pages), without removing it.
PINNED_INDEX = [
    (Path(sphinx.search.__file__), "        for wordnames in self._mapping.values():\n"
        "            wordnames.intersection_update(docnames)\n"
        "        for wordnames in self._title_mapping.values():\n"
        "            wordnames.intersection_update(docnames)"),
    (Path(sphinx.builders.html.__file__), "from sphinx.search import IndexBuilder"),
    (Path(sphinx.search.__file__), "self._all_titles[docname] = word_store.titles"),
    (Path(sphinx.search.__file__), """        _index_entries: set[tuple[str, str, str]] = set()
        for node in doctree.findall(addnodes.index):
            for entry_type, value, target_id, main, _category_key in node['entries']:
                try:
                    result = split_index_msg(entry_type, value)
                except ValueError:
                    pass
                else:
                    target_id = target_id or ''
                    if entry_type in {'see', 'seealso'}:
                        _index_entries.add((result[0], target_id, main))
                    _index_entries |= {(x, target_id, main) for x in result}

        self._index_entries[docname] = sorted(_index_entries)"""),
    (Path(sphinx.search.__file__), "        for docname, entries in self._index_entries.items():\n"
        "            for entry, entry_id, main_entry in entries:"),
]


def use_plain_titles_index(app: Sphinx) -> None:
    for path, code in PINNED_INDEX:
        if code not in path.read_text(encoding="utf-8"):
            raise ExtensionError(
                f"search_results: {path} no longer has {code!r}: check how conf/search_results.py installs "
                "PlainTitlesIndexBuilder, and what its feed(), load() and prune() change")
    sphinx.search.IndexBuilder = PlainTitlesIndexBuilder


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_pinned_search_code)
    app.connect("builder-inited", use_plain_titles_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
