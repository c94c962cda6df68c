"""conf/lean_pages.py: one stylesheet without the rules no page can use, scripts that do not block the first paint.

The unit tests pin down what counts as unused (never too much: a rule that might match stays). The browser tests show
every page, in both colour modes and at both widths, with the lean stylesheet and with the theme's full stylesheets,
and require the same pixels.
"""

import io
import re
import sys
import zlib

import pytest
from browserkit import DESKTOP, EVERY_SECTION_LAID_OUT, PHONE
from buildkit import ROOT

sys.path.insert(0, str(ROOT / "conf"))
import lean_pages  # noqa: E402
from sphinx.builders.html._assets import _JavaScript  # noqa: E402

PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md")) + ["genindex", "search"]


def lean(css, names, prefixes=()):
    return lean_pages.lean_stylesheet(css, set(names), tuple(prefixes))


# -- what counts as unused -----------------------------------------------------------------------------------------
def test_a_rule_for_a_class_that_no_page_has_is_dropped_and_one_for_a_class_a_page_has_is_kept():
    css = ".carousel{color:red}.note{color:blue}"
    assert lean(css, {"note"}) == ".note{color:blue}"


def test_a_rule_is_kept_whole_when_any_one_of_its_selectors_can_match():
    css = ".carousel,.note p{margin:0}"
    assert lean(css, {"note"}) == css


def test_tags_attributes_and_the_arguments_of_not_are_not_required():
    rules = ["p:not(.carousel){a:1}", '[data-x=".carousel"] b{a:2}', ".note:is(.a,.b){a:3}", ".note:has(> .toast){a:4}"]
    assert lean("".join(rules), {"note"}) == "\n".join(rules)  # the lean stylesheet has one top-level rule a line


def test_an_id_counts_like_a_class():
    assert lean("#main-content{a:1}#missing{a:2}", {"main-content"}) == "#main-content{a:1}"


def test_a_selector_with_an_escape_is_kept_since_it_cannot_be_read_with_certainty():
    css = ".md\\:flex{display:flex}"
    assert lean(css, set()) == css


def test_rules_inside_media_queries_are_filtered_and_an_emptied_media_query_goes():
    css = "@media (min-width:960px){.note{a:1}.toast{a:2}}@media print{.toast{a:3}}"
    assert lean(css, {"note"}) == "@media (min-width:960px){.note{a:1}}"


def test_font_faces_keyframes_custom_properties_and_licence_comments_are_kept():
    css = ("/*! Bootstrap, MIT licence */\n/* an ordinary comment */\n:root{--x:1}"
           "@font-face{font-family:K;src:url(k.woff2)}@keyframes spin{to{transform:rotate(1turn)}}")
    assert lean(css, set()) == ("/*! Bootstrap, MIT licence */\n:root{--x:1}\n@font-face{font-family:K;src:url(k.woff2)}"
                                "\n@keyframes spin{to{transform:rotate(1turn)}}")


def test_every_word_of_a_script_counts_as_used_and_a_word_ending_in_a_dash_as_a_prefix():
    page = '<div class="note  warning" id=top><script>el.classList.add("open")</script></div>'
    script = "const NAME = 'toast'; el.className = `bs-${name}-auto`;"
    names, prefixes = lean_pages.used_names([page], [script])
    assert {"note", "warning", "top", "open", "toast"} <= names
    assert "bs-" in prefixes
    assert lean(".bs-tooltip-auto{a:1}.carousel{a:2}", names, prefixes) == ".bs-tooltip-auto{a:1}"


