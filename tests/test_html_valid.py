"""Every HTML file of the built site is valid HTML for the Nu HTML checker (vnu), the W3C's validator.

The checker is a Java program that is slow to start, so it runs once, over every .html file the build wrote and one
known-invalid file that proves it reports errors. Warnings are allowed; errors are not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browserkit import VNU

INVALID = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p id="a"></p><p id="a"></p></body></html>'


@pytest.fixture(scope="module")
def vnu_messages(built_site, tmp_path_factory):
    """vnu's messages, by file, for every .html file of the built site and for one invalid file."""
    java = shutil.which("java")
    assert java and VNU.exists(), "the Nu HTML checker needs Java and vnu.jar: run `make browser`"
    html = built_site[0]
    invalid = tmp_path_factory.mktemp("vnu") / "invalid.html"
    invalid.write_text(INVALID)
    files = sorted(html.rglob("*.html")) + [invalid]
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", *map(str, files)], capture_output=True, text=True
    )
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError:
        raise AssertionError(f"vnu did not report as JSON (exit {result.returncode}):\n{result.stderr[-3000:]}") from None
    by_file = {path: [] for path in files}
    for message in report["messages"]:
        path = Path(unquote(urlsplit(message.get("url", "")).path))
        by_file.setdefault(path, []).append(message)
    return html, invalid, by_file


def errors(messages: list[dict]) -> list[dict]:
    """The messages that are errors (warnings and infos are "info"; "non-document-error" means vnu could not read)."""
    return [m for m in messages if m["type"] in ("error", "non-document-error")]


@pytest.mark.build
def test_every_html_file_of_the_site_has_no_vnu_error(vnu_messages):
    html, invalid, by_file = vnu_messages
    assert html / "index.html" in by_file, "vnu was not given the site's pages"
    found = [
        f"{path.relative_to(html) if path.is_relative_to(html) else path}:{m.get('lastLine', '?')}: {m['message']}"
        for path, messages in sorted(by_file.items())
        if path != invalid
        for m in errors(messages)
    ]
    assert not found, f"the Nu HTML checker found {len(found)} errors:\n" + "\n".join(found)


@pytest.mark.build
def test_vnu_reports_a_duplicate_id_in_an_invalid_file(vnu_messages):
    _, invalid, by_file = vnu_messages
    assert any("Duplicate ID" in m["message"] for m in errors(by_file[invalid])), by_file[invalid]
