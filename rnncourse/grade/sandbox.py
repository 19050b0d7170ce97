"""The sandbox a question's code runs in: bubblewrap, with read-only Python and NumPy and nothing else.

:func:`open_sandbox` finds ``bwrap`` (Debian/Ubuntu package ``bubblewrap``), works out what of the
host the sandboxed interpreter needs, and starts one sandbox as a self-test; it raises
:class:`SandboxUnavailable` with the reason when it cannot (no bwrap, a kernel or container without
namespaces). :meth:`Sandbox.start` starts the program :mod:`rnncourse.grade.child.main` in a new
sandbox, with a pipe to it on its standard input and output.

What the sandbox allows: reading the Python interpreter, its standard library (without any
``site-packages``), NumPy and the shared libraries they load; a private, size-limited ``/tmp`` as
working directory; a private ``/proc`` and a minimal ``/dev``. What it refuses: the network (its own
network namespace has no interface up), every other file of the machine (the project, the
solutions, the submissions, the grades, the home folders: they are not in its file system at all),
seeing or signalling any process outside it (its own pid namespace; ``--new-session``), outliving
the grader or its question (``--die-with-parent``; the grader kills it after the last test), and
going past its limits: memory (``--memory``, per process), CPU time (``--timeout`` + 1 s),
8 processes, 16 MB per file written, 64 open files, 64 MB of ``/tmp``; its processes are the first
the kernel ends if memory runs out (``oom_score_adj`` 1000). When the grader runs as root, bubblewrap
runs privileged and the program drops to an unprivileged user (uid 65000 + the worker's number)
before it reads anything; otherwise bubblewrap makes a user namespace and disables further ones.

``Sandbox(unsafe=True)`` runs the same program as a plain process with the same resource limits and
none of the isolation: for a machine without bubblewrap, when the instructor accepts the risk
(``--unsafe``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy

CHILD = Path(__file__).resolve().with_name("child")   # bound at /grader in the sandbox
INSIDE = "/grader"
SANDBOX_UID = 65000        # + worker number, when the grader runs as root (Debian reserves 65000-65533)
MASKED = ("site-packages", "dist-packages")

_PROBE = r"""
import json, math, os, sys, sysconfig
sys.path.insert(0, sys.argv[1])
import numpy, numpy.linalg, numpy.fft, numpy.random
import bisect, cmath, collections, decimal, fractions, functools, hashlib, heapq, itertools, random
import statistics, zlib
maps = set()
for line in open("/proc/self/maps"):
    fields = line.split(None, 5)
    if len(fields) == 6 and fields[5].startswith("/") and not fields[5].rstrip().endswith("(deleted)"):
        maps.add(fields[5].rstrip("\n"))
print(json.dumps({"maps": sorted(maps), "numpy": os.path.dirname(numpy.__file__),
                  "stdlib": sysconfig.get_path("stdlib"), "dynload": os.path.dirname(getattr(math, "__file__", "") or "")}))
"""


class SandboxUnavailable(RuntimeError):
    """No sandbox can be started here; the message says why and what to install."""


@dataclass(frozen=True)
class Limits:
    """What one question may use."""

    timeout: float = 30.0          # seconds of wall-clock time the question's code may take
    memory_mb: int = 2048          # memory it may allocate beyond the interpreter and NumPy
    processes: int = 8             # processes and threads of the sandbox's user
    file_size: int = 16 * 2**20    # bytes per file written
    open_files: int = 64
    tmp_mb: int = 64               # size of its /tmp
    data_mb: int = 64              # array data one reply may carry to the grader


def _interpreter(path: str) -> str | None:
    """The ELF program interpreter (``PT_INTERP``, e.g. /lib64/ld-linux-x86-64.so.2) of ``path``."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if head[:4] != b"\x7fELF":
                return None
            wide, order = head[4] == 2, "<" if head[5] == 1 else ">"
            if wide:
                (offset,), (size, count) = struct.unpack_from(order + "Q", head, 32), struct.unpack_from(order + "HH", head, 54)
            else:
                (offset,), (size, count) = struct.unpack_from(order + "I", head, 28), struct.unpack_from(order + "HH", head, 42)
            for number in range(min(count, 64)):
                handle.seek(offset + number * size)
                header = handle.read(size)
                if struct.unpack_from(order + "I", header, 0)[0] != 3:      # PT_INTERP
                    continue
                at, length = ((struct.unpack_from(order + "Q", header, 8)[0], struct.unpack_from(order + "Q", header, 32)[0])
                              if wide else (struct.unpack_from(order + "I", header, 4)[0], struct.unpack_from(order + "I", header, 16)[0]))
                handle.seek(at)
                return handle.read(min(length, 4096)).rstrip(b"\0").decode()
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    return None


