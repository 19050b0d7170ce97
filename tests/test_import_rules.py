"""The package's import rules, read from the source (ast), imports inside functions included.

- the NumPy backend (``rnncourse.numpy``) never imports torch, not even through another module;
- the PyTorch backend (``rnncourse.torch``) never imports the NumPy backend;
- neither backend imports ``plot``, ``train``, ``grade`` or ``text``;
- ``grade`` and ``exercises`` are never in one import cycle.

Importing ``a.b.c`` runs ``a`` and ``a.b`` first, so an import reaches the parent packages too.
"""

import ast
from pathlib import Path

import pytest

import rnncourse

ROOT = Path(rnncourse.__file__).parent
BACKENDS = ("rnncourse.numpy", "rnncourse.torch")
NOT_FROM_BACKENDS = ("rnncourse.plot", "rnncourse.train", "rnncourse.grade", "rnncourse.text")


def module_names() -> dict:
    """Dotted module name -> path, for every module of the package."""
    names = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("rnncourse",) + path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def with_parents(name: str) -> list:
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts) + 1)]


def imports_of(name: str, path: Path, known) -> set:
    """Every module ``name`` imports (package modules by dotted name, others by top-level name)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            targets = [source] + [f"{source}.{alias.name}" for alias in node.names
                                  if f"{source}.{alias.name}" in known]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "rnncourse":
                found.update(n for n in with_parents(target) if n in known)
            else:
                found.add(target.split(".")[0])
    return found - {name}


def import_graph() -> dict:
    known = module_names()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def reachable(graph: dict, start: str) -> set:
    """Every module that importing ``start`` runs (itself and its parents included), and the
    external top-level modules they import."""
    seen, todo = set(), with_parents(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(graph.get(name, ()))
    return seen


def inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(graph: dict) -> list:
    """The broken rules of an import graph, as readable lines (empty: all rules hold)."""
    found = []
    for module in graph:
        if not inside(module, "rnncourse.numpy") and not inside(module, "rnncourse.torch"):
            continue
        reached = reachable(graph, module)
        forbidden = list(NOT_FROM_BACKENDS)
        if inside(module, "rnncourse.numpy"):
            forbidden += ["torch", "rnncourse.torch"]
        else:
            forbidden += ["rnncourse.numpy"]
        for bad in forbidden:
            hits = sorted(n for n in reached if inside(n, bad))
            if hits:
                found.append(f"{module} imports {hits[0]}")
    for module in graph:
        if inside(module, "rnncourse.grade"):
            cycle = [n for n in reachable(graph, module) if inside(n, "rnncourse.exercises")
                     and module in reachable(graph, n)]
            if cycle:
                found.append(f"{module} and {cycle[0]} import each other")
    return found


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert "torch" in graph["rnncourse.torch.base"] and "numpy" in graph["rnncourse.numpy.base"]
    assert "rnncourse._validate" in graph["rnncourse.numpy.base"]            # from .. import _validate
    assert "rnncourse.exercises" in graph["rnncourse.grade.grader"]           # from rnncourse import exercises
    assert "rnncourse.numpy.lstm" in graph["rnncourse.gates"]                 # from .numpy.lstm import ...
    assert "rnncourse.numpy" in reachable(graph, "rnncourse.numpy.lstm")      # the parent package runs first


def test_import_rules_hold():
    assert violations(import_graph()) == []


@pytest.mark.parametrize("module, extra, message", [
    ("rnncourse.numpy.lstm", "torch", "rnncourse.numpy.lstm imports torch"),
    ("rnncourse._layout", "torch", "imports torch"),                        # reached from the NumPy backend
    ("rnncourse.torch.esn", "rnncourse.numpy.esn", "rnncourse.torch.esn imports rnncourse.numpy"),
    ("rnncourse.torch.base", "rnncourse.train", "rnncourse.torch.base imports rnncourse.train"),
    ("rnncourse.numpy.base", "rnncourse.plot.gates", "imports rnncourse.plot"),
    ("rnncourse.exercises", "rnncourse.grade.report", "import each other"),
])
def test_a_broken_rule_is_reported(module, extra, message):
    graph = import_graph()
    graph[module] = graph[module] | {extra}
    assert any(message in line for line in violations(graph))
