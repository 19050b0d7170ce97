"""Student notebooks are built from the masters: solutions replaced by stubs, outputs cleared, and in sync.

``python -m rnncourse.exercises build`` writes them; ``check`` (run here on the repository) fails when a
committed student notebook differs from what ``build`` writes, or a master cannot be graded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnncourse.exercises import build as B

ROOT = Path(__file__).resolve().parents[1]

ANSWER = '''def outer(x):
    """Doubles x."""
    def inner(y):
        # BEGIN SOLUTION
        return 2 * y
        # END SOLUTION
    # BEGIN SOLUTION
    return inner(x)
    # END SOLUTION'''

FAKE = '''
from rnncourse.exercises.spec import Question, Test

NOTEBOOK = "exfake_build"
TITLE = "fake"


def _doubles(f):
    assert f(2) == 4, "should double"


QUESTIONS = [Question("q1", "outer", [Test("doubles", 1, _doubles)])]
'''


def test_solution_blocks_become_stubs_at_their_indentation():
    assert B.strip_solutions(ANSWER) == '''def outer(x):
    """Doubles x."""
    def inner(y):
        raise NotImplementedError("write inner")
    raise NotImplementedError("write outer")'''
    assert B.strip_solutions("x = 1\n") == "x = 1\n"


@pytest.mark.parametrize("source", ["    # BEGIN SOLUTION\n    return 1", "    return 1\n    # END SOLUTION",
                                    "    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION"])
def test_unbalanced_markers_are_errors(source):
    with pytest.raises(ValueError, match="SOLUTION"):
        B.strip_solutions(source)


def master_notebook() -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Exercise: fake"),
        nbformat.v4.new_code_cell('from rnncourse.grade import check\nEXERCISE = "fakebuild.exfake"',
                                  metadata={"tags": ["setup"]}),
        nbformat.v4.new_code_cell(ANSWER, metadata={"tags": ["answer"], "execution": {"iopub.execute_input": "2026-11-23T09:00:00Z"}}),
        nbformat.v4.new_code_cell('check("q1")', execution_count=3,
                                  outputs=[nbformat.v4.new_output("stream", text="q1 outer: 1/1 points\n")]),
    ]
    return json.loads(nbformat.writes(nb))


def test_student_notebook_has_no_solution_and_no_output():
    master = master_notebook()
    before = json.dumps(master)
    student = B.student_notebook(master)
    assert json.dumps(master) == before                       # the master is not changed
    text = B.dumps(student)
    assert "BEGIN SOLUTION" not in text and "return 2 * y" not in text
    code = [c for c in student["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert code[1]["metadata"] == {"tags": ["answer"]}
    nbformat.validate(nbformat.reads(text, as_version=4))    # a valid notebook


@pytest.fixture
def folder(tmp_path, monkeypatch):
    package = tmp_path / "pkg" / "fakebuild"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "exfake.py").write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    exercises = tmp_path / "exercises"
    (exercises / "solutions").mkdir(parents=True)
    (exercises / "solutions" / "exfake_build.ipynb").write_text(json.dumps(master_notebook()))
    return exercises


def test_build_then_check_and_what_check_catches(folder):
    assert B.check(folder) == [f"{folder / 'exfake_build.ipynb'} is missing: run `python -m rnncourse.exercises build`"]
    assert B.build(folder) == [folder / "exfake_build.ipynb"]
    assert B.check(folder) == []
    student = folder / "exfake_build.ipynb"
    student.write_text(student.read_text().replace("write outer", "write it"))
    assert "differs from its master" in B.check(folder)[0]
    B.build(folder)
    (folder / "ex99_orphan.ipynb").write_text("{}")
    assert B.check(folder) == [f"{folder / 'ex99_orphan.ipynb'} has no master notebook in {folder / 'solutions'}"]


def test_check_lints_the_masters(folder):
    master = folder / "solutions" / "exfake_build.ipynb"
    nb = json.loads(master.read_text())
    nb["cells"][3]["source"] = "pass"                       # the check("q1") cell is gone
    master.write_text(json.dumps(nb))
    B.build(folder)
    assert B.check(folder) == [f"exfake_build.ipynb: no cell calls check('q1')"]


def test_command_line(folder):
    run = [sys.executable, "-m", "rnncourse.exercises"]
    env_path = str(folder.parent / "pkg")
    env = {"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}
    built = subprocess.run(run + ["build", "--dir", str(folder)], capture_output=True, text=True, env=env)
    assert built.returncode == 0 and "wrote" in built.stdout, built.stderr
    checked = subprocess.run(run + ["check", "--dir", str(folder)], capture_output=True, text=True, env=env)
    assert checked.returncode == 0 and "up to date" in checked.stdout, checked.stdout + checked.stderr


@pytest.mark.skipif(not list((ROOT / "exercises" / "solutions").glob("ex*.ipynb")), reason="no exercises yet")
def test_committed_student_notebooks_equal_the_build():
    problems = B.check(ROOT / "exercises")
    assert not problems, "\n".join(problems)
