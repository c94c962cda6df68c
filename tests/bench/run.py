"""`make bench`: build and speed benchmarks, printed as medians of repeated runs with their min and max.

The machines are shared and noisy, so nothing here is a pass/fail test: it prints measurements. Every build is run
in a scratch copy of the project (the real checkout, its cache and its _build are never touched), with the
project's own environment.

    .venv/bin/python tests/bench/run.py [--repeats 3] [--skip-clone] [--pages-only] [--site DIR]

The page measurements (bytes on the wire, requests, Lighthouse) use a fresh build of the checkout, or the already
built site given with --site (to compare two versions of the site on the same machine).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browserkit import CHROMIUM, CHROMIUM_ARGS, LIGHTHOUSE, PHONE, serve  # noqa: E402
from buildkit import ROOT, build, copy_project, executed_pages  # noqa: E402
from pageweight import load, site_pages  # noqa: E402
from raw_backward import raw_forward_backward  # noqa: E402
from reading import reading_words  # noqa: E402

import backprop  # noqa: E402


def summary(samples, unit="s", scale=1.0, digits=3):
    values = [s * scale for s in samples]
    return (
        f"median {statistics.median(values):8.{digits}f} {unit}  "
        f"(min {min(values):.{digits}f}, max {max(values):.{digits}f}, n={len(values)})"
    )


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def children_cpu_seconds():
    """CPU time of the finished child processes and their descendants (the build, its workers, kernels, server)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def default_jobs() -> str:
    """The -j that `make html` uses: the Makefile's JOBS."""
    show = ["make", "-s", "--no-print-directory", "--eval", "print-jobs: ; @echo $(JOBS)", "print-jobs"]
    return subprocess.run(show, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def bench_builds(repeats, jobs):
    cold, cold_per_page, cold_cpu, noop, prose, src = [], [], [], [], [], []
    prose_executed, src_executed = [], []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        for r in range(repeats):
            project = copy_project(Path(tmp) / f"p{r}")
            cpu = children_cpu_seconds()
            seconds, log = timed(lambda: build(project, jobs=jobs))
            cold_cpu.append(children_cpu_seconds() - cpu)
            pages = executed_pages(log)
            cold.append(seconds)
            cold_per_page.append(seconds / max(len(pages), 1))

            seconds, log = timed(lambda: build(project, jobs=jobs))
            noop.append(seconds)

            page = project / "book" / "notation.md"
            page.write_text(page.read_text() + f"\nA sentence added by the benchmark, run {r}.\n")
            seconds, log = timed(lambda: build(project, jobs=jobs))
            prose.append(seconds)
            prose_executed.append(len(executed_pages(log)))

            module = project / "src" / "backprop" / "activations.py"
            module.write_text(module.read_text() + f"\n# edited by the benchmark, run {r}\n")
            seconds, log = timed(lambda: build(project, jobs=jobs))
            src.append(seconds)
            src_executed.append(len(executed_pages(log)))
    print(f"  pages executed in a cold build:   {len(pages)}")
    print(f"  cold build (cache empty):         {summary(cold)}")
    print(f"  cold build per executed page:     {summary(cold_per_page)}   target <= 1.2 s")
    print(f"  cold build, CPU of all processes: {summary(cold_cpu)}   (steadier than time on a busy machine)")
    print(f"  no-op rebuild:                    {summary(noop)}")
    print(f"  rebuild after a prose-only edit:  {summary(prose)}   target <= 3 s; pages re-executed: {prose_executed}")
    print(f"  rebuild after a src/ edit:        {summary(src)}   pages re-executed: {src_executed}")


def bench_fresh_clone(repeats):
    """git clone of the committed HEAD, then `make html`: venv creation, the locked install, and a cold build."""
    samples = []
    with tempfile.TemporaryDirectory(prefix="bench-clone-") as tmp:
        for r in range(repeats):
            clone = Path(tmp) / f"clone{r}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
            start = time.perf_counter()
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
            subprocess.run(["make", "-s", "html"], cwd=clone, env=env, check=True, capture_output=True)
            samples.append(time.perf_counter() - start)
    print(f"  fresh clone to built site:        {summary(samples)}")
    print("    (committed HEAD; includes venv creation and the locked install with uv's and pip's download caches")
    print("     as this machine has them, so a first-ever run on a new machine adds the download time)")


def bench_gradients(rounds=30):
    """`backprop.gradients` against the raw-numpy baseline, interleaved so both see the same machine load."""
    sizes = [784, 128, 64, 10]
    activations = ["relu", "relu", "softmax"]
    m = 512
    rng = np.random.default_rng(0)
    params = backprop.random_params(sizes, seed=0)
    X = rng.normal(size=(sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], size=m)]
    L = len(activations)

    for _ in range(3):  # warm up BLAS threads and caches
        backprop.gradients(params, X, Y, activations)
        raw_forward_backward(params, X, Y, L)
    ours, raw, ratios = [], [], []
    for _ in range(rounds):
        t_ours, _ = timed(lambda: backprop.gradients(params, X, Y, activations))
        t_raw, _ = timed(lambda: raw_forward_backward(params, X, Y, L))
        ours.append(t_ours)
        raw.append(t_raw)
        ratios.append(t_ours / t_raw)
    print(f"  784-128-64-10 (relu, relu, softmax), m = {m}, {rounds} interleaved rounds:")
    print(f"  backprop.gradients:               {summary(ours, 'ms', 1e3)}")
    print(f"  raw numpy forward + backward:     {summary(raw, 'ms', 1e3)}")
    print(f"  ratio, per round:                 {summary(ratios, 'x')}   target <= 1.15")


