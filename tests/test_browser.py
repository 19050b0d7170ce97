"""The built book as readers meet it, in a real browser (Debian's Chromium, headless, via selenium).

`make test` builds both editions before pytest runs (English in ``_build/html``, Chinese in
``_build/html/zh``); these tests serve ``_build/html`` on 127.0.0.1 and check every page of the
table of contents in both: it loads with no console error, MathJax typesets its equations (from the
copy in book/_static/mathjax, no CDN), a hidden answer opens on a click, an embedded animation moves
when its slider is dragged, and no internal link is broken. They save screenshots of three pages of
each edition at desktop and phone width under ``_build/screenshots/``. For the Chinese edition they
also check that its text is drawn with a CJK font (Noto CJK, not boxes), that the language link
leads to the same page in the other edition, and that the search page finds 梯度 and 遗忘门.

Without a browser they are skipped with a message that says what to install (``make test`` installs
it with apt when it runs as root); without a built book, they fail, because `make test` builds it.
"""

from __future__ import annotations

import functools
import http.server
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import os
import sys

import pytest
import yaml
from browser_support import INSTALL, MISSING, start_chromium

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
#: the editions, as the folder of each under _build/html: English at the root, Chinese in zh/
EDITIONS = ["", "zh/"]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=INSTALL)


def toc_pages() -> list[str]:
    """Every document of book/_toc.yml, in reading order, as paths of HTML pages."""
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(page).with_suffix(".html")) for page in pages]


PAGES = toc_pages()
#: every page of both editions, e.g. "chapters/07_lstm.html" and "zh/chapters/07_lstm.html"
ALL_PAGES = [edition + page for edition in EDITIONS for page in PAGES]


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} is missing: build the book first (`make book`)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def load(browser, url: str) -> list[dict]:
    """Open ``url``, wait until MathJax (if the page uses it) has typeset; return console errors."""
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(url)
    browser.set_script_timeout(60)
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const wait = () => {
            if (document.readyState !== 'complete') return setTimeout(wait, 50);
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                MathJax.startup.promise.then(() => done(true), () => done(false));
            } else { done(true); }
        };
        wait();""")
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_without_console_errors_and_typesets_its_math(site, browser, page):
    assert (HTML / page).exists(), f"{page} is in the table of contents but was not built"
    errors = load(browser, f"{site}/{page}")
    assert not errors, f"{page}: console errors: {[e['message'] for e in errors]}"
    sources = browser.execute_script(
        "return document.querySelectorAll('div.math, span.math').length")
    typeset = browser.execute_script("return document.querySelectorAll('mjx-container').length")
    failed = browser.execute_script("return document.querySelectorAll('mjx-merror').length")
    if sources:
        assert typeset >= sources, f"{page}: {sources} equations, {typeset} typeset by MathJax"
    assert failed == 0, f"{page}: MathJax reported {failed} errors in the equations"


@pytest.mark.parametrize("edition", EDITIONS)
def test_hidden_answer_opens_on_click(site, browser, edition):
    page = edition + next(p for p in PAGES if p.startswith("chapters/"))
    load(browser, f"{site}/{page}")
    shown = """return Array.from(document.querySelectorAll('.solution.dropdown'))
                 .map(s => Array.from(s.children).slice(1)
                 .some(c => c.getBoundingClientRect().height > 0 && c.textContent.trim().length > 0))"""
    before = browser.execute_script(shown)
    assert before and not any(before), f"{page}: answers should start hidden, got {before}"
    title = browser.find_element("css selector", ".solution.dropdown .admonition-title")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", title)
    title.click()
    after = browser.execute_script(shown)
    assert after[0], f"{page}: the first answer did not open on a click"


@pytest.mark.parametrize("edition", EDITIONS)
def test_embedded_animation_moves_when_its_slider_is_dragged(site, browser, edition):
    from selenium.webdriver.common.action_chains import ActionChains

    pages = [edition + p for p in PAGES
             if "anim-slider" in (HTML / edition / p).read_text(encoding="utf-8")]
    assert pages, "no page of the book embeds a scrubbable animation (rnncourse.interactive)"
    load(browser, f"{site}/{pages[0]}")
    slider = browser.find_element("css selector", "input.anim-slider")
    image = browser.find_element("css selector", ".animation img")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
    before = (slider.get_attribute("value"), image.get_attribute("src"))
    ActionChains(browser).click_and_hold(slider).move_by_offset(slider.size["width"] // 3, 0) \
        .release().perform()
    after = (slider.get_attribute("value"), image.get_attribute("src"))
    assert after[0] != before[0], f"{pages[0]}: dragging did not move the slider"
    assert after[1] != before[1], f"{pages[0]}: the slider moved but the frame did not change"


@pytest.mark.parametrize("width,height,kind", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_screenshots_at_desktop_and_phone_width(site, browser, width, height, kind):
    SHOTS.mkdir(parents=True, exist_ok=True)
    chapters = [p for p in PAGES if p.startswith("chapters/")]
    chosen = [edition + page for edition in EDITIONS for page in (PAGES[0], chapters[0], chapters[-1])]
    browser.set_window_size(width, height)
    try:
        for page in chosen:
            load(browser, f"{site}/{page}")
            prefix = "zh-" if page.startswith("zh/") else ""
            path = SHOTS / f"{prefix}{Path(page).stem}-{kind}.png"
            assert browser.save_screenshot(str(path)), f"could not save {path}"
            assert path.stat().st_size > 10_000, f"{path} looks empty"
            scroll = browser.execute_script("return document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"{page} scrolls sideways at {kind} width ({scroll}px)"
    finally:
        browser.set_window_size(1280, 900)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") == "preload"):
                self.links.append(attrs[key])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_no_internal_link_is_broken():
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} is missing: build the book first (`make book`)")
    broken = []
    for page in sorted(HTML.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        for link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(HTML)} -> {link}")
            elif parts.fragment and target.suffix == ".html" and \
                    unquote(parts.fragment) not in _parse(target).ids:
                broken.append(f"{page.relative_to(HTML)} -> {link} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:30])


# --- the Chinese edition ----------------------------------------------------------------------

def test_chinese_text_is_drawn_with_a_cjk_font(site, browser):
    """Chromium reports the platform fonts that drew a node's text: the heading of the Chinese
    glossary (术语表) must be drawn by Noto CJK, not by a fallback without Chinese glyphs."""
    load(browser, f"{site}/zh/book/glossary.html")
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    document = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1})
    heading = browser.execute_cdp_cmd("DOM.querySelector", {
        "nodeId": document["root"]["nodeId"], "selector": "article h1"})
    fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": heading["nodeId"]})
    families = {font["familyName"]: font["glyphCount"] for font in fonts["fonts"]}
    cjk = {name: count for name, count in families.items() if "CJK" in name}
    assert cjk and sum(cjk.values()) >= 3, f"术语表 drawn with {families}"
    assert any(" SC" in name for name in cjk), f"not the simplified-Chinese face: {families}"


@pytest.mark.parametrize("edition,lang", [("", "zh-CN"), ("zh/", "en")])
def test_language_link_leads_to_the_same_page_in_the_other_edition(site, browser, edition, lang):
    page = next(p for p in PAGES if p.startswith("chapters/"))
    load(browser, f"{site}/{edition}{page}")
    link = browser.find_element("css selector", "p.language-switch a")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const wait = () => document.readyState === 'complete' ? done(true) : setTimeout(wait, 50);
        wait();""")
    other = "zh/" if edition == "" else ""
    assert browser.current_url == f"{site}/{other}{page}"
    assert browser.execute_script("return document.documentElement.lang") == lang


