"""Report an error (issue 15, item 10): every page, and every labelled equation, links to a new issue on the
repository's tracker with the page's canonical URL, or the equation's anchor, filled in; the repository's address is
set once, in conf/."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browserkit import DESKTOP, EVERY_SECTION_LAID_OUT, PHONE
from buildkit import ROOT

pytestmark = pytest.mark.build

BOOK_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md"))
REPOSITORY = "https://github.com/backprop-derived/backprop-derived"
NEW_ISSUE = f"{REPOSITORY}/issues/new"
PAGE_LINK = re.compile(r'<p class="page-action report-error-page"><a href="([^"]+)">Report an error on this page</a>')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')


def issue_form(url: str) -> tuple[str, str, str]:
    """(the form's address, the title, the body) of a new-issue link."""
    parts = urlsplit(url.replace("&amp;", "&"))
    query = parse_qs(parts.query, strict_parsing=True)
    assert sorted(query) == ["body", "title"], url
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query["title"][0], query["body"][0]


def test_the_repository_url_is_set_once_in_conf():
    places = [f"{path.relative_to(ROOT)}:{line}" for path in sorted((ROOT / "conf").rglob("*")) if path.is_file()
              for line, text in enumerate(path.read_text(errors="replace").splitlines(), 1) if REPOSITORY in text]
    assert places == ["conf/conf.py:" + places[0].split(":")[1]] and len(places) == 1, places


@pytest.mark.parametrize("name", BOOK_PAGES)
def test_each_page_links_a_new_issue_that_names_its_canonical_url(built_site, name):
    text = (built_site[0] / f"{name}.html").read_text()
    link = PAGE_LINK.search(text)
    assert link, f"{name}.html has no 'Report an error on this page' link"
    form, title, body = issue_form(link[1])
    canonical = CANONICAL.search(text)[1]
    assert form == NEW_ISSUE and canonical.endswith(f"/{name}.html"), (form, canonical)
    assert f"Page: {canonical}\n" in body and title, (title, body)


# loss-vs-cost and output-layer have the widest labelled formulas; axe checks the links' contrast in both modes
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("name", ["chain-rule", "loss-vs-cost", "output-layer"])
def test_each_labelled_equation_links_a_new_issue_with_its_anchor_beside_its_copy_buttons(
        browser, site_url, viewport, name):
    phone = viewport is PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(f"{site_url}{name}.html")
    page.add_style_tag(content=EVERY_SECTION_LAID_OUT)
    page.wait_for_selector("html[data-math-ready]", state="attached")
    links = page.evaluate("""() => [...document.querySelectorAll('div.math[id^="equation-"]')].map(eq => {
        const a = eq.querySelector('.eqno a.report-error'), box = a && a.getBoundingClientRect();
        const formula = eq.querySelector('.katex-display').getBoundingClientRect();
        return a && { id: eq.id, href: a.href, name: a.getAttribute('aria-label'), text: a.innerText.trim(),
                      number: eq.querySelector('.eqno').firstChild.textContent.trim(),
                      besideButtons: a.previousElementSibling?.classList.contains('copy-link-pair') ?? false,
                      width: box.width, height: box.height, visible: getComputedStyle(a).visibility === 'visible',
                      overFormula: box.bottom > formula.top + 1 && box.top < formula.bottom - 1
                                   && box.left < formula.right - 1 && box.right > formula.left + 1 };
    })""")
    page.emulate_media(media="print")
    shown_in_print = page.evaluate("""() => [...document.querySelectorAll('a.report-error, .bd-footer-article')]
        .filter(a => a.getClientRects().length > 0).length""")
    context.close()
    assert links and all(links), f"{name}.html: equations without a report link: {links}"
    for link in links:
        form, title, body = issue_form(link["href"])
        assert form == NEW_ISSUE, link
        assert f"https://backprop-derived.github.io/{name}.html#{link['id']}" in body, (link, body)
        assert link["id"].removeprefix("equation-") in title, (link, title)
        assert link["name"] == f"Report an error in equation {link['number']}", link
        assert link["text"] == "Report an error" and link["besideButtons"] and link["visible"], link
        assert not link["overFormula"], f"the report link covers the formula {link['id']}"
        assert min(link["width"], link["height"]) >= (44 if phone else 24), link
    assert shown_in_print == 0, "the report links are printed"
