"""Math is rendered while the site builds (conf.py, "Math"): every formula reaches the page as HTML for the eye and as
MathML for screen readers, styled by the stylesheet and fonts of the KaTeX release that wrote it."""

import re
import sys
import types
from pathlib import Path

import pytest
import sphinxcontrib.katex
from buildkit import ROOT
from sphinx.errors import ExtensionError

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


sys.path.insert(0, str(ROOT / "conf"))
import katex_render  # noqa: E402  (conf/ is where Sphinx loads it from)


def test_the_patched_katex_renderer_is_still_the_one_sphinxcontrib_katex_calls():
    katex_render.check_patch_point()  # the pinned sphinxcontrib-katex


def test_a_sphinxcontrib_katex_that_no_longer_calls_render_latex_fails_the_build_naming_the_patch():
    def html_visit_math(self, node):  # an upgrade that renders some other way
        return self

    moved = types.SimpleNamespace(render_latex=lambda latex, options=None: latex, html_visit_math=html_visit_math,
                                  html_visit_displaymath=html_visit_math)
    with pytest.raises(ExtensionError, match="conf/katex_render.py"):
        katex_render.check_patch_point(moved)


def test_a_formula_katex_refuses_is_an_error_of_its_own():
    assert "katex-mathml" in katex_render.render_tex(r"dW^{[l]}", False)
    with pytest.raises(katex_render.KatexError, match="Undefined control sequence"):
        katex_render.render_tex(r"\notacommand x", True)