def bench_pages(html, repeats):
    """Each page as a phone on an empty cache fetches it: bytes on the wire (gzip) and requests, which are the same on
    every load, and the time until its math is shown (median of `repeats` loads, no throttling)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, serve(html) as url:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        print(f"  {'page':<24} {'transferred':>12} {'requests':>8}   math shown")
        for page in site_pages(html):
            loads = [load(browser, url + page, PHONE) for _ in range(repeats)]
            print(f"  {page:<24} {loads[0].transferred / 1024:8.1f} KiB {len(loads[0].requests):8d}   "
                  f"{summary([x.math_ready_ms for x in loads], 'ms', digits=0)}")
        browser.close()
    print("  budget: <= 400 KiB transferred and 0 requests to other sites per page (tests/test_page_weight.py)")


READING_BASELINE = Path(__file__).with_name("reading-baseline.json")


def bench_reading(html):
    """Reading words per page (prose, a formula as one word, code excluded: tests/reading.py), against the words of
    the site before the reading-time cut (reading-baseline.json, measured the same way on the commit it names). The
    goal compares the pages the baseline measured; pages written since are listed, and totalled, on their own."""
    baseline = json.loads(READING_BASELINE.read_text())
    before, now = baseline["words"], reading_words(html)
    print(f"  {'page':<24} {'before':>7} {'now':>7}   before = commit {baseline['commit']}")
    for page in sorted(before.keys() | now.keys()):
        old, new = before.get(page), now.get(page)
        print(f"  {page:<24} {old if old is not None else '-':>7} {new if new is not None else '-':>7}"
              + ("   over 3,000" if (new or 0) > 3000 else ""))
    total_before = sum(before.values())
    total_now = sum(words for page, words in now.items() if page in before)
    print(f"  {'total, pages of ' + baseline['commit']:<24} {total_before:7d} {total_now:7d}"
          f"   {total_now / total_before - 1:+.1%}   goal: -25 % or less, no page over 3,000")
    added = {page: words for page, words in now.items() if page not in before}
    if added:
        print(f"  {'total, pages added since':<24} {'-':>7} {sum(added.values()):7d}   ({len(added)} pages)")


def bench_formulas(doctrees: Path, repeats: int):
    """The typeset formulas (conf/formula_check.py): per page, display equations checked / marked / total, the
    labelled ones among them, and the checker's own cost over the whole book (fresh networks each run)."""
    import pickle

    sys.path.insert(0, str(ROOT / "conf"))
    import formula_check

    trees = {p.stem: pickle.loads(p.read_bytes()) for p in sorted(doctrees.glob("*.doctree"))}
    times, reports = [], {}
    for _ in range(repeats):
        formula_check.network.cache_clear()
        start = time.perf_counter()
        reports = {page: formula_check.page_report(tree) for page, tree in trees.items()}
        times.append(time.perf_counter() - start)
    print(f"  {'page':<24} {'checked':>8} {'marked':>7} {'total':>6}   labelled: checked / total")
    totals = np.zeros(5, dtype=int)
    for page, report in reports.items():
        if not report:
            continue
        row = np.array([sum(r.status == "checked" for r in report), sum(r.status == "marked" for r in report),
                        len(report), sum(r.status == "checked" and bool(r.label) for r in report),
                        sum(bool(r.label) for r in report)])
        totals += row
        print(f"  {page:<24} {row[0]:8d} {row[1]:7d} {row[2]:6d}   {row[3]:3d} / {row[4]}")
    print(f"  {'total':<24} {totals[0]:8d} {totals[1]:7d} {totals[2]:6d}   {totals[3]:3d} / {totals[4]}"
          f" ({totals[3] / max(totals[4], 1):.0%}; goal >= 80 %, and every backward-pass formula)")
    inline = [r for page, tree in trees.items()
              for r in formula_check.inline_report(tree, page in formula_check.INLINE_PAGES,
                                                   formula_check.PAGE_WHERE.get(page, ""))]
    print(f"  equations in answer boxes and on the cheat sheet: {sum(r.status == 'checked' for r in inline)} checked"
          f" of {len(inline)}; not read:")
    for r in inline:
        if r.status != "checked":
            print(f"    {r.message[:110]}")
    print(f"  checker, whole book: {summary(times, 's')}   goal < 1 s")


