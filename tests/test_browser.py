"""The built book as readers meet it, in a real browser (Debian's Chromium, headless, via selenium).

`make test` builds the book before pytest runs; these tests serve ``_build/html`` on 127.0.0.1 and
check every page of the table of contents: it loads with no console error, MathJax typesets its
equations (from the copy in book/_static/mathjax, no CDN), a hidden answer opens on a click, an
embedded animation moves when its slider is dragged, and no internal link is broken. They save
screenshots of three pages at desktop and phone width under ``_build/screenshots/``.

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

import pytest
import yaml
from browser_support import INSTALL, MISSING, start_chromium

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"

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


@pytest.mark.parametrize("page", PAGES)
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


def test_hidden_answer_opens_on_click(site, browser):
    page = next(p for p in PAGES if p.startswith("chapters/"))
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


def test_embedded_animation_moves_when_its_slider_is_dragged(site, browser):
    from selenium.webdriver.common.action_chains import ActionChains

    pages = [p for p in PAGES if "anim-slider" in (HTML / p).read_text(encoding="utf-8")]
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
    chosen = [PAGES[0], chapters[0], chapters[-1]]
    browser.set_window_size(width, height)
    try:
        for page in chosen:
            load(browser, f"{site}/{page}")
            path = SHOTS / f"{Path(page).stem}-{kind}.png"
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
