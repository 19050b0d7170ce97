"""Chinese text marked as Chinese: ``<span lang="zh">`` around every run of CJK characters.

The pages are ``lang="en"``, so a screen reader reads the glossary's Chinese terms (and chapter 9's
Tang poems, the sidebar's "术语表") with an English voice, or spells them out. After the HTML builder has
written the pages, every run of CJK characters in their text (not in tags, attributes, scripts,
styles or the <title>) is wrapped in ``<span lang="zh">``; a run already wrapped is left alone, so a
build that keeps unchanged pages from an earlier build wraps nothing twice.
"""

from __future__ import annotations

import re
from pathlib import Path

LANG = "zh"
OPEN = f'<span lang="{LANG}">'
# CJK symbols and punctuation, CJK ideographs (extension A and the main block), compatibility
# ideographs, full-width forms (，：！)
CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# what is not text: comments, whole script/style/title/textarea elements, and every tag
_NOT_TEXT = re.compile(r"(<!--.*?-->|<(script|style|title|textarea)\b.*?</\2\s*>|<[^>]*>)",
                       re.S | re.I)


def mark_cjk(html: str) -> str:
    """``html`` with each run of CJK characters in its text wrapped in ``<span lang="zh">``."""
    out, position, previous_tag = [], 0, ""
    for match in _NOT_TEXT.finditer(html):
        text = html[position:match.start()]
        out.append(text if previous_tag == OPEN else CJK.sub(lambda m: f"{OPEN}{m.group(0)}</span>", text))
        out.append(match.group(0))
        previous_tag, position = match.group(0), match.end()
    out.append(CJK.sub(lambda m: f"{OPEN}{m.group(0)}</span>", html[position:]))
    return "".join(out)


def mark_pages(app, exception) -> None:
    """``build-finished``: mark the CJK text of every HTML page written."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        if CJK.search(html):
            marked = mark_cjk(html)
            if marked != html:
                page.write_text(marked, encoding="utf-8")


def setup(app):
    app.connect("build-finished", mark_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
