"""Running a question's tests on a student's function, and saying what went wrong in words.

Shared by the grader's subprocess and by ``check`` in a notebook, so both give the same feedback.
"""

from __future__ import annotations

import builtins
import traceback

from .notebook import ALLOWED, FORBIDDEN
from .report import TestResult

MAX_MESSAGE = 600


class ForbiddenImport(ImportError):
    """An answer imported torch, rnncourse, scipy...: the question scores 0."""


REFUSED: list = []      # every import refused in this process, even one the student's code caught


def forbidden_message(what: str) -> str:
    return (f"scored 0: the answer uses {what}; answers must be written with NumPy only "
            "(the reference implementations in rnncourse/torch are not allowed)")


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.split(".")[0]
    refused = level == 0 and top in ("importlib", "builtins")
    if level == 0 and top in FORBIDDEN:
        targets = [f"{name}.{f}" for f in fromlist or ()] if name in FORBIDDEN and fromlist else [name]
        refused = not all(any(t == a or t.startswith(a + ".") for a in ALLOWED) for t in targets)
    if refused:
        REFUSED.append(forbidden_message(f"`import {name}`"))
        raise ForbiddenImport(REFUSED[-1])
    return builtins.__import__(name, globals, locals, fromlist, level)


def sandbox_builtins() -> dict:
    """Builtins for student code: the usual ones, with imports of forbidden modules refused."""
    namespace = dict(vars(builtins))
    namespace["__import__"] = _guarded_import
    return namespace


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(str(text).split()) if "\n" not in str(text).strip() else str(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(error: BaseException, student_files, answer: str = "your function") -> str:
    """A student-facing sentence for an exception raised while testing (or running) their code."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if f.filename in student_files]
    kind, text = type(error).__name__, shorten(error) if str(error) else ""
    where = ""
    if mine:
        frame = mine[-1]
        where = f" (line {frame.lineno}" + (f": `{frame.line.strip()}`)" if frame.line else ")")
    if isinstance(error, ForbiddenImport):
        return str(error)
    if isinstance(error, NotImplementedError) and mine:
        return "not answered yet: the function still raises NotImplementedError"
    if isinstance(error, SystemExit):
        return f"{answer} called sys.exit()/exit(){where}: graded code must not end the program"
    if isinstance(error, RecursionError):
        return f"{answer} recursed too deeply{where}"
    if isinstance(error, MemoryError):
        return f"{answer} ran out of memory{where}: it allocates far too much"
    if mine:
        return f"{answer} raised {kind}: {text}{where}" if text else f"{answer} raised {kind}{where}"
    if isinstance(error, AssertionError):
        return text or "wrong result"
    return f"the result could not be checked ({kind}: {text}); does the function return what the question asks?"


def run_test(test, function, student_files) -> TestResult:
    """Run one test; any exception (even SystemExit) becomes a failed test with a message."""
    result = TestResult(test.name, float(test.points))
    try:
        test.check(function)
    except ForbiddenImport:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as error:        # the student's code may raise anything, SystemExit included
        result.message = explain(error, student_files)
    else:
        result.score = result.points
    return result