# -- the bundle ----------------------------------------------------------------------------------------------------
def test_the_bundle_rebases_urls_inlines_imports_and_drops_fonts_whose_files_are_gone(tmp_path):
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    (tmp_path / "_static" / "katex" / "fonts").mkdir(parents=True)
    (tmp_path / "_static" / "katex" / "fonts" / "K.woff2").write_bytes(b"font")
    (tmp_path / "_static" / "basic.css").write_text(".note{a:1}")
    (tmp_path / "_static" / "styles" / "theme.css").write_text('@import "../basic.css";\n.toast{a:2}')
    (tmp_path / "_static" / "katex" / "katex.css").write_text(
        "@font-face{font-family:K;src:url(fonts/K.woff2)}@font-face{font-family:Gone;src:url(fonts/gone.woff2)}"
        '.note{background:url("data:image/svg+xml,<svg/>")}')
    sources = ["_static/styles/theme.css", "_static/katex/katex.css"]
    css = lean_pages.bundle(tmp_path, sources, {"note"})
    assert '@font-face{font-family:K;src:url("katex/fonts/K.woff2")}' in css
    assert "Gone" not in css and ".toast" not in css
    assert ".note{a:1}" in css and '.note{background:url("data:image/svg+xml,<svg/>")}' in css
    assert lean_pages.bundle_sources(css) == sources
    assert ".toast{a:2}" in lean_pages.bundle(tmp_path, sources, None)  # the reference drops nothing


def test_the_bundle_is_kept_between_builds_and_made_again_when_a_stylesheet_or_a_name_changes(tmp_path, monkeypatch):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "site.css").write_text(".note{a:1}.toast{a:2}")
    made = []
    real_bundle = lean_pages.bundle
    monkeypatch.setattr(lean_pages, "bundle", lambda *args: made.append(args) or real_bundle(*args))
    cache = str(tmp_path / "cache")

    def lean_bundle(names):
        return lean_pages._cached(cache, tmp_path, ["_static/site.css"], names, ())

    first = lean_bundle({"note"})
    assert lean_bundle({"note"}) == first and len(made) == 1  # the second build reads it back
    assert ".toast" in lean_bundle({"note", "toast"}) and len(made) == 2  # a page now has .toast
    (tmp_path / "_static" / "site.css").write_text(".note{a:3}")
    assert ".note{a:3}" in lean_bundle({"note"}) and len(made) == 3  # the stylesheet changed
    assert len(list((tmp_path / "cache").iterdir())) == 1  # only the newest is kept


def test_the_theme_script_loses_exactly_its_eager_tab_stop_pass_and_a_changed_theme_fails_the_build():
    theme = 'a(),"complete"===document.readyState?I():window.addEventListener("load",I),b()'
    assert lean_pages.without_eager_tab_stops(theme) == "a(),void 0,b()"
    with pytest.raises(lean_pages.ExtensionError, match="found 0"):
        lean_pages.without_eager_tab_stops("a(),b()")


def test_script_files_are_deferred_except_documentation_options_and_inline_scripts():
    context = {"script_files": [
        _JavaScript("_static/documentation_options.js", priority=200),
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript(None, body="var x = 1;"),
        _JavaScript("_static/copy-link.js", defer="defer"),
    ]}
    lean_pages.defer_scripts(None, "page", "page.html", context, None)
    attributes = {str(js.filename): js.attributes for js in context["script_files"]}
    assert attributes["_static/documentation_options.js"] == {}
    assert attributes["_static/doctools.js"] == {"defer": "defer"}
    assert attributes["None"] == {"body": "var x = 1;"}
    assert attributes["_static/copy-link.js"] == {"defer": "defer"}


# -- the built site ------------------------------------------------------------------------------------------------
@pytest.mark.build
@pytest.mark.parametrize("name", PAGES)
def test_every_page_links_one_versioned_stylesheet_and_blocks_on_no_script_but_documentation_options(built_site, name):
    html, _ = built_site
    head = (html / f"{name}.html").read_text(encoding="utf-8").split("</head>")[0]
    stylesheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', head)
    version = f"{zlib.crc32((html / '_static' / 'pages.css').read_bytes()):08x}"
    assert stylesheets == [f'<link rel="stylesheet" type="text/css" href="_static/pages.css?v={version}" />']
    blocking = [src for attributes, src in re.findall(r"<script([^>]*)src=\"([^\"]+)\"", head)
                if "defer" not in attributes and "async" not in attributes]
    if name != "search":  # search.html loads Sphinx's search scripts as its template writes them (see defer_scripts)
        assert [src.split("?")[0] for src in blocking] == ["_static/documentation_options.js"]
    # No script is preloaded (they are deferred); a page with math preloads the KaTeX fonts its formulas use
    # (conf/_templates/layout.html), which would otherwise arrive after the first paint and move the text.
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="([^"]+)"', head)
    assert head.count('rel="preload"') == len(preloads)
    assert all(kind == "font" and "_static/katex/fonts/" in href for href, kind in preloads), preloads
    has_math = 'class="katex"' in (html / f"{name}.html").read_text(encoding="utf-8")
    assert ("_static/katex/fonts/KaTeX_Main-Regular.woff2", "font") in preloads or not has_math, preloads


