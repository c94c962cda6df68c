"""Report an error: a link, on every page, to a new issue on the repository's tracker that names the page (a local
extension, loaded from conf/; issue 15, item 10).

The repository's address is ``repository_url`` in conf/conf.py, set there once, and overridable like
``html_baseurl``: ``make html SPHINXOPTS="-D repository_url=https://github.com/someone/fork"``. Each page's footer
(conf/_templates/report-error.html, one of the theme's ``article_footer_items``) links to
``<repository_url>/issues/new?title=…&body=…`` with the page's title, and its canonical URL (from
``html_baseurl``) in the body. Each labelled equation gets a link of its own (`equation_report_link`, which
conf/copy_links.py writes after the equation's copy-link buttons), whose body names the equation's anchor.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.nodes import clean_astext

QUESTION = "What is wrong, and what should it say?"


def page_title(app: Sphinx, pagename: str) -> str:
    """The page's title as plain text (its name, for a page without one), as the report links and copy links say it."""
    return clean_astext(app.env.titles[pagename]) if pagename in app.env.titles else pagename


def new_issue_url(repository_url: str, title: str, body: str) -> str:
    """The address of GitHub's form for a new issue, with its title and body filled in (percent-encoded)."""
    return f"{repository_url}/issues/new?title={quote(title, safe='')}&body={quote(body, safe='')}"


def _check_repository_url(app: Sphinx, config) -> None:
    if not config.repository_url.startswith("https://") or config.repository_url.endswith("/"):
        raise ExtensionError(
            f"repository_url must be an https:// address without a trailing '/'; got {config.repository_url!r}")
    # {{ repository }} in a page: a link to it (book/api.md)
    config.myst_substitutions = {**config.myst_substitutions,
                                 "repository": f"[the repository]({config.repository_url})"}


def _page_report_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """`report_error_url` for the footer template of every page read from book/ (not genindex or search)."""
    context["repository_url"] = app.config.repository_url
    if doctree is None or "pageurl" not in context:
        return
    title = page_title(app, pagename)
    body = f"Page: {context['pageurl']}\n\n{QUESTION}\n"
    context["report_error_url"] = new_issue_url(app.config.repository_url, f"Error on the page “{title}”", body)


def equation_report_link(repository_url: str, title: str, page_url: str, anchor: str, number: str) -> str:
    """A labelled equation's "Report an error" link (HTML): a new issue naming the equation by number and anchor."""
    label = anchor.removeprefix("equation-")
    what = f"equation {number.strip() or label}"
    href = new_issue_url(repository_url, f"Error in {what} ({label}) on the page “{title}”",
                         f"Equation: {page_url}#{anchor}\n\n{QUESTION}\n")
    return (f'<a class="report-error" href="{html.escape(href)}" aria-label="Report an error in {what}" '
            f'title="Report an error in {what}">Report an error</a>')


def setup(app: Sphinx) -> dict:
    app.add_config_value("repository_url", "", "html", types=frozenset({str}))
    app.connect("config-inited", _check_repository_url)
    app.connect("html-page-context", _page_report_link)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
