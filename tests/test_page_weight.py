"""Every page stays light for a reader on a phone and a slow connection: at most 400 KiB on the wire (gzip, as a static
host serves it), counted in a real browser once the math is typeset and the network is idle (tests/pageweight.py)."""

import os

import pytest
from browserkit import PHONE, serve
from pageweight import load, load_all, site_pages

BUDGET = 400 * 1024


def kib(size):
    return f"{size / 1024:.1f} KiB"


@pytest.fixture(scope="module")
def page_loads(built_site, site_url, browser):
    """Every page of the built site, discovered from the build, loaded once at phone
    width, four at a time: {page: PageLoad}."""
    pages = site_pages(built_site[0])
    loads = load_all(browser, [site_url + page for page in pages], PHONE)
    return {page: loads[site_url + page] for page in pages}


@pytest.mark.build
def test_every_page_transfers_at_most_400_kib_gzipped(page_loads):
    assert len(page_loads) > 10, f"found only {sorted(page_loads)}: page discovery is broken"
    heavy = {page: loaded for page, loaded in page_loads.items() if loaded.transferred > BUDGET}
    report = [
        f"{page}: {kib(loaded.transferred)} in {len(loaded.requests)} requests; the largest:\n"
        + "\n".join(f"    {kib(size):>10}  {url.removeprefix(loaded.url.rsplit('/', 1)[0] + '/')}"
                    for size, url in loaded.largest())
        for page, loaded in sorted(heavy.items())
    ]
    assert not heavy, f"over the {kib(BUDGET)} budget:\n" + "\n".join(report)


# Every element (or ::before/::after) that draws a glyph in Font Awesome's font, which no page has.
DRAWN_IN_FONT_AWESOME = """() => [...document.querySelectorAll('*')].flatMap((el) => [null, '::before', '::after']
    .filter((pseudo) => /Font Awesome/.test(getComputedStyle(el, pseudo).fontFamily)
        && (pseudo ? /^".+"/.test(getComputedStyle(el, pseudo).content) : el.innerText.trim()))
    .map((pseudo) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + (pseudo || '')))"""


@pytest.mark.build
def test_no_page_loads_font_awesome(page_loads, site_url, browser):
    # The theme's icons are drawn by book/_static/lean.css; Font Awesome's script is 540 KB and its font 115 KB.
    loaders = {page: [url for _, url in loaded.requests if "fontawesome" in url.lower()]
               for page, loaded in page_loads.items()}
    loaders = {page: urls for page, urls in loaders.items() if urls}
    if loaders:
        page = browser.new_page()
        page.goto(site_url + next(iter(loaders)))
        drawn = page.evaluate(DRAWN_IN_FONT_AWESOME)
        page.close()
        loaders["drawn in Font Awesome's font (add the icon to book/_static/lean.css)"] = sorted(set(drawn))[:10]
    assert not loaders, "\n".join(f"{page}: {urls}" for page, urls in loaders.items())


@pytest.mark.build
def test_a_page_opened_from_a_search_result_draws_no_icon_in_font_awesome(site_url, browser):
    # Sphinx adds "Hide Search Matches" to a page opened from a search result; the theme gives it a glyph of Font
    # Awesome's font, which no page loads (an empty box): lean.css draws it.
    page = browser.new_page()
    page.goto(site_url + "transpose.html?highlight=transpose")
    page.wait_for_selector("#searchbox .highlight-link a")
    drawn = page.evaluate(DRAWN_IN_FONT_AWESOME)
    icon = page.evaluate("""() => { const s = getComputedStyle(
        document.querySelector('#searchbox .highlight-link a'), '::before');
        return [s.maskImage || s.webkitMaskImage, s.width]; }""")
    page.close()
    assert not drawn, f"drawn in Font Awesome's font: {drawn}"
    assert icon[0].startswith("url(") and icon[1] != "0px", f"the magnifier is not drawn: {icon}"


def test_page_load_counts_compressed_bytes_and_waits_for_late_requests(tmp_path, browser):
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>t</title><p><span class="math"><span class="katex">x</span></span></p>'
        '<link rel="stylesheet" href="big.css">'
        "<script>setTimeout(() => fetch('late.bin'), 300)</script>"
    )
    (tmp_path / "big.css").write_text("p { color: black; }\n" * 10_000)  # 200 KB that gzip makes ~1 KB
    (tmp_path / "late.bin").write_bytes(os.urandom(50_000))  # incompressible, fetched after the load event
    with serve(tmp_path) as url:
        loaded = load(browser, url + "index.html", PHONE)
    names = [u.rsplit("/", 1)[-1] for _, u in loaded.requests]
    assert sorted(names) == ["big.css", "index.html", "late.bin"], names
    assert 50_000 < loaded.transferred < 55_000, loaded.requests
    assert loaded.math_ready_ms > 0


def test_pages_loaded_at_once_count_each_its_own_requests_late_ones_included(
        tmp_path, browser):
    for name, late in [("one", "late-one.bin"), ("two", "late-two.bin")]:
        (tmp_path / f"{name}.html").write_text(
            f'<!doctype html><title>{name}</title>'
            '<p><span class="math"><span class="katex">x</span></span></p>'
            f"<script>setTimeout(() => fetch('{late}'), 300)</script>")
    (tmp_path / "late-one.bin").write_bytes(os.urandom(50_000))
    (tmp_path / "late-two.bin").write_bytes(os.urandom(20_000))
    with serve(tmp_path) as url:
        loads = load_all(browser, [url + "one.html", url + "two.html"], PHONE,
                         at_once=2)

    def name(address):
        return address.rsplit("/", 1)[-1]

    names = {name(page): sorted(name(u) for _, u in loaded.requests)
             for page, loaded in loads.items()}
    assert names == {"one.html": ["late-one.bin", "one.html"],
                     "two.html": ["late-two.bin", "two.html"]}, names
    assert 50_000 < loads[url + "one.html"].transferred < 52_000
    assert 20_000 < loads[url + "two.html"].transferred < 22_000
