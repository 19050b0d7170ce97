"""Running each question of a submission in its own process, with a time and a memory limit.

A job is one question of one notebook: the setup cell, then the answer cell, then the question's
tests, in a child process (forked on Linux, so the exercise module, NumPy and torch are imported
once) that has its own process group and only supervises: the question runs in a grandchild, so
code that signals its parent hits the supervisor, not the grader. The grandchild has an
address-space limit (RLIMIT_AS), no terminal (its output is kept up to a cap and the rest dropped),
and is killed with its group when the wall-clock time runs out. It reports through a file, one
JSON line per event, flushed as it goes: a question that is killed or exits in the middle still
leaves the results of the tests it finished.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import linecache
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import traceback
from collections import deque
from dataclasses import dataclass

from .report import QuestionResult, TestResult, points
from .testing import REFUSED, ForbiddenImport, explain, run_test, sandbox_builtins

ALONE = (" (each answer is graded with only the setup cell and its own cell: define any helper "
         "inside the answer cell)")


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0          # seconds of wall-clock time per question
    memory_mb: int = 2048          # address space a question may add to the grader's own
    output_bytes: int = 10_000     # bytes of printed output kept; the rest is counted and dropped


@dataclass(frozen=True)
class Job:
    key: tuple                     # (notebook number, question id)
    exercise: str                  # module name for rnncourse.exercises.load
    question: str                  # question id
    setup: str                     # source of the setup cell
    answer: str                    # source of the answer cell
    label: str                     # file name of the answer in tracebacks: "<answer q1>"


class _Sink(io.RawIOBase):
    """Where a child's printed output goes: the first ``limit`` bytes are kept, the rest only counted.

    Wrapped in a buffered text stream, so a million ``print`` calls cost a few hundred writes here.
    """

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.kept, self.chars, self.lines = limit, bytearray(), 0, 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.chars += len(data)
        self.lines += data.count(b"\n")
        if len(self.kept) < self.limit:
            self.kept += data[: self.limit - len(self.kept)]
        return len(data)


def _address_space() -> int:
    """Bytes of virtual memory this process uses now (0 when unknown)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _apply_limits(limits: Limits) -> None:
    try:
        import resource
    except ImportError:                 # not POSIX: only the wall-clock limit applies
        return

    def lower(which, value):
        try:
            _, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    baseline = _address_space()
    if baseline:
        lower(resource.RLIMIT_AS, baseline + limits.memory_mb * 2**20)
    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_CPU, int(limits.timeout) + 2)    # a backstop if the parent is gone


