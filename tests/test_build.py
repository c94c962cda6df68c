"""The site builds strictly, executes `src/` in its pages, and refuses to publish a wrong formula or a stale output.

These tests run `make html` itself (see buildkit.py): in the real checkout into a temporary folder, and in scratch
copies of the project that they edit.
"""

import os
import re
import subprocess
import sys

import pytest
from buildkit import (
    ROOT,
    build,
    execute_page,
    executed_pages,
    labelled_equation,
    run_build,
    site_differences,
    start_build,
)

pytestmark = [pytest.mark.build, pytest.mark.slow]

NOTEBOOK_PAGES = sorted(
    p.relative_to(ROOT / "book").with_suffix("").as_posix()
    for p in (ROOT / "book").rglob("*.md")
    if "```{code-cell}" in p.read_text()
)


@pytest.fixture(scope="module")
def warm_copy(clean_copy_build):
    """A scratch copy of the project, built once: its execution cache and _build are warm."""
    return clean_copy_build[0]


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


def test_every_notebook_page_executes_in_a_cold_build(clean_copy_build):
    _, _, log = clean_copy_build  # the copy's first build: it had no execution cache
    assert sorted(executed_pages(log)) == NOTEBOOK_PAGES


def test_prose_edit_reuses_the_execution_cache(prose_edit):
    assert executed_pages(prose_edit["log"]) == []


def test_after_an_incremental_build_the_sitemap_still_lists_every_page(warm_copy, prose_edit):
    sitemap = prose_edit["sitemap"]
    listed = re.findall(r"<loc>https?://[^<]*?([^/<]+)\.html</loc>", sitemap)
    assert listed == sorted(p.stem for p in (warm_copy / "book").glob("*.md")), sitemap


def _page_mtimes(html):
    """When each page of the site in `html` was last written, by page name."""
    return {path.stem: path.stat().st_mtime_ns for path in html.glob("*.html")}


@pytest.fixture(scope="module")
def prose_edit(warm_copy, tmp_path_factory):
    """One sentence of dropout.md edited and the site built incrementally; then a sentence added to every other page
    but index (whose tables of contents make every page's menu, so that each page is numbered on its own:
    conf/public_links.py), the site built, and built once more (nothing to do); and a clean build of the same sources
    (the execution cache shared: no page runs). Returns the pages the first incremental build wrote, and how the site
    the last one left differs from the clean build's, with the first incremental build's log and sitemap.xml (an
    incremental build that reads one page again)."""
    html = warm_copy / "_build" / "html"
    page = warm_copy / "book" / "dropout.md"
    others = {p: p.read_text() for p in (warm_copy / "book").glob("*.md") if p.stem not in {"dropout", "index"}}
    build(warm_copy)  # the site as the tests before left it, up to date
    before = _page_mtimes(html)
    original = edit(page, "Take one unit of a hidden layer", "Take a single unit of a hidden layer")
    try:
        log = build(warm_copy)
        written = {name for name, mtime in _page_mtimes(html).items() if mtime != before.get(name)}
        sitemap = (html / "sitemap.xml").read_text()
        for other, text in others.items():
            other.write_text(text + "\nA sentence added by a test.\n")
        build(warm_copy)
        build(warm_copy)
        clean = tmp_path_factory.mktemp("prose-edit") / "clean"
        build(warm_copy, builddir=clean, cache=warm_copy / ".cache")
    finally:
        page.write_text(original)
        for other, text in others.items():
            other.write_text(text)
    return {"log": log, "sitemap": sitemap, "written": written,
            "differences": site_differences(html, clean / "html")}


def test_a_prose_edit_writes_its_page_and_the_contents_page_listing_it_and_no_other(prose_edit):
    written = prose_edit["written"]
    # Sphinx itself writes index (the page whose table of contents lists the edited one: Builder.write adds
    # env.files_to_rebuild), and genindex and search on every build. Every other page shows nothing of a sentence.
    assert written - {"genindex", "search"} == {"dropout", "index"}


def test_after_prose_edits_and_a_no_op_build_the_site_is_byte_identical_to_a_clean_build(prose_edit):
    differences = prose_edit["differences"]
    assert not differences, "the incremental build left a site unlike a clean build's:\n\n" + "\n\n".join(
        differences[:8])


