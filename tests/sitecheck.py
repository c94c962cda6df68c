"""Read the built site: its public anchors, and every internal link with the fragment it points to.

Pages, explicit labels and labelled equations are the site's public API: forum answers link to them, so they must
never silently disappear. `public_anchors` lists them as "page.html#id" (a page alone as "page.html"); `lost_anchors`
says which anchors of a list no longer lead anywhere, following the redirects a moved page leaves behind and the
alias ids a renamed anchor keeps; `broken_links` finds every internal href or src, in any HTML the build wrote, whose
file or #fragment is missing.
"""

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sphinx.util.inventory import InventoryFile

# Pages Sphinx writes for itself; they are not part of the book's public API.
_GENERATED = {"genindex", "modindex", "py-modindex", "search"}


class _Scan(HTMLParser):
    """Collects the ids (and legacy names) a page defines, and the internal URLs it refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.refs = set(), []
        self.redirect = None  # where a redirect page (conf/redirect.html) sends the reader
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_script = tag == "script"
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            url = attrs.get(key)
            if url is not None and _is_internal(url):
                self.refs.append((tag, url))


    def handle_data(self, data):
        if self._in_script and (moved := re.search(r'location\.replace\("([^"]+)" \+ location\.hash\)', data)):
            self.redirect = moved[1]

    def handle_endtag(self, tag):
        self._in_script = False


def _is_internal(url):
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("//", "mailto:", "javascript:", "data:")))


def scan(html_dir: Path) -> dict[str, _Scan]:
    """Parse every page under `html_dir`, keyed by its path relative to it, in POSIX form.

    The theme copies its Jinja macro files (`webpack-macros.html`) into `_static/`; they are templates, not pages.
    """
    pages = {}
    for path in sorted(html_dir.rglob("*.html")):
        if path.relative_to(html_dir).parts[0] == "_static":
            continue
        parser = _Scan()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(html_dir).as_posix()] = parser
    return pages


def public_anchors(html_dir: Path) -> set[str]:
    """Every page, explicit label and labelled equation of the built site, as "page.html" or "page.html#id"."""
    with open(html_dir / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", posixpath.join)
    anchors = {item.uri for item in inventory.get("std:doc", {}).values()}
    anchors |= {item.uri for name, item in inventory.get("std:label", {}).items() if name not in _GENERATED}
    for page, parsed in scan(html_dir).items():
        anchors.update(f"{page}#{i}" for i in parsed.ids if i.startswith("equation-"))
    return anchors


def _target(html_dir: Path, page: str, url: str) -> str:
    """The file (relative to `html_dir`) that `url`, found in `page`, points to."""
    path = urlsplit(url).path
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path))) if path else page
    if target.endswith("/") or (html_dir / target).is_dir():
        target = posixpath.join(target, "index.html")
    return target


def _follow(html_dir: Path, pages: dict[str, _Scan], page: str, url: str) -> tuple[str, str | None]:
    """Where a reader of `url` (a link in `page`) ends up: (file, None), or (url, why it leads nowhere).

    A redirect page sends the reader on with the same #fragment, as a browser would.
    """
    fragment = unquote(urlsplit(url).fragment)
    target = _target(html_dir, page, url)
    for _ in range(5):
        if not (html_dir / target).is_file():
            return target, f"no file {target}"
        if target not in pages or pages[target].redirect is None:
            break
        target = _target(html_dir, target, pages[target].redirect)
    else:
        return target, "a redirect loop (more than 5 redirects)"
    if fragment and target in pages and fragment not in pages[target].ids:
        return target, f"{target} has no id {fragment!r}"
    return target, None


def broken_links(html_dir: Path) -> list[str]:
    """Every internal link or resource, in every built HTML file, whose target file or #fragment does not exist."""
    pages = scan(html_dir)
    broken = []
    for page, parsed in pages.items():
        for tag, url in parsed.refs:
            _, problem = _follow(html_dir, pages, page, url)
            if problem:
                broken.append(f"{page}: <{tag}> {url} -> {problem}")
    return broken


def lost_anchors(html_dir: Path, anchors: set[str]) -> list[str]:
    """The anchors ("page.html#id") that lead nowhere in the built site, after redirects and aliases, with why."""
    pages = scan(html_dir)
    lost = []
    for anchor in sorted(anchors):
        _, problem = _follow(html_dir, pages, "index.html", anchor)
        if problem:
            lost.append(f"{anchor} ({problem})")
    return lost


MANIFEST = Path(__file__).resolve().parent.parent / "conf" / "public-anchors.txt"
_MANIFEST_HEADER = """\
# The public anchors of backprop-derived: every page, explicit label and labelled equation a link may point to.
# Forum answers link to these, for years. The tests fail if one disappears from the build, or if the build has one
# that is not listed here. Never just delete a line: a page that moves gets a redirect that keeps the #fragment, a
# label or equation that is renamed keeps an alias anchor. Regenerate with `make anchors`, then review the diff.
"""


def read_manifest(path: Path = MANIFEST) -> set[str]:
    """The anchors listed in the committed manifest."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def write_manifest(anchors: set[str], path: Path = MANIFEST) -> None:
    path.write_text(_MANIFEST_HEADER + "".join(f"{a}\n" for a in sorted(anchors)), encoding="utf-8")


def update_manifest(html_dir: Path, path: Path = MANIFEST) -> list[str]:
    """Add the build's new public anchors to the manifest; return the listed ones that lead nowhere any more.

    The manifest only grows: an anchor that was renamed with an alias, or whose page moved with a redirect, still
    resolves and stays listed, so the tests keep checking that old links work.
    """
    listed = read_manifest(path) if path.exists() else set()
    lost = lost_anchors(html_dir, listed)
    write_manifest(public_anchors(html_dir) | listed, path)
    return lost


if __name__ == "__main__":
    import sys

    lost = update_manifest(Path(sys.argv[1]))
    print(f"updated {MANIFEST}")
    if lost:
        sys.exit("these listed anchors lead nowhere; add a redirect or an alias, or restore them:\n  " + "\n  ".join(lost))
