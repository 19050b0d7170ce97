"""rnncourse.numpy.LSTM / LSTMCell / GRU / GRUCell against torch.nn and torch.autograd.

Expected values come from torch.nn (outputs, final states) and autograd (gradients) after loading
the same weights; the variants torch.nn lacks (peephole LSTM, Cho-style GRU) are compared with
rnncourse.torch in tests/test_cross_backend.py and checked by finite differences here.
"""

import itertools

import numpy as np
import pytest
import torch

from rnncourse.check import gradcheck
from rnncourse.numpy import GRU, LSTM, GRUCell, LSTMCell

torch.set_num_threads(1)

I, H, T, B = 3, 5, 4, 2
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
LAYOUTS = ["seq_first", "batch_first", "unbatched", "unbatched_batch_first"]
OURS = {"LSTM": LSTM, "GRU": GRU, "LSTMCell": LSTMCell, "GRUCell": GRUCell}


def make_pair(name, num_layers, bidirectional, batch_first, bias, dtype, seed=0):
    """A torch.nn model and ours holding the same weights (torch's, loaded into ours)."""
    torch.manual_seed(seed)
    ref = getattr(torch.nn, name)(I, H, num_layers, bias=bias, batch_first=batch_first,
                                  bidirectional=bidirectional).to(TORCH_DTYPE[dtype])
    ours = OURS[name](I, H, num_layers, bias, batch_first, 0.0, bidirectional, dtype=dtype, rng=seed + 1)
    ours.load_state_dict(ref.state_dict())
    return ref, ours


def make_data(name, layout, num_layers, bidirectional, with_state, dtype, seed=0):
    """Input and initial state (None, an array, or (h0, c0) for an LSTM) as NumPy arrays."""
    rng = np.random.default_rng(seed)
    x_shape = {"seq_first": (T, B, I), "batch_first": (B, T, I)}.get(layout, (T, I))
    x = rng.standard_normal(x_shape).astype(dtype)
    stack = num_layers * (2 if bidirectional else 1)
    h_shape = (stack, H) if layout.startswith("unbatched") else (stack, B, H)
    if not with_state:
        return x, None
    states = tuple(rng.standard_normal(h_shape).astype(dtype) for _ in range(2 if name == "LSTM" else 1))
    return x, states if name == "LSTM" else states[0]


def leaves(state):
    return list(state) if isinstance(state, tuple) else [state]


def to_torch(state, grad=False):
    if state is None:
        return None
    parts = [torch.tensor(s, requires_grad=grad) for s in leaves(state)]
    return tuple(parts) if len(parts) > 1 else parts[0]


GRID = list(itertools.product(["LSTM", "GRU"], [1, 2, 3], [False, True], LAYOUTS, [False, True],
                              [True, False]))


@pytest.mark.parametrize("name,num_layers,bidirectional,layout,with_state,bias", GRID)
def test_matches_torch_nn(name, num_layers, bidirectional, layout, with_state, bias):
    batch_first = "batch_first" in layout
    # outputs and final states, float32 and float64
    for dtype, tol in [(np.float32, 1e-5), (np.float64, 1e-10)]:
        ref, ours = make_pair(name, num_layers, bidirectional, batch_first, bias, dtype)
        x, s0 = make_data(name, layout, num_layers, bidirectional, with_state, dtype)
        x_t, s0_t = torch.tensor(x, requires_grad=True), to_torch(s0, grad=True)
        out_ref, final_ref = ref(x_t) if s0 is None else ref(x_t, s0_t)
        out, final = ours(x, s0)
        assert out.shape == out_ref.shape and out.dtype == dtype
        np.testing.assert_allclose(out, out_ref.detach().numpy(), rtol=0, atol=tol)
        assert len(leaves(final)) == len(leaves(final_ref))
        for mine, theirs in zip(leaves(final), leaves(final_ref)):
            assert mine.shape == theirs.shape and mine.dtype == dtype
            np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=0, atol=tol)

    # gradients of L = Σ output ⊙ R + Σ h_n ⊙ S (+ Σ c_n ⊙ S'), float64, against autograd
    rng = np.random.default_rng(1)
    grad_out = rng.standard_normal(out.shape)
    grad_final = tuple(rng.standard_normal(f.shape) for f in leaves(final))
    loss = (out_ref * torch.from_numpy(grad_out)).sum()
    loss = loss + sum((f * torch.from_numpy(g)).sum() for f, g in zip(leaves(final_ref), grad_final))
    loss.backward()
    dx, ds0, grads = ours.backward(grad_out, grad_final if name == "LSTM" else grad_final[0])
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-9)
    assert [d.shape for d in leaves(ds0)] == [f.shape for f in leaves(final)]
    if s0 is not None:
        for mine, theirs in zip(leaves(ds0), leaves(s0_t)):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=0, atol=1e-9)
    assert list(grads) == [n for n, _ in ref.named_parameters()]  # every parameter, torch.nn order
    for n, p in ref.named_parameters():
        np.testing.assert_allclose(grads[n], p.grad.numpy(), rtol=0, atol=1e-9, err_msg=n)


