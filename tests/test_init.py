"""Recurrent initialisations (rnncourse.init): orthogonal gate blocks, the identity of the IRNN, on
torch.nn, rnncourse.torch and rnncourse.numpy modules alike."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch
from rnncourse import init

MODULES = {
    "torch.nn LSTM, 2 layers, bidirectional": lambda: torch.nn.LSTM(3, 4, 2, bidirectional=True),
    "torch.nn GRUCell": lambda: torch.nn.GRUCell(3, 4),
    "rnncourse.torch GRU": lambda: rtorch.GRU(3, 4),
    "rnncourse.numpy RNN (relu)": lambda: rnp.RNN(3, 4, nonlinearity="relu"),
    "rnncourse.numpy LSTM": lambda: rnp.LSTM(3, 4, 2),
}


def weights(module):
    return {k: np.asarray(v.detach().numpy() if isinstance(v, torch.Tensor) else v, dtype=np.float64)
            for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name", MODULES)
def test_orthogonal_gate_blocks(name):
    module = MODULES[name]()
    before = weights(module)
    init.orthogonal_(module, gain=1.0, seed=0)
    after = weights(module)
    for k, W in after.items():
        if k.startswith("weight_hh"):
            blocks = W.reshape(-1, 4, 4)
            for Q in blocks:
                np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-6)
            assert len(blocks) > 1 or "RNN" in name              # gates: one block each
            assert not np.allclose(blocks[0], blocks[-1]) or len(blocks) == 1
        else:
            np.testing.assert_array_equal(W, before[k])          # input weights, biases untouched
    init.orthogonal_(module, gain=0.5, seed=0)
    W = next(v for k, v in weights(module).items() if k.startswith("weight_hh"))[:4]
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.5, atol=1e-6)


@pytest.mark.parametrize("name", MODULES)
def test_identity_and_zero_biases(name):
    module = MODULES[name]()
    init.identity_(module, scale=1.0)
    for k, W in weights(module).items():
        if k.startswith("weight_hh"):
            for block in W.reshape(-1, 4, 4):
                np.testing.assert_array_equal(block, np.eye(4))
        elif k.startswith("bias"):
            assert not W.any()


def test_irnn_input_weights_and_seeds():
    a, b = torch.nn.RNN(3, 4, nonlinearity="relu"), torch.nn.RNN(3, 4, nonlinearity="relu")
    init.identity_(a, input_std=0.001, seed=5)
    init.identity_(b, input_std=0.001, seed=5)
    assert torch.equal(a.weight_ih_l0, b.weight_ih_l0) and a.weight_ih_l0.abs().max() < 0.01
    torch.manual_seed(3)
    init.orthogonal_(a)
    torch.manual_seed(3)
    init.orthogonal_(b)
    assert torch.equal(a.weight_hh_l0, b.weight_hh_l0)           # seed=None: torch.manual_seed fixes it


def test_an_irnn_copies_its_state_and_adds_its_input():
    rnn = init.identity_(torch.nn.RNN(2, 2, nonlinearity="relu"))
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.eye(2))
        x = torch.rand(5, 1, 2)
        out, _ = rnn(x)
    assert torch.allclose(out[:, 0], x[:, 0].cumsum(0), atol=1e-6)   # the state integrates the input


def test_errors():
    with pytest.raises(TypeError, match="module"):
        init.orthogonal_(torch.nn.Linear(3, 4))
    with pytest.raises(ValueError, match="proj_size"):
        init.identity_(torch.nn.LSTM(3, 4, proj_size=2))
    with pytest.raises(ValueError, match="init"):
        init.recurrent_init_(torch.nn.RNN(3, 4), "glorot")
    module = torch.nn.RNN(3, 4)
    assert init.recurrent_init_(module, "default") is module
