"""How an exercise is described: questions, the tests that grade them, and their points.

Each exercise notebook ``exercises/solutions/exNN_<topic>.ipynb`` has a module
``rnncourse/exercises/exNN.py`` that defines ``NOTEBOOK`` (the file stem, e.g. ``"ex02_rnn_forward"``)
and ``QUESTIONS``, a list of :class:`Question`. A question names the function the student writes in
a code cell tagged ``answer``; each :class:`Test` receives that function and fails by raising
``AssertionError`` with a *hint* (never the answer). Points are given per test: partial credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Test:
    """One graded check of a question: ``check(function)`` raises AssertionError with a hint on failure."""

    name: str
    points: float
    check: Callable


@dataclass(frozen=True)
class Question:
    """A function the student writes (``function``) and the tests that grade it."""

    id: str                      # "q1", "q2", ... (what ``check("q1")`` takes)
    function: str                # name of the function defined in the answer cell
    tests: list = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(test.points for test in self.tests)
