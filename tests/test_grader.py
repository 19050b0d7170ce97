"""The autograder against what students really send, on a small fake exercise, then on the real ones.

Each submission is a notebook written into tmp_path with nbformat: a setup cell and one answer cell
per question of the fake exercise ``fakepkg.exfake`` (q1 ``double``: 4 points over 3 tests; q2
``add``: 2 points), which the tests name as an instructor does (``exercise=``, ``--exercise``): a
notebook's own EXERCISE may only name the course's exercises. Every answer runs in the sandbox
(bubblewrap); the attacks on it are in test_grader_attacks.py. Every test checks the broken question's score and message and that the other
question is still graded. The last tests grade every real solution notebook (full marks) and the
student notebooks built from them (0), through the command line.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from rnncourse.exercises import build as B
from rnncourse.grade import check, grade_notebook, grade_paths
from rnncourse.grade.notebook import forbidden_uses
from sandboxed import processes_named, wait_until_gone

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "exercises" / "solutions").glob("ex*.ipynb"))

FAKE = '''
import numpy as np
from rnncourse.exercises.spec import Question, Test

NOTEBOOK = "exfake_demo"
TITLE = "A fake exercise"


def _shape(f):
    out = np.asarray(f(np.zeros((2, 3))))
    assert out.shape == (2, 3), f"expected shape (2, 3), got {out.shape}"


def _values(f):
    x = np.arange(6.0).reshape(2, 3)
    out = f(x)
    assert np.all(np.isfinite(out)), "the result contains NaN or inf"
    assert np.allclose(out, 2 * x), "wrong values: each entry should be doubled"


def _dtype(f):
    out = f(np.ones((2, 3), dtype=np.float32))
    assert out.dtype == np.float32, f"expected dtype float32, got {out.dtype}"


def _small(f):
    assert f(2, 3) == 5, "add(2, 3) should be 5"


def _negative(f):
    assert f(-1, 1) == 0, "add(-1, 1) should be 0"


QUESTIONS = [
    Question("q1", "double", [Test("shape", 1, _shape), Test("values", 2, _values), Test("dtype", 1, _dtype)]),
    Question("q2", "add", [Test("small numbers", 1, _small), Test("negative numbers", 1, _negative)]),
]
'''

SETUP = 'import numpy as np\nfrom rnncourse.grade import check\nEXERCISE = "fakepkg.exfake"'
DOUBLE = "def double(x):\n    return 2 * x"
ADD = "def add(a, b):\n    return a + b"


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    """The fake exercise as an importable package; yields the folder to put on PYTHONPATH."""
    folder = tmp_path_factory.mktemp("fake")
    (folder / "fakepkg").mkdir()
    (folder / "fakepkg" / "__init__.py").write_text("")
    (folder / "fakepkg" / "exfake.py").write_text(FAKE)
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))
    for name in [m for m in sys.modules if m == "fakepkg" or m.startswith("fakepkg.")]:
        del sys.modules[name]


def notebook(path: Path, q1: str | None = DOUBLE, q2: str | None = ADD, setup: str = SETUP,
             tag: bool = True) -> Path:
    """Write a submission: setup cell, then per question a markdown cell, the answer and a check cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Fake exercise"))
    nb.cells.append(nbformat.v4.new_code_cell(setup, metadata={"tags": ["setup"]}))
    for qid, source in (("q1", q1), ("q2", q2)):
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## Question {qid}"))
        if source is not None:
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["answer"] if tag else []}))
        nb.cells.append(nbformat.v4.new_code_cell(f'check("{qid}")'))
    nbformat.write(nb, path)
    return path


SANDBOX = shutil.which("bwrap") is not None


def needs_sandbox():
    if not SANDBOX:
        pytest.skip("bubblewrap is not installed (make test installs it: scripts/ensure_sandbox.sh)")


def grade(fake, tmp_path, timeout=5.0, memory_mb=2048, exercise="fakepkg.exfake", **cells):
    """Grade a notebook of the fake exercise (named by the instructor: a notebook cannot name a module)."""
    needs_sandbox()
    result = grade_notebook(notebook(tmp_path / "sub.ipynb", **cells), timeout=timeout, memory_mb=memory_mb,
                            exercise=exercise)
    return result, {q.id: q for q in result.questions}


def run_cli(fake, *args, timeout=120):
    needs_sandbox()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "rnncourse.grade", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=timeout)


# --- correct, partial, identification -------------------------------------------------------------

