"""The notebooks in JupyterLab: ``make lab`` for students, ``make edit`` for contributors.

- :mod:`rnncourse.lab.workspace`: the student's git-ignored copy of ``chapters/`` and ``exercises/``
  (``prepare``), refreshed from the course without ever overwriting the student's changes, and
  signed as trusted so stored animations play before the notebook is run;
- :mod:`rnncourse.lab.outputs`: the save hook that leaves no widget output in a saved notebook (no
  "model not found" when it is reopened);
- :mod:`rnncourse.lab.launch`: the ``jupyter lab`` command line and the environment of its kernels.

``python -m rnncourse.lab`` does both steps; ``make lab`` and ``make edit`` call it.
"""

from .launch import command
from .outputs import pre_save_hook, strip_widgets
from .workspace import Action, course_notebooks, prepare, trust

__all__ = ["Action", "command", "course_notebooks", "pre_save_hook", "prepare", "strip_widgets", "trust"]