def _run_setup(source: str, namespace: dict, emit) -> None:
    """Run the setup cell statement by statement: a broken statement is reported and skipped."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        emit("note", message="the setup cell has a syntax error and was not run: restore it as handed out")
        return
    for statement in tree.body:
        try:
            exec(compile(ast.Module([statement], type_ignores=[]), "<setup>", "exec"), namespace)
        except ForbiddenImport as error:
            emit("note", message=f"setup cell line {statement.lineno} skipped: {error}")
        except BaseException as error:
            emit("note", message=f"setup cell line {statement.lineno} skipped: "
                                 + explain(error, {"<setup>"}, "the setup cell"))


def _grade(job: Job, emit, sink: _Sink) -> None:
    from rnncourse.exercises import load

    from . import inline

    inline.GRADING = True               # a check() left in an answer does nothing here
    module = load(job.exercise)
    question = next(q for q in module.QUESTIONS if q.id == job.question)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    files = {"<setup>", job.label}
    for name, source in (("<setup>", job.setup), (job.label, job.answer)):
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    namespace = {"__name__": "__main__", "__builtins__": sandbox_builtins()}

    emit("phase", phase="setup")
    _run_setup(job.setup, namespace, emit)
    REFUSED.clear()                     # imports refused in the setup cell were reported, and skipped
    emit("phase", phase="answer")
    try:
        exec(compile(job.answer, job.label, "exec"), namespace)
    except ForbiddenImport as error:
        return emit("fatal", message=str(error))
    except BaseException as error:
        message = explain(error, files, "the answer cell")
        if isinstance(error, NameError):
            message += ALONE
        if question.function not in namespace:
            return emit("fatal", message=f"{message}, before defining {question.function}()")
        emit("note", message=f"{message}; {question.function}() was defined before that and was graded")
    if REFUSED:                         # the answer caught the ImportError and went on
        return emit("fatal", message=REFUSED[0])

    function = namespace.get(question.function)
    if function is None:
        mine = [n for n, v in namespace.items()
                if inspect.isfunction(v) and v.__code__.co_filename == job.label]
        found = (f"; the answer cell defines {', '.join(f'{n}()' for n in mine)} instead: "
                 "keep the name given in the question") if mine else " in the answer cell"
        return emit("fatal", message=f"no function {question.function}() is defined{found}")
    if not callable(function):
        return emit("fatal", message=f"{question.function} is a {type(function).__name__}, not a function")

    emit("phase", phase="tests")
    for test in question.tests:
        emit("test_start", name=test.name)
        try:
            result = run_test(test, function, files)
        except ForbiddenImport as error:
            return emit("fatal", message=str(error))
        if "NameError" in result.message:
            result.message += ALONE
        emit("test", name=test.name, score=result.score, message=result.message)
    if REFUSED:
        return emit("fatal", message=REFUSED[0])
    sys.stdout.flush()
    if sink.lines > 1000 or sink.chars > sink.limit:
        emit("note", message=f"the code printed {sink.lines:,} lines ({sink.chars:,} characters); "
                             "printing in a graded function only slows it down")


def _child(job: Job, path: str, limits: Limits) -> None:
    """Entry point of the child process: a supervisor that runs the question in a process of its own.

    The child gets its own process group, so a killed child takes everything it started along. On
    POSIX it forks once more and only waits: the student's code runs in the grandchild, whose
    parent is this supervisor, not the grader, so code that signals its parent (``os.kill(
    os.getppid(), ...)``) ends its own question, not the grading of the class. The supervisor
    ends as the worker ended (same exit code or signal), which is what the grader reports.
    """
    try:
        os.setpgid(0, 0)                # its own group, so a killed child takes its children along
    except (AttributeError, OSError):
        pass
    _silence()                          # nothing from here reaches the grader's terminal
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the supervisor does not stop on Ctrl-C...
    try:
        worker = os.fork()
    except (AttributeError, OSError):   # no fork (Windows): grade in this process
        worker = 0
    if worker == 0:
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)   # ...the question may
            _work(job, path, limits)
        finally:
            os._exit(0)
    try:
        _, status = os.waitpid(worker, 0)
        code = os.waitstatus_to_exitcode(status)
    except (OSError, ValueError):
        code = 1
    if code < 0:                        # killed by a signal: end the same way
        try:
            signal.signal(-code, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
        os.kill(os.getpid(), -code)
    os._exit(code if code >= 0 else 1)   # (a signal that did not end it)


def _work(job: Job, path: str, limits: Limits) -> None:
    """Grade one question, report to ``path``, exit."""
    events = open(path, "a", encoding="utf-8")

    def emit(kind, **fields):
        try:
            events.write(json.dumps({"kind": kind, **fields}) + "\n")
            events.flush()
        except Exception:               # a full disk or no memory: the parent reports the gap
            pass

    sink = _Sink(limits.output_bytes)   # fds 0-2 are /dev/null already (``_child``)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr = io.TextIOWrapper(io.BufferedWriter(sink, 1 << 16), encoding="utf-8",
                                               errors="replace")
    _apply_limits(limits)
    try:
        _grade(job, emit, sink)
    except BaseException as error:
        emit("fatal", message=f"internal grader error: {type(error).__name__}: {error}")
    emit("done")
    events.close()
    os._exit(0)                         # skip atexit handlers and threads the student's code left behind


def _silence() -> None:
    """Standard input, output and error of this process become /dev/null (also for C code)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    except OSError:
        pass


