"""conf/math_punctuation.py: a formula keeps its punctuation on its line, a number in e-notation stays whole, and
neither moves a character of the text."""

import sys

from buildkit import ROOT
from docutils import nodes

sys.path.insert(0, str(ROOT / "conf"))
from math_punctuation import glue, keep_numbers_whole  # noqa: E402


def _paragraph(*children):
    paragraph = nodes.paragraph()
    for child in children:
        paragraph += child
    return paragraph


def test_a_formula_is_glued_to_its_own_full_stop_not_to_an_equal_one_earlier_in_the_paragraph():
    # "x ≥ 0 by (1). So a² ≥ 0." : two Text nodes "." that are equal strings.
    first, second = nodes.Text("."), nodes.Text(".")
    paragraph = _paragraph(nodes.math("", "x \\ge 0"), nodes.Text(" by "), nodes.reference("", "(1)"), first,
                           nodes.Text(" So "), nodes.math("", "a^2 \\ge 0"), second)
    before = paragraph.astext()
    glue(paragraph)
    assert paragraph.astext() == before
    wrapped = [node for node in paragraph.findall(nodes.inline) if "math-nowrap" in node["classes"]]
    assert [node.astext() for node in wrapped] == ["a^2 \\ge 0."]
    assert any(child is first for child in paragraph.children)


def test_a_number_in_e_notation_is_wrapped_whole_and_the_text_around_it_kept():
    paragraph = _paragraph(nodes.Text("error 5.7e-12, then"), nodes.emphasis("", "x"), nodes.Text("error 5.7e-12, then"),
                           nodes.literal("", "tol=1e-7"))
    before = paragraph.astext()
    keep_numbers_whole(paragraph)
    assert paragraph.astext() == before
    numbers = [node.astext() for node in paragraph.findall(nodes.inline) if "nowrap" in node["classes"]]
    assert numbers == ["5.7e-12", "5.7e-12"]  # and not the one in code
