"""Parity with torch.nn for the options added with issue 18: dropout between layers, packed and
variable-length batches, projections; and the rules around them (errors, NaN weights).

The references are torch.nn's modules and autograd, computed here on the same weights:

- dropout: ``rnncourse.torch`` draws its masks as torch.nn does, so after the same
  ``torch.manual_seed`` both must agree to rounding; the NumPy backend draws its own masks, so it
  is compared with torch.nn's single-layer modules chained by hand with the NumPy model's masks
  (the chain is checked against torch.nn's multi-layer module first), and by finite differences
  with the masks fixed;
- packed batches: torch.nn on ``pack_padded_sequence`` (sorted and unsorted), against our packed
  input and our ``lengths=``;
- projections: ``torch.nn.LSTM(proj_size=...)``.
"""

import itertools
import warnings

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch
from rnncourse.check import gradcheck
from rnncourse.errors import ArgumentTypeError, DTypeError, ShapeError, StateDictError

torch.set_num_threads(1)
F64 = torch.float64
I, H = 3, 5
CONFIGS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("LSTM", {"proj_size": 2}),
           ("GRU", {})]


def pair(name, options, num_layers=2, bidirectional=False, batch_first=False, dropout=0.0, seed=0):
    """torch.nn's module and ours of ``backend`` holding the same weights (float64)."""
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = getattr(torch.nn, name)(I, H, num_layers, bias=True, batch_first=batch_first,
                                      dropout=dropout, bidirectional=bidirectional, dtype=F64, **options)
    return ref


def ours(backend, ref, name, options, num_layers=2, bidirectional=False, batch_first=False, dropout=0.0):
    module = {"torch": rtorch, "numpy": rnp}[backend]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = getattr(module, name)(I, H, num_layers, bias=True, batch_first=batch_first,
                                      dropout=dropout, bidirectional=bidirectional, dtype=F64, **options)
    model.load_state_dict({k: v.detach().clone() for k, v in ref.state_dict().items()})
    return model


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def _tensor(x):
    return x.detach().double() if torch.is_tensor(x) else torch.from_numpy(np.array(x, np.float64))


def largest(a, b):
    """Largest absolute difference of two arrays / tensors (or tuples of them) of the same shape."""
    a, b = as_tuple(a), as_tuple(b)
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        x, y = _tensor(x), _tensor(y)
        assert x.shape == y.shape
        worst = max(worst, float((x - y).abs().max()) if x.numel() else 0.0)
    return worst


def autograd(module, x, hx, grad_out, grad_state, packed_lengths=None):
    """Output, final state and every gradient of sum(out * grad_out) + sum(h_n * grad_state)."""
    x = x.clone().requires_grad_()
    hx = tuple(h.clone().requires_grad_() for h in as_tuple(hx))
    given = x if packed_lengths is None else pack_padded_sequence(x, packed_lengths, enforce_sorted=False)
    out, state = module(given, hx if len(hx) > 1 else hx[0])
    if packed_lengths is not None:
        out, _ = pad_packed_sequence(out, total_length=x.shape[0])
    loss = (out * grad_out).sum() + sum((s * g).sum() for s, g in zip(as_tuple(state), grad_state))
    params = [p for p in module.parameters()]
    grads = torch.autograd.grad(loss, [x, *hx, *params])
    names = [n for n, _ in module.named_parameters()]
    return out.detach(), tuple(s.detach() for s in as_tuple(state)), grads[0], grads[1:1 + len(hx)], \
        dict(zip(names, grads[1 + len(hx):]))


def problem(name, options, B=4, T_=6, bidirectional=False, seed=1, num_layers=2):
    g = torch.Generator().manual_seed(seed)
    D = 2 if bidirectional else 1
    P = options.get("proj_size", 0) or H
    x = torch.randn(T_, B, I, generator=g, dtype=F64)
    sizes = (P, H) if name == "LSTM" else (H,)
    hx = tuple(torch.randn(num_layers * D, B, n, generator=g, dtype=F64) for n in sizes)
    grad_out = torch.randn(T_, B, D * P, generator=g, dtype=F64)
    grad_state = tuple(torch.randn(num_layers * D, B, n, generator=g, dtype=F64) for n in sizes)
    return x, hx, grad_out, grad_state


