"""Grading notebooks: find the exercise, pick each question's answer cell, run the questions, collect.

What can be decided without running code is decided here (an unreadable notebook, a missing answer
cell, a syntax error, an answer that uses torch or rnncourse); the rest runs in child processes
(:mod:`rnncourse.grade.runner`). Nothing a submission does stops the others from being graded.
"""

from __future__ import annotations

import sys
import traceback
from collections import Counter
from pathlib import Path

from rnncourse import exercises

from .notebook import NotebookError, Submission, find_exercise_name, forbidden_uses
from .report import NotebookResult, QuestionResult, TestResult
from .runner import Job, Limits, run
from .testing import forbidden_message


def _zeros(question, message: str) -> QuestionResult:
    return QuestionResult(question.id, question.function,
                          [TestResult(t.name, float(t.points)) for t in question.tests], message)


def _identify(submission, path: Path, exercise: str | None) -> tuple[str | None, str]:
    """(exercise name, problem): ``exercise`` if given, else EXERCISE in the setup cell, else the file name."""
    if exercise:
        return exercise, ""
    problem = ""
    named = find_exercise_name(submission) if submission is not None else None
    if named:
        try:
            exercises.load(named)
            return named, ""
        except LookupError as error:
            problem = f"EXERCISE = {named!r} in the setup cell: {error}"
    found = exercises.find(path.stem)
    if found:
        return found, ""
    return None, problem or ("cannot tell which exercise this is: the setup cell has no EXERCISE = \"exNN\" "
                             "and the file name matches no exercise")


def _prepare(number: int, path: Path, exercise: str | None, jobs: list, questions: dict) -> NotebookResult:
    result = NotebookResult(path)
    try:
        submission = Submission.read(path)
    except NotebookError as error:
        submission, result.error = None, str(error)
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
        used = forbidden_uses(cell.tree) if cell is not None and cell.tree is not None else []
        if cell is None:
            message = f"no answer: no code cell tagged 'answer' defines {question.function}()"
        elif cell.syntax_error:
            message = cell.syntax_error
        elif used:
            message = forbidden_message("; ".join(used))
        else:
            key = (number, question.id)
            jobs.append(Job(key, name, question.id, submission.setup.source if submission.setup else "",
                            cell.source, f"<answer {question.id}>"))
            questions[key] = question
            message = None
        result.questions.append(_zeros(question, message) if message else None)
    return result


def grade_paths(paths, *, exercise: str | None = None, timeout: float = 30.0, memory_mb: int = 2048,
                workers: int = 2, on_notebook=None) -> list[NotebookResult]:
    """Grade every notebook in ``paths``; one :class:`NotebookResult` each, in order, whatever happens.

    ``exercise`` forces the exercise (else it is read from each notebook); ``timeout`` is the
    wall-clock limit of one question in seconds, ``memory_mb`` the memory it may allocate,
    ``workers`` how many questions run at the same time. ``on_notebook(index, result)``, if
    given, is called as soon as a notebook is completely graded (in about the order of ``paths``),
    so that a caller can save results as they come instead of at the end.
    """
    paths = [Path(p) for p in paths]
    jobs, questions, results = [], {}, []
    for number, path in enumerate(paths):
        try:
            results.append(_prepare(number, path, exercise, jobs, questions))
        except Exception as error:          # a grader bug must not cost the other students their grade
            traceback.print_exc(file=sys.stderr)
            results.append(NotebookResult(path, error=f"internal grader error: {type(error).__name__}: {error}"))
    _fill_unknown_exercise(results)
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
        run(jobs, questions, Limits(timeout=timeout, memory_mb=memory_mb), workers=workers,
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


def find_notebooks(folder) -> list[Path]:
    """The notebooks of a class: every ``*.ipynb`` under ``folder``, checkpoints and hidden folders skipped."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*.ipynb")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))
