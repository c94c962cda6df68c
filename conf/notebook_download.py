"""Each executed page offers its executed notebook to download (local extension, loaded from conf/; issue 15, item 7).

MyST-NB writes every page it reads as a notebook to ``<build dir>/jupyter_execute/<page>.ipynb``, with the outputs
only when it ran the page in that build: a page whose outputs come from the execution cache is written without them
(MyST-NB 1.4 writes the notebook it read, not the one it merged with the cache). So when the build has finished, each
executed page's notebook is merged with its outputs from the execution cache, as MyST-NB merges them for the page,
and written to ``notebooks/<page>.ipynb`` in the HTML output, a stable address next to the pages. The page's footer
(conf/_templates/notebook-download.html, one of the theme's ``article_footer_items``) links to it and says in one
line how to run it. A build makes again only the notebooks of the pages it read (MyST-NB wrote their notebooks
anew): merging each with the cache took about a second, on every build.

What would differ between two builds, or only means something to the build, is left out, so two clean builds give the
same bytes (tests/test_reproducible.py): cell ids (nbformat draws them at random when MyST-NB reads a page; here
they are numbered in order), execution timings, and the notebook-level ``jupytext`` and ``source_map`` metadata, which
tie the notebook to the page's Markdown source. The cells' tags stay (the notebook is the page's source, with its
hidden and removed cells), and so do the kernel and language.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

FOLDER = "notebooks"
BUILD_ONLY_METADATA = ("jupytext", "source_map")


def executed_pages(app: Sphinx) -> list[str]:
    """The pages MyST-NB ran (now or in an earlier build whose outputs it kept), in order."""
    return sorted(doc for doc in app.env.found_docs if NbMetadataCollector.get_exec_data(app.env, doc))


def clean_notebook(text: str, cache=None) -> str:
    """The executed notebook as a reader downloads it, with its outputs from `cache` (a jupyter-cache) if given: the
    same on every build (see the module docstring)."""
    notebook = nbformat.reads(text, as_version=4)
    if cache is not None:
        # the page's own cell metadata (its tags) stays; kernelspec and language_info come from the run
        _, notebook = cache.merge_match_into_notebook(notebook, cell_meta=())
    for key in BUILD_ONLY_METADATA:
        notebook.metadata.pop(key, None)
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
        cell.metadata.pop("execution", None)
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def _notebook_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """`notebook_download` (the notebook's path in the site) for the footer template of an executed page."""
    if doctree is not None and NbMetadataCollector.get_exec_data(app.env, pagename):
        context["notebook_download"] = f"{FOLDER}/{pagename}.ipynb"


def _copy_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from jupyter_cache import get_cache

    executed = Path(app.env.mystnb_config.output_folder)
    cache = None
    for page in executed_pages(app):
        source = executed / f"{page}.ipynb"
        if not source.is_file():
            raise ExtensionError(f"notebook_download: MyST-NB wrote no executed notebook for {page} ({source.name})")
        target = Path(app.outdir, FOLDER, f"{page}.ipynb")
        if target.is_file() and target.stat().st_mtime_ns >= source.stat().st_mtime_ns:
            continue  # made from this notebook already: its page was not read again since
        target.parent.mkdir(parents=True, exist_ok=True)
        if cache is None:
            cache = get_cache(app.config.nb_execution_cache_path)
        try:
            text = clean_notebook(source.read_text(encoding="utf-8"), cache)
        except KeyError as error:
            raise ExtensionError(f"notebook_download: no outputs of {page} in the execution cache") from error
        target.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _notebook_link)
    app.connect("build-finished", _copy_notebooks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
