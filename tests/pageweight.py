"""What a page costs a reader, measured in a real browser: the bytes it transfers, its requests, and when its math shows.

Shared by tests/test_page_weight.py (the budget) and `make bench` (the numbers). A page is loaded in a fresh browser
context (an empty cache, as for a reader who arrives from a forum link), from `browserkit.serve`, which compresses text
with gzip as a static host does. The load counts as finished once every formula is typeset and the network has been
idle for half a second, so fonts and scripts that the math pulls in late are counted too.
"""

from __future__ import annotations

import collections
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


class _Load:
    """One page loading in a context of its own. Its requests are recorded as they come,
    also while the test waits for another page."""

    def __init__(self, browser, url: str, viewport: dict, cdp_setup=None):
        from playwright.sync_api import Error as PlaywrightError

        self.context = browser.new_context(viewport=viewport)
        self.context.add_init_script(_RECORDER)
        self.page = self.context.new_page()
        if cdp_setup:
            cdp_setup(self.context.new_cdp_session(self.page))
        self.result = PageLoad(url)
        self.started, self.ended, self.finished = [], [], []
        self.last_event = time.monotonic()
        self.page.on("request", lambda r: self._seen(r, self.started))
        self.page.on("requestfinished",
                     lambda r: self._seen(r, self.ended, self.finished))
        self.page.on("requestfailed", lambda r: self._seen(r, self.ended))
        try:  # returns once the server answers; the page goes on loading meanwhile
            self.page.goto(url, wait_until="commit")
        except PlaywrightError:
            self.context.close()
            raise

    def _seen(self, request, *lists: list) -> None:
        for requests in lists:
            requests.append(request)
        self.last_event = time.monotonic()

    def finish(self) -> PageLoad:
        """Wait for the load event, the typeset math and a quiet network; read the
        measures; close the context."""
        try:
            self.page.wait_for_load_state("load")
            self.page.wait_for_function("window.__mathReady !== undefined",
                                        timeout=TIMEOUT_SECONDS * 1000)
            self._wait_until_quiet()
            self.result.math_ready_ms = self.page.evaluate("window.__mathReady")
            self.result.blocking_ms = self.page.evaluate(
                "window.__longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0)")
            for request in self.finished:
                if request.url.startswith(("http:", "https:")):
                    sizes = request.sizes()
                    size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                    self.result.requests.append((size, request.url))
        finally:
            self.context.close()
        return self.result

    def _wait_until_quiet(self) -> None:
        """Return once no request is in flight and none has started for QUIET_SECONDS
        (at once for a page that went quiet while another was waited for). Each wait is
        for a request event."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            in_flight = len(self.started) - len(self.ended)
            quiet_for = time.monotonic() - self.last_event
            if not in_flight and quiet_for >= QUIET_SECONDS:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.result.url}: the network never went quiet "
                                   f"({in_flight} in flight)")
            try:
                if in_flight:  # one ends (a failed one too: the next turn sees it)
                    self.page.wait_for_event("requestfinished", timeout=1_000)
                else:  # quiet unless one starts
                    left = QUIET_SECONDS - quiet_for
                    self.page.wait_for_event("request", timeout=left * 1000)
            except PlaywrightTimeout:
                pass


def load(browser, url: str, viewport: dict, cdp_setup=None) -> PageLoad:
    """Open `url` in a new context with an empty cache and measure it (see the module docstring).

    `cdp_setup(session)` may throttle the CPU or the network through the Chrome DevTools Protocol first.
    """
    return _Load(browser, url, viewport, cdp_setup).finish()


def load_all(browser, urls: list[str], viewport: dict,
             at_once: int = 4) -> dict[str, PageLoad]:
    """Each of `urls` loaded as `load` loads it, `at_once` at a time, each in a context
    of its own: {url: PageLoad}. A page's bytes and requests are its own; its timings
    are not a lone reader's (`make bench` measures those with `load`, one at a time)."""
    loads, running = {}, collections.deque()
    try:
        for url in urls:
            if len(running) == at_once:
                oldest = running.popleft()
                loads[oldest.result.url] = oldest.finish()
            running.append(_Load(browser, url, viewport))
        while running:
            oldest = running.popleft()
            loads[oldest.result.url] = oldest.finish()
    finally:
        for unfinished in running:
            unfinished.context.close()
    return loads
