"""Reading a submitted notebook: its setup cell, the answer cell of each question, its exercise.

Nothing here runs student code, and the work is bounded before anything is parsed: a file larger
than ``max_bytes`` (5 MB by default) is not read, and a code cell longer than :data:`MAX_CELL`
characters is not parsed (its question scores 0 with the reason); a cell is parsed only when its
text names the function looked for, and its syntax tree is not kept. A notebook that cannot be read
(empty, not JSON, not a notebook, not a regular file) raises :class:`NotebookError` with a message
for the student; code with a syntax error is kept as text and reported when its question is graded.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 5 * 2**20          # largest notebook file read (``--max-size`` changes it)
MAX_CELL = 64 * 2**10          # longest code cell parsed, in characters

# Modules an answer must not use: the point of an exercise is to write the NumPy code.
FORBIDDEN = ("torch", "rnncourse", "scipy", "sklearn", "jax", "tensorflow", "keras")
ALLOWED = ("rnncourse.grade",)          # the setup cell imports `check` from here
STUB = 'raise NotImplementedError("write '   # what `python -m rnncourse.exercises build` leaves to fill in


class NotebookError(Exception):
    """The file is not a notebook the grader can read; the message says why.

    ``sha256`` is the digest of the file's bytes when they could be read, else None.
    """

    sha256: str | None = None


def _source(cell) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes (``%timeit``, ``!ls``, ``%%time``) replaced by ``pass``."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            lines[i] = line[: len(line) - len(stripped)] + "pass"
    return "\n".join(lines)


def parse(source: str):
    """(syntax tree, None) or (None, the problem in words) for the code of a cell."""
    if len(source) > MAX_CELL:
        return None, (f"the cell is too long to grade ({len(source) / 1024:.0f} KB of code; "
                      f"at most {MAX_CELL // 1024} KB)")
    try:
        return ast.parse(source), None
    except SyntaxError as error:
        if error.lineno is None:            # e.g. a null byte: no line to show
            return None, f"the cell cannot be parsed: {error.msg}"
        line = (error.text or "").strip()[:200]
        return None, (f"syntax error on line {error.lineno} of the cell: {error.msg}"
                      + (f" — `{line}`" if line else ""))
    except (ValueError, RecursionError, MemoryError) as error:    # null bytes, absurd nesting
        return None, f"the cell cannot be parsed: {type(error).__name__}"


@dataclass
class Cell:
    """A code cell: its position in the notebook, tags and source (magics removed).

    What the grader needs from its syntax (the names it defines, its syntax error) is read once,
    when first asked, and the syntax tree is not kept.
    """

    index: int
    tags: list
    source: str
    _names: set | None = field(default=None, repr=False)
    _problem: str | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, index: int, cell: dict) -> "Cell":
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        return cls(index, [t for t in tags if isinstance(t, str)][:20], strip_magics(_source(cell)))

    def _read(self) -> None:
        if self._names is not None:
            return
        tree, self._problem = parse(self.source)
        self._names = set()
        for node in tree.body if tree is not None else []:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._names.add(("def", node.name))
            elif isinstance(node, ast.Assign):
                self._names.update(("=", t.id) for t in node.targets if isinstance(t, ast.Name))

    @property
    def syntax_error(self) -> str | None:
        self._read()
        return self._problem

    @property
    def tree(self) -> ast.Module | None:
        """The syntax tree, parsed anew (None when the cell does not parse)."""
        return parse(self.source)[0]

    def functions(self) -> list[str]:
        """Names of the functions defined at the top level of the cell."""
        self._read()
        return sorted(name for kind, name in self._names if kind == "def")

    def defines(self, name: str) -> bool:
        if name not in self.source:
            return False
        self._read()
        if self._problem is not None:
            return re.search(rf"^def\s+{re.escape(name)}\s*\(", self.source, re.M) is not None
        return ("def", name) in self._names or ("=", name) in self._names


@dataclass
class Submission:
    """The code cells of a notebook, with the setup cell and the cells tagged ``answer``."""

    path: Path | None
    cells: list
    setup: Cell | None
    sha256: str | None = None          # of the file's bytes, when read from a file

    @classmethod
    def from_notebook(cls, notebook: dict, path: Path | None = None) -> "Submission":
        if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
            hint = " (an old nbformat 3 notebook?)" if isinstance(notebook, dict) and "worksheets" in notebook else ""
            raise NotebookError(f"not a Jupyter notebook: no list of cells{hint}")
        cells = [Cell.from_json(i, c) for i, c in enumerate(notebook["cells"])
                 if isinstance(c, dict) and c.get("cell_type") == "code"]
        setup = next((c for c in cells if "setup" in c.tags), None)
        if setup is None:
            setup = next((c for c in cells if "EXERCISE" in c.source), cells[0] if cells else None)
        return cls(Path(path) if path is not None else None, cells, setup)

    @classmethod
    def read(cls, path, max_bytes: int = MAX_BYTES) -> "Submission":
        """Read a notebook file; raise NotebookError with a clear message when it cannot be read.

        Only a regular file is read (not a folder, a link, a pipe or a device), and only when it
        has at most ``max_bytes`` bytes.
        """
        path = Path(path)
        data = read_file(path, max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        try:
            submission = cls.from_notebook(_load_json(data), path)
        except NotebookError as error:
            error.sha256 = digest
            raise
        submission.sha256 = digest
        return submission

    @property
    def answers(self) -> list:
        return [c for c in self.cells if "answer" in c.tags]

    def answer_cell(self, question, questions) -> Cell | None:
        """The cell holding ``question``'s answer.

        The last answer cell that defines the function (a cell still holding the unfilled stub only
        when no other does); else the last other code cell that does (a lost tag); else, when there
        is one answer cell per question, the one at the question's position (it is then graded and
        says what it defines instead, or its syntax error).
        """
        for group in (self.answers, [c for c in self.cells if c is not self.setup]):
            defining = [c for c in group if c.defines(question.function)]
            written = [c for c in defining if STUB not in c.source]
            if written or defining:
                return (written or defining)[-1]
        ids = [q.id for q in questions]
        if len(self.answers) == len(ids) and question.id in ids:
            return self.answers[ids.index(question.id)]
        return None


def _load_json(data: bytes):
    if not data.strip():
        raise NotebookError("the file is empty" if not data else "the file holds only whitespace")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotebookError("not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a valid notebook: the JSON is broken at line {error.lineno}, "
                            f"column {error.colno} ({error.msg}); was it saved by Jupyter?") from None
    except RecursionError:
        raise NotebookError("not a valid notebook: the JSON is nested too deeply") from None


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a pipe"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (never following a link, never blocking on a pipe)."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            what = _kind(info.st_mode)
            hint = (" (the grader does not follow links: put the notebook itself in the folder)"
                    if what == "a symbolic link" else "")
            raise NotebookError(f"not a notebook file: {path.name} is {what}{hint}")
        if info.st_size > max_bytes:
            raise NotebookError(f"the file is too large for a notebook ({info.st_size / 2**20:.1f} MB; "
                                f"the limit is {max_bytes / 2**20:g} MB, see --max-size)")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotebookError(f"not a notebook file: {path.name} changed while it was read")
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as error:
        raise NotebookError(f"cannot read the file: {error.strerror or error}") from None
    if size > max_bytes:
        raise NotebookError(f"the file is too large for a notebook (more than {max_bytes / 2**20:g} MB)")
    return b"".join(chunks)


def find_exercise_name(submission: Submission) -> str | None:
    """``EXERCISE = "..."`` from the setup cell (read, not run), or None."""
    setup = submission.setup
    if setup is None:
        return None
    tree = setup.tree
    if tree is not None:
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                    and any(isinstance(t, ast.Name) and t.id == "EXERCISE" for t in node.targets)):
                return node.value.value
    match = re.search(r"^EXERCISE\s*=\s*[\"']([\w.]+)[\"']", setup.source, re.M)
    return match.group(1) if match else None


def _is_forbidden(module: str | None) -> bool:
    if not module:
        return False
    if any(module == a or module.startswith(a + ".") for a in ALLOWED):
        return False
    return module.split(".")[0] in FORBIDDEN


def forbidden_uses(source: str | ast.AST) -> list[str]:
    """Where code uses a library an answer must not use (torch, rnncourse, scipy, ...).

    A static check: imports of those modules, names and attributes reached through them, and the
    ways around an import statement (``__import__``, ``importlib``, ``sys.modules``). Returns
    messages like ``"line 3: import torch"``; empty when the code is NumPy only.
    """
    tree = parse(source)[0] if isinstance(source, str) else source
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Import):
            found += [f"line {line}: import {a.name}" for a in node.names if _is_forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            targets = [f"{module}.{a.name}" for a in node.names] if module in FORBIDDEN else [module]
            if any(_is_forbidden(t) for t in targets) or module.split(".")[0] in ("importlib", "builtins"):
                found.append(f"line {line}: from {module} import ...")
        elif isinstance(node, ast.Name):
            if node.id in FORBIDDEN:
                found.append(f"line {line}: uses {node.id}")
            elif node.id in ("__import__", "importlib", "__builtins__", "builtins"):
                found.append(f"line {line}: uses {node.id}")
        elif isinstance(node, ast.Attribute):
            if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                found.append(f"line {line}: uses sys.modules")
    return list(dict.fromkeys(found))
