"""How long the grader takes for a class: 300 submissions of one exercise, with the sandbox on.

    python scripts/bench_grader.py [--students 300] [--exercise ex02] [--jobs 2] [--keep DIR]

Writes a class into a temporary folder (or DIR) from the exercise's master notebook: 40 % correct,
30 % wrong (every answer's output off by 1 %), 25 % empty (the student notebook as handed out) and
5 % hostile (endless loops, a fork bomb, memory and disk hogs, a flood of prints, forged messages,
a huge return value, os._exit, signals, a hunt for the reference, a bogus EXERCISE), then times

    python -m rnncourse.grade --batch DIR --csv DIR/grades.csv --jobs 2 -q

and prints the time, the load average before and after (other work on the machine slows it), and
whether every correct, wrong and empty submission got the score it should. A benchmark, not a test:
it prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnncourse import exercises  # noqa: E402
from rnncourse.exercises.build import student_notebook  # noqa: E402

WRONG = """
_right_{name} = {name}

def {name}(*args, **kwargs):
    out = _right_{name}(*args, **kwargs)
    if isinstance(out, tuple):
        return tuple(o * 1.01 for o in out)
    return out * 1.01
"""

HOSTILE = [                                   # (question index, code put before the answer)
    (0, "while True:\n    pass\n"),
    (0, "import os\nfor _ in range(100):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        while True:\n            pass\n"),
    (0, "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))\n"),
    (1, "for i in range(10**6):\n    print(i)\n"),
    (0, "import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, b'{\"op\": \"result\"}' * 100)\n"
        "    except OSError:\n        pass\n"),
    (1, "import os\nos._exit(3)\n"),
    (0, "import os, signal\nfor pid in range(1, 3000):\n    if pid != os.getpid():\n        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n"),
    (0, "import gc\nfound = [o for o in gc.get_objects() if getattr(o, '__name__', '').startswith('_')]\n"),
    (1, "import os\nfor i in range(100):\n    try:\n        open(f'/tmp/fill{i}', 'wb').write(b'x' * 2**24)\n"
        "    except OSError:\n        break\n"),
    (0, "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 80), timeout=1)\nexcept OSError:\n    pass\n"),
    (1, "import time\ntime.sleep(10**6)\n"),
]


def cells(nb: dict, tag: str) -> list:
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def write_class(folder: Path, exercise: str, students: int) -> dict:
    """Write the submissions; return {student: kind}."""
    module = exercises.load(exercise)
    master = json.loads((ROOT / "exercises" / "solutions" / f"{module.NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    empty = student_notebook(master)
    kinds, hostile = {}, 0
    for number in range(students):
        slot = number % 20
        kind = "hostile" if slot == 0 else "empty" if slot <= 5 else "wrong" if slot <= 11 else "correct"
        nb = json.loads(json.dumps(empty if kind == "empty" else master))
        answers = cells(nb, "answer")
        if kind == "wrong":
            for cell, question in zip(answers, module.QUESTIONS):
                cell["source"] = "".join(cell["source"]) + WRONG.format(name=question.function)
        elif kind == "hostile":
            index, code = HOSTILE[hostile % len(HOSTILE)]
            hostile += 1
            cell = answers[min(index, len(answers) - 1)]
            cell["source"] = code + "".join(cell["source"])
        name = f"student{number:03d}"
        (folder / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        kinds[name] = kind
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--exercise", default="ex02")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the class here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rnncourse-class-"))
    folder.mkdir(parents=True, exist_ok=True)
    kinds = write_class(folder, args.exercise, args.students)
    module = exercises.load(args.exercise)
    full = sum(q.points for q in module.QUESTIONS)
    grades = folder / "grades.csv"
    before = os.getloadavg()
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "rnncourse.grade", "--batch", str(folder), "--csv", str(grades),
                          "--jobs", str(args.jobs), "-q"], capture_output=True, text=True)
    seconds = time.monotonic() - start
    after = os.getloadavg()
    if run.returncode != 0:
        print(run.stderr[-3000:])
        return 1
    with open(grades, newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    wrong = [name for name, kind in kinds.items()
             if (kind == "correct" and float(rows[name]["total"]) != full)
             or (kind == "empty" and float(rows[name]["total"]) != 0)
             or (kind == "wrong" and not 0 < float(rows[name]["total"]) < full)]
    counts = {k: list(kinds.values()).count(k) for k in ("correct", "wrong", "empty", "hostile")}
    print(f"{args.exercise}: {len(rows)} submissions ({', '.join(f'{n} {k}' for k, n in counts.items())}), "
          f"{len(module.QUESTIONS)} questions each, --jobs {args.jobs}, sandbox on")
    print(f"graded in {seconds:.1f} s ({seconds / max(1, len(rows)):.2f} s per submission; "
          f"{seconds / 60:.2f} min, target < 5 min)")
    print(f"load average before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}; "
          f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} (on {os.cpu_count()} cores)")
    print(f"scores as expected for every correct, wrong and empty submission: {'yes' if not wrong else 'NO: ' + ', '.join(wrong[:10])}")
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0 if not wrong and len(rows) == args.students else 1


if __name__ == "__main__":
    sys.exit(main())