LIGHTHOUSE_SCORES = ["performance", "accessibility", "best-practices", "seo"]
LIGHTHOUSE_METRICS = [("total-blocking-time", "TBT", "ms", 150), ("cumulative-layout-shift", "CLS", "", 0.02),
                      ("largest-contentful-paint", "LCP", "ms", None)]


def lighthouse(url, preset=None):
    """One Lighthouse run (the pinned npm package, Debian's chromium): its JSON report."""
    command = ["node", str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
               "--chrome-flags=" + " ".join(CHROMIUM_ARGS)] + ([f"--preset={preset}"] if preset else [])
    result = subprocess.run(command, capture_output=True, text=True, check=True,
                            env=dict(os.environ, CHROME_PATH=str(CHROMIUM)))
    report = json.loads(result.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    return report


def bench_lighthouse(html, repeats, page="transpose.html"):
    """Lighthouse 12.2.3 on a typical page, mobile (its default: a throttled mid-range phone) and desktop."""
    with serve(html) as url:
        for preset in (None, "desktop"):
            reports = [lighthouse(url + page, preset) for _ in range(repeats)]
            print(f"  {page}, {preset or 'mobile'}:")
            for category in LIGHTHOUSE_SCORES:
                goal = 95 if category == "performance" else 100
                scores = [r["categories"][category]["score"] * 100 for r in reports]
                print(f"    {category:<16} {summary(scores, '  ', digits=0)}   goal >= {goal}")
                failing = sorted({a["id"] for r in reports for a in r["categories"][category]["auditRefs"]
                                  if a["weight"] and (r["audits"][a["id"]]["score"] or 0) < 1})
                if failing and min(scores) < 100:
                    print(f"      {'not passed':<14} {', '.join(failing)}")
            for audit, name, unit, goal in LIGHTHOUSE_METRICS:
                values = [r["audits"][audit]["numericValue"] for r in reports]
                print(f"    {name:<16} {summary(values, unit or '  ', digits=0 if unit else 3)}"
                      + (f"   goal <= {goal}" if goal else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-clone", action="store_true", help="skip the fresh-clone measurement")
    parser.add_argument("--pages-only", action="store_true", help="only the page weights and Lighthouse")
    parser.add_argument("--site", type=Path, help="measure this built site (an html folder) instead of a fresh build")
    parser.add_argument("--reading-only", action="store_true", help="only the reading words (fast; with --site)")
    args = parser.parse_args()
    if args.reading_only:
        args.pages_only = True

    if not args.pages_only:
        print("gradients against raw numpy")
        bench_gradients()
        for jobs, what in (("1", "serial"), (default_jobs(), "make html's default, twice the cores")):
            print(f"builds, sphinx-build -j {jobs} ({what}; scratch copies of the project, same environment)")
            bench_builds(args.repeats, jobs)
        if not args.skip_clone:
            print("fresh clone")
            bench_fresh_clone(args.repeats)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        html = args.site
        if html is None:
            build(ROOT, builddir=Path(tmp))
            html = Path(tmp) / "html"
        print(f"reading words per page ({html})")
        bench_reading(html)
        doctrees = html.parent / "doctrees"
        if doctrees.is_dir():
            print(f"typeset formulas ({doctrees})")
            bench_formulas(doctrees, args.repeats)
        if args.reading_only:
            return
        print(f"pages, as a phone fetches them (gzip, empty cache; {html})")
        bench_pages(html, args.repeats)
        print("lighthouse 12.2.3")
        bench_lighthouse(html, args.repeats)


if __name__ == "__main__":
    main()
