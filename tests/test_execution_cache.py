"""Executing the pages (conf/execution_cache.py, conf/page_kernels.py) in a real build.

A read-only checkout builds, its build folder and cache elsewhere (`make html
CACHE=dir BUILDDIR=dir2`); a real build runs its pages in kernels forked by the kernel
server (the fast path); jupyter-cache's truncation is patched where the pinned version
calls it, and the build fails naming the patch if that call moves.
"""

import os
import shutil
import stat
import sys
import types
from pathlib import Path

import pytest
from buildkit import ROOT, build, copy_project, executed_pages
from sphinx.errors import ExtensionError

sys.path.insert(0, str(ROOT / "conf"))
import execution_cache  # noqa: E402  (conf/ is where Sphinx loads it from)

NOTEBOOK_PAGES = sorted(
    p.relative_to(ROOT / "book").with_suffix("").as_posix()
    for p in (ROOT / "book").rglob("*.md")
    if "```{code-cell}" in p.read_text()
)
HEADER = (ROOT / "book" / "notation.md").read_text().split("\n---\n")[0]
# A page that says which process started its kernel: the kernel server (its parent runs
# conf/page_kernels.py), or the build, as a kernel started the usual way.
PROBE = "kernel-probe"
PROBE_PAGE = HEADER + "\norphan: true\n---\n" + """
# Kernel probe

```{code-cell} ipython3
import os
from pathlib import Path

parent = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().split(b"\\0")
server = any(arg.endswith(b"page_kernels.py") for arg in parent)
print("kernel from the", "kernel server" if server else "build")
```
"""
linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="the kernel server forks kernels on Linux only"
)


def read_only(tree: Path, writable: bool = False) -> None:
    """Take away (or give back) the write permission of everything in `tree`."""
    for path in [tree, *tree.rglob("*")]:
        if not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~WRITE)


WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
# Root writes to read-only files all the same (CAP_DAC_OVERRIDE): a build as root runs
# without capabilities, and so meets the permissions as any other user does.
NO_CAPABILITIES = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
AS_ANY_USER = NO_CAPABILITIES if os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """A read-only copy of the project, with the probe page, built cold with its build
    folder and cache elsewhere: (project, build folder, cache folder, log)."""
    scratch = tmp_path_factory.mktemp("cold")
    project = copy_project(scratch / "project")
    (project / "book" / f"{PROBE}.md").write_text(PROBE_PAGE)
    read_only(project)
    try:
        builddir, cache = scratch / "build", scratch / "cache"
        log = build(project, builddir, cache=cache, wrapper=AS_ANY_USER)
        yield project, builddir, cache, log
    finally:
        read_only(project, writable=True)


@pytest.mark.slow
def test_a_read_only_checkout_builds_with_its_build_and_cache_elsewhere(cold):
    project, builddir, cache, log = cold
    assert "build succeeded" in log
    assert (builddir / "html" / "index.html").is_file()
    assert any((cache / "jupyter").iterdir()), "the outputs were not cached in CACHE"
    assert not (project / ".cache").exists()


@pytest.mark.slow
@linux_only
def test_a_real_build_runs_its_pages_in_kernels_the_kernel_server_forked(cold):
    project, builddir, cache, log = cold
    assert sorted(executed_pages(log)) == sorted([*NOTEBOOK_PAGES, PROBE])
    probe = (builddir / "html" / f"{PROBE}.html").read_text()
    assert "kernel from the kernel server" in probe, "the probe's kernel was not forked"


@pytest.mark.slow
def test_a_moved_checkout_finds_every_page_cached_and_starts_no_kernel_server(cold):
    project, builddir, cache, log = cold
    assert "starting the kernel server" in log  # the cold build started it
    moved = project.parent.parent / "moved"
    shutil.copytree(project.parent, moved, symlinks=True)  # project, build and cache
    read_only(moved / "project", writable=True)
    log = build(moved / "project", moved / "build", cache=moved / "cache")
    assert executed_pages(log) == []
    assert "starting the kernel server" not in log, "it started for cached pages"


def test_the_patched_truncation_is_still_the_one_jupyter_cache_calls():
    execution_cache.check_patch_point()  # the pinned jupyter-cache


def test_a_jupyter_cache_that_truncates_elsewhere_fails_naming_the_patch():
    class Moved:  # an upgrade that truncates some other way
        def truncate_caches(self):
            pass

        def cache_notebook_bundle(self, bundle):
            return self.drop_oldest()

    with pytest.raises(ExtensionError, match="conf/execution_cache.py"):
        execution_cache.check_patch_point(Moved)
    gone = types.new_class("Gone")  # or that has no truncate_caches at all
    with pytest.raises(ExtensionError, match="conf/execution_cache.py"):
        execution_cache.check_patch_point(gone)


def test_caching_a_notebook_leaves_truncation_to_the_build(tmp_path, monkeypatch):
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.main import JupyterCacheBase

    original = JupyterCacheBase.truncate_caches
    monkeypatch.setattr(JupyterCacheBase, "truncate_caches", original)  # restored after
    truncate = execution_cache._patch_truncation()
    cache = get_cache(str(tmp_path / "cache"))
    cache.change_cache_limit(1)
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for n in range(2):  # two notebooks, over the limit of one
        cell = nbformat.v4.new_code_cell(f"print({n})")
        notebook = nbformat.v4.new_notebook(cells=[cell])
        notebook.metadata.kernelspec = kernel
        bundle = CacheBundleIn(notebook, str(tmp_path / f"page{n}.md"))
        cache.cache_notebook_bundle(bundle, check_validity=False)
    assert len(cache.list_cache_records()) == 2, "caching a notebook truncated it"
    truncate(cache)
    assert len(cache.list_cache_records()) == 1


def test_the_execution_key_is_the_same_wherever_the_checkout_is(tmp_path):
    patterns = ["src/backprop/**/*.py", "conf/requirements.lock"]
    key = execution_cache.execution_key
    moved = copy_project(tmp_path / "moved")
    assert key(moved, patterns) == key(ROOT, patterns)
    (moved / "src" / "backprop" / "__init__.py").write_text("# edited\n")
    assert key(moved, patterns) != key(ROOT, patterns)
