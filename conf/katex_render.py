"""Math rendered while the site builds: KaTeX, run in QuickJS, with every formula checked as its page is read.

sphinxcontrib-katex would run KaTeX under Node.js; here the katex.min.js of its own wheel runs in QuickJS (the
quickjs-ng wheel) inside the build, so `make html` still needs only Python. The one thing patched is
`sphinxcontrib.katex.render_latex`, which its HTML visitors call for each formula when `katex_prerender` is on:
`setup` checks that they still do, and fails the build naming this file if an upgrade moves it (a renderer that
silently stopped being used would publish raw TeX).

A formula KaTeX cannot render (or that is not standard LaTeX: `katex_build_options`' "strict") is found when its
page is read, and reported as a warning with its file and line; `-W --keep-going` reports every one, then fails the
build. When a page with such a formula is written anyway, the formula shows as its TeX in an error box, so the write
does not stop at the first one.
"""

import functools
import html
import inspect
import json
from pathlib import Path

import sphinxcontrib.katex
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)
_OPTIONS = {"throwOnError": True, "strict": "error", "output": "htmlAndMathml"}  # set from conf.py in setup


class KatexError(Exception):
    """KaTeX refused a formula: the message is KaTeX's first line."""


@functools.lru_cache(maxsize=None)
def _katex():
    """KaTeX's renderToString, loaded once per build process (each -j worker has its own QuickJS runtime)."""
    import quickjs

    context = quickjs.Context()
    context.eval((Path(sphinxcontrib.katex.__file__).parent / "katex.min.js").read_text(encoding="utf-8"))
    # The HTML goes back to Python as JSON: quickjs-ng hands a long concatenated string (a "rope") to its Python
    # wrapper in a form the wrapper cannot convert.
    context.eval(
        "function renderTeX(tex, options) { return JSON.stringify(katex.renderToString(tex, JSON.parse(options))); }"
    )
    return context.get("renderTeX")


@functools.lru_cache(maxsize=None)
def render_tex(tex: str, display: bool) -> str:
    """The HTML + MathML of one formula (pages repeat many formulas: each is rendered once per process)."""
    import quickjs

    options = json.dumps({**_OPTIONS, "displayMode": display})
    try:
        return json.loads(_katex()(tex, options))
    except quickjs.JSException as error:
        raise KatexError(str(error).splitlines()[0]) from None


def _render_latex(latex, options=None):
    """sphinxcontrib-katex's render_latex: KaTeX in QuickJS; a formula it refuses (already reported when its page was
    read) is written as its TeX in an error box."""
    display = bool((options or {}).get("displayMode"))
    try:
        return render_tex(latex, display)
    except KatexError as error:
        return f'<span class="katex-error" title="{html.escape(str(error))}">{html.escape(latex)}</span>'


def _check_page(app, doctree) -> None:
    """Every formula of the page, rendered now: each one KaTeX refuses is a warning at its file and line."""
    for node in doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))):
        display = isinstance(node, nodes.math_block)
        try:
            render_tex(node.astext(), display)
        except KatexError as error:
            kind = "display" if display else "inline"
            logger.warning(f"KaTeX cannot render {kind} math {node.astext()!r}: {error}", location=node,
                           type="katex", subtype="render")


def check_patch_point(katex_module=sphinxcontrib.katex) -> None:
    """Fail, naming this file, unless sphinxcontrib-katex still renders each formula through `render_latex`."""
    visitors = [getattr(katex_module, name, None) for name in ("html_visit_math", "html_visit_displaymath")]
    if not callable(getattr(katex_module, "render_latex", None)) or not all(
        callable(visit) and "render_latex(" in inspect.getsource(visit) for visit in visitors
    ):
        raise ExtensionError(
            "sphinxcontrib-katex no longer renders formulas through render_latex from html_visit_math and "
            "html_visit_displaymath: check conf/katex_render.py, which replaces render_latex, against the new version"
        )


def _configure(app, config) -> None:
    _OPTIONS.clear()
    _OPTIONS.update(config.katex_build_options)


def setup(app):
    check_patch_point()
    sphinxcontrib.katex.render_latex = _render_latex
    app.add_config_value("katex_build_options", dict(_OPTIONS), "html", types=(dict,))
    app.connect("config-inited", _configure)
    app.connect("doctree-read", _check_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
