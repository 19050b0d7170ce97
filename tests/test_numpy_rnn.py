"""rnncourse.numpy.RNN / RNNCell / LeakyRNN against torch.nn and torch.autograd.

Every expected value comes from torch: torch.nn modules for outputs, autograd for gradients, and
for LeakyRNN (which torch.nn lacks) a short loop of torch operations written from the equations.
"""

import itertools

import numpy as np
import pytest
import torch

from rnncourse.numpy import RNN, LeakyRNN, RNNCell

torch.set_num_threads(1)

I, H, T, B = 3, 5, 4, 2
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
LAYOUTS = ["seq_first", "batch_first", "unbatched", "unbatched_batch_first"]


def make_rnn_pair(nonlinearity, num_layers, bidirectional, batch_first, bias, dtype, seed=0):
    """A torch.nn.RNN and our RNN holding the same weights (torch's, loaded into ours)."""
    torch.manual_seed(seed)
    ref = torch.nn.RNN(I, H, num_layers, nonlinearity=nonlinearity, bias=bias, batch_first=batch_first,
                       bidirectional=bidirectional).to(TORCH_DTYPE[dtype])
    ours = RNN(I, H, num_layers, nonlinearity, bias, batch_first, 0.0, bidirectional, dtype=dtype, rng=seed + 1)
    ours.load_state_dict(ref.state_dict())
    return ref, ours


def make_data(layout, num_layers, bidirectional, with_state, dtype, seed=0):
    """Input (and initial state or None) as NumPy arrays shaped for ``layout``."""
    rng = np.random.default_rng(seed)
    x_shape = {"seq_first": (T, B, I), "batch_first": (B, T, I)}.get(layout, (T, I))
    x = rng.standard_normal(x_shape).astype(dtype)
    stack = num_layers * (2 if bidirectional else 1)
    h_shape = (stack, H) if layout.startswith("unbatched") else (stack, B, H)
    h0 = rng.standard_normal(h_shape).astype(dtype) if with_state else None
    return x, h0


FORWARD_GRID = list(itertools.product(["tanh", "relu"], [1, 2, 3], [False, True], LAYOUTS,
                                      [False, True], [True, False]))


@pytest.mark.parametrize("nonlinearity,num_layers,bidirectional,layout,with_state,bias", FORWARD_GRID)
def test_rnn_forward_matches_torch(nonlinearity, num_layers, bidirectional, layout, with_state, bias):
    for dtype, tol in [(np.float64, 1e-10), (np.float32, 1e-5)]:
        ref, ours = make_rnn_pair(nonlinearity, num_layers, bidirectional, "batch_first" in layout, bias, dtype)
        x, h0 = make_data(layout, num_layers, bidirectional, with_state, dtype)
        with torch.no_grad():
            if h0 is None:
                out_ref, hn_ref = ref(torch.from_numpy(x))
            else:
                out_ref, hn_ref = ref(torch.from_numpy(x), torch.from_numpy(h0))
        out, hn = ours(x, h0)
        assert out.shape == out_ref.shape and hn.shape == hn_ref.shape
        assert out.dtype == dtype and hn.dtype == dtype
        np.testing.assert_allclose(out, out_ref.numpy(), rtol=0, atol=tol)
        np.testing.assert_allclose(hn, hn_ref.numpy(), rtol=0, atol=tol)


def torch_grads(module, x, h0, grad_out, grad_hn):
    """Autograd gradients of L = Σ output ⊙ grad_out + Σ h_n ⊙ grad_hn."""
    x_t = torch.tensor(x, requires_grad=True)
    h0_t = None if h0 is None else torch.tensor(h0, requires_grad=True)
    out, hn = module(x_t) if h0_t is None else module(x_t, h0_t)
    loss = (out * torch.from_numpy(grad_out)).sum() + (hn * torch.from_numpy(grad_hn)).sum()
    loss.backward()
    params = {name: p.grad.numpy() for name, p in module.named_parameters()}
    return x_t.grad.numpy(), None if h0_t is None else h0_t.grad.numpy(), params


GRAD_GRID = list(itertools.product(["tanh", "relu"], [1, 2], [False, True], LAYOUTS[:3],
                                   [False, True], [True, False]))


