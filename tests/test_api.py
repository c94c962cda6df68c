"""The package's reference, api.html (issue 15, item 8): every public name documented, each docstring's equation a
working link to that equation, and each labelled equation a "code" link to the function that implements it.

The equation -> function map is read from the docstrings by conf/api_links.py, the one place that reads it; these
tests check the built pages against the same docstrings.
"""

import inspect
import re
import sys
from html.parser import HTMLParser

import pytest
from browserkit import PHONE, pages_with_math_ready
from buildkit import ROOT
from sitecheck import lost_anchors

import backprop

sys.path.insert(0, str(ROOT / "conf"))
import api_links  # noqa: E402  (conf/ is not a package)

EQ_ROLE = re.compile(r"\{eq\}`([^`]+)`")


class _Page(HTMLParser):
    """The ids of a page; its API entries (id -> the links inside the entry); its equations (id -> "code" hrefs)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.entry_links: dict[str, list[str]] = {}
        self.code_links: dict[str, list[str]] = {}
        self._entry = None  # the API entry (<dl class="py ...">) we are in, and its depth
        self._equation = None  # the div.math[id] we are in, and its depth
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        self._depth += 1
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "dt" and attrs.get("id", "").startswith("backprop.") and self._entry is None:
            self._entry = [attrs["id"], self._depth - 1]  # the <dl> that holds this <dt>
            self.entry_links[attrs["id"]] = []
        if tag == "div" and "math" in classes and attrs.get("id", "").startswith("equation-"):
            self._equation = [attrs["id"], self._depth]
            self.code_links[attrs["id"]] = []
        if tag == "a" and self._entry is not None and attrs.get("href"):
            self.entry_links[self._entry[0]].append(attrs["href"])
        if tag == "a" and self._equation is not None and "eq-code" in classes:
            self.code_links[self._equation[0]].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag in {"br", "img", "hr", "input", "meta", "link", "wbr"}:
            return
        if self._entry is not None and self._depth == self._entry[1]:
            self._entry = None
        if self._equation is not None and self._depth == self._equation[1]:
            self._equation = None
        self._depth -= 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._depth -= 1


def _scan(path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


# -- The map, read from the docstrings -------------------------------------------------------------------------------


def test_implemented_labels_are_those_of_the_implements_sentence_only():
    doc = "dW.\n\nImplements {eq}`eq-a` and\n{eq}`eq-b`: see 0.5 m. Uses {eq}`eq-c`.\n\nImplements {eq}`eq-d`."
    assert api_links.implemented_labels(doc) == ["eq-a", "eq-b", "eq-d"]


def test_an_equation_links_the_function_that_computes_it_alone_first():
    """eq-dw: weight_gradient, then the backward passes that call it (they name more equations)."""
    assert api_links.implementers()["eq-dw"][0] == "weight_gradient"
    assert "layer_backward" in api_links.implementers()["eq-dw"]


# -- The built site --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(built_site):
    return _scan(built_site[0] / "api.html")


@pytest.mark.build
def test_every_public_name_of_backprop_is_documented_on_the_api_page(api):
    missing = [name for name in backprop.__all__ if f"backprop.{name}" not in api.entry_links]
    assert not missing, f"api.html has no entry for {missing}"


@pytest.mark.build
def test_each_equation_a_docstring_cites_is_a_working_link_in_its_entry(built_site, api):
    html = built_site[0]
    pages = {}
    problems = []
    for name in backprop.__all__:
        labels = EQ_ROLE.findall(inspect.getdoc(getattr(backprop, name)) or "")
        links = api.entry_links.get(f"backprop.{name}", [])
        for label in labels:
            hrefs = [h for h in links if h.endswith(f"#equation-{label}")]
            if not hrefs:
                problems.append(f"{name}: no link to {label}")
                continue
            page = hrefs[0].split("#")[0]
            pages.setdefault(page, _scan(html / page) if (html / page).is_file() else None)
            if pages[page] is None or f"equation-{label}" not in pages[page].ids:
                problems.append(f"{name}: {hrefs[0]} leads nowhere")
    assert not problems, "\n".join(problems)
    assert len(pages) > 5  # the docstrings cite equations on many pages


@pytest.mark.build
def test_each_implemented_equation_has_a_code_link_to_its_function_and_no_other_has_one(built_site, api):
    implementers = api_links.implementers()
    problems, linked = [], set()
    for path in sorted(built_site[0].glob("*.html")):
        for equation, hrefs in _scan(path).code_links.items():
            label = equation.removeprefix("equation-")
            names = implementers.get(label)
            expected = [f"api.html#backprop.{names[0]}"] if names else []
            if hrefs != expected:
                problems.append(f"{path.name}#{equation}: code links {hrefs}, expected {expected}")
            for href in hrefs:
                linked.add(label)
                if href.split("#")[1] not in api.ids:
                    problems.append(f"{path.name}#{equation}: {href} leads nowhere")
    assert not problems, "\n".join(problems)
    # Every equation a function implements is labelled in the book, and each got its link.
    assert linked == set(implementers), sorted(set(implementers) ^ linked)
    # An equation no function implements (the adjoint identity of transpose.md) has none.
    transpose = _scan(built_site[0] / "transpose.html")
    assert "equation-eq-adjoint" in transpose.code_links and transpose.code_links["equation-eq-adjoint"] == []


@pytest.mark.build
def test_the_code_link_sits_beside_the_copy_buttons_and_opens_the_function(built_site, browser, site_url):
    """On a phone: the "code" link of chain-rule's eq-dz-hidden is visible, overlaps neither the number nor the copy
    buttons, and a tap lands on dz_hidden's entry, in view."""
    context = browser.new_context(viewport=PHONE)
    [(_, page)] = list(pages_with_math_ready(context, site_url, ["chain-rule"]))
    equation = page.locator("#equation-eq-dz-hidden")
    equation.scroll_into_view_if_needed()  # lean.css leaves sections unlaid until they are scrolled to
    code = equation.locator("a.eq-code")
    assert code.text_content() == "code"
    assert code.is_visible()
    box = code.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    for other in equation.locator(".eqno button.copy-link").all():
        b = other.bounding_box()
        apart = box["x"] + box["width"] <= b["x"] or b["x"] + b["width"] <= box["x"] or (
            box["y"] + box["height"] <= b["y"] or b["y"] + b["height"] <= box["y"])
        assert apart, f"the code link {box} overlaps a copy button {b}"
    code.click()
    page.wait_for_url("**/api.html#backprop.dz_hidden")
    entry = page.locator('[id="backprop.dz_hidden"]')
    entry.wait_for()
    top = entry.bounding_box()["y"]
    assert 0 <= top < PHONE["height"], f"dz_hidden's entry is at y={top}, not in view"
    context.close()


@pytest.mark.build
def test_source_pages_of_moved_functions_still_lead_to_them(built_site):
    """products.py and one_sided.py held one function each; the functions moved to the modules of their concepts
    (issue 17), and the source pages the site published for the old modules redirect, keeping the #function."""
    moved = {"_modules/backprop/products.html#softmax_dz_from_da",
             "_modules/backprop/one_sided.html#one_sided_gradient"}
    assert lost_anchors(built_site[0], moved) == []
