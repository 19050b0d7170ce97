"""The graded exercises of chapters 2–8 and 10: one module per exercise notebook.

A module ``rnncourse/exercises/exNN.py`` describes the notebook ``exercises/exNN_<topic>.ipynb``:
``NOTEBOOK`` (its file stem), ``TITLE`` and ``QUESTIONS`` (see :mod:`rnncourse.exercises.spec`).
The grader (:mod:`rnncourse.grade`) finds the module from ``EXERCISE = "exNN"`` in the notebook's
setup cell, or from the notebook's file name, and only among :data:`EXERCISES`: a name a notebook
supplies is never imported. ``python -m rnncourse.exercises build`` writes the student notebooks
from the master notebooks in ``exercises/solutions/``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

# The exercises a notebook may name (tests/test_exercises_content.py checks that this is every module).
EXERCISES = ("ex02", "ex03", "ex04", "ex05", "ex06", "ex07", "ex08", "ex10")


def names() -> list[str]:
    """The exercises of this package, sorted: ``["ex02", "ex03", ...]`` (the fixed list :data:`EXERCISES`)."""
    return list(EXERCISES)


def modules_on_disk() -> list[str]:
    """The ``exNN`` modules found in this package's folder (to check :data:`EXERCISES` against)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"ex\d+", m.name))


def load(name: str) -> ModuleType:
    """The exercise module ``name``: ``"ex02"`` (in this package) or a dotted path to any module.

    For names an instructor or author gives (``--exercise``, ``check(exercise=...)`` on one's own
    machine): this imports the module. The grader checks a name read from a notebook against
    :data:`EXERCISES` first. Raises ``LookupError`` naming what was wrong when there is no such
    module or it does not define ``QUESTIONS``.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name):
        raise LookupError(f"exercise name must be a module name like 'ex02', got {name!r}")
    module_name = name if "." in name else f"{__name__}.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            known = ", ".join(names()) or "none"
            raise LookupError(f"no exercise {name!r} (known exercises: {known})") from None
        raise
    if not isinstance(getattr(module, "QUESTIONS", None), (list, tuple)):
        raise LookupError(f"module {module_name} is not an exercise: it defines no QUESTIONS list")
    return module


def find(stem: str) -> str | None:
    """The exercise whose ``NOTEBOOK`` matches a notebook's file stem, or None.

    An exact match wins; otherwise a stem that contains a ``NOTEBOOK`` (``alice_ex02_rnn_forward``)
    or starts with the exercise's name (``ex02-alice``) is accepted when only one exercise fits.
    """
    stem = stem.lower()
    modules = {}
    for name in names():
        try:
            modules[name] = load(name)
        except Exception:               # a broken exercise module must not hide the others
            continue
    notebooks = {name: str(getattr(m, "NOTEBOOK", "")).lower() for name, m in modules.items()}
    for name, notebook in notebooks.items():
        if notebook and stem == notebook:
            return name
    fits = [name for name, notebook in notebooks.items() if notebook and notebook in stem]
    if not fits:
        fits = [name for name in modules if re.match(rf"{name}(?!\d)", stem)]
    return fits[0] if len(fits) == 1 else None