def test_correct_answers_score_full_marks(fake, tmp_path):
    result, q = grade(fake, tmp_path)
    assert (result.score, result.max_score) == (6, 6)
    assert result.exercise == "fakepkg.exfake" and not result.error
    table = result.table()
    assert "q1 double" in table and "passed" in table and table.endswith("Total: 6/6")


def test_partial_credit_per_test(fake, tmp_path):
    # right shape, wrong values, float64 out for float32 in: 1 of 4 points
    result, q = grade(fake, tmp_path, q1="def double(x):\n    return np.zeros(np.shape(x))")
    assert q["q1"].score == 1 and q["q2"].score == 2
    assert [t.passed for t in q["q1"].tests] == [True, False, False]
    assert "each entry should be doubled" in q["q1"].summary()


def test_nan_wrong_shape_and_wrong_dtype_outputs(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1="def double(x):\n    return np.full(x.shape, np.nan, dtype=x.dtype)")
    assert q["q1"].score == 2 and "NaN" in q["q1"].tests[1].message
    _, q = grade(fake, tmp_path, q1="def double(x):\n    return (2 * x).ravel()")
    assert q["q1"].score == 1 and "expected shape (2, 3), got (6,)" in q["q1"].tests[0].message
    _, q = grade(fake, tmp_path, q1="def double(x):\n    return (2 * x).astype(np.float64)")
    assert q["q1"].score == 3 and "expected dtype float32, got float64" in q["q1"].tests[2].message
    _, q = grade(fake, tmp_path, q1="def double(x):\n    return None")
    assert q["q1"].score == 0 and "does the function return what the question asks" in q["q1"].tests[2].message
    assert q["q2"].score == 2


def test_exercise_is_found_from_the_file_name(tmp_path):
    from rnncourse.exercises import find, names

    for name in names():
        assert find(__import__(f"rnncourse.exercises.{name}", fromlist=["NOTEBOOK"]).NOTEBOOK) == name
    assert find("alice_ex02_rnn_forward") == ("ex02" if "ex02" in names() else None)
    assert find("homework") is None


def test_an_unknown_exercise_is_a_clear_error(fake, tmp_path):
    result, _ = grade(fake, tmp_path, setup="import numpy as np", exercise=None)
    assert result.questions == [] and "cannot tell which exercise" in result.error
    result, _ = grade(fake, tmp_path, setup='EXERCISE = "ex99"', exercise=None)
    assert "ex99" in result.error and "no exercise" in result.error
    # a notebook names no module to import, not even the fake exercise that this process can import
    result, _ = grade(fake, tmp_path, exercise=None)
    assert result.questions == [] and "'fakepkg.exfake'" in result.error and "known exercises: ex02" in result.error


# --- code that does not run ------------------------------------------------------------------------

def test_syntax_error_costs_only_its_question(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1="def double(x)\n    return 2 * x")
    assert q["q1"].score == 0 and "syntax error on line 1" in q["q1"].message
    assert q["q2"].score == 2


def test_a_cell_that_raises(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1="1 / 0\n" + DOUBLE)
    assert q["q1"].score == 0 and "raised ZeroDivisionError" in q["q1"].message and "line 1" in q["q1"].message
    assert q["q2"].score == 2
    # as in Jupyter, a function defined before the error exists and is graded, with a note
    _, q = grade(fake, tmp_path, q1=DOUBLE + "\ndouble(undefined_name)")
    assert q["q1"].score == 4 and "NameError" in q["q1"].notes[0]


def test_a_function_that_raises(fake, tmp_path):
    _, q = grade(fake, tmp_path, q2="def add(a, b):\n    return a + b if a > 0 else [][0]")
    assert q["q2"].score == 1
    assert q["q2"].tests[1].message == "your function raised IndexError: list index out of range (line 2: `return a + b if a > 0 else [][0]`)"


def test_missing_and_renamed_functions(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1="def doubled(x):\n    return 2 * x")
    assert q["q1"].score == 0
    assert "no function double() is defined; the answer cell defines doubled() instead" in q["q1"].message
    _, q = grade(fake, tmp_path, q1=None)
    assert q["q1"].score == 0 and "no answer" in q["q1"].message and q["q2"].score == 2


def test_an_answer_cell_that_lost_its_tag_is_still_found(fake, tmp_path):
    _, q = grade(fake, tmp_path, tag=False)
    assert q["q1"].score == 4 and q["q2"].score == 2


def test_a_filled_copy_of_an_answer_cell_wins_over_the_stub(fake, tmp_path):
    path = notebook(tmp_path / "sub.ipynb", q1='def double(x):\n    raise NotImplementedError("write double")')
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(DOUBLE, metadata={"tags": ["answer"]}))
    nbformat.write(nb, path)
    assert grade_notebook(path, exercise="fakepkg.exfake").score == 6


