"""rnncourse.torch against torch.nn and against small explicit computations.

Expected values come from torch.nn (after loading the same weights) or from the equations written
out in this file; never from the module under test.
"""

import ast
import itertools
import pathlib
import re

import pytest
import torch

import rnncourse.torch as R

I, H, T, B = 4, 6, 5, 3
F64 = torch.float64


def _states(hn):
    return list(hn) if isinstance(hn, tuple) else [hn]


def _run(model, x, state):
    out, hn = model(x) if state is None else model(x, state)
    return [out] + _states(hn)


def _pair(name, dtype=F64, seed=0, **kw):
    """A torch.nn model and ours with torch.nn's weights loaded."""
    torch.manual_seed(seed)
    ref = getattr(torch.nn, name)(I, H, dtype=dtype, **kw)
    ours = getattr(R, name)(I, H, dtype=dtype, **kw)
    ours.load_state_dict(ref.state_dict())
    return ours, ref


def _inputs(name, dtype, num_layers, num_directions, layout, with_state, seed=1):
    g = torch.Generator().manual_seed(seed)
    shape = {"seq_first": (T, B, I), "batch_first": (B, T, I), "unbatched": (T, I)}[layout]
    x = torch.randn(shape, generator=g, dtype=dtype, requires_grad=True)
    if not with_state:
        return x, None
    s_shape = (num_layers * num_directions,) + ((H,) if layout == "unbatched" else (B, H))
    parts = [torch.randn(s_shape, generator=g, dtype=dtype, requires_grad=True)
             for _ in range(2 if name == "LSTM" else 1)]
    return x, (tuple(parts) if name == "LSTM" else parts[0])


def _leaves(x, state):
    return [x] + ([] if state is None else (list(state) if isinstance(state, tuple) else [state]))


def _grads(model, x, state, weights):
    """Gradients of sum(output * w0) + sum(h_n * w1) (+ sum(c_n * w2)) w.r.t. input, state, params."""
    loss = sum((o * w).sum() for o, w in zip(_run(model, x, state), weights))
    return torch.autograd.grad(loss, _leaves(x, state) + list(model.parameters()))


MODELS = [("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"}),
          ("LSTM", {}), ("GRU", {})]
GRID = list(itertools.product([1, 2, 3], [False, True], ["seq_first", "batch_first", "unbatched"],
                              [False, True], [True, False]))


@pytest.mark.parametrize("name, options", MODELS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("num_layers, bidirectional, layout, with_state, bias", GRID)
def test_matches_torch_nn(name, options, num_layers, bidirectional, layout, with_state, bias):
    kw = dict(options, num_layers=num_layers, bidirectional=bidirectional,
              batch_first=layout == "batch_first", bias=bias)
    D = 2 if bidirectional else 1
    for dtype, tol in [(F64, 1e-10), (torch.float32, 1e-5)]:
        ours, ref = _pair(name, dtype, **kw)
        x, state = _inputs(name, dtype, num_layers, D, layout, with_state)
        got, want = _run(ours, x, state), _run(ref, x, state)
        assert [g.shape for g in got] == [w.shape for w in want]
        for g, w in zip(got, want):
            assert g.dtype == dtype
            torch.testing.assert_close(g, w, rtol=0, atol=tol)
        if dtype == F64:
            gen = torch.Generator().manual_seed(2)
            weights = [torch.randn(w.shape, generator=gen, dtype=dtype) for w in want]
            for g, w in zip(_grads(ours, x, state, weights), _grads(ref, x, state, weights)):
                torch.testing.assert_close(g, w, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name, options", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                           ("LSTMCell", {}), ("GRUCell", {})])
@pytest.mark.parametrize("batched, with_state, bias", list(itertools.product([True, False], repeat=3)))
def test_cells_match_torch_nn(name, options, batched, with_state, bias):
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(I, H, bias=bias, dtype=F64, **options)
    ours = getattr(R, name)(I, H, bias=bias, dtype=F64, **options)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn((B, I) if batched else (I,), dtype=F64, requires_grad=True)
    shape = (B, H) if batched else (H,)
    state = None
    if with_state:
        parts = [torch.randn(shape, dtype=F64, requires_grad=True) for _ in range(2 if "LSTM" in name else 1)]
        state = tuple(parts) if "LSTM" in name else parts[0]
    got, want = ours(x, state), ref(x, state)
    got, want = _states(got), _states(want)
    loss_weights = [torch.randn(shape, dtype=F64) for _ in got]
    for g, w in zip(got, want):
        assert g.shape == w.shape == shape
        torch.testing.assert_close(g, w, rtol=0, atol=1e-12)
    grads = [torch.autograd.grad(sum((o * lw).sum() for o, lw in zip(outs, loss_weights)),
                                 _leaves(x, state) + list(m.parameters()))
             for outs, m in [(got, ours), (want, ref)]]
    for g, w in zip(*grads):
        torch.testing.assert_close(g, w, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name, kw", [("RNN", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
                                      ("GRU", {"num_layers": 3}), ("RNNCell", {}), ("LSTMCell", {}),
                                      ("GRUCell", {})])
def test_parameters_names_order_and_init_like_torch_nn(name, kw):
    torch.manual_seed(3)
    ref = getattr(torch.nn, name)(I, H, **kw)
    torch.manual_seed(3)
    ours = getattr(R, name)(I, H, **kw)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert list(ours.state_dict()) == list(ref.state_dict())
    for (n, p), q in zip(ours.named_parameters(), ref.parameters()):
        assert isinstance(p, torch.nn.Parameter) and p.requires_grad
        # same draws in the same order: U(-1/sqrt(H), 1/sqrt(H)) exactly as torch.nn
        assert torch.equal(p, q), n


def test_state_dict_loads_both_ways_strictly():
    ours = R.LSTM(I, H, num_layers=2, bidirectional=True, dtype=F64)
    ref = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, dtype=F64)
    assert not torch.equal(ref.weight_hh_l1_reverse, ours.weight_hh_l1_reverse)
    ref.load_state_dict(ours.state_dict(), strict=True)
    x = torch.randn(T, B, I, dtype=F64)
    for g, w in zip(_run(ours, x, None), _run(ref, x, None)):
        torch.testing.assert_close(g, w, rtol=0, atol=1e-10)


