"""Executing the pages: the cache of their outputs, the caches kept, the kernels.

conf.py only names the settings; this extension acts on them, on Sphinx's events, and
only in a build that executes pages (myst-nb's `nb_execution_mode` is not "off"):

- config-inited: the folder of the build's caches (`cache_folder`; `make html CACHE=dir`
  passes it, so that a read-only checkout builds) gets the execution cache,
  `<cache_folder>/jupyter/<execution key>`, and the stylesheet bundle's,
  `<cache_folder>/lean-pages` (conf/lean_pages.py). The key hashes everything a page's
  outputs depend on besides its own cells (`execution_key_files`): jupyter-cache keys a
  notebook on its cells alone, and would serve outputs computed with an older
  `backprop`. The key is a config value that makes Sphinx re-read every page.
- builder-inited: the cache's database is created, in the main process, before any page
  is read (two -j workers that both found none raced to create it); the caches of all
  but the last few keys (`execution_caches_kept`) are removed; the kernels are set up
  (conf/page_kernels.py), and the kernel server starts if some page has no outputs in
  the cache (a page is matched by its path inside the book, so that a moved checkout, or
  a restored cache, is still a cache hit).

jupyter-cache is patched in one place, `_patch_truncation` below.
"""

import hashlib
import inspect
import os
import shutil
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)


def execution_key(root: Path, patterns: list[str]) -> str:
    """Hash of the files matching `patterns` (globs in `root`): their names and bytes.

    Names relative to `root`, not absolute paths: a moved checkout has the same key, and
    finds its cache.
    """
    paths = sorted({p for glob in patterns for p in root.glob(glob) if p.is_file()})
    if not paths:
        raise ExtensionError(
            f"execution_cache: no file of {root} matches execution_key_files {patterns}"
        )
    digest = hashlib.sha256()
    for path in paths:
        name = path.relative_to(root).as_posix().encode()
        digest.update(name + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def pages_to_execute(srcdir: Path, cache_path: Path) -> list[str]:
    """The pages of `srcdir` with code cells whose outputs the cache lacks (in srcdir).

    A cache record names its page by the absolute path the page had when it ran; a page
    is cached when a record's path ends with the page's path inside the book, wherever
    the book was then. (As before, a page whose code changed since is taken as cached:
    it runs, in a kernel started the usual way.)
    """
    from jupyter_cache import get_cache

    pages = sorted(
        page.relative_to(srcdir).as_posix()
        for page in srcdir.rglob("*.md")
        if "```{code-cell}" in page.read_text(encoding="utf-8")
    )
    cached = set()
    for record in get_cache(str(cache_path)).list_cache_records():
        parts = Path(record.uri).parts
        cached.update("/".join(parts[i:]) for i in range(1, len(parts)))
    return [page for page in pages if page not in cached]


# -- jupyter-cache's truncation, patched here and nowhere else ------------------------
# jupyter-cache drops its oldest records after caching each notebook
# (`cache_notebook_bundle` calls `truncate_caches`), and under -j that races: its two
# queries (which records to keep, then which to delete) can see a record that another
# worker has just added and not yet written, and remove it ("KeyError: Notebook file
# does not exist for cache record"; seen once in a cold -j 2 build). The workers
# therefore never truncate; the main process does, once, before any page is read.
_TRUNCATION_CALL = "self.truncate_caches()"


def check_patch_point(cache_class=None) -> None:
    """Fail, naming this file, unless `cache_notebook_bundle` calls `truncate_caches`.

    Were the call moved, the patch would silently stop applying, and the race return.
    """
    if cache_class is None:
        from jupyter_cache.cache.main import JupyterCacheBase as cache_class
    truncate = getattr(cache_class, "truncate_caches", None)
    cache_bundle = getattr(cache_class, "cache_notebook_bundle", None)
    if not (
        callable(truncate)
        and callable(cache_bundle)
        and _TRUNCATION_CALL in inspect.getsource(cache_bundle)
    ):
        raise ExtensionError(
            f"jupyter-cache's {cache_class.__qualname__}.cache_notebook_bundle no "
            f"longer calls {_TRUNCATION_CALL}: check conf/execution_cache.py, which "
            "stops the -j workers truncating the cache, against the new version"
        )


def _patch_truncation():
    """Make `truncate_caches` a no-op; return jupyter-cache's own, for the build."""
    from jupyter_cache.cache.main import JupyterCacheBase

    check_patch_point(JupyterCacheBase)
    truncate = JupyterCacheBase.__dict__["truncate_caches"]
    if getattr(truncate, "is_patched", False):  # a second Sphinx app in one process
        return truncate.original

    def skipped(self):
        return None

    skipped.is_patched, skipped.original = True, truncate
    JupyterCacheBase.truncate_caches = skipped
    return truncate


# -- The events ---------------------------------------------------------------------


def _configure(app, config) -> None:
    """Name the caches' folders, from `cache_folder` and the execution key."""
    root = Path(app.confdir).parent
    folder = Path(config.cache_folder or root / ".cache")
    key = execution_key(root, config.execution_key_files)
    config.nb_execution_cache_path = str(folder / "jupyter" / key)
    if config.lean_pages_cache is None:
        config.lean_pages_cache = str(folder / "lean-pages")


def _prepare(app) -> None:
    """Create the cache, drop old ones, set up the kernels: if the build executes."""
    config = app.config
    if config.nb_execution_mode == "off":
        return
    from jupyter_cache import get_cache

    truncate = _patch_truncation()
    current = Path(config.nb_execution_cache_path)
    current.mkdir(parents=True, exist_ok=True)
    os.utime(current)  # the caches kept are the ones used last
    others = [p for p in current.parent.iterdir() if p != current]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in others[config.execution_caches_kept - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)
    truncate(get_cache(str(current)))  # once, here, before the parallel read

    # The kernels inherit the build's environment, and with it the figure style.
    os.environ["MATPLOTLIBRC"] = str(Path(app.confdir) / config.figure_style)
    import page_kernels  # conf/, next to this file

    to_execute = pages_to_execute(Path(app.srcdir), current)
    if to_execute:
        logger.info(
            f"execution_cache: {len(to_execute)} pages to execute; "
            "starting the kernel server"
        )
    kernel_config = Path(app.confdir) / config.kernel_config
    page_kernels.install(kernel_config, start_server=bool(to_execute))


def setup(app):
    # The folder of the build's caches; None: .cache beside conf/. `make html CACHE=dir`
    app.add_config_value("cache_folder", None, "", types=frozenset({str, type(None)}))
    app.add_config_value("execution_key_files", [], "env", types=(list,))
    app.add_config_value("execution_caches_kept", 4, "", types=(int,))
    # files of conf/: the figure style (MATPLOTLIBRC), the kernels' IPython settings
    app.add_config_value("figure_style", "matplotlibrc", "env", types=(str,))
    kernel_config = "ipython_kernel_config.py"
    app.add_config_value("kernel_config", kernel_config, "env", types=(str,))
    # before myst-nb, or any other extension, reads the cache
    app.connect("config-inited", _configure, priority=100)
    app.connect("builder-inited", _prepare, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