def test_helpers_from_other_answer_cells_are_not_available(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1="def twice(v):\n    return 2 * v\n" + DOUBLE,
                 q2="def add(a, b):\n    return twice(a) // 2 + b")
    assert q["q1"].score == 4 and q["q2"].score == 0
    assert "NameError" in q["q2"].tests[0].message and "define any helper inside" in q["q2"].tests[0].message


def test_unfilled_stub_says_not_answered(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1='def double(x):\n    raise NotImplementedError("write double")')
    assert q["q1"].score == 0 and "not answered yet" in q["q1"].summary()


# --- code that fights the grader -------------------------------------------------------------------

def test_infinite_loops_time_out(fake, tmp_path):
    start = time.monotonic()
    _, q = grade(fake, tmp_path, timeout=1.5, q1="while True:\n    pass",
                 q2="def add(a, b):\n    if a < 0:\n        while True:\n            pass\n    return a + b")
    assert time.monotonic() - start < 6
    assert q["q1"].score == 0 and "timed out after 1.5 s" in q["q1"].message
    assert "answer cell" in q["q1"].message
    # the test that passed before the loop keeps its point
    assert q["q2"].score == 1 and "timed out" in q["q2"].tests[1].message


def test_sys_exit_and_os_exit(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1="import sys\nsys.exit()\n" + DOUBLE,
                 q2="import sys\ndef add(a, b):\n    sys.exit(1)")
    assert q["q1"].score == 0 and "called sys.exit()" in q["q1"].message
    assert q["q2"].score == 0 and "called sys.exit()" in q["q2"].tests[0].message
    _, q = grade(fake, tmp_path, q1="import os\nos._exit(0)",
                 q2="import os\ndef add(a, b):\n    if a < 0:\n        os._exit(3)\n    return a + b")
    assert q["q1"].score == 0 and "os._exit()" in q["q1"].message and "answer cell" in q["q1"].message
    assert q["q2"].score == 1 and "exit code 3" in q["q2"].tests[1].message


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL", "SIGINT"])
def test_an_answer_that_signals_its_parent_ends_only_its_question(fake, tmp_path, signal_name):
    # the grader runs in this very process: were it the parent, this test would die here. The
    # signal ends the question's supervisor; the question is then either graded (it finished
    # first) or reported as ended by that signal; the other question is graded either way
    kill = f"import os, signal\nos.kill(os.getppid(), signal.{signal_name})\n"
    _, q = grade(fake, tmp_path, q1=kill + DOUBLE)
    assert q["q1"].score == 4 or signal_name in q["q1"].message, q["q1"]
    assert q["q2"].score == 2


def test_huge_memory_allocation(fake, tmp_path):
    _, q = grade(fake, tmp_path, memory_mb=300, q1="big = np.ones(2**27)\n" + DOUBLE,   # 1 GB
                 q2="def add(a, b):\n    blocks = []\n    while True:\n        blocks.append(bytearray(10**7))")
    assert q["q1"].score == 0 and "ran out of memory" in q["q1"].message
    assert q["q2"].score == 0 and "ran out of memory" in q["q2"].tests[0].message


def test_check_and_input_left_in_answers_do_not_hang(fake, tmp_path):
    _, q = grade(fake, tmp_path, q1=DOUBLE + '\ncheck("q1")', q2="def add(a, b):\n    return int(input())")
    assert q["q1"].score == 4 and not q["q1"].notes
    assert q["q2"].score == 0 and "your function raised EOFError" in q["q2"].tests[0].message


def test_printing_a_million_lines(fake, tmp_path):
    result, q = grade(fake, tmp_path, timeout=30, q1="for i in range(10**6):\n    print(i)\n" + DOUBLE)
    assert q["q1"].score == 4 and "printed 1,000,000 lines" in q["q1"].notes[0]
    assert q["q2"].score == 2


@pytest.mark.parametrize("answer, what", [
    ("import torch\ndef add(a, b):\n    return torch.tensor(a) + b", "import torch"),
    ("def add(a, b):\n    from rnncourse.numpy import RNN\n    return a + b", "from rnncourse.numpy import"),
    ("import scipy.special\ndef add(a, b):\n    return a + b", "import scipy.special"),
    ("def add(a, b):\n    return __import__('torch').add(a, b)", "uses __import__"),
])
def test_answers_that_use_torch_or_rnncourse_score_0(fake, tmp_path, answer, what):
    _, q = grade(fake, tmp_path, q2=answer)
    assert q["q2"].score == 0 and what in q["q2"].message and "NumPy only" in q["q2"].message
    assert q["q1"].score == 4


