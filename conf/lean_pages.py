"""Sphinx extension: pages that paint quickly on a phone over a slow connection.

A reader who follows a forum link waits, before anything is painted, for the page and for every stylesheet and
script in its <head>, and then for the work the scripts do. The theme makes both longer than they need to be; this
extension undoes each cause below after the theme has done its work. `make bench` measures the result (Lighthouse,
mobile).

1. Scripts in <head> stop the browser from painting until they are fetched and run. Every script file is loaded with
   `defer` instead (in the same order, once the page is parsed), except documentation_options.js: it is 0.3 KB, and the
   inline lines that follow it set its fields. The theme's preloads of its two deferred scripts, which competed with
   the stylesheets for the connection, are dropped in conf/_templates/layout.html.
2. Eleven stylesheets, each a request the first paint waits for, and the theme's own is all of Bootstrap and more:
   376 KB (64 KB compressed), of which a page uses less than a tenth. Every page links one stylesheet instead,
   _static/pages.css, written when the build ends: the site's stylesheets in their cascade order (the theme's two,
   then Sphinx's list), each without the rules that cannot match anything on the site (see `unused_rule`). Rules for
   markup that the theme's scripts create are kept, because every word of every script counts as used. The
   stylesheets themselves stay in _static as the extensions wrote them (no page links them), and the bundle names them
   in its first comment, so tests/test_lean_pages.py can show every page with the full rules and compare the pixels.
3. The theme's script measures every code block and output when the page has loaded, to give those that scroll a tab
   stop; that lays out every off-screen section at once. That one call is taken out of its script, and
   book/_static/tab-stops.js does the same work lazily (see there).
4. Files that the theme copies into _static and no page loads (Font Awesome's script and fonts, which
   conf/_templates/layout.html does not load, and source maps, which would not match the bundle) are removed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zlib
from collections.abc import Iterable
from pathlib import Path

import tinycss2
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript
from sphinx.errors import ExtensionError
from theme_patches import THEME

# -- 1. scripts ----------------------------------------------------------------------------------------------------
SYNCHRONOUS_SCRIPTS = {"documentation_options.js"}  # inline lines after it assign DOCUMENTATION_OPTIONS.pagename


def defer_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give every script file of the page `defer` (inline scripts stay as they are: they only set variables).

    Not on search.html, whose template loads Sphinx's search scripts without `defer`, and they need doctools.js first.
    """
    if pagename == "search":
        return
    scripts = []
    for script in context.get("script_files", []):
        name = Path(str(script.filename)).name if script.filename else None
        blocking = not ({"defer", "async"} & set(script.attributes)) and script.attributes.get("type") != "module"
        if name and name not in SYNCHRONOUS_SCRIPTS and blocking:
            script = _JavaScript(script.filename, priority=script.priority, **script.attributes, defer="defer")
        scripts.append(script)
    context["script_files"] = scripts


