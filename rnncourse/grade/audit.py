"""The audit log of a grading run: one JSON line per submission, enough to redo and defend a grade.

Each line records when and how a notebook was graded: the SHA-256 of the notebook file, of the
tests (the exercise module and every ``rnncourse`` module its tests and references use) and of the
grader's own code, the grader's version, the sandbox, the limits, and the scores. Grading the same
file again with the same tests and grader must give the same scores; a changed digest says what
changed.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import json
import platform
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy

import rnncourse

from .report import finite, printable

GRADER = Path(__file__).resolve().parent


def _digest(files) -> str:
    sha = hashlib.sha256()
    for name, path in sorted(files):
        sha.update(name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return sha.hexdigest()


@lru_cache(maxsize=None)
def grader_digest() -> str:
    """SHA-256 of the grader's source files (rnncourse/grade, the sandbox's program included)."""
    return _digest((str(p.relative_to(GRADER)), p) for p in GRADER.rglob("*.py"))


def _uses(module: ModuleType) -> set:
    """The rnncourse modules ``module`` refers to in its globals (modules, functions, classes)."""
    found = set()
    for value in list(vars(module).values()):
        owner = value if isinstance(value, ModuleType) else inspect.getmodule(value)
        name = getattr(owner, "__name__", "")
        if (name == "rnncourse" or name.startswith("rnncourse.")) and not name.startswith("rnncourse.grade") \
                and getattr(owner, "__file__", None):
            found.add(owner)
    return found


@lru_cache(maxsize=None)
def tests_digest(exercise: str) -> str:
    """SHA-256 of the tests of ``exercise``: its module and the rnncourse modules they use, transitively."""
    from rnncourse import exercises

    start = exercises.load(exercise)
    seen, todo = {start.__name__: start}, [start]
    while todo:
        for module in _uses(todo.pop()):
            if module.__name__ not in seen:
                seen[module.__name__] = module
                todo.append(module)
    return _digest((name, module.__file__) for name, module in seen.items() if getattr(module, "__file__", None))


def record(result, sandbox: str, limits: dict) -> dict:
    """The audit line of one graded notebook (a :class:`~rnncourse.grade.report.NotebookResult`)."""
    return {
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "file": printable(result.path) if result.path else None,
        "student": printable(result.student) if result.student else None,
        "notebook_sha256": result.sha256,
        "exercise": result.exercise,
        "tests_sha256": tests_digest(result.exercise) if result.exercise else None,
        "grader_version": rnncourse.__version__,
        "grader_sha256": grader_digest(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "sandbox": sandbox,
        "limits": limits,
        "score": finite(result.score),
        "max_score": finite(result.max_score),
        "questions": {q.id: finite(q.score) for q in result.questions},
        "error": printable(result.error) if result.error else None,
    }


class AuditLog:
    """Appends one line per notebook to a JSON-lines file, flushed as it goes."""

    def __init__(self, path, sandbox: str, limits: dict):
        self.path, self.sandbox, self.limits = Path(path), sandbox, limits

    def add(self, result) -> None:
        line = json.dumps(record(result, self.sandbox, self.limits), ensure_ascii=True, allow_nan=False)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def default_path(csv_path, json_path) -> Path | None:
    """Where the audit goes when ``--audit`` is not given: beside the CSV (or the JSON) of the results."""
    base = csv_path or json_path
    if base is None:
        return None
    base = Path(base)
    return base.with_name(base.stem + ".audit.jsonl")

