"""Grading questions, each in a sandbox of its own, a few at a time.

A job is one question of one notebook. Its sandbox (:mod:`rnncourse.grade.sandbox`) runs the
setup cell and the answer cell (:mod:`rnncourse.grade.child.main`); then the question's tests run
here, in the grader, with a :class:`~rnncourse.grade.remote.RemoteFunction` in place of the
student's function: the grader chooses every input, the sandbox only computes the function on
copies of them and sends the value back as data, and the references, expected values and
comparisons never share a process with the student's code. When the sandbox ends early (a crash, a
time-out, ``os._exit``), the tests it finished keep their points and the others score 0 with the
reason. The sandbox is killed after the last test.
"""

from __future__ import annotations

import re
import sys
import threading
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from .child import wire
from .child.errors import shorten
from .notebook import ALLOWED, FORBIDDEN
from .remote import Connection, Forbidden, RemoteFunction, SandboxEnded, clean_record
from .report import QuestionResult, TestResult
from .sandbox import Limits, cleanup
from .testing import ALONE, explain, forbidden_message, run_test

__all__ = ["Job", "Limits", "grade_question", "run"]


@dataclass(frozen=True)
class Job:
    key: tuple                     # (notebook number, question id)
    exercise: str                  # the exercise module's name (the grader's choice, never the notebook's)
    question: str                  # question id
    setup: str                     # source of the setup cell
    answer: str                    # source of the answer cell
    label: str                     # file name of the answer in tracebacks: "<answer q1>"


def _refused(modules: list) -> str:
    return forbidden_message(f"`import {modules[0]}`")


def _setup_notes(notes) -> list:
    """The setup cell's problems, in words (from the sandbox's ``setup`` message)."""
    out = []
    for note in notes if isinstance(notes, list) else []:
        if not isinstance(note, dict):
            continue
        if note.get("syntax"):
            out.append("the setup cell has a syntax error and was not run: restore it as handed out")
            continue
        record, line = clean_record(note.get("error")), note.get("line")
        if record is None or type(line) is not int:
            continue
        if record["type"] == "ForbiddenImport":
            out.append(f"setup cell line {line} skipped: `import {record['message']}` is not available "
                       "when grading (answers use NumPy only)")
        else:
            out.append(f"setup cell line {line} skipped: {explain(record, 'the setup cell')}")
    return out[:20]


def _answer_problem(message: dict, function: str, result: QuestionResult) -> str | None:
    """Why the question cannot be tested (from the ``ready`` message), or None; notes go to ``result``."""
    record, state = clean_record(message.get("answer_error")), message.get("function")
    state = state if isinstance(state, str) and re.fullmatch(r"[\w.]{1,60}", state) else "missing"
    problem = None
    if record is not None:
        text = explain(record, "the answer cell")
        if record["type"] == "NameError":
            text += ALONE
        if state != "ok":
            return f"{text}, before defining {function}()"
        result.notes.append(f"{text}; {function}() was defined before that and was graded")
    if state == "missing":
        names = [n for n in message.get("defined", []) if isinstance(n, str) and n.isidentifier()][:10] \
            if isinstance(message.get("defined"), list) else []
        found = (f"; the answer cell defines {', '.join(f'{n}()' for n in names)} instead: "
                 "keep the name given in the question") if names else " in the answer cell"
        problem = f"no function {function}() is defined{found}"
    elif state != "ok":
        problem = f"{function} is a {state}, not a function"
    return problem


def _receive(connection: Connection, op: str) -> dict:
    message, _ = connection.receive()
    if message.get("op") != op:
        connection._end(f"the answer's process sent {shorten(message.get('op'), 40)!r} instead of {op!r}")
    return message


