"""``python -m rnncourse.grade NOTEBOOK... [--json PATH]``, ``python -m rnncourse.grade --batch DIR --csv PATH``,
or ``python -m rnncourse.grade bundle exNN --gradescope OUT.zip`` (see :mod:`rnncourse.grade.bundle`)."""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")      # before NumPy/torch are imported: one thread per question

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from .audit import AuditLog, default_path  # noqa: E402
from .grader import grade_paths, scan_batch  # noqa: E402
from .notebook import MAX_BYTES  # noqa: E402
from .report import VISIBILITY, points, printable, write_csv  # noqa: E402
from .sandbox import SandboxUnavailable  # noqa: E402

BANNER = "#" * 100

UNSAFE = """{banner}
# WARNING: --unsafe: the students' code runs WITHOUT a sandbox, as {user}, with this machine's files,
# network and processes within its reach. The grades are computed outside its processes, but a
# hostile submission can read or damage whatever this account can. Grade in a throw-away container.
{banner}"""

REFUSED = """{banner}
# NOT GRADED: no sandbox can run here, and the grader refuses to run students' code without one.
# {reason}
# Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap), or grade on a Linux machine
# with user namespaces. If you accept the risk (a throw-away container with nothing to lose), add
# --unsafe: see "Exercises and grading" in the README.
{banner}"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.grade",
        description="Grade exercise notebooks: each question runs in its own sandbox (bubblewrap) with a time "
                    "and memory limit. `python -m rnncourse.grade bundle exNN --gradescope OUT.zip` builds a "
                    "Gradescope autograder.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebook(s) to grade")
    parser.add_argument("--batch", type=Path, metavar="DIR",
                        help="grade every notebook under DIR (one per student; alice/ex02.ipynb counts as alice)")
    parser.add_argument("--csv", type=Path, metavar="PATH", help="write one row per notebook, one column per question")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="write Gradescope results {score, max_score, tests}; with several notebooks, a list")
    parser.add_argument("--visibility", choices=VISIBILITY, default="visible",
                        help="Gradescope visibility of each question's entry in --json (default visible)")
    parser.add_argument("--audit", type=Path, metavar="PATH",
                        help="append one JSON line per notebook (SHA-256 of the notebook, of the tests and of the "
                             "grader; scores); default: beside --csv or --json, as NAME.audit.jsonl")
    parser.add_argument("--exercise", metavar="NAME",
                        help="grade as this exercise: ex02 ... ex08, ex10, or a module of your own (mycourse.ex01); "
                             "default: EXERCISE in the notebook, which may only name ex02 ... ex08, ex10")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S",
                        help="seconds the code of one question may take, wall clock (default 30; "
                             "starting its sandbox is not counted)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="memory one question may allocate, in MB (default 2048)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                        help="questions graded at the same time (default 2)")
    parser.add_argument("--max-size", type=float, default=MAX_BYTES / 2**20, metavar="MB",
                        help=f"largest notebook file read, in MB (default {MAX_BYTES / 2**20:g})")
    parser.add_argument("--unsafe", action="store_true",
                        help="grade even without a sandbox (no bubblewrap): students' code then runs with this "
                             "account's rights; only in a throw-away container")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the totals")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every test of every question")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bundle"]:
        from .bundle import main as bundle

        return bundle(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    paths = list(args.notebooks)
    if args.batch:
        if not args.batch.is_dir():
            parser.error(f"--batch {args.batch}: not a folder")
        found, messages = scan_batch(args.batch)
        for message in messages:
            print(printable(message), file=sys.stderr)
        paths += found
        if not paths:
            print(f"no notebooks under {printable(args.batch)}", file=sys.stderr)
    elif not paths:
        parser.error("give a NOTEBOOK or --batch DIR")
    if args.timeout <= 0 or args.memory <= 0 or args.jobs <= 0 or args.max_size <= 0:
        parser.error("--timeout, --memory, --jobs and --max-size must be positive")
    if args.unsafe:
        print(UNSAFE.format(banner=BANNER, user=_user()), file=sys.stderr)

    audit_path = args.audit or default_path(args.csv, args.json)
    limits = {"timeout": args.timeout, "memory_mb": args.memory, "max_size_mb": args.max_size}
    audit = AuditLog(audit_path, "none (--unsafe)" if args.unsafe else "bubblewrap", limits) if audit_path else None
    start = time.monotonic()
    progress = _Progress(args, audit)
    outputs = [p for p in (args.csv, args.json, audit_path) if p is not None]
    try:
        results = grade_paths(paths, exercise=args.exercise, timeout=args.timeout, memory_mb=args.memory,
                              workers=args.jobs, on_notebook=progress.add, unsafe=args.unsafe,
                              max_bytes=int(args.max_size * 2**20), hide=[p.parent for p in outputs])
    except SandboxUnavailable as error:
        print(REFUSED.format(banner=BANNER, reason=printable(error)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        saved = f"; their results are in {printable(args.csv)}" if args.csv and progress.finished else ""
        print(f"\ninterrupted: {len(progress.finished)} of {len(paths)} notebooks graded{saved}",
              file=sys.stderr)
        return 130
    if len(results) > 1:
        print(f"graded {len(results)} notebooks in {time.monotonic() - start:.1f} s", file=sys.stderr)
    try:
        if args.csv:
            _write_atomically(args.csv, lambda path: write_csv(results, path))
        if args.json:
            data = [dict(r.gradescope(args.visibility), file=printable(r.path)) for r in results] \
                if len(results) != 1 else results[0].gradescope(args.visibility)
            text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
            _write_atomically(args.json, lambda path: Path(path).write_text(text, encoding="utf-8"))
    except OSError as error:
        print(f"cannot write the results: {printable(error)}", file=sys.stderr)
        return 1
    return 0


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return "this user"


class _Progress:
    """Reports each notebook as soon as it is graded: its table is printed (in the order of the
    paths) and the CSV is rewritten with every notebook finished so far, so that an interrupted run
    (Ctrl-C, a crash, a reboot) keeps what it had graded."""

    def __init__(self, args, audit=None):
        self.args, self.audit, self.finished, self.printed = args, audit, {}, 0

    def add(self, number: int, result) -> None:
        batch = self.args.batch
        if batch and result.path and batch in result.path.parents:
            parts = result.path.relative_to(batch).parts
            result.student = parts[0] if len(parts) > 1 else result.path.stem
        self.finished[number] = result
        if self.audit is not None:
            try:
                self.audit.add(result)
            except OSError as error:
                print(f"cannot write the audit log {printable(self.audit.path)}: {printable(error)}", file=sys.stderr)
        while self.printed in self.finished:
            self._print(self.finished[self.printed])
            self.printed += 1
        if self.args.csv:
            ready = [self.finished[k] for k in sorted(self.finished)]
            try:
                _write_atomically(self.args.csv, lambda path: write_csv(ready, path))
            except OSError as error:
                print(f"cannot write {printable(self.args.csv)} yet: {printable(error)}", file=sys.stderr)

    def _print(self, result) -> None:
        if self.args.quiet:
            print(printable(f"{result.student or result.path}: {points(result.score)}/{points(result.max_score)}"
                            + (f"  ({result.error})" if result.error else "")), flush=True)
        else:
            print(result.table(verbose=self.args.verbose) + "\n", flush=True)


def _write_atomically(path: Path, write) -> None:
    """``write(temporary path)``, then rename it to ``path``: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    write(temporary)
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
