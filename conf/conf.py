"""Sphinx configuration of backprop-derived: the one place every build setting lives.

Built by `make html` as `sphinx-build -c conf book _build/html -W -n --keep-going`.
"""

import fcntl
import gc
import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# -- Project ------------------------------------------------------------------------------------------------------
project = "backprop-derived"
author = "the backprop-derived authors"
copyright = "2026, the backprop-derived authors"
language = "en"

extensions = [
    "myst_nb",
    "sphinx_exercise",  # exercises with solutions hidden until the reader opens them
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
]

bibtex_bibfiles = ["../book/references.bib"]  # paths here are relative to conf/
bibtex_reference_style = "author_year"
bibtex_default_style = "plain"

exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# -- MyST ---------------------------------------------------------------------------------------------------------
myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "dollarmath",
]
# `$$ ... $$ (eq-label)` gives an equation a label that pages cite with {eq}`eq-label`.
myst_dmath_allow_labels = True
myst_heading_anchors = 0  # sections are linked by explicit labels only: those are the stable public anchors

# -- Execution: every page runs, strictly -------------------------------------------------------------------------
nb_execution_mode = "cache"
nb_execution_timeout = 60
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# Any stderr output (a numpy RuntimeWarning, say) is an error; a cell that means it opts in with the cell metadata
# `mystnb: {output_stderr: show}`.
nb_output_stderr = "error"
nb_merge_streams = True
# Markdown that a cell displays (a table of computed shapes, say) is parsed as MyST, so tables render.
nb_render_markdown_format = "myst"

# The style of every figure; the kernels inherit MATPLOTLIBRC from the build's environment.
FIGURE_STYLE = ROOT / "conf" / "matplotlibrc"
os.environ["MATPLOTLIBRC"] = str(FIGURE_STYLE)
# The kernels' IPython settings: figures as SVG, without a date.
KERNEL_CONFIG = ROOT / "conf" / "ipython_kernel_config.py"


def _execution_key() -> str:
    """Hash of everything a page's outputs depend on besides its own cells.

    jupyter-cache keys a notebook on its cell sources only, so on its own it would serve outputs computed with an
    older `backprop`. Keying the cache folder on the package source, the lock file, the figure style and the kernels'
    IPython settings makes any change there a cache miss. The folder name is also a Sphinx config value
    (rebuild="env"), so Sphinx re-reads every page.
    """
    digest = hashlib.sha256()
    inputs = sorted((ROOT / "src" / "backprop").rglob("*.py")) + [
        ROOT / "conf" / "requirements.lock",
        FIGURE_STYLE,
        KERNEL_CONFIG,
    ]
    for path in inputs:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


CACHE_ROOT = ROOT / ".cache" / "jupyter"
nb_execution_cache_path = str(CACHE_ROOT / _execution_key())


def _some_page_will_execute() -> bool:
    """Whether a page has no outputs in the execution cache yet, so that this build will run it."""
    from jupyter_cache import get_cache

    pages = {page.resolve() for page in (ROOT / "book").rglob("*.md") if "```{code-cell}" in page.read_text()}
    cached = {Path(record.uri).resolve() for record in get_cache(nb_execution_cache_path).list_cache_records()}
    return bool(pages - cached)


# The kernels that run the pages (conf/page_kernels.py): each talks to the build over Unix sockets in a folder of its
# own, so parallel builds never compete for an address, and each is forked from a server that has already imported
# ipykernel, numpy and matplotlib. The server starts now if pages will run, to import while Sphinx starts up. (A page
# whose code changed runs too, in a kernel started the usual way.)
_spec = importlib.util.spec_from_file_location("page_kernels", ROOT / "conf" / "page_kernels.py")
_page_kernels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_page_kernels)
_page_kernels.install(KERNEL_CONFIG, start_server=_some_page_will_execute())

# -- HTML ---------------------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "backprop-derived"
# MathJax 3, served from the site itself (the files come from the pinned sphinx-mathjax-offline wheel): pages load
# nothing from a CDN.
_MATHJAX = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static"
html_static_path = ["../book/_static"]  # and MathJax's folder: see _serve_mathjax
html_css_files = ["site.css"]
mathjax_path = "mathjax/tex-chtml.js"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_show_sphinx = False


def _prepare_execution_cache(app):
    """Create the cache database before any page is read, and drop caches of older sources.

    Under `-j`, two workers that both find no database race to create it; creating it here, in the main process,
    before the parallel read, removes that race.
    """
    from jupyter_cache import get_cache

    current = Path(app.config.nb_execution_cache_path)
    if CACHE_ROOT.is_dir():
        for stale in CACHE_ROOT.iterdir():
            if stale != current:
                shutil.rmtree(stale, ignore_errors=True)
    get_cache(current).list_cache_records()


def _cache_one_page_at_a_time():
    """Make the -j workers add pages to the execution cache one at a time (a file lock in the cache folder).

    jupyter-cache is not safe for concurrent writers: after adding a page it trims the cache to its size limit, and it
    reads which records to keep and which to delete in two separate queries, so a page that another worker adds in
    between is deleted, or the trimming fails on its half-written files ("Notebook file does not exist for cache
    record"; one build in twelve, six cold builds at once). Adding a page takes milliseconds; pages still execute in
    parallel.
    """
    from jupyter_cache.cache.main import JupyterCacheBase

    for name in ("add_nb_to_project", "cache_notebook_bundle"):
        unlocked = getattr(JupyterCacheBase, name)

        def locked(self, *args, _unlocked=unlocked, **kwargs):
            with open(Path(self.path) / "writing.lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
                return _unlocked(self, *args, **kwargs)

        setattr(JupyterCacheBase, name, locked)


_cache_one_page_at_a_time()


def _serve_mathjax(app):
    """Serve MathJax's folder, inside the environment, as a static path: the pages load _static/mathjax/….

    It is added only once the builder exists, because the builder records a hash of the HTML settings in .buildinfo,
    and the folder's absolute path, which differs between checkouts, would make that file differ between two builds
    of one commit.
    """
    app.config.html_static_path.append(str(_MATHJAX))


def _exit_without_collecting(app, exception):
    """Spare the process Python's last garbage collection, over everything the build made, as it exits.

    At exit, Python runs one full collection over every object still alive: the whole environment and the pages'
    doctrees, about 1.3 s of every build here, no-op builds included. Once the build is over nothing needs collecting,
    and gc.freeze() takes every object alive out of collections.
    """
    gc.freeze()


def setup(app):
    app.connect("builder-inited", _prepare_execution_cache)
    app.connect("builder-inited", _serve_mathjax)
    app.connect("build-finished", _exit_without_collecting, priority=900)  # after the other handlers