@pytest.fixture(scope="module")
def full_stylesheet(built_site):
    """The bundle as it would be with every rule of the stylesheets it was made from."""
    html, _ = built_site
    css = (html / "_static" / "pages.css").read_text(encoding="utf-8")
    return lean_pages.bundle(html, lean_pages.bundle_sources(css), None)


@pytest.mark.build
def test_the_bundle_is_less_than_half_of_the_full_stylesheets(built_site, full_stylesheet):
    html, _ = built_site
    css = (html / "_static" / "pages.css").read_text(encoding="utf-8")
    assert len(lean_pages.bundle_sources(css)) >= 10  # the theme's, Sphinx's, the extensions' and the site's own
    assert len(zlib.compress(css.encode())) < 0.5 * len(zlib.compress(full_stylesheet.encode()))


def screenshot(context, url, css=None, before=None):
    """A full-page screenshot of `url`, with every section laid out; with `css` in place of the lean bundle."""
    page = context.new_page()
    if css is not None:
        page.route("**/_static/pages.css*", lambda route: route.fulfill(body=css, content_type="text/css"))
    page.goto(url, wait_until="load")
    page.add_style_tag(content=EVERY_SECTION_LAID_OUT + " "
                               "*, *::before, *::after { transition: none !important; animation: none !important; }")
    page.wait_for_selector("html[data-math-ready]", state="attached")
    page.evaluate("document.fonts.ready.then(() => true)")  # every font the laid-out page uses, loaded
    if before:
        before(page)
    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    page.close()
    return png


def pixel_difference(lean_png, full_png):
    """How many pixels differ between two screenshots, and by how much at most (0-255);
    None if the sizes differ."""
    import numpy as np
    from PIL import Image

    # A long page is 20 million pixels, of which a few hundred differ at most when the
    # pair agrees: each pixel is compared as one 32-bit word, and only those that
    # differ are subtracted (a third of the time of subtracting them all).
    lean_pixels, full_pixels = (np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
                                for png in (lean_png, full_png))
    if lean_pixels.shape != full_pixels.shape:
        return None
    differ = lean_pixels.view(np.uint32)[..., 0] != full_pixels.view(np.uint32)[..., 0]
    if not differ.any():
        return 0, 0
    lean_differ, full_differ = (pixels[differ].astype(np.int16)
                                for pixels in (lean_pixels, full_pixels))
    return int(differ.sum()), int(abs(lean_differ - full_differ).max())


# Chromium does not always rasterise a long page the same way twice. With one and the same stylesheet, two
# screenshots of products.html differed in 1,080 pixels (0.013 %) by up to 48 levels of 255, at the rounded corners of
# code cells; and once, on index.html, one word of inline code was drawn a fraction of a pixel lower (91 pixels, up to
# 206 levels). A rule that the lean stylesheet lost shows more, and every time: pygments' colours, lost once, changed
# 172,791 pixels of activations.html (2 %) by up to 245 levels. So a pair may differ by NOISE_SHARE of its pixels, each
# by NOISE_LEVELS at most, and a pair that differs more is taken again, up to ATTEMPTS times.
NOISE_SHARE, NOISE_LEVELS, ATTEMPTS = 0.0005, 64, 3


