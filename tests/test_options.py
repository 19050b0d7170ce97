"""Both backends take the same constructor options and refuse the same bad ones alike.

The options are checked once, in rnncourse._options, for rnncourse.numpy and rnncourse.torch: the
same bad argument raises the same exception with the same message in both.
"""

import numpy as np
import pytest
import torch

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch

I, H = 3, 4

BAD = [
    ("RNN", dict(hidden_size=0)),
    ("RNN", dict(hidden_size=2.5)),
    ("RNN", dict(num_layers=0)),
    ("RNN", dict(nonlinearity="sigmoid")),
    ("RNN", dict(nonlinearity=None)),
    ("RNNCell", dict(nonlinearity="gelu")),
    ("LSTM", dict(forget_bias=1.0, bias=False)),
    ("LSTM", dict(forget_bias=float("nan"))),
    ("LSTM", dict(forget_bias="one")),
    ("LSTMCell", dict(forget_bias=np.inf)),
    ("LeakyRNN", dict(alpha=0.0)),
    ("LeakyRNN", dict(alpha=1.5)),
    ("LeakyRNN", dict(alpha=[0.5] * (H + 1))),
    ("LeakyRNN", dict(alpha=np.full((2, H), 0.5))),
    ("LeakyRNN", dict(alpha="fast")),
    ("LeakyRNN", dict(alpha=None)),
    ("LeakyRNN", dict(alpha=torch.tensor([0.5, 2.0, 0.5, 0.5]))),
    ("RNN", dict(dropout=1.5)),
    ("GRU", dict(dropout="0.2")),
    ("LSTM", dict(proj_size=H)),
    ("LSTM", dict(proj_size=-1)),
    ("GRU", dict(proj_size=2)),
    ("RNN", dict(bias="no")),
    ("LSTM", dict(batch_first=1)),
    ("GRU", dict(bidirectional=2)),
    ("LSTMCell", dict(peephole="yes")),
    ("GRUCell", dict(reset_after=None)),
    ("RNNCell", dict(input_size=-1)),
]


def raised(make):
    with pytest.raises((TypeError, ValueError)) as info:
        make()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("model, options", BAD, ids=[f"{m}-{sorted(o)[0]}" for m, o in BAD])
def test_bad_options_raise_the_same_error_in_both_backends(model, options):
    kwargs = {"input_size": I, "hidden_size": H, **options}
    in_numpy = raised(lambda: getattr(rnp, model)(**kwargs))
    in_torch = raised(lambda: getattr(rtorch, model)(**kwargs))
    assert in_numpy == in_torch
    name = next(iter(options)) if "forget_bias" not in options else "forget_bias"
    assert in_numpy[1].startswith(f"{name}: ")


@pytest.mark.parametrize("alpha", [0.25, [0.25], np.array([0.1, 0.2, 0.3, 0.4]), torch.full((1,), 0.5)])
def test_alpha_broadcasts_alike_in_both_backends(alpha):
    ours = rnp.LeakyRNN(I, H, num_layers=2, alpha=alpha, dtype=np.float64)
    theirs = rtorch.LeakyRNN(I, H, num_layers=2, alpha=alpha, dtype=torch.float64)
    want = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (H,))
    for name in ("alpha_l0", "alpha_l1"):
        np.testing.assert_array_equal(ours.params[name], want)
        np.testing.assert_array_equal(getattr(theirs, name).detach().numpy(), want)


def test_learned_leak_rates_are_trained_alike():
    ours = rnp.LeakyRNN(I, H, learn_alpha=True, dtype=np.float64)
    theirs = rtorch.LeakyRNN(I, H, learn_alpha=True, dtype=torch.float64)
    theirs.load_state_dict(ours.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 2, I))
    out, _ = ours(x)
    ours.backward(np.ones_like(out))
    theirs(torch.from_numpy(x))[0].sum().backward()
    assert "alpha_l0" in ours.grads
    np.testing.assert_allclose(ours.grads["alpha_l0"], theirs.alpha_l0.grad.numpy(), atol=1e-12)
    fixed = rtorch.LeakyRNN(I, H)
    assert not fixed.alpha_l0.requires_grad and "alpha_l0" not in rnp.LeakyRNN(I, H).grads


@pytest.mark.parametrize("model, options", [
    ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True)),
    ("LSTM", dict(peephole=True, forget_bias=1.0)),
    ("LSTMCell", dict(bias=False, peephole=True)),
    ("GRU", dict(reset_after=False, batch_first=True)),
    ("LeakyRNN", dict(alpha=0.2, learn_alpha=True)),
    ("LSTM", dict(num_layers=2, dropout=0.3, proj_size=2, bidirectional=True)),
    ("GRU", dict(num_layers=3, dropout=0.5, batch_first=True)),
])
def test_the_same_options_give_the_same_description(model, options):
    ours, theirs = getattr(rnp, model)(I, H, **options), getattr(rtorch, model)(I, H, **options)
    inside = repr(ours)[len(model) + 1:-1]
    assert inside == repr(theirs)[len(model) + 1:-1].strip()
    assert set(ours.state_dict()) == set(theirs.state_dict())


@pytest.mark.parametrize("model, options", [
    ("RNN", dict(num_layers=2, bias=False, batch_first=True, dropout=0.25, bidirectional=True)),
    ("LSTM", dict(num_layers=2, dropout=0.3, proj_size=2)),
    ("GRU", dict(bidirectional=True)),
    ("LSTMCell", dict(bias=False)),
])
def test_descriptions_are_torch_nns(model, options):
    ours = repr(getattr(rtorch, model)(I, H, **options))
    assert ours == repr(getattr(torch.nn, model)(I, H, **options))
    assert repr(getattr(rnp, model)(I, H, **options)) == ours            # float32: no dtype shown