@pytest.mark.parametrize("nonlinearity,num_layers,bidirectional,layout,with_state,bias", GRAD_GRID)
def test_rnn_gradients_match_autograd(nonlinearity, num_layers, bidirectional, layout, with_state, bias):
    ref, ours = make_rnn_pair(nonlinearity, num_layers, bidirectional, layout == "batch_first", bias, np.float64)
    x, h0 = make_data(layout, num_layers, bidirectional, with_state, np.float64)
    out, hn = ours(x, h0)
    rng = np.random.default_rng(1)
    grad_out, grad_hn = rng.standard_normal(out.shape), rng.standard_normal(hn.shape)
    dx_ref, dh0_ref, dp_ref = torch_grads(ref, x, h0, grad_out, grad_hn)

    dx, dh0, grads = ours.backward(grad_out, grad_hn)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-9)
    if h0 is not None:
        np.testing.assert_allclose(dh0, dh0_ref, rtol=0, atol=1e-9)
    assert list(grads) == list(dp_ref)  # every parameter, in torch.nn order
    for name in dp_ref:
        np.testing.assert_allclose(grads[name], dp_ref[name], rtol=0, atol=1e-9, err_msg=name)
    assert ours.grads is grads


def test_rnn_backward_with_only_output_or_only_state_gradient():
    ref, ours = make_rnn_pair("tanh", 2, True, False, True, np.float64)
    x, _ = make_data("seq_first", 2, True, False, np.float64)
    out, hn = ours(x)
    rng = np.random.default_rng(2)
    grad_out, grad_hn = rng.standard_normal(out.shape), rng.standard_normal(hn.shape)
    dx_ref, _, _ = torch_grads(ref, x, None, grad_out, np.zeros_like(grad_hn))
    np.testing.assert_allclose(ours.backward(grad_out)[0], dx_ref, rtol=0, atol=1e-9)
    dx_ref, _, _ = torch_grads(ref, x, None, np.zeros_like(grad_out), grad_hn)
    np.testing.assert_allclose(ours.backward(None, grad_hn)[0], dx_ref, rtol=0, atol=1e-9)


def test_rnn_accepts_torch_tensors_and_float32_gradients():
    ref, ours = make_rnn_pair("tanh", 1, False, False, True, np.float32)
    x = torch.randn(T, B, I)
    out, hn = ours(x)
    with torch.no_grad():
        out_ref, hn_ref = ref(x)
    np.testing.assert_allclose(out, out_ref.numpy(), rtol=0, atol=1e-5)
    x_t = x.clone().requires_grad_(True)
    ref(x_t)[0].sum().backward()
    dx, _, grads = ours.backward(np.ones(out.shape, np.float32))
    assert dx.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-5)


@pytest.mark.parametrize("nonlinearity,bias,batched,with_state",
                         list(itertools.product(["tanh", "relu"], [True, False], [True, False], [True, False])))
def test_rnn_cell_matches_torch(nonlinearity, bias, batched, with_state):
    torch.manual_seed(0)
    ref = torch.nn.RNNCell(I, H, bias=bias, nonlinearity=nonlinearity).double()
    ours = RNNCell(I, H, bias=bias, nonlinearity=nonlinearity, dtype=np.float64)
    ours.load_state_dict(ref.state_dict())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, I) if batched else (I,))
    h = rng.standard_normal((B, H) if batched else (H,)) if with_state else None
    grad_h = rng.standard_normal((B, H) if batched else (H,))

    x_t = torch.tensor(x, requires_grad=True)
    h_t = None if h is None else torch.tensor(h, requires_grad=True)
    new_ref = ref(x_t, h_t)
    (new_ref * torch.from_numpy(grad_h)).sum().backward()

    new = ours(x, h)
    np.testing.assert_allclose(new, new_ref.detach().numpy(), rtol=0, atol=1e-12)
    dx, dh, grads = ours.backward(grad_h)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-12)
    assert dh.shape == new.shape
    if h is not None:
        np.testing.assert_allclose(dh, h_t.grad.numpy(), rtol=0, atol=1e-12)
    assert list(grads) == [name for name, _ in ref.named_parameters()]
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=0, atol=1e-12, err_msg=name)


