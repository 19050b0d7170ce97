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


def test_cell_metadata_gives_a_numbered_caption_and_alt_text_and_the_rest_gets_one(tmp_path):
    """The metadata format the chapters use (README, "Figures and the web book"), through a small
    book built with myst-nb and book/_ext/figure_alt.py."""
    import subprocess

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(64))).decode()

    def cell(source, metadata=None, alt=None, salt=""):
        image = {"width": 100, "height": 50, **({"alt": alt} if alt else {})}
        return {"cell_type": "code", "execution_count": 1, "metadata": metadata or {}, "source": source,
                "outputs": [{"output_type": "display_data", "metadata": {"image/png": image},
                             "data": {"image/png": png + salt, "text/plain": "<Figure>"}}]}

    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Chapter\n\nSee {numref}`fig-rho`."},
                  cell("plt.plot(x)", {"mystnb": {"figure": {"caption": "Norms for five radii.",
                                                             "name": "fig-rho"},
                                                  "image": {"alt": "Five curves, falling."}}}),
                  cell("plt.plot(x)", alt="Stored alt text.", salt="AA=="),
                  cell('ax.set(title="Loss", xlabel="step", ylabel="loss")', salt="AAA=")]}
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.md").write_text("# Book\n\n```{toctree}\n:numbered: 1\nch\n```\n")
    (source / "ch.ipynb").write_text(json.dumps(notebook))
    (source / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_nb', 'figure_alt']\nnumfig = True\nnb_execution_mode = 'off'\n")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(source),
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "out" / "ch.html").read_text()
    assert re.search(r'<figure[^>]*id="fig-rho"', page)
    assert re.search(r'<span class="caption-number">Fig\. 1\.1 </span><span class="caption-text">Norms for '
                     r"five radii\.</span>", page)
    assert re.search(r'href="#fig-rho"><span class="std std-numref">Fig\. 1\.1</span>', page)
    alts = re.findall(r'<img alt="([^"]*)"', page)
    assert alts == ["Five curves, falling.", "Stored alt text.", "Plot “Loss”: loss against step."]