def test_after_a_title_edit_no_page_of_the_site_shows_the_old_title(warm_copy):
    # Every page shows every title in its menu, the package's source pages (_modules/) included, and the search
    # index has them: an edited title must reach all of them, as in a clean build.
    page = warm_copy / "book" / "cite.md"
    html = warm_copy / "_build" / "html"
    old, new = "Link to this site, and cite it", "Link to this site and cite it"
    original = edit(page, f"# {old}\n", f"# {new}\n")
    try:
        build(warm_copy)
        stale = sorted(str(path.relative_to(html)) for path in [*html.rglob("*.html"), html / "searchindex.js"]
                       if old in path.read_text(encoding="utf-8"))
        shown = sum(new in path.read_text(encoding="utf-8") for path in html.rglob("*.html"))
    finally:
        page.write_text(original)
    assert not stale, f"pages still showing the old title {old!r}: {stale}"
    assert shown >= len(list((warm_copy / "book").glob("*.md"))), shown


def _pages_citing_goodfellow(html):
    entry = re.search(r'<div class="citation"[^>]*>(?:(?!</div>).)*Goodfellow(?:(?!</div>).)*</div>',
                      (html / "references.html").read_text(encoding="utf-8"), re.S)
    return re.findall(r'href="([a-z0-9-]+)\.html"', re.search(r'class="cited-by">.*?</p>', entry[0], re.S)[0])


def test_after_an_incremental_build_the_bibliography_lists_the_pages_that_now_cite_an_entry(warm_copy):
    html = warm_copy / "_build" / "html"
    page = warm_copy / "book" / "dropout.md"
    original = edit(page, "Take one unit of a hidden layer", "Take one unit {cite:p}`goodfellow2016` of a hidden layer")
    try:
        build(warm_copy)
        citing = _pages_citing_goodfellow(html)
    finally:
        page.write_text(original)
        build(warm_copy)
    assert "dropout" in citing, citing
    assert "dropout" not in _pages_citing_goodfellow(html)


def test_two_builds_at_once_in_one_folder_both_succeed_the_second_waiting_for_the_first(warm_copy):
    page = warm_copy / "book" / "notation.md"
    original = edit(page, "# Notation and shapes\n", "# Notation and shapes\n\nA third edit of the prose.\n")
    try:
        builds = [start_build(warm_copy) for _ in range(2)]
        outputs = [process.communicate()[0] for process in builds]
    finally:
        page.write_text(original)
    for process, output in zip(builds, outputs):
        assert process.returncode == 0, output
    assert sum("a build is running" in output for output in outputs) == 1, outputs


def test_every_formula_katex_cannot_render_is_reported_at_its_line_without_a_crash(warm_copy):
    page = warm_copy / "book" / "notation.md"
    heading = "# Notation and shapes\n"
    bad = ("\nAn inline $\\notacommand x$ formula.\n\n% formula: not checked (a test's equation)\n"
           "$$\n\\frac{1}{\n$$\n")
    original = edit(page, heading, heading + bad)
    try:
        result = run_build(warm_copy)
    finally:
        page.write_text(original)
    assert result.returncode != 0
    reported = re.findall(r"notation\.md:(\d+): WARNING: KaTeX cannot render (\w+) math", result.stdout)
    line = original.splitlines().index(heading.strip()) + 1
    assert sorted(reported) == [(str(line + 2), "inline"), (str(line + 5), "display")], result.stdout
    assert "Exception occurred" not in result.stdout and "Traceback" not in result.stdout, result.stdout


def test_a_cell_that_raises_is_an_error_at_its_line_without_a_crash_and_fails_the_next_build_too(warm_copy):
    page = warm_copy / "book" / "notation.md"
    first_cell = "```{code-cell} ipython3\n"
    raising = first_cell + "x = 1\ny = 2\nraise ValueError('a test error')\n```\n\n"
    text = page.read_text()
    at = text.index(first_cell)
    page.write_text(text[:at] + raising + text[at:])
    try:
        results = [run_build(warm_copy) for _ in range(2)]  # the second with nothing changed
    finally:
        page.write_text(text)
    line = text[:at].count("\n") + 4  # the fence is line count + 1; the raise is the cell's third line
    for result in results:
        assert result.returncode != 0, result.stdout
        assert re.search(rf"notation\.md:{line}: WARNING: a cell raised ValueError: a test error", result.stdout), (
            result.stdout)
        assert "Exception occurred" not in result.stdout and "please report" not in result.stdout, result.stdout


