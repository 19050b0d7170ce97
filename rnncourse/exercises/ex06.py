"""Exercise 6: the states of an echo-state reservoir and its readout learned by ridge regression.

References: the reservoir update of ``rnncourse.numpy.esn.ESN`` (written out here, checked against
``ESN.states`` in the package's tests) and ``rnncourse.numpy.esn.ridge_readout``.
"""

from __future__ import annotations

import numpy as np

from rnncourse._esn import ridge_readout as _ridge_readout

from ._testing import expect_close, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex06_echo_state"
TITLE = "Echo-state networks"

T, I, N = 30, 2, 20          # steps, input size, reservoir size


# ---- q1: esn_states(x, W_ih, W_hh, b, leak_rate, washout) -> (T - washout, N) -----------------

def _reservoir(seed):
    rng = np.random.default_rng(seed)
    W_hh = rng.uniform(-1, 1, (N, N))
    W_hh *= 0.9 / np.abs(np.linalg.eigvals(W_hh)).max()
    return randn(rng, T, I), rng.uniform(-0.5, 0.5, (N, I)), W_hh, rng.uniform(-0.2, 0.2, N)


def _states_reference(x, W_ih, W_hh, b, leak_rate, washout):
    h = np.zeros(W_hh.shape[0])
    states = []
    for x_t in x:
        h_tilde = np.tanh(W_ih @ x_t + b + W_hh @ h)
        h = (1 - leak_rate) * h + leak_rate * h_tilde
        states.append(h)
    return np.array(states)[washout:]


def _states_shape(f):
    args = _reservoir(70)
    expect_shape(f(*args, 0.5, 10), (T - 10, N), "the states",
                 "one state of N units per step, without the first `washout` steps")


def _states_first_step(f):
    x, W_ih, W_hh, b = _reservoir(71)
    states = expect_shape(f(x, W_ih, W_hh, b, 1.0, 0), (T, N), "the states")
    expect_close(states[0], np.tanh(W_ih @ x[0] + b), "the first state with leak_rate = 1",
                 "the reservoir starts from h_0 = 0, so h_1 = tanh(W_ih x_1 + b); rows of the "
                 "result are time steps")


def _states_leak(f):
    args = _reservoir(72)
    expect_close(f(*args, 0.3, 0), _states_reference(*args, 0.3, 0), "the states with leak_rate = 0.3",
                 "each unit moves only part of the way to its candidate: "
                 "h_t = (1 - α) h_{t-1} + α tanh(W_ih x_t + b + W_hh h_{t-1})")


def _states_washout(f):
    args = _reservoir(73)
    expect_close(f(*args, 0.6, 7), _states_reference(*args, 0.6, 7), "the states with washout = 7",
                 "run the reservoir over the whole input from h_0 = 0, then drop the first "
                 "`washout` states (do not drop inputs)")


# ---- q2: ridge_readout(Phi, Y, ridge) -> (W (O, F), b (O,)) -------------------------------------

F, O, S = 8, 2, 50            # features, outputs, samples


def _regression(seed, offset=0.0, noise=0.0):
    rng = np.random.default_rng(seed)
    Phi = randn(rng, S, F) + offset
    W, b = randn(rng, O, F), randn(rng, O) + offset
    return Phi, Phi @ W.T + b + noise * randn(rng, S, O), (W, b)


def _readout_call(f, Phi, Y, ridge):
    return unpack(f(Phi, Y, ridge), 2, "a tuple (W, b)")


def _readout_shapes(f):
    Phi, Y, _ = _regression(74, noise=0.1)
    W, b = _readout_call(f, Phi, Y, 1.0)
    expect_shape(W, (O, F), "W", "W maps F features to O outputs: shape (O, F), so that "
                 "predictions are Phi @ W.T + b")
    expect_shape(b, (O,), "b", "one intercept per output, shape (O,)")


def _readout_exact(f):
    Phi, Y, (W_true, b_true) = _regression(75, offset=2.0)
    W, b = _readout_call(f, Phi, Y, 0.0)
    hint = ("with ridge = 0 and noise-free data the least-squares solution recovers the weights "
            "and the intercept that produced Y")
    expect_close(W, W_true, "W", hint, rtol=1e-6, atol=1e-8)
    expect_close(b, b_true, "b", hint, rtol=1e-6, atol=1e-8)


def _readout_penalty(f):
    Phi, Y, _ = _regression(76, noise=0.5)
    W, b = _readout_call(f, Phi, Y, 20.0)
    want_W, want_b = _ridge_readout(Phi, Y, 20.0)
    expect_close(W, want_W, "W with ridge = 20",
                 "ridge regression minimises ||Phi Wᵀ + b - Y||² + β ||W||²; for centred data "
                 "Wᵀ = (Phiᵀ Phi + β I)⁻¹ Phiᵀ Y (solve, do not invert)")
    expect_close(b, want_b, "b with ridge = 20", "b = mean(Y) - W mean(Phi)")


def _readout_intercept(f):
    Phi, Y, _ = _regression(77, offset=3.0, noise=0.5)
    W, b = _readout_call(f, Phi, Y, 20.0)
    want_W, want_b = _ridge_readout(Phi, Y, 20.0)
    hint = ("the intercept b is not penalised: centre Phi and Y (subtract their means over "
            "samples), fit W on the centred data, then b = mean(Y) - W mean(Phi)")
    expect_close(W, want_W, "W for data far from 0", hint)
    expect_close(b, want_b, "b for data far from 0", hint)


QUESTIONS = [
    Question("q1", "esn_states", [
        Test("shape after the washout", 1, _states_shape),
        Test("first state from h_0 = 0", 1, _states_first_step),
        Test("leaky units", 1, _states_leak),
        Test("the washout drops the first states", 1, _states_washout),
    ]),
    Question("q2", "ridge_readout", [
        Test("shapes of W and b", 1, _readout_shapes),
        Test("exact fit without penalty", 1, _readout_exact),
        Test("the ridge penalty", 1, _readout_penalty),
        Test("the intercept is not penalised", 1, _readout_intercept),
    ]),
]
