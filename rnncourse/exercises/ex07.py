"""Exercise 7: one step of an LSTM, forward and backward.

The reference is the package's: ``rnncourse.numpy.lstm.lstm_step`` and ``lstm_step_backward``
(gate order i, f, g, o and parameter layout of ``torch.nn.LSTMCell``), which the package's tests
check against ``torch.nn.LSTMCell`` and torch.autograd.
"""

from __future__ import annotations

import numpy as np

from rnncourse.numpy.lstm import lstm_step as _lstm_step
from rnncourse.numpy.lstm import lstm_step_backward

from ._testing import expect_close, expect_dtype, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex07_lstm"
TITLE = "Long short-term memory"

B, I, H = 3, 4, 5


def _lstm_step_backward(dh, dc, cache):
    """The reference backward in the exercise's form: (dx, dh_prev, dc_prev, dW_ih, dW_hh, db)."""
    dx, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)
    return dx, dh_prev, dc_prev, grads["weight_ih"], grads["weight_hh"], grads["bias_ih"]


def _weights(rng, dtype=np.float64):
    bound = 1 / np.sqrt(H)
    return tuple(rng.uniform(-bound, bound, shape).astype(dtype)
                 for shape in [(4 * H, I), (4 * H, H), (4 * H,), (4 * H,)])


# ---- q1: lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h, c) ------------------

def _forward_call(f, *args):
    return unpack(f(*args), 2, "a tuple (h, c)")


def _forward_shape(f):
    rng = np.random.default_rng(80)
    args = (randn(rng, B, I, dtype=np.float32), randn(rng, B, H, dtype=np.float32),
            randn(rng, B, H, dtype=np.float32)) + _weights(rng, np.float32)
    for name, value in zip("hc", _forward_call(f, *args)):
        expect_shape(value, (B, H), name, "the weights stack the four gates (i, f, g, o) along "
                     "their first axis, 4H rows: split the pre-activations into four (B, H) parts")
        expect_dtype(value, np.float32, name, "keep the dtype of the inputs (float32 in, float32 out)")


def _forward_bias(f):
    rng = np.random.default_rng(81)
    W = _weights(rng, np.float64)
    zeros = np.zeros((B, H))
    h, c = _forward_call(f, np.zeros((B, I)), zeros, zeros, *W)
    want_h, want_c, _ = _lstm_step(np.zeros((B, I)), zeros, zeros, *W)
    hint = ("with x = 0, h = 0 and c = 0 only the biases b_ih + b_hh remain: c = σ(b_i) ⊙ "
            "tanh(b_g) and h = σ(b_o) ⊙ tanh(c). Check the gate order i, f, g, o and which "
            "non-linearity each gate takes (tanh only for g)")
    expect_close(c, want_c, "c for zero input and state", hint)
    expect_close(h, want_h, "h for zero input and state", hint)


def _forward_memory(f):
    rng = np.random.default_rng(82)
    W = _weights(rng, np.float64)
    x, h_prev, c_prev = np.zeros((B, I)), np.zeros((B, H)), randn(rng, B, H)
    _, c = _forward_call(f, x, h_prev, c_prev, *W)
    expect_close(c, _lstm_step(x, h_prev, c_prev, *W)[1], "c for a non-zero c_prev",
                 "the old cell is kept through the forget gate: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t")


def _forward_reference(f):
    rng = np.random.default_rng(83)
    args = (randn(rng, B, I), randn(rng, B, H), randn(rng, B, H)) + _weights(rng)
    want_h, want_c, _ = _lstm_step(*args)
    h, c = _forward_call(f, *args)
    hint = ("i, f, g, o = σ, σ, tanh, σ of W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, split in this "
            "order; check the terms in x and in h_{t-1} separately")
    expect_close(c, want_c, "c", hint)
    expect_close(h, want_h, "h", "h_t = o_t ⊙ tanh(c_t), with the new cell c_t")


# ---- q2: lstm_cell_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, dW_ih, dW_hh, db) ----------

NAMES = ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db")


def _backward_problem(seed):
    rng = np.random.default_rng(seed)
    _, _, cache = _lstm_step(randn(rng, B, I), randn(rng, B, H), randn(rng, B, H), *_weights(rng))
    dh, dc = randn(rng, B, H), randn(rng, B, H)
    return (dh, dc, cache), dict(zip(NAMES, _lstm_step_backward(dh, dc, cache)))


def _backward_call(f, args):
    dh, dc, cache = args
    result = f(dh.copy(), dc.copy(), dict((k, v.copy()) for k, v in cache.items()))
    return dict(zip(NAMES, unpack(result, 6, "a tuple (dx, dh_prev, dc_prev, dW_ih, dW_hh, db)")))


def _backward_shapes(f):
    args, want = _backward_problem(84)
    got = _backward_call(f, args)
    for name in NAMES:
        expect_shape(got[name], want[name].shape, name, "each gradient has the shape of what it "
                     "differentiates; db is the gradient of one bias vector, (4H,)")


def _backward_cell(f):
    args, want = _backward_problem(85)
    expect_close(_backward_call(f, args)["dc_prev"], want["dc_prev"], "dc_prev",
                 "c_t reaches the loss twice: directly (dc) and through h_t = o ⊙ tanh(c_t), "
                 "which adds dh ⊙ o ⊙ (1 - tanh²(c_t)); then dc_prev = dL/dc_t ⊙ f")


def _backward_gates(f):
    args, want = _backward_problem(86)
    expect_close(_backward_call(f, args)["db"], want["db"], "db",
                 "db stacks the gradients of the four pre-activations in the order i, f, g, o, "
                 "summed over the batch: the gradient reaching each gate (o from h_t, i, f, g "
                 "from c_t) times the derivative of its non-linearity, σ' = σ(1 - σ) for i, f, o "
                 "and tanh' = 1 - g² for g")


def _backward_weights(f):
    args, want = _backward_problem(87)
    got = _backward_call(f, args)
    hint = ("with da the (B, 4H) gradient of the pre-activations: dW_ih = daᵀ x, dW_hh = daᵀ "
            "h_prev (da.T @ ...)")
    expect_close(got["dW_ih"], want["dW_ih"], "dW_ih", hint)
    expect_close(got["dW_hh"], want["dW_hh"], "dW_hh", hint)


def _backward_inputs(f):
    args, want = _backward_problem(88)
    got = _backward_call(f, args)
    hint = "x and h_prev enter only the pre-activations: dx = da @ W_ih, dh_prev = da @ W_hh"
    expect_close(got["dx"], want["dx"], "dx", hint)
    expect_close(got["dh_prev"], want["dh_prev"], "dh_prev", hint)


QUESTIONS = [
    Question("q1", "lstm_cell_forward", [
        Test("shapes and dtype of h and c", 1, _forward_shape),
        Test("zero input and state: the biases and the gate order", 1, _forward_bias),
        Test("the forget gate keeps the old cell", 1, _forward_memory),
        Test("agrees with the reference LSTM cell", 1, _forward_reference),
    ]),
    Question("q2", "lstm_cell_backward", [
        Test("shapes of the six gradients", 1, _backward_shapes),
        Test("the cell-state path: dc_prev", 1, _backward_cell),
        Test("the gates: db", 1, _backward_gates),
        Test("the weights: dW_ih and dW_hh", 1, _backward_weights),
        Test("the inputs: dx and dh_prev", 1, _backward_inputs),
    ]),
]