def test_a_wrong_formula_fails_the_next_build_too_when_nothing_changed(warm_copy):
    page = warm_copy / "book" / "notation.md"
    original = edit(page, "W^{[l]} A^{[l-1]} + b^{[l]}\n$$ (eq-linear-forward)", "W^{[l]} A^{[l-1]} - b^{[l]}\n$$ (eq-linear-forward)")
    try:
        results = [run_build(warm_copy) for _ in range(2)]
    finally:
        page.write_text(original)
    for result in results:
        assert result.returncode != 0 and "notation.md" in result.stdout and "formula" in result.stdout, result.stdout


def _shown_number(html, page, label):
    """The number a page's link to another page's equation `label` shows ("chain-rule (3)"), and the number the
    equation itself carries."""
    link = re.search(rf'href="([a-z-]*)\.html#equation-{label}">\1 \((\d+)\)</a>', (html / f"{page}.html").read_text())
    target = re.search(rf'id="equation-{label}">.*?<span class="eqno">\((\d+)\)', _page_html(html, label), re.S)
    return int(link.group(2)), int(target.group(1))


def _page_html(html, label):
    return next(p.read_text() for p in html.glob("*.html") if f'id="equation-{label}"' in p.read_text())


def test_after_an_incremental_build_a_link_to_an_equation_shows_its_new_number(warm_copy):
    # Equations are numbered per page: one inserted at the top of chain-rule renumbers that page's equations, and a
    # page that only links to one of them (cite links to eq-dz-hidden) must show the new number, not the old one.
    html = warm_copy / "_build" / "html"
    shown, carried = _shown_number(html, "cite", "eq-dz-hidden")
    assert shown == carried
    page = warm_copy / "book" / "chain-rule.md"
    heading = "# How the chain rule gives dZ[1]\n"
    inserted = "\n% formula: not checked (a test's equation)\n$$\nx = 1\n$$ (eq-inserted)\n"
    original = edit(page, heading, heading + inserted)
    try:
        build(warm_copy)
        assert _shown_number(html, "cite", "eq-dz-hidden") == (carried + 1, carried + 1)
    finally:
        page.write_text(original)
        build(warm_copy)
    assert _shown_number(html, "cite", "eq-dz-hidden") == (carried, carried)


# A wrong typeset formula fails the build (conf/formula_check.py), for each kind of mistake, on three pages at once:
# one edit per page, each named by its page, line and label in the build's output.
# Kinds that edit different equations share a build (_formula_groups).
FORMULA_EDITS = {
    "transpose dropped": [("chain-rule", "eq-dz-hidden", "W^{[l+1]T}", "W^{[l+1]}"),
                          ("transpose", "eq-dw", "A^{[l-1]T}", "A^{[l-1]}"),
                          ("logistic-regression", "eq-lr-dw", "dZ^T", "dZ")],
    "1/m dropped": [("transpose", "eq-dw", r"\frac{1}{m}", ""),
                    ("loss-vs-cost", "eq-db", r"\frac1m \sum", r"\sum"),
                    ("logistic-regression", "eq-lr-db", r"\frac1m", "")],
    "* as a product": [("chain-rule", "eq-dz-from-da", "dA^{[l]} *", "dA^{[l]}"),
                       ("l-layers", "eq-layer-backward-step", "dA^{[l]} *", "dA^{[l]}"),
                       ("index", None, r"dZ^{[2]} * g^{[1]\prime}\!", r"dZ^{[2]} g^{[1]\prime}\!")],
    "a sign flipped": [("output-layer", "eq-dz-output", "A^{[L]} - Y", "Y - A^{[L]}"),
                       ("logistic-regression", "eq-lr-dz", "A - Y", "Y - A"),
                       ("notation", "eq-linear-forward", "+ b^{[l]}", "- b^{[l]}")],
    "g' as g": [("chain-rule", "eq-dz-hidden", r"g^{[l]\prime}", "g^{[l]}"),
                ("l-layers", "eq-layer-backward-step", r"g^{[l]\prime}", "g^{[l]}"),
                ("activations", "eq-tanh-prime", r"\tanh'(z)", r"\tanh(z)")],
    "a layer index shifted": [("chain-rule", "eq-dz-hidden", "dZ^{[l+1]}", "dZ^{[l]}"),
                              ("transpose", "eq-da-prev", "dA^{[l-1]}", "dA^{[l]}"),
                              ("loss-vs-cost", "eq-dw-sum", "a^{[l-1](i)T}", "a^{[l](i)T}")],
}


