"""A Gradescope autograder for one exercise: ``python -m rnncourse.grade bundle ex02 --gradescope ex02.zip``.

The zip has, at its root, what Gradescope asks for:

- ``setup.sh``: run once, as root, when Gradescope builds the image: installs Python's venv,
  bubblewrap and the NumPy of the machine that built the zip;
- ``run_autograder``: run for every submission: ``python -m rnncourse.grade.bundle run``, which
  picks the submitted notebook in ``/autograder/submission`` (the one named like the exercise, else
  the first ``.ipynb``), grades it in the sandbox like ``python -m rnncourse.grade`` and writes
  ``/autograder/results/results.json`` in Gradescope's format: one entry per question, each with
  its ``visibility``; the audit line of the submission goes to the instructor's log (stdout);
- ``config.json``: the exercise, the visibilities, the limits;
- ``rnncourse/``: the Python files of the package (grader, exercises, references).

When the container cannot run bubblewrap, ``run`` does not grade and says so (score 0, a message
for the student, the reason on stdout), unless the zip was built with ``--allow-unsafe``: each
submission has a container of its own on Gradescope, which then is the only isolation.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

import numpy

import rnncourse

from .report import VISIBILITY, printable

PACKAGE = Path(rnncourse.__file__).resolve().parent

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet "numpy=={numpy}" || {{
    echo "WARNING: numpy=={numpy} is not available for $(python3 --version); installing numpy>=1.26,<3"
    /autograder/venv/bin/pip install --quiet "numpy>=1.26,<3"
}}
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it in the sandbox, write results.json.
cd /autograder/source
exec /autograder/venv/bin/python -m rnncourse.grade.bundle run --config /autograder/source/config.json \\
    /autograder/submission /autograder/results/results.json
"""


def _visibilities(default: str, overrides: list, questions) -> dict:
    ids = [q.id for q in questions]
    chosen = {}
    for item in overrides:
        qid, _, value = item.partition("=")
        if qid not in ids or value not in VISIBILITY:
            raise ValueError(f"--question-visibility {item!r}: expected QUESTION=VISIBILITY with QUESTION one of "
                             f"{', '.join(ids)} and VISIBILITY one of {', '.join(VISIBILITY)}")
        chosen[qid] = value
    return {qid: chosen.get(qid, default) for qid in ids}


def build(exercise: str, out: Path, visibility: str = "visible", overrides=(), timeout: float = 30.0,
          memory_mb: int = 2048, allow_unsafe: bool = False) -> Path:
    """Write the autograder zip of ``exercise`` to ``out``; return ``out``."""
    from rnncourse import exercises

    module = exercises.load(exercise)
    if visibility not in VISIBILITY:
        raise ValueError(f"--visibility must be one of {', '.join(VISIBILITY)}, got {visibility!r}")
    config = {"exercise": exercise, "notebook": getattr(module, "NOTEBOOK", ""),
              "visibility": _visibilities(visibility, list(overrides), module.QUESTIONS),
              "timeout": timeout, "memory_mb": memory_mb, "allow_unsafe": allow_unsafe,
              "rnncourse": rnncourse.__version__, "numpy": numpy.__version__}
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP.format(numpy=numpy.__version__)), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        archive.writestr("config.json", json.dumps(config, indent=2) + "\n")
        for path in sorted(PACKAGE.rglob("*.py")):
            if "__pycache__" not in path.parts:
                archive.write(path, str(Path("rnncourse") / path.relative_to(PACKAGE)))
    return out


def _pick(folder: Path, notebook: str):
    """(the notebook to grade, the other notebooks submitted) among the ``.ipynb`` files in ``folder``."""
    from .grader import scan_batch

    found = scan_batch(folder)[0] if folder.is_dir() else []
    named = [p for p in found if p.name.lower() == f"{notebook}.ipynb".lower()]
    files = [p for p in found if p.is_file() and not p.is_symlink()]
    chosen = (named or files or found or [None])[0]
    return chosen, [p for p in found if p != chosen]


