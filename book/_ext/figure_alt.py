"""Alt text for every figure of a notebook page, never its file path.

Sphinx writes an image's file path as its alt text when the image has none, which is what a screen
reader then reads out. For each image a notebook's outputs give (myst-nb names it by the SHA-256 of its
bytes), the alt text is the first of:

1. the cell's own, in its metadata: ``{"mystnb": {"image": {"alt": "..."}}}`` (myst-nb applies it);
2. the one stored with the output: ``metadata["image/png"]["alt"]``, which
   ``rnncourse.plot.book_style()`` writes for every figure (read off the figure, or the description
   the package's diagrams give themselves, ``rnncourse.plot.set_alt``);
3. one derived from the cell's code: the titles and axis labels it sets, or else the call that drew it;
4. "Figure N of “chapter title”" (never a path).

A caption and a number come from the cell metadata ``{"mystnb": {"figure": {"caption": "...", "name":
"fig-label"}}}`` (myst-nb wraps the image in a numbered figure, "Fig. 5.2", that {numref} can cite).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from docutils import nodes

from rnncourse.plot.describe import plain_text

_STRING = r"""(?P<p>[rRfF]{0,2})(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
_TITLE = re.compile(r"(?:\btitle\s*=\s*|\.(?:set_title|title|suptitle)\(\s*)" + _STRING)
_XLABEL = re.compile(r"(?:\bxlabel\s*=\s*|\.(?:set_xlabel|xlabel)\(\s*)" + _STRING)
_YLABEL = re.compile(r"(?:\bylabel\s*=\s*|\.(?:set_ylabel|ylabel)\(\s*)" + _STRING)


def stored_alts(path: Path) -> dict[str, str]:
    """SHA-256 of each image output's bytes -> the alt text stored in its metadata, for one notebook."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    alts = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            for mime, data in output.get("data", {}).items():
                alt = output.get("metadata", {}).get(mime, {})
                alt = alt.get("alt") if isinstance(alt, dict) else None
                if mime.startswith("image/") and isinstance(alt, str) and alt.strip():
                    raw = "".join(data) if isinstance(data, list) else data
                    try:
                        digest = hashlib.sha256(base64.b64decode(raw)).hexdigest()
                    except ValueError:
                        continue
                    alts[digest] = alt.strip()
    return alts


def _clean(match) -> str:
    """A string literal of the code as plain text: escapes, f-string fields and TeX markup removed."""
    text, prefix = match.group("s"), match.group("p").lower()
    if "r" not in prefix:
        text = text.replace("\\n", " ").replace("\\\\", "\\")
    if "f" in prefix:
        text = re.sub(r"\{[^{}]*\}", "…", text)
    text = plain_text(text)
    return "" if text.strip("… ,:;") == "" else text


def code_alt(code: str) -> str | None:
    """Alt text read off a plotting cell's code, or None when it sets no title or axis label."""
    titles = [_clean(m) for m in _TITLE.finditer(code)]
    xs = [_clean(m) for m in _XLABEL.finditer(code)]
    ys = [_clean(m) for m in _YLABEL.finditer(code)]
    if not any(titles + xs + ys):
        calls = [line.strip() for line in code.splitlines() if re.match(r"[\w.]+\(", line)
                 and not re.match(r"(plt\.(show|tight_layout|close)|print|display)\(", line)]
        return f"Figure drawn by {calls[0]}" if calls else None
    words = "Plot" + "".join(f" “{t}”" for t in titles if t)
    axes = [f"{y} against {x}" for y, x in zip(ys, xs) if x and y]
    return words + (": " + "; ".join(axes) if axes else "") + "."


def _cell_code(image: nodes.image) -> str:
    """The code of the notebook cell whose output holds ``image`` ("" if none)."""
    node = image.parent
    while node is not None and "cell" not in node.get("classes", []):
        node = node.parent
    for part in node.children if node is not None else []:
        if isinstance(part, nodes.Element) and "cell_input" in part.get("classes", []):
            return "\n".join(block.astext() for block in part.findall(nodes.literal_block))
    return ""


def add_alt_texts(app, doctree) -> None:
    """``doctree-read``: give every image of a notebook page an alt text that is not its path."""
    path = Path(app.env.doc2path(app.env.docname))
    if path.suffix != ".ipynb":
        return
    stored = None
    title = doctree.next_node(nodes.title)
    chapter = f"“{title.astext()}”" if title is not None else app.env.docname
    for number, image in enumerate(doctree.findall(nodes.image), start=1):
        if image.get("alt"):
            continue
        if stored is None:
            stored = stored_alts(path)
        alt = stored.get(Path(image["uri"]).stem) or code_alt(_cell_code(image))
        image["alt"] = alt or f"Figure {number} of {chapter}"


def setup(app):
    app.connect("doctree-read", add_alt_texts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