def assert_looks_the_same(take, what):
    """`take(css)` screenshots a page with the lean bundle (css=None) or the full one: the pixels must agree."""
    for _ in range(ATTEMPTS):
        lean_png, full_png = take(None), take("full")
        if lean_png == full_png:
            return
        difference = pixel_difference(lean_png, full_png)
        if difference is not None and difference[0] <= NOISE_SHARE * _pixel_count(lean_png) \
                and difference[1] <= NOISE_LEVELS:
            return
    out = ROOT / "_build" / "screenshots" / "lean-pages"
    out.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"\W+", "-", what)
    (out / f"{slug}-lean.png").write_bytes(lean_png)
    (out / f"{slug}-full.png").write_bytes(full_png)
    raise AssertionError(f"{what}, with the lean stylesheet and with the full ones: "
                         + ("the pages differ in size" if difference is None else
                            f"{difference[0]} pixels differ, by up to {difference[1]} levels")
                         + f", {ATTEMPTS} times in a row (screenshots in {out})")


def _pixel_count(png: bytes) -> int:
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's IHDR
    return width * height


def test_pixel_difference_counts_the_pixels_that_differ_and_the_largest_difference():
    from PIL import Image

    def png(size, changed=()):
        image = Image.new("RGB", size, (255, 255, 255))
        for xy, colour in changed:
            image.putpixel(xy, colour)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    plain = png((4, 3))
    two = png((4, 3), [((0, 0), (255, 200, 255)), ((3, 2), (250, 255, 255))])
    assert pixel_difference(plain, two) == (2, 55)
    assert pixel_difference(plain, plain) == (0, 0)
    assert pixel_difference(plain, png((4, 4))) is None


@pytest.mark.build
def test_a_rule_the_lean_stylesheet_lacks_fails_the_comparison_naming_the_page(
        browser, site_url, full_stylesheet):
    context = browser.new_context(viewport=PHONE)
    red = full_stylesheet + "h1{color:#f00 !important}"
    url = f"{site_url}genindex.html"
    try:
        with pytest.raises(AssertionError, match=r"genindex\.html, with the lean "
                                                 r"stylesheet .* pixels differ"):
            assert_looks_the_same(lambda css: screenshot(context, url, css and red),
                                  "genindex.html")
    finally:
        context.close()


# Whether a rule stays depends only on the class and id names in its selectors, never on a media query or on the colour
# mode, so each page is compared once at each width and once in each mode.
@pytest.mark.build
@pytest.mark.parametrize(("viewport", "mode"), [(PHONE, "light"), (DESKTOP, "dark")], ids=["390px-light", "1280px-dark"])
def test_every_page_looks_the_same_with_the_lean_stylesheet_as_with_the_full_ones(
        browser, site_url, full_stylesheet, viewport, mode):
    context = browser.new_context(viewport=viewport, color_scheme=mode)
    try:
        for name in PAGES:
            url = f"{site_url}{name}.html"
            assert_looks_the_same(lambda css: screenshot(context, url, css and full_stylesheet),
                                  f"{name}.html at {viewport['width']} px, {mode}")
    finally:
        context.close()


def open_sidebar(page):
    page.click("button.primary-toggle")
    page.wait_for_selector("dialog#pst-primary-sidebar-modal[open]")


def open_search(page):
    page.click("button.search-button__button:visible >> nth=0")
    page.wait_for_selector("dialog#pst-search-dialog[open]")


def open_solution(page):
    page.click(".solution.dropdown .toggle-button >> nth=0")
    page.wait_for_selector(".solution.dropdown:not(.toggle-hidden) >> nth=0")


def show_tooltip(page):
    page.hover("button.search-button__button:visible >> nth=0")
    page.wait_for_selector(".tooltip.show")


@pytest.mark.build
@pytest.mark.parametrize(("name", "viewport", "state"), [
    ("transpose", PHONE, open_sidebar),
    ("transpose", PHONE, open_search),
    ("chain-rule", PHONE, open_solution),
    ("transpose", DESKTOP, show_tooltip),
], ids=lambda value: getattr(value, "__name__", None))
def test_what_the_theme_scripts_open_looks_the_same_with_the_lean_stylesheet(
        browser, site_url, full_stylesheet, name, viewport, state):
    context = browser.new_context(viewport=viewport)
    try:
        url = f"{site_url}{name}.html"
        assert_looks_the_same(lambda css: screenshot(context, url, css and full_stylesheet, state),
                              f"{name}.html at {viewport['width']} px, {state.__name__}")
    finally:
        context.close()


