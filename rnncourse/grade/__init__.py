"""The autograder of the exercises: ``check("q1")`` in a notebook, ``python -m rnncourse.grade`` for a class.

- ``check("q1")`` runs one question's tests on the function the notebook defines and prints what
  passed, what failed and a hint (in the notebook's own process: the student's machine).
- ``python -m rnncourse.grade NOTEBOOK`` grades a notebook question by question, each in a sandbox
  of its own (bubblewrap: :mod:`rnncourse.grade.sandbox`) that only sends back the values the
  student's function returns, and prints a table and the total; ``--json PATH`` writes Gradescope's
  results format; ``--batch DIR --csv PATH`` grades a class, one CSV row per student, with an audit
  log; ``bundle exNN --gradescope OUT.zip`` builds a Gradescope autograder (:mod:`.bundle`).

The parts: :mod:`.notebook` reads a submission (bounded), :mod:`.grader` decides what to run,
:mod:`.runner` runs each question in its sandbox (:mod:`.sandbox`, :mod:`.remote`, and the program
in :mod:`.child`) with the tests in the grader (:mod:`.testing`), :mod:`.report` and :mod:`.audit`
write the results. Answers must be NumPy: an answer that uses torch, rnncourse or scipy scores 0 for
its question.
"""

from .grader import find_notebooks, grade_notebook, grade_paths
from .inline import check

__all__ = ["check", "grade_notebook", "grade_paths", "find_notebooks"]
