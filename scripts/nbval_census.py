"""What nbval compares in each notebook: cells compared byte for byte, cells excluded and asserted.

The rule (README, "Stored outputs"): every text output of a notebook is compared byte for byte with
the stored one, except in cells tagged ``nbval-ignore-output``; such a cell depends on a training run
(or another CPU-sensitive trajectory), and it must assert the claim the prose draws from it.

    python scripts/nbval_census.py          # a table, one row per notebook

``tests/test_notebooks.py`` imports this module and enforces the rule.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE_TAG = "nbval-ignore-output"
TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex")


def notebooks():
    """Every notebook that nbval runs: the chapters and the exercise solutions."""
    return sorted((ROOT / "chapters").glob("*.ipynb")) + \
        sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))


def code_cells(path):
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell) -> str:
    return "".join(cell["source"])


def has_text_output(cell) -> bool:
    """True when nbval has text to compare: a stream, or a result or display with a text form."""
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            return True
        if any(key in out.get("data", {}) for key in TEXT_KEYS):
            if list(out["data"]) != ["text/plain"] or not _is_figure_repr(out["data"]["text/plain"]):
                return True
    return False


def _is_figure_repr(text) -> bool:
    return "".join(text).startswith("<Figure size")


def is_excluded(cell) -> bool:
    return IGNORE_TAG in cell.get("metadata", {}).get("tags", [])


def asserts(cell) -> bool:
    """True when the cell's code contains an ``assert`` statement."""
    try:
        tree = ast.parse(source(cell))
    except SyntaxError:                    # IPython magics: fall back to the text
        return "assert " in source(cell)
    return any(isinstance(node, ast.Assert) for node in ast.walk(tree))


def census(path) -> dict:
    cells = [c for c in code_cells(path) if has_text_output(c)]
    excluded = [c for c in cells if is_excluded(c)]
    return {"notebook": Path(path).stem, "text cells": len(cells),
            "compared": len(cells) - len(excluded), "excluded, asserted": len(excluded)}


def main():
    rows = [census(p) for p in notebooks()]
    width = max(len(r["notebook"]) for r in rows)
    print(f"{'notebook':{width}s}  text cells  compared  excluded (asserted)")
    for r in rows:
        print(f"{r['notebook']:{width}s}  {r['text cells']:10d}  {r['compared']:8d}  "
              f"{r['excluded, asserted']:8d}")
    total = {k: sum(r[k] for r in rows) for k in ("text cells", "compared", "excluded, asserted")}
    print(f"{'total':{width}s}  {total['text cells']:10d}  {total['compared']:8d}  "
          f"{total['excluded, asserted']:8d}")


if __name__ == "__main__":
    main()
