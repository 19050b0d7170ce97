"""``make lab``'s workspace: a git-ignored copy of chapters/ and exercises/ that never loses a student's work.

rnncourse.lab.workspace.prepare copies what is missing, refreshes copies the student left alone when
the course changed, never touches a copy the student changed, and signs the course's copies as trusted
(the same signature store as ``jupyter trust`` and the server). The end-to-end run through JupyterLab
is tests/test_lab.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from rnncourse.lab import workspace as W

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_signatures(tmp_path, monkeypatch):
    """Signatures go to a temporary Jupyter data folder, not the user's."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))


def notebook(text: str, output: str | None = None) -> str:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"print({text!r})")
    if output is not None:      # an HTML output is what a notebook must be trusted to show
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": output})]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {text}"), cell]
    return nbformat.writes(nb)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "course"
    (root / "chapters").mkdir(parents=True)
    (root / "exercises" / "solutions").mkdir(parents=True)
    (root / "chapters" / "01_a.ipynb").write_text(notebook("chapter 1", "<script>1</script>"))
    (root / "chapters" / "02_b.ipynb").write_text(notebook("chapter 2"))
    (root / "exercises" / "ex02_b.ipynb").write_text(notebook("exercise 2"))
    (root / "exercises" / "solutions" / "ex02_b.ipynb").write_text(notebook("the answer"))
    return root


def whats(actions):
    return {a.path: a.what for a in actions}


def test_first_run_copies_chapters_and_exercises_under_one_root_but_not_the_solutions(project, tmp_path):
    space = tmp_path / "space"
    actions = W.prepare(project, space)
    assert whats(actions) == {"chapters/01_a.ipynb": "copied", "chapters/02_b.ipynb": "copied",
                              "exercises/ex02_b.ipynb": "copied"}
    for path in whats(actions):
        assert (space / path).read_bytes() == (project / path).read_bytes()
    assert not (space / "exercises" / "solutions").exists()
    assert whats(W.prepare(project, space)) == dict.fromkeys(whats(actions), "kept")


def test_the_students_changes_are_never_overwritten(project, tmp_path):
    space = tmp_path / "space"
    W.prepare(project, space)
    answered = notebook("exercise 2, answered by the student")
    (space / "exercises" / "ex02_b.ipynb").write_text(answered)
    (space / "chapters" / "02_b.ipynb").unlink()                 # deleted: the way to get a fresh copy
    actions = whats(W.prepare(project, space))
    assert actions["exercises/ex02_b.ipynb"] == "yours"
    assert actions["chapters/02_b.ipynb"] == "copied"
    assert (space / "exercises" / "ex02_b.ipynb").read_text() == answered

    # the course changes both chapters and the exercise (git pull): untouched copies follow,
    # the student's answer stays, and the summary says how to get the new version
    for path in ("chapters/01_a.ipynb", "chapters/02_b.ipynb", "exercises/ex02_b.ipynb"):
        (project / path).write_text(notebook(f"{path}, second edition"))
    actions = W.prepare(project, space)
    assert whats(actions) == {"chapters/01_a.ipynb": "updated", "chapters/02_b.ipynb": "updated",
                              "exercises/ex02_b.ipynb": "yours"}
    assert (space / "chapters" / "01_a.ipynb").read_text() == (project / "chapters" / "01_a.ipynb").read_text()
    assert (space / "exercises" / "ex02_b.ipynb").read_text() == answered
    text = W.summary(actions, space)
    assert "exercises/ex02_b.ipynb: the course's version changed; yours is kept" in text
    assert "rename or delete yours" in text


def test_a_copy_without_a_record_is_kept_when_it_differs(project, tmp_path):
    space = tmp_path / "space"
    W.prepare(project, space)
    (space / W.MANIFEST).unlink()                               # lost record: play safe
    (space / "chapters" / "01_a.ipynb").write_text(notebook("edited"))
    actions = whats(W.prepare(project, space))
    assert actions["chapters/01_a.ipynb"] == "yours"
    assert actions["chapters/02_b.ipynb"] == "kept"
    assert json.loads((space / W.MANIFEST).read_text())["chapters/02_b.ipynb"]


def test_course_copies_are_signed_as_trusted_and_the_students_are_left_alone(project, tmp_path):
    space = tmp_path / "space"
    notary = NotebookNotary()
    (project / "chapters" / "02_b.ipynb").write_text(notebook("chapter 2", "<b>stored</b>"))
    W.prepare(project, space, sign=False)
    copy = space / "chapters" / "01_a.ipynb"
    assert not notary.check_signature(nbformat.read(copy, as_version=4))
    (space / "chapters" / "02_b.ipynb").write_text(notebook("mine", "<b>unknown</b>"))
    W.prepare(project, space)
    assert notary.check_signature(nbformat.read(copy, as_version=4))
    assert not notary.check_signature(nbformat.read(space / "chapters" / "02_b.ipynb", as_version=4))


def test_the_workspace_cannot_be_the_sources(project):
    for place in (project, project / "chapters", project / "exercises" / "mine"):
        with pytest.raises(ValueError, match="workspace: expected a folder apart"):
            W.prepare(project, place)
    with pytest.raises(FileNotFoundError, match="project: no notebooks"):
        W.prepare(project / "chapters", project.parent / "elsewhere")


def test_the_real_course_and_its_default_workspace_is_git_ignored(tmp_path):
    actions = W.prepare(ROOT, tmp_path / "space", sign=False)
    chapters = sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb"))
    exercises = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert [a.path for a in actions] == [f"chapters/{n}" for n in chapters] + [f"exercises/{n}" for n in exercises]
    paths = ["workspace/chapters/" + chapters[0], "workspace/exercises/" + exercises[0], "workspace/" + W.MANIFEST]
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", *paths], capture_output=True, text=True)
    assert ignored.stdout.split() == paths, f"workspace/ must be listed in .gitignore: {ignored}"