def autograde(config: dict, submission: Path, results: Path) -> dict:
    """Grade the submitted notebook as ``config`` says; write and return Gradescope's results."""
    from .audit import record
    from .grader import grade_paths
    from .sandbox import SandboxUnavailable

    visibility = config.get("visibility", {})
    chosen, others = _pick(Path(submission), config.get("notebook", ""))
    if chosen is None:
        data = {"score": 0.0, "tests": [], "output": f"No notebook (.ipynb) was found in the submission: upload "
                                                     f"{config.get('notebook', 'the exercise notebook')}.ipynb."}
    else:
        try:
            result = grade_paths([chosen], exercise=config["exercise"], timeout=float(config.get("timeout", 30)),
                                 memory_mb=int(config.get("memory_mb", 2048)), workers=2,
                                 unsafe=bool(config.get("allow_unsafe")))[0]
        except SandboxUnavailable as error:
            print(f"NOT GRADED: the sandbox cannot run in this container: {error}")
            data = {"score": 0.0, "tests": [], "output": "The autograder could not start its sandbox, so the "
                                                         "notebook was not graded. Please tell your instructor."}
        else:
            data = result.gradescope()
            for entry, question in zip(data["tests"], result.questions):
                entry["visibility"] = visibility.get(question.id, "visible")
            notes = [f"Graded {printable(chosen.name)}."]
            if others:
                notes.append("Also submitted, not graded: " + ", ".join(printable(p.name) for p in others[:10]))
            data["output"] = " ".join(notes) + (f"\n{data['output']}" if data.get("output") else "")
            print(json.dumps(record(result, "none (--unsafe)" if config.get("allow_unsafe") else "bubblewrap",
                                    {"timeout": config.get("timeout"), "memory_mb": config.get("memory_mb")})))
    Path(results).parent.mkdir(parents=True, exist_ok=True)
    Path(results).write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return data


def main(argv: list | None = None) -> int:
    """``bundle EXERCISE --gradescope OUT.zip`` (from ``python -m rnncourse.grade``), or ``run`` (in Gradescope)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        parser = argparse.ArgumentParser(prog="python -m rnncourse.grade.bundle run")
        parser.add_argument("--config", type=Path, required=True)
        parser.add_argument("submission", type=Path)
        parser.add_argument("results", type=Path)
        args = parser.parse_args(argv[1:])
        autograde(json.loads(args.config.read_text(encoding="utf-8")), args.submission, args.results)
        return 0
    parser = argparse.ArgumentParser(prog="python -m rnncourse.grade bundle",
                                     description="Build a Gradescope autograder zip for one exercise.")
    parser.add_argument("exercise", help="the exercise, e.g. ex02")
    parser.add_argument("--gradescope", type=Path, required=True, metavar="OUT.zip", help="the zip to write")
    parser.add_argument("--visibility", choices=VISIBILITY, default="visible",
                        help="when students see each question's result (default visible)")
    parser.add_argument("--question-visibility", action="append", default=[], metavar="qN=VISIBILITY",
                        help="another visibility for one question, e.g. q3=after_due_date (repeatable)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per question (default 30)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB", help="memory per question (default 2048)")
    parser.add_argument("--allow-unsafe", action="store_true",
                        help="grade even where bubblewrap cannot run (the container is then the only isolation)")
    args = parser.parse_args(argv)
    from rnncourse import exercises

    if args.exercise not in exercises.names():
        try:
            exercises.load(args.exercise)
        except LookupError as error:
            parser.error(str(error))
    try:
        out = build(args.exercise, args.gradescope, args.visibility, args.question_visibility, args.timeout,
                    args.memory, args.allow_unsafe)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    print(f"wrote {out}: upload it as the autograder of {args.exercise} on Gradescope "
          "(base image: Ubuntu 22.04 or newer)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