@pytest.mark.build
def test_the_theme_script_no_longer_measures_every_block_at_load_and_every_page_loads_tab_stops(built_site):
    html, _ = built_site
    theme = (html / "_static" / lean_pages.THEME_SCRIPT).read_text(encoding="utf-8")
    assert not lean_pages.EAGER_TAB_STOPS.search(theme) and 'addEventListener("load"' not in theme
    for name in PAGES:
        assert re.search(r'<script defer="defer" src="_static/tab-stops\.js\?v=', (html / f"{name}.html").read_text()), name


@pytest.mark.build
def test_code_blocks_far_below_can_be_focused_and_near_the_screen_only_those_that_scroll_sideways(browser, site_url):
    """book/_static/tab-stops.js, in place of the theme's pass over every block at load."""
    context = browser.new_context(viewport=DESKTOP)  # where some blocks scroll and some do not
    page = context.new_page()
    page.goto(f"{site_url}gradient-checking.html", wait_until="load")  # tab-stops.js is deferred: it has run
    far = page.evaluate("""() => [...document.querySelectorAll('pre, .cell_output > .output')]
        .filter(e => e.getBoundingClientRect().top > 3 * innerHeight).map(e => e.tabIndex)""")
    assert far and set(far) == {0}, f"blocks far below the screen cannot all be focused: tab indexes {far}"
    kinds = page.evaluate("""async () => {
        const kinds = [];
        // Code in a collapsed cell is not rendered until it is opened: open them all, as a reader would.
        document.querySelectorAll('details').forEach(d => { d.open = true; });
        for (const e of document.querySelectorAll('pre, .cell_output > .output')) {
            e.scrollIntoView();
            // Wait, frame by frame (2 s at most), for the page's observer to set the tab stop this block needs.
            const scrolling = () => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight;
            const until = performance.now() + 2000;
            while (e.tabIndex !== (scrolling() ? 0 : -1) && performance.now() < until)
                await new Promise(r => requestAnimationFrame(r));
            const scrolls = scrolling();
            kinds.push([scrolls, e.tabIndex]);
        }
        return kinds; }""")
    context.close()
    assert {scrolls for scrolls, _ in kinds} == {True, False}, "the page needs blocks that scroll and blocks that do not"
    wrong = [(scrolls, index) for scrolls, index in kinds if index != (0 if scrolls else -1)]
    assert not wrong, f"{len(wrong)} of {len(kinds)} blocks have the wrong tab stop once on screen: {wrong[:5]}"


@pytest.mark.build
def test_on_a_phone_every_display_formula_that_scrolls_sideways_can_be_reached_with_the_keyboard(browser, site_url):
    """Whichever box scrolls must get the tab stop from tab-stops.js (site.css makes it .katex-display: KaTeX's
    .katex-html inside it is aria-hidden): a wide formula that only a finger can scroll is out of a keyboard user's
    reach."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site_url}transpose.html", wait_until="load")
    unreachable = page.evaluate("""async () => {
        const scrollBoxes = math => [math, ...math.querySelectorAll('*')].filter(e =>
            !e.closest('.katex-mathml') && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
            && e.scrollWidth > e.clientWidth + 1);
        const found = [], unreachable = [];
        for (const math of document.querySelectorAll('div.math')) {
            math.scrollIntoView();
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            for (const box of scrollBoxes(math)) {
                found.push(box);
                // Wait, frame by frame (2 s at most), for the page's observer to set the tab stop.
                const until = performance.now() + 2000;
                while (box.tabIndex !== 0 && performance.now() < until)
                    await new Promise(r => requestAnimationFrame(r));
                if (box.tabIndex !== 0) unreachable.push(`${math.id || 'a formula'}: ${box.className}`);
            }
        }
        return {found: found.length, unreachable}; }""")
    context.close()
    assert unreachable["found"], "transpose.html needs a display formula wider than a phone"
    assert not unreachable["unreachable"], "cannot be focused: " + ", ".join(unreachable["unreachable"])
