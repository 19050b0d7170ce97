"""An exception as data: what the grader needs to tell a student what went wrong, and nothing more.

:func:`describe` turns an exception into a small dict (its type's name, a shortened message, and
the line of the student's code it came from); the grader words it for the student
(``rnncourse.grade.testing.explain``). Used inside the sandbox for the student's exceptions, and
by ``check`` in a notebook, so both give the same feedback.
"""

from __future__ import annotations

import traceback

MAX_MESSAGE = 600


def shorten(text, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line (unless it has several), cut to ``limit`` characters."""
    text = str(text)
    text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(error: BaseException) -> str:
    try:
        return shorten(error) if str(error) else ""
    except BaseException:               # a student's exception whose __str__ itself fails
        return ""


def describe(error: BaseException, student_files=()) -> dict:
    """``{"type", "message", "mine", "line", "code"}`` for ``error``.

    ``mine`` says whether the traceback passes through the student's code (frames whose file name
    is in ``student_files``, e.g. ``"<answer q1>"``); ``line`` and ``code`` are then the last such
    line and its text.
    """
    record = {"type": type(error).__name__[:80], "message": _text(error), "mine": False}
    try:
        frames = traceback.extract_tb(error.__traceback__)
    except BaseException:
        frames = []
    mine = [f for f in frames if f.filename in student_files]
    if mine:
        record.update(mine=True, line=mine[-1].lineno, code=shorten(mine[-1].line or "", 200))
    return record
