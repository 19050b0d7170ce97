"""List, per chapter, the display equations wider than a phone's column, measured in Chromium.

    .venv/bin/python scripts/wide_equations.py [--width 390] [--all] [--html _build/html]

Serves the built book (build it first: `make book`), opens every page of book/_toc.yml at the given
width (390 px, a phone, by default) with its hidden answers open, and prints each display equation whose natural width exceeds the room
it has beside its number, with what book/_static/equations.js does about it:

- ``scaled`` (shrunk to fit, to 70 % or more of its size, beside its number or with the number below):
  readable; break it over lines if it is much larger than the room;
- ``scroll`` (wider than the whole column even at 70 %): the reader has to scroll sideways inside the
  column; these should be broken over lines in the source, with ``aligned`` or ``split``.

``--all`` lists every display equation. Exit status: 1 when an equation scrolls, else 0, so that this
can serve as a check. Needs Debian's chromium and chromium-driver (scripts/ensure_browser.sh).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import EQUATIONS_JS, book_arguments, measure_pages, toc_pages  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=390, help="window width in CSS px (default 390)")
    parser.add_argument("--all", action="store_true", help="list every display equation")
    args = book_arguments(parser, argv, ROOT)
    found = measure_pages(args.html, toc_pages(ROOT), args.width, 844, EQUATIONS_JS, open_all=True)
    scrolling = 0
    for page, equations in found.items():
        listed = [e for e in equations if args.all or e["natural"] > e["room"] > 0]
        if not listed:
            continue
        print(f"\n{page}: {len(listed)} of {len(equations)} display equations"
              f"{'' if args.all else ' wider than the room beside their number'}")
        for e in listed:
            label = e["id"].removeprefix("equation-") or "(no label)"
            mode = "scroll" if "eq-scroll" in e["mode"] else ("scaled" if e["mode"] else "fits")
            scrolling += mode == "scroll"
            tex = " ".join(e["tex"].split())
            print(f"  {e['number'] or '  -  ':>7} {label:40s} {e['natural']:5d} px, room {e['room']:3d} px "
                  f"(column {e['column']}): {mode:6s} {tex[:70]}{'…' if len(tex) > 70 else ''}")
    print(f"\n{scrolling} display equation(s) scroll at {args.width} px; break them over lines "
          "(aligned, split) in the chapter.")
    return 1 if scrolling else 0


if __name__ == "__main__":
    sys.exit(main())
