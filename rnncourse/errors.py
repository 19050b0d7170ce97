"""The exceptions of rnncourse: each derives from Python's conventional class *and* from the class
torch.nn raises for the same mistake, so that either ``except`` catches it.

Python's convention (and scikit-learn's) is ``ValueError`` for a bad value or shape and ``TypeError``
for a bad type; torch.nn raises ``RuntimeError`` for most wrong sizes and ``ValueError`` for a dtype
mismatch. Code written for either keeps working:

>>> from rnncourse.numpy import RNN
>>> import numpy as np
>>> try:
...     RNN(3, 4)(np.zeros((5, 2, 7), np.float32))
... except RuntimeError as error:          # as for torch.nn.RNN; ``except ValueError`` works too
...     print(type(error).__name__)
ShapeError

The messages stay ours (the argument, what was expected, what was received) and end with torch.nn's own
wording in parentheses, ``(torch.nn: ...)``, where torch.nn has one.
"""

from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """An input, a state or a gradient of the wrong shape: a wrong number of dimensions, a wrong size
    of an axis, an empty sequence. torch.nn raises ``RuntimeError`` (sizes) or ``ValueError``
    (dimensions)."""


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type where torch.nn raises ``ValueError`` (e.g. ``dropout=True``)."""


class DTypeError(ArgumentTypeError, RuntimeError):
    """An input or state whose dtype is not the model's: torch.nn raises ``ValueError`` for the input
    of a sequence model, ``RuntimeError`` for a state or a cell's input."""


class StateDictError(ValueError, RuntimeError):
    """A ``state_dict`` with missing, unexpected or misshapen entries (torch.nn: ``RuntimeError``)."""


__all__ = ["ShapeError", "ArgumentTypeError", "DTypeError", "StateDictError"]
