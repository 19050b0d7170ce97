"""The autograder of the exercises: ``check("q1")`` in a notebook, ``python -m rnncourse.grade`` for a class.

- ``check("q1")`` runs one question's tests on the function the notebook defines and prints what
  passed, what failed and a hint (in the notebook's own process).
- ``python -m rnncourse.grade NOTEBOOK`` grades a notebook question by question, each in its own
  process with a time and a memory limit, and prints a table and the total; ``--json PATH`` writes
  Gradescope's results format; ``--batch DIR --csv PATH`` grades a class, one CSV row per student.

Answers must be NumPy: an answer that uses torch, rnncourse or scipy scores 0 for its question.
"""

from .grader import find_notebooks, grade_notebook, grade_paths
from .inline import check

__all__ = ["check", "grade_notebook", "grade_paths", "find_notebooks"]
