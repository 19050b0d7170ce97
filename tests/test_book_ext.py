"""The book's own Sphinx extensions (book/_ext) and what they leave in the built pages.

The unit tests need nothing built; the last tests read ``_build/html``, which `make test` builds first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import cjk_lang  # noqa: E402
import figure_alt  # noqa: E402
import run_yourself  # noqa: E402


def test_cjk_runs_are_marked_in_text_only_and_only_once():
    html = ('<html lang="en"><head><title>术语表</title><script>const s = "序列";</script></head>'
            '<body><a href="#" title="计算图">Glossary · 术语表</a><p>MLP · 多层感知器: x</p></body></html>')
    marked = cjk_lang.mark_cjk(html)
    assert '<a href="#" title="计算图">Glossary · <span lang="zh">术语表</span></a>' in marked
    assert '<p>MLP · <span lang="zh">多层感知器</span>: x</p>' in marked
    assert "<title>术语表</title>" in marked and 'const s = "序列";' in marked
    assert cjk_lang.mark_cjk(marked) == marked


def test_alt_text_read_off_a_plotting_cell():
    code = ('fig, ax = plt.subplots()\nax.semilogy(x)\nax.set(xlabel="distance $t - k$", '
            'ylabel=r"$\\|\\partial L / \\partial h_k\\|$",\n       title=f"tanh RNN, {n} units")\nplt.show()')
    assert figure_alt.code_alt(code) == "Plot “tanh RNN, … units”: ‖∂L / ∂h_k‖ against distance t - k."
    assert figure_alt.code_alt("deep_rnn_graphs(T=3)\nplt.show()") == "Figure drawn by deep_rnn_graphs(T=3)"
    assert figure_alt.code_alt("x = 1") is None


def test_alt_texts_stored_with_outputs_are_found_by_the_image_bytes(tmp_path):
    png = b"\x89PNG\r\n\x1a\n fake"
    data = base64.b64encode(png).decode()
    notebook = {"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "data": {"image/png": data, "text/plain": "<Figure>"},
         "metadata": {"image/png": {"width": 10, "height": 5, "alt": "A rising line."}}},
        {"output_type": "display_data", "data": {"image/png": data + "AA=="}, "metadata": {}}]}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook))
    assert figure_alt.stored_alts(path) == {hashlib.sha256(png).hexdigest(): "A rising line."}


def test_launch_links_only_for_a_public_repository():
    options = {"repository_url": "", "launch_buttons": {"notebook_interface": "jupyterlab"}}
    assert run_yourself.launch_links(options, "chapters/05_x.ipynb") == []
    options["repository_url"] = "https://github.com/someone/rnncourse"
    links = dict(run_yourself.launch_links(options, "chapters/05_x.ipynb"))
    assert links == {
        "Binder": "https://mybinder.org/v2/gh/someone/rnncourse/main?urlpath=lab/tree/chapters/05_x.ipynb",
        "Colab": "https://colab.research.google.com/github/someone/rnncourse/blob/main/chapters/05_x.ipynb"}
    options.update(repository_url="https://gitlab.com/a/b", repository_branch="dev", path_to_docs="book")
    assert [name for name, _ in run_yourself.launch_links(options, "c.ipynb")] == ["Binder"]
    box = run_yourself.box("../_sources/c.ipynb", "../rnncourse-course.zip", [])
    assert 'href="../_sources/c.ipynb" download' in box and 'href="../rnncourse-course.zip"' in box
    assert "make book" in box and "make lab" in box and "Open in" not in box


def built(path: str) -> str:
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} is missing: build the book first (`make book`)")
    return (HTML / path).read_text(encoding="utf-8")


def chapters():
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def test_equations_and_exercises_are_numbered_per_chapter():
    for notebook in chapters():
        number = int(notebook.name[:2])
        page = built(f"chapters/{notebook.stem}.html")
        equations = re.findall(r'class="eqno">\((\d+)\.(\d+)\)', page)
        exercises = re.findall(r'<span class="caption-number">Exercise (\d+)\.(\d+) </span>', page)
        for label, found in (("equation", equations), ("exercise", exercises)):
            assert {int(c) for c, _ in found} <= {number}, f"{notebook.name}: {label} numbers {found}"
            assert [int(k) for _, k in found] == list(range(1, len(found) + 1)), (notebook.name, found)
        assert exercises, f"{notebook.name}: no numbered exercise"


def test_solution_titles_link_the_exercise_without_a_leading_space():
    for notebook in chapters():
        page = built(f"chapters/{notebook.stem}.html")
        titles = re.findall(r'<p class="admonition-title">Solution to(.{0,80}?)Exercise', page)
        assert titles and all(t.startswith(" <a ") and t.endswith('">') for t in titles), \
            (notebook.name, titles[:2])


def test_every_chapter_page_offers_its_notebook_and_the_course():
    for notebook in chapters():
        page = built(f"chapters/{notebook.stem}.html")
        assert '<details class="run-yourself' in page, notebook.name
        assert f'href="../_sources/chapters/{notebook.name}" download' in page, notebook.name
        assert (HTML / "_sources" / "chapters" / notebook.name).exists()
    with zipfile.ZipFile(HTML / run_yourself.ZIP_NAME) as course:
        names = set(course.namelist())
    for needed in ("Makefile", "requirements.txt", "pyproject.toml", "rnncourse/__init__.py",
                   "chapters/05_long_term_dependencies.ipynb", "exercises/ex02_rnn_forward.ipynb"):
        assert f"rnncourse/{needed}" in names, needed
    assert not [n for n in names if "/.venv/" in n or "/_build/" in n or "/.git/" in n]


def test_the_exercises_page_links_every_exercise_notebook_for_download():
    page = built("book/exercises.html")
    for notebook in sorted((ROOT / "exercises").glob("ex*.ipynb")):
        link = re.search(rf'href="(\.\./_downloads/[0-9a-f]+/{notebook.name})"', page)
        assert link, f"{notebook.name} is not linked for download"
        assert (HTML / "book" / link.group(1)).resolve().read_bytes() == notebook.read_bytes()
