"""`make stress`: several cold parallel builds at once, on one machine; every one must succeed.

Parallel builds must never fail for a reason that is not the book's (two kernels racing for one address, two workers
racing to create the execution cache). Each build runs `make html`, parallel as it is by default, in its own scratch
copy of the project, with an empty execution cache, all at the same time, so their kernels start at the same moments.

    .venv/bin/python tests/bench/stress.py [--builds 3] [--rounds 1]
"""

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from buildkit import copy_project, executed_pages, run_build  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builds", type=int, default=3, help="builds at once")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    failures = 0
    for round_ in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory(prefix="stress-") as tmp:
            projects = [copy_project(Path(tmp) / f"p{i}") for i in range(args.builds)]
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.builds) as pool:
                results = list(pool.map(run_build, projects))
            seconds = time.perf_counter() - start
        for i, result in enumerate(results):
            pages = len(executed_pages(result.stdout))
            ok = result.returncode == 0 and "build succeeded" in result.stdout
            failures += not ok
            print(f"round {round_}, build {i + 1}: {'ok' if ok else 'FAILED'}, {pages} pages executed")
            if not ok:
                print(result.stdout[-4000:])
        print(f"round {round_}: {args.builds} cold parallel builds at once in {seconds:.1f} s")
    print(f"{failures} of {args.builds * args.rounds} builds failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
