"""Exercise 2: the forward pass of an Elman RNN, one step, a whole sequence, and the loss over time.

References: ``rnncourse.numpy.rnn.rnn_forward`` (the kernel of ``rnncourse.numpy.RNN``, checked
against ``torch.nn.RNN`` in the package's tests) and a log-sum-exp cross-entropy.
"""

from __future__ import annotations

import numpy as np

from rnncourse.numpy.rnn import rnn_forward as _rnn_forward

from ._testing import as_array, expect_close, expect_dtype, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex02_rnn_forward"
TITLE = "The recurrent network and its forward pass"

T, B, I, H, K = 5, 3, 4, 6, 7       # steps, batch, input size, hidden size, classes


def _weights(rng, dtype=np.float64):
    """W_ih (H, I), W_hh (H, H), b_ih (H,), b_hh (H,) like torch.nn.RNN's initialisation."""
    bound = 1 / np.sqrt(H)
    return tuple(rng.uniform(-bound, bound, shape).astype(dtype)
                 for shape in [(H, I), (H, H), (H,), (H,)])


def _reference(x, h0, W_ih, W_hh, b_ih, b_hh):
    """(output (T, B, H), h_n (B, H)) of one tanh layer."""
    p = {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh}
    output, (h_n,), _ = _rnn_forward(x, (h0,), p)
    return output, h_n


# ---- q1: rnn_cell_forward(x_t, h_prev, W_ih, W_hh, b_ih, b_hh) -> h_t -------------------------

def _cell_shape(f):
    rng = np.random.default_rng(20)
    W = _weights(rng, np.float32)
    h = f(randn(rng, B, I, dtype=np.float32), randn(rng, B, H, dtype=np.float32), *W)
    expect_shape(h, (B, H), "h_t", "a batch of B inputs (B, I) gives B states (B, H); "
                 "with rows as examples, W x_t is written x_t @ W_ih.T")
    expect_dtype(h, np.float32, "h_t", "float32 inputs and weights should give a float32 state: "
                 "do not convert to float64 (np.array(..., dtype=float) or np.float64 constants)")


def _cell_bias(f):
    rng = np.random.default_rng(21)
    W = _weights(rng)
    h = f(np.zeros((B, I)), np.zeros((B, H)), *W)
    expect_close(h, np.tanh(np.broadcast_to(W[2] + W[3], (B, H))), "h_t for x_t = 0, h_prev = 0",
                 "with a zero input and a zero state only the biases are left: are both b_ih and "
                 "b_hh added inside the tanh, once each?")


def _cell_recurrent(f):
    rng = np.random.default_rng(22)
    W_ih, W_hh, _, _ = _weights(rng)
    W = (W_ih, W_hh, np.zeros(H), np.zeros(H))
    h_prev = randn(rng, B, H)
    h = f(np.zeros((B, I)), h_prev, *W)
    expect_close(h, _reference(np.zeros((1, B, I)), h_prev, *W)[1], "h_t for x_t = 0 and zero biases",
                 "with a zero input and zero biases, h_t = tanh(W_hh h_{t-1}): check that term "
                 "(rows are examples: h_prev @ W_hh.T)")


def _cell_reference(f):
    rng = np.random.default_rng(23)
    W = _weights(rng)
    x, h_prev = randn(rng, B, I), randn(rng, B, H)
    expect_close(f(x, h_prev, *W), _reference(x[None], h_prev, *W)[1], "h_t",
                 "h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); test the input term "
                 "W_ih x_t on its own with a zero state")


# ---- q2: rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh) -> (output, h_n) --------------------------

def _seq_shapes(f):
    rng = np.random.default_rng(24)
    output, h_n = unpack(f(randn(rng, T, B, I), np.zeros((B, H)), *_weights(rng)), 2,
                         "a tuple (output, h_n)")
    expect_shape(output, (T, B, H), "output", "output holds h_1 ... h_T, one (B, H) state per step")
    expect_shape(h_n, (B, H), "h_n", "h_n is the state after the last step, shape (B, H)")


