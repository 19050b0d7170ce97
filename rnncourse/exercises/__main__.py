"""``python -m rnncourse.exercises build|check [--dir exercises]``.

``build`` writes the student notebooks ``exercises/exNN_<topic>.ipynb`` from the masters in
``exercises/solutions/``; ``check`` exits with status 1 and lists the problems when a committed
student notebook differs from what ``build`` writes, or a master cannot be graded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build as B


def _default_directory() -> Path:
    here = Path("exercises")
    return here if (here / "solutions").is_dir() else Path(__file__).resolve().parents[2] / "exercises"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnncourse.exercises", description=__doc__.split("\n\n")[1])
    parser.add_argument("command", choices=["build", "check"])
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder holding solutions/ and the student notebooks (default: ./exercises)")
    args = parser.parse_args(argv)
    directory = args.dir or _default_directory()
    if not (directory / "solutions").is_dir():
        print(f"no folder {directory / 'solutions'}", file=sys.stderr)
        return 2
    if args.command == "build":
        try:
            paths = B.build(directory)
        except ValueError as error:
            print(f"build failed: {error}", file=sys.stderr)
            return 1
        for path in paths:
            print(f"wrote {path}")
        return 0
    problems = B.check(directory)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(B.masters(directory))} exercise notebooks are up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