def _resolve(path: str, links: dict) -> str:
    """The real path of ``path``; every symbolic link met on the way is added to ``links`` (path -> target)."""
    parts, current, hops = [p for p in path.split("/") if p], "/", 0
    while parts:
        part = parts.pop(0)
        if part in (".", ""):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        if os.path.islink(candidate):
            hops += 1
            if hops > 40:
                raise OSError(f"too many symbolic links in {path}")
            target = os.readlink(candidate)
            links[candidate] = target
            parts = [p for p in target.split("/") if p] + parts
            if target.startswith("/"):
                current = "/"
            continue
        current = candidate
    return current


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


@functools.lru_cache(maxsize=None)
def _layout(python: str, site: str) -> dict:
    """What the sandboxed interpreter needs: from the files an interpreter importing NumPy maps."""
    run = subprocess.run([python, "-I", "-S", "-c", _PROBE, site], capture_output=True, text=True,
                         timeout=120, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                           "OPENBLAS_NUM_THREADS": "1"})
    if run.returncode != 0:
        raise SandboxUnavailable(f"{python} cannot import NumPy from {site}: {run.stderr.strip()[-500:]}")
    return json.loads(run.stdout)


class _Mounts:
    """The sandbox's file system as a list of bubblewrap options: same paths as the host, read-only."""

    def __init__(self):
        self.binds, self.links, self.masks = {}, {}, set()

    def expose(self, path: str, whole_folder: bool = False) -> None:
        """Make ``path`` (a file, or with ``whole_folder`` its folder) resolve in the sandbox as on the host."""
        links: dict = {}
        real = _resolve(path, links)
        self.links.update(links)
        if whole_folder:
            real = os.path.dirname(real)
        if os.path.exists(real):
            self.binds[real] = os.path.isdir(real)

    def _covering(self, path: str):
        """The deepest bound folder or mask strictly above ``path``: ("bind"|"mask"|None, its path)."""
        best = (None, "")
        for folder, is_dir in self.binds.items():
            if is_dir and folder != path and _inside(path, folder) and len(folder) > len(best[1]):
                best = ("bind", folder)
        for mask in self.masks:
            if mask != path and _inside(path, mask) and len(mask) > len(best[1]):
                best = ("mask", mask)
        return best

    def hide(self, paths) -> None:
        """Mask with an empty tmpfs every ``site-packages`` in a bound folder, and each of ``paths`` found inside one."""
        for folder, is_dir in list(self.binds.items()):
            if not is_dir:
                continue
            for depth_one in _subfolders(folder):
                for candidate in [depth_one] + _subfolders(depth_one):
                    if os.path.basename(candidate) in MASKED:
                        self.masks.add(candidate)
        for path in paths:
            real = os.path.realpath(path)
            if self._covering(real)[0] == "bind" and os.path.isdir(real):
                self.masks.add(real)

    def options(self) -> list:
        ops = [(p, "bind") for p in self.binds] + [(p, "mask") for p in self.masks] + [(p, "link") for p in self.links]
        ops.sort(key=lambda op: (op[0].count("/"), op[0]))
        made, out, readonly = {"/"}, [], []
        for path, kind in ops:
            cover, _ = self._covering(path)
            if cover == "bind" and kind != "mask":
                continue                    # already there, inside a bound folder
            if cover == "mask" and kind == "mask":
                continue
            if kind == "mask" and cover != "bind":
                continue                    # nothing to hide: the folder is not bound
            for parent in _parents(path):
                if parent not in made and self._covering(parent)[0] != "bind" and parent not in self.binds:
                    out += ["--perms", "0755", "--dir", parent]
                    made.add(parent)
            if kind == "bind":
                out += ["--ro-bind", path, path]
            elif kind == "link":
                out += ["--symlink", self.links[path], path]
            else:
                out += ["--perms", "0755", "--size", "4096", "--tmpfs", path]
                readonly.append(path)
            made.add(path)
        for path in readonly:
            out += ["--remount-ro", path]
        return out


