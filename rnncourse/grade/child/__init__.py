"""What runs inside the grader's sandbox, with the standard library and NumPy only.

These modules are bound read-only into the sandbox and run there as plain modules (no package, no
``rnncourse``): :mod:`main` is the program that runs a student's cells and calls the student's
function on the inputs the grader sends; :mod:`wire` is the data format of those messages (shared
with the grader, which imports it as ``rnncourse.grade.child.wire``); :mod:`errors` describes an
exception as data. Nothing here may import anything else from ``rnncourse``.
"""
