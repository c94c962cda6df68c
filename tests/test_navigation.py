"""Issue 15, item 5: what a reader moves around the page with, in a real browser (Debian's chromium). The "Back to
top" button covers no text on a phone; an equation's "#" permalink and its copy-link buttons do not overlap; the
desktop "Contents" follows the reading position to the page's last section and keeps its highlighted entry in view."""

import pytest
from browserkit import DESKTOP, PHONE, next_frames

pytestmark = pytest.mark.build

# The article's text lines under `box` that a reader would see but for the box: a text node's line rect meets the box
# and, at the middle of the overlap, the text's own element is the topmost thing below the box (not the page's sticky
# header, which hides the text anyway). Returns the first 40 characters of each such text node.
TEXT_UNDER = """box => {
    const hits = [], walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || box.contains(node)) continue;
        range.selectNodeContents(node);
        for (const line of range.getClientRects()) {
            const left = Math.max(line.left, box.getBoundingClientRect().left);
            const right = Math.min(line.right, box.getBoundingClientRect().right);
            const top = Math.max(line.top, box.getBoundingClientRect().top);
            const bottom = Math.min(line.bottom, box.getBoundingClientRect().bottom);
            if (right - left < 1 || bottom - top < 1) continue;
            const below = document.elementsFromPoint((left + right) / 2, (top + bottom) / 2)
                .filter(e => e !== box && !box.contains(e))[0];
            if (below && (below === node.parentElement || node.parentElement.contains(below)
                          || below.contains(node.parentElement))) {
                hits.push(node.textContent.trim().slice(0, 40));
                break;
            }
        }
    }
    return hits;
}"""


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("name", ["transpose", "worked-example"])
def test_on_a_phone_back_to_top_covers_no_text(browser, site_url, name, mode):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  color_scheme=mode)
    page = context.new_page()
    page.goto(f"{site_url}{name}.html")
    page.wait_for_selector("html[data-math-ready]", state="attached")
    covered = {}
    for fraction in (0.2, 0.35, 0.5, 0.65, 0.8):
        # the theme shows the button while the reader scrolls up
        page.evaluate("""f => new Promise(done => {
            const y = Math.round((document.documentElement.scrollHeight - innerHeight) * f);
            scrollTo(0, y + 300);
            requestAnimationFrame(() => requestAnimationFrame(() => { scrollTo(0, y); done(); })); })""", fraction)
        button = page.wait_for_selector("#pst-back-to-top", state="visible", timeout=5_000)
        hits = page.evaluate(TEXT_UNDER, button)
        if hits:
            covered[fraction] = hits
    context.close()
    assert not covered, f"{name}.html at {PHONE['width']} px: 'Back to top' covers {covered}"


