"""What the tests of the exercises share: seeded inputs and comparisons that fail with a hint.

A test calls the student's function on inputs drawn from a seeded generator and compares what
comes back with a reference. Every comparison raises ``AssertionError`` whose message names the
returned value, what was wrong with it (type, shape, dtype, NaN, values) and a hint; it never
prints the expected values, only the size of the largest difference.

The function a test receives gets its own copies of the arguments at every call (the grader sends
them to a sandbox; ``check`` copies them), so a test may reuse its inputs after a call: what the
function did to them does not matter, except where a test asks for it with
:func:`call_with_inputs`.
"""

from __future__ import annotations

import copy

import numpy as np


def call_with_inputs(f, *args):
    """(what ``f(*args)`` returned, the arguments as the call left them): to test that a function
    does, or does not, change what it was given. ``args`` themselves are never changed."""
    method = getattr(f, "call_with_inputs", None)
    if method is not None:
        return method(*args)
    copies = copy.deepcopy(args)
    return f(*copies), copies


def randn(rng, *shape, scale=1.0, dtype=np.float64):
    """Standard normal numbers times ``scale``, as ``dtype``."""
    return (scale * rng.standard_normal(shape)).astype(dtype)


def as_array(value, what):
    """``value`` as an ndarray of floats; fails when it is not array-like or not numeric."""
    if value is None:
        raise AssertionError(f"{what}: the function returned None — did you forget `return`?")
    try:
        array = np.asarray(value)
    except Exception:                       # ragged lists, objects NumPy cannot read
        raise AssertionError(f"{what}: expected a NumPy array, got {type(value).__name__}") from None
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise AssertionError(f"{what}: expected a NumPy array of numbers, got {type(value).__name__}"
                             f" of dtype {array.dtype}")
    return array


def unpack(result, n, what):
    """Check that ``result`` is a tuple (or list) of ``n`` values and return it as a tuple."""
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = (f"a {type(result).__name__} of length {len(result)}"
               if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
        raise AssertionError(f"expected {what}, got {got}")
    return tuple(result)


def expect_shape(value, shape, what, hint=""):
    """``value`` as an array of exactly ``shape``."""
    array = as_array(value, what)
    if array.shape != tuple(shape):
        raise AssertionError(f"{what}: expected shape {tuple(shape)}, got {array.shape}."
                             + (f" Hint: {hint}" if hint else ""))
    return array


def expect_close(value, reference, what, hint, rtol=1e-6, atol=1e-8):
    """``value`` has the shape of ``reference``, no NaN/inf, and agrees with it to tolerance."""
    reference = np.asarray(reference)
    array = expect_shape(value, reference.shape, what, hint)
    if not np.all(np.isfinite(array)):
        raise AssertionError(f"{what}: contains NaN or inf. Hint: {hint}")
    if not np.allclose(array, reference, rtol=rtol, atol=atol):
        diff = float(np.max(np.abs(array.astype(np.float64) - reference)))
        raise AssertionError(f"{what}: wrong values (largest difference {diff:.2g}). Hint: {hint}")
    return array


def expect_dtype(value, dtype, what, hint):
    """``value`` is an array of ``dtype`` (float32 in, float32 out)."""
    array = as_array(value, what)
    if array.dtype != np.dtype(dtype):
        raise AssertionError(f"{what}: expected dtype {np.dtype(dtype)}, got {array.dtype}. Hint: {hint}")
    return array
