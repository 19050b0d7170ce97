"""The student's workspace: a git-ignored copy of the course's notebooks, made and kept by ``make lab``.

``prepare(project, workspace)`` copies ``chapters/*.ipynb`` and ``exercises/*.ipynb`` (not the
solutions) from the project into ``workspace/chapters/`` and ``workspace/exercises/``, so that one
JupyterLab root holds both and nothing a student runs or saves touches a tracked file. It is safe to
run again and again:

- a notebook missing from the workspace is copied;
- a copy the student has not changed is refreshed when the course's version changed (``git pull``);
- a copy the student changed (ran and saved, answered a question, edited) is never overwritten: when
  the course's version changed too, ``prepare`` says so and keeps the student's.

What was copied is recorded in ``workspace/.rnncourse-workspace.json`` (the hash of the course's
version each copy was made from). Every copy still equal to the course's version is signed as
trusted (what ``jupyter trust`` does), so JupyterLab runs the JavaScript of its stored outputs and the
embedded animations play before the notebook is run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

FOLDERS = ("chapters", "exercises")          # copied to the workspace under the same names
MANIFEST = ".rnncourse-workspace.json"


@dataclass(frozen=True)
class Action:
    """What ``prepare`` did with one notebook; ``path`` is relative to the workspace."""

    path: str
    what: str        # "copied", "updated", "kept" (unchanged course copy), "yours" (the student's)
    note: str = ""   # for "yours": the course's version changed and was not applied


def course_notebooks(project: Path) -> list[Path]:
    """The notebooks a student works on, relative to ``project``: chapters and exercises."""
    found = []
    for folder in FOLDERS:
        found += sorted(p.relative_to(project) for p in (project / folder).glob("*.ipynb"))
    return found


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_manifest(workspace: Path) -> dict:
    try:
        data = json.loads((workspace / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def prepare(project: Path, workspace: Path, *, sign: bool = True) -> list[Action]:
    """Create or bring up to date ``workspace`` from the notebooks of ``project``; never lose an edit.

    Args:
        project: the course's checkout (holding ``chapters/`` and ``exercises/``).
        workspace: the student's folder (created if absent); usually ``project / "workspace"``,
            which ``.gitignore`` lists.
        sign: sign every notebook still equal to the course's version as trusted.

    Returns:
        one :class:`Action` per course notebook, in order.
    """
    project, workspace = Path(project).resolve(), Path(workspace).resolve()
    notebooks = course_notebooks(project)
    if not notebooks:
        raise FileNotFoundError(f"project: no notebooks under {project}/chapters or {project}/exercises")
    tracked = [project / folder for folder in FOLDERS]
    if workspace == project or any(workspace == t or t in workspace.parents for t in tracked):
        raise ValueError(f"workspace: expected a folder apart from the course's notebooks, got {workspace}")
    manifest = _load_manifest(workspace)
    actions, pristine = [], []
    for relative in notebooks:
        source, copy, key = project / relative, workspace / relative, relative.as_posix()
        copied_from, source_sha = manifest.get(key), _sha(source)
        if not copy.exists():
            what = "copied"
        else:
            copy_sha = _sha(copy)
            if copy_sha not in (copied_from, source_sha):          # the student's work: hands off
                changed = copied_from not in (None, source_sha)
                actions.append(Action(key, "yours", "the course's version changed" if changed else ""))
                continue
            what = "kept" if copy_sha == source_sha else "updated"
        if what != "kept":
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
        manifest[key] = source_sha
        actions.append(Action(key, what))
        pristine.append(copy)
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if sign:
        trust(pristine)
    return actions


def trust(paths) -> None:
    """Sign the notebooks at ``paths`` as trusted, as ``jupyter trust`` does (same signature store)."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        if not notary.check_signature(nb):
            notary.sign(nb)


def summary(actions: list[Action], workspace: Path) -> str:
    """A few lines for the terminal: what was copied or updated, and which copies were left alone."""
    lines = []
    counts = {what: sum(a.what == what for a in actions) for what in ("copied", "updated", "kept", "yours")}
    lines.append(f"workspace {workspace}: {counts['copied']} copied, {counts['updated']} updated, "
                 f"{counts['kept']} unchanged, {counts['yours']} with your changes (kept as they are)")
    for action in actions:
        if action.note:
            lines.append(f"  {action.path}: {action.note}; yours is kept. To get the new one, rename "
                         f"or delete yours and run make lab again.")
    return "\n".join(lines)
