"""What a page costs a reader, measured in a real browser: the bytes it transfers, its requests, and when its math shows.

Shared by tests/test_page_weight.py (the budget) and `make bench` (the numbers). A page is loaded in a fresh browser
context (an empty cache, as for a reader who arrives from a forum link), from `browserkit.serve`, which compresses text
with gzip as a static host does. The load counts as finished once every formula is typeset and the network has been
idle for half a second, so fonts and scripts that the math pulls in late are counted too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

# The page's own record of its load: long tasks on the main thread, and the moment every formula is typeset (each
# element Sphinx marks as math holds KaTeX's output) with its fonts loaded.
_RECORDER = r"""
(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) window.__longTasks.push(task.duration);
  }).observe({type: "longtask", buffered: true});
  const typeset = () => document.readyState !== "loading" && [...document.querySelectorAll("span.math, div.math")]
    .every((math) => math.querySelector(".katex"));
  const watch = () => {
    if (typeset() && document.fonts.status === "loaded") window.__mathReady = performance.now();
    else requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();
"""

QUIET_SECONDS = 0.5
TIMEOUT_SECONDS = 60


@dataclass
class PageLoad:
    """One page as a reader's browser fetched it."""

    url: str
    requests: list[tuple[int, str]] = field(default_factory=list)  # (bytes transferred, URL), in request order
    math_ready_ms: float = 0.0  # from navigation start until every formula is typeset and its fonts loaded
    blocking_ms: float = 0.0  # main-thread time beyond 50 ms in each long task (the sum that TBT is made of)

    @property
    def transferred(self) -> int:
        """Bytes on the wire: compressed bodies plus response headers."""
        return sum(size for size, _ in self.requests)

    def largest(self, n: int = 5) -> list[tuple[int, str]]:
        return sorted(self.requests, key=lambda r: -r[0])[:n]


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the built site, as paths relative to `html` (theme templates under _static excluded)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html") if "_static" not in p.parts)


def _wait_until_quiet(page, url: str, started: list, ended: list) -> None:
    """Return once no request is in flight and none starts for QUIET_SECONDS: each wait is for a request event."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        in_flight = len(started) - len(ended)
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: the network never went quiet ({in_flight} in flight)")
        try:
            if in_flight:  # one ends (a failed request ends too, and the next turn sees it)
                page.wait_for_event("requestfinished", timeout=1_000)
            else:  # quiet unless one starts
                page.wait_for_event("request", timeout=QUIET_SECONDS * 1000)
        except PlaywrightTimeout:
            if not in_flight:
                return


def load(browser, url: str, viewport: dict, cdp_setup=None) -> PageLoad:
    """Open `url` in a new context with an empty cache and measure it (see the module docstring).

    `cdp_setup(session)` may throttle the CPU or the network through the Chrome DevTools Protocol first.
    """
    context = browser.new_context(viewport=viewport)
    context.add_init_script(_RECORDER)
    page = context.new_page()
    if cdp_setup:
        cdp_setup(context.new_cdp_session(page))
    result = PageLoad(url)
    started, ended, finished = [], [], []
    page.on("request", lambda r: started.append(r))
    page.on("requestfinished", lambda r: (ended.append(r), finished.append(r)))
    page.on("requestfailed", lambda r: ended.append(r))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("window.__mathReady !== undefined", timeout=TIMEOUT_SECONDS * 1000)
        _wait_until_quiet(page, url, started, ended)
        result.math_ready_ms = page.evaluate("window.__mathReady")
        result.blocking_ms = page.evaluate("window.__longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0)")
        for request in finished:
            if request.url.startswith(("http:", "https:")):
                sizes = request.sizes()
                result.requests.append((sizes["responseBodySize"] + sizes["responseHeadersSize"], request.url))
    finally:
        context.close()
    return result
