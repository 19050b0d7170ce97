"""The built book as readers meet it, in a real browser (Debian's Chromium, headless, via selenium).

`make test` builds both editions before pytest runs (English in ``_build/html``, Chinese in
``_build/html/zh``); these tests serve ``_build/html`` on 127.0.0.1 and open every page of the table of
contents, in both editions, at desktop width (1280 x 900) and at phone width (390 x 844), once
each (the ``survey`` fixture), saving a screenshot of each under ``_build/screenshots/`` (look at them).
On every page: no console error, MathJax typesets every equation (from the copy in book/_static/mathjax,
no CDN), the page does not scroll sideways, every image has an alt text that is not a file path, every
figure is SVG or has at least twice the pixels it is shown at, Chinese text carries ``lang="zh"``, at
most one search field is visible, and (phone) no display equation overflows its column. Then: the
navigation (hamburger and page contents) opens at phone and tablet width and the hamburger hides the
sidebar on a desktop, a hidden answer opens on a click, an embedded animation moves when its slider is
dragged, the sliders of rnncourse.interactive work offline, search snippets show no raw LaTeX, and no
internal link is broken. For the Chinese edition they also check that its text is drawn with a CJK
font (Noto CJK, not boxes), that the language link leads to the same page in the other edition, and that
the search page finds 梯度 and 遗忘门.

Three checks read what the chapters store: every figure a 2x PNG (the chapters call
``rnncourse.plot.book_style()``), every animation frame with its alt text, and no display equation wider
than a phone's column (long ones are broken over lines with ``aligned``/``gathered``).

Without a browser they are skipped with a message that says what to install (``make test`` installs
it with apt when it runs as root); without a built book, they fail, because `make test` builds it.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser_support import (EQUATIONS_JS, INSTALL, MISSING, OPEN_ALL_JS, load, serve, start_chromium,
                             toc_pages)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
#: the editions, as the folder of each under _build/html: English at the root, Chinese in zh/
EDITIONS = ["", "zh/"]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=INSTALL)

PAGES = toc_pages(ROOT)
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
#: every page of both editions, e.g. "chapters/07_lstm.html" and "zh/chapters/07_lstm.html"
ALL_PAGES = [edition + page for edition in EDITIONS for page in PAGES]

# What a page shows a reader, measured once per page and width (see ``survey``).
PROBE_JS = r"""
const visible = el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
const article = document.querySelector('.bd-article') || document.body;
const cjk = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const unmarked = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const parent = node.parentElement;
  if (!cjk.test(node.data) || !parent || parent.closest('script, style')) continue;
  const tagged = parent.closest('[lang]');
  if (!tagged || !tagged.lang.toLowerCase().startsWith('zh')) unmarked.push(node.data.trim().slice(0, 30));
}
return {
  scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  sources: document.querySelectorAll('div.math, span.math').length,
  typeset: document.querySelectorAll('mjx-container').length,
  failed: document.querySelectorAll('mjx-merror').length,
  images: Array.from(article.querySelectorAll('img')).map(img => ({
    src: (img.getAttribute('src') || '').slice(0, 90), alt: img.getAttribute('alt'),
    natural: img.naturalWidth, shown: Math.round(img.getBoundingClientRect().width),
    svg: /\.svg(\?|#|$)|^data:image\/svg/.test(img.getAttribute('src') || '')})),
  unmarkedCjk: unmarked,
  searchFields: Array.from(document.querySelectorAll(
      'input[type=search], input[name=q], .search-button-field')).filter(visible).length,
};
"""


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} is missing: build the book first (`make book`)")
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def _shot(page: str, kind: str) -> Path:
    """Where the screenshot of ``page`` (either edition) at ``kind`` width goes."""
    return SHOTS / f"{'zh-' if page.startswith('zh/') else ''}{Path(page).stem}-{kind}.png"


def resize(browser, kind: str):
    browser.set_window_size(*SIZES[kind])


@pytest.fixture(scope="module")
def survey(site, browser):
    """(page, kind) -> what PROBE_JS measured, the console errors, the display equations with the
    answers open (EQUATIONS_JS); saves ``_build/screenshots/[zh-]<page>-<kind>.png`` on the way."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    try:
        for kind in SIZES:
            resize(browser, kind)
            for page in ALL_PAGES:
                if not (HTML / page).exists():
                    continue
                errors = load(browser, f"{site}/{page}")
                browser.save_screenshot(str(_shot(page, kind)))
                data = browser.execute_script(PROBE_JS)
                data["errors"] = [e["message"] for e in errors]
                browser.execute_async_script(OPEN_ALL_JS)
                data["equations"] = browser.execute_script(EQUATIONS_JS)
                found[page, kind] = data
    finally:
        resize(browser, "desktop")
    return found


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_without_console_errors_and_typesets_its_math(survey, page):
    assert (HTML / page).exists(), f"{page} is in the table of contents but was not built"
    data = survey[page, "desktop"]
    assert not data["errors"], f"{page}: console errors: {data['errors']}"
    if data["sources"]:
        assert data["typeset"] >= data["sources"], \
            f"{page}: {data['sources']} equations, {data['typeset']} typeset by MathJax"
    assert data["failed"] == 0, f"{page}: MathJax reported {data['failed']} errors in the equations"


@pytest.mark.parametrize("kind", SIZES)
def test_screenshots_of_every_page_at_desktop_and_phone_width(survey, kind):
    for page in ALL_PAGES:
        path = _shot(page, kind)
        assert path.exists() and path.stat().st_size > 10_000, f"{path} is missing or looks empty"


@pytest.mark.parametrize("kind", SIZES)
@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_page_scrolls_sideways(survey, page, kind):
    data = survey[page, kind]
    assert data["scrollWidth"] <= data["clientWidth"] + 1, \
        f"{page} scrolls sideways at {kind} width ({data['scrollWidth']} px for {data['clientWidth']})"


def _is_path(alt: str | None, src: str) -> bool:
    return not alt or alt == src or "_images/" in alt or bool(re.search(r"\.(png|jpe?g|gif|svg|webp)$", alt, re.I))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_alt_text_is_a_file_path(survey, page):
    bad = [(i["src"], i["alt"]) for i in survey[page, "desktop"]["images"]
           if not i["src"].startswith("data:") and _is_path(i["alt"], i["src"])]
    assert not bad, f"{page}: images whose alt text is empty or a file path: {bad}"


def test_animation_frames_have_alt_text(survey):
    bad = [f"{page}: {i['src'][:40]}… alt={i['alt']!r}" for page in ALL_PAGES
           for i in survey[page, "desktop"]["images"] if i["src"].startswith("data:") and not i["alt"]]
    assert not bad, "animation frames without alt text:\n" + "\n".join(bad)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_cjk_text_carries_lang(survey, page):
    unmarked = survey[page, "desktop"]["unmarkedCjk"]
    assert not unmarked, f"{page}: Chinese text outside any lang=\"zh\" element: {unmarked[:10]}"


@pytest.mark.parametrize("kind", SIZES)
@pytest.mark.parametrize("page", ALL_PAGES)
def test_at_most_one_search_field_is_visible(survey, page, kind):
    fields = survey[page, kind]["searchFields"]
    assert fields <= 1, f"{page}: {fields} search fields visible at {kind} width"
    if page == "search.html":
        assert fields == 1, f"the search page shows {fields} search fields"


def test_figures_are_svg_or_at_least_twice_their_displayed_size(survey):
    blurry = [f"{page} ({kind}): {i['src']} has {i['natural']} px, shown at {i['shown']} px"
              for (page, kind), data in survey.items() for i in data["images"]
              if i["shown"] and not i["svg"] and i["natural"] < 2 * i["shown"] - 1]
    assert not blurry, f"{len(blurry)} figures with fewer than 2 pixels per CSS pixel:\n" + "\n".join(blurry)


def test_no_display_equation_overflows_its_column_at_phone_width(survey):
    wide = [f"{page}: ({e['number']}) {e['id'] or e['tex'][:40]}: {e['natural']} px for a {e['column']} px "
            f"column" for page in ALL_PAGES for e in survey.get((page, "phone"), {}).get("equations", [])
            if e["overflow"]]
    assert not wide, f"{len(wide)} display equations scroll inside their column at phone width:\n" + \
        "\n".join(wide)


def test_display_equations_wider_than_a_phone_are_scaled_or_scroll_with_a_hint(survey):
    """Whatever the chapters hold, no equation is cut off without a sign: each one wider than its
    column is scaled to fit or, scrolling, carries the visible hint of book/_static/equations.js."""
    for page in PAGES:
        for e in survey[page, "phone"]["equations"]:
            if e["shown"] and e["natural"] > e["column"]:
                assert "eq-scaled" in e["mode"] or "eq-scroll" in e["mode"], (page, e)
            if e["overflow"]:
                assert "eq-scroll" in e["mode"], f"{page}: ({e['number']}) overflows without the hint"


def _toggle(browser, which: str):
    """The visible primary or secondary sidebar toggle button of the page."""
    buttons = [b for b in browser.find_elements("css selector", f".{which}-toggle") if b.is_displayed()]
    assert len(buttons) == 1, f"expected one visible .{which}-toggle, found {len(buttons)}"
    return buttons[0]


@pytest.mark.parametrize("width", [390, 800])
def test_navigation_opens_at_phone_and_tablet_width(site, browser, width):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = CHAPTERS[len(CHAPTERS) // 2]
    browser.set_window_size(width, 844)
    try:
        for which, dialog, content in [("primary", "pst-primary-sidebar-modal", ".bd-docs-nav a"),
                                       ("secondary", "pst-secondary-sidebar-modal", "nav.page-toc a")]:
            load(browser, f"{site}/{page}")
            _toggle(browser, which).click()
            opened = browser.execute_script(
                "const d = document.getElementById(arguments[0]); return d && d.open", dialog)
            assert opened, f"{page} at {width} px: the {which} toggle did not open #{dialog}"
            links = [a for a in browser.find_elements("css selector", f"#{dialog} {content}")
                     if a.is_displayed()]
            assert len(links) >= 3, f"{page} at {width} px: the {which} sidebar opened without its links"
            ActionChains(browser).send_keys(Keys.ESCAPE).perform()
            closed = browser.execute_script("return !document.getElementById(arguments[0]).open", dialog)
            assert closed, f"{page} at {width} px: Escape did not close the {which} sidebar"
    finally:
        resize(browser, "desktop")


def test_hamburger_hides_and_shows_the_sidebar_on_a_desktop(site, browser):
    page = CHAPTERS[0]
    load(browser, f"{site}/{page}")
    nav = "return document.querySelector('#pst-primary-sidebar .bd-docs-nav').getBoundingClientRect().right > 0" \
          " && getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility !== 'hidden'"
    assert browser.execute_script(nav), f"{page}: the sidebar should start shown on a desktop"
    _toggle(browser, "primary").click()
    browser.execute_async_script("setTimeout(arguments[arguments.length - 1], 600)")  # the transition
    assert not browser.execute_script(nav), f"{page}: the hamburger did not hide the sidebar"
    assert not browser.execute_script("return document.getElementById('pst-primary-sidebar-modal').open")
    _toggle(browser, "primary").click()
    browser.execute_async_script("setTimeout(arguments[arguments.length - 1], 600)")
    assert browser.execute_script(nav), f"{page}: a second click did not bring the sidebar back"


@pytest.mark.parametrize("edition", EDITIONS)
def test_hidden_answer_opens_on_click(site, browser, edition):
    page = edition + CHAPTERS[0]
    load(browser, f"{site}/{page}")
    shown = """return Array.from(document.querySelectorAll('.solution.dropdown'))
                 .map(s => Array.from(s.children).slice(1)
                 .some(c => c.getBoundingClientRect().height > 0 && c.textContent.trim().length > 0))"""
    before = browser.execute_script(shown)
    assert before and not any(before), f"{page}: answers should start hidden, got {before}"
    title = browser.find_element("css selector", ".solution.dropdown .admonition-title")
    if not edition:
        assert title.text.startswith("Solution to Exercise 1."), title.text    # numbered per chapter
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


def test_sliders_of_rnncourse_interactive_work_offline_and_fit_a_phone(browser, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from rnncourse.interactive import scrubber, text_switcher

    anim = scrubber(lambda ax, k: ax.plot(range(int(k) + 2)), [1, 2, 3], label="steps", figsize=(6.4, 3))
    texts = text_switcher({0.5: "cold <text>", 1.0: "warm text", 2.0: "hot " * 60}, label="temperature")
    page = tmp_path / "sliders.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
                    'content="width=device-width"></head><body style="margin:8px">'
                    f"{anim.html}{texts.html}</body></html>", encoding="utf-8")
    browser.set_window_size(*SIZES["phone"])
    try:
        browser.get(page.as_uri())
        label = "return arguments[0].querySelector('.anim-label').textContent"
        shown = "return Array.from(arguments[0].querySelectorAll('pre')).filter(p => !p.hidden).map(p => p.textContent)"
        root = browser.find_element("css selector", ".text-switcher")
        assert browser.execute_script(label, root) == "temperature: 1"
        assert browser.execute_script(shown, root) == ["warm text"]
        root.find_element("css selector", ".anim-prev").click()
        assert browser.execute_script(label, root) == "temperature: 0.5"
        assert browser.execute_script(shown, root) == ["cold <text>"]          # text, as text
        animation = browser.find_element("css selector", ".animation")
        image = animation.find_element("css selector", "img")
        before = (image.get_attribute("src"), image.get_attribute("alt"))
        animation.find_element("css selector", ".anim-next").click()
        assert browser.execute_script(label, animation) == "steps: 3"
        after = (image.get_attribute("src"), image.get_attribute("alt"))
        assert after[0] != before[0] and after[1].endswith("steps = 3."), after[1]
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width + 1
        right = browser.execute_script(
            "return Math.max(...Array.from(document.querySelectorAll('.rnn-slider *'))"
            ".map(e => e.getBoundingClientRect().right))")
        assert right <= width + 1, f"the sliders' controls reach {right} px on a {width} px screen"
    finally:
        resize(browser, "desktop")


def test_search_snippets_show_no_raw_latex(site, browser):
    load(browser, f"{site}/search.html?q=tanh")
    browser.set_script_timeout(60)
    snippets = browser.execute_async_script("""
        const done = arguments[arguments.length - 1], t0 = Date.now();
        (function wait() {
            const found = document.querySelectorAll('#search-results p.context');
            if (found.length >= 3 || Date.now() - t0 > 30000)
                done(Array.from(found).map(p => p.textContent));
            else setTimeout(wait, 200);
        })();""")
    assert len(snippets) >= 3, f"searching 'tanh' found {len(snippets)} snippets"
    raw = [s for s in snippets if re.search(r"\\[()\[\]]|\\(mathrm|frac|tanh|sum)\b", s)]
    assert not raw, f"snippets with raw LaTeX: {raw[:3]}"


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