def _edit_equation(path, label, old, new):
    """Replace `old` by `new` inside the display equation `label` of `path` (anywhere in the page when `label` is None),
    exactly once; the original text."""
    if label is None:
        return edit(path, old, new)
    text = path.read_text()
    match = labelled_equation(text, label)
    assert match and match.group(1).count(old) == 1, f"{path.name} {label}: expected exactly one {old!r}"
    start, end = match.span(1)
    path.write_text(text[:start] + match.group(1).replace(old, new) + text[end:])
    return text


def _formula_groups(kinds):
    """The kinds of mistake in groups that edit no equation twice (a page edited anywhere,
    label None, is one equation): each group is one build. The checks of conf/formula_check.py
    are each of one equation against the package, so an edit is found or missed the same
    with another equation of the build edited too."""
    def places(kind):
        return {(page, label) for page, label, _, _ in kinds[kind]}

    def clash(kind, group):
        return any(page == other and (label is None or other_label is None or label == other_label)
                   for page, label in places(kind)
                   for member in group for other, other_label in places(member))

    groups = []
    for kind in kinds:
        group = next((group for group in groups if not clash(kind, group)), None)
        if group is None:
            groups.append(group := [])
        group.append(kind)
    return groups


@pytest.fixture(scope="module")
def formula_builds(warm_copy):
    """A function of a kind of FORMULA_EDITS: the result of the build (run_build's) of its
    wrong formulas together with those of the other kinds of its group, one build per group."""
    results = {}

    def result(kind):
        if kind not in results:
            group = next(group for group in _formula_groups(FORMULA_EDITS) if kind in group)
            originals = {}
            try:
                for page, label, old, new in (edit for k in group for edit in FORMULA_EDITS[k]):
                    path = warm_copy / "book" / f"{page}.md"
                    originals.setdefault(path, path.read_text())
                    _edit_equation(path, label, old, new)
                built = run_build(warm_copy)
            finally:
                for path, text in originals.items():
                    path.write_text(text)
            results.update(dict.fromkeys(group, built))
        return results[kind]

    return result


def test_formula_edits_share_a_build_only_where_no_equation_is_edited_twice():
    # Two edits of one equation in one build would let one kind's warning stand for another's.
    groups = _formula_groups(FORMULA_EDITS)
    assert sorted(kind for group in groups for kind in group) == sorted(FORMULA_EDITS)
    assert len(groups) < len(FORMULA_EDITS)
    for group in groups:
        places = [(page, label) for kind in group for page, label, _, _ in FORMULA_EDITS[kind]]
        assert len(set(places)) == len(places), group
    edits = {"anywhere in p": [("p", None, "x", "y")], "p's eq-1": [("p", "eq-1", "z", "w")],
             "q's eq-1": [("q", "eq-1", "z", "w")], "p's eq-2": [("p", "eq-2", "z", "w")]}
    assert _formula_groups(edits) == [["anywhere in p", "q's eq-1"], ["p's eq-1", "p's eq-2"]]


@pytest.mark.parametrize("kind", FORMULA_EDITS)
def test_a_wrong_typeset_formula_fails_the_build_naming_page_line_and_label(formula_builds, kind):
    result = formula_builds(kind)
    assert result.returncode != 0, f"{kind}: the build passed with the wrong formulas"
    for page, label, _, _ in FORMULA_EDITS[kind]:
        named = rf"formula \({label}\): " if label else "formula: "
        assert re.search(rf"book/{page}\.md:\d+: WARNING: {named}", result.stdout), \
            f"{kind}: no warning naming {page}.md and {label} in:\n{result.stdout[-3000:]}"


