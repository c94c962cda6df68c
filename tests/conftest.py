"""Fixtures shared by the tests that read the built site, as files and in a real browser, and the markers.

Every test carries one of the markers of pyproject.toml, set here from what it uses, so none is forgotten:
`browser` when it drives chromium, `build` when it reads the built site (the one `built_site` builds for the whole
session) or builds one of its own, `slow` (set by hand) when it builds its own copies of the project, and `unit`
otherwise (doctests too). `make check` runs the `unit` tests after one build.

A site is built once per session for each kind of source: `built_site` from this
checkout, `clean_copy_build` from a copy with no execution cache; the tests that need
a clean build, or a copy to edit, share the latter.
"""

import shutil

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, missing_tools, serve
from buildkit import ROOT, build, copy_project


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built from this checkout, strictly, with `make html`: (html folder, build log)."""
    builddir = tmp_path_factory.mktemp("site")
    log = build(ROOT, builddir=builddir)
    return builddir / "html", log


@pytest.fixture(scope="session")
def clean_copy_build(tmp_path_factory):
    """A scratch copy of the project (no execution cache, no _build), built once:
    (project, html, log). `html` is a copy of the site as that first, clean build wrote
    it: the tests that edit the project rebuild it in place."""
    project = copy_project(tmp_path_factory.mktemp("clean") / "project")
    log = build(project)
    html = tmp_path_factory.mktemp("clean-site") / "html"
    shutil.copytree(project / "_build" / "html", html)
    return project, html, log


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