def test_device_and_dtype_keywords():
    m = R.GRU(I, H, num_layers=2, device="cpu", dtype=F64)
    assert all(p.dtype == F64 and p.device.type == "cpu" for p in m.parameters())
    out, h_n = m(torch.randn(T, B, I, dtype=F64))
    assert out.dtype == h_n.dtype == F64
    m = R.RNN(I, H).double()  # module conversion works as for torch.nn
    assert m(torch.randn(T, I, dtype=F64))[0].dtype == F64


def test_init_bounds_of_extra_parameters():
    m = R.LSTM(I, 400, peephole=True)
    for name in ("weight_ci_l0", "weight_cf_l0", "weight_co_l0"):
        p = getattr(m, name)
        assert p.shape == (400,) and p.abs().max() <= 1 / 20 and p.abs().max() > 0.04


# ---- LSTM options ------------------------------------------------------------------------------

def _peephole_lstm_reference(x, p, h, c):
    """LSTM with peepholes written out (Graves 2013): the output gate sees the new cell."""
    outs = []
    for x_t in x:
        z = x_t @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
        zi, zf, zg, zo = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
        i = 1 / (1 + torch.exp(-(zi + p["weight_ci"] * c)))
        f = 1 / (1 + torch.exp(-(zf + p["weight_cf"] * c)))
        c = f * c + i * torch.tanh(zg)
        o = 1 / (1 + torch.exp(-(zo + p["weight_co"] * c)))
        h = o * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs), h, c


def test_peephole_zero_equals_standard_and_nonzero_matches_reference():
    ref = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, dtype=F64)
    ours = R.LSTM(I, H, num_layers=2, bidirectional=True, peephole=True, dtype=F64)
    peep = [n for n, _ in ours.named_parameters() if n.startswith(("weight_ci", "weight_cf", "weight_co"))]
    assert len(peep) == 12
    sd = dict(ref.state_dict(), **{n: torch.zeros(H, dtype=F64) for n in peep})
    ours.load_state_dict(sd)
    x = torch.randn(T, B, I, dtype=F64)
    for g, w in zip(_run(ours, x, None), _run(ref, x, None)):
        torch.testing.assert_close(g, w, rtol=0, atol=1e-10)
    with torch.no_grad():
        ours.weight_co_l1_reverse.fill_(0.5)
    assert (ours(x)[0] - ref(x)[0]).abs().max() > 1e-3

    cell = R.LSTMCell(I, H, peephole=True, dtype=F64)  # random, nonzero peepholes
    seq = R.LSTM(I, H, peephole=True, dtype=F64)
    seq.load_state_dict({n + "_l0": v for n, v in cell.state_dict().items()})
    h0, c0 = torch.randn(1, B, H, dtype=F64), torch.randn(1, B, H, dtype=F64)
    want_out, want_h, want_c = _peephole_lstm_reference(x, dict(cell.named_parameters()), h0[0], c0[0])
    out, (h_n, c_n) = seq(x, (h0, c0))
    torch.testing.assert_close(out, want_out, rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n[0], want_h, rtol=0, atol=1e-12)
    torch.testing.assert_close(c_n[0], want_c, rtol=0, atol=1e-12)
    torch.testing.assert_close(cell(x[0], (h0[0], c0[0]))[1], _peephole_lstm_reference(
        x[:1], dict(cell.named_parameters()), h0[0], c0[0])[2], rtol=0, atol=1e-12)


