"""The Chinese edition's catalogues (locales/zh_CN/LC_MESSAGES/*.po), read without building.

Per catalogue: no fuzzy entry (its English changed since it was translated) and no untranslated
one; every translation keeps its message's equations, inline code, roles and cross-references,
link targets and numbers; wherever the English uses a glossary term (a ``{term}`` role, or a
multi-word term in the prose), the Chinese uses book/glossary.md's Chinese term; no run of
English prose is left in a translation. The checks themselves (book/_ext/po_checks.py) are
tested on messages built to fail them. Last, the whole cycle on a two-page Sphinx project with
a notebook: an English sentence changed makes its entry fuzzy and the strict Chinese build fail
until the translation is updated.

``make check-po PO=chapters/07_lstm`` runs these tests for that catalogue only (RNNCOURSE_PO).
``RNNCOURSE_ALLOW_UNTRANSLATED=1`` (``make test ALLOW_UNTRANSLATED=1``) skips the fuzzy and
untranslated test with each catalogue's counts in the skip reason; every other test still holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import po_checks  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from test_browser import PAGES  # noqa: E402  (the pages of book/_toc.yml, in reading order)

CATALOGUES = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"
ALLOW_UNTRANSLATED = os.environ.get("RNNCOURSE_ALLOW_UNTRANSLATED", "") not in ("", "0")
TEMPLATE_CATALOGUES = {"sphinx.po"}  # hand-written, no gettext template (theme strings)


def _selected() -> list[Path]:
    every = sorted(CATALOGUES.rglob("*.po"))
    wanted = os.environ.get("RNNCOURSE_PO", "").strip()
    if not wanted:
        return every
    name = wanted.removeprefix("locales/zh_CN/LC_MESSAGES/").removesuffix(".po")
    chosen = [p for p in every if p.relative_to(CATALOGUES).with_suffix("").as_posix() == name]
    if not chosen:
        raise pytest.UsageError(f"RNNCOURSE_PO={wanted!r}: no such catalogue under {CATALOGUES}")
    return chosen


SELECTED = _selected()
IDS = [p.relative_to(CATALOGUES).as_posix() for p in SELECTED]
#: `make check-po PO=...` runs the tests of that catalogue only, not those of the machinery
whole_suite = pytest.mark.skipif(bool(os.environ.get("RNNCOURSE_PO", "").strip()),
                                 reason="make check-po: only the tests of the one catalogue")


@pytest.fixture(scope="module")
def terms():
    return po_checks.glossary_terms()


@whole_suite
def test_every_document_of_the_book_has_its_catalogue_and_no_catalogue_is_orphaned():
    expected = {str(Path(page).with_suffix(".po")) for page in PAGES} | {"_config.po"}
    present = {p.relative_to(CATALOGUES).as_posix() for p in CATALOGUES.rglob("*.po")}
    present -= TEMPLATE_CATALOGUES
    assert not expected - present, (f"missing catalogues {sorted(expected - present)}: "
                                     "run `make translations`")
    assert not present - expected, (f"catalogues of no document {sorted(present - expected)}: "
                                    "run `make translations` (it removes them)")


@pytest.mark.parametrize("path", SELECTED, ids=IDS)
def test_catalogue_has_no_fuzzy_and_no_untranslated_entry(path, terms):
    report = po_checks.catalogue_report(path, terms)
    report.path = path.relative_to(ROOT)
    pending = len(report.fuzzy) + len(report.untranslated)
    if pending and ALLOW_UNTRANSLATED:
        pytest.skip(f"ALLOW_UNTRANSLATED: {report.summary()}")
    assert not pending, report.details(limit=15) + (
        "\nTranslate the entries marked fuzzy (remove the fuzzy flag) or empty; "
        "see locales/TRANSLATING.md")


def _assert_no_problem(path: Path, problems_of) -> None:
    """Fail with every translated entry of ``path`` for which ``problems_of(entry)`` says something."""
    bad = []
    for entry in po_checks.read_catalogue(path):
        if entry.msgstr.strip() and not entry.fuzzy:
            problems = problems_of(entry)
            if problems:
                bad.append(f"line {entry.line}: {entry.msgid[:80]!r}\n      " + "\n      ".join(problems))
    assert not bad, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("path", SELECTED, ids=IDS)
def test_translations_keep_equations_code_references_links_and_numbers(path):
    _assert_no_problem(path, lambda entry: po_checks.token_problems(entry.msgid, entry.msgstr))


@pytest.mark.parametrize("path", SELECTED, ids=IDS)
def test_glossary_terms_are_translated_as_the_glossary_gives_them(path, terms):
    _assert_no_problem(path, lambda entry: [
        p for p in po_checks.entry_problems(entry, terms) if "glossary" in p])


@pytest.mark.parametrize("path", SELECTED, ids=IDS)
def test_no_english_prose_is_left_in_a_translation(path, terms):
    _assert_no_problem(path, lambda entry: [
        p for p in po_checks.entry_problems(entry, terms) if p.startswith("English")])


@pytest.mark.skipif(CATALOGUES / "book" / "glossary.po" not in SELECTED,
                    reason="make check-po: the glossary's catalogue is not the one checked")
def test_the_glossary_keeps_each_english_term_line_as_it_is():
    """The Chinese glossary lists the English term, then the Chinese one: the English line's
    entry must be a copy (translating it would change the term's anchor and every link to it)."""
    terms = po_checks.glossary_terms()
    entries = po_checks.read_catalogue(CATALOGUES / "book" / "glossary.po")
    lines = {e.msgid.lower(): e for e in entries}
    changed = [f"{e.msgid!r} -> {e.msgstr!r}" for english in terms
               for e in [lines.get(english)] if e and e.msgstr and e.msgstr != e.msgid]
    missing = [english for english in terms if english not in lines]
    assert not missing, f"glossary terms without an entry: {missing}: run `make translations`"
    assert not changed, "translated English term lines (keep them as they are): " + "; ".join(changed)


# --- the checks fail when they should ------------------------------------------------------

GLOSSARY = {"forget gate": "遗忘门", "cell state": "细胞状态（记忆单元）",
            "deep rnn": "深度循环神经网络", "softmax": "softmax 函数（归一化指数函数）"}
SOURCE = ("The {term}`forget gate` $f_t = \\sigma(W x_t)$ scales `c_prev` over 50 steps, "
          "eq. {eq}`eq-ch07-forget`, see {cite}`gers2000learning` and [chapter 5](05_long.ipynb).")
GOOD = ("{term}`遗忘门 <forget gate>` $f_t = \\sigma(W x_t)$ 在 50 步中缩放 `c_prev`，"
        "见式 {eq}`eq-ch07-forget`、{cite}`gers2000learning` 与[第 5 章](05_long.ipynb)。")


@whole_suite
def test_a_faithful_translation_has_no_problem():
    assert po_checks.token_problems(SOURCE, GOOD) == []
    assert po_checks.glossary_problems(SOURCE, GOOD, GLOSSARY) == []
    assert po_checks.english_runs(po_checks.parts(GOOD).prose) == []


@whole_suite
@pytest.mark.parametrize("broken,kind", [
    (GOOD.replace("\\sigma(W x_t)", "\\sigma(W x)"), "equation"),
    (GOOD.replace("`c_prev`", "`c_previous`"), "inline code"),
    (GOOD.replace("{eq}`eq-ch07-forget`", "式 (7)"), "role/cross-reference"),
    (GOOD.replace("{cite}`gers2000learning`", "{cite}`gers2000recurrent`"), "role/cross-reference"),
    (GOOD.replace("<forget gate>", "<input gate>"), "role/cross-reference"),
    (GOOD.replace("(05_long.ipynb)", "(06_esn.ipynb)"), "link target"),
    (GOOD.replace("50 步", "五十步"), "number"),
    (GOOD.replace("50 步", "500 步"), "number"),
])
def test_a_translation_that_alters_what_must_stay_is_caught(broken, kind):
    problems = po_checks.token_problems(SOURCE, broken)
    assert any(p.startswith(kind) for p in problems), problems


@whole_suite
def test_a_term_shown_in_other_words_than_the_glossarys_is_caught():
    wrong = GOOD.replace("{term}`遗忘门 <forget gate>`", "{term}`忘记门 <forget gate>`")
    assert po_checks.token_problems(SOURCE, wrong) == []
    problems = po_checks.glossary_problems(SOURCE, wrong, GLOSSARY)
    assert problems and "遗忘门" in problems[0]
    untranslated_role = GOOD.replace("{term}`遗忘门 <forget gate>`", "{term}`forget gate`")
    assert po_checks.glossary_problems(SOURCE, untranslated_role, GLOSSARY)


@whole_suite
def test_a_glossary_term_in_the_prose_must_be_translated_as_the_glossary_says():
    source = "The cell state of a deep RNN is private."
    assert po_checks.glossary_problems(source, "深度 RNN 的细胞状态是私有的。", GLOSSARY) == []
    assert po_checks.glossary_problems(source, "深度循环神经网络的记忆单元是私有的。", GLOSSARY) == []
    problems = po_checks.glossary_problems(source, "深层 RNN 的单元状态是私有的。", GLOSSARY)
    assert len(problems) == 2, problems
    assert po_checks.glossary_problems(source, "深层 RNN 的单元状态是私有的。", GLOSSARY,
                                       waived={"cell state", "deep rnn"}) == []


@whole_suite
def test_english_left_in_a_translation_is_caught():
    assert po_checks.english_runs("这一步 multiplies the old cell by the gate 之后") == [
        "multiplies the old cell by the gate"]
    assert po_checks.english_runs("Hochreiter 和 Schmidhuber 的 LSTM 与 `torch.nn`") == []


@whole_suite
def test_needs_translation_only_where_there_are_words():
    assert po_checks.needs_translation("The hidden state")
    assert po_checks.needs_translation("{doc}`Sequences and unfolding </chapters/01_x>`")
    for no_words in ["$h_t = \\tanh(a_t)$", "`(batch, H)`", "#", "12", "遗忘门", "{eq}`eq-x`"]:
        assert not po_checks.needs_translation(no_words), no_words


@whole_suite
def test_the_glossary_is_read_with_every_term():
    terms = po_checks.glossary_terms()
    assert terms["forget gate"] == "遗忘门"
    assert terms["backpropagation through time"] == "随时间反向传播"
    assert terms["echo-state network"] == "回声状态网络"
    assert len(terms) == (ROOT / "book" / "glossary.md").read_text().count("\n\n") - 1


# --- the whole cycle, on a small project -----------------------------------------------------

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# Gates\n", "\n", "The {term}`forget gate` keeps $c_t$ for 50 steps.\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["print(6 * 7)"],
         "outputs": [{"name": "stdout", "output_type": "stream", "text": ["42\n"]}]},
        {"cell_type": "code", "execution_count": 2, "source": ["plot()"],
         "metadata": {"mystnb": {"figure": {"caption": "The forget gate over time", "name": "fig-f"},
                                 "image": {"alt": "A curve of the forget gate"}}},
         "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
             "text/plain": ["<Figure>"], "image/png": (
                 "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5"
                 "ErkJggg==")}}]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}
CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})
extensions = ["myst_nb", "bilingual"]
root_doc = "index"
exclude_patterns = ["_build", "locales"]
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath"]
locale_dirs = ["locales"]
gettext_compact = False
gettext_location = False
html_theme = "basic"
html_title = "The gate book"
author = "the authors"
"""
INDEX = """# Index

```{toctree}
gates
```

```{glossary}
forget gate
遗忘门
  The gate.
```
"""


def _sphinx(project, builder, out, *extra) -> tuple[int, str]:
    """One Sphinx build in this process (importing Sphinx and MyST-NB once keeps the test short)."""
    import contextlib
    import gettext
    import io

    from sphinx.cmd.build import build_main

    gettext._translations.clear()  # the standard library caches each .mo by path, per process
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.chdir(project):
        status = build_main(["-b", builder, "-q", "-E", *extra, ".", out])
    return status, errors.getvalue()


def _translate(po: Path, translations: dict[str, str]):
    from babel.messages.pofile import read_po, write_po

    with open(po, "rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with open(po, "wb") as handle:
        write_po(handle, catalogue, width=0)


@whole_suite
def test_changing_an_english_sentence_fails_the_chinese_build_until_its_translation_is_updated(
        tmp_path):
    project = tmp_path / "book"
    project.mkdir()
    (project / "conf.py").write_text(CONF)
    (project / "index.md").write_text(INDEX)
    notebook = project / "gates.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK))
    po = project / "locales" / "zh_CN" / "LC_MESSAGES" / "gates.po"

    def update(own_process: bool):
        """make translations. After a Chinese build of this process it runs in a process of its
        own, as it always does (those builds leave translated alt text in MyST-NB's outputs)."""
        if not own_process:
            from sphinx_intl.basic import update as sphinx_intl_update

            status, errors = _sphinx(project, "gettext", "_build/gettext")
            assert status == 0, errors
            sphinx_intl_update(str(project / "locales"), str(project / "_build" / "gettext"),
                               ("zh_CN",), line_width=0, jobs=1)
            return
        code = ("import sys; from sphinx.cmd.build import build_main; "
                "from sphinx_intl.basic import update; "
                "sys.exit(build_main(['-b', 'gettext', '-q', '-E', '.', '_build/gettext']) or "
                "update('locales', '_build/gettext', ('zh_CN',), line_width=0, jobs=1) and 0)")
        done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr

    def build_zh():
        return _sphinx(project, "html", "_build/zh", "-W", "--keep-going", "-D", "language=zh_CN")

    update(own_process=False)
    assert "$c_t = " not in po.read_text()  # nothing of an equation or a code cell is a message
    _translate(project / "locales" / "zh_CN" / "LC_MESSAGES" / "_config.po",
               {"The gate book": "门之书", "the authors": "作者们"})
    _translate(project / "locales" / "zh_CN" / "LC_MESSAGES" / "index.po",
               {"Index": "索引", "The gate.": "门。", "forget gate": "forget gate"})
    template = (project / "_build" / "gettext" / "gates.pot").read_text()
    assert 'msgid "A curve of the forget gate"' in template  # alt text and caption are messages
    assert 'msgid "The forget gate over time"' in template
    _translate(po, {"Gates": "门", "A curve of the forget gate": "LSTM 遗忘门的曲线",
                    "The forget gate over time": "遗忘门随时间的变化",
                    "The {term}`forget gate` keeps $c_t$ for 50 steps.":
                        "{term}`遗忘门 <forget gate>` 把 $c_t$ 保持 50 步。"})
    status, errors = build_zh()
    assert status == 0, errors
    page = (project / "_build" / "zh" / "gates.html").read_text()
    assert "把" in page and "保持 50 步" in page and "keeps" not in page
    assert 'lang="zh-CN"' in page and "42" in page  # the stored output, as stored
    assert 'alt="LSTM 遗忘门的曲线"' in page and "遗忘门随时间的变化" in page

    # English changed, catalogues not updated: the paragraph is missing from the catalogue
    notebook.write_text(json.dumps(NOTEBOOK).replace("for 50 steps", "for 60 steps"))
    status, errors = build_zh()
    assert status != 0 and "untranslated" in errors, errors
    assert "make translations" in errors

    # catalogues updated: the old translation comes back marked fuzzy, the build still fails
    update(own_process=True)
    fuzzy = [e for e in po_checks.read_catalogue(po) if e.fuzzy]
    assert [e.msgid for e in fuzzy] == ["The {term}`forget gate` keeps $c_t$ for 60 steps."]
    assert fuzzy[0].msgstr == "{term}`遗忘门 <forget gate>` 把 $c_t$ 保持 50 步。"
    report = po_checks.catalogue_report(po)
    assert len(report.fuzzy) == 1 and report.translated == 3  # the others kept, untouched
    status, errors = build_zh()
    assert status != 0 and "fuzzy" in errors, errors

    # the translation updated: everything passes again
    _translate(po, {"The {term}`forget gate` keeps $c_t$ for 60 steps.":
                    "{term}`遗忘门 <forget gate>` 把 $c_t$ 保持 60 步。"})
    report = po_checks.catalogue_report(po)
    assert not report.fuzzy and not report.untranslated and not report.problems
    status, errors = build_zh()
    assert status == 0, errors
    assert "保持 60 步" in (project / "_build" / "zh" / "gates.html").read_text()
