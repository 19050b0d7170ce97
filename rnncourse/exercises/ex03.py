"""Exercise 3: backpropagation through time by hand, and the finite-difference check that proves it.

Reference: ``rnncourse.numpy.rnn.rnn_forward`` / ``rnn_backward`` (the kernels of
``rnncourse.numpy.RNN``, checked against torch.autograd in the package's tests).
"""

from __future__ import annotations

import numpy as np

from rnncourse.numpy.rnn import rnn_backward as _rnn_backward
from rnncourse.numpy.rnn import rnn_forward as _rnn_forward

from ._testing import as_array, call_with_inputs, expect_close, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex03_bptt"
TITLE = "Backpropagation through time"

T, B, I, H = 6, 3, 4, 5


# ---- q1: rnn_backward(x, h, W_ih, W_hh, d_out) -> (dx, dh0, dW_ih, dW_hh, db) ----------------

def _problem(seed, steps=T):
    """Inputs of rnn_backward for a tanh RNN run forward from a random h_0, and the reference."""
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(H)
    p = {name: rng.uniform(-bound, bound, shape) for name, shape in
         [("weight_ih", (H, I)), ("weight_hh", (H, H)), ("bias_ih", (H,)), ("bias_hh", (H,))]}
    x, h0, d_out = randn(rng, steps, B, I), randn(rng, B, H), randn(rng, steps, B, H)
    _, _, cache = _rnn_forward(x, (h0,), p)
    h = cache[1]                                            # h_0 .. h_T, (steps + 1, B, H)
    dx, (dh0,), dp = _rnn_backward(d_out, (np.zeros((B, H)),), cache)
    want = {"dx": dx, "dh0": dh0, "dW_ih": dp["weight_ih"], "dW_hh": dp["weight_hh"],
            "db": dp["bias_ih"]}
    return (x, h, p["weight_ih"], p["weight_hh"], d_out), want


def _grads(f, args):
    names = ("dx", "dh0", "dW_ih", "dW_hh", "db")
    return dict(zip(names, unpack(f(*args), 5, "a tuple (dx, dh0, dW_ih, dW_hh, db)")))


def _bptt_shapes(f):
    args, want = _problem(40)
    got = _grads(f, args)
    for name in want:
        expect_shape(got[name], want[name].shape, name,
                     "a gradient has the shape of what it differentiates: dx like x, dh0 like "
                     "h[0], dW_ih like W_ih, dW_hh like W_hh, db like one bias (H,)")


def _bptt_one_step(f):
    args, want = _problem(41, steps=1)
    expect_close(_grads(f, args)["db"], want["db"], "db for a sequence of one step",
                 "for one step δ_1 = dL/dh_1 ⊙ tanh'(a_1), and tanh'(a_t) = 1 - h_t² is read "
                 "from the stored state h[t] (h[0] is the initial state); db sums δ over the batch")


def _bptt_recurrence(f):
    args, want = _problem(42)
    got = _grads(f, args)
    hint = ("right for one step but not for several? dL/dh_t has two parts: d_out[t] from the "
            "output and W_hhᵀ δ_{t+1} from the next step; loop from t = T down to 1 and add "
            "every step's contribution to the sums")
    expect_close(got["db"], want["db"], "db", hint)
    expect_close(got["dW_ih"], want["dW_ih"], "dW_ih", "dW_ih = Σ_t δ_t x_tᵀ (summed over the "
                 "batch too); with rows as examples that is delta_t.T @ x_t")


def _bptt_recurrent_weights(f):
    args, want = _problem(43)
    got = _grads(f, args)
    expect_close(got["dW_hh"], want["dW_hh"], "dW_hh",
                 "dW_hh = Σ_t δ_t h_{t-1}ᵀ: the state *before* step t, which is h[t - 1] when h "
                 "starts with h_0")
    expect_close(got["dh0"], want["dh0"], "dh0",
                 "the initial state reaches the loss only through a_1: dL/dh_0 = W_hhᵀ δ_1")


def _bptt_input(f):
    args, want = _problem(44)
    expect_close(_grads(f, args)["dx"], want["dx"], "dx",
                 "x_t enters only a_t, through W_ih: dL/dx_t = W_ihᵀ δ_t (delta_t @ W_ih)")


# ---- q2: numerical_gradient(f, W, eps) -> array like W ------------------------------------------

def _numgrad_linear(f):
    rng = np.random.default_rng(45)
    A, W = randn(rng, 3, 4), randn(rng, 3, 4)
    grad = f(lambda M: float(np.sum(A * M)), W, 1e-5)
    expect_close(grad, A, "gradient of sum(A * W)",
                 "entry (i, j) is (f(W + ε e_ij) - f(W - ε e_ij)) / (2ε): perturb ONE entry at a "
                 "time and return an array shaped like W", rtol=1e-5, atol=1e-7)


def _numgrad_central(f):
    rng = np.random.default_rng(46)
    W = randn(rng, 4, 3)
    grad = f(lambda M: float(np.sum(M ** 3)), W, 1e-3)
    expect_close(grad, 3 * W ** 2, "gradient of sum(W³) with ε = 1e-3",
                 "a one-sided difference (f(W + ε) - f(W)) / ε has an error of order ε; the "
                 "central difference (f(W + ε) - f(W - ε)) / (2ε) has an error of order ε²",
                 rtol=0, atol=1e-5)


def _numgrad_restores(f):
    rng = np.random.default_rng(47)
    W = randn(rng, 3, 3)
    _, (_, after, _) = call_with_inputs(f, lambda M: float(np.sum(np.tanh(M))), W, 1e-4)
    after = as_array(after, "W after the call")
    if after.shape != W.shape or not np.array_equal(after, W):
        raise AssertionError("W was changed by numerical_gradient. Hint: after evaluating "
                             "f at W ± ε, put the original value of the entry back")


def _numgrad_any_shape(f):
    rng = np.random.default_rng(48)
    A, W = randn(rng, 2, 3, 2), randn(rng, 2, 3, 2)
    expect_close(f(lambda M: float(np.sum(A * M)), W, 1e-5), A,
                 "gradient for a 3-d array W", "loop over every index of W whatever its rank, "
                 "e.g. `for index in np.ndindex(W.shape)`", rtol=1e-5, atol=1e-7)


QUESTIONS = [
    Question("q1", "rnn_backward", [
        Test("shapes of the five gradients", 1, _bptt_shapes),
        Test("one step: the local derivative tanh'", 1, _bptt_one_step),
        Test("db and dW_ih over several steps", 1, _bptt_recurrence),
        Test("dW_hh and dh0", 1, _bptt_recurrent_weights),
        Test("dx", 1, _bptt_input),
    ]),
    Question("q2", "numerical_gradient", [
        Test("gradient of a linear function", 1, _numgrad_linear),
        Test("central differences", 1, _numgrad_central),
        Test("W is left unchanged", 1, _numgrad_restores),
        Test("works for arrays of any rank", 1, _numgrad_any_shape),
    ]),
]
