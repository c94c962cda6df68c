"""A page that gave a warning is read and written again by the next build, so that build fails again too.

Sphinx keeps what it has read. A page whose wrong formula (conf/formula_check.py), failing cell (conf/cell_errors.py)
or broken reference gave a warning failed the strict build; but an unchanged page is not read again, so the next
`make html` passed, and published it. Here the page of every warning is recorded (a handler on Sphinx's logger, which
also receives the warnings of the -j workers), kept in the doctrees folder (warned-pages.json), and handed to the
next build as outdated (env-get-outdated). A build without warnings leaves no such file.
"""

import json
import logging
import re
from pathlib import Path

from docutils import nodes
from sphinx.util.logging import get_node_location

FILE = "warned-pages.json"


def _docname(env, location) -> str | None:
    """The page a warning's location names: (docname, line), a node, "docname", or "/path/page.md:12"."""
    if isinstance(location, tuple):
        return location[0] or None
    if isinstance(location, nodes.Node):
        location = get_node_location(location)
    if not isinstance(location, str) or not location:
        return None
    if location in env.found_docs:
        return location
    return env.path2doc(re.sub(r":\d*$", "", location))


class _Recorder(logging.Handler):
    def __init__(self, app):
        super().__init__(logging.WARNING)
        self.app, self.pages = app, set()

    def emit(self, record) -> None:
        docname = _docname(self.app.env, getattr(record, "location", None))
        if docname:
            self.pages.add(docname)


def _path(app) -> Path:
    return Path(app.doctreedir) / FILE


def _start(app) -> None:
    path = _path(app)
    app._warned_before = set(json.loads(path.read_text())) if path.is_file() else set()
    app._warned_now = _Recorder(app)
    logging.getLogger("sphinx").addHandler(app._warned_now)


def _outdated(app, env, added, changed, removed) -> list[str]:
    return sorted((app._warned_before & env.found_docs) - set(removed))


def _finish(app, exception) -> None:
    logging.getLogger("sphinx").removeHandler(app._warned_now)
    pages = app._warned_now.pages | (app._warned_before if exception else set())
    path = _path(app)
    if pages:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sorted(pages)))
    else:
        path.unlink(missing_ok=True)


def setup(app):
    app.connect("builder-inited", _start)
    app.connect("env-get-outdated", _outdated)
    app.connect("build-finished", _finish, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
