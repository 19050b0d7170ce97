"""`make pdf`: the book's structure in LaTeX, as the table of contents (book/_toc.yml) gives it.

Sphinx's LaTeX builder makes every second-level heading of the root page (book/intro.md) a chapter, so
"Who it is for", "How to read it"... became chapters 1–5 and every chapter of the book was numbered five
too high; the captions of the table of contents (the book's parts) were dropped, and the first caption
became the title of the table of contents. This extension rearranges the assembled book before it is
written, for the LaTeX builder only:

- the root page is front matter: one unnumbered chapter, "Introduction", whose sections become
  unnumbered headings; its pages are numbered i, ii, ... after those of the table of contents;
- every caption of the table of contents starts a ``\\part``; arabic page numbers start at the first;
- chapters are numbered from 1 in the order of the table of contents, so chapter N of the PDF is the
  chapter the prose calls "chapter N"; the documents of the parts named in the Sphinx option
  ``latex_unnumbered_parts`` (default: Reference) are unnumbered chapters;
- the table of contents is called "Contents", and the bibliography is one chapter, not two.

HTML and every other builder are untouched.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.texescape import escape

logger = logging.getLogger(__name__)

INTRODUCTION = "Introduction"

# Sphinx's table of contents without its switch to arabic page numbers: the introduction that follows
# is front matter. The switch happens at the first part (structure below).
TABLE_OF_CONTENTS = r"""\pagenumbering{roman}%
\begingroup\parskip 0pt\sphinxtableofcontentshook\tableofcontents\endgroup
\cleardoublepage"""

PREAMBLE = r"""
% book/_ext/latex_structure.py: the table of contents is "Contents", not the first part's caption
\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}
\newcounter{rnncoursesecnumdepth}
% the bibliography page is a chapter of the book already: its list opens no second "Bibliography" chapter
\renewenvironment{sphinxthebibliography}[1]{\def\chapter*##1{}\begin{thebibliography}{#1}}{\end{thebibliography}}
"""


def _latex(code: str) -> nodes.raw:
    return nodes.raw("", code + "\n", format="latex")


def _flatten(children, level: int) -> list:
    """``children`` with every section turned into an unnumbered heading (rubric of ``level``) + body."""
    out = []
    for child in children:
        if not isinstance(child, nodes.section):
            out.append(child)
            continue
        title = child.next_node(nodes.title)
        rubric = nodes.rubric("", "", *title.children, ids=list(child["ids"]))
        rubric["heading-level"] = level
        out += [rubric, *_flatten([c for c in child.children if c is not title], level + 1)]
    return out


def _included(node: nodes.Node, root: nodes.Node) -> bool:
    """Whether ``node`` comes from a document included by a toctree (inside a start_of_file)."""
    node = node.parent
    while node is not None and node is not root:
        if isinstance(node, addnodes.start_of_file):
            return True
        node = node.parent
    return False


def _part_opening(index: int, caption: str, unnumbered: bool) -> str:
    code = []
    if index == 0:      # the main matter: arabic page numbers from 1; remember the numbering depth
        code += [r"\cleardoublepage\pagenumbering{arabic}",
                 r"\setcounter{rnncoursesecnumdepth}{\value{secnumdepth}}"]
    else:
        code.append(r"\setcounter{secnumdepth}{\value{rnncoursesecnumdepth}}")
    if caption:
        code.append(rf"\part{{{escape(caption)}}}")
    if unnumbered:
        code.append(r"\setcounter{secnumdepth}{-1}")
    return "\n".join(code)


def structure(app, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` of the LaTeX builder's assembled book: front matter, parts, numbering."""
    from sphinx.builders.latex import LaTeXBuilder

    if not isinstance(app.builder, LaTeXBuilder) or docname != app.config.root_doc:
        return
    root = next(iter(doctree.findall(nodes.section)), None)
    if root is None:
        return
    title = root.next_node(nodes.title)
    # the root page's toctrees (jb appends them to its first section; written by hand, they may sit in
    # a subsection), not those of the documents they include
    wrappers = [node for node in root.findall(nodes.compound)
                if "toctree-wrapper" in node["classes"] and not _included(node, root)]
    # the toctrees were replaced by the documents they list: read their captions from the root page
    captions = [toctree.get("caption") or "" for toctree in
                app.env.get_doctree(docname).findall(addnodes.toctree)]
    if len(captions) != len(wrappers):
        logger.warning("latex_structure: %d toctrees but %d toctree wrappers in %s; the parts are not made",
                       len(captions), len(wrappers), docname)
        return
    name = escape(INTRODUCTION)
    front = [_latex(rf"\chapter*{{{name}}}\addcontentsline{{toc}}{{chapter}}{{{name}}}"
                    rf"\markboth{{{name}}}{{{name}}}")]
    for wrapper in wrappers:
        wrapper.parent.remove(wrapper)
    front += _flatten([c for c in root.children if c is not title], 2)
    unnumbered = set(app.config.latex_unnumbered_parts)
    for index, (wrapper, caption) in enumerate(zip(wrappers, captions)):
        wrapper.insert(0, _latex(_part_opening(index, caption, caption in unnumbered)))
    root.children = []
    root.extend(([title] if title is not None else []) + front + wrappers)


def _configure(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements.setdefault("tableofcontents", TABLE_OF_CONTENTS)
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def setup(app):
    app.add_config_value("latex_unnumbered_parts", ["Reference"], "env", [list])
    app.connect("config-inited", _configure)
    app.connect("doctree-resolved", structure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
