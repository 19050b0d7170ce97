"""The NumPy backend against the PyTorch backend, for the variants torch.nn does not have.

torch.nn has no peephole LSTM, no Cho-style GRU and no leaky RNN, so for those the reference is
``rnncourse.torch`` (written from the equations, differentiated by autograd). Weights move from one
backend to the other through ``state_dict``; outputs must agree within 1e-10 and every gradient
(parameters, input, initial state) within 1e-9 in float64.
"""

import numpy as np
import pytest
import torch

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch

CONFIGS = [
    ("RNN", {"nonlinearity": "tanh"}),
    ("RNN", {"nonlinearity": "relu"}),
    ("LSTM", {}),
    ("LSTM", {"peephole": True}),
    ("GRU", {"reset_after": True}),
    ("GRU", {"reset_after": False}),
    ("LeakyRNN", {"alpha": 0.3, "learn_alpha": True}),
]
LAYOUTS = [  # (num_layers, bidirectional, batch_first, with_state)
    (1, False, False, False),
    (2, True, True, True),
    (3, True, False, True),
]


def make_pair(name, options, num_layers, bidirectional, batch_first, input_size=3, hidden=4):
    kwargs = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, **options)
    ours = getattr(rnp, name)(input_size, hidden, dtype=np.float64, rng=1, **kwargs)
    theirs = getattr(rtorch, name)(input_size, hidden, dtype=torch.float64, **kwargs)
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    return ours, theirs


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: "L{}-bi{}-bf{}-h0{}".format(*map(int, l)))
@pytest.mark.parametrize("name,options", CONFIGS, ids=lambda c: str(c))
def test_numpy_backward_matches_torch_backend_autograd(name, options, layout):
    num_layers, bidirectional, batch_first, with_state = layout
    ours, theirs = make_pair(name, options, num_layers, bidirectional, batch_first)
    rng = np.random.default_rng(7)
    T, B, D = 5, 2, num_layers * (2 if bidirectional else 1)
    x = rng.normal(size=(B, T, 3) if batch_first else (T, B, 3))
    n_states = 2 if name == "LSTM" else 1
    state = tuple(rng.normal(scale=0.5, size=(D, B, 4)) for _ in range(n_states)) if with_state else None
    np_state = None if state is None else (state if n_states == 2 else state[0])

    out, final = ours.forward(x, np_state)
    x_t = torch.from_numpy(x).requires_grad_()
    state_t = None if state is None else tuple(torch.from_numpy(s).requires_grad_() for s in state)
    out_t, final_t = theirs(x_t, None if state_t is None else (state_t if n_states == 2 else state_t[0]))
    assert np.abs(out - out_t.detach().numpy()).max() < 1e-10
    for a, b in zip(as_tuple(final), as_tuple(final_t)):
        assert np.abs(a - b.detach().numpy()).max() < 1e-10

    g_out = rng.normal(size=out.shape)
    g_final = tuple(rng.normal(size=s.shape) for s in as_tuple(final))
    grad_x, grad_state, grads = ours.backward(g_out, g_final if n_states == 2 else g_final[0])
    loss = (out_t * torch.from_numpy(g_out)).sum()
    loss = loss + sum((f * torch.from_numpy(g)).sum() for f, g in zip(as_tuple(final_t), g_final))
    loss.backward()

    assert np.abs(grad_x - x_t.grad.numpy()).max() < 1e-9
    if state is not None:
        for mine, ref in zip(as_tuple(grad_state), state_t):
            assert np.abs(mine - ref.grad.numpy()).max() < 1e-9
    trainable = {k: p for k, p in theirs.named_parameters() if p.requires_grad}
    assert set(grads) == set(trainable), "gradient keys must be exactly the trainable parameters"
    for key, p in trainable.items():
        assert np.abs(grads[key] - p.grad.numpy()).max() < 1e-9, key


@pytest.mark.parametrize("name,options", CONFIGS, ids=lambda c: str(c))
def test_state_dict_moves_both_ways(name, options):
    ours, theirs = make_pair(name, options, 2, True, False)
    with torch.no_grad():
        for p in theirs.parameters():
            p.mul_(-0.5)  # new values on the torch side, then back into NumPy
    ours.load_state_dict(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert np.array_equal(ours.state_dict()[key], value.numpy()), key
    assert list(ours.state_dict()) == list(theirs.state_dict())
