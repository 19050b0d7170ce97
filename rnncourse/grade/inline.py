"""``check("q1")`` in a notebook: the grader's feedback on one question, while the student works.

It runs in the notebook's own process (the student's machine, the student's code): no sandbox,
but the same tests and the same feedback as the grader, each call on copies of its arguments.
"""

from __future__ import annotations

import inspect
import textwrap

from .notebook import forbidden_uses
from .report import QuestionResult, TestResult
from .testing import LocalFunction, forbidden_message, run_test


class Score(float):
    """The score ``check`` returns: a float that a notebook does not echo after the printed report."""

    def _ipython_display_(self):
        pass


def _question(module, question: str):
    for q in module.QUESTIONS:
        if question in (q.id, q.function):
            return q
    known = ", ".join(f"{q.id!r} ({q.function})" for q in module.QUESTIONS)
    raise ValueError(f"check: no question {question!r} in {module.__name__}; the questions are {known}")


def check(question: str, *, exercise: str | None = None, namespace: dict | None = None) -> float:
    """Run the tests of ``question`` ("q1", or the function's name) on the function defined in the notebook.

    The exercise is ``EXERCISE`` from the notebook's setup cell (or ``exercise=``); the function is
    looked up in the notebook's globals (or ``namespace``). Prints each test with its points and, when
    it fails, a hint; returns the score. The grader gives the same points, except that it also
    refuses answers that use torch/rnncourse, runs each answer in a sandbox and limits time and memory.
    """
    if namespace is None:
        namespace = inspect.currentframe().f_back.f_globals
    from rnncourse.exercises import load

    name = exercise or namespace.get("EXERCISE")
    if not name:
        raise ValueError('check: set EXERCISE = "exNN" in the setup cell (run it first), or pass exercise="exNN"')
    q = _question(load(name), question)
    result = QuestionResult(q.id, q.function)
    function = namespace.get(q.function)
    if function is None:
        result.message = f"{q.function}() is not defined: run its answer cell first (and keep its name)"
        result.tests = [_zero(t) for t in q.tests]
    elif not callable(function):
        result.message = f"{q.function} is a {type(function).__name__}, not a function"
        result.tests = [_zero(t) for t in q.tests]
    else:
        used = _forbidden(function)
        if used:
            result.notes.append(forbidden_message("; ".join(used)).replace("scored 0", "the grader will give 0"))
        local = LocalFunction(function)
        result.tests = [run_test(test, local) for test in q.tests]
    print("\n".join(result.lines()))
    return Score(result.score)


def _zero(test) -> TestResult:
    return TestResult(test.name, float(test.points))


def _forbidden(function) -> list[str]:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return []
    return forbidden_uses(source)