# An equation's "#" permalink (shown while the pointer is over the number) and its two copy-link buttons: their boxes.
PERMALINK_AND_BUTTONS = """id => {
    const eqno = document.getElementById(id).querySelector('.eqno');
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const link = eqno.querySelector('a.headerlink');
    return [getComputedStyle(link).visibility, box(link), [...eqno.querySelectorAll('button.copy-link')].map(box)];
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_equations_permalink_does_not_overlap_its_copy_link_buttons(browser, site_url, viewport):
    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{site_url}chain-rule.html")
    page.wait_for_selector("html[data-math-ready]", state="attached")
    failures = []
    for anchor in page.evaluate("[...document.querySelectorAll('div.math[id^=\"equation-\"]')].map(e => e.id)"):
        button = page.locator(f'button.copy-link-markdown[data-anchor="{anchor}"]')
        button.scroll_into_view_if_needed()
        button.click()  # the pointer stays over the button: the "#" shows
        visibility, link, buttons = page.evaluate(PERMALINK_AND_BUTTONS, anchor)
        assert visibility == "visible", f"{anchor}: the '#' permalink is not shown on hover"
        for other in buttons:
            across = min(link[2], other[2]) - max(link[0], other[0])
            down = min(link[3], other[3]) - max(link[1], other[1])
            if across > 0 and down > 0:
                failures.append(f"{anchor}: '#' {link} overlaps a button {other}")
    context.close()
    assert not failures, "\n".join(failures)


# The Contents entry highlighted by the theme, and whether it lies inside the sidebar's visible part.
HIGHLIGHTED = """() => {
    const link = document.querySelector('#pst-page-toc-nav a.active');
    if (!link) return [null, false];
    const sidebar = document.querySelector('.bd-sidebar-secondary').getBoundingClientRect();
    const entry = link.getBoundingClientRect();
    const inside = entry.top >= sidebar.top - 1 && entry.bottom <= Math.min(sidebar.bottom, innerHeight) + 1;
    return [link.getAttribute('href'), inside];
}"""


def test_on_a_desktop_the_contents_follow_the_reading_position_to_the_last_section(browser, site_url):
    from playwright.sync_api import TimeoutError as Timeout

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site_url}transpose.html")
    page.wait_for_selector("html[data-math-ready]", state="attached")
    entries = page.evaluate("[...document.querySelectorAll('#pst-page-toc-nav a')].map(a => a.getAttribute('href'))")
    assert len(entries) > 12, entries
    # The reader drags the scroll bar to a section's heading (a jump, not a scroll past each heading on the way), to
    # 100 px below the window's top; reads the last section at the page's end; then jumps back up into the middle of
    # a long section, 600 px below its heading, with no heading near the window's top.
    stops = [(href, -100) for href in entries[1:-1:3] + entries[-3:-1]] + [(None, 0), ("#transpose-adjoint", 600)]
    wrong = []
    for href, below in stops:
        if href:
            page.evaluate("""([id, below]) => {
                const heading = document.getElementById(id).querySelector('h1, h2, h3, h4');
                scrollTo(0, scrollY + heading.getBoundingClientRect().top + below); }""", [href[1:], below])
        else:
            page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
            href = entries[-1]
        try:
            page.wait_for_function(f"() => {{ const [active, shown] = ({HIGHLIGHTED})(); "
                                   f"return active === {href!r} && shown; }}", timeout=3_000)
        except Timeout:
            wrong.append(f"at {href}: highlighted {page.evaluate(HIGHLIGHTED)} (entry, inside the sidebar)")
    context.close()
    assert not wrong, "transpose.html at 1280 px, Contents:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("name", ["activations", "transpose"])
def test_a_contents_entry_lands_its_section_below_the_header_once_the_page_has_settled(browser, site_url, name):
    """Sections off screen are laid out as the reader nears them (lean.css): after a jump, those that come into view
    take their real height. The section a Contents entry leads to stays where the jump put it, its heading just below
    the header (copy-link.js holds it) where landing on it again would put it. activations' tanh section ended under the header before."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{site_url}{name}.html")
    page.wait_for_selector("html[data-math-ready]", state="attached")
    entries = page.locator("#pst-page-toc-nav a[href^='#']")
    wrong = []
    count = entries.count()
    # far jumps, into sections not laid out yet: the last entry, the first, the second last, the second, ...
    for index in [i // 2 if i % 2 else count - 1 - i // 2 for i in range(count)]:
        href = entries.nth(index).get_attribute("href")
        entries.nth(index).click()
        next_frames(page, 70)  # the hold lasts 60 frames
        # where the jump put the heading, then where landing on it now puts it
        top, settled = page.evaluate("""id => { const target = document.getElementById(id);
            const top = target.getBoundingClientRect().top;
            target.scrollIntoView({block: 'start'});
            return [top, target.getBoundingClientRect().top]; }""", href[1:])
        if abs(top - settled) > 2:
            wrong.append(f"{href}: heading at {top:.0f} px, not at {settled:.0f} px below the header")
    context.close()
    assert not wrong, f"{name}.html at 1280 px:\n  " + "\n  ".join(wrong)
