"""A cell that raises fails the build with a clean error at the cell's line in its .md page, not a crash.

myst-nb, told to raise on a failing cell (nb_execution_raise_on_error), stops the build with Sphinx's crash banner
("please report this") and names the page but not the cell's line. Here conf.py lets myst-nb carry on instead
(nb_execution_raise_on_error = False; it still logs the traceback as a warning), and this extension turns each
error output of a cell into a warning at that cell's line, naming the exception. The build is strict (-W), so the
page is never published with an error in it; `--keep-going` reports every failing cell of every page at once.
A cell tagged `raises-exception` shows its error on purpose and is left alone. The next build reads the page
again even if nothing changed (conf/warned_pages.py), so it fails too.
"""

import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _raising_line(source: str, cell_index: int, traceback: str) -> int | None:
    """The line of the .md page on which the cell's code raised: the cell's first line, from myst-nb's own map of the
    page, plus the line IPython names in the traceback ("Cell In[3], line 4")."""
    from myst_nb.core.read import read_myst_markdown_notebook

    starts = read_myst_markdown_notebook(Path(source).read_text(encoding="utf-8"), add_source_map=True).metadata.get(
        "source_map", []
    )
    within = re.search(r"Cell In\[\d+\], line (\d+)", traceback)
    if cell_index >= len(starts):
        return None
    return starts[cell_index] + (int(within.group(1)) if within else 0)  # starts are 0-based, the cell's lines 1-based


def _failing_cells(app, doctree) -> None:
    for cell in doctree.findall(lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "cell_code"):
        if "raises-exception" in (cell.get("cell_metadata") or {}).get("tags", []):
            continue
        for block in cell.findall(nodes.literal_block):
            if {"output", "traceback"} <= set(block["classes"]):
                traceback = block.astext()
                lines = [line for line in traceback.splitlines() if line.strip()]
                raised = lines[-1].strip() if lines else "an exception"
                source = doctree.get("source") or app.env.doc2path(app.env.docname)
                line = _raising_line(source, cell.get("cell_index", 0), traceback) or block.line
                logger.warning(f"a cell raised {raised}", location=(app.env.docname, line), type="cell",
                               subtype="error")


def setup(app):
    app.connect("doctree-read", _failing_cells)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
