"""The Chinese edition as built (``_build/html/zh``, by `make book` and `make test`), read as files.

Every page of the table of contents exists in both editions, the Chinese one with
``lang="zh-CN"``; each page links to the same page in the other edition; the code cells and their
outputs are the English edition's own (same sources, same stored outputs, same images); the Chinese
search index knows the glossary's terms as words and finds 梯度 and 遗忘门 in the chapters; no
paragraph of a Chinese page has a run of English prose.

While chapters are being translated (``RNNCOURSE_ALLOW_UNTRANSLATED=1``, from
``make test ALLOW_UNTRANSLATED=1``) the search and prose tests look only at pages whose catalogue
is complete, and say which they left out.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ZH = HTML / "zh"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tests"))
import po_checks  # noqa: E402
from test_browser import PAGES  # noqa: E402  (the pages of book/_toc.yml, in reading order)

CATALOGUES = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"
ALLOW_UNTRANSLATED = os.environ.get("RNNCOURSE_ALLOW_UNTRANSLATED", "") not in ("", "0")


@pytest.fixture(scope="module", autouse=True)
def built():
    for edition in (HTML, ZH):
        if not (edition / "index.html").exists():
            pytest.fail(f"{edition / 'index.html'} is missing: build both editions (`make book`)")


@functools.lru_cache(maxsize=None)
def soup(path: Path) -> BeautifulSoup:
    """The parsed page, shared by the tests that only read it."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def complete(page: str) -> bool:
    """True when the page's catalogue has no fuzzy or untranslated entry."""
    return po_checks.is_complete(CATALOGUES / Path(page).with_suffix(".po"))


@pytest.mark.parametrize("page", PAGES)
def test_both_editions_have_the_page_with_their_language(page):
    english, chinese = soup(HTML / page), soup(ZH / page)
    assert english.html["lang"] == "en"
    assert chinese.html["lang"] == "zh-CN", f"zh/{page}: lang={chinese.html.get('lang')!r}"


@pytest.mark.parametrize("page", PAGES)
def test_each_page_links_to_the_same_page_in_the_other_edition(page):
    for here, there, lang in ((HTML / page, ZH / page, "zh-CN"), (ZH / page, HTML / page, "en")):
        links = soup(here).select("p.language-switch a[href]")
        assert len(links) == 1, f"{here.relative_to(HTML)}: {len(links)} language links"
        assert links[0]["hreflang"] == lang
        target = (here.parent / links[0]["href"]).resolve()
        assert target == there.resolve(), f"{here.relative_to(HTML)} links to {target}, not {there}"
        alternate = soup(here).select_one(f'link[rel="alternate"][hreflang="{lang}"]')
        assert alternate and alternate["href"] == links[0]["href"]


def _cells(page: Path) -> list[str]:
    """Every code cell's source and stored output as the page shows them, images by file."""
    out = []
    for cell in soup(page).select("div.cell"):
        for node in cell.select("div.cell_input pre, div.cell_output pre, div.cell_output img"):
            out.append(node.get("src") if node.name == "img" else node.get_text())
    return out


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("chapters/")])
def test_code_cells_and_their_outputs_are_the_english_editions_own(page):
    english, chinese = _cells(HTML / page), _cells(ZH / page)
    assert english, f"{page}: no code cell found"
    assert chinese == english, f"zh/{page}: the code cells or their outputs differ from the English"
    for image in [c for c in chinese if c and c.endswith((".png", ".svg", ".jpg"))]:
        assert (ZH / Path(page).parent / image).resolve().exists()


def _search_index(edition: Path) -> dict:
    text = (edition / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1: text.rindex(")")])


def _found(index: dict, word: str) -> set[str]:
    docs = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get(word, [])
        docs.update(index["docnames"][i] for i in ([hits] if isinstance(hits, int) else hits))
    return docs


def test_the_chinese_search_index_has_the_glossary_terms_as_words():
    index = _search_index(ZH)
    for word in ("遗忘门", "随时间反向传播", "梯度消失", "回声状态网络"):
        assert "book/glossary" in _found(index, word), f"{word!r} is not a word of the index"


@pytest.mark.parametrize("word", ["梯度", "遗忘门"])
def test_searching_chinese_finds_the_chapters_not_only_the_glossary(word):
    chapters = {"梯度": {"chapters/03_bptt", "chapters/05_long_term_dependencies"},
                "遗忘门": {"chapters/07_lstm"}}[word]
    pending = sorted(c for c in chapters if not complete(c + ".html"))
    if pending and ALLOW_UNTRANSLATED:
        pytest.skip(f"ALLOW_UNTRANSLATED: {', '.join(pending)} not translated yet")
    found = _found(_search_index(ZH), word)
    assert chapters <= found, f"searching {word!r} finds {sorted(found)}"


_SKIP = ("pre, code, .math, mjx-container, .bibtex-citation, .citation, div.cell, script, style, "
         "nav, .headerlink, dl.glossary dt, #id1 ~ div.citation, div.bibliography, .language-switch")


@pytest.mark.parametrize("page", PAGES)
def test_no_paragraph_of_a_chinese_page_is_english_prose(page):
    if ALLOW_UNTRANSLATED and not complete(page):
        pytest.skip(f"ALLOW_UNTRANSLATED: zh/{page} is not translated yet")
    article = BeautifulSoup(str(soup(ZH / page).select_one("article.bd-article")), "html.parser")
    for node in article.select(_SKIP):
        node.decompose()
    english = []
    for block in article.select("p, li, h1, h2, h3, h4, td, th, dd, caption, figcaption, summary"):
        text = " ".join(block.get_text(" ").split())
        english += [f"{run!r} in {text[:80]!r}" for run in po_checks.english_runs(text)]
    assert not english, f"zh/{page}: English prose:\n  " + "\n  ".join(english[:20])
