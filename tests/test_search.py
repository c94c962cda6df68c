"""The site's search, as a reader uses it (issue 15, item 3): the page whose title matches first, results for the
sections whose titles match, summaries of the article alone with each formula once, one search entry point on a wide
screen, and a query that the field's magnifier leaves readable on a phone."""

import re

import pytest
from browserkit import DESKTOP, PHONE
from test_browser import visit

pytestmark = pytest.mark.build

# The TeX that KaTeX keeps as an annotation of each formula: a summary that shows it shows the formula twice.
TEX = re.compile(r"\^\{|_\{|\\[a-zA-Z]+")
# A run of 8 or more characters written twice in a row: a formula's MathML text, then its drawn text.
REPEATED = re.compile(r"(\S{8,})\1")
# What only search entry points are: the theme's search buttons and search fields.
ENTRY_POINTS = "button.search-button__button, form.bd-search"


def search(context, site_url, query):
    """The results of `query` on the search page, once every summary has arrived: [(href, title, summary)]."""
    page, problems = visit(context, f"{site_url}search.html?q={query}")
    page.wait_for_function("""() => {
        const status = document.querySelector('#search-results .search-summary');
        const results = document.querySelectorAll('#search-results li');
        return status && status.textContent && results.length
            && [...results].every(li => li.querySelector('p.context') || li.classList.contains('kind-object')); }""",
        timeout=15_000)
    # A page or section result has a summary (p.context); an entry of the package's reference ("backprop.dropout_masks,
    # Python function") has its kind instead.
    results = page.eval_on_selector_all("#search-results li", """items => items.map(li => [
        li.querySelector('a').getAttribute('href'), li.querySelector('a').textContent,
        (li.querySelector('p.context') || li).textContent])""")
    return page, problems, results


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_transpose_finds_its_page_first_its_sections_and_summaries_with_each_formula_once(browser, site_url, viewport):
    context = browser.new_context(viewport=viewport)
    page, problems, results = search(context, site_url, "transpose")
    context.close()
    assert not problems, "\n".join(problems)
    hrefs = [href for href, _, _ in results]
    assert hrefs[0] == "transpose.html", f"first result: {results[0][:2]}"
    sections = [href for href in hrefs if re.fullmatch(r"[a-z0-9-]+\.html#[\w-]+", href)]
    assert "transpose.html#transpose-scalar" in sections, hrefs  # "One unit per layer: no transpose at all"
    for href, title, summary in results:
        assert "System Settings" not in summary and "Light Dark" not in summary, f"{href}: theme chrome: {summary}"
        assert not TEX.search(summary), f"{href}: a formula's TeX in the summary: {summary}"
        assert not TEX.search(title), f"{href}: a formula's TeX in the result's title: {title}"
        assert not REPEATED.search(summary), f"{href}: a formula twice in the summary: {summary}"
    transpose_summary = results[0][2]
    assert "dA[l−1] = W[l]ᵀdZ[l]" in transpose_summary, transpose_summary  # the answer's formula, as plain text


def test_a_search_for_dropout_finds_the_dropout_page_first(browser, site_url):
    context = browser.new_context(viewport=PHONE)
    page, problems, results = search(context, site_url, "dropout")
    context.close()
    assert not problems, "\n".join(problems)
    assert results[0][0] == "dropout.html", results[:3]


def test_a_wide_screen_has_one_search_entry_point(browser, site_url):
    context = browser.new_context(viewport=DESKTOP)
    page, problems = visit(context, f"{site_url}transpose.html")
    shown = page.eval_on_selector_all(ENTRY_POINTS, """found => found
        .filter(e => e.checkVisibility({visibilityProperty: true}) && e.getBoundingClientRect().width > 0)
        .map(e => e.outerHTML.slice(0, 80))""")
    context.close()
    assert not problems, "\n".join(problems)
    assert len(shown) == 1, shown


def _magnifier_and_text_start(page, form):
    return page.eval_on_selector(form, """form => {
        const input = form.querySelector('input'), style = getComputedStyle(input);
        return [form.querySelector('.fa-magnifying-glass').getBoundingClientRect().right,
                input.getBoundingClientRect().left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft)];
    }""")


def test_on_a_phone_the_magnifier_leaves_the_query_readable(browser, site_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page, problems = visit(context, f"{site_url}search.html?q=transpose")
    icon_right, text_left = _magnifier_and_text_start(page, ".bd-search-container form.bd-search")
    assert icon_right <= text_left, f"search page: the magnifier ends at {icon_right} px, the query at {text_left}"
    assert page.input_value(".bd-search-container form.bd-search input") == "transpose"
    page, problems_too = visit(context, f"{site_url}transpose.html")
    page.click("button.search-button__button:visible")
    page.wait_for_selector("dialog#pst-search-dialog[open]")
    icon_right, text_left = _magnifier_and_text_start(page, "#pst-search-dialog form.bd-search")
    assert icon_right <= text_left, f"search dialog: the magnifier ends at {icon_right} px, the query at {text_left}"
    context.close()
    assert not problems + problems_too, "\n".join(problems + problems_too)


def test_a_page_found_by_a_word_of_its_text_links_the_section_the_word_is_in(browser, site_url):
    # "Bernoulli" is in no title: only in the text of output-layer's exercises (a solution's).
    context = browser.new_context(viewport=PHONE)
    page, problems, results = search(context, site_url, "bernoulli")
    context.close()
    assert not problems, "\n".join(problems)
    assert [href for href, _, _ in results] == ["output-layer.html#output-layer-exercises"], results
    _, title, summary = results[0]
    assert title.endswith(" > Exercises"), title
    assert "Bernoulli" in summary, summary