def test_imports_are_also_refused_at_run_time(fake, tmp_path):
    # exec() hides the import from the static check; the import guard refuses it when it runs
    _, q = grade(fake, tmp_path, q2='exec("import torch")\n' + ADD)
    assert q["q2"].score == 0 and "`import torch`" in q["q2"].message and "NumPy only" in q["q2"].message
    _, q = grade(fake, tmp_path, q2='def add(a, b):\n    exec("from rnncourse import numpy")\n    return a + b')
    assert q["q2"].score == 0 and "NumPy only" in q["q2"].message
    _, q = grade(fake, tmp_path, q2='try:\n    exec("import torch")\nexcept ImportError:\n    pass\n' + ADD)
    assert q["q2"].score == 0 and "NumPy only" in q["q2"].message      # caught, still refused
    assert forbidden_uses("from rnncourse.grade import check\nimport numpy as np") == []


def test_a_setup_cell_that_imports_torch_is_skipped_not_fatal(fake, tmp_path):
    _, q = grade(fake, tmp_path, setup="import torch\n" + SETUP)
    assert q["q1"].score == 4 and "setup cell line 1 skipped" in q["q1"].notes[0]


# --- files that are not notebooks, and a class -----------------------------------------------------

def test_invalid_json_and_empty_files(fake, tmp_path):
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "empty.ipynb").write_text("")
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    broken, empty, listed = grade_paths([tmp_path / "broken.ipynb", tmp_path / "empty.ipynb",
                                         tmp_path / "list.ipynb"], exercise="fakepkg.exfake")
    assert "not a valid notebook: the JSON is broken at line 1" in broken.error
    assert empty.error == "the file is empty"
    assert "not a Jupyter notebook" in listed.error
    for result in (broken, empty, listed):
        assert (result.score, result.max_score) == (0, 6)
        assert all(q.message.startswith("not graded:") for q in result.questions)


def test_batch_csv_and_json_from_the_command_line(fake, tmp_path):
    folder = tmp_path / "class"
    (folder / "dave").mkdir(parents=True)
    notebook(folder / "alice.ipynb")
    notebook(folder / "bob.ipynb", q1="def double(x):\n    return x", q2="while True:\n    pass")
    notebook(folder / "carol.ipynb", q1="for i in range(10**5):\n    print('spam')\n" + DOUBLE)
    notebook(folder / "dave" / "ex.ipynb", q2="import torch\n" + ADD)
    (folder / "erin.ipynb").write_text("")
    (folder / "frank.ipynb").write_text("not json at all")
    run = run_cli(fake, "--batch", folder, "--csv", tmp_path / "grades.csv", "--json", tmp_path / "all.json",
                  "--timeout", "2", "--exercise", "fakepkg.exfake")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout) < 10_000                       # carol's million lines went nowhere
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert list(rows) == ["alice", "bob", "carol", "dave", "erin", "frank"]
    scores = {name: (row["q1"], row["q2"], row["total"], row["max_score"]) for name, row in rows.items()}
    assert scores == {"alice": ("4", "2", "6", "6"), "bob": ("2", "0", "2", "6"),
                      "carol": ("4", "2", "6", "6"), "dave": ("4", "0", "4", "6"),
                      "erin": ("0", "0", "0", "6"), "frank": ("0", "0", "0", "6")}
    assert "timed out" in rows["bob"]["problems"] and "the file is empty" in rows["erin"]["problems"]
    assert "import torch" in rows["dave"]["problems"]
    data = json.loads((tmp_path / "all.json").read_text())
    assert len(data) == 6 and data[0]["score"] == 6


