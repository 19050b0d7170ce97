"""Student notebooks from master notebooks: solutions out, outputs cleared.

A master notebook ``exercises/solutions/exNN_<topic>.ipynb`` holds each solution between the lines
``# BEGIN SOLUTION`` and ``# END SOLUTION``. The student notebook ``exercises/exNN_<topic>.ipynb``
has each such block replaced by ``raise NotImplementedError("write <function>")`` at the same
indentation, every output and execution count cleared, and no trace of the machine that executed the
master (Python version in the metadata, cell timings), so re-executing a master does not change it. ``check`` says whether the committed
student notebooks are exactly what ``build`` writes (CI runs it).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
_DEF = re.compile(r"(\s*)(?:async\s+)?def\s+(\w+)\s*\(")


def strip_solutions(source: str) -> str:
    """``source`` with every BEGIN..END SOLUTION block replaced by a NotImplementedError stub."""
    lines, out, i = source.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == END:
            raise ValueError(f"line {i + 1}: {END!r} without {BEGIN!r}")
        if line.strip() != BEGIN:
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() in (BEGIN, END)), None)
        if end is None or lines[end].strip() != END:
            raise ValueError(f"line {i + 1}: {BEGIN!r} without a matching {END!r}")
        name = "this function"
        for previous in reversed(out):
            match = _DEF.match(previous)
            if match and len(match.group(1)) < len(indent):
                name = match.group(2)
                break
        out.append(f'{indent}raise NotImplementedError("write {name}")')
        i = end + 1
    return "\n".join(out)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def student_notebook(master: dict) -> dict:
    """The student version of a master notebook (a new dict; ``master`` is not changed)."""
    notebook = copy.deepcopy(master)
    # what executing the master records about the machine (Python version...) stays out of it
    metadata = notebook.setdefault("metadata", {})
    metadata["language_info"] = {"name": metadata.get("language_info", {}).get("name", "python")}
    metadata.pop("widgets", None)
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            cell["source"] = strip_solutions(_source(cell))
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell["source"] = _source(cell)
        cell.get("metadata", {}).pop("execution", None)
    return notebook


def dumps(notebook: dict) -> str:
    """Notebook JSON exactly as Jupyter and nbformat write it (sources as lists of lines)."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook["cells"]:
        source = _source(cell)
        cell["source"] = source.splitlines(keepends=True)
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _normalised(notebook: dict) -> dict:
    """A notebook with every source as one string, so list- and string-sources compare equal."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook.get("cells", []):
        cell["source"] = _source(cell)
    return notebook


def masters(directory: Path) -> list[Path]:
    """The master notebooks in ``directory/solutions``."""
    return sorted((Path(directory) / "solutions").glob("ex*.ipynb"))


def build(directory: Path) -> list[Path]:
    """Write the student notebook of every master in ``directory/solutions``; return their paths."""
    written = []
    for master in masters(directory):
        target = Path(directory) / master.name
        text = dumps(student_notebook(_read(master)))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _lint(master: Path, notebook: dict) -> list[str]:
    """Problems in a master notebook that would break grading: setup cell, answers, check cells."""
    from rnncourse.grade.notebook import find_exercise_name, Submission

    problems, where = [], f"{master.name}:"
    submission = Submission.from_notebook(notebook, master)
    if submission.setup is None:
        problems.append(f"{where} no code cell tagged 'setup'")
    name = find_exercise_name(submission)
    if name is None:
        problems.append(f"{where} the setup cell does not set EXERCISE = \"exNN\"")
        return problems
    from . import load

    try:
        module = load(name)
    except LookupError as error:
        return problems + [f"{where} {error}"]
    if getattr(module, "NOTEBOOK", None) != master.stem:
        problems.append(f"{where} {module.__name__}.NOTEBOOK is {getattr(module, 'NOTEBOOK', None)!r}, "
                        f"expected {master.stem!r}")
    sources = "\n".join(_source(c) for c in notebook["cells"] if c.get("cell_type") == "code")
    for question in module.QUESTIONS:
        cell = submission.answer_cell(question, module.QUESTIONS)
        if cell is None or not cell.defines(question.function):
            problems.append(f"{where} no cell tagged 'answer' defines {question.function}() ({question.id})")
        elif BEGIN not in cell.source:
            problems.append(f"{where} the answer cell of {question.id} has no {BEGIN!r} block")
        if not re.search(rf"check\(\s*['\"]{question.id}['\"]\s*\)", sources):
            problems.append(f"{where} no cell calls check({question.id!r})")
    return problems


def check(directory: Path) -> list[str]:
    """Problems with the exercises in ``directory``: an empty list means all is well.

    Every student notebook must equal what ``build`` writes from its master, every student notebook
    must have a master, and each master must be gradable (setup cell, EXERCISE, answer cells).
    """
    directory, problems = Path(directory), []
    expected = set()
    for master in masters(directory):
        target = directory / master.name
        expected.add(target.name)
        try:
            notebook = _read(master)
            student = student_notebook(notebook)
        except (ValueError, KeyError) as error:
            problems.append(f"{master}: {error}")
            continue
        problems += _lint(master, notebook)
        if not target.exists():
            problems.append(f"{target} is missing: run `python -m rnncourse.exercises build`")
        elif _normalised(_read(target)) != _normalised(student):
            problems.append(f"{target} differs from its master {master}: "
                            "run `python -m rnncourse.exercises build`")
    for stray in sorted(directory.glob("ex*.ipynb")):
        if stray.name not in expected:
            problems.append(f"{stray} has no master notebook in {directory / 'solutions'}")
    return problems
