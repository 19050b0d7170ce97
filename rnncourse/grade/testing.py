"""Running a question's tests on a student's function, and saying what went wrong in words.

Shared by the grader, where the function runs in the sandbox
(:class:`~rnncourse.grade.remote.RemoteFunction`), and by ``check`` in a notebook, where it runs in
the notebook (:class:`LocalFunction`), so both give the same feedback. In both, every call gets its
own copies of the arguments: what the function does to them never changes what the test compares.
"""

from __future__ import annotations

import copy

from .child.errors import describe
from .remote import Forbidden, SandboxEnded, StudentError
from .report import TestResult

ALONE = (" (each answer is graded with only the setup cell and its own cell: define any helper "
         "inside the answer cell)")


def forbidden_message(what: str) -> str:
    return (f"scored 0: the answer uses {what}; answers must be written with NumPy only "
            "(the reference implementations in rnncourse/torch are not allowed)")


def explain(record: dict, answer: str = "your function", called: bool = False) -> str:
    """A student-facing sentence for an exception described by ``record`` (see child/errors.py).

    ``called``: the exception came out of the student's function (in the sandbox), so it is the
    function's even when no line of the student's code is in its traceback.
    """
    kind, text, mine = record.get("type", "Exception"), record.get("message", ""), record.get("mine")
    where = ""
    if mine:
        code = record.get("code")
        where = f" (line {record.get('line')}" + (f": `{code}`)" if code else ")")
    if kind == "ForbiddenImport":
        return forbidden_message(f"`import {text}`")
    if kind == "NotImplementedError" and mine:
        return "not answered yet: the function still raises NotImplementedError"
    if kind == "SystemExit":
        return f"{answer} called sys.exit()/exit(){where}: graded code must not end the program"
    if kind == "RecursionError":
        return f"{answer} recursed too deeply{where}"
    if kind == "MemoryError":
        return f"{answer} ran out of memory{where}: it allocates far too much"
    if kind == "unsendable":
        return f"{answer} returned something the grader cannot receive: {text}"
    if mine or called:
        return f"{answer} raised {kind}: {text}{where}" if text else f"{answer} raised {kind}{where}"
    if kind == "AssertionError":
        return text or "wrong result"
    return f"the result could not be checked ({kind}: {text}); does the function return what the question asks?"


class LocalFunction:
    """The student's function in this process (``check`` in a notebook), called on copies of the arguments."""

    def __init__(self, function):
        self.function = function
        self.__name__ = getattr(function, "__name__", "function")
        self.files = {getattr(getattr(function, "__code__", None), "co_filename", None)} - {None}

    def __call__(self, *args, **kwargs):
        return self.function(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    def call_with_inputs(self, *args, **kwargs):
        """(value returned, the positional arguments as the call left them)."""
        args = copy.deepcopy(args)
        return self.function(*args, **copy.deepcopy(kwargs)), args


def run_test(test, function) -> TestResult:
    """Run one test on ``function`` (a RemoteFunction or LocalFunction); any failure becomes a message.

    The sandbox ending (:class:`SandboxEnded`), a forbidden import and Ctrl-C are not a test's
    failure: they propagate to the caller.
    """
    result = TestResult(test.name, float(test.points))
    try:
        test.check(function)
    except (SandboxEnded, Forbidden, KeyboardInterrupt):
        raise
    except StudentError as error:
        result.message = explain(error.record, called=True)
    except BaseException as error:          # noqa: BLE001 - the test's own checks, or (locally) the student's code
        result.message = explain(describe(error, getattr(function, "files", ())))
    else:
        result.score = result.points
    return result
