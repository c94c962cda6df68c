"""Printed pages: the text without the theme's chrome, and the cheat sheet on at most two A4 pages.

Chromium prints a page as a reader's Ctrl+P does (`page.pdf`, A4 portrait, with the `@media print` rules of
book/_static/site.css). The lock file has no PDF library, so the PDF is read by the few functions below: the page
count from the page tree, cross-checked against the page objects, and each page's text from its content streams and
its fonts' ToUnicode maps (Chromium writes every glyph as a code of its font). The first test shows that this reader
gets both right on a PDF whose pages and words are known.
"""

import re
import zlib

import pytest

# Course 1's lines fit two A4 pages; Course 2's section (L2, dropout, batch norm) adds up to two more.
CHEAT_SHEET_MAX_PAGES = 4

# Text that only the theme's chrome shows: the skip link, the header's search button, the copy-link buttons, the
# toggle of a collapsed code cell, the previous/next links, the footer, and the report and notebook links.
CHROME = ["Skip to main content", "Ctrl+K", "Copy link", "Show code cell source", "previous", "By the backprop",
          "Report an error", "Download this page as a notebook"]

_OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"\bstream\r?\n(.*)\bendstream", re.S)
_REFERENCE = rb"(\d+)\s+0\s+R"
_TOKENS = re.compile(rb"/([^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>|/([^\s/<>\[\]()]+)\s+Do\b")


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object of the PDF: {number: (dictionary, stream decompressed, or None)}."""
    objects = {}
    for number, body in _OBJECT.findall(pdf):
        stream = _STREAM.search(body)
        head, data = (body[: stream.start()], stream.group(1)) if stream else (body, None)
        if data is not None and b"/FlateDecode" in head:
            data = zlib.decompressobj().decompress(data)
        objects[int(number)] = (head, data)
    return objects


def page_tree(pdf: bytes, objects) -> int:
    """The number of the root /Pages object, which the document catalog (the trailer's /Root) names."""
    catalog = int(re.findall(rb"/Root\s+" + _REFERENCE, pdf)[-1])
    return int(re.search(rb"/Pages\s+" + _REFERENCE, objects[catalog][0]).group(1))


def page_objects(pdf: bytes, objects) -> list[int]:
    """The numbers of the page objects (/Type /Page, not /Pages), in the order of the page tree."""

    def leaves(number):
        head = objects[number][0]
        if re.search(rb"/Type\s*/Pages\b", head):
            kids = re.search(rb"/Kids\s*\[(.*?)\]", head, re.S).group(1)
            return [leaf for kid in re.findall(_REFERENCE, kids) for leaf in leaves(int(kid))]
        return [number]

    return leaves(page_tree(pdf, objects))


def page_count(pdf: bytes) -> int:
    """The /Count of the root /Pages object, which must equal the number of /Type /Page objects in the file."""
    objects = pdf_objects(pdf)
    count = int(re.search(rb"/Count\s+(\d+)", objects[page_tree(pdf, objects)][0]).group(1))
    pages = sum(1 for head, _ in objects.values() if re.search(rb"/Type\s*/Page(?![A-Za-z])", head))
    leaves = page_objects(pdf, objects)
    assert count == pages == len(leaves), f"/Count {count}, {pages} page objects, {len(leaves)} in the tree"
    return count


def _to_unicode(cmap: bytes) -> dict[bytes, str]:
    """A ToUnicode CMap as {glyph code: text}, from its bfchar and bfrange entries."""
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first, size = int(text, 16), len(text) // 2
            for offset in range(int(high, 16) - int(low, 16) + 1):
                code = (int(low, 16) + offset).to_bytes(len(low) // 2, "big")
                table[code] = (first + offset).to_bytes(size, "big").decode("utf-16-be", "replace")
    return table


def _resources(objects, head: bytes) -> bytes:
    indirect = re.search(rb"/Resources\s+" + _REFERENCE, head)
    return objects[int(indirect.group(1))][0] if indirect else head


def _names(resources: bytes, kind: bytes) -> dict[bytes, int]:
    """The /Font or /XObject dictionary of a resource dictionary: {name: object number}."""
    found = re.search(kind + rb"\s*<<(.*?)>>", resources, re.S)
    if not found:
        return {}
    return {name: int(number) for name, number in re.findall(rb"/(\S+?)\s+" + _REFERENCE, found.group(1))}


def _stream_text(objects, content: bytes, resources: bytes) -> str:
    fonts = {}
    for name, number in _names(resources, rb"/Font").items():
        to_unicode = re.search(rb"/ToUnicode\s+" + _REFERENCE, objects[number][0])
        fonts[name] = _to_unicode(objects[int(to_unicode.group(1))][1]) if to_unicode else {}
    forms = _names(resources, rb"/XObject")
    text, font = [], {}
    for font_name, hex_string, form in _TOKENS.findall(content):
        if font_name:
            font = fonts.get(font_name, {})
        elif form:
            head, data = objects[forms[form]]
            if b"/Form" in head and data is not None:
                own = _resources(objects, head) if b"/Resources" in head else resources
                text.append(_stream_text(objects, data, own))
        else:
            codes = bytes.fromhex(re.sub(rb"\s", b"", hex_string).decode())
            width = len(next(iter(font), b"\0\0"))
            text.extend(font.get(codes[i : i + width], "") for i in range(0, len(codes), width))
    return "".join(text)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, in page order (as drawn, so words may run together: compare without spaces)."""
    objects = pdf_objects(pdf)
    texts = []
    for number in page_objects(pdf, objects):
        head = objects[number][0]
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)", head).group(1)
        streams = b"".join(objects[int(n)][1] for n in re.findall(_REFERENCE, contents))
        texts.append(_stream_text(objects, streams, _resources(objects, head)))
    return texts


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def print_pdf(browser, url: str, media: str = "print") -> bytes:
    """`url` printed on A4 once its math is typeset; media="screen" prints it with the screen's styles instead."""
    page = browser.new_page()
    try:
        page.goto(url)
        page.wait_for_selector("html[data-math-ready]", state="attached")
        page.emulate_media(media=media)
        return page.pdf(format="A4")
    finally:
        page.close()


def test_pdf_reader_counts_pages_and_reads_words_of_a_known_pdf(browser):
    words = ["alpha", "beta", "gamma"]
    page = browser.new_page()
    page.set_content("".join(f'<p style="break-after: page">{word} page {i}</p>' for i, word in enumerate(words))
                     + "<p>last page</p>")
    pdf = page.pdf(format="A4")
    page.close()
    assert page_count(pdf) == 4
    texts = [squeezed(text) for text in page_texts(pdf)]
    assert texts == [f"{word}page{i}" for i, word in enumerate(words)] + ["lastpage"], texts


@pytest.fixture(scope="module")
def cheat_sheet_pdf(browser, site_url):
    return print_pdf(browser, site_url + "cheat-sheet.html")


@pytest.mark.build
def test_cheat_sheet_prints_on_at_most_four_a4_pages(cheat_sheet_pdf):
    pages = page_count(cheat_sheet_pdf)
    assert 1 <= pages <= CHEAT_SHEET_MAX_PAGES, f"the cheat sheet prints on {pages} A4 pages"


@pytest.mark.build
def test_cheat_sheet_prints_its_text_on_every_page(cheat_sheet_pdf):
    texts = [squeezed(text) for text in page_texts(cheat_sheet_pdf)]
    assert all(len(text) > 200 for text in texts), [len(text) for text in texts]
    printed = "".join(texts)
    for expected in ["Cheat sheet: every line of backprop", "The answer in one line", "Week 2: logistic regression",
                     "derived", "one example per column", "averages the examples", "Course 2: L2, dropout, batch norm",
                     "The check that runs"]:
        assert squeezed(expected) in printed, f"{expected!r} is not in the printed cheat sheet"


@pytest.mark.build
@pytest.mark.parametrize("name", ["cheat-sheet", "transpose", "index"])
def test_print_leaves_out_the_chrome_that_the_screen_shows(browser, site_url, name):
    on_screen = squeezed("".join(page_texts(print_pdf(browser, f"{site_url}{name}.html", media="screen"))))
    on_paper = squeezed("".join(page_texts(print_pdf(browser, f"{site_url}{name}.html"))))
    shown = [text for text in CHROME if squeezed(text) in on_screen]
    # The check can fail: printed with the screen's styles, the same page shows the chrome.
    assert len(shown) >= 2, f"{name}: the screen version shows only {shown} of {CHROME}: is the PDF text read?"
    assert not [text for text in CHROME if squeezed(text) in on_paper]
    assert len(on_paper) > 500
