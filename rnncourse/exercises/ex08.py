"""Exercise 8: one GRU step with both placements of the reset gate, and parameter counts.

The reference step is the package's: ``rnncourse.numpy.gru.gru_step`` (gate order r, z, n and
parameter layout of ``torch.nn.GRUCell``), which the package's tests check against
``torch.nn.GRUCell`` and ``rnncourse.torch.GRUCell(reset_after=False)``. Parameter counts come
from ``rnncourse._layout``.
"""

from __future__ import annotations

import numpy as np

from rnncourse._layout import GATES, param_shapes
from rnncourse.numpy.gru import gru_step

from ._testing import as_array, expect_close, expect_dtype, expect_shape, randn
from .spec import Question, Test

NOTEBOOK = "ex08_gru"
TITLE = "Gated recurrent units"

B, I, H = 3, 4, 5


def _gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh, reset_after=True):
    """The reference new state h_t (``gru_step`` without its cache)."""
    return gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh, reset_after)[0]


def _weights(rng, dtype=np.float64):
    bound = 1 / np.sqrt(H)
    return tuple(rng.uniform(-bound, bound, shape).astype(dtype)
                 for shape in [(3 * H, I), (3 * H, H), (3 * H,), (3 * H,)])


def _shape_dtype(f, seed):
    rng = np.random.default_rng(seed)
    h = f(randn(rng, B, I, dtype=np.float32), randn(rng, B, H, dtype=np.float32),
          *_weights(rng, np.float32))
    expect_shape(h, (B, H), "h_t", "the weights stack the gates r, z, n along their first axis "
                 "(3H rows): split the pre-activations into three (B, H) parts")
    expect_dtype(h, np.float32, "h_t", "keep the dtype of the inputs (float32 in, float32 out)")


# ---- q1: gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h (torch.nn placement) -------

def _torch_shape(f):
    _shape_dtype(f, 90)


def _torch_bias(f):
    rng = np.random.default_rng(91)
    W = _weights(rng)
    x, h_prev = np.zeros((B, I)), np.zeros((B, H))
    expect_close(f(x, h_prev, *W), _gru_step(x, h_prev, *W), "h_t for zero input and state",
                 "with x = 0 and h = 0: r = σ(b_ir + b_hr), z = σ(b_iz + b_hz) and "
                 "n = tanh(b_in + r ⊙ b_hn) — in torch.nn the reset gate multiplies W_hn h + b_hn, "
                 "bias included; then h_t = (1 - z) ⊙ n")


def _torch_update(f):
    rng = np.random.default_rng(92)
    W = _weights(rng)
    x, h_prev = np.zeros((B, I)), randn(rng, B, H)
    expect_close(f(x, h_prev, *W), _gru_step(x, h_prev, *W), "h_t for zero input",
                 "the update gate interpolates: h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1} "
                 "(z close to 1 keeps the old state)")


def _torch_reference(f):
    rng = np.random.default_rng(93)
    args = (randn(rng, B, I), randn(rng, B, H)) + _weights(rng)
    expect_close(f(*args), _gru_step(*args), "h_t",
                 "torch.nn: n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)); the gates "
                 "are in the order r, z, n in the rows of W_ih and W_hh")


# ---- q2: gru_cell_forward_cho(...) -> h (reset before W_hn, Cho et al. 2014) ------------------

def _cho_shape(f):
    _shape_dtype(f, 94)


def _cho_zero_state(f):
    rng = np.random.default_rng(95)
    W = _weights(rng)
    x, h_prev = randn(rng, B, I), np.zeros((B, H))
    expect_close(f(x, h_prev, *W), _gru_step(x, h_prev, *W, reset_after=False),
                 "h_t from a zero state", "in Cho et al.'s GRU the reset gate multiplies the state "
                 "only, so b_hn is added whatever r is: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)")


def _cho_reference(f):
    rng = np.random.default_rng(96)
    args = (randn(rng, B, I), randn(rng, B, H)) + _weights(rng)
    expect_close(f(*args), _gru_step(*args, reset_after=False), "h_t",
                 "reset first, then multiply: W_hn (r_t ⊙ h_{t-1}), not r_t ⊙ (W_hn h_{t-1}); "
                 "r and z are computed as in question 1")


# ---- q3: num_params(mode, input_size, hidden_size, num_layers, bidirectional, bias) -> int -----

def _count(mode, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    shapes = param_shapes(GATES[mode], input_size, hidden_size, num_layers, bias, bidirectional)
    return sum(int(np.prod(shape)) for shape in shapes.values())


def _expect_count(f, hint, *args):
    got = as_array(f(*args), f"num_params{args}")
    if got.shape != () or got != _count(*args):
        raise AssertionError(f"num_params{args}: expected a different number (got {got}). Hint: {hint}")


def _count_one_layer(f):
    hint = ("one layer and direction holds W_ih (G·H, I), W_hh (G·H, H) and two biases (G·H,), "
            "with G = 1, 4, 3 gate blocks for RNN, LSTM, GRU")
    for mode in ("RNN", "LSTM", "GRU"):
        _expect_count(f, hint, mode, 10, 20)


def _count_stacked(f):
    hint = ("layers above the first read the states of the layer below, so their input size is "
            "hidden_size times the number of directions; each direction has its own weights")
    for mode in ("LSTM", "GRU"):
        _expect_count(f, hint, mode, 10, 20, 3, False)
        _expect_count(f, hint, mode, 10, 20, 3, True)


def _count_no_bias(f):
    _expect_count(f, "bias=False removes both bias vectors of every layer and direction",
                  "GRU", 7, 16, 2, True, False)


QUESTIONS = [
    Question("q1", "gru_cell_forward", [
        Test("shape and dtype of h_t", 1, _torch_shape),
        Test("zero input and state: where the reset gate sits", 1, _torch_bias),
        Test("the update gate interpolates", 1, _torch_update),
        Test("agrees with torch.nn's GRU cell", 1, _torch_reference),
    ]),
    Question("q2", "gru_cell_forward_cho", [
        Test("shape and dtype of h_t", 1, _cho_shape),
        Test("zero state: b_hn is outside the reset gate", 1, _cho_zero_state),
        Test("agrees with Cho et al.'s GRU", 1, _cho_reference),
    ]),
    Question("q3", "num_params", [
        Test("one layer of RNN, LSTM and GRU", 1, _count_one_layer),
        Test("stacked and bidirectional layers", 1, _count_stacked),
        Test("without biases", 1, _count_no_bias),
    ]),
]