# ---- dropout ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, options", CONFIGS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("packed", [False, True])
def test_torch_backend_dropout_is_torch_nn_with_the_same_seed(name, options, bidirectional, packed):
    ref = pair(name, options, 3, bidirectional, dropout=0.4)
    model = ours("torch", ref, name, options, 3, bidirectional, dropout=0.4)
    x, hx, grad_out, grad_state = problem(name, options, bidirectional=bidirectional, num_layers=3)
    lengths = [6, 2, 4, 1] if packed else None
    torch.manual_seed(11)
    want = autograd(ref, x, hx, grad_out, grad_state, lengths)
    torch.manual_seed(11)
    got = autograd(model, x, hx, grad_out, grad_state, lengths)
    assert largest(got[0], want[0]) < 1e-12 and largest(got[1], want[1]) < 1e-12
    assert largest(got[2], want[2]) < 1e-12 and largest(got[3], want[3]) < 1e-12
    assert max(largest(got[4][k], want[4][k]) for k in want[4]) < 1e-12
    # and dropout did act: the same call without it differs
    model.eval()
    assert largest(autograd(model, x, hx, grad_out, grad_state, lengths)[0], want[0]) > 1e-3


def chained(ref, masks, x, hx, name, layers_out=None):
    """torch.nn's multi-layer module computed as its single layers, the outputs of every layer but
    the last multiplied by ``masks`` (what dropout does). ``layers_out``: a list that receives the
    single-layer modules."""
    D = 2 if ref.bidirectional else 1
    layers, finals, h = [], [], x
    for k in range(ref.num_layers):
        layer = getattr(torch.nn, name)(h.shape[-1], ref.hidden_size, bidirectional=ref.bidirectional,
                                        proj_size=ref.proj_size, dtype=F64) if name == "LSTM" else \
            getattr(torch.nn, name)(h.shape[-1], ref.hidden_size, bidirectional=ref.bidirectional,
                                    dtype=F64, **({"nonlinearity": ref.nonlinearity} if name == "RNN" else {}))
        layer.load_state_dict({n.replace(f"_l{k}", "_l0"): v for n, v in ref.state_dict().items()
                               if f"_l{k}" in n})
        layers.append(layer)
        state = tuple(s[k * D:(k + 1) * D] for s in hx)
        h, final = layer(h, state if len(state) > 1 else state[0])
        finals.append(as_tuple(final))
        if k < ref.num_layers - 1:
            h = h * masks[k]
    if layers_out is not None:
        layers_out.extend(layers)
    return h, tuple(torch.cat(parts) for parts in zip(*finals))


@pytest.mark.parametrize("name, options", CONFIGS)
def test_the_chain_of_layers_is_torch_nn_with_dropout(name, options):
    """The reference of the next test, itself checked: torch.nn with dropout = its layers chained
    with the masks torch.nn drew (recovered by running dropout on ones with the same seed)."""
    ref = pair(name, options, 3, True, dropout=0.5)
    x, hx, _, _ = problem(name, options, bidirectional=True, num_layers=3)
    torch.manual_seed(3)
    out, state = ref(x, hx if len(hx) > 1 else hx[0])
    torch.manual_seed(3)
    P = options.get("proj_size", 0) or H
    masks = [torch.nn.functional.dropout(torch.ones(x.shape[0], x.shape[1], 2 * P, dtype=F64), 0.5)
             for _ in range(2)]
    want_out, want_state = chained(ref, masks, x, hx, name)
    assert largest(out, want_out) < 1e-12 and largest(state, want_state) < 1e-12


