"""Build the site from the tests and the benchmarks, exactly as `make html` does.

`build` runs the Makefile's own `html` target, so the tests exercise the command a reader runs, with the project's
environment (.venv) and the strict options. A scratch copy of the project imports its own `src/`: PYTHONPATH puts it
ahead of the editable install, in Sphinx and in the kernels that execute the pages.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The environment running the tests: the project's .venv, also when the tests run inside a scratch copy.
VENV = Path(sys.prefix)

# What is not part of the project's source: environments, build output, caches.
_NOT_SOURCE = shutil.ignore_patterns(".venv", "_build", ".cache", ".git", "__pycache__", ".pytest_cache")


def labelled_equation(text: str, label: str) -> re.Match | None:
    """The display equation `label` in a page's MyST source: group 1 is its TeX, between the $$ lines."""
    return re.search(r"\$\$\n((?:(?!\$\$).)*?)\n\$\$ \(" + re.escape(label) + r"\)", text, re.S)


def copy_project(dest: Path) -> Path:
    """Copy the project's source (not its environment, build or cache) to `dest`."""
    shutil.copytree(ROOT, dest, ignore=_NOT_SOURCE)
    return dest


def start_build(project: Path = ROOT, builddir: Path | None = None, jobs: str | None = None,
                cache: Path | None = None, wrapper: list[str] = ()) -> subprocess.Popen:
    """Start `make html` in `project` (with the Makefile's JOBS unless `jobs` is given, its CACHE unless `cache` is,
    run through the command `wrapper` if given); output is stdout + stderr."""
    builddir = builddir or project / "_build"
    env = dict(os.environ, PYTHONPATH=str(project / "src"))
    return subprocess.Popen(
        # -o: the copy uses this checkout's environment as it is; a copy that re-synced a stale one installed
        # itself into it, and took `backprop` away when the copy was removed
        [*wrapper, "make", "-s", "-o", f"{VENV}/.synced", "html", f"VENV={VENV}", f"BUILDDIR={builddir}"]
        + ([f"JOBS={jobs}"] if jobs else []) + ([f"CACHE={cache}"] if cache else []),
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_build(project: Path = ROOT, builddir: Path | None = None, jobs: str | None = None, **options
              ) -> subprocess.CompletedProcess:
    """Run `make html` in `project` (`start_build`'s options); output is stdout + stderr."""
    process = start_build(project, builddir, jobs, **options)
    output, _ = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, output)


def build(project: Path = ROOT, builddir: Path | None = None, jobs: str | None = None, **options) -> str:
    """Run `make html` in `project` (`start_build`'s options), fail with its output if it fails, and return that
    output."""
    result = run_build(project, builddir, jobs, **options)
    if result.returncode != 0:
        raise AssertionError(f"make html failed in {project} (exit {result.returncode}):\n{result.stdout}")
    return result.stdout


def executed_pages(log: str) -> list[str]:
    """The pages (as "notation", relative to book/ without .md) that myst-nb executed, cache misses, in `log`."""
    return re.findall(r"^\S*/book/(\S+)\.md: Executing notebook", log, flags=re.MULTILINE)


def execute_page(project: Path, page: str) -> None:
    """Execute one page of `project` on its own, as the build would, importing the project's own `src/`.

    Raises nbclient's CellExecutionError when a cell that is not tagged `raises-exception` fails, so a test can
    show which page's check catches a wrong formula even when the full build would stop at another page first.
    """
    from myst_nb.core.read import read_myst_markdown_notebook
    from nbclient import NotebookClient

    notebook = read_myst_markdown_notebook((project / "book" / f"{page}.md").read_text())
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(project / "src")  # the kernel inherits it
    try:
        client = NotebookClient(
            notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(project / "book")}}
        )
        client.execute()
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous


def site_files(html):
    return {path.relative_to(html).as_posix(): path for path in sorted(html.rglob("*")) if path.is_file()}


def first_difference(name, a: bytes, b: bytes) -> str:
    """Where `a` and `b` first differ: the line, and the characters around the first change (lines can be long)."""
    a_lines, b_lines = (data.decode("utf-8", "replace").splitlines() for data in (a, b))
    differing = [i for i, (x, y) in enumerate(zip(a_lines, b_lines)) if x != y]
    if len(a_lines) != len(b_lines):
        differing.append(min(len(a_lines), len(b_lines)))
    line = differing[0]
    x, y = (lines[line] if line < len(lines) else "<end of file>" for lines in (a_lines, b_lines))
    column = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    start = max(0, column - 80)
    return (
        f"{name}: {len(differing)} lines differ; the first is line {line + 1}, from column {start + 1}:\n"
        f"  first build:  {x[start : column + 120]}\n"
        f"  second build: {y[start : column + 120]}"
    )


def site_differences(first: Path, second: Path) -> list[str]:
    """How the sites in the html folders `first` and `second` differ, file by file: for each file that differs, where
    it first does (`first_difference`), and the files that only one has. Empty if they are byte-identical."""
    first_files, second_files = site_files(first), site_files(second)
    report = [
        first_difference(name, first_files[name].read_bytes(), second_files[name].read_bytes())
        for name in sorted(first_files.keys() & second_files.keys())
        if first_files[name].read_bytes() != second_files[name].read_bytes()
    ]
    for only, files, other in (("first", first_files, second_files), ("second", second_files, first_files)):
        report += [f"{name}: only in the {only} site" for name in sorted(files.keys() - other.keys())]
    return report