def grade_question(job: Job, question, sandbox, limits: Limits, slot: int = 0, live=None) -> QuestionResult:
    """Grade one question in a new sandbox; never raises for what the student's code does."""
    result = QuestionResult(question.id, question.function,
                            [TestResult(t.name, float(t.points)) for t in question.tests])
    try:
        process = sandbox.start(limits, slot)
    except OSError as error:
        result.message = f"internal grader error: the sandbox could not start: {error}"
        return result
    connection = Connection(process, limits, sandboxed=not sandbox.unsafe)
    if live is not None:
        live.add(connection)            # (closed at once when the grading is being stopped)
    where = "while starting"
    try:
        _receive(connection, "hello")
        connection.start_clock()
        where = "while running the setup cell"
        connection.send(wire.pack({"op": "start", "label": job.label, "function": question.function,
                                   "forbidden": list(FORBIDDEN), "allowed": list(ALLOWED)},
                                  {"setup": job.setup, "answer": job.answer}))
        result.notes += _setup_notes(_receive(connection, "setup").get("notes"))
        where = "while running the answer cell"
        ready = _receive(connection, "ready")
        if connection.refused:
            raise Forbidden(connection.refused)
        problem = _answer_problem(ready, question.function, result)
        if problem:
            result.message = problem
            return result
        where = None
        function = RemoteFunction(connection, question.function)
        for index, test in enumerate(question.tests):
            try:
                outcome = run_test(test, function)
            except SandboxEnded as ended:
                result.tests[index].message = ended.why
                for later in result.tests[index + 1:]:
                    later.message = f"not run: {ended.why}"
                break
            if "NameError" in outcome.message:
                outcome.message += ALONE
            result.tests[index] = outcome
        if connection.refused:
            raise Forbidden(connection.refused)
        lines, chars = connection.printed
        if lines > 1000 or chars > 10_000:
            result.notes.append(f"the code printed {lines:,} lines ({chars:,} characters); "
                                "printing in a graded function only slows it down")
        if connection.junk:
            result.notes.append(f"the code wrote {connection.junk:,} bytes into the grader's pipe; they were ignored")
    except Forbidden as error:
        result.message = _refused(error.modules)
    except SandboxEnded as ended:
        result.message = f"{ended.why}, {where}" if where else ended.why
    finally:
        connection.close()
        if live is not None:
            live.discard(connection)
        cleanup(process)
    return result


class _Live:
    """The connections of the questions being graded, so that Ctrl-C can end them all."""

    def __init__(self):
        self.lock, self.connections, self.stopped = threading.Lock(), set(), False

    def add(self, connection) -> None:
        with self.lock:
            self.connections.add(connection)
            stopped = self.stopped
        if stopped:
            connection.kill()

    def discard(self, connection) -> None:
        with self.lock:
            self.connections.discard(connection)

    def close_all(self) -> None:
        """Stop: kill every sandbox, now and as soon as one starts."""
        with self.lock:
            self.stopped = True
            connections = list(self.connections)
        for connection in connections:
            connection.kill()               # its thread sees the end, and closes it


def run(jobs: list, questions: dict, sandbox, limits: Limits, workers: int = 2, on_result=None) -> dict:
    """Grade ``jobs``, at most ``workers`` at a time; return ``{job.key: QuestionResult}``.

    ``questions[job.key]`` is the :class:`~rnncourse.exercises.spec.Question` of each job.
    ``on_result(key, result)``, if given, is called (one call at a time) as soon as each job has its
    result. Never raises for what a submission does: every job gets a result. On Ctrl-C every
    sandbox is killed and KeyboardInterrupt propagates.
    """
    results, lock, live = {}, threading.Lock(), _Live()
    slots = list(range(max(1, workers)))
    slot_lock = threading.Lock()

    def one(job: Job):
        with slot_lock:
            slot = slots.pop()
        try:
            try:
                result = grade_question(job, questions[job.key], sandbox, limits, slot, live)
            except Exception as error:      # noqa: BLE001 - a grader bug costs one question, not the class
                traceback.print_exc(file=sys.stderr)
                result = QuestionResult(job.question, questions[job.key].function,
                                        [TestResult(t.name, float(t.points)) for t in questions[job.key].tests],
                                        f"internal grader error: {type(error).__name__}: {shorten(error, 200)}")
        finally:
            with slot_lock:
                slots.append(slot)
        if live.stopped:                    # interrupted: a question killed half-way has no grade
            return
        with lock:
            results[job.key] = result
            if on_result is not None:
                try:
                    on_result(job.key, result)
                except Exception:           # noqa: BLE001 - reporting must not stop the grading
                    traceback.print_exc(file=sys.stderr)

    executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="grade")
    try:
        pending = {executor.submit(one, job) for job in jobs}
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        live.close_all()
        executor.shutdown(wait=True)
        live.close_all()
        raise
    executor.shutdown(wait=True)
    return results
