"""Two clean builds of the same source give the same site, byte for byte, wherever the project sits on disk.

Both builds run `make html` (see buildkit.py), each in a fresh copy of the project
(no execution cache, no _build) at a different path, and every file of the two
_build/html folders is compared; the doctrees are Sphinx's private cache, not part of
the site, and are left out. The first is the session's clean copy (conftest.py), whose
first build tests/test_build.py uses too; the second is built here.
"""

import re

import pytest
from buildkit import VENV, build, copy_project, first_difference, site_files

pytestmark = [pytest.mark.build, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_builds(clean_copy_build, tmp_path_factory):
    """The html folders of two clean builds, of copies of the project at two different
    depths and names, and the two projects."""
    first, first_html, _ = clean_copy_build
    scratch = tmp_path_factory.mktemp("reproducible")
    second = copy_project(scratch / "second" / "elsewhere")
    build(second)
    return [first_html, second / "_build" / "html"], [first, second]


def test_two_clean_builds_in_different_folders_give_identical_files(two_builds):
    (first, second), _ = two_builds
    first_files, second_files = site_files(first), site_files(second)
    differing = [
        name
        for name in sorted(first_files.keys() & second_files.keys())
        if first_files[name].read_bytes() != second_files[name].read_bytes()
    ]
    # Images are named after a hash of their bytes, so an image that differs has a different name in each build:
    # pair the two names up by the place in a page that shows them, and compare their contents.
    renamed = {}
    for name in differing:
        shown = [re.findall(rb"_images/[\w.-]+", files[name].read_bytes()) for files in (first_files, second_files)]
        renamed.update((a.decode(), b.decode()) for a, b in zip(*shown) if a != b)
    renamed = {a: b for a, b in renamed.items() if a in first_files and b in second_files}
    only_first = sorted(first_files.keys() - second_files.keys() - renamed.keys())
    only_second = sorted(second_files.keys() - first_files.keys() - set(renamed.values()))
    report = [
        first_difference(f"{a} (in the second build {b})", first_files[a].read_bytes(), second_files[b].read_bytes())
        for a, b in list(renamed.items())[:3]
    ]
    report += [first_difference(n, first_files[n].read_bytes(), second_files[n].read_bytes()) for n in differing[:5]]
    if only_first or only_second:
        report.append(f"files only in the first build: {only_first}; only in the second: {only_second}")
    assert not (differing or renamed or only_first or only_second), (
        f"two clean builds differ: {len(differing)} files, {len(renamed)} images\n\n" + "\n\n".join(report)
    )


def test_no_path_of_the_build_machine_leaks_into_the_site(two_builds):
    htmls, projects = two_builds
    leaks = []
    for html, project in zip(htmls, projects):
        for name, path in site_files(html).items():
            data = path.read_bytes()
            for place in (project, VENV, project.parent):
                if str(place).encode() in data:
                    leaks.append(f"{name} contains {place}")
                    break
    assert not leaks, "the site names folders of the machine that built it:\n  " + "\n  ".join(leaks)