def _subfolders(folder: str) -> list:
    try:
        return [e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _parents(path: str) -> list:
    parts = [p for p in path.split("/") if p][:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


class Sandbox:
    """Starts the grading program, one sandbox per question (see the module's docstring)."""

    def __init__(self, unsafe: bool = False, hide=()):
        self.unsafe = unsafe
        self.python = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
        self.site = os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__)))
        chosen = os.environ.get("RNNCOURSE_BWRAP")        # an instructor's own bubblewrap
        if chosen is not None:
            self.bwrap = chosen if os.access(chosen, os.X_OK) else None
        else:
            self.bwrap = shutil.which("bwrap") or next(
                (p for p in ("/usr/bin/bwrap", "/bin/bwrap") if os.access(p, os.X_OK)), None)
        self.bwrap = None if unsafe else self.bwrap
        self.root = os.geteuid() == 0
        self._mounts = None
        self._hide = tuple(str(p) for p in hide)
        if not unsafe and self.bwrap is None:
            where = f" (RNNCOURSE_BWRAP={chosen!r} is not an executable)" if chosen is not None else ""
            raise SandboxUnavailable(f"bubblewrap (`bwrap`) is not installed{where}: `sudo apt-get install "
                                     "bubblewrap` (Debian, Ubuntu), `dnf install bubblewrap` (Fedora); on macOS "
                                     "there is none")

    @property
    def kind(self) -> str:
        return "none (--unsafe)" if self.unsafe else "bubblewrap"

    def _filesystem(self) -> list:
        if self._mounts is None:
            layout = _layout(self.python, self.site)
            mounts = _Mounts()
            mounts.expose(self.python)
            interpreter = _interpreter(self.python)
            if interpreter:
                mounts.expose(interpreter)
            numpy_dir = layout["numpy"]
            libs = numpy_dir + ".libs"
            own = [numpy_dir, libs, layout["stdlib"]] + ([layout["dynload"]] if layout["dynload"] else [])
            for folder in own:
                if os.path.isdir(folder):
                    mounts.expose(folder)
            for path in layout["maps"]:
                if path != self.python and not any(_inside(path, f) for f in own):
                    mounts.expose(path, whole_folder=True)
            for entry in ("/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin"):
                if os.path.islink(entry):
                    mounts.links[entry] = os.readlink(entry)
            package = Path(__file__).resolve().parents[1]
            mounts.hide([str(package), str(package.parent)] + list(self._hide))
            self._mounts = mounts.options()
        return self._mounts

    def argv(self, limits: Limits, slot: int = 0, check: bool = False) -> list:
        """The command that starts the grading program in a new sandbox."""
        program = [self.python, "-I", "-S", "-B", f"{INSIDE if not self.unsafe else CHILD}/main.py",
                   "--site", self.site, "--memory", str(int(limits.memory_mb)),
                   "--cpu", str(int(limits.timeout) + 1), "--processes", str(int(limits.processes)),
                   "--file-size", str(int(limits.file_size)), "--open-files", str(int(limits.open_files))]
        if check:
            program += ["--check", "1"]
        if self.unsafe:
            return program
        if self.root:
            uid = str(SANDBOX_UID + slot)
            program += ["--uid", uid, "--gid", uid]
            namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                          "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            namespaces = ["--unshare-all", "--unshare-user", "--disable-userns"]
        # The private /tmp first: the folders bound next may live under the host's /tmp (a course cloned
        # with `mktemp -d`, its .venv there), and a tmpfs mounted after them would hide them.
        return ([self.bwrap] + namespaces + ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
                + ["--perms", "1777", "--size", str(int(limits.tmp_mb) * 2**20), "--tmpfs", "/tmp"]
                + self._filesystem()
                + ["--ro-bind", str(CHILD), INSIDE, "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                   "--remount-ro", "/", "--chdir", "/tmp", "--clearenv",
                   "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
                   "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1",
                   "--setenv", "MKL_NUM_THREADS", "1", "--"] + program)

    def start(self, limits: Limits, slot: int = 0, check: bool = False) -> subprocess.Popen:
        """The grading program, started in a new sandbox (its own session), with pipes to it."""
        cwd = tempfile.mkdtemp(prefix="rnncourse-unsafe-") if self.unsafe else "/"
        env = ({"PATH": "/usr/bin:/bin", "HOME": cwd, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1"} if self.unsafe else {"PATH": "/usr/bin:/bin"})
        process = subprocess.Popen(self.argv(limits, slot, check), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, cwd=cwd, env=env, close_fds=True,
                                   start_new_session=True, umask=0o022)
        process.unsafe_folder = cwd if self.unsafe else None
        return process

    def self_test(self) -> None:
        """Start one sandbox that imports NumPy and exits; raise SandboxUnavailable if that fails."""
        try:
            process = self.start(Limits(timeout=60), check=True)
            _, err = process.communicate(timeout=120)
        except (OSError, subprocess.SubprocessError) as error:
            raise SandboxUnavailable(f"cannot start {self.kind}: {error}") from None
        finally:
            cleanup(locals().get("process"))
        if process.returncode != 0:
            reason = err.decode("utf-8", "replace").strip()[-800:] or f"exit status {process.returncode}"
            raise SandboxUnavailable(f"{self.kind} does not start here: {reason}")


def cleanup(process) -> None:
    """Remove what an unsafe (unsandboxed) run left in its working folder."""
    folder = getattr(process, "unsafe_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_TESTED: set = set()


def open_sandbox(unsafe: bool = False, hide=()) -> Sandbox:
    """A working :class:`Sandbox` (its kind self-tested once per process), or SandboxUnavailable.

    ``hide``: more paths that must not be visible in the sandbox even if a bound folder held them.
    """
    sandbox = Sandbox(unsafe=unsafe, hide=hide)
    key = (unsafe, sandbox.bwrap)
    if key not in _TESTED:
        sandbox.self_test()
        _TESTED.add(key)
    return sandbox
