"""Sphinx extension: a change to the site's own code (conf/) re-reads and re-writes every page.

Sphinx re-reads a page when its source or a configuration value changes, not when the code of an extension does: an
edit to a local extension in conf/ (how math is glued to its punctuation, the buttons written into each page, a
template) would otherwise reach only the pages edited since, and the next `make html` would publish a mix of old and
new pages. The digest of every file under conf/ is a configuration value (rebuild "env"), so any such edit makes every
page outdated. (The package's own code, src/backprop, has the same through the execution cache's key: conf/execution_cache.py.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx

CONF = Path(__file__).resolve().parent
# What does not change the pages: the anchors that tests compare (written by `make anchors`) and the lock file
# (conf.py's execution key covers it).
IGNORED = {"public-anchors.txt", "requirements.lock"}


def site_code_digest(folder: Path = CONF) -> str:
    """A digest of the names and bytes of every file under `folder` (bytecode and IGNORED files left out)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in IGNORED and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def setup(app: Sphinx) -> dict:
    app.add_config_value("site_code_digest", site_code_digest(), "env", types=frozenset({str}))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
