"""The built site keeps its public anchors, and none of its internal links or #fragments is broken."""

import re
import shutil
import subprocess

import pytest
from buildkit import ROOT
from sitecheck import broken_links, lost_anchors, public_anchors, read_manifest


@pytest.mark.build
def test_no_public_anchor_has_disappeared(built_site):
    html, _ = built_site
    lost = lost_anchors(html, read_manifest())
    assert not lost, (
        "these public anchors are gone from the build; forum links to them would break. Restore them, or add a "
        "redirect (pages) or an alias anchor (labels, equations):\n  " + "\n  ".join(lost)
    )


MANIFEST = "conf/public-anchors.txt"


def _manifest_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


@pytest.mark.skipif(not (ROOT / ".git").exists() or not shutil.which("git"), reason="needs the git history")
def test_the_anchor_manifest_only_ever_grows():
    """A line of conf/public-anchors.txt, once committed, stays: a published link never loses its target."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    current = _manifest_lines((ROOT / MANIFEST).read_text())
    removed = {}
    for commit in git("log", "--format=%h", "--", MANIFEST).split():
        for line in _manifest_lines(git("show", f"{commit}:{MANIFEST}")) - current:
            removed.setdefault(line, commit)
    assert not removed, "anchors once published and now missing from the manifest:\n  " + "\n  ".join(
        f"{line} (listed in {commit})" for line, commit in sorted(removed.items())
    )


@pytest.mark.build
def test_every_public_anchor_is_in_the_manifest(built_site):
    html, _ = built_site
    new = sorted(public_anchors(html) - read_manifest())
    assert not new, "new public anchors; list them with `make anchors` and commit conf/public-anchors.txt:\n  " + (
        "\n  ".join(new)
    )


@pytest.mark.build
def test_every_internal_link_and_fragment_resolves(built_site):
    html, _ = built_site
    broken = broken_links(html)
    assert not broken, "\n".join(broken)


def test_link_checker_reports_a_missing_file_and_a_missing_fragment(tmp_path):
    (tmp_path / "a.html").write_text(
        '<p id="here"><a href="b.html#nowhere">x</a> <a href="missing.html">y</a> <a href="#here">z</a>'
        '<img src="_images/fig.svg"></p>'
    )
    (tmp_path / "b.html").write_text('<section id="somewhere"></section>')
    assert broken_links(tmp_path) == [
        "a.html: <a> b.html#nowhere -> b.html has no id 'nowhere'",
        "a.html: <a> missing.html -> no file missing.html",
        "a.html: <img> _images/fig.svg -> no file _images/fig.svg",
    ]


def test_link_checker_ignores_external_links_and_resolves_relative_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.html").write_text(
        '<a href="../index.html#top">up</a> <a href="https://example.org/x#y">out</a> <a href="mailto:a@b.c">m</a>'
    )
    (tmp_path / "index.html").write_text('<div id="top"></div>')
    assert broken_links(tmp_path) == []


# The questions of the learner-question list (shared/learner-questions.md) that the index page must answer.
LEARNER_QUESTIONS = [1, 2, 4, 5, 6, 8, 10, 11, 12, 14, 15, 16, 18, 19, 21, 22, 24, 25, 27, 28, 30, 31, 32, 33, 35, 37]
# Questions added since the numbered list, each with an id that names its topic.
LEARNER_QUESTION_IDS = [f"questions-q{n}" for n in LEARNER_QUESTIONS] + [
    "questions-week2-dw-shape", "questions-week2-week3", "questions-week2-np-sum", "questions-inverse",
    "questions-columns", "questions-pytorch-linear", "questions-l2", "questions-batch-norm",
    "questions-right-shape-wrong-values", "questions-by-hand", "questions-loss-vector",
    "questions-which-product", "questions-l2-matrix", "questions-l2-decay", "questions-l2-minibatch",
    "questions-bn-moments", "questions-bn-bias", "questions-bn-inference", "questions-dropout-twice",
    "questions-dropout-divide", "questions-dropout-test", "questions-dropout-gradcheck",
]


@pytest.mark.build
def test_every_learner_question_has_an_anchor_that_links_to_its_answer(built_site):
    html, _ = built_site
    page = (html / "questions.html").read_text(encoding="utf-8")
    sections = re.split(r'<section id="', page)[1:]
    by_id = {section.split('"', 1)[0]: section for section in sections}
    for question in LEARNER_QUESTION_IDS:
        section = by_id.get(question)
        assert section is not None, f"questions.html has no section {question}"
        answer_links = re.findall(r'class="reference internal" href="([a-z0-9-]+\.html#[a-z0-9-]+)"', section)
        assert answer_links, f"{question} links to no answer on the site"
        assert 'href="https://' in section, f"{question} does not link the thread it comes from"


@pytest.mark.build
def test_no_cross_reference_shows_raw_tex(built_site):
    html, _ = built_site
    raw = [
        f"{page.name}: {text}"
        for page in sorted(html.glob("*.html"))
        for text in re.findall(r'<span class="std std-ref">([^<]*)</span>', page.read_text(encoding="utf-8"))
        if re.search(r"\\|\^\{|_\{", text)
    ]
    assert not raw, "a {ref} to a section whose title has math needs explicit link text:\n" + "\n".join(raw)


# One citation style: author and year, the year in round brackets, as in "Goodfellow et al. (2016)" in a sentence
# and "(Parr and Howard, 2018)" after one; never square brackets, never a slanted "et al.".
YEAR = r"(\d{4}|n\.d\.)[a-z]?"  # "n.d.": no date, as for course pages and documentation
TEXTUAL = re.compile(rf"[^()\[\]]+ \({YEAR}\)")
PARENTHETICAL = re.compile(rf"\([^()\[\]]+, {YEAR}(; [^()\[\]]+, {YEAR})*\)")


@pytest.mark.build
def test_every_citation_is_author_year_with_round_brackets(built_site):
    html, _ = built_site
    found, wrong = 0, []
    for page in sorted(html.glob("*.html")):
        for citation in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', page.read_text(), re.S):
            text = " ".join(re.sub(r"<[^>]+>", "", citation).split())
            found += 1
            if "<em>" in citation or not (TEXTUAL.fullmatch(text) or PARENTHETICAL.fullmatch(text)):
                wrong.append(f"{page.name}: {text!r}" + (" (slanted et al.)" if "<em>" in citation else ""))
    assert found > 20, found
    assert not wrong, "citations in another style:\n  " + "\n  ".join(wrong)


@pytest.mark.build
def test_every_bibliography_entry_shows_its_url_in_full(built_site):
    # The theme wrote a notebook's address on GitHub as "karpathy/nn-zero-to-hero" (conf/cited_by.py).
    html, _ = built_site
    page = (html / "references.html").read_text()
    links = re.findall(r'URL: <a class="[^"]*" href="([^"]+)">([^<]*)</a>', page)
    assert len(links) >= 20, len(links)
    shortened = [(href, text) for href, text in links if text != href.replace("&amp;", "&")]
    assert not shortened, f"URLs shown shortened: {shortened}"
