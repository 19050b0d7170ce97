"""The JupyterLab command of ``make lab`` (the student's workspace) and ``make edit`` (the sources).

Both start JupyterLab with :func:`rnncourse.lab.outputs.pre_save_hook`, so no saved notebook refers
to a widget, and with ``--allow-root`` when run as root (containers, Codespaces), which JupyterLab
otherwise refuses. They differ in what the kernels show:

- ``make lab``: ``RNNCOURSE_WIDGETS=1`` (live ipywidgets sliders, ``rnncourse.interactive``) and
  ``RNNCOURSE_PROGRESS=1`` (progress bars while training);
- ``make edit``: both ``0``, so that a chapter run and saved in place holds the outputs that
  ``make execute`` stores: the embedded animations, no progress bar.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOOK = "rnncourse.lab.outputs.pre_save_hook"


def command(root: Path, *, live: bool, extra: list[str] = ()) -> tuple[list[str], dict]:
    """``(argv, environment)`` that start JupyterLab on ``root``.

    Args:
        root: the folder JupyterLab shows (the workspace, or the project for ``make edit``).
        live: live widgets and progress bars (``make lab``) or the stored outputs' forms (``make edit``).
        extra: more arguments for ``jupyter lab`` (e.g. ``--port=8899 --no-browser``).
    """
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(root).resolve()}",
            f"--ContentsManager.pre_save_hook={HOOK}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    env = dict(os.environ)
    env["RNNCOURSE_WIDGETS"] = env["RNNCOURSE_PROGRESS"] = "1" if live else "0"
    return argv + list(extra), env
