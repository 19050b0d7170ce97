"""``python -m rnncourse.lab [--workspace DIR | --edit] [--prepare-only] [jupyter lab arguments]``.

Without ``--edit`` (``make lab``): create or update the student's workspace (default ``workspace/``
in the project, git-ignored) from ``chapters/`` and ``exercises/``, keeping every notebook the student
changed, sign the course's copies as trusted, and start JupyterLab on it with live widgets. With
``--edit`` (``make edit``, for contributors): JupyterLab on the project itself, so edits go to the
tracked notebooks, with the outputs in the form ``make execute`` stores. Other arguments go to
``jupyter lab`` unchanged (``--port=8899``, ``--no-browser``, ``--IdentityProvider.token=...``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import launch
from .workspace import course_notebooks, prepare, summary, trust


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnncourse.lab", description=__doc__.split("\n\n")[1])
    parser.add_argument("--project", type=Path, default=Path.cwd(),
                        help="the course's checkout, holding chapters/ and exercises/ (default: .)")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="the student's folder (default: PROJECT/workspace)")
    parser.add_argument("--edit", action="store_true",
                        help="contributors: JupyterLab on the tracked notebooks themselves")
    parser.add_argument("--prepare-only", action="store_true",
                        help="create or update the workspace (or sign the sources, with --edit), do not start")
    args, extra = parser.parse_known_args(argv)
    project = args.project.resolve()
    try:
        if args.edit:
            root = project
            trust(project / path for path in course_notebooks(project))
            print(f"make edit: JupyterLab on the sources in {project}; saved notebooks are tracked files "
                  f"(run make execute before committing)")
        else:
            root = (args.workspace or project / "workspace").resolve()
            print(summary(prepare(project, root), root))
    except (OSError, ValueError) as error:
        print(f"rnncourse.lab: {error}", file=sys.stderr)
        return 2
    if args.prepare_only:
        return 0
    argv_, env = launch.command(root, live=not args.edit, extra=extra)
    sys.stdout.flush()
    os.execve(argv_[0], argv_, env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