@pytest.mark.parametrize("word,chapters", [
    ("梯度", ["chapters/03_bptt.html", "chapters/05_long_term_dependencies.html"]),
    ("遗忘门", ["chapters/07_lstm.html"]),
])
def test_chinese_search_finds_the_chapters_not_only_the_glossary(site, browser, word, chapters):
    from urllib.parse import quote

    load(browser, f"{site}/zh/search.html?q={quote(word)}")
    browser.set_script_timeout(60)
    found = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const wait = () => {
            const summary = document.querySelector('#search-results .search-summary, p.search-summary');
            if (!summary || !summary.textContent.trim()) return setTimeout(wait, 100);
            done(Array.from(document.querySelectorAll('#search-results ul.search li a'))
                 .map(a => new URL(a.href).pathname));
        };
        wait();""")
    pages = {path.split("/zh/", 1)[-1] for path in found}
    assert "book/glossary.html" in pages, f"searching {word!r} finds {sorted(pages)}"
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import po_checks

    catalogues = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"
    pending = [c for c in chapters if not po_checks.is_complete(catalogues / Path(c).with_suffix(".po"))]
    if pending and os.environ.get("RNNCOURSE_ALLOW_UNTRANSLATED", "") not in ("", "0"):
        pytest.skip(f"ALLOW_UNTRANSLATED: {', '.join(pending)} not translated yet "
                    f"(searching {word!r} finds {sorted(pages)})")
    assert set(chapters) <= pages, f"searching {word!r} finds {sorted(pages)}"