def test_rnn_cell_unrolled_equals_rnn():
    """Stepping an RNNCell through a sequence gives the one-layer RNN's outputs."""
    seq = RNN(I, H, dtype=np.float64, rng=0)
    cell = RNNCell(I, H, dtype=np.float64)
    cell.load_state_dict({name[:-3]: value for name, value in seq.state_dict().items()})  # drop "_l0"
    x, _ = make_data("seq_first", 1, False, False, np.float64)
    out, _ = seq(x)
    h = None
    for t in range(T):
        h = cell(x[t], h)
        np.testing.assert_allclose(h, out[t], rtol=0, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_state_dict_round_trip_with_torch(dtype):
    torch.manual_seed(3)
    ref = torch.nn.RNN(I, H, 2, bidirectional=True).to(TORCH_DTYPE[dtype])
    ours = RNN(I, H, 2, bidirectional=True, dtype=dtype, rng=0)
    x, _ = make_data("seq_first", 2, True, False, dtype)

    # ours -> torch.nn: same outputs
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    with torch.no_grad():
        out_ref, hn_ref = ref(torch.from_numpy(x))
    out, hn = ours(x)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, out_ref.numpy(), rtol=0, atol=tol)
    np.testing.assert_allclose(hn, hn_ref.numpy(), rtol=0, atol=tol)

    # torch.nn -> ours: identical values, ours keep their dtype and array identity
    with torch.no_grad():
        for p in ref.parameters():
            p.uniform_(-1, 1)
    arrays = {name: id(value) for name, value in ours.params.items()}
    ours.load_state_dict(ref.state_dict())
    for name, value in ref.state_dict().items():
        np.testing.assert_array_equal(ours.params[name], value.numpy())
        assert ours.params[name].dtype == dtype and id(ours.params[name]) == arrays[name]
    assert list(ours.state_dict()) == list(ref.state_dict())


def test_state_dict_is_a_copy_and_attributes_are_the_parameters():
    ours = RNN(I, H, 2, rng=0)
    sd = ours.state_dict()
    sd["weight_hh_l1"][...] = 0
    assert np.abs(ours.params["weight_hh_l1"]).sum() > 0
    assert ours.weight_hh_l1 is ours.params["weight_hh_l1"]
    with pytest.raises(AttributeError):
        ours.weight_hh_l2


def test_initialisation_and_parameter_count_like_torch():
    ours = RNN(I, H, 3, bidirectional=True, rng=0)
    ref = torch.nn.RNN(I, H, 3, bidirectional=True)
    assert {k: v.shape for k, v in ours.params.items()} == {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    assert ours.num_parameters() == sum(p.numel() for p in ref.parameters())
    bound = 1 / np.sqrt(H)
    values = np.concatenate([v.ravel() for v in ours.params.values()])
    assert values.min() >= -bound and values.max() <= bound and values.std() > bound / 3
    # the same seed gives the same model
    np.testing.assert_array_equal(RNN(I, H, rng=7).weight_ih_l0, RNN(I, H, rng=7).weight_ih_l0)


def test_dtype_conversion():
    ours = RNN(I, H, rng=0)
    assert ours.dtype == np.float32 and ours.weight_ih_l0.dtype == np.float32
    assert ours.double() is ours and all(v.dtype == np.float64 for v in ours.params.values())
    out, hn = ours(np.zeros((T, B, I)))
    assert out.dtype == np.float64 and hn.dtype == np.float64
    ours.float()
    assert ours(np.zeros((T, B, I), np.float32))[0].dtype == np.float32
    assert ours.to(torch.float64).dtype == np.float64
    assert repr(RNN(3, 4, 2, "relu", bidirectional=True)) == \
        "RNN(3, 4, num_layers=2, bidirectional=True, nonlinearity='relu')"


# ---- LeakyRNN: reference written from the equations with torch operations ------------------

def leaky_reference(sd, x, h0, num_layers, bidirectional):
    """h_t = (1 - α) h_{t-1} + α tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), layer by layer."""
    directions = ["", "_reverse"] if bidirectional else [""]
    layer_input, finals = x, []
    for layer in range(num_layers):
        outs = []
        for d, end in enumerate(directions):
            p = {name: sd[name + f"_l{layer}{end}"] for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "alpha"]}
            h, hs = h0[layer * len(directions) + d], []
            for x_t in (layer_input.flip(0) if d else layer_input):
                a = x_t @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
                h = (1 - p["alpha"]) * h + p["alpha"] * torch.tanh(a)
                hs.append(h)
            outs.append(torch.stack(hs).flip(0) if d else torch.stack(hs))
            finals.append(h)
        layer_input = torch.cat(outs, dim=-1)
    return layer_input, torch.stack(finals)


