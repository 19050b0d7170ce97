"""Exercise 4: a bidirectional RNN layer and a stack of RNN layers, built from one-direction layers.

Reference: ``rnncourse.numpy.rnn.rnn_forward`` (one layer, one direction), arranged as
``torch.nn.RNN`` does for ``bidirectional=True`` and ``num_layers > 1``.
"""

from __future__ import annotations

import numpy as np

from rnncourse.numpy.rnn import rnn_forward as _rnn_forward

from ._testing import expect_close, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex04_bidirectional_deep"
TITLE = "Bidirectional and deep RNNs"

T, B, I, H = 5, 3, 4, 6


def _layer_weights(rng, input_size):
    """(W_ih, W_hh, b_ih, b_hh) of one layer and direction."""
    bound = 1 / np.sqrt(H)
    return tuple(rng.uniform(-bound, bound, shape)
                 for shape in [(H, input_size), (H, H), (H,), (H,)])


def _layer(x, weights):
    """(output (T, B, H), h_n (B, H)) of one tanh layer from a zero state."""
    p = dict(zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), weights))
    output, (h_n,), _ = _rnn_forward(x, (np.zeros(x.shape[1:2] + (H,)),), p)
    return output, h_n


# ---- q1: birnn_forward(x, forward, backward) -> (output (T, B, 2H), h_n (2, B, H)) -----------

def _birnn_problem(seed):
    rng = np.random.default_rng(seed)
    x, fwd, bwd = randn(rng, T, B, I), _layer_weights(rng, I), _layer_weights(rng, I)
    out_f, h_f = _layer(x, fwd)
    out_b, h_b = _layer(x[::-1], bwd)
    want = np.concatenate([out_f, out_b[::-1]], axis=-1), np.stack([h_f, h_b])
    return (x, fwd, bwd), want


def _call(f, args):
    return unpack(f(*args), 2, "a tuple (output, h_n)")


def _birnn_shapes(f):
    args, _ = _birnn_problem(50)
    output, h_n = _call(f, args)
    expect_shape(output, (T, B, 2 * H), "output", "output[t] is the forward state of step t "
                 "followed by the backward state of step t: concatenate on the last axis")
    expect_shape(h_n, (2, B, H), "h_n", "h_n stacks the final state of each direction, "
                 "forward first: shape (2, B, H)")


def _birnn_forward_half(f):
    args, (want_output, want_h_n) = _birnn_problem(51)
    output, h_n = _call(f, args)
    expect_shape(output, want_output.shape, "output")
    expect_close(np.asarray(output)[..., :H], want_output[..., :H], "output[..., :H]",
                 "the first H features are a plain forward RNN with the `forward` weights, "
                 "run from a zero state")
    expect_shape(h_n, want_h_n.shape, "h_n")
    expect_close(np.asarray(h_n)[0], want_h_n[0], "h_n[0]",
                 "h_n[0] is the forward direction's state after the last step")


def _birnn_backward_half(f):
    args, (want_output, _) = _birnn_problem(52)
    output, _ = _call(f, args)
    expect_shape(output, want_output.shape, "output")
    expect_close(np.asarray(output)[..., H:], want_output[..., H:], "output[..., H:]",
                 "the backward direction reads x_T, ..., x_1 with the `backward` weights; flip its "
                 "outputs back in time so that output[t] holds both states that belong to step t")


def _birnn_final_state(f):
    args, (_, want_h_n) = _birnn_problem(53)
    _, h_n = _call(f, args)
    expect_shape(h_n, want_h_n.shape, "h_n")
    expect_close(np.asarray(h_n)[1], want_h_n[1], "h_n[1]",
                 "the backward direction finishes after reading x_1: its final state is its "
                 "state at the first position, output[0, :, H:]")


# ---- q2: deep_rnn_forward(x, layers) -> (output (T, B, H), h_n (L, B, H)) ---------------------

def _deep_problem(seed, num_layers):
    rng = np.random.default_rng(seed)
    x = randn(rng, T, B, H)             # H input features, so that reading x in every layer runs
    layers = [_layer_weights(rng, H) for k in range(num_layers)]
    finals, output = [], x
    for weights in layers:
        output, h_n = _layer(output, weights)
        finals.append(h_n)
    return (x, layers), (output, np.stack(finals))


def _deep_shapes(f):
    args, (want_output, want_h_n) = _deep_problem(54, 3)
    output, h_n = _call(f, args)
    expect_shape(output, want_output.shape, "output",
                 "output is the sequence of states of the top layer only, (T, B, H)")
    expect_shape(h_n, want_h_n.shape, "h_n",
                 "h_n stacks the final state of every layer, bottom first: (num_layers, B, H)")


def _deep_one_layer(f):
    args, (want_output, want_h_n) = _deep_problem(55, 1)
    output, h_n = _call(f, args)
    expect_close(output, want_output, "output of a one-layer stack",
                 "with one layer the stack is a plain RNN layer run from a zero state")
    expect_close(h_n, want_h_n, "h_n of a one-layer stack", "h_n has shape (1, B, H)")


def _deep_three_layers(f):
    args, (want_output, want_h_n) = _deep_problem(56, 3)
    output, h_n = _call(f, args)
    expect_close(output, want_output, "output of a three-layer stack",
                 "layer k > 0 reads the whole output sequence of layer k - 1 (not x), and each "
                 "layer starts from its own zero state")
    expect_close(h_n, want_h_n, "h_n of a three-layer stack",
                 "h_n[k] is the final state of layer k, in order from the bottom layer")


QUESTIONS = [
    Question("q1", "birnn_forward", [
        Test("shapes of output and h_n", 1, _birnn_shapes),
        Test("the forward direction", 1, _birnn_forward_half),
        Test("the backward direction, aligned in time", 1, _birnn_backward_half),
        Test("final state of the backward direction", 1, _birnn_final_state),
    ]),
    Question("q2", "deep_rnn_forward", [
        Test("shapes of output and h_n", 1, _deep_shapes),
        Test("one layer is a plain RNN", 1, _deep_one_layer),
        Test("three stacked layers", 2, _deep_three_layers),
    ]),
]
