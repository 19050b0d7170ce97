"""Grading results and the ways they are reported: a text table, Gradescope JSON, a CSV of a class.

Every score is a finite number, computed by the grader from the points of the tests that passed;
text that came from a submission (file names, messages) is made printable before it reaches a
terminal, and CSV cells cannot start a spreadsheet formula.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

VISIBILITY = ("visible", "hidden", "after_due_date", "after_published")


def points(x: float) -> str:
    """3.0 -> "3", 2.5 -> "2.5"."""
    return f"{finite(x):g}"


def finite(x) -> float:
    """``x`` as a float, or 0.0 when it is not a finite number."""
    try:
        x = float(x)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return x if math.isfinite(x) else 0.0


def printable(text, newlines: bool = False) -> str:
    """``text`` safe to print: undecodable bytes become U+FFFD, control characters ``\\xNN``."""
    if isinstance(text, os.PathLike):
        text = os.fsdecode(text)
    text = str(text)
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(c if c.isprintable() or (newlines and c == "\n") else f"\\x{ord(c):02x}" for c in text)


def spreadsheet_safe(text) -> str:
    """A CSV cell that a spreadsheet shows as text: one that would start a formula gets a leading '."""
    text = printable(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass
class TestResult:
    name: str
    points: float
    score: float = 0.0
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.score >= self.points


@dataclass
class QuestionResult:
    id: str
    function: str
    tests: list = field(default_factory=list)
    message: str = ""          # why the whole question scored 0, or "" when its tests decided
    notes: list = field(default_factory=list)    # warnings that did not cost points

    @property
    def points(self) -> float:
        return sum(finite(t.points) for t in self.tests)

    @property
    def score(self) -> float:
        return 0.0 if self.message else sum(min(finite(t.score), finite(t.points)) for t in self.tests)

    @property
    def passed(self) -> bool:
        return not self.message and all(t.passed for t in self.tests)

    def summary(self) -> str:
        """One line: why points were lost, or ""."""
        if self.message:
            return self.message
        failed = [t for t in self.tests if not t.passed]
        if not failed:
            return ""
        if all(t.message == failed[0].message for t in failed):
            return failed[0].message
        more = f" (and {len(failed) - 1} more failed test{'s' if len(failed) > 2 else ''})" if len(failed) > 1 else ""
        return f"{failed[0].name}: {failed[0].message}{more}"

    def lines(self) -> list[str]:
        """What ``check`` prints: the score, then each test with its hint, then notes."""
        out = [f"{self.id} {self.function}: {points(self.score)}/{points(self.points)} points"]
        same = {t.message for t in self.tests}
        if self.message or (self.tests and self.score == 0 and len(same) == 1 and "" not in same):
            out.append(f"  {self.message or same.pop()}")      # one reason for every test: said once
        else:
            for t in self.tests:
                status = "pass" if t.passed else "FAIL"
                out.append(f"  {status}  {t.name} ({points(t.score)}/{points(t.points)})"
                           + (f": {t.message}" if t.message and not t.passed else ""))
        out += [f"  note: {note}" for note in self.notes]
        return out


@dataclass
class NotebookResult:
    path: Path | None
    exercise: str | None = None        # module name, e.g. "ex02"
    title: str = ""
    questions: list = field(default_factory=list)
    error: str = ""                    # the notebook as a whole could not be graded
    student: str = ""                  # for the CSV; default: the file's stem
    sha256: str | None = None          # of the notebook file's bytes (None when they could not be read)

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def table(self, verbose: bool = False) -> str:
        """The text table: question, points, passed/failed, message; then the total.

        ``verbose`` adds every test of every question, as ``check`` prints them.
        """
        name = printable(self.path.name) if self.path else "notebook"
        head = f"{name}" + (f" — {self.exercise}: {self.title}" if self.exercise else "")
        out = [head]
        if self.error:
            out.append(f"error: {self.error}")
        if self.questions:
            rows = [("question", "points", "result", "message")]
            for q in self.questions:
                rows.append((f"{q.id} {q.function}", f"{points(q.score)}/{points(q.points)}",
                             "passed" if q.passed else "failed", q.summary()))
            widths = [max(len(r[i]) for r in rows) for i in range(3)]
            for r in rows:
                out.append(("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3]).rstrip())
            for q in self.questions:
                if verbose:
                    out += [""] + q.lines()
                else:
                    out += [f"  {q.id} note: {n}" for n in q.notes]
        out.append(f"Total: {points(self.score)}/{points(self.max_score)}")
        return printable("\n".join(out), newlines=True)

    def gradescope(self, visibility: str = "visible") -> dict:
        """Gradescope's results.json: score, max_score and one entry per question, each with ``visibility``.

        ``visibility`` is one of Gradescope's "visible", "hidden", "after_due_date", "after_published".
        """
        if visibility not in VISIBILITY:
            raise ValueError(f"visibility must be one of {', '.join(VISIBILITY)}, got {visibility!r}")
        result = {
            "score": finite(self.score),
            "max_score": finite(self.max_score),
            "tests": [{"name": f"{q.id} {q.function}", "score": finite(q.score), "max_score": finite(q.points),
                       "status": "passed" if q.passed else "failed", "visibility": visibility,
                       "output": printable("\n".join(q.lines()[1:]), newlines=True)} for q in self.questions],
        }
        if self.error:
            result["output"] = printable(self.error)
        return result


def write_csv(results: list, path) -> None:
    """One row per notebook (student), one column per question, then total, max_score and errors.

    When the notebooks belong to several exercises the question columns are named ``ex02.q1``.
    """
    exercises = list(dict.fromkeys(r.exercise for r in results if r.questions))
    columns = []
    for exercise in exercises:
        example = next(r for r in results if r.exercise == exercise and r.questions)
        prefix = f"{exercise}." if len(exercises) > 1 else ""
        columns += [(exercise, q.id, prefix + q.id) for q in example.questions]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "file", "exercise"] + [spreadsheet_safe(c[2]) for c in columns]
                        + ["total", "max_score", "problems"])
        for r in results:
            by_id = {q.id: q for q in r.questions}
            cells = [points(by_id[qid].score) if exercise == r.exercise and qid in by_id else ""
                     for exercise, qid, _ in columns]
            problems = [r.error] if r.error else []
            problems += [f"{q.id}: {q.message}" for q in r.questions if q.message and not r.error]
            student = r.student or (Path(r.path).stem if r.path else "")
            writer.writerow([spreadsheet_safe(student), spreadsheet_safe(r.path or ""),
                             spreadsheet_safe(r.exercise or "")]
                            + cells + [points(r.score), points(r.max_score), spreadsheet_safe(" | ".join(problems))])

