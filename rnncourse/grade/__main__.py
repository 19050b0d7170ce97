"""``python -m rnncourse.grade NOTEBOOK... [--json PATH]`` or ``python -m rnncourse.grade --batch DIR --csv PATH``."""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")      # before NumPy/torch are imported: one thread per question

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from .grader import find_notebooks, grade_paths  # noqa: E402
from .report import points, write_csv  # noqa: E402


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.grade",
        description="Grade exercise notebooks: each question runs in its own process with a time and memory limit.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebook(s) to grade")
    parser.add_argument("--batch", type=Path, metavar="DIR",
                        help="grade every notebook under DIR (one per student; alice/ex02.ipynb counts as alice)")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write one row per notebook, one column per question")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="write Gradescope results {score, max_score, tests}; with several notebooks, a list")
    parser.add_argument("--exercise", metavar="NAME", help="grade as this exercise (default: EXERCISE in the notebook)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S",
                        help="wall-clock limit per question, in seconds (default 30)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="memory one question may allocate, in MB (default 2048)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                        help="questions graded at the same time (default 2)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the totals")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every test of every question")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    paths = list(args.notebooks)
    if args.batch:
        if not args.batch.is_dir():
            parser.error(f"--batch {args.batch}: not a folder")
        paths += find_notebooks(args.batch)
        if not paths:
            print(f"no notebooks under {args.batch}", file=sys.stderr)
    elif not paths:
        parser.error("give a NOTEBOOK or --batch DIR")
    if args.timeout <= 0 or args.memory <= 0 or args.jobs <= 0:
        parser.error("--timeout, --memory and --jobs must be positive")

    start = time.monotonic()
    progress = _Progress(args)
    try:
        results = grade_paths(paths, exercise=args.exercise, timeout=args.timeout, memory_mb=args.memory,
                              workers=args.jobs, on_notebook=progress.add)
    except KeyboardInterrupt:
        saved = f"; their results are in {args.csv}" if args.csv and progress.finished else ""
        print(f"\ninterrupted: {len(progress.finished)} of {len(paths)} notebooks graded{saved}",
              file=sys.stderr)
        return 130
    if len(results) > 1:
        print(f"graded {len(results)} notebooks in {time.monotonic() - start:.1f} s", file=sys.stderr)
    try:
        if args.csv:
            _write_atomically(args.csv, lambda path: write_csv(results, path))
        if args.json:
            data = [dict(r.gradescope(), file=str(r.path)) for r in results] if len(results) != 1 \
                else results[0].gradescope()
            args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        print(f"cannot write the results: {error}", file=sys.stderr)
        return 1
    return 0


class _Progress:
    """Reports each notebook as soon as it is graded: its table is printed (in the order of the
    paths) and the CSV is rewritten with every notebook finished so far, so that an interrupted run
    (Ctrl-C, a crash, a reboot) keeps what it had graded."""

    def __init__(self, args):
        self.args, self.finished, self.printed = args, {}, 0

    def add(self, number: int, result) -> None:
        batch = self.args.batch
        if batch and result.path and batch in result.path.parents:
            parts = result.path.relative_to(batch).parts
            result.student = parts[0] if len(parts) > 1 else result.path.stem
        self.finished[number] = result
        while self.printed in self.finished:
            self._print(self.finished[self.printed])
            self.printed += 1
        if self.args.csv:
            ready = [self.finished[k] for k in sorted(self.finished)]
            try:
                _write_atomically(self.args.csv, lambda path: write_csv(ready, path))
            except OSError as error:
                print(f"cannot write {self.args.csv} yet: {error}", file=sys.stderr)

    def _print(self, result) -> None:
        if self.args.quiet:
            print(f"{result.student or result.path}: {points(result.score)}/{points(result.max_score)}"
                  + (f"  ({result.error})" if result.error else ""), flush=True)
        else:
            print(result.table(verbose=self.args.verbose) + "\n", flush=True)


def _write_atomically(path: Path, write) -> None:
    """``write(temporary path)``, then rename it to ``path``: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    write(temporary)
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
