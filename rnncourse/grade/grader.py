"""Grading notebooks: find the exercise, pick each question's answer cell, run the questions, collect.

What can be decided without running code is decided here, in the grader (an unreadable or
oversized file, an exercise name that is not one of the course's, a missing answer cell, a syntax
error, an answer that uses torch or rnncourse); the rest runs in sandboxes
(:mod:`rnncourse.grade.runner`). Nothing a submission does stops the others from being graded.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections import Counter
from pathlib import Path

from rnncourse import exercises

from .child.errors import shorten
from .notebook import MAX_BYTES, NotebookError, Submission, find_exercise_name, forbidden_uses
from .report import NotebookResult, QuestionResult, TestResult
from .runner import Job, Limits, run
from .sandbox import open_sandbox
from .testing import forbidden_message


def _zeros(question, message: str) -> QuestionResult:
    return QuestionResult(question.id, question.function,
                          [TestResult(t.name, float(t.points)) for t in question.tests], message)


def _identify(submission, path: Path, exercise: str | None) -> tuple[str | None, str]:
    """(exercise name, problem): ``exercise`` if given, else EXERCISE in the setup cell, else the file name.

    A name from the notebook counts only when it is one of :data:`rnncourse.exercises.EXERCISES`:
    the grader never imports a module a notebook names.
    """
    if exercise:
        return exercise, ""
    problem = ""
    named = find_exercise_name(submission) if submission is not None else None
    if named:
        if named in exercises.names():
            return named, ""
        problem = (f"EXERCISE = {shorten(named, 80)!r} in the setup cell: no exercise of that name "
                   f"(known exercises: {', '.join(exercises.names())})")
    found = exercises.find(path.stem)
    if found:
        return found, ""
    return None, problem or ("cannot tell which exercise this is: the setup cell has no EXERCISE = \"exNN\" "
                             "and the file name matches no exercise")


def _prepare(number: int, path: Path, exercise: str | None, jobs: list, questions: dict,
             max_bytes: int) -> NotebookResult:
    result = NotebookResult(path)
    try:
        submission = Submission.read(path, max_bytes)
        result.sha256 = submission.sha256
    except NotebookError as error:
        submission, result.error, result.sha256 = None, str(error), error.sha256
    name, problem = _identify(submission, path, exercise)
    if name is None:
        result.error = result.error or problem
        return result
    try:
        module = exercises.load(name)
    except LookupError as error:        # --exercise names no exercise
        result.error = str(error)
        return result
    result.exercise, result.title = name, str(getattr(module, "TITLE", ""))
    for question in module.QUESTIONS:
        if submission is None:
            result.questions.append(_zeros(question, f"not graded: {result.error}"))
            continue
        cell = submission.answer_cell(question, module.QUESTIONS)
        if cell is None:
            message = f"no answer: no code cell tagged 'answer' defines {question.function}()"
        elif cell.syntax_error:
            message = cell.syntax_error
        else:
            used = forbidden_uses(cell.source)
            message = forbidden_message("; ".join(used)) if used else None
        if message is None:
            key = (number, question.id)
            jobs.append(Job(key, name, question.id, submission.setup.source if submission.setup else "",
                            cell.source, f"<answer {question.id}>"))
            questions[key] = question
        result.questions.append(_zeros(question, message) if message else None)
    return result


def grade_paths(paths, *, exercise: str | None = None, timeout: float = 30.0, memory_mb: int = 2048,
                workers: int = 2, on_notebook=None, unsafe: bool = False, max_bytes: int = MAX_BYTES,
                sandbox=None, hide=()) -> list[NotebookResult]:
    """Grade every notebook in ``paths``; one :class:`NotebookResult` each, in order, whatever happens.

    ``exercise`` forces the exercise (a name of :data:`rnncourse.exercises.EXERCISES`, or a module
    path of the instructor's own); else it is read from each notebook. ``timeout`` is the time one
    question's code may take in seconds, ``memory_mb`` the memory it may allocate, ``workers`` how
    many questions run at the same time, ``max_bytes`` the largest notebook file read.
    ``on_notebook(index, result)``, if given, is called as soon as a notebook is completely graded
    (in about the order of ``paths``), so that a caller can save results as they come.

    Student code runs in a bubblewrap sandbox (:func:`rnncourse.grade.sandbox.open_sandbox`, which
    raises :class:`~rnncourse.grade.sandbox.SandboxUnavailable` when there is none), or, with
    ``unsafe=True``, in plain processes. ``hide`` lists more paths the sandbox must never show.
    """
    paths = [Path(p) for p in paths]
    jobs, questions, results = [], {}, []
    for number, path in enumerate(paths):
        try:
            results.append(_prepare(number, path, exercise, jobs, questions, max_bytes))
        except Exception as error:          # a grader bug must not cost the other students their grade
            traceback.print_exc(file=sys.stderr)
            results.append(NotebookResult(path, error=f"internal grader error: {type(error).__name__}: {error}"))
    _fill_unknown_exercise(results)
    if jobs and sandbox is None:
        sandbox = open_sandbox(unsafe=unsafe, hide=tuple(dict.fromkeys(list(hide) + [p.parent for p in paths])))
    waiting = Counter(number for number, _ in questions)       # jobs still running, per notebook
    done = {}

    def finish(number: int, lost: str = "internal grader error: no result") -> None:
        result = results[number]
        result.questions = [q if q is not None else done.get((number, spec.id)) or _zeros(spec, lost)
                            for q, spec in zip(result.questions, _specs(result))]
        if on_notebook is not None:
            try:
                on_notebook(number, result)
            except Exception:               # reporting must not stop the grading
                traceback.print_exc(file=sys.stderr)

    def job_done(key, result) -> None:
        done[key] = result
        waiting[key[0]] -= 1
        if waiting[key[0]] == 0:
            finish(key[0])

    for number in range(len(results)):
        if not waiting[number]:
            finish(number)
    lost = "internal grader error: no result"
    try:
        if jobs:
            run(jobs, questions, sandbox, Limits(timeout=timeout, memory_mb=memory_mb), workers=workers,
                on_result=job_done)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        lost = f"internal grader error: {type(error).__name__}: {error}"
    for number in range(len(results)):
        if waiting[number] > 0:
            finish(number, lost)
    return results


def _specs(result: NotebookResult) -> list:
    return list(exercises.load(result.exercise).QUESTIONS) if result.exercise else []


def _fill_unknown_exercise(results: list) -> None:
    """Give a notebook whose exercise is unknown the exercise of all the others (0 per question)."""
    known = {r.exercise for r in results if r.exercise}
    if len(known) != 1:
        return
    name = known.pop()
    module = exercises.load(name)
    for result in results:
        if not result.exercise:
            result.exercise, result.title = name, str(getattr(module, "TITLE", ""))
            result.questions = [_zeros(q, f"not graded: {result.error}") for q in module.QUESTIONS]


def grade_notebook(path, **options) -> NotebookResult:
    """Grade one notebook (options as :func:`grade_paths`)."""
    return grade_paths([path], **options)[0]


def scan_batch(folder) -> tuple[list[Path], list[str]]:
    """What ``--batch folder`` grades, and what it says about the rest.

    Every entry whose name ends in ``.ipynb`` (any case) is graded, whatever it is: a folder, a
    link, a pipe or a broken file gets a row with the reason it scored 0. Other files, and hidden
    ones (``.ipynb_checkpoints``), are listed in the messages. Links are never followed.
    """
    folder = Path(folder)
    graded, hidden, others = [], [], []
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        for name in sorted(dirs + files):
            entry = base / name
            if name.startswith("."):
                hidden.append(entry)
            elif name.lower().endswith(".ipynb"):
                graded.append(entry)
            elif name in files or entry.is_symlink():
                others.append(entry)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
    messages = []
    if others:
        shown = ", ".join(shorten(os.fsdecode(p.relative_to(folder)), 60) for p in others[:5])
        messages.append(f"skipped {len(others)} file{'s' if len(others) > 1 else ''} that "
                        f"{'are' if len(others) > 1 else 'is'} not a notebook (*.ipynb): {shown}"
                        + (", ..." if len(others) > 5 else "") + (" (links are not followed)"
                                                                   if any(p.is_symlink() for p in others) else ""))
    if hidden:
        shown = ", ".join(shorten(os.fsdecode(p.relative_to(folder)), 60) for p in hidden[:3])
        messages.append(f"skipped {len(hidden)} hidden file{'s' if len(hidden) > 1 else ''} or folder"
                        f"{'s' if len(hidden) > 1 else ''}: {shown}" + (", ..." if len(hidden) > 3 else ""))
    return sorted(graded), messages


def find_notebooks(folder) -> list[Path]:
    """The notebooks of a class: every ``*.ipynb`` entry under ``folder`` (see :func:`scan_batch`)."""
    return scan_batch(folder)[0]
