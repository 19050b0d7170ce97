"""rnncourse.gates: the recomputed gates reproduce every backend's hidden states, and bad input is refused."""

import numpy as np
import pytest
import torch
from torch import nn

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch
from rnncourse.gates import gru_gates, lstm_gates


def _torch_out(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x))[0].numpy()


@pytest.mark.parametrize("num_layers", [1, 2])
def test_lstm_gates_reproduce_torch_nn(num_layers):
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 5, num_layers=num_layers, dtype=torch.float64)
    x = np.random.default_rng(0).normal(size=(7, 2, 3))
    record = lstm_gates(lstm, x, layer=num_layers - 1)
    assert set(record) == set("ifgoch")
    assert all(v.shape == (7, 2, 5) for v in record.values())
    np.testing.assert_allclose(record["h"], _torch_out(lstm, x), atol=1e-12)
    # the gates are what the equations say they are
    assert np.all((record["f"] > 0) & (record["f"] < 1))
    np.testing.assert_allclose(record["h"], record["o"] * np.tanh(record["c"]), atol=1e-12)


def test_lstm_gates_peephole_numpy_and_batch_first():
    model = rnp.LSTM(2, 4, peephole=True, batch_first=True, dtype=np.float64, rng=0)
    x = np.random.default_rng(1).normal(size=(3, 6, 2))            # (batch, seq, features)
    out, _ = model(x)
    record = lstm_gates(model, x)
    np.testing.assert_allclose(record["h"], out.transpose(1, 0, 2), atol=1e-12)  # time first


def test_lstm_gates_unbatched_rnncourse_torch():
    model = rtorch.LSTM(2, 3, dtype=torch.float64)
    x = np.random.default_rng(2).normal(size=(5, 2))
    record = lstm_gates(model, x)
    assert record["c"].shape == (5, 3)
    np.testing.assert_allclose(record["h"], _torch_out(model, x), atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gates_reproduce_both_placements(reset_after):
    model = rtorch.GRU(3, 4, num_layers=2, reset_after=reset_after, dtype=torch.float64)
    x = np.random.default_rng(3).normal(size=(6, 2, 3))
    record = gru_gates(model, x, layer=1)
    assert set(record) == set("rznh")
    np.testing.assert_allclose(record["h"], _torch_out(model, x), atol=1e-12)


def test_gru_gates_torch_nn_float32():
    torch.manual_seed(0)
    gru = nn.GRU(2, 3)
    x = np.random.default_rng(4).normal(size=(5, 1, 2)).astype(np.float32)
    np.testing.assert_allclose(gru_gates(gru, x)["h"], _torch_out(gru, x), atol=1e-5)


def test_bad_input_is_refused_with_clear_messages():
    lstm = nn.LSTM(2, 3)
    with pytest.raises(TypeError, match="x: expected"):
        lstm_gates(lstm, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="x: expected 2 features"):
        lstm_gates(lstm, np.zeros((4, 1, 5)))
    with pytest.raises(ValueError, match="layer"):
        lstm_gates(lstm, np.zeros((4, 1, 2)), layer=1)
    with pytest.raises(ValueError, match="bidirectional"):
        gru_gates(nn.GRU(2, 3, bidirectional=True), np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="seq_len"):
        gru_gates(nn.GRU(2, 3), np.zeros(4))


def test_set_forget_bias_matches_the_rnncourse_option():
    from rnncourse.gates import set_forget_bias
    lstm = set_forget_bias(nn.LSTM(2, 3, num_layers=2, bidirectional=True), 1.0)
    for name, p in lstm.named_parameters():
        if name.startswith("bias_"):
            expected = 1.0 if name.startswith("bias_ih") else 0.0
            assert torch.all(p[3:6] == expected), name
            assert p.requires_grad
    ours = rnp.LSTM(2, 3, forget_bias=2.0, rng=0)
    theirs = set_forget_bias(rnp.LSTM(2, 3, rng=0), 2.0)
    for name in ours.params:
        if name.startswith("bias"):
            np.testing.assert_array_equal(ours.params[name][3:6], theirs.params[name][3:6])
    with pytest.raises(ValueError, match="expected an LSTM"):
        set_forget_bias(nn.GRU(2, 3))
    with pytest.raises(ValueError, match="no biases"):
        set_forget_bias(nn.LSTM(2, 3, bias=False))
    with pytest.raises(ValueError, match="finite"):
        set_forget_bias(nn.LSTM(2, 3), float("nan"))
