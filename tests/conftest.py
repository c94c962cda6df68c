"""Fixtures shared by the tests that read the built site, as files and in a real browser, and the markers.

Every test carries one of the markers of pyproject.toml, set here from what it uses, so none is forgotten:
`browser` when it drives chromium, `build` when it reads the built site (the one `built_site` builds for the whole
session) or builds one of its own, `slow` (set by hand) when it builds its own copies of the project, and `unit`
otherwise (doctests too). `make check` runs the `unit` tests after one build.

A site is built once per run for each kind of source: `built_site` from this
checkout, `clean_copy_build` from a copy with no execution cache; the tests that need
a clean build, or a copy to edit, share the latter (only tests/test_build.py edits it).

`make test` runs the tests in two pytest-xdist workers with `--dist loadfile`: each test
file runs on one worker (its module fixtures are set up once, and test_build.py's edits
of the clean copy follow one another), and the two sites are built once, by the first
worker that needs them. The files that build go first, then those that drive the
browser, then the rest: the longest work is started first, and the short tests fill
the gaps at the end.
"""

import fcntl
import os
import shutil

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, missing_tools, serve
from buildkit import ROOT, build, copy_project


def run_folder(tmp_path_factory):
    """The run's temporary folder, which pytest-xdist's workers share."""
    folder = tmp_path_factory.getbasetemp()
    # pytest-<n>/, whose popen-gw<i>/ are the workers' own
    return folder.parent if os.environ.get("PYTEST_XDIST_WORKER") else folder


def once_per_run(shared, name, make):
    """The folder `name` in `shared`, made by `make(folder)` once: (folder, the text
    `make` returned). The first worker that needs it makes it; the others wait for it."""
    folder, made = shared / name, shared / f"{name}.log"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released as the file closes
        if not made.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
            folder.mkdir()
            made.write_text(make(folder))
    return folder, made.read_text()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built from this checkout, strictly, with `make html`: (html folder, build log)."""
    folder, log = once_per_run(run_folder(tmp_path_factory), "site",
                               lambda folder: build(ROOT, builddir=folder))
    return folder / "html", log


def _build_clean_copy(folder):
    project = copy_project(folder / "project")
    log = build(project)
    shutil.copytree(project / "_build" / "html", folder / "clean-site" / "html")
    return log


@pytest.fixture(scope="session")
def clean_copy_build(tmp_path_factory):
    """A scratch copy of the project (no execution cache, no _build), built once:
    (project, html, log). `html` is a copy of the site as that first, clean build wrote
    it: the tests that edit the project rebuild it in place."""
    folder, log = once_per_run(run_folder(tmp_path_factory), "clean", _build_clean_copy)
    return folder / "project", folder / "clean-site" / "html", log


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served with gzip on 127.0.0.1, as a static host serves it: its base URL, ending in '/'."""
    with serve(built_site[0]) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium, driven by playwright. `make test` installs what is missing (`make browser`)."""
    missing = missing_tools()
    assert not missing, f"the browser tests need {missing}: run `make browser` (as root on a clean machine)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_SITE_FIXTURES = {"built_site", "site_url", "clean_copy_build"}


def pytest_collection_modifyitems(items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "browser" in used:
            item.add_marker(pytest.mark.browser)
        if used & _SITE_FIXTURES or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.build)
        if not any(item.get_closest_marker(name) for name in ("build", "browser", "slow")):
            item.add_marker(pytest.mark.unit)
    kinds = {}
    for item in items:
        kinds.setdefault(item.path, set()).update(mark.name for mark in item.iter_markers())
    rank = {path: min([len(_FIRST)] + [_FIRST.index(kind) for kind in found if kind in _FIRST])
            for path, found in kinds.items()}
    items.sort(key=lambda item: rank[item.path])  # stable: the tests of a file keep their order


# What a file does that takes longest, first.
_FIRST = ["slow", "browser", "build"]
