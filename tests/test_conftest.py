"""tests/conftest.py: what pytest-xdist's workers share (the built sites) is made once per run, by the first worker
that needs it, while the other waits for it."""

import threading
import time
from pathlib import Path

from conftest import once_per_run


def waiting_for_a_lock_on(path: Path) -> bool:
    """Whether a process or thread waits for a lock on `path`: Linux lists the waiters in /proc/locks, after '->'."""
    inode = f":{path.stat().st_ino} "
    return any("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


def test_a_folder_two_workers_need_at_once_is_made_by_one_while_the_other_waits(tmp_path):
    made = []

    def make(folder):
        made.append(folder)
        (folder / "index.html").write_text("built")
        # The first worker finishes only once the second waits: had it not waited, it would be making the folder too.
        deadline = time.monotonic() + 10
        while not waiting_for_a_lock_on(tmp_path / "site.lock") and time.monotonic() < deadline:
            time.sleep(0.01)
        return f"log of build {len(made)}"

    results = []
    workers = [threading.Thread(target=lambda: results.append(once_per_run(tmp_path, "site", make)))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(made) == 1, f"made {len(made)} times"
    assert results == [(tmp_path / "site", "log of build 1")] * 2
    assert (tmp_path / "site" / "index.html").read_text() == "built"


def test_a_folder_whose_making_failed_is_made_again_from_scratch(tmp_path):
    def fail(folder):
        (folder / "half.html").write_text("half")
        raise RuntimeError("the build failed")

    try:
        once_per_run(tmp_path, "site", fail)
    except RuntimeError:
        pass
    folder, log = once_per_run(tmp_path, "site", lambda folder: "built")
    assert log == "built" and not (folder / "half.html").exists()
