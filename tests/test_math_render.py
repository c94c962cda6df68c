"""Math is rendered while the site builds (conf.py, "Math"): every formula reaches the page as HTML for the eye and as
MathML for screen readers, styled by the stylesheet and fonts of the KaTeX release that wrote it."""

import re
from pathlib import Path

import pytest
import sphinxcontrib.katex
from buildkit import ROOT

KATEX_STATIC = ROOT / "book" / "_static" / "katex"


def test_vendored_katex_stylesheet_is_from_the_katex_that_renders_the_math():
    vendored = re.search(r"KaTeX (\d+\.\d+\.\d+)", (KATEX_STATIC / "README.txt").read_text())[1]
    script = (Path(sphinxcontrib.katex.__file__).parent / "katex.min.js").read_text(encoding="utf-8")
    rendering = re.search(r'version:"([0-9.]+)"', script)[1]
    assert vendored == rendering, (
        f"book/_static/katex holds KaTeX {vendored}'s stylesheet and fonts, but the math is rendered by KaTeX "
        f"{rendering} (sphinxcontrib-katex's katex.min.js): replace them with those of {rendering} (see README.txt)"
    )
    css = (KATEX_STATIC / "katex.min.css").read_text()
    fonts = re.findall(r"url\((fonts/[^)]+\.woff2)\)", css)
    assert fonts, "katex.min.css names no woff2 font"
    missing = [font for font in fonts if not (KATEX_STATIC / font).is_file()]
    assert not missing, f"katex.min.css needs fonts that book/_static/katex lacks: {missing}"


@pytest.mark.build
def test_every_formula_is_rendered_with_mathml_for_screen_readers(built_site):
    html, _ = built_site
    problems = []
    for page in sorted(html.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        # Sphinx marks each formula's element with the class "math" (a cell's LaTeX output too); the theme copies
        # section titles into the table of contents, writing their attributes in another order.
        formulas = len(re.findall(r'<(?:span|div) class="(?:[^"]* )?math(?: [^"]*)?"', text))
        mathml = len(re.findall(r'<span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/MathML"', text))
        hidden_html = len(re.findall(r'<span (?:aria-hidden="true" class="katex-html"|class="katex-html" '
                                     r'aria-hidden="true")>', text))
        if not formulas == mathml == hidden_html:
            problems.append(f"{page.name}: {formulas} formulas, {mathml} MathML copies, {hidden_html} visual copies "
                            "hidden from screen readers")
        if "katex-error" in text:
            problems.append(f"{page.name}: KaTeX wrote an error box")
    assert not problems, "\n".join(problems)
    assert "katex-mathml" in (html / "transpose.html").read_text(encoding="utf-8"), "transpose.html has no math"
