"""Checking hand-written gradients: central finite differences, and agreement between backends.

``numerical_gradient`` is the central difference quotient of a scalar function, entry by entry.
``gradcheck`` compares a NumPy model's ``backward`` with the slope of the loss measured by
perturbing each number by ±eps, for the random-projection loss

    L = Σ output ⊙ R + Σ h_n ⊙ S  (+ Σ c_n ⊙ S' for an LSTM)

whose gradient with respect to the outputs is simply (R, S, ...). The relative error
‖numerical − analytic‖ / (‖numerical‖ + ‖analytic‖) is about 1e-10 for a correct backward in
float64 and of order 1 for a wrong one.
"""

from __future__ import annotations

import numpy as np

from . import _validate as V


def _leaves(value) -> list:
    """The arrays of a nested tuple/list, in order."""
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _like(structure, leaves: list):
    """Rebuild ``structure`` (nested tuples of arrays) with the arrays taken from ``leaves``."""
    if isinstance(structure, (tuple, list)):
        return tuple(_like(item, leaves) for item in structure)
    return leaves.pop(0)


def max_abs_diff(a, b) -> float:
    """Largest absolute difference between two arrays, tensors, or (nested) tuples of them."""
    left, right = _leaves(a), _leaves(b)
    if len(left) != len(right):
        raise ValueError(f"max_abs_diff: expected the same number of arrays, got {len(left)} and {len(right)}")
    worst = 0.0
    for x, y in zip(left, right):
        x, y = np.asarray(V.to_numpy(x)), np.asarray(V.to_numpy(y))
        if x.shape != y.shape:
            raise ValueError(f"max_abs_diff: expected equal shapes, got {x.shape} and {y.shape}")
        if x.size:
            worst = max(worst, float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))))
    return worst


def relative_error(numerical, analytic) -> float:
    """‖numerical − analytic‖ / max(‖numerical‖ + ‖analytic‖, tiny): 0 when both are zero."""
    scale = max(np.linalg.norm(numerical) + np.linalg.norm(analytic), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(numerical - analytic) / scale)


def numerical_gradient(f, array, eps=1e-6):
    """Central finite differences (f(θ+ε) − f(θ−ε)) / 2ε of a scalar ``f()``, every entry.

    ``f`` takes no argument and reads ``array``, which is perturbed in place and restored.
    Returns an array shaped like ``array`` (float64). The error is O(ε²) plus rounding
    (about 1e-10 relative in float64 with the default ε).
    """
    grad = np.empty(array.shape)
    for i in range(array.size):
        old = array.flat[i]
        array.flat[i] = old + eps
        up = f()
        array.flat[i] = old - eps
        down = f()
        array.flat[i] = old
        grad.flat[i] = (up - down) / (2 * eps)
    return grad


def gradcheck(model, x, state=None, eps: float = 1e-6, seed: int = 0, verbose: bool = True,
              lengths=None) -> dict:
    """Compare ``model.backward`` with central finite differences; returns name -> relative error.

    Checks every parameter that receives a gradient, the input (``"input"``) and the initial
    state (``"h_0"``, and ``"c_0"`` for an LSTM; zeros when ``state`` is None). Works for sequence
    models and cells. The model and ``x`` must be float64 (``model.double()``): in float32 the
    rounding error of a difference quotient swamps the comparison.

    ``lengths`` is passed to the model (a variable-length batch). A model with dropout in
    training mode draws its masks from ``model.rng``: its state is restored before every forward
    pass, so all of them use the masks of the first, and the gradient is checked with the masks
    fixed.
    """
    if np.dtype(model.dtype) != np.float64:
        raise TypeError(f"gradcheck: requires a float64 model, got dtype {np.dtype(model.dtype).name}; "
                        f"call model.double() and pass float64 inputs")
    V.check_array("x", x)
    V.check_floating("x", x, "float64")
    x = np.array(V.to_numpy(x))
    rng = np.random.default_rng(seed)
    masks = model.rng.bit_generator.state if hasattr(model, "rng") else None
    options = {} if lengths is None else {"lengths": lengths}

    def run(x, state):
        if masks is not None:
            model.rng.bit_generator.state = masks     # the same dropout masks in every pass
        return model(x, state, **options)

    result = run(x, state)
    structure = result if isinstance(result, tuple) else (result,)
    projections = [rng.standard_normal(np.shape(leaf)) for leaf in _leaves(structure)]

    def loss(x, state):
        return sum(float(np.sum(leaf * r)) for leaf, r in zip(_leaves(run(x, state)), projections))

    # analytic: the gradient of L with respect to each output is its projection
    run(x, state)
    grad_input, grad_state, grads = model.backward(*_like(structure, list(projections)))
    grads = {name: g.copy() for name, g in grads.items()}
    states = _leaves(grad_state)
    state = [np.zeros_like(g) for g in states] if state is None else [np.array(V.to_numpy(s)) for s in _leaves(state)]
    as_model_state = (lambda: state[0]) if len(state) == 1 else (lambda: tuple(state))

    def numerical(array) -> np.ndarray:
        """Central differences of L with respect to every element of ``array`` (edited in place)."""
        return numerical_gradient(lambda: loss(x, as_model_state()), array, eps)

    errors = {name: relative_error(numerical(model.params[name]), g) for name, g in grads.items()}
    errors["input"] = relative_error(numerical(x), grad_input)
    for name, s, g in zip(["h_0", "c_0"], state, states):
        errors[name] = relative_error(numerical(s), g)
    run(x, as_model_state())  # leave the model's cache as the caller's forward pass left it

    if verbose:
        width = max(len(name) for name in errors)
        print(f"{'gradient':<{width}}  relative error")
        for name, err in errors.items():
            print(f"{name:<{width}}  {err:.1e}")
    return errors