@pytest.mark.parametrize("name,bias,batched,with_state",
                         list(itertools.product(["LSTMCell", "GRUCell"], [True, False], [True, False],
                                                [True, False])))
def test_cell_matches_torch_nn(name, bias, batched, with_state):
    lstm = name == "LSTMCell"
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, I) if batched else (I,))
    shape = (B, H) if batched else (H,)
    s0 = tuple(rng.standard_normal(shape) for _ in range(2 if lstm else 1)) if with_state else None
    for dtype, tol in [(np.float32, 1e-5), (np.float64, 1e-12)]:
        ref = getattr(torch.nn, name)(I, H, bias=bias).to(TORCH_DTYPE[dtype])
        ours = OURS[name](I, H, bias=bias, dtype=dtype)
        ours.load_state_dict(ref.state_dict())
        x_t = torch.tensor(x.astype(dtype), requires_grad=True)
        s0_t = None if s0 is None else tuple(torch.tensor(s.astype(dtype), requires_grad=True) for s in s0)
        new_ref = ref(x_t, None if s0_t is None else (s0_t if lstm else s0_t[0]))
        arg = None if s0 is None else tuple(s.astype(dtype) for s in s0)
        new = ours(x.astype(dtype), None if arg is None else (arg if lstm else arg[0]))
        for mine, theirs in zip(leaves(new), leaves(new_ref)):
            assert mine.shape == theirs.shape and mine.dtype == dtype
            np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=0, atol=tol)

    grads_new = [rng.standard_normal(shape) for _ in leaves(new)]
    sum((f * torch.from_numpy(g)).sum() for f, g in zip(leaves(new_ref), grads_new)).backward()
    dx, ds0, grads = ours.backward(*grads_new)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-12)
    assert [d.shape for d in leaves(ds0)] == [shape] * len(leaves(new))
    if s0 is not None:
        for mine, theirs in zip(leaves(ds0), s0_t):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=0, atol=1e-12)
    assert list(grads) == [n for n, _ in ref.named_parameters()]
    for n, p in ref.named_parameters():
        np.testing.assert_allclose(grads[n], p.grad.numpy(), rtol=0, atol=1e-12, err_msg=n)


@pytest.mark.parametrize("cls,options", [(LSTM, {"peephole": True}), (GRU, {"reset_after": False})])
def test_float32_gradients_stay_float32(cls, options):
    m = cls(I, H, 2, bidirectional=True, rng=0, **options)
    out, _ = m(np.ones((T, B, I), np.float32))
    dx, ds0, grads = m.backward(np.ones(out.shape, np.float32))
    assert dx.dtype == np.float32 and all(d.dtype == np.float32 for d in leaves(ds0))
    assert all(g.dtype == np.float32 for g in grads.values()) and list(grads) == list(m.params)


def test_lstm_backward_with_only_cell_state_gradient():
    ref, ours = make_pair("LSTM", 2, True, False, True, np.float64)
    x, s0 = make_data("LSTM", "seq_first", 2, True, True, np.float64)
    out, (hn, cn) = ours(x, s0)
    grad_cn = np.random.default_rng(3).standard_normal(cn.shape)
    x_t = torch.tensor(x, requires_grad=True)
    (ref(x_t, to_torch(s0))[1][1] * torch.from_numpy(grad_cn)).sum().backward()
    dx, _, _ = ours.backward(None, (None, grad_cn))
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-9)


