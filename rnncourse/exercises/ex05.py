"""Exercise 5: gradient clipping by norm, rescaling to a spectral radius, measuring vanishing gradients.

References are written here from the chapter's formulas (a few lines each); the clipping rule is
that of ``torch.nn.utils.clip_grad_norm_``.
"""

from __future__ import annotations

import numpy as np

from ._testing import as_array, call_with_inputs, expect_close, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex05_long_term_dependencies"
TITLE = "Long-term dependencies"


# ---- q1: clip_by_norm(grads, max_norm) -> (clipped, total_norm) -------------------------------

def _clip_reference(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    scale = min(1.0, max_norm / total)
    return [g * scale for g in grads], total


def _grads(seed, scale):
    rng = np.random.default_rng(seed)
    return [randn(rng, 4, 3, scale=scale), randn(rng, 4, 4, scale=scale), randn(rng, 4, scale=scale)]


def _clip_call(f, grads, max_norm):
    clipped, total = unpack(f(grads, max_norm), 2, "a tuple (clipped, total_norm)")
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        raise AssertionError(f"clipped: expected a list of {len(grads)} arrays, one per gradient")
    return clipped, total


def _clip_small(f):
    grads = _grads(60, 0.1)
    clipped, total = _clip_call(f, [g.copy() for g in grads], 10.0)
    want_clipped, want_total = _clip_reference(grads, 10.0)
    expect_close(total, want_total, "total_norm", "the norm of all gradients together: the "
                 "square root of the sum of the squares of every entry of every array")
    for k, (got, want) in enumerate(zip(clipped, want_clipped)):
        expect_close(got, want, f"clipped[{k}] when the norm is below max_norm",
                     "gradients whose total norm is at most max_norm are returned unchanged")


def _clip_large(f):
    grads = _grads(61, 5.0)
    clipped, total = _clip_call(f, [g.copy() for g in grads], 1.0)
    want_clipped, want_total = _clip_reference(grads, 1.0)
    expect_close(total, want_total, "total_norm", "return the norm *before* clipping")
    for k, (got, want) in enumerate(zip(clipped, want_clipped)):
        expect_close(got, want, f"clipped[{k}] when the norm is above max_norm",
                     "scale every array by the same factor max_norm / total_norm, where the norm "
                     "is taken over all arrays together (not array by array): the direction of "
                     "the whole gradient is kept")


def _clip_copies(f):
    grads = _grads(62, 5.0)
    _, (after, _) = call_with_inputs(f, grads, 1.0)
    if not isinstance(after, list) or len(after) != len(grads):
        raise AssertionError("the list grads was changed. Hint: build a new list of new arrays")
    for k, (g, b) in enumerate(zip(after, grads)):
        if not np.array_equal(as_array(g, f"grads[{k}]"), b):
            raise AssertionError(f"grads[{k}] was modified in place. Hint: return new arrays "
                                 "(g * scale) instead of changing the ones you were given (g *= ...)")


# ---- q2: set_spectral_radius(W, rho) -> W rescaled -----------------------------------------------

def _radius(W):
    return np.abs(np.linalg.eigvals(W)).max()


def _symmetric_matrix():
    """Symmetric, with eigenvalues -3, 2, 1, 0.5: its largest |λ| belongs to a negative λ."""
    Q, _ = np.linalg.qr(np.random.default_rng(63).standard_normal((4, 4)))
    return Q @ np.diag([-3.0, 2.0, 1.0, 0.5]) @ Q.T


def _radius_symmetric(f):
    W = _symmetric_matrix()
    got = expect_shape(f(W.copy(), 0.9), W.shape, "the rescaled W")
    expect_close(_radius(got), 0.9, "the spectral radius of the result",
                 "the spectral radius is the largest *absolute value* of the eigenvalues "
                 "(np.linalg.eigvals), not the largest eigenvalue")


def _radius_general(f):
    W = np.random.default_rng(68).standard_normal((6, 6))   # dominant λ complex
    got = expect_shape(f(W.copy(), 1.2), W.shape, "the rescaled W")
    expect_close(_radius(got), 1.2, "the spectral radius of the result",
                 "for a matrix that is not symmetric the eigenvalues are complex and the largest "
                 "singular value (matrix 2-norm) is larger than the spectral radius: use the "
                 "absolute values of the eigenvalues")


def _radius_rescales(f):
    W = np.random.default_rng(65).standard_normal((5, 5))
    got = expect_shape(f(W.copy(), 0.5), W.shape, "the rescaled W")
    ratio = got / W
    if not (np.allclose(ratio, ratio.flat[0]) and ratio.flat[0] > 0):
        raise AssertionError("the result is not W times one positive number. Hint: rescaling "
                             "keeps the eigenvectors and the ratios of the eigenvalues: "
                             "multiply W by rho / (its spectral radius)")


# ---- q3: jacobian_norms(h, W_hh) -> (T + 1,) -----------------------------------------------------

T, H = 12, 5


def _states(seed, radius):
    """h_0 .. h_T of a tanh RNN whose W_hh has the given spectral radius."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((H, H))
    W *= radius / _radius(W)
    h = np.zeros((T + 1, H))
    h[0] = 0.5 * rng.standard_normal(H)
    for t in range(1, T + 1):
        h[t] = np.tanh(W @ h[t - 1] + 0.3 * rng.standard_normal(H))
    return h, W


def _norms_reference(h, W):
    norms = np.empty(len(h))
    J = np.eye(W.shape[0])
    norms[-1] = 1.0
    for t in range(len(h) - 1, 0, -1):
        J = J @ ((1 - h[t] ** 2)[:, None] * W)          # ∂h_T/∂h_{t-1} = ∂h_T/∂h_t · diag(1 - h_t²) W
        norms[t - 1] = np.linalg.norm(J, 2)
    return norms


def _norms_shape(f):
    h, W = _states(66, 1.5)
    norms = expect_shape(f(h, W), (T + 1,), "the norms",
                         "one norm per state h_0 ... h_T, so T + 1 numbers")
    expect_close(norms[-1], 1.0, "norms[T]", "∂h_T/∂h_T is the identity matrix, whose 2-norm is 1")


def _norms_one_step(f):
    h, W = _states(67, 1.5)
    norms = expect_shape(f(h, W), (T + 1,), "the norms")
    expect_close(norms[-2], _norms_reference(h, W)[-2], "norms[T - 1]",
                 "∂h_T/∂h_{T-1} = diag(1 - h_T²) W_hh (tanh' at step T, read from h[T]); take its "
                 "spectral norm, np.linalg.norm(J, 2)")


def _norms_reference_test(f):
    h, W = _states(68, 1.5)
    expect_close(f(h, W), _norms_reference(h, W), "the norms",
                 "going back one step multiplies on the right: ∂h_T/∂h_{t-1} = ∂h_T/∂h_t · "
                 "diag(1 - h_t²) W_hh; the factors do not commute, so the order matters")


QUESTIONS = [
    Question("q1", "clip_by_norm", [
        Test("small gradients are left unchanged", 1, _clip_small),
        Test("large gradients are rescaled together", 1, _clip_large),
        Test("the given arrays are not modified", 1, _clip_copies),
    ]),
    Question("q2", "set_spectral_radius", [
        Test("symmetric matrix with a negative eigenvalue", 1, _radius_symmetric),
        Test("general matrix with complex eigenvalues", 1, _radius_general),
        Test("the result is W times a positive number", 1, _radius_rescales),
    ]),
    Question("q3", "jacobian_norms", [
        Test("shape, and the norm at t = T", 1, _norms_shape),
        Test("one step back", 1, _norms_one_step),
        Test("agrees with the reference at every distance", 1, _norms_reference_test),
    ]),
]