# Each mistake is a plausible wrong formula, as (file, right, wrong) edits to src/backprop.
ONE_OVER_M_INTO_DZ = [
    ("losses.py", "return AL - Y  # eq-dz-output", "return (AL - Y) / AL.shape[1]  # eq-dz-output"),
    ("layer.py", "return dZ @ A_prev.T / dZ.shape[1]  # eq-dw", "return dZ @ A_prev.T  # eq-dw"),
]
W_NOT_TRANSPOSED = [("layer.py", "return W.T @ dZ  # eq-da-prev", "return W @ dZ  # eq-da-prev")]
RELU_WRONG_SIDE = [
    ("activations.py", "return (Z > 0).astype(np.float64)  # eq-relu-prime",
     "return (Z < 0).astype(np.float64)  # eq-relu-prime")
]
G_PRIME_DROPPED = [
    (
        "layer.py",
        "return _dz_from_da(_da_prev(W_next, dZ_next), Z, activation)  # eq-dz-hidden",
        "return _da_prev(W_next, dZ_next)  # eq-dz-hidden",
    )
]
DW_DIVIDED_BY_UNITS = [
    ("layer.py", "return dZ @ A_prev.T / dZ.shape[1]  # eq-dw", "return dZ @ A_prev.T / dZ.shape[0]  # eq-dw")
]
DB_WITHOUT_ONE_OVER_M = [
    (
        "layer.py",
        "return dZ.sum(axis=1, keepdims=True) / dZ.shape[1]  # eq-db",
        "return dZ.sum(axis=1, keepdims=True)  # eq-db",
    )
]
DB_DIVIDED_BY_UNITS = [
    (
        "layer.py",
        "return dZ.sum(axis=1, keepdims=True) / dZ.shape[1]  # eq-db",
        "return dZ.sum(axis=1, keepdims=True) / dZ.shape[0]  # eq-db",
    )
]
SIGMOID_PRIME_AS_TANH_PRIME = [
    ("activations.py", "return s * (1.0 - s)  # eq-sigmoid-prime", "return 1.0 - s**2  # eq-sigmoid-prime")
]
G_PRIME_FORGOTTEN_IN_LAYER_BACKWARD = [
    (
        "layer.py",
        "return _backward_from_dz(dZ, cache)  # eq-da-prev, eq-dw, eq-db",
        "return _backward_from_dz(dA, cache)  # eq-da-prev, eq-dw, eq-db",
    )
]
SOFTMAX_STEP_SUMMED_OVER_EXAMPLES = [
    (
        "activations.py",
        "return A * (dA - (A * dA).sum(axis=0, keepdims=True))  # eq-softmax-dz-from-da",
        "return A * (dA - (A * dA).sum(axis=1, keepdims=True))  # eq-softmax-dz-from-da",
    )
]
DESCENT_STEP_UPHILL = [
    ("network.py", "new[name] = value - learning_rate * grad", "new[name] = value + learning_rate * grad")
]
RELATIVE_ERROR_ONE_SIDED_SCALE = [
    (
        "gradcheck.py",
        "return float(np.linalg.norm(analytic - numerical) / scale)  # eq-relative-error",
        "return float(np.linalg.norm(analytic - numerical) / np.linalg.norm(numerical))  # eq-relative-error",
    )
]
DA_OUTPUT_SIGN = [
    (
        "losses.py",
        "return -(Y / AL - (1.0 - Y) / (1.0 - AL))  # eq-da-output",
        "return -(Y / AL + (1.0 - Y) / (1.0 - AL))  # eq-da-output",
    )
]

L2_WITHOUT_ONE_OVER_M = [("training.py", "dW = dW + (l2 / m) * cache.W  # eq-l2-dw", "dW = dW + l2 * cache.W  # eq-l2-dw")]
DROPOUT_MASK_FORGOTTEN_BACKWARD = [
    (
        "training.py",
        "dG = _drop(dA_prev, below.D, keep_prob) if k in drops else dA_prev",
        "dG = dA_prev / keep_prob if k in drops else dA_prev",
    )
]
BATCH_NORM_VARIANCE_PATH_DROPPED = [
    (
        "batch_norm.py",
        "dZ = gamma / np.sqrt(var + eps) * (dZtilde - dbeta - Zhat * dgamma)  # eq-bn-dz",
        "dZ = gamma / np.sqrt(var + eps) * (dZtilde - dbeta)  # eq-bn-dz",
    )
]


