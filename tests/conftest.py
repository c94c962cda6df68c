"""Fixtures shared by the tests that read the built site."""

import pytest
from buildkit import ROOT, build


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built from this checkout, strictly, with `make html`: (html folder, build log)."""
    builddir = tmp_path_factory.mktemp("site")
    log = build(ROOT, builddir=builddir)
    return builddir / "html", log
