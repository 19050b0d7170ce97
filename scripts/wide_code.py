"""List, per chapter, the code cells and outputs that scroll sideways, measured in Chromium.

    .venv/bin/python scripts/wide_code.py [--width 1280] [--html _build/html]

Serves the built book (build it first: `make book`), opens every chapter at the given width (1280 px, a
desktop, by default) and prints each code or output block wider than its box: the notebook cell (its
index in the .ipynb, as JupyterLab counts from 0), whether the code or the output scrolls, its longest
line with its length in characters, and how many characters fit in the box. Shorten those lines (a
comment on its own line, a call broken after a comma, a shorter print) to at most that many.
Exit status: 1 when a block scrolls, else 0. Needs Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import BLOCKS_JS, book_arguments, measure_pages, toc_pages  # noqa: E402


def notebook_cell(notebook: Path, page_cell: int) -> int | None:
    """The index in ``notebook`` of the ``page_cell``-th code cell shown on its page (cells tagged
    remove-cell are not shown)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    shown = [k for k, c in enumerate(cells) if c["cell_type"] == "code"
             and "remove-cell" not in c.get("metadata", {}).get("tags", [])]
    return shown[page_cell] if 0 <= page_cell < len(shown) else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=1280, help="window width in CSS px (default 1280)")
    args = book_arguments(parser, argv, ROOT)
    pages = [p for p in toc_pages(ROOT) if p.startswith("chapters/")]
    found = measure_pages(args.html, pages, args.width, 900, BLOCKS_JS)
    total = 0
    for page, blocks in found.items():
        if not blocks:
            continue
        notebook = ROOT / Path(page).with_suffix(".ipynb")
        fits = min(b["fits"] for b in blocks)
        print(f"\n{notebook.relative_to(ROOT)}: {len(blocks)} blocks scroll at {args.width} px "
              f"(at most {fits} characters fit on a line)")
        for b in blocks:
            cell = notebook_cell(notebook, b["cell"]) if notebook.exists() else None
            line = b["longest"].strip()
            print(f"  cell {cell if cell is not None else '?':>3} {b['part']:6s} {b['length']:4d} chars "
                  f"(fits {b['fits']}): {line[:90]}{'…' if len(line) > 90 else ''}")
        total += len(blocks)
    print(f"\n{total} code/output blocks scroll sideways at {args.width} px.")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
