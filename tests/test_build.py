"""The site builds strictly, executes `src/` in its pages, and refuses to publish a wrong formula or a stale output.

These tests run `make html` itself (see buildkit.py): in the real checkout into a temporary folder, and in scratch
copies of the project that they edit.
"""

import re
import subprocess

import pytest
from buildkit import ROOT, build, copy_project, executed_pages, run_build

pytestmark = pytest.mark.build

NOTEBOOK_PAGES = sorted(
    p.relative_to(ROOT / "book").with_suffix("").as_posix()
    for p in (ROOT / "book").rglob("*.md")
    if "```{code-cell}" in p.read_text()
)


@pytest.fixture(scope="module")
def warm_copy(tmp_path_factory):
    """A scratch copy of the project, built once: its execution cache and _build are warm."""
    project = copy_project(tmp_path_factory.mktemp("warm") / "project")
    build(project)
    return project


def edit(path, old, new):
    """Replace `old` by `new` exactly once in `path`, or fail: a silent no-op edit would prove nothing."""
    text = path.read_text()
    assert text.count(old) == 1, f"{path.name}: expected exactly one {old!r}"
    path.write_text(text.replace(old, new))
    return text


def test_site_builds_strictly_and_shows_executed_outputs(built_site):
    html, log = built_site
    assert "build succeeded" in log
    assert "WARNING" not in log and "ERROR" not in log
    for page in NOTEBOOK_PAGES + ["index"]:
        assert (html / f"{page}.html").is_file(), page
    notation = (html / "notation.html").read_text()
    # The shape table exists only if the cells ran: it is rendered from an executed output.
    assert re.search(r"<code[^>]*><span[^>]*>dW\[1\]</span></code>", notation)
    assert "gradients: Y must have shape" in notation


def test_every_notebook_page_executes_in_a_cold_build(warm_copy):
    fresh = copy_project(warm_copy.parent / "cold")
    log = build(fresh)
    executed = sorted(p.removeprefix(str(fresh / "book") + "/").removesuffix(".md") for p in executed_pages(log))
    assert executed == NOTEBOOK_PAGES


def test_prose_edit_reuses_the_execution_cache(warm_copy):
    page = warm_copy / "book" / "notation.md"
    original = edit(page, "# Notation and shapes\n", "# Notation and shapes\n\nAn edit of the prose only.\n")
    try:
        log = build(warm_copy)
    finally:
        page.write_text(original)
    assert executed_pages(log) == []


def test_src_edit_reexecutes_every_page_that_imports_backprop(warm_copy):
    module = warm_copy / "src" / "backprop" / "activations.py"
    original = module.read_text()
    module.write_text(original + "\n# An edit that changes no behaviour, but the pages must run again.\n")
    try:
        log = build(warm_copy)
    finally:
        module.write_text(original)
    importing = [p for p in NOTEBOOK_PAGES if "import backprop" in (ROOT / "book" / f"{p}.md").read_text()]
    assert importing, "no page imports backprop"
    executed = {p.removeprefix(str(warm_copy / "book") + "/").removesuffix(".md") for p in executed_pages(log)}
    assert set(importing) <= executed


# Each mistake is a plausible wrong formula, as (file, right, wrong) edits: the build must fail on it with the
# cache already warm, so a stale cached output can never hide it.
WRONG_FORMULAS = {
    "1/m moved from dW into dZ": [
        ("losses.py", "return AL - Y  # eq-dz-output", "return (AL - Y) / AL.shape[1]  # eq-dz-output"),
        ("layer.py", "return dZ @ A_prev.T / dZ.shape[1]  # eq-dw", "return dZ @ A_prev.T  # eq-dw"),
    ],
    "1/m missing from dW": [
        ("layer.py", "return dZ @ A_prev.T / dZ.shape[1]  # eq-dw", "return dZ @ A_prev.T  # eq-dw"),
    ],
    "transpose of W dropped in dA_prev": [
        ("layer.py", "return W.T @ dZ  # eq-da-prev", "return W @ dZ  # eq-da-prev"),
    ],
    "ReLU derivative taken on the wrong side of 0": [
        ("activations.py", '"Z", Z) > 0).astype(np.float64)  # eq-relu-prime', '"Z", Z) < 0).astype(np.float64)  # eq-relu-prime'),
    ],
}


@pytest.mark.parametrize("mistake", WRONG_FORMULAS)
def test_a_wrong_formula_in_src_fails_the_build(warm_copy, mistake):
    originals = {}
    try:
        for filename, right, wrong in WRONG_FORMULAS[mistake]:
            module = warm_copy / "src" / "backprop" / filename
            originals.setdefault(module, module.read_text())
            edit(module, right, wrong)
        result = run_build(warm_copy)
    finally:
        for module, text in originals.items():
            module.write_text(text)
    assert result.returncode != 0, f"the build published {mistake!r}:\n{result.stdout}"
    assert "notation.md" in result.stdout


def test_stray_stderr_fails_the_build_unless_the_cell_opts_in(warm_copy):
    header = (ROOT / "book" / "notation.md").read_text().split("\n---\n")[0] + "\norphan: true\n---\n"
    warning_cell = "```{code-cell} ipython3\n%s\nimport numpy as np\nnp.log(np.zeros(1))  # RuntimeWarning on stderr\n```\n"
    opt_in = "---\nmystnb:\n  output_stderr: show\n---"
    page = warm_copy / "book" / "stderr-probe.md"
    try:
        page.write_text(header + "# Probe\n\n" + warning_cell % "")
        result = run_build(warm_copy)
        assert result.returncode != 0
        assert "stderr was found in the cell outputs" in result.stdout

        page.write_text(header + "# Probe\n\n" + warning_cell % opt_in)
        build(warm_copy)
    finally:
        page.unlink(missing_ok=True)


def test_make_clean_removes_the_build_but_keeps_environment_and_cache(warm_copy):
    subprocess.run(["make", "-s", "clean"], cwd=warm_copy, check=True)
    assert not (warm_copy / "_build").exists()
    assert any((warm_copy / ".cache" / "jupyter").iterdir())
    assert (ROOT / ".venv" / "bin" / "python").exists()
    log = build(warm_copy)
    assert executed_pages(log) == []
