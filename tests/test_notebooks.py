"""Each executed page offers its executed notebook (issue 15, item 7): linked from the page, with its outputs, naming no
folder of the machine that built it, and runnable as downloaded, with nbclient, in the project's environment."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin
from urllib.request import urlopen

import pytest
from buildkit import ROOT, VENV

pytestmark = pytest.mark.build

sys.path.insert(0, str(ROOT / "conf"))
from notebook_download import clean_notebook  # noqa: E402

BOOK_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md"))
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
EXECUTED = [name for name in BOOK_PAGES if "\nkernelspec:" in (ROOT / "book" / f"{name}.md").read_text()]
LINK = re.compile(r'<a href="([^"]+\.ipynb)" download>Download this page as a notebook</a>([^\n]*)</p>')

# Runs each notebook given (a notebook and a folder, argument after argument) with
# nbclient, in a kernel python3 of its own (the environment running this script, the
# project's .venv, where `backprop` is installed) started in its folder, four at a time.
# Prints, as its last line (JSON), for each notebook: the error of a cell not tagged
# `raises-exception` that raised (uncoloured), or None; and the seconds it took. One
# process drives every kernel: one for each notebook would only import nbclient again.
RUN = """
import asyncio, json, re, sys, time, traceback
import nbformat
from nbclient import NotebookClient

async def run(path, folder, slots):
    async with slots:
        start = time.monotonic()
        client = NotebookClient(nbformat.read(path, as_version=4), timeout=60,
                                kernel_name="python3",
                                resources={"metadata": {"path": folder}})
        try:
            await client.async_execute()
            error = None
        except Exception:
            error = re.sub(r"\\x1b\\[[0-9;]*m", "", traceback.format_exc())[-3000:]
        return path, error, time.monotonic() - start

async def main(arguments):
    slots = asyncio.Semaphore(4)
    pairs = zip(arguments[::2], arguments[1::2])
    return await asyncio.gather(*(run(path, folder, slots) for path, folder in pairs))

print(json.dumps(asyncio.run(main(sys.argv[1:]))))
"""


def page_link(html: Path, name: str) -> re.Match | None:
    return LINK.search((html / f"{name}.html").read_text())


def test_executed_pages_are_the_pages_with_a_kernel():
    assert len(EXECUTED) >= 15 and "chain-rule" in EXECUTED and "index" not in EXECUTED


@pytest.mark.parametrize("name", BOOK_PAGES)
def test_each_executed_page_links_its_notebook_and_says_how_to_run_it(built_site, name):
    html = built_site[0]
    link = page_link(html, name)
    if name not in EXECUTED:
        assert link is None, f"{name}.html runs no code, yet offers a notebook"
        return
    assert link, f"{name}.html has no 'Download this page as a notebook' link"
    assert link[1] == f"notebooks/{name}.ipynb"
    assert "<code>make env</code>" in link[2] and "<code>backprop</code>" in link[2], link[2]
    notebook = json.loads((html / link[1]).read_text())
    outputs = [output for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    assert outputs, f"{link[1]} has no outputs: not the executed notebook"


def test_the_notebooks_name_no_folder_of_the_build_machine_and_only_the_kernel_and_language(built_site):
    html = built_site[0]
    places = [str(ROOT), str(VENV), str(html.parent), str(Path.home()), "/tmp/"]
    for name in EXECUTED:
        text = (html / "notebooks" / f"{name}.ipynb").read_text()
        leaks = [place for place in places if place in text]
        assert not leaks, f"notebooks/{name}.ipynb names {leaks}"
        notebook = json.loads(text)
        assert sorted(notebook["metadata"]) == ["kernelspec", "language_info"], notebook["metadata"].keys()
        assert [cell["id"] for cell in notebook["cells"]] == [f"cell-{i}" for i in range(1, len(notebook["cells"]) + 1)]


def test_cleaning_gives_the_same_bytes_whatever_ids_and_timings_the_build_drew():
    import nbformat

    def drawn(seed):
        notebook = nbformat.v4.new_notebook(metadata={"jupytext": {"x": 1}, "source_map": [seed], "kernelspec": KERNEL})
        notebook.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("1 + 1")]
        notebook.cells[1].metadata["execution"] = {"iopub.status.busy": f"2026-01-0{seed}T00:00:00Z"}
        return nbformat.writes(notebook)  # nbformat draws each cell's id at random

    first, second = drawn(1), drawn(2)
    assert first != second
    assert clean_notebook(first) == clean_notebook(second)


def test_each_downloaded_notebook_runs_in_the_project_environment(site_url, tmp_path):
    """Download every notebook from its page's link on the served site, and run them, four at a time."""
    notebooks = []
    for name in EXECUTED:
        page_url = f"{site_url}{name}.html"
        with urlopen(page_url) as response:
            link = LINK.search(response.read().decode())
        assert link, f"{name}.html has no notebook link"
        with urlopen(urljoin(page_url, link[1])) as response:
            path = tmp_path / f"{name}.ipynb"
            path.write_bytes(response.read())
        notebooks.append(path)

    start = time.monotonic()
    results = run_notebooks(notebooks, tmp_path)
    failed = [f"{name}:\n{error}" for name, error, _ in results if error is not None]
    assert not failed, "notebooks that fail when run as downloaded:\n" + "\n".join(failed)
    slowest = sorted(results, key=lambda r: -r[2])[:3]
    print(f"\n{len(notebooks)} notebooks ran in {time.monotonic() - start:.1f} s "
          "(4 at a time); slowest: "
          + ", ".join(f"{n} {s:.1f} s" for n, _, s in slowest))


def run_notebooks(notebooks: list[Path],
                  scratch: Path) -> list[tuple[str, str | None, float]]:
    """Run each notebook with RUN, in a folder of its own under `scratch`, outside the
    project, without the build's figure style (a notebook needs nothing but the
    environment with the package): [(file name, error or None, seconds)]."""
    arguments = []
    for path in notebooks:
        (scratch / path.stem).mkdir()
        arguments += [str(path), str(scratch / path.stem)]
    env = {k: v for k, v in os.environ.items() if k != "MATPLOTLIBRC"}
    result = subprocess.run([sys.executable, "-c", RUN, *arguments], cwd=scratch,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"RUN failed:\n{result.stderr[-3000:]}"
    results = json.loads(result.stdout.splitlines()[-1])
    assert [path for path, _, _ in results] == arguments[::2], results
    return [(Path(path).name, error, seconds) for path, error, seconds in results]


def test_running_notebooks_names_each_whose_cell_raises_and_passes_a_cell_tagged_to(
        tmp_path):
    import nbformat

    tagged = {"tags": ["raises-exception"]}
    cells = {"raises": nbformat.v4.new_code_cell("raise ValueError('a test error')"),
             "tagged": nbformat.v4.new_code_cell("raise ValueError('expected')",
                                                 metadata=tagged),
             "runs": nbformat.v4.new_code_cell("import backprop")}
    notebooks = []
    for name, cell in cells.items():
        notebooks.append(tmp_path / f"{name}.ipynb")
        metadata = {"kernelspec": KERNEL}
        nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata=metadata),
                       notebooks[-1])
    results = {name: error for name, error, _ in run_notebooks(notebooks, tmp_path)}
    assert "ValueError: a test error" in results["raises.ipynb"], results
    assert results["tagged.ipynb"] is None and results["runs.ipynb"] is None, results
