"""The PDF's structure (book/_ext/latex_structure.py): intro as front matter, parts, chapters numbered from 1.

`make pdf` needs TeX Live and is not part of `make test`; this builds the LaTeX source of a small book
shaped like ours (a root page with sections, then captioned toctrees) with Sphinx's LaTeX builder, in a
couple of seconds, and reads the structure off the .tex.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    "index.rst": """Book title
==========

What the book is.

Who it is for
-------------

Readers.

Sources
-------

Notes.

.. toctree::
   :caption: Foundations

   one
   two

.. toctree::
   :caption: Reference

   glossary
""",
    "one.rst": "Sequences\n=========\n\nOverview\n--------\n\n.. math:: s_t = f(s_{t-1})\n   :label: eq-one\n\n"
               "See :doc:`chapter 2 <two>` and :eq:`eq-one`.\n",
    "two.rst": "Forward pass\n============\n\nText.\n",
    "glossary.rst": "Glossary\n========\n\nTerms.\n",
}


def build_latex(tmp_path) -> str:
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    for name, text in PAGES.items():
        (source / name).write_text(text)
    (source / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['latex_structure']\nproject = 'Book'\nmath_numfig = True\nnumfig = True\n"
        "latex_documents = [('index', 'book.tex', 'Book', 'Authors', 'manual')]\n")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "latex", str(source), str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return (out / "book.tex").read_text()


def body_commands(tex: str) -> list[str]:
    body = tex[tex.index(r"\begin{document}"):]
    argument = r"\{(?:[^{}]|\{[^{}]*\})*\}"         # one level of nested braces
    return re.findall(r"\\(?:part|chapter\*?|section\*?|pagenumbering|setcounter\{secnumdepth\})" + argument, body)


def test_intro_is_front_matter_and_chapters_are_numbered_within_the_parts(tmp_path):
    tex = build_latex(tmp_path)
    assert body_commands(tex) == [
        r"\pagenumbering{roman}",
        r"\chapter*{Introduction}", r"\section*{Who it is for}", r"\section*{Sources}",
        r"\pagenumbering{arabic}",
        r"\part{Foundations}", r"\chapter{Sequences}", r"\section{Overview}", r"\chapter{Forward pass}",
        r"\setcounter{secnumdepth}{\value{rnncoursesecnumdepth}}",
        r"\part{Reference}", r"\setcounter{secnumdepth}{-1}", r"\chapter{Glossary}",
    ]
    assert "What the book is." in tex
    # the table of contents is "Contents", not the first part's caption (the last definition wins)
    names = re.findall(r"\\renewcommand\{\\contentsname\}\{([^}]*)\}", tex)
    assert names and names[-1] == "Contents"
    # equation references still resolve to LaTeX labels (numbered per chapter by LaTeX)
    assert re.search(r"\\(eq)?ref\{equation:one:eq-one\}", tex)


def test_the_book_uses_the_extension():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"].get("latex_structure") == "book/_ext"
    assert (ROOT / "book" / "_ext" / "latex_structure.py").exists()
