"""Sphinx extension: the "copy link" buttons of every labelled equation and every answer box, written into the HTML.

Each labelled display equation and each answer box (an admonition whose id ends in "-answer") gets two buttons:
"Markdown link" copies a Markdown link ready for a forum post, "URL" the plain address (book/_static/copy-link.js
does the copying when one is pressed). They used to be created by that script after the page had loaded, and on a
phone the answer box's title then wrapped to a second line, moving everything under it by 44 px while the reader
was looking at it (Lighthouse's layout shift, issue 15). Written here, they are laid out with the page's first paint,
and so is the equation's "Report an error" link that follows them (conf/report_error.py), which needs no script.

Each button says what it copies in its name (WCAG 2.5.3, label in name) and carries the link's text in
`data-link-text`: "backprop-derived: <page title>, eq. (5)" for an equation, "backprop-derived: <page title> (<section>,
the answer in one line)" for a section's own answer box, so two links from one page differ. The link's address is
the page's canonical URL (from html_baseurl), which the script reads when the button is pressed.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from report_error import equation_report_link, page_title
from sphinx.application import Sphinx
from sphinx.util.nodes import clean_astext

SITE = "backprop-derived"
# The renderer's equation number: '<span class="eqno">(3)<a class="headerlink" ...>#</a>[<a class="eq-code" ...>code</a>]</span>'
EQNO = re.compile(r'(<div class="math[^"]*" id="(equation-[^"]+)">\s*<span class="eqno">)([^<]*)(.*?)(</span>)', re.S)
ANSWER_TITLE = re.compile(r'(<div class="[^"]*admonition[^"]*" id="([^"]+-answer)">\s*<p class="admonition-title">)(.*?)(</p>)', re.S)


def button_pair(what: str, link_text: str, anchor: str) -> str:
    """The two buttons that copy a link to `anchor`: a Markdown link with `link_text`, and the plain URL."""
    attributes = f'data-anchor="{html.escape(anchor)}" data-link-text="{html.escape(link_text)}"'
    markdown = f"Copy Markdown link to {what}"
    url = f"Copy URL of {what}"
    return (
        '<span class="copy-link-pair">'
        f'<button type="button" class="copy-link copy-link-markdown" aria-label="{html.escape(markdown)}" '
        f'title="{html.escape(markdown)}" {attributes}><span class="copy-link-text">Markdown link</span></button>'
        f'<button type="button" class="copy-link copy-link-url" aria-label="{html.escape(url)}" '
        f'title="{html.escape(url)}" {attributes}><span class="copy-link-text">URL</span></button>'
        "</span>"
    )


def equation_what(number: str, anchor: str) -> str:
    """How a button names an equation: by the number the page shows, "eq. (5)", or by its label if it has none."""
    number = number.strip()
    return f"eq. {number}" if number else "equation " + anchor.removeprefix("equation-")


def _answer_sections(doctree: nodes.document) -> dict[str, str]:
    """Answer box id -> the title of the section it opens ("" for the page's own answer, under the page title)."""
    found = {}
    for box in doctree.findall(nodes.Admonition):
        for box_id in box["ids"]:
            if not box_id.endswith("-answer"):
                continue
            section = box.parent
            while section is not None and not isinstance(section, nodes.section):
                section = section.parent
            top = section is None or not isinstance(section.parent, nodes.section)
            found[box_id] = "" if top else clean_astext(section[0])
    return found


def _add_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if doctree is None or "body" not in context or "pageurl" not in context:
        return
    title = page_title(app, pagename)
    sections = _answer_sections(doctree)

    def equation(match: re.Match) -> str:
        opening, anchor, number, rest, closing = match.groups()
        what = equation_what(number, anchor)
        report = equation_report_link(app.config.repository_url, title, context["pageurl"], anchor, number)
        return opening + number + rest + button_pair(what, f"{SITE}: {title}, {what}", anchor) + report + closing

    def answer(match: re.Match) -> str:
        opening, anchor, heading, closing = match.groups()
        where = sections.get(anchor, "")
        link_text = f"{SITE}: {title} ({where + ', ' if where else ''}the answer in one line)"
        return opening + heading + button_pair("this answer", link_text, anchor) + closing

    body = EQNO.sub(equation, context["body"])
    context["body"] = ANSWER_TITLE.sub(answer, body)


def setup(app: Sphinx) -> dict:
    app.setup_extension("report_error")
    app.connect("html-page-context", _add_buttons)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
