"""The program the grader runs in its sandbox, once per question of a submission.

Started by the grader only (``rnncourse.grade.sandbox``), as
``python -I -S -B main.py --site DIR --memory MB --cpu S --processes N --file-size BYTES
--open-files N [--uid U --gid G]``, with a pipe to the grader on its standard input and output:

1. it drops root (``--uid``/``--gid``, when a privileged bubblewrap started it as root), imports
   NumPy from ``DIR`` and sets its resource limits, before reading anything, then says ``hello``;
2. it keeps the pipe on two private descriptors and points 0, 1 and 2 at /dev/null; ``print``
   only counts lines; ``input()`` gets end-of-file;
3. ``start`` brings the setup cell, the answer cell and the name of the function: it runs the setup
   cell statement by statement (a failing statement is skipped and reported) and replies ``setup``,
   then runs the answer cell and replies ``ready`` saying what happened;
4. each ``call`` brings arguments, decoded afresh from the message (so every call gets its own
   copies): it calls the function and replies ``result`` (the return value as data, and the
   arguments as the call left them when asked) or ``error`` (the exception as data). A function
   among the arguments (the grader's, e.g. the ``f`` of a numerical gradient) is a stub that sends
   ``callback`` and waits for the grader's ``return`` or ``raise``;
5. it ends when the grader closes the pipe (or kills the sandbox).

It imports nothing from ``rnncourse``: there is none in the sandbox. Everything it sends is data
(:mod:`wire`); the grader trusts none of it beyond "this is what the function returned".
"""

from __future__ import annotations

import ast
import builtins
import io
import linecache
import os
import sys
import types

try:                                    # in the grader: rnncourse.grade.child.main (tests import it)
    from . import errors, wire
except ImportError:                     # in the sandbox: a plain script next to wire.py and errors.py
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import errors
    wire = None                         # imported by main(), once NumPy's folder is on the path


class ForbiddenImport(ImportError):
    """An import the grader refuses (torch, rnncourse, scipy...): the question scores 0."""


class Channel:
    """Frames over two file descriptors, blocking (the grader keeps the clock)."""

    def __init__(self, fd_in: int, fd_out: int):
        self.fd_in, self.fd_out = fd_in, fd_out

    def _read_exact(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = os.read(self.fd_in, min(left, 1 << 20))
            if not chunk:
                raise EOFError("the grader closed the pipe")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def receive(self, make_function=None):
        head, body = wire.read_frame(self._read_exact)
        return wire.unpack(head, body, make_function)

    def send(self, message: dict, values: dict | None = None) -> None:
        data = memoryview(wire.pack(message, values))
        while data:
            data = data[os.write(self.fd_out, data):]


class _Counter(io.RawIOBase):
    """Where printed output goes: only the number of lines and characters is kept."""

    def __init__(self):
        super().__init__()
        self.lines = self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.chars += len(data)
        self.lines += data.count(b"\n")
        return len(data)


def _options(argv: list) -> dict:
    options, names = {}, iter(argv)
    for name in names:
        if not name.startswith("--"):
            raise SystemExit(f"unexpected argument {name!r}")
        options[name[2:]] = next(names)
    return options


def _drop_root(options: dict) -> None:
    """Become the unprivileged user the grader chose, when started as root (privileged bubblewrap)."""
    if "uid" not in options or os.getuid() != 0:
        return
    uid, gid = int(options["uid"]), int(options["gid"])
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("could not drop root")
    try:                                # changing user made the process "not dumpable": its /proc
        import ctypes                   # files belong to root; make them its own again

        ctypes.CDLL(None, use_errno=True).prctl(4, 1, 0, 0, 0)      # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        pass


def _virtual_memory() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _limit(options: dict) -> None:
    """Resource limits, hard and soft, that the student's code cannot raise again."""
    import resource

    def cap(which, value):
        try:
            _, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cpu = int(float(options.get("cpu", 60))) + 1
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))   # SIGXCPU first, then SIGKILL
    except (ValueError, OSError):
        cap(resource.RLIMIT_CPU, cpu)
    cap(resource.RLIMIT_AS, _virtual_memory() + int(options.get("memory", 2048)) * 2**20)
    cap(resource.RLIMIT_NPROC, int(options.get("processes", 32)))
    cap(resource.RLIMIT_FSIZE, int(options.get("file-size", 16 * 2**20)))
    cap(resource.RLIMIT_NOFILE, int(options.get("open-files", 64)))
    cap(resource.RLIMIT_CORE, 0)
    try:                                # the memory limit is per process: should several of them
        with open("/proc/self/oom_score_adj", "w") as handle:   # exhaust the machine, the kernel
            handle.write("1000")                                # ends these first, not the grader
    except OSError:
        pass


def _private_pipe() -> Channel:
    """The grader's pipe moves to two new descriptors; 0, 1 and 2 become /dev/null."""
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return channel