@pytest.mark.parametrize("name, options", CONFIGS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_numpy_dropout_with_its_masks_is_torch_nn_with_the_same_masks(name, options, bidirectional):
    ref = pair(name, options, 3, bidirectional, dropout=0.3)
    model = ours("numpy", ref, name, options, 3, bidirectional, dropout=0.3)
    x, hx, grad_out, grad_state = problem(name, options, bidirectional=bidirectional, num_layers=3)
    out, state = model(x.numpy(), tuple(h.numpy() for h in hx) if len(hx) > 1 else hx[0].numpy())
    masks = [torch.from_numpy(m) for m in model.dropout_masks]
    assert len(masks) == 2 and {float(v) for v in np.unique(masks[0])} == {0.0, 1 / 0.7}
    dx, dh0, grads = model.backward(grad_out.numpy(),
                                    tuple(g.numpy() for g in grad_state) if len(hx) > 1 else grad_state[0].numpy())

    x_ = x.clone().requires_grad_()
    hx_ = tuple(h.clone().requires_grad_() for h in hx)
    layers = []
    want_out, want_state = chained(ref, masks, x_, hx_, name, layers)
    loss = (want_out * grad_out).sum() + sum((s * g).sum() for s, g in zip(want_state, grad_state))
    params = {n.replace("_l0", f"_l{k}"): p for k, layer in enumerate(layers)
              for n, p in layer.named_parameters()}
    want_dx, *rest = torch.autograd.grad(loss, [x_, *hx_, *params.values()])
    want_dh0, want_grads = tuple(rest[:len(hx)]), dict(zip(params, rest[len(hx):]))
    assert largest(out, want_out) < 1e-12 and largest(state, want_state) < 1e-12
    assert largest(dx, want_dx) < 1e-12 and largest(dh0, want_dh0) < 1e-12
    assert set(grads) == set(want_grads)
    assert max(largest(grads[k], want_grads[k]) for k in grads) < 1e-12


@pytest.mark.parametrize("name, options", CONFIGS + [("LeakyRNN", {"learn_alpha": True}),
                                                     ("LSTM", {"peephole": True, "proj_size": 2}),
                                                     ("GRU", {"reset_after": False})])
def test_numpy_dropout_gradients_by_finite_differences(name, options):
    model = getattr(rnp, name)(I, 3, 2, bidirectional=True, dropout=0.5, dtype=np.float64, rng=2,
                               **options)
    x = np.random.default_rng(0).standard_normal((4, 2, I))
    errors = gradcheck(model, x, verbose=False)
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_catches_a_backward_that_forgets_the_mask():
    class Forgets(rnp.RNN):
        def backward(self, grad_output=None, grad_state=None):
            self._cache["masks"] = [np.ones_like(m) for m in self._cache["masks"]]
            return super().backward(grad_output, grad_state)

    model = Forgets(I, 4, 2, dropout=0.5, dtype=np.float64, rng=0)
    errors = gradcheck(model, np.random.default_rng(0).standard_normal((5, 3, I)), verbose=False)
    assert errors["weight_ih_l0"] > 1e-3 and errors["weight_ih_l1"] < 1e-6


@pytest.mark.parametrize("backend", [rtorch, rnp])
def test_dropout_only_in_training_mode(backend):
    model = backend.GRU(I, H, 3, dropout=0.5, dtype=F64 if backend is rtorch else np.float64)
    x = torch.randn(6, 2, I, dtype=F64)
    x = x if backend is rtorch else x.numpy()
    first, second = model(x)[0], model(x)[0]
    assert largest(first, second) > 1e-3                 # fresh masks each time in training
    model.eval()
    assert not model.training
    evaluated = model(x)[0]
    model.dropout = 0.0
    model.train()
    assert largest(evaluated, model(x)[0]) == 0          # eval = no dropout
    assert model.train(False) is model and not model.training


def test_numpy_dropout_masks_have_the_right_statistics():
    model = rnp.RNN(I, 200, 2, dropout=0.25, rng=0)
    model(np.zeros((50, 8, I), np.float32))
    (mask,) = model.dropout_masks
    assert mask.shape == (50, 8, 200) and mask.dtype == np.float32
    assert abs((mask == 0).mean() - 0.25) < 0.01
    assert np.allclose(mask[mask > 0], 1 / 0.75)
    model.rng = np.random.default_rng(5)
    model(np.zeros((50, 8, I), np.float32))
    again = model.dropout_masks[0]
    model.rng = np.random.default_rng(5)
    model(np.zeros((50, 8, I), np.float32))
    assert np.array_equal(again, model.dropout_masks[0])   # the same generator state, the same masks


# ---- packed sequences and lengths ------------------------------------------------------------------
LENGTHS = [[6, 6, 3, 1], [2, 6, 1, 4]]          # sorted, unsorted


@pytest.mark.parametrize("name, options", CONFIGS + [("LSTM", {"proj_size": 3})])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("lengths", LENGTHS)
def test_torch_backend_packed_is_torch_nn(name, options, bidirectional, lengths):
    ref = pair(name, options, 2, bidirectional)
    model = ours("torch", ref, name, options, 2, bidirectional)
    x, hx, grad_out, grad_state = problem(name, options, bidirectional=bidirectional)
    mask = (torch.arange(6)[:, None] < torch.tensor(lengths))[..., None]
    grad_out = grad_out * mask
    want = autograd(ref, x, hx, grad_out, grad_state, lengths)
    got = autograd(model, x, hx, grad_out, grad_state, lengths)
    for a, b in zip(got[:4], want[:4]):
        assert largest(a, b) < 1e-12
    assert max(largest(got[4][k], want[4][k]) for k in want[4]) < 1e-12
    # the packed output is a PackedSequence with torch.nn's layout
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    out, _ = model(packed, hx if len(hx) > 1 else hx[0])
    assert isinstance(out, PackedSequence)
    assert torch.equal(out.batch_sizes, packed.batch_sizes) and torch.equal(out.sorted_indices, packed.sorted_indices)
    # lengths= (an rnncourse extra) is the same computation without packing
    out_l, state_l = model(x, hx if len(hx) > 1 else hx[0], lengths=lengths)
    assert largest(out_l, want[0]) < 1e-12 and largest(state_l, want[1]) < 1e-12


@pytest.mark.parametrize("name, options", CONFIGS + [("LSTM", {"proj_size": 3})])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("lengths", LENGTHS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_numpy_lengths_are_torch_nn_packed(name, options, bidirectional, lengths, batch_first):
    ref = pair(name, options, 2, bidirectional)
    model = ours("numpy", ref, name, options, 2, bidirectional, batch_first=batch_first)
    x, hx, grad_out, grad_state = problem(name, options, bidirectional=bidirectional)
    want = autograd(ref, x, hx, grad_out, grad_state, lengths)
    flip = (lambda a: a.transpose(0, 1)) if batch_first else (lambda a: a)
    hx_np = tuple(h.numpy() for h in hx)
    out, state = model(flip(x).numpy(), hx_np if len(hx) > 1 else hx_np[0], lengths=lengths)
    dx, dh0, grads = model.backward(flip(grad_out).numpy(),
                                    tuple(g.numpy() for g in grad_state) if len(hx) > 1 else grad_state[0].numpy())
    assert largest(flip(torch.from_numpy(out)), want[0]) < 1e-12       # zeros past each end included
    assert largest(state, want[1]) < 1e-12
    assert largest(flip(torch.from_numpy(dx)), want[2]) < 1e-12         # the padding gets none
    assert largest(dh0, want[3]) < 1e-12
    assert max(largest(grads[k], want[4][k]) for k in want[4]) < 1e-12


@pytest.mark.parametrize("name, options", CONFIGS)
def test_numpy_packed_in_and_out(name, options):
    ref = pair(name, options, 2, True)
    model = ours("numpy", ref, name, options, 2, True)
    x, hx, grad_out, _ = problem(name, options, bidirectional=True)
    packed = pack_padded_sequence(x, LENGTHS[1], enforce_sorted=False)
    out, state = model(packed)
    want_out, want_state = ref(packed)
    assert isinstance(out, PackedSequence) and isinstance(out.data, np.ndarray)
    assert largest(out.data, want_out.data) < 1e-12 and largest(state, want_state) < 1e-12
    grad_data = pack_padded_sequence(grad_out, LENGTHS[1], enforce_sorted=False).data
    dx, _, grads = model.backward(grad_data.numpy())
    x_ = x.clone().requires_grad_()
    (ref(pack_padded_sequence(x_, LENGTHS[1], enforce_sorted=False))[0].data * grad_data).sum().backward()
    assert dx.shape == packed.data.shape
    assert largest(dx, pack_padded_sequence(x_.grad, LENGTHS[1], enforce_sorted=False).data) < 1e-12
    with pytest.raises(ValueError, match="lengths: a PackedSequence carries its own lengths"):
        model(packed, lengths=LENGTHS[1])


@pytest.mark.parametrize("backend", ["torch", "numpy"])
def test_the_padding_is_never_read(backend):
    ref = pair("LSTM", {}, 2, True)
    model = ours(backend, ref, "LSTM", {}, 2, True)
    x = torch.randn(6, 3, I, dtype=F64)
    noisy = x.clone()
    lengths = [6, 2, 4]
    for b, n in enumerate(lengths):
        noisy[n:, b] = 100 * torch.randn(6 - n, I, dtype=F64)
    inputs = (x, noisy) if backend == "torch" else (x.numpy(), noisy.numpy())
    clean, dirty = (model(v, lengths=lengths) for v in inputs)
    assert largest(clean[0], dirty[0]) == 0 and largest(clean[1], dirty[1]) == 0


@pytest.mark.parametrize("name, options", CONFIGS + [("LeakyRNN", {"learn_alpha": True}),
                                                     ("GRU", {"reset_after": False}),
                                                     ("LSTM", {"peephole": True})])
def test_numpy_lengths_gradients_by_finite_differences(name, options):
    model = getattr(rnp, name)(I, 3, 2, bidirectional=True, dtype=np.float64, rng=1, **options)
    x = np.random.default_rng(0).standard_normal((4, 3, I))
    errors = gradcheck(model, x, lengths=[4, 2, 1], verbose=False)
    assert max(errors.values()) < 1e-6, errors


def test_relu_rnn_over_a_long_padding_stays_finite():
    # a ReLU layer whose state triples at each step would overflow float32 within 100 steps of
    # padding if it kept running there; the result must be that of the unpadded batch
    model = rnp.RNN(1, 8, nonlinearity="relu", rng=0)
    model.weight_hh_l0[...] = np.eye(8) * 3
    model.weight_ih_l0[...] = 1
    x = np.ones((300, 2, 1), np.float32)
    out, h = model(x, lengths=[3, 5])
    _, _, grads = model.backward(np.ones_like(out), np.ones_like(h))
    short_out, short_h = model(x[:5], lengths=[3, 5])
    _, _, short_grads = model.backward(np.ones_like(short_out), np.ones_like(short_h))
    assert np.isfinite(out).all() and np.array_equal(out[:5], short_out) and not out[5:].any()
    assert all(np.array_equal(grads[k], short_grads[k]) for k in grads)


def test_torch_backend_packed_gradcheck():
    model = rtorch.GRU(2, 3, 2, bidirectional=True, dropout=0.0, dtype=F64)
    x = torch.randn(4, 3, 2, dtype=F64, requires_grad=True)

    def f(x):
        out, h = model(pack_padded_sequence(x, [4, 1, 3], enforce_sorted=False))
        return out.data, h

    assert torch.autograd.gradcheck(f, (x,))


@pytest.mark.parametrize("backend", [rtorch, rnp])
@pytest.mark.parametrize("lengths, error, pattern", [
    ([4, 0], ValueError, r"lengths: expected every length in 1\.\.4"),
    ([4, 5], ValueError, r"lengths: expected every length in 1\.\.4"),
    ([4], ShapeError, r"lengths: expected shape \(2,\)"),
    ([4.0, 2.0], TypeError, r"lengths: expected integers"),
])
def test_bad_lengths(backend, lengths, error, pattern):
    model = backend.RNN(I, H)
    x = torch.zeros(4, 2, I)
    with pytest.raises(error, match=pattern):
        model(x if backend is rtorch else x.numpy(), lengths=lengths)


# ---- projections --------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["torch", "numpy"])
@pytest.mark.parametrize("bidirectional, batch_first, proj_size",
                         list(itertools.product([False, True], [False, True], [1, 3])))
def test_projections_are_torch_nn(backend, bidirectional, batch_first, proj_size):
    options = {"proj_size": proj_size}
    ref = pair("LSTM", options, 2, bidirectional, batch_first)
    model = ours(backend, ref, "LSTM", options, 2, bidirectional, batch_first)
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == \
           {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    x, hx, grad_out, grad_state = problem("LSTM", options, bidirectional=bidirectional)
    flip = (lambda a: a.transpose(0, 1)) if batch_first else (lambda a: a)
    ref_x = flip(x)
    want = autograd(ref, ref_x, hx, flip(grad_out), grad_state)
    if backend == "torch":
        got = autograd(model, ref_x, hx, flip(grad_out), grad_state)
        grads = got[4]
    else:
        out, state = model(ref_x.numpy(), tuple(h.numpy() for h in hx))
        dx, dh0, grads = model.backward(flip(grad_out).numpy(), tuple(g.numpy() for g in grad_state))
        got = (out, state, dx, dh0)
    for a, b in zip(got[:4], want[:4]):
        assert largest(a, b) < 1e-12
    assert max(largest(grads[k], want[4][k]) for k in want[4]) < 1e-12


def test_projection_gradients_by_finite_differences():
    for options in ({"proj_size": 2}, {"proj_size": 3, "peephole": True}):
        model = rnp.LSTM(I, 4, 2, bidirectional=True, dtype=np.float64, rng=4, **options)
        x = np.random.default_rng(1).standard_normal((4, 3, I))
        h0 = tuple(np.random.default_rng(2).standard_normal((4, 3, n)) for n in (options["proj_size"], 4))
        errors = gradcheck(model, x, h0, verbose=False)
        assert "weight_hr_l1_reverse" in errors and max(errors.values()) < 1e-6, errors


# ---- errors derive from both conventions; one rule for NaN weights ---------------------------------
@pytest.mark.parametrize("backend", [rtorch, rnp])
def test_exceptions_are_caught_by_either_convention(backend):
    model = backend.LSTM(I, H)
    cases = [(lambda: model(torch.zeros(4, 2, I + 1)), ShapeError),
             (lambda: model(torch.zeros(4, 2, I, dtype=F64)), DTypeError),
             (lambda: model.load_state_dict({}), StateDictError),
             (lambda: backend.RNN(I, H, 2, dropout="0.5"), ArgumentTypeError)]
    for call, error in cases:
        with pytest.raises(error) as info:
            call()
        wanted = {ShapeError: (ValueError, RuntimeError), DTypeError: (TypeError, ValueError, RuntimeError),
                  StateDictError: (ValueError, RuntimeError), ArgumentTypeError: (TypeError, ValueError)}[error]
        assert all(isinstance(info.value, kind) for kind in wanted)


@pytest.mark.parametrize("backend", [rtorch, rnp])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_weights_are_refused_by_both_backends(backend, bad):
    model = backend.GRU(I, H)
    before = {k: _tensor(v).numpy().copy() for k, v in model.state_dict().items()}
    state = {k: torch.as_tensor(v).clone() for k, v in before.items()}
    state["bias_hh_l0"][1] = bad
    with pytest.raises(ValueError, match=r"state_dict\['bias_hh_l0'\]: expected finite values"):
        model.load_state_dict(state)
    after = {k: _tensor(v).numpy() for k, v in model.state_dict().items()}
    assert all(np.array_equal(before[k], after[k]) for k in before)        # nothing written


def test_torch_backend_refuses_nan_also_when_not_strict():
    model = rtorch.RNN(I, H)
    with pytest.raises(ValueError, match="expected finite values"):
        model.load_state_dict({"weight_ih_l0": torch.full((H, I), float("nan"))}, strict=False)


def test_numpy_models_take_torch_nns_module_calls():
    model = rnp.LSTM(I, H, 2, proj_size=2)
    assert [n for n, _ in model.named_parameters()] == list(torch.nn.LSTM(I, H, 2, proj_size=2).state_dict())
    assert all(a is b for a, b in zip(model.parameters(), model.params.values()))
    assert model.to("cpu", torch.float64) is model and model.dtype == np.float64
    assert model.to(torch.device("cpu")).dtype == np.float64 and model.to(dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="^device: the NumPy backend computes on the CPU"):
        model.to("cuda")
    assert [len(w) for w in model.all_weights] == [5, 5]      # w_ih, w_hh, b_ih, b_hh, w_hr per layer
