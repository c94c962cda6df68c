"""Issue 15, item 6: figure captions and table cells write a layer's array as math ($Z^{[2]}$), as the prose does,
not as plain text ("Z[2]") next to typeset formulas. Code (`dZ[1]` in a <code> span) keeps the code's spelling."""

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.build

# A layer's array in plain text: Z[2], dW[1], A[l-1], W[l], dZ[L].
PLAIN = re.compile(r"\b[A-Za-z]+\[(?:\d|l|L|l[-+]1)\]")


def test_no_caption_or_table_cell_writes_a_layers_array_as_plain_text(built_site):
    found = []
    for page in sorted(built_site[0].glob("*.html")):
        main = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("main")
        if main is None:
            continue
        for cell in main.select("figcaption, td, th"):
            for skipped in cell.select(".katex, code, pre"):
                skipped.decompose()
            text = cell.get_text(" ", strip=True)
            if PLAIN.search(text):
                found.append(f"{page.name} <{cell.name}>: {PLAIN.findall(text)} in {text[:80]!r}")
    assert not found, "plain-text math:\n  " + "\n  ".join(found)
