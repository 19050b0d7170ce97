"""Reading a submitted notebook: its setup cell, the answer cell of each question, its exercise.

Nothing here runs student code. A notebook that cannot be read (empty, not JSON, not a notebook)
raises :class:`NotebookError` with a message for the student; code with a syntax error is kept as
text and reported when its question is graded.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20_000_000

# Modules an answer must not use: the point of an exercise is to write the NumPy code.
FORBIDDEN = ("torch", "rnncourse", "scipy", "sklearn", "jax", "tensorflow", "keras")
ALLOWED = ("rnncourse.grade",)          # the setup cell imports `check` from here
STUB = 'raise NotImplementedError("write '   # what `python -m rnncourse.exercises build` leaves to fill in


class NotebookError(Exception):
    """The file is not a notebook the grader can read; the message says why."""


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


@dataclass
class Cell:
    """A code cell: its position in the notebook, tags and source (magics removed)."""

    index: int
    tags: list
    source: str
    tree: ast.Module | None = field(default=None, repr=False)
    syntax_error: str | None = None

    @classmethod
    def from_json(cls, index: int, cell: dict) -> "Cell":
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        self = cls(index, [t for t in tags if isinstance(t, str)], strip_magics(_source(cell)))
        try:
            self.tree = ast.parse(self.source)
        except SyntaxError as error:
            line = (error.text or "").strip()
            self.syntax_error = (f"syntax error on line {error.lineno} of the cell: {error.msg}"
                                 + (f" — `{line}`" if line else ""))
        except (ValueError, RecursionError, MemoryError) as error:    # null bytes, absurd nesting
            self.syntax_error = f"the cell cannot be parsed: {type(error).__name__}"
        return self

    def functions(self) -> list[str]:
        """Names of the functions defined at the top level of the cell."""
        if self.tree is None:
            return []
        return [n.name for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def defines(self, name: str) -> bool:
        if self.tree is None:
            return re.search(rf"^def\s+{re.escape(name)}\s*\(", self.source, re.M) is not None
        return name in self.functions() or any(
            isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
            for n in self.tree.body)


@dataclass
class Submission:
    """The code cells of a notebook, with the setup cell and the cells tagged ``answer``."""

    path: Path | None
    cells: list
    setup: Cell | None

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
    def read(cls, path) -> "Submission":
        """Read a notebook file; raise NotebookError with a clear message when it cannot be read."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise NotebookError(f"the file is too large for a notebook ({size / 1e6:.0f} MB)")
            data = path.read_bytes()
        except OSError as error:
            raise NotebookError(f"cannot read the file: {error.strerror or error}") from None
        if not data.strip():
            raise NotebookError("the file is empty" if not data else "the file holds only whitespace")
        try:
            notebook = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise NotebookError("not a notebook: the file is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise NotebookError(f"not a valid notebook: the JSON is broken at line {error.lineno}, "
                                f"column {error.colno} ({error.msg}); was it saved by Jupyter?") from None
        except RecursionError:
            raise NotebookError("not a valid notebook: the JSON is nested too deeply") from None
        return cls.from_notebook(notebook, path)

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


def find_exercise_name(submission: Submission) -> str | None:
    """``EXERCISE = "..."`` from the setup cell (read, not run), or None."""
    setup = submission.setup
    if setup is None:
        return None
    if setup.tree is not None:
        for node in setup.tree.body:
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
    try:
        tree = ast.parse(source) if isinstance(source, str) else source
    except (SyntaxError, ValueError, RecursionError, MemoryError):
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