def test_forget_bias():
    m = R.LSTM(I, H, num_layers=2, bidirectional=True, forget_bias=1.0)
    biases = [n for n in m.state_dict() if n.startswith("bias")]
    assert len(biases) == 8
    for n in biases:
        b = getattr(m, n).detach()
        assert torch.all(b[H:2 * H] == (1.0 if n.startswith("bias_ih") else 0.0)), n
        rest = torch.cat([b[:H], b[2 * H:]])
        assert rest.abs().max() <= 1 / H ** 0.5 and rest.std() > 0, n  # the other gates stay random
    cell = R.LSTMCell(I, H, forget_bias=2.0)
    assert torch.all(cell.bias_ih[H:2 * H] == 2.0) and torch.all(cell.bias_hh[H:2 * H] == 0.0)
    with pytest.raises(ValueError, match="forget_bias.*bias=True"):
        R.LSTM(I, H, bias=False, forget_bias=1.0)


# ---- GRU reset placement -----------------------------------------------------------------------

def _gru_reset_before_reference(x, p, h):
    """The original GRU (Cho et al. 2014): the reset gate scales h before W_hn."""
    W_ir, W_iz, W_in = p["weight_ih"].split(H)
    W_hr, W_hz, W_hn = p["weight_hh"].split(H)
    b_ir, b_iz, b_in = p["bias_ih"].split(H)
    b_hr, b_hz, b_hn = p["bias_hh"].split(H)
    sigmoid = lambda v: 1 / (1 + torch.exp(-v))  # noqa: E731
    outs = []
    for x_t in x:
        r = sigmoid(x_t @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = sigmoid(x_t @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = torch.tanh(x_t @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return torch.stack(outs), h


def test_gru_reset_before():
    after = R.GRU(I, H, dtype=F64)
    before = R.GRU(I, H, reset_after=False, dtype=F64)
    before.load_state_dict(after.state_dict())
    x, h0 = torch.randn(T, B, I, dtype=F64), torch.randn(1, B, H, dtype=F64)
    out, h_n = before(x, h0)
    assert (out - after(x, h0)[0]).abs().max() > 1e-3
    p = {n[:-3]: v for n, v in before.named_parameters()}  # weight_ih_l0 -> weight_ih
    want_out, want_h = _gru_reset_before_reference(x, p, h0[0])
    torch.testing.assert_close(out, want_out, rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n[0], want_h, rtol=0, atol=1e-12)
    cell = R.GRUCell(I, H, reset_after=False, dtype=F64)
    cell.load_state_dict({n[:-3]: v for n, v in before.state_dict().items()})
    torch.testing.assert_close(cell(x[0], h0[0]), want_out[0], rtol=0, atol=1e-12)
    no_bias = R.GRU(I, H, bias=False, reset_after=False, dtype=F64)
    p = dict({n[:-3]: v for n, v in no_bias.named_parameters()}, bias_ih=torch.zeros(3 * H, dtype=F64),
             bias_hh=torch.zeros(3 * H, dtype=F64))
    torch.testing.assert_close(no_bias(x, h0)[0], _gru_reset_before_reference(x, p, h0[0])[0],
                               rtol=0, atol=1e-12)


# ---- LeakyRNN ----------------------------------------------------------------------------------

def test_leaky_alpha_one_is_the_elman_rnn():
    ref = torch.nn.RNN(I, H, num_layers=2, bidirectional=True, batch_first=True, dtype=F64)
    ours = R.LeakyRNN(I, H, num_layers=2, bidirectional=True, batch_first=True, alpha=1.0, dtype=F64)
    alphas = [n for n in ours.state_dict() if n.startswith("alpha")]
    assert alphas == ["alpha_l0", "alpha_l0_reverse", "alpha_l1", "alpha_l1_reverse"]
    ours.load_state_dict(dict(ref.state_dict(), **{n: torch.ones(H, dtype=F64) for n in alphas}))
    x, h0 = torch.randn(B, T, I, dtype=F64), torch.randn(4, B, H, dtype=F64)
    for g, w in zip(_run(ours, x, h0), _run(ref, x, h0)):
        torch.testing.assert_close(g, w, rtol=0, atol=1e-12)


def test_leaky_matches_reference_with_per_unit_alpha():
    alpha = torch.linspace(0.1, 1.0, H, dtype=F64)
    m = R.LeakyRNN(I, H, alpha=alpha, dtype=F64)
    assert torch.equal(m.alpha_l0.detach(), alpha)
    p = dict(m.named_parameters())
    x, h = torch.randn(T, B, I, dtype=F64), torch.zeros(B, H, dtype=F64)
    want = []
    for x_t in x:
        candidate = torch.tanh(x_t @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T
                               + p["bias_hh_l0"])
        h = (1 - alpha) * h + alpha * candidate
        want.append(h)
    out, h_n = m(x)
    torch.testing.assert_close(out, torch.stack(want), rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n[0], h, rtol=0, atol=1e-12)


@pytest.mark.parametrize("learn_alpha", [False, True])
def test_learn_alpha_toggles_requires_grad(learn_alpha):
    m = R.LeakyRNN(I, H, num_layers=2, alpha=0.3, learn_alpha=learn_alpha)
    assert isinstance(m.alpha_l1, torch.nn.Parameter)
    assert m.alpha_l0.requires_grad is learn_alpha and m.alpha_l1.requires_grad is learn_alpha
    assert torch.allclose(m.alpha_l1, torch.full((H,), 0.3))
    assert m.weight_hh_l1.requires_grad
    m(torch.randn(T, B, I))[0].sum().backward()
    assert (m.alpha_l0.grad is not None) is learn_alpha
    assert m.weight_hh_l0.grad is not None


# ---- bad input ---------------------------------------------------------------------------------

def test_bad_input_wrong_rank():
    with pytest.raises(ValueError, match=r"input: expected a 3-D .* got tensor of shape \(2, 5, 3, 4\)"):
        R.GRU(I, H)(torch.randn(2, 5, 3, I))


def test_bad_input_wrong_feature_size():
    with pytest.raises(ValueError, match=r"input_size=4, got tensor of shape \(5, 3, 7\)"):
        R.RNN(I, H)(torch.randn(T, B, 7))


def test_bad_input_wrong_state_shape():
    with pytest.raises(ValueError, match=r"hx: expected shape \(2, 3, 6\).*got tensor of shape \(1, 3, 6\)"):
        R.GRU(I, H, num_layers=2)(torch.randn(T, B, I), torch.zeros(1, B, H))


def test_bad_input_lstm_state_not_a_tuple():
    with pytest.raises(TypeError, match=r"hx: expected a tuple \(h_0, c_0\)"):
        R.LSTM(I, H)(torch.randn(T, B, I), torch.zeros(1, B, H))


def test_bad_input_lstm_cell_state_shape():
    with pytest.raises(ValueError, match=r"c_0.*expected shape \(1, 3, 6\)"):
        R.LSTM(I, H)(torch.randn(T, B, I), (torch.zeros(1, B, H), torch.zeros(1, B, H + 1)))


def test_bad_input_integer_dtype():
    with pytest.raises(TypeError, match="input: expected a floating-point dtype.*int64"):
        R.LSTM(I, H)(torch.ones(T, B, I, dtype=torch.int64))


def test_bad_input_dtype_mismatch():
    with pytest.raises(TypeError, match="input: expected dtype float32.*float64"):
        R.RNN(I, H)(torch.randn(T, B, I, dtype=F64))


def test_bad_input_nan():
    x = torch.randn(T, B, I)
    x[2, 1, 0] = float("nan")
    with pytest.raises(ValueError, match="input: expected finite values, got NaN"):
        R.LSTM(I, H)(x)


def test_bad_input_numpy_array():
    with pytest.raises(TypeError, match="input: expected a torch tensor or a PackedSequence, got array"):
        R.RNN(I, H)(torch.randn(T, B, I).numpy())


def test_bad_cell_input_rank():
    with pytest.raises(ValueError, match=r"input: expected a 2-D \(batch, input_size\)"):
        R.LSTMCell(I, H)(torch.randn(T, B, I))


def test_bad_cell_state_shape():
    with pytest.raises(ValueError, match=r"hx: expected shape \(3, 6\) \(batch, hidden_size\)"):
        R.GRUCell(I, H)(torch.randn(B, I), torch.zeros(B, H + 1))


def test_bad_state_dict_missing_key():
    sd = R.LSTM(I, H).state_dict()
    del sd["bias_hh_l0"]
    with pytest.raises(ValueError, match=r"missing keys \['bias_hh_l0'\]"):
        R.LSTM(I, H).load_state_dict(sd)


def test_bad_state_dict_shape():
    sd = torch.nn.GRU(I, H + 1).state_dict()
    with pytest.raises(ValueError, match=r"state_dict\['weight_ih_l0'\]: expected shape \(18, 4\)"):
        R.GRU(I, H).load_state_dict(sd)


@pytest.mark.parametrize("make, error, message", [
    (lambda: R.RNN(I, 0), ValueError, "hidden_size: expected a positive integer"),
    (lambda: R.LSTM(I, H, num_layers=0), ValueError, "num_layers: expected a positive integer"),
    (lambda: R.GRU(I, 2.5), TypeError, "hidden_size: expected a positive integer"),
    (lambda: R.RNN(I, H, nonlinearity="sigmoid"), ValueError, "nonlinearity: expected 'tanh' or 'relu'"),
    (lambda: R.RNNCell(I, H, nonlinearity="gelu"), ValueError, "nonlinearity: expected 'tanh' or 'relu'"),
    (lambda: R.LeakyRNN(I, H, alpha=0.0), ValueError, r"alpha: expected leak rates in \(0, 1\]"),
    (lambda: R.LeakyRNN(I, H, alpha=1.5), ValueError, r"alpha: expected leak rates in \(0, 1\]"),
    (lambda: R.LeakyRNN(I, H, alpha=[0.5] * (H + 1)), ValueError, r"alpha: expected a float or an array of shape"),
    (lambda: R.LSTM(I, H, dtype=torch.int32), TypeError, "dtype: expected torch.float32 or torch.float64"),
], ids=["hidden0", "layers0", "hidden_float", "nonlinearity", "cell_nonlinearity", "alpha0", "alpha_big",
        "alpha_shape", "int_dtype"])
def test_bad_constructor_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---- written from the equations ----------------------------------------------------------------

FORBIDDEN = {"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNNCellBase", "_VF",
             "lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_cell", "gru_cell", "rnn_tanh_cell",
             "rnn_relu_cell", "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "mkldnn_rnn_layer"}


@pytest.mark.parametrize("path", sorted(pathlib.Path(R.__file__).parent.glob("*.py")), ids=lambda p: p.name)
def test_source_never_uses_torch_recurrent_modules(path):
    text = path.read_text()
    assert "_VF" not in text
    tree = ast.parse(text)
    for node in ast.walk(tree):
        # attribute access such as nn.LSTM, torch.nn.GRUCell, torch._VF, torch.lstm
        if isinstance(node, ast.Attribute):
            assert node.attr not in FORBIDDEN, f"{path.name}:{node.lineno} uses .{node.attr}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            names = {a.name for a in node.names}
            assert not names & FORBIDDEN, f"{path.name}:{node.lineno} imports {names & FORBIDDEN}"


def test_no_recurrent_kernel_runs():
    """At run time, neither forward nor backward dispatches to an RNN kernel of torch."""
    models = [R.RNN(I, H, bidirectional=True), R.LSTM(I, H, num_layers=2), R.GRU(I, H),
              R.LSTMCell(I, H), R.GRUCell(I, H), R.RNNCell(I, H), R.LeakyRNN(I, H)]
    with torch.autograd.profiler.profile() as prof:
        for m in models:
            out = m(torch.randn(T, B, I) if not type(m).__name__.endswith("Cell") else torch.randn(B, I))
            (out[0] if isinstance(out, tuple) else out).sum().backward()
    ops = {e.name for e in prof.function_events}
    assert any(op.startswith("aten::addmm") for op in ops)
    assert not [op for op in ops if re.search(r"lstm|gru|rnn", op, re.IGNORECASE)]