# -- 2. stylesheets ------------------------------------------------------------------------------------------------
CLASS_OR_ID = re.compile(r"([.#])(-?[_a-zA-Z][\w-]*)")
FUNCTIONAL_PSEUDO = re.compile(r"::?[\w-]+\(")  # :not(…), :is(…), :has(…), :nth-child(… of .x), ::part(…)
WORD = re.compile(r"[A-Za-z_][\w-]*")
HTML_NAMES = re.compile(r"""\s(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)


def used_names(pages: Iterable[str], scripts: Iterable[str]) -> tuple[set[str], tuple[str, ...]]:
    """The class and id names that the site can have, and the prefixes that scripts build names from.

    `pages` and `scripts` are the texts of the site's HTML pages and script files.

    From the HTML: every name in a class or id attribute. From the scripts (files and inline): every word, since a
    script may add any of its strings as a class; a word ending in "-" (as in `bs-${name}-auto`) is a prefix, and any
    name that starts with it counts as used.
    """
    names: set[str] = set()
    script_words: set[str] = set()
    for text in pages:
        for match in HTML_NAMES.finditer(text):
            names.update((match.group(1) or match.group(2) or match.group(3) or "").split())
        for script in INLINE_SCRIPT.findall(text):
            script_words.update(WORD.findall(script))
    for text in scripts:
        script_words.update(WORD.findall(text))
    names |= script_words
    prefixes = tuple(sorted(word for word in script_words if word.endswith("-")))
    return names, prefixes


def _without_functional_pseudos(selector: str) -> str:
    """The selector without the arguments of its functional pseudo-classes: `.a:not(.b)` matches without any .b."""
    while match := FUNCTIONAL_PSEUDO.search(selector):
        depth, end = 1, match.end()
        while end < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[end], 0)
            end += 1
        selector = selector[: match.start()] + selector[end:]
    return selector


def _split_selector_list(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    return [*parts, prelude[start:]]


def selector_can_match(selector: str, names: set[str], prefixes: tuple[str, ...]) -> bool:
    """False only if the selector needs a class or id that nothing on the site has.

    Anything this cannot read with certainty (an escaped character, a string) counts as a possible match; tags,
    attributes and pseudo-classes are not checked at all.
    """
    if "\\" in selector or '"' in selector or "'" in selector:
        return True
    selector = re.sub(r"\[[^\]]*\]", "", _without_functional_pseudos(selector))
    return all(name in names or name.startswith(prefixes) for _, name in CLASS_OR_ID.findall(selector))


def unused_rule(prelude: str, names: set[str], prefixes: tuple[str, ...]) -> bool:
    """A style rule is unused when none of its selectors can match. A rule with one possible selector is kept whole."""
    return not any(selector_can_match(s, names, prefixes) for s in _split_selector_list(prelude))


NESTING_AT_RULES = {"media", "supports", "layer", "container", "document"}


def _rebased(tokens, rebase):
    """The tokens, with each url(…) rewritten by `rebase` (in place: tinycss2 writes a token out as it was read)."""
    for token in tokens or ():
        if token.type == "url" and rebase(token.value) != token.value:
            token.representation = f'url("{rebase(token.value)}")'
        elif token.type == "function" and token.lower_name == "url":
            for argument in token.arguments:
                if argument.type == "string" and rebase(argument.value) != argument.value:
                    argument.representation = f'"{rebase(argument.value)}"'
        elif token.type in ("() block", "[] block", "{} block", "function"):
            _rebased(getattr(token, "content", None) or getattr(token, "arguments", None), rebase)
    return tokens


def _urls(tokens):
    for token in tokens or ():
        if token.type == "url":
            yield token.value
        elif token.type == "function" and token.lower_name == "url":
            yield from (argument.value for argument in token.arguments if argument.type == "string")
        elif token.type in ("() block", "[] block", "{} block", "function"):
            yield from _urls(getattr(token, "content", None) or getattr(token, "arguments", None))


def _lean_rules(rules, names, prefixes, rebase, read_import, missing_files) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "comment":
            if rule.value.startswith("!"):  # a licence notice, as in /*! Bootstrap … MIT */
                kept.append(rule.serialize())
        elif rule.type == "qualified-rule":
            if not unused_rule(tinycss2.serialize(rule.prelude), names, prefixes):
                _rebased(rule.content, rebase)
                kept.append(rule.serialize())
        elif rule.type == "at-rule" and rule.lower_at_keyword == "import" and read_import:
            kept.extend(read_import(rule))
        elif rule.type == "at-rule" and rule.lower_at_keyword == "charset":
            continue  # the bundle declares its own, first
        elif rule.type == "at-rule" and rule.lower_at_keyword in NESTING_AT_RULES and rule.content is not None:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            body = "".join(_lean_rules(inner, names, prefixes, rebase, None, missing_files))
            if body:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{body}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and missing_files(rule):
            continue  # a font whose files the site does not have (Font Awesome's: see UNLOADED_THEME_FILES)
        elif rule.type != "whitespace":
            _rebased(rule.content, rebase)
            kept.append(rule.serialize())  # @font-face, @keyframes, …: kept as they are, with their URLs rebased
    return kept


def lean_stylesheet(css: str, names: set[str], prefixes: tuple[str, ...] = (), rebase=lambda url: url,
                    read_import=None, missing_files=lambda rule: False) -> str:
    """The stylesheet without the style rules that cannot match anything on the site; all else is kept as it is.

    `rebase` rewrites each relative URL (for a stylesheet that moves); `read_import(rule)` returns the rules that an
    @import stands for; `missing_files(rule)` says whether an @font-face rule names only files the site lacks.
    """
    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True)
    return "\n".join(_lean_rules(rules, names, prefixes, rebase, read_import, missing_files))


def _is_relative(url: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", url, re.I)


def bundle(outdir: Path, sources: list[str], names: set[str] | None, prefixes: tuple[str, ...] = ()) -> str:
    """One stylesheet for the pages: each of `sources` (paths in `outdir`, in cascade order) without its unused rules.

    Relative URLs are rewritten for the bundle's place (_static/), an @import of a local file is replaced by that
    file's rules, and licence comments are kept. With `names=None` nothing is dropped: the reference that
    tests/test_lean_pages.py compares the pages against.
    """
    bundle_folder = outdir / BUNDLE.parent

    def lean(path: Path) -> str:
        def rebase(url: str) -> str:
            if not _is_relative(url):
                return url
            return os.path.relpath(path.parent / url, bundle_folder).replace(os.sep, "/")

        def read_import(rule) -> list[str]:
            target = next((t for t in rule.prelude if t.type in ("string", "url")), None)
            if target is None or not _is_relative(target.value):
                return [rule.serialize()]
            return [lean((path.parent / target.value).resolve())]

        def missing_files(rule) -> bool:
            local = [url for url in _urls(rule.content) if _is_relative(url)]
            return bool(local) and not any((path.parent / url.split("?")[0].split("#")[0]).exists() for url in local)

        css = path.read_text(encoding="utf-8")
        if names is None:  # the prefix "" matches every name
            return lean_stylesheet(css, set(), ("",), rebase, read_import, missing_files)
        return lean_stylesheet(css, names, prefixes, rebase, read_import, missing_files)

    header = f'@charset "UTF-8";\n/* {BUNDLE.name}, made by conf/lean_pages.py from: {", ".join(sources)} */\n'
    return header + "\n".join(lean(outdir / source) for source in sources) + "\n"


def bundle_sources(css: str) -> list[str]:
    """The stylesheets that a bundle was made from, as its header lists them."""
    match = re.search(r"made by conf/lean_pages\.py from: (.*?) \*/", css)
    return match.group(1).split(", ") if match else []


# The theme's own two stylesheets, which its template writes into every page before the others.
THEME_STYLESHEETS = ["_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css"]
BUNDLE = Path("_static/pages.css")
BUNDLE_LINK = re.compile(r'(href="(?:\.\./)*_static/pages\.css)(?:\?v=[0-9a-f]*)?"')


def _bundled(css) -> bool:
    """A site stylesheet that can go into the bundle: a local file, with no media or other attribute."""
    filename = str(getattr(css, "filename", "") or "")
    attributes = {key for key, value in getattr(css, "attributes", {}).items() if value is not None}
    return bool(filename) and "://" not in filename and attributes <= {"rel", "type"}


def site_stylesheets(builder) -> list[str]:
    """The stylesheets that every page links, in cascade order: the theme's two, then Sphinx's list of them."""
    listed = sorted(builder._css_files, key=lambda css: css.priority)  # Sphinx's site-wide list (no public accessor)
    return THEME_STYLESHEETS + [str(css.filename) for css in listed if _bundled(css)]  # "_static/…"


def link_bundle(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Link the bundle in place of the site's stylesheets (a page's own extra stylesheets stay, after it)."""
    site = set(site_stylesheets(app.builder))
    own = [css for css in context.get("css_files", []) if not (_bundled(css) and str(css.filename) in site)]
    context["css_files"] = [_CascadingStyleSheet(BUNDLE.as_posix(), priority=0, rel="stylesheet"), *own]


# -- 3. files no page loads ----------------------------------------------------------------------------------------
SOURCE_MAP_COMMENT = re.compile(r"^//# sourceMappingURL=\S*\s*$", re.M)
UNLOADED_THEME_FILES = ("scripts/fontawesome.js", "scripts/fontawesome.js.LICENSE.txt", "vendor/fontawesome")
THEME_STATIC = THEME / "static"


def check_unloaded_theme_files(static: Path = THEME_STATIC) -> None:
    """Fail unless the theme still ships each file removed as unloaded: one renamed by
    an upgrade would be copied to every site and never removed."""
    missing = [name for name in UNLOADED_THEME_FILES if not (static / name).exists()]
    if missing:
        raise ExtensionError(
            f"lean_pages: the theme changed: {static} no longer has {', '.join(missing)}; "
            "check what it ships instead and whether a page loads it, then update "
            "UNLOADED_THEME_FILES in conf/lean_pages.py")


def _check_theme(app: Sphinx) -> None:
    if app.builder.format == "html":
        check_unloaded_theme_files()


def _cached(folder: str | None, outdir: Path, sources: list[str], names: set[str], prefixes: tuple[str, ...]) -> str:
    """`bundle(outdir, sources, names, prefixes)`, kept in `folder` between builds (about 0.4 s saved on every rebuild).

    The key is everything the bundle depends on: this file, every stylesheet in _static (an @import may name any of
    them), and the names and prefixes; only the newest bundle is kept.
    """
    if not folder:
        return bundle(outdir, sources, names, prefixes)
    key = hashlib.sha256(Path(__file__).read_bytes())
    for stylesheet in sorted((outdir / "_static").rglob("*.css")):
        if stylesheet != outdir / BUNDLE:
            key.update(f"{stylesheet.relative_to(outdir)}\0".encode() + stylesheet.read_bytes())
    key.update("\0".join([*sources, *sorted(names), *prefixes]).encode())
    cached = Path(folder) / f"{key.hexdigest()[:32]}.css"
    try:
        return cached.read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    css = bundle(outdir, sources, names, prefixes)
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob("*.css"):
        old.unlink(missing_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(css, encoding="utf-8")
    partial.replace(cached)  # whole or not at all, should another build read it at the same moment
    return css


# The theme's script measures every code block and output once the page has loaded, which lays out every off-screen
# section at once (the longest task of the page on a phone); book/_static/tab-stops.js does the same work lazily.
EAGER_TAB_STOPS = re.compile(r'"complete"===document\.readyState\?(\w+)\(\):window\.addEventListener\("load",\1\)')
THEME_SCRIPT = "scripts/pydata-sphinx-theme.js"


def without_eager_tab_stops(script: str) -> str:
    """The theme's script without its call that measures every scrollable element on load (see tab-stops.js)."""
    lean, found = EAGER_TAB_STOPS.subn("void 0", script)
    if found != 1:
        raise ExtensionError(
            f"lean_pages: {THEME_SCRIPT} no longer has exactly one call of addTabStopsToScrollableElements on load "
            f"(found {found}): the theme changed; check what book/_static/tab-stops.js replaces, then update "
            "EAGER_TAB_STOPS")
    return lean


def lean_static_folder(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.builder.outdir)
    static = outdir / "_static"
    for relative in UNLOADED_THEME_FILES:
        path = static / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    theme_script = static / THEME_SCRIPT
    theme_script.write_text(without_eager_tab_stops(theme_script.read_text(encoding="utf-8")), encoding="utf-8")
    scripts = []  # their texts, but the search index's (data, not code)
    for script in static.rglob("*.js"):  # no pointer to a removed source map (DevTools and Lighthouse follow it)
        text = script.read_text(encoding="utf-8")
        if SOURCE_MAP_COMMENT.search(text):
            text = SOURCE_MAP_COMMENT.sub("", text)
            script.write_text(text, encoding="utf-8")
        if script.name != "searchindex.js":
            scripts.append(text)
    pages = {page: page.read_text(encoding="utf-8") for page in sorted(outdir.rglob("*.html"))}
    names, prefixes = used_names(pages.values(), scripts)
    sources = site_stylesheets(app.builder)
    (outdir / BUNDLE).write_text(_cached(app.config.lean_pages_cache, outdir, sources, names, prefixes), encoding="utf-8")
    version = f"?v={zlib.crc32((outdir / BUNDLE).read_bytes()):08x}"  # as Sphinx versions the files it links
    for page, text in pages.items():  # written before the bundle existed, some in earlier builds
        linked = BUNDLE_LINK.sub(lambda match: f'{match.group(1)}{version}"', text)
        if linked != text:
            page.write_text(linked, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("lean_pages_cache", None, "", types=frozenset({str, type(None)}))  # a folder, or no cache
    app.connect("builder-inited", _check_theme)
    app.connect("html-page-context", defer_scripts, priority=900)  # after the extensions have added their scripts
    app.connect("html-page-context", link_bundle, priority=900)
    app.connect("build-finished", lean_static_folder, priority=800)  # after the theme rewrites pygments.css
    return {"parallel_read_safe": True, "parallel_write_safe": True}
