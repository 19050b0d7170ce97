"""The grader's end of the pipe to a sandbox, and the student's function as the tests see it.

:class:`Connection` sends and receives frames (:mod:`rnncourse.grade.child.wire`) with a clock:
the question's time runs while the grader waits for the sandbox (or answers its callbacks), not
while the grader computes references. When the time is up, the sandbox ends or sends something
that is not a valid message, :class:`SandboxEnded` says why, and the sandbox is killed.

:class:`RemoteFunction` is what a test receives in place of the student's function: calling it sends
the arguments to the sandbox (which decodes fresh copies for each call) and returns the value the
student's function returned there, as data. It raises :class:`StudentError` (an ``Exception``,
carrying the exception as data) when the student's function raised.
"""

from __future__ import annotations

import os
import select
import signal
import time

from .child import wire
from .child.errors import shorten
from .report import points


class SandboxEnded(BaseException):
    """The sandbox is gone (ended, killed, timed out, or sent garbage): ``why`` says which, for the student."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


class StudentError(Exception):
    """The student's function raised; ``record`` is the exception as data (see child/errors.py)."""

    def __init__(self, record: dict):
        super().__init__(record.get("message", ""))
        self.record = record


class Forbidden(BaseException):
    """The student's code imported a module an answer must not use (``modules``)."""

    def __init__(self, modules: list):
        super().__init__(", ".join(modules))
        self.modules = modules


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def why_it_ended(returncode, timeout: float, sandboxed: bool) -> str:
    """In words, why the question's process ended before the grader was done with it."""
    number = None
    if returncode is not None and returncode < 0:
        number = -returncode
    elif sandboxed and returncode is not None and 128 < returncode < 128 + 65:   # bwrap: 128 + signal
        number = returncode - 128
    if number == getattr(signal, "SIGXCPU", None):
        return f"timed out after {points(timeout)} s (an infinite loop, or far too slow?)"
    if number == signal.SIGKILL:
        return "the process was killed (SIGKILL), most likely for using too much memory"
    if number == signal.SIGSEGV:
        return "the process crashed (segmentation fault)"
    if number is not None:
        return f"the process was killed by signal {_signal_name(number)}"
    return f"the process ended early with exit code {returncode}: does the code call os._exit() or exit()?"


