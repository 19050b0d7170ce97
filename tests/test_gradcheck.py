"""rnncourse.check: finite differences agree with the hand-written backward, and catch a wrong one."""

import numpy as np
import pytest
import torch

from rnncourse.check import gradcheck, max_abs_diff
from rnncourse.numpy import RNN, LeakyRNN, RNNCell
from rnncourse.numpy.rnn import rnn_backward

I, H, T, B = 3, 4, 5, 2


def data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("num_layers,bidirectional,batch_first", [(1, False, False), (2, True, True)])
def test_gradcheck_rnn_tanh(num_layers, bidirectional, batch_first):
    m = RNN(I, H, num_layers, batch_first=batch_first, bidirectional=bidirectional, dtype=np.float64, rng=0)
    x = data(B, T, I) if batch_first else data(T, B, I)
    h0 = data(num_layers * (2 if bidirectional else 1), B, H, seed=1)
    errors = gradcheck(m, x, h0, verbose=False)
    assert set(errors) == set(m.params) | {"input", "h_0"}
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_rnn_relu_away_from_the_kink():
    m = RNN(I, H, nonlinearity="relu", dtype=np.float64, rng=0)
    x, h0 = data(T, B, I), data(1, B, H, seed=1)
    out, _ = m(x, h0)
    # the pre-activations a_t, recomputed here: none may lie within reach of the ±eps steps
    h_prev = np.concatenate([h0, out[:-1]])
    a = x @ m.weight_ih_l0.T + m.bias_ih_l0 + h_prev @ m.weight_hh_l0.T + m.bias_hh_l0
    assert np.abs(a).min() > 1e-3
    errors = gradcheck(m, x, h0, verbose=False)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradcheck_leaky_rnn_learn_alpha(bidirectional):
    m = LeakyRNN(I, H, 2, bidirectional=bidirectional, alpha=np.linspace(0.2, 0.9, H), learn_alpha=True,
                 dtype=np.float64, rng=0)
    errors = gradcheck(m, data(T, B, I), verbose=False)  # state None: checked at zeros
    assert "alpha_l1" in errors and "h_0" in errors
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_cell_unbatched():
    m = RNNCell(I, H, dtype=np.float64, rng=0)
    errors = gradcheck(m, data(I), data(H, seed=1), verbose=False)
    assert set(errors) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh", "input", "h_0"}
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_catches_a_wrong_backward():
    class Broken(RNN):
        def _layer_backward(self, d_out, d_final, cache):
            dx, d_state0, dp = rnn_backward(d_out, d_final, cache)
            dp["weight_hh"] = dp["weight_hh"] * 1.01  # a 1 % mistake in one gradient
            return dx, d_state0, dp

    errors = gradcheck(Broken(I, H, dtype=np.float64, rng=0), data(T, B, I), verbose=False)
    assert errors["weight_hh_l0"] > 1e-3
    assert errors["weight_ih_l0"] < 1e-6


def test_gradcheck_prints_a_table_and_requires_float64(capsys):
    gradcheck(RNN(2, 2, dtype=np.float64, rng=0), data(3, 2))
    printed = capsys.readouterr().out
    assert "relative error" in printed and "weight_hh_l0" in printed and "input" in printed
    with pytest.raises(TypeError, match=r"gradcheck: requires a float64 model, got dtype float32"):
        gradcheck(RNN(2, 2), data(3, 2).astype(np.float32))


def test_max_abs_diff():
    a = np.array([1.0, 2.0, 3.0])
    assert max_abs_diff(a, torch.tensor([1.0, 2.5, 3.0], dtype=torch.float64)) == 0.5
    assert max_abs_diff((a, (a, a)), (a, (a, a + 2))) == 2.0
    with pytest.raises(ValueError, match=r"equal shapes"):
        max_abs_diff(a, a[:2])
