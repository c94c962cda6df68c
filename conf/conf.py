"""Sphinx configuration of backprop-derived: the one place every build setting lives.

Built by `make html` as `sphinx-build -c conf book _build/html -W -n --keep-going`.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# -- Project ------------------------------------------------------------------------------------------------------
project = "backprop-derived"
author = "the backprop-derived authors"
copyright = "2026, the backprop-derived authors"
language = "en"

extensions = [
    "execution_cache",  # conf/execution_cache.py: the pages' cache and kernels
    "build_speed",  # conf/build_speed.py: Sphinx costs this book does without
    "build_lock",  # conf/build_lock.py: a second build in the same folder waits for the first
    "site_code",  # conf/site_code.py: an edit to conf/ (an extension, a template) re-reads every page
    "warned_pages",  # conf/warned_pages.py: a page that gave a warning is read again by the next build
    "cross_page",  # conf/cross_page.py: pages show parts of each other (see there)
    "myst_nb",
    "sphinx_exercise",  # exercises with solutions hidden until the reader opens them
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
    "cited_by",  # conf/cited_by.py: each bibliography entry links the pages that cite it
    "sphinxext.opengraph",  # og:title, og:url, og:description: what a forum shows when a link is pasted
    "sphinx_sitemap",
    "sphinx_reredirects",  # a page that moves leaves a redirect behind (conf/redirect.html keeps the #fragment)
    "public_links",  # conf/public_links.py: answer as description, alias anchors, one base URL
    "cell_errors",  # conf/cell_errors.py: a cell that raises is an error at its line in the .md page
    "formula_check",  # conf/formula_check.py: every display equation, as typeset, is evaluated (see its docstring)
    "math_punctuation",  # conf/math_punctuation.py: no line starts with the comma after a formula, no 1e-9 split
    "solution_titles",  # conf/solution_titles.py: a click anywhere on a solution's title opens it
    "accessible_html",  # conf/accessible_html.py: valid, accessible HTML from the extensions (see its docstring)
    "search_results",  # conf/search_results.py: section titles as plain text in the search index (see its docstring)
    "theme_patches",  # conf/theme_patches.py: the build fails if theme markup the templates patch has changed
    "lean_pages",  # conf/lean_pages.py: deferred scripts, stylesheets without unused rules (see its docstring)
    "notebook_download",  # conf/notebook_download.py: each executed page's notebook, with outputs, to download
    "copy_links",  # conf/copy_links.py: "copy link" buttons on labelled equations and answer boxes, in the HTML
    "report_error",  # conf/report_error.py: "Report an error" links to a new issue naming the page or equation
    "sphinxcontrib.katex",  # math, rendered while the site builds: see "Math" below
    "katex_render",  # conf/katex_render.py: KaTeX run inside the build, every formula checked as its page is read
    # The package's reference, book/api.md (issue 15, item 8): its numpydoc docstrings, with each function's source.
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "api_links",  # conf/api_links.py: docstrings link their equations, equations link their code (see its docstring)
]
sys.path.insert(0, str(Path(__file__).parent))  # the local extensions above live next to this file


def _round_brackets():
    from sphinxcontrib.bibtex.style.referencing import BracketStyle

    return BracketStyle(left="(", right=")", sep="; ")


def _register_citation_style():
    from dataclasses import dataclass, field

    import sphinxcontrib.bibtex.plugin
    from sphinxcontrib.bibtex.style.referencing import PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import (
        AuthorYearReferenceStyle,
    )

    @dataclass
    class RoundAuthorYear(AuthorYearReferenceStyle):
        bracket_textual: object = field(default_factory=_round_brackets)
        bracket_parenthetical: object = field(default_factory=_round_brackets)
        bracket_author: object = field(default_factory=_round_brackets)
        bracket_label: object = field(default_factory=_round_brackets)
        bracket_year: object = field(default_factory=_round_brackets)
        person: PersonStyle = field(default_factory=lambda: PersonStyle(other=" et al."))

    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", "author_year_round", RoundAuthorYear, force=True)


_register_citation_style()

bibtex_bibfiles = ["../book/references.bib"]  # paths here are relative to conf/
# One citation style, author and year with the year in round brackets: "Goodfellow et al. (2016)" in a sentence,
# "(Parr and Howard, 2018)" after one (sphinxcontrib-bibtex's author_year writes "[2016]" and a slanted "et al.").
bibtex_reference_style = "author_year_round"
bibtex_default_style = "plain"

exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# -- MyST ---------------------------------------------------------------------------------------------------------
myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "dollarmath",
    "substitution",  # {{ baseurl }}: the site's address (html_baseurl), on the page that explains links
]
# `$$ ... $$ (eq-label)` gives an equation a label that pages cite with {eq}`eq-label`.
myst_dmath_allow_labels = True
myst_heading_anchors = 0  # sections are linked by explicit labels only: those are the stable public anchors

# -- The package's reference (book/api.md) ----------------------------------------------------------------------
napoleon_google_docstring = False  # the docstrings are numpydoc's
napoleon_numpy_docstring = True
# Parameters and Returns as lists with their types as text: a type here is a shape ("numpy.ndarray, shape (n[l], m)"),
# which as a field (:type:) Sphinx would try to link word by word, and fail (no intersphinx: the build is offline).
napoleon_use_param = False
napoleon_use_rtype = False
napoleon_use_keyword = False
napoleon_use_ivar = True  # a class's attributes as one compact list, as its parameters
add_module_names = False  # "weight_gradient(dZ, A_prev)": the page's title names the package
toc_object_entries = False  # the page's "Contents" lists its sections, not its 53 functions
viewcode_line_numbers = True
html_domain_indices = False  # no "Python Module Index" page: the package is one module, and api.html is its index

# -- Execution: every page runs, strictly -------------------------------------------------------------------------
nb_execution_mode = "cache"
nb_execution_timeout = 60
# A failing cell is a warning (so an error under -W) at its own line, from conf/cell_errors.py; myst-nb carries on
# rather than stopping the build with a crash report, and logs the traceback.
nb_execution_raise_on_error = False
nb_execution_show_tb = True
# Any stderr output (a numpy RuntimeWarning, say) is an error; a cell that means it opts in with the cell metadata
# `mystnb: {output_stderr: show}`.
nb_output_stderr = "error"
nb_merge_streams = True
# Markdown that a cell displays (a table of computed shapes, say) is parsed as MyST, so tables render.
nb_render_markdown_format = "myst"

# conf/execution_cache.py acts on these (see its docstring).
# The folder of the build's caches (the pages' outputs, the stylesheet bundle): .cache
# here, or elsewhere with `make html CACHE=dir` (a read-only checkout, say).
cache_folder = str(ROOT / ".cache")
# What a page's outputs depend on besides its own cells (globs relative to this folder's
# parent): a change to any of them executes every page again.
execution_key_files = ["src/backprop/**/*.py", "conf/requirements.lock",
                       "conf/matplotlibrc", "conf/ipython_kernel_config.py"]
# The current execution cache and the three used last: switching back executes nothing.
execution_caches_kept = 4
# The style of every figure (in conf/): the kernels inherit MATPLOTLIBRC.
figure_style = "matplotlibrc"
# The kernels' IPython settings (in conf/): figures as SVG, without a date.
kernel_config = "ipython_kernel_config.py"

# -- Public URLs: a forum answer's link must work for years ------------------------------------------------------
# The site's address, set here and nowhere else: the canonical link, og:url, the sitemap and the text the copy-link
# buttons copy derive from it. Pages link to each other relatively, so a local build works wherever it is served.
# Build for another host with `make html SPHINXOPTS="-D html_baseurl=https://example.org/path/"`.
html_baseurl = "https://backprop-derived.github.io/"
# The repository, set here and nowhere else: the "Report an error" links (a new issue on its tracker) and the notebook
# download's "clone the repository" derive from it. Override it like html_baseurl: `-D repository_url=https://…`.
repository_url = "https://github.com/backprop-derived/backprop-derived"
# Pages that moved: {"old-page": "new-page.html"}. The old URL keeps working, and keeps the #fragment of the link.
redirects: dict[str, str] = {
    # The package's source pages (viewcode) of two modules whose one function each moved to the module of its concept
    # (issue 17); the #fragment, the function's name, is kept.
    "_modules/backprop/products": "activations.html",
    "_modules/backprop/one_sided": "gradcheck.html",
}
redirect_html_template_file = "../conf/redirect.html"  # relative to book/
# Anchors that were renamed: {"page": {"old-id": "new-id"}} keeps old-id working on the element now called new-id.
anchor_aliases: dict[str, dict[str, str]] = {}
ogp_site_name = "backprop-derived"
ogp_social_cards = {"enable": False}  # no generated images: the preview is the title and the one-line answer
ogp_description_length = 300  # for pages without an answer box, the opening text, cut at this length
sitemap_url_scheme = "{link}"
# The package's source as viewcode shows it (_modules/) is reached from api.html; the sitemap lists the book's pages.
sitemap_excludes = ["search.html", "genindex.html", "_modules/*"]
html_js_files = [("copy-link.js", {"defer": "defer"}), ("tab-stops.js", {"defer": "defer"}),
                 ("contents-follow.js", {"defer": "defer"})]

# -- HTML ---------------------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "backprop-derived"
html_static_path = ["../book/_static"]
html_css_files = ["site.css", "lean.css"]
# Template overrides, each commented with what it fixes: accessibility (axe, vnu findings), the phone's menu button
# (sections/header.html), and lean pages (layout.html drops the theme's Font Awesome script, 540 KB gzipped, its
# script preloads, its two stylesheets, which conf/lean_pages.py bundles with the others into _static/pages.css, and,
# where nothing uses them, the search scripts and index; book/_static/lean.css draws the theme's icons from Font
# Awesome's SVG paths and leaves off-screen sections unlaid until they are scrolled to).
templates_path = ["_templates"]
# A favicon of our own: without one, every browser asks for /favicon.ico and gets a 404.
html_favicon = "../book/_static/favicon.svg"
# The colour mode before the reader picks one: "auto" follows the system setting. Left unset, the theme logs "Got
# invalid theme mode" to the console on a first visit. (pydata-sphinx-theme reads it from the template context.)
html_context = {"default_mode": "auto"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    # The theme's download button would offer the page's Markdown source and the browser's print, never the executed
    # notebook (MyST-NB 1.4 does not tell the theme of one), in an icon menu: each executed page's footer links to
    # the notebook instead, in words (conf/notebook_download.py).
    "use_download_button": False,
    "use_fullscreen_button": False,
    # below the article: the executed notebook to download, and "Report an error" (issue 15, items 7 and 10)
    "article_footer_items": ["notebook-download.html", "report-error.html"],
}
# -- Search (issue 15, item 3) -------------------------------------------------------------------------------------
# conf/search_results.js ranks a page whose title matches first, adds a result for each matching section title
# (page.html#section), and builds each summary from the article alone, with each formula once, as plain text.
# Sphinx opens this path from the working directory, hence absolute.
html_search_scorer = str(ROOT / "conf" / "search_results.js")
# One search entry point on a wide screen: the top bar's. sphinx-book-theme's sidebar repeats it (its default list,
# less search-button-field.html); on a phone, where the top bar is hidden, the article header's magnifier stays.
html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "sbt-sidebar-nav.html"]}

html_last_updated_fmt = None
html_show_sphinx = False


# -- Math: KaTeX, rendered while the site builds --------------------------------------------------------------------
# Chosen by measurement on the real pages against MathJax 3 (CHTML, SVG, a lean component set) and KaTeX run in the
# browser (issue 7; `make bench` prints the page weights): prerendered KaTeX sends the fewest bytes, runs no script
# and shows the math with the first paint. Each formula is written twice, as HTML for the eye and as MathML, which
# screen readers read (KaTeX's "htmlAndMathml" output). conf/katex_render.py runs KaTeX inside the build (no Node.js)
# and reports each formula it cannot render at its file and line. The stylesheet and fonts of the same KaTeX release
# are in book/_static/katex (see its README.txt).
html_math_renderer = "katex"
katex_prerender = True
katex_css_path = "katex/katex.min.css"
# A formula KaTeX cannot parse, or that is not standard LaTeX ("strict"), fails the build, as a failing cell does.
katex_build_options = {"throwOnError": True, "strict": "error", "output": "htmlAndMathml"}
