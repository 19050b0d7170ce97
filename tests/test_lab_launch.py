"""The command lines of `make lab` (the student's workspace) and `make edit` (the tracked notebooks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary
from traitlets.utils.importstring import import_item

from rnncourse.lab import launch, outputs

ROOT = Path(__file__).resolve().parents[1]


def test_make_lab_serves_the_workspace_with_live_widgets_and_the_save_hook(tmp_path, monkeypatch):
    monkeypatch.delenv("RNNCOURSE_WIDGETS", raising=False)
    argv, env = launch.command(tmp_path, live=True, extra=["--port=8899", "--no-browser"])
    assert argv[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in argv
    assert argv[-2:] == ["--port=8899", "--no-browser"]
    assert env["RNNCOURSE_WIDGETS"] == env["RNNCOURSE_PROGRESS"] == "1"
    hook = next(a.split("=", 1)[1] for a in argv if a.startswith("--ContentsManager.pre_save_hook="))
    assert import_item(hook) is outputs.pre_save_hook          # what jupyter_server will import


def test_make_edit_shows_the_stored_forms_whatever_the_shell_says(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCOURSE_WIDGETS", "1")
    monkeypatch.setenv("RNNCOURSE_PROGRESS", "1")
    _, env = launch.command(tmp_path, live=False)
    assert env["RNNCOURSE_WIDGETS"] == env["RNNCOURSE_PROGRESS"] == "0"


def test_root_gets_allow_root_and_nobody_else(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--allow-root" in launch.command(tmp_path, live=True)[0]
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in launch.command(tmp_path, live=True)[0]


def test_make_edit_signs_the_sources_and_changes_no_file(tmp_path):
    status = ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=all"]
    before = subprocess.run(status, capture_output=True, text=True, check=True).stdout
    env = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-m", "rnncourse.lab", "--edit", "--prepare-only"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "make execute" in run.stdout
    assert subprocess.run(status, capture_output=True, text=True, check=True).stdout == before
    chapter = nbformat.read(ROOT / "chapters" / "01_sequences_and_unfolding.ipynb", as_version=4)
    notary = NotebookNotary(data_dir=str(tmp_path))
    assert notary.check_signature(chapter)
