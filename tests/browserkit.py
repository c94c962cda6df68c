"""What the browser tests and `make bench` share: a gzip static server for the built site, and Debian's chromium.

The site is served the way a static host serves it (text compressed with gzip when the browser asks for it), on
127.0.0.1 and a free port, from a thread of the test process. Chromium is Debian's (`make browser` installs it);
playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import io
import mimetypes
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = ROOT / "tests" / "browser" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"

# The flags that make headless chromium quiet on a machine without internet: no background requests, no first-run UI.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def pages_with_math_ready(context, site_url: str, names):
    """One tab of `context` showing each page of `names` (as "notation") in turn, once its math is typeset:
    yields (name, page)."""
    page = context.new_page()
    for name in names:
        page.goto(f"{site_url}{name}.html")
        page.wait_for_selector("html[data-math-ready]", state="attached")
        yield name, page

def next_frames(page, count: int = 2) -> None:
    """Wait until the page has drawn `count` more frames: what a click, a scroll or a resize changes is then laid
    out and painted (scroll handlers and ResizeObserver/IntersectionObserver callbacks run before a frame)."""
    page.evaluate("""count => new Promise(done => {
        const step = left => left ? requestAnimationFrame(() => step(left - 1)) : done();
        step(count); })""", count)


def animations_finished(page) -> None:
    """Wait until every time-based CSS transition and animation on the page has finished (a fading solution, say)."""
    next_frames(page, 1)  # a transition a click just started is listed from the next frame
    # Time-based ones only: a scroll-driven animation (the fading edges of a wide formula, site.css) follows its
    # box's scroll position and never finishes.
    page.evaluate("""() => Promise.all(document.getAnimations().filter(a => a.timeline === document.timeline)
        .map(a => a.finished.catch(() => null)))""")


# A style that lays out what lean.css leaves for later (sections off screen, the API page's entry descriptions), for
# a test that measures the whole page at once.
EVERY_SECTION_LAID_OUT = ".bd-article section, .bd-article dl.py > dd { content-visibility: visible !important; }"


def open_everything(page, name: str) -> None:
    """Lay out every section and open every solution and collapsed cell, as a reader opens them (by their buttons),
    then wait until the solutions have faded in (togglebutton.css). `name` names the page if one stays closed."""
    page.add_style_tag(content=EVERY_SECTION_LAID_OUT)
    page.evaluate("""() => {
        document.querySelectorAll('.toggle-hidden > .admonition-title .toggle-button').forEach(b => b.click());
        document.querySelectorAll('details').forEach(d => { d.open = true; }); }""")
    assert page.evaluate("document.querySelectorAll('.toggle-hidden, details:not([open])').length") == 0, name
    animations_finished(page)


COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip for text, as a static host (GitHub Pages, Netlify, nginx) serves them."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "application/javascript",
                      ".mjs": "application/javascript", ".woff2": "font/woff2", ".woff": "font/woff",
                      ".svg": "image/svg+xml", ".json": "application/json", ".xml": "application/xml"}

    def send_head(self):  # noqa: D102 - the standard handler, with gzip for text
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the standard redirect to the slash-terminated URL
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404, "File not found")
            return None
        ctype = self.guess_type(str(path))
        body = path.read_bytes()
        encode = ctype.startswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", "")
        if encode:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if encode:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 - the standard signature
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) with gzip; yield the base URL, ending in a slash."""
    mimetypes.init()
    handler = lambda *a, **k: _Handler(*a, directory=str(directory), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def missing_tools() -> list[str]:
    """What `make browser` would install and is not here; empty when the browser tests can run."""
    return [str(p) for p in (CHROMIUM, AXE, VNU) if not p.exists()]
