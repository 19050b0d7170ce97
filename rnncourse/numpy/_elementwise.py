"""Element-wise functions of the NumPy backend: the plain sigmoid, and the in-place ones of the fast kernels.

``sigmoid`` is what the reference steps (``lstm_step``, ``gru_step``) read like the chapters. The
fast kernels (``lstm_forward``, ``gru_forward``) evaluate their gates in place with as few NumPy
calls as possible, because at the sizes of the course each call costs microseconds whatever its
size: ``exp_factors`` and ``activate`` give all sigmoid and tanh gates of a step with one ``exp``,
and ``tanh_`` is tanh built from ``exp``. The in-place functions are to be called inside
``np.errstate(over="ignore")``: exp(-z) overflows to inf for very negative z, and 1 / (1 + inf) = 0
is then the right value of σ.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """σ(a) = 1 / (1 + exp(-a)), element-wise."""
    return 1 / (1 + np.exp(-a))


def exp_factors(kinds: str, H: int, dtype) -> np.ndarray:
    """Column factors k, shape (len(kinds) * H,), for evaluating gates with one ``exp``.

    σ(z) = 1 / (1 + exp(-z)) and tanh(z) = 2σ(2z) - 1 = 2 / (1 + exp(-2z)) - 1, so once the
    pre-activation columns of a sigmoid gate ('s') are multiplied by -1 and those of a tanh gate
    ('t') by -2, one exp, one addition and one division give every gate of a step (``activate``).
    The factor is applied to the weights and biases once per call, not inside the time loop.
    """
    return np.repeat([-1.0 if kind == "s" else -2.0 for kind in kinds], H).astype(dtype)


def activate(a, tanh_part=None):
    """In place: entries of ``a`` holding k z (see ``exp_factors``) -> σ(z), or tanh(z) on ``a[tanh_part]``."""
    np.exp(a, out=a)
    a += 1
    np.divide(1, a, out=a)                           # σ(z) = 1 / (1 + e^{-z}) everywhere
    if tanh_part is not None:
        g = a[tanh_part]
        g *= 2                                       # tanh(z) = 2σ(2z) - 1 on the tanh gate
        g -= 1


def tanh_(a, out=None):
    """tanh(a) = 2 / (1 + exp(-2a)) - 1 into ``out`` (default: in place); returns it.

    Five cheap calls, yet faster than ``np.tanh`` in float32 on the machines of the course, whose
    NumPy evaluates exp with SIMD code and tanh much more slowly.
    """
    out = a if out is None else out
    np.multiply(a, -2, out=out)
    np.exp(out, out=out)
    out += 1
    np.divide(2, out, out=out)
    out -= 1
    return out
