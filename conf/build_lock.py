"""One build at a time in one build folder: a second `make html` there waits for the first, and says so.

Two builds writing one `_build` at once trip over each other: the second read the first's half-written environment
(a false "the theme changed, rebuilding everything"), and one removed KaTeX files the other was copying
(FileNotFoundError). Here each build takes an exclusive lock on `<build folder>/.build-lock` before Sphinx loads its
environment (on config-inited, the first event after conf.py loads) and holds it until the process exits, which
releases it however the build ends (an error, Ctrl-C, SIGKILL). Builds into different folders do not wait for each
other. fcntl locks exist on Linux and macOS; where they do not (Windows), builds are not serialised.
"""

from pathlib import Path

_held = []  # the open lock file, kept open (and so locked) for the life of the process


def _lock(app, config) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX
        return
    from sphinx.util import logging

    folder = Path(app.doctreedir).parent
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".build-lock", "a+")  # noqa: SIM115 - held open until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        logging.getLogger(__name__).info(f"a build is running in {folder}; this one waits for it to finish")
        fcntl.flock(handle, fcntl.LOCK_EX)
    _held.append(handle)


def setup(app):
    app.connect("config-inited", _lock, priority=0)  # before any other handler touches the build folder
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