def _why(status: str | None, exitcode, limits: Limits) -> str:
    """Why a child ended without reporting ``done``."""
    if status == "timeout" or exitcode == -getattr(signal, "SIGXCPU", 0):
        return f"timed out after {points(limits.timeout)} s (an infinite loop, or far too slow?)"
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if number == getattr(signal, "SIGKILL", 9):
            return "the process was killed (SIGKILL), most likely for using too much memory"
        if number == getattr(signal, "SIGSEGV", 11):
            return "the process crashed (segmentation fault)"
        return f"the process was killed by signal {name}"
    if status:
        return status
    return f"the process ended early with exit code {exitcode}: does the code call os._exit() or exit()?"


def _result(question, events: list, status: str | None, exitcode, limits: Limits) -> QuestionResult:
    result = QuestionResult(question.id, question.function,
                            [TestResult(t.name, float(t.points)) for t in question.tests])
    phase, started, done, count = None, False, False, 0
    for event in events:
        kind = event.get("kind")
        if kind == "phase":
            phase = event.get("phase")
        elif kind == "note":
            result.notes.append(str(event.get("message")))
        elif kind == "fatal":
            result.message = str(event.get("message"))
        elif kind == "test_start":
            started = True
        elif kind == "test" and count < len(result.tests):
            test = result.tests[count]
            test.score = min(float(event.get("score", 0)), test.points)
            test.message = str(event.get("message", ""))
            count, started = count + 1, False
        elif kind == "done":
            done = True
    if done or result.message:
        return result
    why = _why(status, exitcode, limits)
    if phase != "tests":
        where = "while running the setup cell" if phase == "setup" else "while running the answer cell"
        result.message = f"{why}, {where}" if phase else why
        return result
    for i, test in enumerate(result.tests[count:]):
        test.message = why if i == 0 and started else f"not run: {why}"
    return result


def _kill(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, OSError):
        pass
    try:
        process.kill()
    except (AttributeError, OSError):
        pass


def _events(path: str) -> list:
    events = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    events.append(json.loads(line))
                except ValueError:      # a line cut short by a kill
                    pass
    except OSError:
        pass
    return events


def run(jobs: list, questions: dict, limits: Limits, workers: int = 2, on_result=None) -> dict:
    """Run ``jobs`` at most ``workers`` at a time; return ``{job.key: QuestionResult}``.

    ``questions[job.key]`` is the :class:`~rnncourse.exercises.spec.Question` of each job.
    ``on_result(key, result)``, if given, is called as soon as each job has its result.
    Never raises for what a child does: every job gets a result.
    """
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    results, pending, running = {}, deque(enumerate(jobs)), {}

    def record(key, result) -> None:
        results[key] = result
        if on_result is not None:
            try:
                on_result(key, result)
            except Exception:           # reporting must not stop the grading
                traceback.print_exc(file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="rnncourse-grade-") as folder:
        try:
            while pending or running:
                while pending and len(running) < max(1, workers):
                    number, job = pending.popleft()
                    path = os.path.join(folder, f"{number}.jsonl")
                    process = context.Process(target=_child, args=(job, path, limits), daemon=True)
                    try:
                        sys.stdout.flush()
                        sys.stderr.flush()
                        process.start()
                    except OSError as error:
                        record(job.key, _result(questions[job.key], [], f"could not start a process: {error}",
                                                None, limits))
                        continue
                    running[process.sentinel] = (job, process, path, time.monotonic() + limits.timeout)
                if not running:
                    continue
                wait = max(0.0, min(entry[3] for entry in running.values()) - time.monotonic())
                ready = set(multiprocessing.connection.wait(list(running), timeout=wait))
                now = time.monotonic()
                for sentinel, (job, process, path, deadline) in list(running.items()):
                    if sentinel in ready:
                        status = None
                    elif now >= deadline:
                        status = "timeout"
                        _kill(process)
                    else:
                        continue
                    process.join()
                    try:
                        os.killpg(process.pid, signal.SIGKILL)   # whatever it started is ended too
                    except (AttributeError, OSError):
                        pass
                    record(job.key, _result(questions[job.key], _events(path), status, process.exitcode, limits))
                    process.close()
                    del running[sentinel]
        finally:                        # interrupted (Ctrl-C): no question is left running
            for _, process, _, _ in running.values():
                _kill(process)
    return results