class Student:
    """The student's cells and function in this process, and what the grader is told about them."""

    def __init__(self, channel: Channel, start: dict, counter: _Counter):
        self.channel, self.counter = channel, counter
        self.forbidden = tuple(start.get("forbidden", ()))
        self.allowed = tuple(start.get("allowed", ()))
        self.label, self.function_name = str(start["label"]), str(start["function"])
        self.files = {"<setup>", self.label}
        self.refused: list = []
        self.function = None
        self._stub_module()

    # -- imports -----------------------------------------------------------------------------
    def _stub_module(self) -> None:
        """``from rnncourse.grade import check`` works (check does nothing); the rest of rnncourse is absent."""
        package = types.ModuleType("rnncourse")
        package.__path__ = []
        grade = types.ModuleType("rnncourse.grade")
        grade.check = lambda *args, **kwargs: 0.0
        package.grade = grade
        sys.modules.update({"rnncourse": package, "rnncourse.grade": grade})

    def _guarded_import(self, name, globals=None, locals=None, fromlist=(), level=0):
        top = str(name).split(".")[0]
        refused = level == 0 and top in ("importlib", "builtins")
        if level == 0 and top in self.forbidden:
            targets = [f"{name}.{f}" for f in fromlist or ()] if name in self.forbidden and fromlist else [name]
            refused = not all(any(t == a or t.startswith(a + ".") for a in self.allowed) for t in targets)
        if refused:
            self.refused.append(str(name))
            raise ForbiddenImport(str(name))
        return builtins.__import__(name, globals, locals, fromlist, level)

    # -- cells -------------------------------------------------------------------------------
    def run(self, setup: str, answer: str) -> None:
        """Run both cells, replying ``setup`` after the first and ``ready`` after the second."""
        for name, source in (("<setup>", setup), (self.label, answer)):
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        builtins_ = dict(vars(builtins))
        builtins_["__import__"] = self._guarded_import
        namespace = {"__name__": "__main__", "__builtins__": builtins_}
        notes = self._setup(setup, namespace)
        self.refused.clear()                # refused in the setup cell: reported there, and skipped
        self.channel.send({"op": "setup", "notes": notes, **self.status()})
        answer_error = None
        try:
            exec(compile(answer, self.label, "exec"), namespace)
        except BaseException as error:      # noqa: BLE001 - the student's code may raise anything
            answer_error = errors.describe(error, self.files)
        function = namespace.get(self.function_name)
        if function is None:
            state = "missing"
        elif not callable(function):
            state = type(function).__name__
        else:
            state, self.function = "ok", function
        others = [n for n, v in list(namespace.items())
                  if isinstance(v, types.FunctionType) and v.__code__.co_filename == self.label]
        self.channel.send({"op": "ready", "answer_error": answer_error, "function": state,
                           "defined": others[:20], **self.status()})

    def _setup(self, source: str, namespace: dict) -> list:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return [{"syntax": True}]
        notes = []
        for statement in tree.body:
            try:
                exec(compile(ast.Module([statement], type_ignores=[]), "<setup>", "exec"), namespace)
            except BaseException as error:  # noqa: BLE001
                notes.append({"line": statement.lineno, "error": errors.describe(error, {"<setup>"})})
        return notes

    def status(self) -> dict:
        """What every reply carries: imports refused so far, and how much was printed."""
        try:
            sys.stdout.flush()
        except BaseException:               # noqa: BLE001 - a student's object in the buffer
            pass
        return {"refused": list(self.refused[:5]), "printed": [self.counter.lines, self.counter.chars]}

    # -- calls -------------------------------------------------------------------------------
    def _callback(self, number: int):
        channel = self.channel

        def grader_function(*args, **kwargs):
            channel.send({"op": "callback", "id": number}, {"args": list(args), "kwargs": kwargs})
            message, values = channel.receive()
            if message["op"] == "return":
                return values.get("value")
            error = message.get("error") if isinstance(message.get("error"), dict) else {}
            kind = getattr(builtins, str(error.get("type")), None)
            if not (isinstance(kind, type) and issubclass(kind, Exception)):
                kind = RuntimeError
            raise kind(str(error.get("message", "")))

        return grader_function

    def serve(self) -> None:
        while True:
            try:
                message, values = self.channel.receive(self._callback)
            except EOFError:
                return
            if message["op"] != "call":
                continue
            args, kwargs = list(values.get("args", [])), dict(values.get("kwargs", {}))
            try:
                result = self.function(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
                self.channel.send({"op": "error", "error": errors.describe(error, self.files), **self.status()})
                continue
            reply = {"value": result}
            if message.get("inputs"):
                reply["inputs"] = [args, kwargs]
            try:
                self.channel.send({"op": "result", **self.status()}, reply)
            except Exception as error:      # noqa: BLE001 - too large, too deep, or an object that fails
                text = str(error) if isinstance(error, wire.WireError) else f"{type(error).__name__} while reading it"
                self.channel.send({"op": "error", **self.status(),
                                   "error": {"type": "unsendable", "message": errors.shorten(text), "mine": False}})


def main(argv: list) -> None:
    options = _options(argv)
    _drop_root(options)
    if options.get("site"):
        sys.path.insert(0, options["site"])
    import numpy  # noqa: F401 - imported before the limits, so that they count what the student adds

    global wire
    if wire is None:
        import wire as _wire
        wire = _wire
    _limit(options)
    if options.get("check"):            # the grader's self-test: the sandbox starts, NumPy imports
        return
    channel = _private_pipe()
    counter = _Counter()
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr = io.TextIOWrapper(io.BufferedWriter(counter, 1 << 16), encoding="utf-8",
                                               errors="replace")
    channel.send({"op": "hello"})       # ready: the question's time starts now
    try:
        start, values = channel.receive()
    except EOFError:
        return
    student = Student(channel, start, counter)
    student.run(str(values.get("setup", "")), str(values.get("answer", "")))
    if student.function is not None:
        student.serve()


if __name__ == "__main__":
    _status = 70                        # an error of this program's own
    try:
        main(sys.argv[1:])
        _status = 0
    finally:
        os._exit(_status)               # no atexit handlers or threads the student's code left behind