class Connection:
    """A sandbox process and the clock of its question."""

    STARTUP = 60.0                              # seconds a sandbox may take to start (not the student's time)

    def __init__(self, process, limits, sandboxed: bool = True):
        self.process, self.limits, self.sandboxed = process, limits, sandboxed
        self.left = self.STARTUP                # until the sandbox says hello; then the question's time
        self.started = False
        self.ended: str | None = None
        self.refused: list = []
        self.printed = (0, 0)
        self.junk = 0                           # bytes written into the pipe that were not messages
        for pipe in (process.stdin, process.stdout):
            os.set_blocking(pipe.fileno(), False)
        self._buffer = bytearray()

    # -- time ----------------------------------------------------------------------------------
    def _out_of_time(self):
        if not self.started:
            self._end(f"internal grader error: the sandbox did not start within {self.STARTUP:g} s")
        self._end(f"timed out after {points(self.limits.timeout)} s (an infinite loop, or far too slow?)")

    def _wait(self, fd: int, write: bool) -> None:
        if self.left <= 0:
            self._out_of_time()
        start = time.monotonic()
        try:
            poller = select.poll()
            poller.register(fd, select.POLLOUT if write else select.POLLIN)
            ready = poller.poll(max(0.0, self.left) * 1000)      # (an end of the pipe counts as ready)
        except (OSError, ValueError):       # the pipe was closed under us
            self._end_with_exit()
        finally:
            self.left -= time.monotonic() - start
        if not ready:
            self._out_of_time()

    def start_clock(self) -> None:
        """The sandbox is up: from now on the time counts against the question's limit."""
        self.left, self.started = float(self.limits.timeout), True

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` (spent answering the sandbox's callbacks) against the question's time."""
        self.left -= seconds

    # -- frames --------------------------------------------------------------------------------
    def send(self, frame: bytes) -> None:
        data, fd = memoryview(frame), self.process.stdin.fileno()
        while data:
            self._wait(fd, write=True)
            try:
                data = data[os.write(fd, data):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError):
                self._end_with_exit()

    def _read_more(self, size: int) -> None:
        """Wait for the sandbox and add what it wrote (up to ``size`` bytes) to the buffer."""
        fd = self.process.stdout.fileno()
        self._wait(fd, write=False)
        try:
            chunk = os.read(fd, size)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._end_with_exit()
        self._buffer += chunk

    def _read_exact(self, n: int) -> bytes:
        while len(self._buffer) < n:
            self._read_more(max(n - len(self._buffer), 1 << 16))
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    JUNK = 16 * 2**20                           # bytes of non-messages skipped before giving up

    def _find_marker(self) -> None:
        """Skip what the student's code wrote into the pipe on its own, up to the next message's marker."""
        marker = wire.MARKER
        while True:
            at = self._buffer.find(marker)
            if at >= 0:
                self.junk += at
                del self._buffer[: at + len(marker)]
                return
            drop = max(0, len(self._buffer) - (len(marker) - 1))      # a marker may be cut between two reads
            self.junk += drop
            del self._buffer[:drop]
            if self.junk > self.JUNK:
                self._end(f"the answer's process wrote more than {self.JUNK // 2**20} MB of its own into the "
                          "grader's pipe")
            self._read_more(1 << 16)

    def receive(self) -> tuple[dict, dict]:
        """The next message from the sandbox, checked; SandboxEnded if there is none in time."""
        try:
            self._find_marker()
            head, body = wire.read_frame(self._read_exact, self.limits.data_mb * 2**20, marked=True)
            message, values = wire.unpack(head, body)
        except wire.WireError as error:
            self._end(f"the answer's process sent something that is not a valid reply ({error})")
        refused, printed = message.get("refused"), message.get("printed")
        if isinstance(refused, list):
            self.refused = [shorten(r, 100) for r in refused if isinstance(r, str)][:5]
        if isinstance(printed, list) and len(printed) == 2 and all(type(n) is int and n >= 0 for n in printed):
            self.printed = tuple(printed)
        return message, values

    # -- the end -------------------------------------------------------------------------------
    def _end_with_exit(self):
        try:
            code = self.process.wait(timeout=max(1.0, min(self.left, 5.0)))
        except Exception:                   # noqa: BLE001 - still running: the pipe was closed by the code
            self.close()
            self._end("the answer's process closed its connection to the grader")
        if not self.started:                # no student code has run yet: the sandbox itself failed
            detail = shorten(self.stderr(), 300) or f"exit status {code}"
            self._end(f"internal grader error: the sandbox ended before it started ({detail})")
        self._end(why_it_ended(code, self.limits.timeout, self.sandboxed))

    def _end(self, why: str):
        self.ended = self.ended or why
        self.close()
        raise SandboxEnded(self.ended)

    def kill(self) -> None:
        """Kill the sandbox and everything in it (safe from another thread: the reader then sees the end)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.process.kill()
        except OSError:
            pass

    def close(self) -> None:
        """Kill the sandbox and everything in it, reap it, and close the pipes."""
        process = self.process
        self.kill()
        try:
            process.wait(timeout=10)
        except Exception:                   # noqa: BLE001 - a process that will not die: nothing more to do
            pass
        for pipe in (process.stdin, process.stdout, process.stderr):
            try:
                pipe.close()
            except Exception:               # noqa: BLE001
                pass

    def stderr(self, limit: int = 4000) -> str:
        """What the sandbox wrote to its standard error before the program took it over (bubblewrap's errors)."""
        try:
            os.set_blocking(self.process.stderr.fileno(), False)
            return (os.read(self.process.stderr.fileno(), limit) or b"").decode("utf-8", "replace")
        except (OSError, ValueError, TypeError):
            return ""


class RemoteFunction:
    """The student's function, running in the sandbox; what the tests call."""

    def __init__(self, connection: Connection, name: str):
        self.connection, self.__name__ = connection, name

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs, False)[0]

    def call_with_inputs(self, *args, **kwargs):
        """(value returned, the positional arguments as the call left them)."""
        value, inputs = self._call(args, kwargs, True)
        if not (isinstance(inputs, list) and inputs and isinstance(inputs[0], list)):
            raise SandboxEnded("the answer's process did not send back its arguments")
        return value, tuple(inputs[0])

    def _call(self, args, kwargs, inputs: bool):
        connection, functions = self.connection, []

        def function_id(f) -> int:
            functions.append(f)
            return len(functions) - 1

        connection.send(wire.pack({"op": "call", "inputs": inputs}, {"args": list(args), "kwargs": dict(kwargs)},
                                  function_id))
        while True:
            message, values = connection.receive()
            op = message["op"]
            if op == "callback":
                self._answer(message, values, functions)
                continue
            if connection.refused:
                raise Forbidden(connection.refused)
            if op == "result":
                return values.get("value"), values.get("inputs")
            if op == "error" and isinstance(message.get("error"), dict):
                raise StudentError(_clean(message["error"]))
            connection._end(f"the answer's process sent an unexpected message {shorten(op, 40)!r}")

    def _answer(self, message: dict, values: dict, functions: list) -> None:
        """Evaluate one of the grader's own functions for the sandbox (a callback), and send the value."""
        number, start = message.get("id"), time.monotonic()
        try:
            if not (type(number) is int and 0 <= number < len(functions)):
                raise ValueError("no such function")
            args, kwargs = values.get("args", []), values.get("kwargs", {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise TypeError("bad arguments")
            reply = wire.pack({"op": "return"}, {"value": functions[number](*args, **kwargs)})
        except Exception as error:          # noqa: BLE001 - the student passed it something it cannot take
            reply = wire.pack({"op": "raise", "error": {"type": type(error).__name__,
                                                        "message": shorten(error, 300)}})
        self.connection.charge(time.monotonic() - start)
        self.connection.send(reply)


def _clean(record: dict) -> dict:
    """An error record from the sandbox with only the expected fields, of the expected types."""
    clean = {"type": shorten(record.get("type", "Exception"), 80), "message": shorten(record.get("message", "")),
             "mine": record.get("mine") is True}
    if clean["mine"] and type(record.get("line")) is int:
        clean.update(line=record["line"], code=shorten(record.get("code", ""), 200))
    return clean


def clean_record(record) -> dict | None:
    """:func:`_clean` for a record that may be missing or malformed."""
    return _clean(record) if isinstance(record, dict) else None