def test_an_interrupted_batch_keeps_what_it_graded(fake, tmp_path):
    folder, mark = tmp_path / "class", f"bobloop{os.getpid() % 10**6}"
    folder.mkdir()
    notebook(folder / "alice.ipynb")
    # bob's endless loop names its process (it can reach nothing else of this machine to signal us)
    notebook(folder / "bob.ipynb", q1=f"open('/proc/self/comm', 'w').write({mark!r})\nwhile True:\n    pass")
    notebook(folder / "carol.ipynb")
    grades = tmp_path / "grades.csv"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")]))
    grader = subprocess.Popen([sys.executable, "-m", "rnncourse.grade", "--batch", str(folder), "--csv",
                               str(grades), "--jobs", "1", "--timeout", "300", "-q", "--exercise", "fakepkg.exfake"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120                     # a bound on waiting, not a speed goal
    while not processes_named(mark) and grader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_named(mark), "bob's question never started"
    grader.send_signal(signal.SIGINT)                     # the instructor presses Ctrl-C
    out, err = grader.communicate(timeout=60)
    assert grader.returncode == 130 and "interrupted: 1 of 3 notebooks graded" in err
    assert "alice: 6/6" in out
    with open(grades, newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert list(rows) == ["alice"] and rows["alice"]["total"] == "6"
    assert wait_until_gone(mark) == [], "bob's question still runs after the grader was interrupted"


def test_gradescope_json_for_one_notebook(fake, tmp_path):
    path = notebook(tmp_path / "sub.ipynb", q1="def double(x):\n    return x")
    run = run_cli(fake, path, "--json", tmp_path / "results.json", "--exercise", "fakepkg.exfake")
    assert run.returncode == 0, run.stderr
    assert "Total: 4/6" in run.stdout
    data = json.loads((tmp_path / "results.json").read_text())
    assert (data["score"], data["max_score"]) == (4, 6)
    assert [(t["name"], t["score"], t["max_score"]) for t in data["tests"]] == [("q1 double", 2, 4), ("q2 add", 2, 2)]
    assert "FAIL  values (0/2): wrong values" in data["tests"][0]["output"]
    assert [(t["status"], t["visibility"]) for t in data["tests"]] == [("failed", "visible"), ("passed", "visible")]


# --- check() in a notebook -------------------------------------------------------------------------

def test_check_in_a_notebook(fake, capsys):
    namespace = {"EXERCISE": "fakepkg.exfake"}
    exec("import numpy as np\ndef double(x):\n    return np.zeros(np.shape(x))", namespace)
    assert check("q1", namespace=namespace) == 1
    first = capsys.readouterr().out
    check("q1", namespace=namespace)
    assert capsys.readouterr().out == first           # deterministic: nbval compares it
    assert first.splitlines()[0] == "q1 double: 1/4 points"
    assert "  pass  shape (1/1)" in first and "FAIL  values (0/2): wrong values" in first
    assert check("q2", namespace=namespace) == 0
    assert "add() is not defined: run its answer cell first" in capsys.readouterr().out


def test_check_gives_each_call_its_own_copies(fake, capsys):
    # a right answer that then scribbles on its input keeps its points: the test compares with the
    # input it chose, not with what the function left in it (the grader's sandbox does the same)
    namespace = {"EXERCISE": "fakepkg.exfake"}
    exec("import numpy as np\ndef double(x):\n    y = 2 * x\n    x[...] = -1\n    return y", namespace)
    assert check("q1", namespace=namespace) == 4


def test_check_finds_the_notebook_globals_and_warns_about_torch(fake, tmp_path, capsys):
    source = tmp_path / "cell.py"
    source.write_text('EXERCISE = "fakepkg.exfake"\ndef add(a, b):\n    return a + b if b is not None else torch.tensor(a)\n'
                      'from rnncourse.grade import check\nscore = check("q2")\n')
    namespace = {}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    assert namespace["score"] == 2
    assert "the grader will give 0" in capsys.readouterr().out


# --- the real exercises ----------------------------------------------------------------------------

@pytest.mark.skipif(not SOLUTIONS, reason="no exercise notebooks yet")
def test_solutions_score_full_marks_and_student_notebooks_zero(tmp_path):
    """Every master notebook gets full marks; the student notebook built from it gets 0."""
    students = tmp_path / "students"
    students.mkdir()
    for master in SOLUTIONS:
        student = B.student_notebook(json.loads(master.read_text(encoding="utf-8")))
        (students / master.name).write_text(B.dumps(student), encoding="utf-8")
    for folder, expect_full in ((ROOT / "exercises" / "solutions", True), (students, False)):
        start = time.monotonic()
        run = run_cli(ROOT, "--batch", folder, "--json", tmp_path / "out.json", "--csv", tmp_path / "out.csv", "-q")
        assert run.returncode == 0, run.stderr
        assert time.monotonic() - start < 10 * len(SOLUTIONS)
        results = json.loads((tmp_path / "out.json").read_text())
        results = [results] if isinstance(results, dict) else results
        assert len(results) == len(SOLUTIONS)
        for r in results:
            assert r["max_score"] > 0 and "output" not in r, r
            assert r["score"] == (r["max_score"] if expect_full else 0), (r.get("file"), r["tests"])
        header = (tmp_path / "out.csv").read_text().splitlines()[0].split(",")
        assert "ex02.q1" in header or len(SOLUTIONS) == 1          # mixed exercises: columns ex02.q1, ...