def _seq_h0(f):
    rng = np.random.default_rng(25)
    W = _weights(rng)
    x, h0 = np.zeros((1, B, I)), randn(rng, B, H)
    output, _ = unpack(f(x, h0, *W), 2, "a tuple (output, h_n)")
    expect_close(output, _reference(x, h0, *W)[0], "output for one step from a non-zero h0",
                 "the first step reads the initial state h0: start the loop from h = h0, not zeros")


def _seq_reference(f):
    rng = np.random.default_rng(26)
    W = _weights(rng)
    x, h0 = randn(rng, T, B, I), randn(rng, B, H)
    output, h_n = unpack(f(x, h0, *W), 2, "a tuple (output, h_n)")
    want_output, want_h_n = _reference(x, h0, *W)
    expect_close(output, want_output, "output",
                 "each step must use the state of the step before (h_{t-1}), not h0 again, and "
                 "store h_t at output[t]")
    expect_close(h_n, want_h_n, "h_n", "h_n is the state after the last step, h_T = output[-1]")


def _seq_dtype(f):
    rng = np.random.default_rng(27)
    output, h_n = unpack(f(randn(rng, T, B, I, dtype=np.float32), np.zeros((B, H), np.float32),
                           *_weights(rng, np.float32)), 2, "a tuple (output, h_n)")
    hint = "allocate the output with the input's dtype (np.empty(..., dtype=x.dtype))"
    expect_dtype(output, np.float32, "output", hint)
    expect_dtype(h_n, np.float32, "h_n", hint)


# ---- q3: sequence_loss(output, targets, V, c) -> float ------------------------------------------

def _loss_reference(output, targets, V, c):
    logits = output @ V.T + c                                     # (T, B, K)
    m = logits.max(axis=-1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_p, targets[..., None], axis=-1).sum()


def _loss_inputs(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return (np.tanh(randn(rng, T, B, H)), rng.integers(0, K, (T, B)),
            randn(rng, K, H, scale=scale), randn(rng, K, scale=scale))


def _as_scalar(value):
    array = as_array(value, "the loss")
    if array.size != 1:
        raise AssertionError(f"the loss: expected one number, got an array of shape {array.shape}. "
                             "Hint: sum over time steps and over the batch")
    return float(array.reshape(()))


def _loss_uniform(f):
    output, targets, V, c = _loss_inputs(30)
    loss = _as_scalar(f(output, targets, np.zeros_like(V), np.zeros_like(c)))
    expect_close(loss, T * B * np.log(K), "the loss with V = 0, c = 0",
                 "with equal scores every class has probability 1/K, so each of the T * B "
                 "predictions costs log K: sum over time and batch, do not average")


def _loss_reference_test(f):
    output, targets, V, c = _loss_inputs(31)
    expect_close(_as_scalar(f(output, targets, V, c)), _loss_reference(output, targets, V, c),
                 "the loss", "ŷ_t = softmax(c + V h_t); the loss adds -log ŷ_t[y_t] at every "
                 "step and for every sequence of the batch (targets[t, b] is the class index)")


def _loss_stable(f):
    output, targets, V, c = _loss_inputs(32, scale=300.0)
    with np.errstate(all="ignore"):
        loss = _as_scalar(f(output, targets, V, c))
    expect_close(loss, _loss_reference(output, targets, V, c), "the loss for large scores",
                 "exp overflows for scores of several hundred: subtract the largest score of each "
                 "softmax before exponentiating (log-sum-exp)")


QUESTIONS = [
    Question("q1", "rnn_cell_forward", [
        Test("shape and dtype of h_t", 1, _cell_shape),
        Test("zero input and state give tanh of the biases", 1, _cell_bias),
        Test("the previous state enters through W_hh", 1, _cell_recurrent),
        Test("agrees with the reference RNN cell", 1, _cell_reference),
    ]),
    Question("q2", "rnn_forward", [
        Test("shapes of output and h_n", 1, _seq_shapes),
        Test("the initial state h0 is used", 1, _seq_h0),
        Test("agrees with the reference RNN over several steps", 2, _seq_reference),
        Test("float32 in, float32 out", 1, _seq_dtype),
    ]),
    Question("q3", "sequence_loss", [
        Test("equal scores cost T * B * log K", 1, _loss_uniform),
        Test("agrees with the reference cross-entropy", 1, _loss_reference_test),
        Test("numerically stable for large scores", 1, _loss_stable),
    ]),
]