@pytest.mark.parametrize("num_layers,bidirectional,learn_alpha,alpha_kind,layout",
                         list(itertools.product([1, 2], [False, True], [False, True], ["scalar", "array"],
                                                ["seq_first", "batch_first"])))
def test_leaky_rnn_matches_torch_reference(num_layers, bidirectional, learn_alpha, alpha_kind, layout):
    alpha = 0.3 if alpha_kind == "scalar" else np.linspace(0.1, 1.0, H)
    batch_first = layout == "batch_first"
    ours = LeakyRNN(I, H, num_layers, True, batch_first, 0.0, bidirectional, alpha=alpha,
                    learn_alpha=learn_alpha, dtype=np.float64, rng=0)
    x, h0 = make_data(layout, num_layers, bidirectional, True, np.float64)
    sd = {name: torch.tensor(value, requires_grad=True) for name, value in ours.state_dict().items()}
    x_t, h0_t = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    out_ref, hn_ref = leaky_reference(sd, x_t.transpose(0, 1) if batch_first else x_t, h0_t,
                                      num_layers, bidirectional)
    if batch_first:
        out_ref = out_ref.transpose(0, 1)
    rng = np.random.default_rng(1)
    grad_out, grad_hn = rng.standard_normal(out_ref.shape), rng.standard_normal(hn_ref.shape)
    ((out_ref * torch.from_numpy(grad_out)).sum() + (hn_ref * torch.from_numpy(grad_hn)).sum()).backward()

    out, hn = ours(x, h0)
    np.testing.assert_allclose(out, out_ref.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(hn, hn_ref.detach().numpy(), rtol=0, atol=1e-10)
    dx, dh0, grads = ours.backward(grad_out, grad_hn)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(dh0, h0_t.grad.numpy(), rtol=0, atol=1e-9)
    expected = [name for name in sd if learn_alpha or not name.startswith("alpha")]
    assert list(grads) == expected
    for name in expected:
        np.testing.assert_allclose(grads[name], sd[name].grad.numpy(), rtol=0, atol=1e-9, err_msg=name)


def test_leaky_rnn_parameters():
    ours = LeakyRNN(I, H, 2, bidirectional=True, alpha=0.25, rng=0)
    names = [n for n in ours.params if n.startswith("alpha")]
    assert names == ["alpha_l0", "alpha_l0_reverse", "alpha_l1", "alpha_l1_reverse"]
    assert list(ours.params)[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "alpha_l0"]
    assert all(np.all(ours.params[n] == np.float32(0.25)) and ours.params[n].shape == (H,) for n in names)
    assert "alpha_l1" in ours.state_dict()


def test_leaky_rnn_with_alpha_one_is_the_elman_rnn():
    ref, rnn = make_rnn_pair("tanh", 2, True, False, True, np.float64)
    leaky = LeakyRNN(I, H, 2, bidirectional=True, alpha=1.0, dtype=np.float64)
    leaky.load_state_dict({**rnn.state_dict(), **{n: np.ones(H) for n in leaky.params if n.startswith("alpha")}})
    x, h0 = make_data("seq_first", 2, True, True, np.float64)
    with torch.no_grad():
        out_ref, hn_ref = ref(torch.from_numpy(x), torch.from_numpy(h0))
    out, hn = leaky(x, h0)
    np.testing.assert_allclose(out, out_ref.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(hn, hn_ref.numpy(), rtol=0, atol=1e-12)