# ---- finite differences: every variant, including those torch.nn lacks ----------------------

def data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


GRADCHECK = [  # (class, options, num_layers, bidirectional): stacking and both directions covered
    (LSTM, {}, 1, True),
    (LSTM, {"peephole": True}, 2, True),
    (LSTM, {"peephole": True, "bias": False, "forget_bias": None}, 1, False),
    (GRU, {"reset_after": True}, 2, True),
    (GRU, {"reset_after": False}, 2, True),
    (GRU, {"reset_after": False, "bias": False}, 1, False),
]


@pytest.mark.parametrize("cls,options,num_layers,bidirectional", GRADCHECK, ids=lambda v: str(v))
def test_gradcheck(cls, options, num_layers, bidirectional):
    Hs = 3
    m = cls(I, Hs, num_layers, bidirectional=bidirectional, batch_first=True, dtype=np.float64, rng=0,
            **options)
    x = data(B, T, I)
    S = num_layers * (2 if bidirectional else 1)
    state = tuple(data(S, B, Hs, seed=s) for s in (1, 2)) if cls is LSTM else data(S, B, Hs, seed=1)
    errors = gradcheck(m, x, state, verbose=False)
    expected = {"input", "h_0", "c_0"} if cls is LSTM else {"input", "h_0"}
    assert set(errors) == set(m.params) | expected
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("cls,options", [(LSTMCell, {"peephole": True}), (GRUCell, {"reset_after": False})])
def test_gradcheck_cells(cls, options):
    m = cls(I, 4, dtype=np.float64, rng=0, **options)
    state = (data(B, 4, seed=1), data(B, 4, seed=2)) if cls is LSTMCell else data(B, 4, seed=1)
    errors = gradcheck(m, data(B, I), state, verbose=False)
    assert set(m.params) <= set(errors)
    assert max(errors.values()) < 1e-6, errors


# ---- options -------------------------------------------------------------------------------

def test_peephole_parameters_names_shapes_and_effect():
    m = LSTM(I, H, 2, bidirectional=True, peephole=True, dtype=np.float64, rng=0)
    names = list(m.params)
    assert names[:7] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ci_l0", "weight_cf_l0", "weight_co_l0"]
    assert "weight_co_l1_reverse" in names and m.params["weight_cf_l1"].shape == (H,)
    assert m.num_parameters() == LSTM(I, H, 2, bidirectional=True).num_parameters() + 4 * 3 * H
    # with zero peephole weights it is torch.nn.LSTM
    ref = torch.nn.LSTM(I, H, 2, bidirectional=True).double()
    m.load_state_dict({**{k: v for k, v in ref.state_dict().items()},
                       **{n: np.zeros(H) for n in names if n.startswith("weight_c")}})
    x = data(T, B, I)
    with torch.no_grad():
        out_ref, _ = ref(torch.from_numpy(x))
    np.testing.assert_allclose(m(x)[0], out_ref.numpy(), rtol=0, atol=1e-12)
    m.params["weight_co_l1"][...] = 0.5
    assert np.abs(m(x)[0] - out_ref.numpy()).max() > 1e-3
    assert "weight_ci" in LSTMCell(I, H, peephole=True).params


@pytest.mark.parametrize("cls", [LSTM, LSTMCell])
def test_forget_bias(cls):
    m = cls(I, H, forget_bias=1.0, rng=0)
    for name, value in m.params.items():
        if name.startswith("bias_ih"):
            assert np.all(value[H:2 * H] == 1.0) and np.abs(value[:H]).max() <= 1 / np.sqrt(H)
        elif name.startswith("bias_hh"):
            assert np.all(value[H:2 * H] == 0.0) and np.any(value[2 * H:] != 0)
    with pytest.raises(ValueError, match=r"forget_bias: needs bias=True"):
        cls(I, H, bias=False, forget_bias=1.0)
    # the same rule as rnncourse.torch
    import rnncourse.torch as rtorch
    theirs = getattr(rtorch, cls.__name__)(I, H, forget_bias=2.0)
    for name, value in theirs.state_dict().items():
        if name.startswith("bias"):
            expected = 2.0 if name.startswith("bias_ih") else 0.0
            assert torch.all(value[H:2 * H] == expected)