class mutated:
    """Apply a list of edits to the project's src/backprop for the duration of a `with` block."""

    def __init__(self, project, edits):
        self.modules = {project / "src" / "backprop" / name for name, _, _ in edits}
        self.project, self.edits = project, edits

    def __enter__(self):
        self.originals = {module: module.read_text() for module in self.modules}
        for name, right, wrong in self.edits:
            edit(self.project / "src" / "backprop" / name, right, wrong)

    def __exit__(self, *exc):
        for module, text in self.originals.items():
            module.write_text(text)


@pytest.mark.parametrize(
    "edits",
    [ONE_OVER_M_INTO_DZ, W_NOT_TRANSPOSED, RELU_WRONG_SIDE],
    ids=["1/m moved from dW into dZ", "dA_prev without the transpose of W", "ReLU derivative on the wrong side of 0"],
)
def test_a_wrong_formula_in_src_fails_the_build(warm_copy, edits):
    with mutated(warm_copy, edits):
        result = run_build(warm_copy)
    assert result.returncode != 0, f"the build published a wrong formula:\n{result.stdout}"
    assert "CellExecutionError" in result.stdout or "AssertionError" in result.stdout, result.stdout


# The full build stops at the first page that fails, so each page's own check is shown by executing it alone.
@pytest.mark.parametrize(
    "page, edits",
    [
        ("notation", ONE_OVER_M_INTO_DZ),
        ("chain-rule", G_PRIME_DROPPED),
        ("transpose", DW_DIVIDED_BY_UNITS),
        ("loss-vs-cost", DB_WITHOUT_ONE_OVER_M),
        ("output-layer", DA_OUTPUT_SIGN),
        ("activations", SIGMOID_PRIME_AS_TANH_PRIME),
        ("numpy-shapes", DB_DIVIDED_BY_UNITS),
        ("l-layers", G_PRIME_FORGOTTEN_IN_LAYER_BACKWARD),
        ("products", SOFTMAX_STEP_SUMMED_OVER_EXAMPLES),
        ("conventions", DESCENT_STEP_UPHILL),
        ("gradient-checking", RELATIVE_ERROR_ONE_SIDED_SCALE),
        ("l2-regularization", L2_WITHOUT_ONE_OVER_M),
        ("dropout", DROPOUT_MASK_FORGOTTEN_BACKWARD),
        ("batch-norm", BATCH_NORM_VARIANCE_PATH_DROPPED),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_page_check_catches_a_wrong_formula_of_its_own(warm_copy, page, edits):
    from nbclient.exceptions import CellExecutionError

    execute_page(warm_copy, page)  # the page passes with the right formulas
    with mutated(warm_copy, edits), pytest.raises(CellExecutionError):
        execute_page(warm_copy, page)


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


def test_src_edit_reexecutes_every_page_and_going_back_to_the_earlier_version_executes_none(
        warm_copy):
    # A package change is a new execution key; the caches of the last few keys are kept, so switching back (to
    # another branch and back, say) is served from the cache, as before the change. Last of the tests that edit
    # src/: the wrong formulas before it made keys of their own, which the cache has had to prune.
    module = warm_copy / "src" / "backprop" / "activations.py"
    original = module.read_text()
    module.write_text(original + "\n# An edit that changes no behaviour, but the pages must run again.\n")
    try:
        log = build(warm_copy)
    finally:
        module.write_text(original)
    assert sorted(executed_pages(log)) == NOTEBOOK_PAGES, "a new package version must execute every page"
    log = build(warm_copy)
    assert executed_pages(log) == [], "the earlier version's cache was dropped"
    assert len(list((warm_copy / ".cache" / "jupyter").iterdir())) <= 4  # KEPT_EXECUTION_CACHES


def test_an_edit_to_a_local_extension_rewrites_every_page_without_executing_any(warm_copy):
    # conf/site_code.py: Sphinx alone re-reads a page only when its source or the configuration changes.
    # Last before `make clean`: the first build after the edit is undone writes every page again,
    # and make clean's build does that anyway.
    extension = warm_copy / "conf" / "report_error.py"
    original = edit(extension, 'QUESTION = "What is wrong, and what should it say?"',
                    'QUESTION = "What is wrong here, and what should it say?"')
    try:
        log = build(warm_copy)
        page = (warm_copy / "_build" / "html" / "transpose.html").read_text()
    finally:
        extension.write_text(original)
    assert executed_pages(log) == []
    assert "What%20is%20wrong%20here" in page, "transpose.html, not edited, still has the old report links"


def test_make_clean_removes_the_build_but_keeps_environment_and_cache(warm_copy):
    subprocess.run(["make", "-s", "clean"], cwd=warm_copy, check=True)
    assert not (warm_copy / "_build").exists()
    assert any((warm_copy / ".cache" / "jupyter").iterdir())
    assert (ROOT / ".venv" / "bin" / "python").exists()
    log = build(warm_copy)
    assert executed_pages(log) == []


def test_renaming_a_public_label_fails_the_tests_naming_the_lost_anchor(warm_copy):
    # A rename done properly inside the book (the label and every reference to it): the build still passes, and
    # only the manifest test notices that links from outside now break.
    pages = {page: page.read_text() for page in (warm_copy / "book").glob("*.md")}
    renamed = {page: text.replace("notation-shapes", "notation-every-shape") for page, text in pages.items()}
    assert sum(text != renamed[page] for page, text in pages.items()) >= 1
    try:
        for page, text in renamed.items():
            page.write_text(text)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_site.py", "-k", "disappeared"],
            cwd=warm_copy,
            env=dict(os.environ, PYTHONPATH=str(warm_copy / "src")),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    finally:
        for page, text in pages.items():
            page.write_text(text)
    assert result.returncode != 0, result.stdout
    assert "1 failed" in result.stdout and "notation.html#notation-shapes" in result.stdout, result.stdout


def test_a_page_moved_with_a_redirect_and_anchors_renamed_with_aliases_keep_every_old_link(warm_copy, browser):
    # The deliberate way to rename: the page moves and leaves a redirect; a section label and an equation label are
    # renamed and keep their old names as aliases. Every listed anchor still resolves, and in a browser an old link
    # lands on its target with its #fragment. (The equation is one no docstring of the package names: renaming one
    # that is, the package's docstrings would be edited too, and every page executed again.)
    from browserkit import DESKTOP, serve
    from sitecheck import broken_links, lost_anchors, read_manifest

    book, conf = warm_copy / "book", warm_copy / "conf" / "conf.py"
    originals = {path: path.read_text() for path in [*book.glob("*.md"), conf]}
    try:
        (book / "products.md").rename(book / "elementwise-or-matrix.md")
        edit(book / "index.md", "\nproducts\n", "\nelementwise-or-matrix\n")
        for page in book.glob("*.md"):
            text = page.read_text()
            page.write_text(text.replace("notation-shapes", "notation-every-shape").replace(
                "eq-adjoint", "eq-the-adjoint"))
        conf.write_text(originals[conf] + (
            '\nredirects = {"products": "elementwise-or-matrix.html"}\n'
            'anchor_aliases = {"notation": {"notation-shapes": "notation-every-shape"},\n'
            '                  "transpose": {"equation-eq-adjoint": "equation-eq-the-adjoint"}}\n'))
        html = warm_copy / "_build" / "html"
        build(warm_copy)
        manifest = read_manifest(warm_copy / "conf" / "public-anchors.txt")
        assert "products.html#products-answer" in manifest and "notation.html#notation-shapes" in manifest
        assert lost_anchors(html, manifest) == []
        assert broken_links(html) == []
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        with serve(html) as url:
            page.goto(url + "products.html#products-answer")
            page.wait_for_url(url + "elementwise-or-matrix.html#products-answer")
            page.goto(url + "transpose.html#equation-eq-adjoint")
            page.wait_for_selector("html[data-math-ready]", state="attached")
            top = page.evaluate("document.getElementById('equation-eq-adjoint').getBoundingClientRect().top")
            assert 0 <= top < DESKTOP["height"] / 2, "the old equation anchor does not land on the equation"
        context.close()
    finally:
        (book / "elementwise-or-matrix.md").unlink(missing_ok=True)
        for path, text in originals.items():
            path.write_text(text)