def test_reset_after_false_differs_from_torch_nn():
    ref, ours = make_pair("GRU", 1, False, False, True, np.float64)
    cho = GRU(I, H, reset_after=False, dtype=np.float64)
    cho.load_state_dict(ours.state_dict())
    x = data(T, B, I)
    assert np.abs(cho(x)[0] - ours(x)[0]).max() > 1e-4
    assert repr(cho) == "GRU(3, 5, reset_after=False, dtype=float64)"
    assert repr(LSTM(3, 5, 2, peephole=True, forget_bias=1.0)) == \
        "LSTM(3, 5, num_layers=2, peephole=True, forget_bias=1.0)"


# ---- state_dict both ways --------------------------------------------------------------------

@pytest.mark.parametrize("name,dtype", list(itertools.product(["LSTM", "GRU"], [np.float32, np.float64])))
def test_state_dict_round_trip_with_torch_nn(name, dtype):
    torch.manual_seed(3)
    ref = getattr(torch.nn, name)(I, H, 2, bidirectional=True).to(TORCH_DTYPE[dtype])
    ours = OURS[name](I, H, 2, bidirectional=True, dtype=dtype, rng=0)
    x = data(T, B, I).astype(dtype)
    # ours -> torch.nn
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    with torch.no_grad():
        out_ref, final_ref = ref(torch.from_numpy(x))
    out, final = ours(x)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, out_ref.numpy(), rtol=0, atol=tol)
    for mine, theirs in zip(leaves(final), leaves(final_ref)):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=0, atol=tol)
    # torch.nn -> ours: identical values, dtype and array identity kept
    with torch.no_grad():
        for p in ref.parameters():
            p.uniform_(-1, 1)
    ids = {n: id(v) for n, v in ours.params.items()}
    ours.load_state_dict(ref.state_dict())
    for n, value in ref.state_dict().items():
        np.testing.assert_array_equal(ours.params[n], value.numpy())
        assert ours.params[n].dtype == dtype and id(ours.params[n]) == ids[n]
    assert list(ours.state_dict()) == list(ref.state_dict())


def test_cell_unrolled_equals_sequence_model():
    for seq, cell, lstm in [(LSTM(I, H, peephole=True, dtype=np.float64, rng=0),
                             LSTMCell(I, H, peephole=True, dtype=np.float64), True),
                            (GRU(I, H, reset_after=False, dtype=np.float64, rng=0),
                             GRUCell(I, H, reset_after=False, dtype=np.float64), False)]:
        cell.load_state_dict({n[:-3]: v for n, v in seq.state_dict().items()})  # drop "_l0"
        x = data(T, B, I)
        out, _ = seq(x)
        state = None
        for t in range(T):
            state = cell(x[t], state)
            np.testing.assert_allclose(state[0] if lstm else state, out[t], rtol=0, atol=1e-14)


# ---- bad input ---------------------------------------------------------------------------------

def test_lstm_state_must_be_a_tuple():
    m = LSTM(I, H, dtype=np.float64)
    with pytest.raises(TypeError, match=r"hx: expected a tuple of 2 arrays \(h_0, c_0\), got array of shape"):
        m(np.zeros((T, B, I)), np.zeros((1, B, H)))
    with pytest.raises(TypeError, match=r"hx: expected a tuple of 2 arrays"):
        LSTMCell(I, H, dtype=np.float64)(np.zeros((B, I)), np.zeros((B, H)))


def test_lstm_wrong_c0_shape():
    m = LSTM(I, H, 2, dtype=np.float64)
    with pytest.raises(ValueError, match=r"c_0: expected shape \(2, 2, 5\) \(num_layers \* num_directions, "
                                         r"batch, hidden_size\), got array of shape \(2, 2, 4\)"):
        m(np.zeros((T, B, I)), (np.zeros((2, B, H)), np.zeros((2, B, 4))))


def test_lstm_gru_backward_before_forward():
    for m in [LSTM(I, H), GRU(I, H), LSTMCell(I, H), GRUCell(I, H)]:
        with pytest.raises(ValueError, match=r"backward: call forward first"):
            m.backward(None)
