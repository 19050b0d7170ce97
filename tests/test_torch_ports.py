"""PyTorch's own tests of its recurrent modules, ported to run against both backends.

Each test below restates one test of PyTorch (``test/test_nn.py``, class ``TestNN`` unless said
otherwise, and ``torch/testing/_internal/common_modules.py`` for the error cases and the no-batch-dim
samples of the six RNN classes), in its own words, and runs it for ``rnncourse.torch`` and for
``rnncourse.numpy``. The only adaptations are those of the NumPy backend's interface: its outputs
are NumPy arrays (turned into tensors here by ``T``), its weights are arrays written with
``[...] =``, and its gradients come from ``backward`` instead of autograd.

The expectations are PyTorch's: exception classes (our exceptions derive from both Python's class
and torch.nn's, see ``rnncourse.errors``), torch.nn's messages (ours end with them), shapes and
values. Where a test compares with torch.nn itself, the reference is computed here by torch.nn.
"""

import copy
import io
import pickle
import re
import warnings
from itertools import product

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as rnn_utils

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch

torch.set_num_threads(1)
BACKENDS = {"torch": rtorch, "numpy": rnp}


def nn(backend):
    return BACKENDS[backend]


def T(x):
    """An output of either backend as a tensor (nested tuples and PackedSequences kept)."""
    if isinstance(x, tuple) and not isinstance(x, rnn_utils.PackedSequence):
        return tuple(T(v) for v in x)
    if isinstance(x, rnn_utils.PackedSequence):
        return rnn_utils.PackedSequence(T(x.data), x.batch_sizes, x.sorted_indices, x.unsorted_indices)
    return x.detach() if torch.is_tensor(x) else torch.from_numpy(np.asarray(x))


def fill(model, name, value):
    """Set every entry of parameter ``name`` (``rnn.weight_ih_l0.data.fill_(1)`` in PyTorch's tests)."""
    weight = getattr(model, name)
    if torch.is_tensor(weight):
        with torch.no_grad():
            weight.fill_(value)
    else:
        weight[...] = value


def load_from(model, reference):
    """Copy a torch.nn module's weights into ``model`` (either backend)."""
    model.load_state_dict({k: v.detach().clone() for k, v in reference.state_dict().items()})
    return model


def equal(a, b, atol=0.0):
    a, b = T(a), T(b)
    if isinstance(a, tuple):
        return all(equal(x, y, atol) for x, y in zip(a, b, strict=True))
    return a.shape == b.shape and bool(torch.allclose(a.double(), b.double(), atol=atol, rtol=0))


def backward_sum(backend, model, output):
    """``output.sum().backward()`` (torch) or ``model.backward(ones)`` (NumPy)."""
    if backend == "torch":
        output.sum().backward()
    else:
        model.backward(np.ones_like(output))


both = pytest.mark.parametrize("backend", list(BACKENDS))


# ---- test_rnn_args_check, test_projections_lstm_args_check ---------------------------------------
def update_shape(shape, dim, size):
    shape = list(shape)
    shape[dim] = size
    return tuple(shape)


@both
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_rnn_args_check(backend, mode):
    input_size, hidden_size, num_layers, batch, seq_len, bad = 3, 5, 2, 4, 6, 7
    good_input, good_hidden = (seq_len, batch, input_size), (num_layers, batch, hidden_size)
    cases = [(update_shape(good_input, 1, bad), good_hidden),     # input batch size
             (good_input, update_shape(good_hidden, 1, bad)),     # hidden batch size
             (update_shape(good_input, 2, bad), good_hidden),     # input size
             (good_input, update_shape(good_hidden, 2, bad)),     # hidden size
             (good_input, update_shape(good_hidden, 0, bad))]     # hidden layers
    for input_shape, hidden_shape in cases:
        x, h = torch.randn(input_shape), torch.randn(hidden_shape)
        if mode == "LSTM":
            good = torch.randn(good_hidden)
            hiddens = [(h, h)] if hidden_shape == good_hidden else [(h, good), (good, h)]
        else:
            hiddens = [h]
        for hx in hiddens:
            model = getattr(nn(backend), mode)(input_size, hidden_size, num_layers)
            with pytest.raises(RuntimeError):
                model(x, hx)


@both
def test_projections_lstm_args_check(backend):
    input_size, hidden_size, proj_size, num_layers, batch, seq_len, bad = 3, 5, 2, 2, 4, 6, 7
    good_input = (seq_len, batch, input_size)
    good_h, good_c = (num_layers, batch, proj_size), (num_layers, batch, hidden_size)
    cases = [(update_shape(good_input, 1, bad), good_h, good_c),
             (good_input, update_shape(good_h, 1, bad), update_shape(good_c, 1, bad)),
             (update_shape(good_input, 2, bad), good_h, good_c),
             (good_input, update_shape(good_h, 2, bad), update_shape(good_c, 2, bad)),
             (good_input, update_shape(good_h, 0, bad), update_shape(good_c, 0, bad)),
             (good_input, update_shape(good_h, 0, hidden_size), good_c),
             (good_input, update_shape(good_h, 0, bad), good_c),
             (good_input, good_h, update_shape(good_c, 0, bad))]
    for input_shape, h_shape, c_shape in cases:
        model = nn(backend).LSTM(input_size, hidden_size, num_layers, proj_size=proj_size)
        with pytest.raises(RuntimeError):
            model(torch.randn(input_shape), (torch.randn(h_shape), torch.randn(c_shape)))


# ---- test_rnn_initial_hidden_state, test_projections_lstm_initial_hidden_state -------------------
@both
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_rnn_initial_hidden_state(backend, mode):
    rnn = getattr(nn(backend), mode)(30, 20, 2)
    x, hidden = torch.randn(10, 32, 30), torch.zeros(2, 32, 20)
    if mode == "LSTM":
        hidden = (hidden, hidden)
    out1, hidden1 = rnn(x, hidden)
    out2, hidden2 = rnn(x)
    assert equal(out1, out2) and equal(hidden1, hidden2)


@both
@pytest.mark.parametrize("bidirectional", [False, True])
def test_projections_lstm_initial_hidden_state(backend, bidirectional):
    rnn = nn(backend).LSTM(30, 20, 2, bidirectional=bidirectional, proj_size=10)
    dirs = 2 if bidirectional else 1
    x = torch.randn(10, 32, 30)
    hidden = (torch.zeros(2 * dirs, 32, 10), torch.zeros(2 * dirs, 32, 20))
    out1, hidden1 = rnn(x, hidden)
    out2, hidden2 = rnn(x)
    assert equal(out1, out2) and equal(hidden1, hidden2)


# ---- test_projections_errors_on_gru_and_rnn --------------------------------------------------------
@both
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LeakyRNN"])
@pytest.mark.parametrize("proj_size", [10, 0])
def test_projections_errors_on_gru_and_rnn(backend, mode, proj_size):
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM, not RNN or GRU"):
        getattr(nn(backend), mode)(30, 20, 2, proj_size=proj_size)


# ---- test_cudnn_forward_exception (its CPU part: the messages) -------------------------------------
@both
def test_forward_exception_messages(backend):
    m = nn(backend)
    cases = [(m.LSTM(10, 20, batch_first=True), (torch.zeros(1, 2, 19), torch.zeros(1, 2, 19))),
             (m.LSTM(10, 20, batch_first=True, proj_size=10), (torch.zeros(1, 2, 19), torch.zeros(1, 2, 19))),
             (m.GRU(10, 20, batch_first=True), torch.zeros(1, 2, 19)),
             (m.RNN(10, 20, batch_first=True), torch.zeros(1, 2, 19))]
    for rnn, hidden in cases:
        with pytest.raises(RuntimeError, match="Expected hidden.*size.*got"):
            rnn(torch.randn(2, 3, 10), hidden)
        with pytest.raises(RuntimeError, match=re.escape("input.size(-1) must be equal to input_size")):
            rnn(torch.randn(2, 3, 3))


# ---- test_RNN_dropout, test_RNN_dropout_state, test_RNN_change_dropout, test_RNN_dropout_warning ---
@both
@pytest.mark.parametrize("p", [0, 0.276, 0.731, 1])
@pytest.mark.parametrize("train", [True, False])
def test_RNN_dropout(backend, p, train):
    # dropout acts between the layers: with all weights 1 and ReLU, every unit of layer 0 holds 10,
    # and layer 1 sums the 1000 of them, each kept (and scaled by 1 / (1 - p)) or dropped
    rnn = nn(backend).RNN(10, 1000, 2, bias=False, dropout=p, nonlinearity="relu",
                          dtype=torch.float64)
    rnn.train() if train else rnn.eval()
    for name in ("weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"):
        fill(rnn, name, 1)
    output, hy = T(rnn(torch.ones(1, 1, 10, dtype=torch.float64), torch.zeros(2, 1, 1000, dtype=torch.float64)))
    assert output.min() == output.max()
    value = output[0, 0, 0].item()
    if p == 0 or not train:
        assert value == 10000
    elif p == 1:
        assert value == 0
    else:
        assert 8000 < value < 12000
        rest = (value * (1 - p)) % 10                    # a whole number of kept units of 10
        assert min(rest, 10 - rest) < 1e-2
    assert hy[0].min() == hy[0].max() == 10
    assert hy[1].min() == hy[1].max() == value


def reload(backend, rnn):
    """torch.save / torch.load for rnncourse.torch, pickle for the NumPy backend."""
    buffer = io.BytesIO()
    if backend == "torch":
        torch.save(rnn, buffer)
        buffer.seek(0)
        return torch.load(buffer, weights_only=False)
    pickle.dump(rnn, buffer)
    buffer.seek(0)
    return pickle.load(buffer)


@both
@pytest.mark.parametrize("p", [0, 0.1234])
@pytest.mark.parametrize("train", [True, False])
def test_RNN_dropout_state(backend, p, train):
    rnn = nn(backend).RNN(100, 100, 2, bias=False, dropout=p, nonlinearity="relu")
    rnn.train() if train else rnn.eval()
    x, hx = torch.rand(1, 1, 100), torch.rand(2, 1, 100)
    out1, hy1 = T(rnn(x, hx))
    out2, hy2 = T(rnn(x, hx))
    rnn2 = reload(backend, rnn)
    rnn2.flatten_parameters()
    out3, hy3 = T(rnn2(x, hx))
    if p == 0 or not train:
        assert equal(out1, out2) and equal(out1, out3) and equal(hy1, hy2) and equal(hy1, hy3)
    else:
        assert not equal(out1, out2) and not equal(out1, out3)
        assert not equal(hy1, hy2) and not equal(hy1, hy3)


@both
@pytest.mark.parametrize("train", [True, False])
def test_RNN_change_dropout(backend, train):
    rnn = nn(backend).RNN(100, 100, 2, dropout=0, nonlinearity="relu", dtype=torch.float64)
    rnn.train() if train else rnn.eval()
    x = torch.rand(3, 2, 100, dtype=torch.float64)
    previous = None
    for p in (0, 0.5, 0, 0.7, 0.2, 1, 0.2, 0):
        rnn.dropout = p
        out1, hy1 = T(rnn(x))
        out2, hy2 = T(rnn(x))
        if p == 0 or p == 1 or not train:
            assert equal(out1, out2) and equal(hy1, hy2)
        else:
            assert not equal(out1, out2) and not equal(hy1, hy2)
        if previous is not None:
            assert equal(out1, previous) == (not train)
            assert equal(out2, previous) == (not train)
        previous = out1


@both
def test_RNN_dropout_warning(backend):
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn(backend).RNN(1, 1, dropout=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn(backend).RNN(1, 1, 2, dropout=0.1)          # two layers: no warning


# ---- test_error_RNN_seq_len_zero, test_RNN_input_size_zero -----------------------------------------
@both
@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_error_RNN_seq_len_zero(backend, mode, bidirectional):
    rnn = getattr(nn(backend), mode)(5, 6, bidirectional=bidirectional)
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0 in RNN"):
        rnn(torch.ones(0, 10, 5))


@both
@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU", "LeakyRNN"])
def test_RNN_input_size_zero(backend, mode):
    # an empty batch: the test's name is PyTorch's
    rnn = getattr(nn(backend), mode)(input_size=3, hidden_size=4)
    outs = rnn(torch.zeros((5, 0, 3)))
    assert tuple(outs[0].shape) == (5, 0, 4)
    backward_sum(backend, rnn, outs[0])              # no error


# ---- test_RNN_cell, test_LSTM_cell, test_RNN_cell_forward_zero_hidden_size, no broadcasting ---------
@both
@pytest.mark.parametrize("bias", [True, False])
def test_RNN_cell(backend, bias):
    for module in (nn(backend).RNNCell, nn(backend).GRUCell):
        x, hx = torch.randn(3, 10), torch.randn(3, 20)
        cell = module(10, 20, bias=bias)
        for _ in range(6):
            hx = cell(x, hx)
        assert tuple(hx.shape) == (3, 20)
        if backend == "torch":
            hx.sum().backward()
        else:
            cell.backward(np.ones_like(hx))


@both
@pytest.mark.parametrize("bias", [True, False])
def test_LSTM_cell(backend, bias):
    x, hx, cx = torch.randn(3, 10), torch.randn(3, 20), torch.randn(3, 20)
    lstm = nn(backend).LSTMCell(10, 20, bias=bias)
    for _ in range(6):
        hx, cx = lstm(x, (hx, cx))
    if backend == "torch":
        (hx + cx).sum().backward()
    else:
        lstm.backward(np.ones_like(hx), np.ones_like(cx))


@both
def test_RNN_cell_forward_zero_hidden_size(backend):
    m = nn(backend)
    for cell in (m.RNNCell(10, 0, nonlinearity="relu"), m.RNNCell(10, 0, nonlinearity="tanh"),
                 m.GRUCell(10, 0)):
        assert tuple(cell(torch.randn(3, 10), torch.randn(3, 0)).shape) == (3, 0)


@both
def test_RNN_cell_no_broadcasting(backend):
    m = nn(backend)

    def refused(module, x, hx, input_size=10, hidden_size=20):
        with pytest.raises(RuntimeError):
            module(input_size, hidden_size)(x, hx)

    def all_cells(bad_hx, good_hx, x):
        refused(m.RNNCell, x, bad_hx)
        refused(m.GRUCell, x, bad_hx)
        refused(m.LSTMCell, x, (bad_hx, good_hx))
        refused(m.LSTMCell, x, (good_hx, bad_hx))

    x, good = torch.randn(3, 10), torch.randn(3, 20)
    all_cells(torch.randn(1, 20), good, x)          # batch size of hx
    all_cells(torch.randn(3, 1), good, x)           # hidden size of hx
    all_cells(good, good, torch.randn(3, 1))        # input size


# ---- test_RNN_nonlinearity, test_RNN_nonlinearity_passed_as_arg --------------------------------
@both
def test_RNN_nonlinearity(backend):
    assert nn(backend).RNN(1, 10).nonlinearity == "tanh"
    assert nn(backend).RNN(1, 10, nonlinearity="relu").nonlinearity == "relu"
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn(backend).RNN(1, 10, nonlinearity="garbage")
    assert nn(backend).RNN(2, 3, 1, "relu").nonlinearity == "relu"


# ---- TestNNDeviceType.test_variable_sequence: packed batches against one sequence at a time ----------
def run_and_grads(backend, model, x, hx, lengths=None):
    """(output, final state, dL/dx, parameter gradients) of L = sum of the (unpacked) output."""
    if backend == "torch":
        x = x.clone().requires_grad_()
        if lengths is None:
            out, h = model(x, hx)
        else:
            packed, h = model(rnn_utils.pack_padded_sequence(x, lengths, enforce_sorted=False), hx)
            out, _ = rnn_utils.pad_packed_sequence(packed, total_length=x.shape[0])
        grads = torch.autograd.grad(out.sum(), [x] + list(model.parameters()))
        return out.detach(), T(h), grads[0], dict(zip(model.state_dict(), grads[1:]))
    if lengths is None:
        out, h = model(x, hx)
        dx, _, grads = model.backward(np.ones_like(out))
        return T(out), T(h), T(dx), {k: T(v) for k, v in grads.items()}
    packed, h = model(rnn_utils.pack_padded_sequence(x, lengths, enforce_sorted=False), hx)
    out, _ = rnn_utils.pad_packed_sequence(T(packed), total_length=x.shape[0])
    dx, _, grads = model.backward(np.ones_like(packed.data))     # the output's data, summed
    return out, T(h), T(dx), {k: T(v) for k, v in grads.items()}


@both
@pytest.mark.parametrize("lengths", [[5], [10, 10, 6, 2, 2, 1, 1], [2, 1, 3, 2, 10, 5, 3]])
@pytest.mark.parametrize("default_hidden", [True, False])
@pytest.mark.parametrize("proj_size", [0, 2])
def test_variable_sequence(backend, lengths, default_hidden, proj_size):
    input_size, hidden_size, num_layers = 3, 4, 2
    T_max, B = max(lengths), len(lengths)
    x = torch.randn(T_max, B, input_size, dtype=torch.float64)
    model = nn(backend).LSTM(input_size, hidden_size, num_layers, bidirectional=True,
                             proj_size=proj_size, dtype=torch.float64)
    hidden = None if default_hidden else (
        torch.randn(4, B, proj_size or hidden_size, dtype=torch.float64),
        torch.randn(4, B, hidden_size, dtype=torch.float64))
    # each sequence alone, with its own length, then padded with zeros
    alone_out, alone_h, alone_dx, alone_grads = [], [], [], {}
    for b, n in enumerate(lengths):
        h_b = None if hidden is None else tuple(h[:, b:b + 1].contiguous() for h in hidden)
        out, h, dx, grads = run_and_grads(backend, model, x[:n, b:b + 1], h_b)
        alone_out.append(torch.cat([out, out.new_zeros(T_max - n, 1, out.shape[-1])]))
        alone_h.append(h)
        alone_dx.append(torch.cat([T(dx), torch.zeros(T_max - n, 1, input_size, dtype=torch.float64)]))
        for k, g in grads.items():
            alone_grads[k] = alone_grads.get(k, 0) + T(g)
    out, h, dx, grads = run_and_grads(backend, model, x, hidden, lengths)
    assert equal(out, torch.cat(alone_out, 1), 1e-12)
    assert equal(h, tuple(torch.cat(parts, 1) for parts in zip(*alone_h)), 1e-12)
    if backend == "torch":
        assert equal(dx, torch.cat(alone_dx, 1), 1e-12)
    else:       # the gradient of the packed data: the padding has none
        packed_dx = rnn_utils.pack_padded_sequence(torch.cat(alone_dx, 1), lengths, enforce_sorted=False).data
        assert equal(T(dx), packed_dx, 1e-12)
    for k in grads:
        assert equal(grads[k], alone_grads[k], 1e-12), k


# ---- common_modules: the error cases of RNN, GRU, LSTM and of the three cells -----------------------
SEQUENCE_ERRORS = [
    (dict(args=(10, 0, 1)), ValueError, "hidden_size must be greater than zero"),
    (dict(args=(10, 10, 0)), ValueError, "num_layers must be greater than zero"),
    (dict(args=(3, 5), bias=0), TypeError, "bias should be of type bool, got: int"),
    (dict(args=(3, 5), bias=1), TypeError, "bias should be of type bool, got: int"),
    (dict(args=(3, 5), bias="True"), TypeError, "bias should be of type bool, got: str"),
    (dict(args=(3, 5), batch_first=0), TypeError, "batch_first should be of type bool, got: int"),
    (dict(args=(3, 5), batch_first=1), TypeError, "batch_first should be of type bool, got: int"),
    (dict(args=(3, 5), batch_first="False"), TypeError, "batch_first should be of type bool, got: str"),
    (dict(args=(3.0, 5)), TypeError, "input_size should be of type int, got: float"),
    (dict(args=("10", 5)), TypeError, "input_size should be of type int, got: str"),
    (dict(args=(0, 5)), ValueError, "input_size must be greater than zero"),
    (dict(args=(-1, 5)), ValueError, "input_size must be greater than zero"),
    (dict(args=(3, 5.0)), TypeError, "hidden_size should be of type int, got: float"),
]


@both
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("spec, error, pattern", SEQUENCE_ERRORS)
def test_module_error_inputs_rnn_gru_lstm(backend, mode, spec, error, pattern):
    kwargs = {k: v for k, v in spec.items() if k != "args"}
    with pytest.raises(error, match=pattern):
        getattr(nn(backend), mode)(*spec["args"], **kwargs)


@both
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("dtype, other", [(torch.float32, torch.float64), (torch.float64, torch.float32)])
def test_module_error_inputs_dtype_mismatch(backend, mode, dtype, other):
    model = getattr(nn(backend), mode)(3, 5, dtype=dtype, device="cpu")
    with pytest.raises(ValueError, match=r"RNN input dtype .* does not match weight dtype .* "
                                         r"Convert input: input\.to\(.*\), or convert model: model\.to\(.*\)"):
        model(torch.randn(2, 4, 3, dtype=other))


CELL_ERRORS = [  # (constructor arguments, input shape, hidden shape, error, message)
    ((10, 20), (3, 11), (3, 20), RuntimeError, "input has inconsistent input_size: got 11 expected 10"),
    ((10, 20), (3, 10), (3, 21), RuntimeError, "hidden0 has inconsistent hidden_size: got 21, expected 20"),
    ((10, 20), (3, 10), (5, 20), RuntimeError, "Input batch size 3 doesn't match hidden0 batch size 5"),
    ((10, 20), (3, 10), (3, 1, 1, 20), ValueError, "Expected hidden to be 1D or 2D, got 4D instead"),
    ((10, 20, True, "relu"), (3, 10), (3, 21), RuntimeError, "hidden0 has inconsistent hidden_size"),
    ((10, 20, True, "tanh"), (3, 10), (3, 21), RuntimeError, "hidden0 has inconsistent hidden_size"),
]


@both
@pytest.mark.parametrize("mode, args, x_shape, h_shape, error, pattern",
                         [(mode, *case) for mode in ("RNNCell", "GRUCell", "LSTMCell") for case in CELL_ERRORS
                          if mode == "RNNCell" or len(case[0]) == 2])     # nonlinearity: RNNCell's only
def test_module_error_inputs_cells(backend, mode, args, x_shape, h_shape, error, pattern):
    cell = getattr(nn(backend), mode)(*args)
    hx = torch.randn(h_shape)
    if mode == "LSTMCell":
        hx = (hx, hx)
        pattern = pattern.replace("Expected hidden to", r"Expected hx\[0\] to")
    with pytest.raises(error, match=pattern):
        cell(torch.randn(x_shape), hx)


# ---- common_modules: the no-batch-dim samples (an unbatched input is a batch of one) ----------------
def no_batch_dim_reference(model, x, hx, batch_first):
    """What the unbatched call must return: the batched call on a batch of one, squeezed."""
    dim = 0 if batch_first else 1
    if hx is not None:
        hx = tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(1)
    out, h = T(model(x.unsqueeze(dim), hx))
    squeeze = (lambda s: s.squeeze(1))
    return out.squeeze(dim), tuple(map(squeeze, h)) if isinstance(h, tuple) else squeeze(h)


RNN_GRU_SAMPLES = [(mode, nl, b, bf, bi) for mode in ("RNN", "GRU")
                   for nl in (("relu", "tanh") if mode == "RNN" else (None,))
                   for b, bf, bi in product((False, True), repeat=3)]


@both
@pytest.mark.parametrize("mode, nonlinearity, bias, batch_first, bidirectional", RNN_GRU_SAMPLES)
def test_no_batch_dim_rnn_gru(backend, mode, nonlinearity, bias, batch_first, bidirectional):
    extra = {"nonlinearity": nonlinearity} if nonlinearity else {}
    common = dict(input_size=2, num_layers=2, batch_first=batch_first, bias=bias,
                  bidirectional=bidirectional, dtype=torch.float64, **extra)
    for hidden_size, with_state in ((2, False), (3, True)):
        model = getattr(nn(backend), mode)(hidden_size=hidden_size, **common)
        x = torch.randn(3, 2, dtype=torch.float64)
        hx = torch.randn(4 if bidirectional else 2, hidden_size, dtype=torch.float64) if with_state else None
        assert equal(model(x, hx), no_batch_dim_reference(model, x, hx, batch_first), 1e-12)
    # the packed samples of the same configurations
    model = getattr(nn(backend), mode)(hidden_size=2, **common)
    for shape, lengths in (((5, 2, 2), [5, 3]), ((5, 5, 2), [5, 3, 3, 2, 2])):
        x = torch.randn(shape, dtype=torch.float64)
        out, h = T(model(rnn_utils.pack_padded_sequence(x, torch.tensor(lengths))))
        ref = getattr(torch.nn, mode)(hidden_size=2, **common)
        load_from(ref, model) if backend == "torch" else ref.load_state_dict(
            {k: torch.from_numpy(v) for k, v in model.state_dict().items()})
        ref_out, ref_h = ref(rnn_utils.pack_padded_sequence(x, torch.tensor(lengths)))
        assert equal(out.data, ref_out.data, 1e-12) and equal(h, ref_h, 1e-12)


@both
@pytest.mark.parametrize("bias, batch_first, bidirectional, proj_size",
                         list(product((False, True), (False, True), (False, True), (0, 2))))
def test_no_batch_dim_lstm(backend, bias, batch_first, bidirectional, proj_size):
    model = nn(backend).LSTM(input_size=2, hidden_size=3, num_layers=2, proj_size=proj_size,
                             batch_first=batch_first, bias=bias, bidirectional=bidirectional,
                             dtype=torch.float64)
    x = torch.randn(2, 2, dtype=torch.float64)
    assert equal(model(x), no_batch_dim_reference(model, x, None, batch_first), 1e-12)
    stack = 4 if bidirectional else 2
    hx = (torch.randn(stack, proj_size or 3, dtype=torch.float64), torch.randn(stack, 3, dtype=torch.float64))
    x = torch.randn(3, 2, dtype=torch.float64)
    assert equal(model(x, hx), no_batch_dim_reference(model, x, hx, batch_first), 1e-12)


@both
@pytest.mark.parametrize("mode, args, kwargs", [
    ("RNNCell", (5, 10), {}), ("RNNCell", (5, 10), dict(bias=True)),
    ("RNNCell", (5, 10), dict(bias=True, nonlinearity="relu")),
    ("GRUCell", (5, 10), {}), ("GRUCell", (5, 10), dict(bias=True)),
    ("LSTMCell", (5, 10), {}), ("LSTMCell", (5, 10), dict(bias=True)),
])
def test_no_batch_dim_cells(backend, mode, args, kwargs):
    cell = getattr(nn(backend), mode)(*args, dtype=torch.float64, **kwargs)
    x, h = torch.randn(5, dtype=torch.float64), torch.randn(10, dtype=torch.float64)
    hx = (h, torch.randn(10, dtype=torch.float64)) if mode == "LSTMCell" else h
    got = T(cell(x, hx))
    batched = T(cell(x[None], tuple(s[None] for s in hx) if mode == "LSTMCell" else hx[None]))
    want = tuple(s[0] for s in batched) if mode == "LSTMCell" else batched[0]
    assert equal(got, want, 1e-12)


# ---- positional arguments and argument types, against torch.nn ------------------------------------
POSITIONAL = [
    ("RNN", (4, 6, 2, "tanh", True, False, 0.5)),                    # dropout 0.5 (not bidirectional)
    ("RNN", (4, 6, 2, "relu", False, True, 0.0, True)),
    ("LSTM", (4, 6, 1, True, False, 0.0, True)),                     # bidirectional (not a peephole)
    ("LSTM", (4, 6, 2, True, True, 0.25, True, 3)),                  # projections of size 3
    ("LSTM", (4, 6, 2, False, False, 0.0, False, 0, "cpu", torch.float64)),
    ("GRU", (4, 6, 3, False, True, 0.1, True)),
    ("RNNCell", (4, 6, False, "relu", "cpu", torch.float64)),
    ("LSTMCell", (4, 6, False, None, torch.float64)),
    ("GRUCell", (4, 6, True, "cpu", torch.float64)),
]


@both
@pytest.mark.parametrize("mode, args", POSITIONAL)
def test_positional_arguments_mean_what_they_mean_in_torch_nn(backend, mode, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                              # dropout with one layer
        ref = getattr(torch.nn, mode)(*args)
        ours = getattr(nn(backend), mode)(*args)
    names = ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
             "bidirectional", "proj_size", "nonlinearity"]
    for name in names:
        if hasattr(ref, name):
            assert getattr(ours, name) == getattr(ref, name), name
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
           {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    if backend == "torch":
        assert next(ours.parameters()).dtype == next(ref.parameters()).dtype


@both
@pytest.mark.parametrize("mode, args", [("RNN", (3, 4, 1, "tanh", True, False, 0.0, False, "cpu", torch.float64)),
                                        ("GRU", (3, 4, 1, True, False, 0.0, False, "cpu", torch.float64)),
                                        ("LeakyRNN", (3, 4, 1, True, False, 0.0, False, None, torch.float64))])
def test_device_and_dtype_at_their_documented_positions(backend, mode, args):
    # torch.nn documents RNN(..., bidirectional, device, dtype) and GRU likewise, though its
    # implementation reads the argument after ``bidirectional`` as ``proj_size``; ours follow the
    # documented signature
    model = getattr(nn(backend), mode)(*args)
    weight = model.weight_ih_l0
    assert str(weight.dtype).replace("torch.", "") == "float64" and not model.bidirectional


@both
@pytest.mark.parametrize("mode, kwargs, name", [
    ("RNN", dict(bias="no"), "bias"), ("LSTM", dict(batch_first="False"), "batch_first"),
    ("GRU", dict(bidirectional=2), "bidirectional"), ("LeakyRNN", dict(bidirectional="yes"), "bidirectional"),
    ("LSTM", dict(peephole=1), "peephole"), ("GRU", dict(reset_after="False"), "reset_after"),
    ("LeakyRNN", dict(learn_alpha=None), "learn_alpha"), ("RNNCell", dict(bias="no"), "bias"),
    ("LSTMCell", dict(bias=1), "bias"), ("GRUCell", dict(bias=0), "bias"),
    ("RNN", dict(num_layers=2.0), "num_layers"), ("LSTM", dict(proj_size=1.0), "proj_size"),
    ("RNN", dict(num_layers=True), "num_layers"), ("GRU", dict(hidden_size=True), "hidden_size"),
])
def test_flags_are_bools_and_sizes_integers(backend, mode, kwargs, name):
    arguments = {"input_size": 3, "hidden_size": 4, **kwargs}
    with pytest.raises(TypeError, match=f"^{name}: expected "):
        getattr(nn(backend), mode)(**arguments)


@both
@pytest.mark.parametrize("dropout, error", [(-0.1, ValueError), (1.5, ValueError), (float("nan"), ValueError),
                                            (True, TypeError), ("0.1", TypeError)])
def test_dropout_is_a_probability(backend, dropout, error):
    # torch.nn raises ValueError for all of them: ours, a TypeError for a wrong type, is one too
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn(backend).RNN(3, 4, 2, dropout=dropout)
    with pytest.raises(error, match="^dropout: expected a number in"):
        nn(backend).LSTM(3, 4, 2, dropout=dropout)


@both
def test_proj_size_values(backend):
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn(backend).LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        nn(backend).LSTM(3, 4, proj_size=-1)
    assert nn(backend).LSTM(3, 4, proj_size=0).proj_size == 0


def test_the_same_refusals_in_both_backends():
    """Every refused argument above gives the same exception class and message in both backends."""
    cases = [("RNN", (3, 4), dict(bias="no")), ("LSTM", (3, 4, 2), dict(dropout=2)),
             ("LSTM", (3, 4), dict(proj_size=5)), ("GRU", (3, 4), dict(proj_size=1)),
             ("RNNCell", (3, -1), {}), ("RNN", (0, 4), {})]
    for mode, args, kwargs in cases:
        raised = []
        for module in (rtorch, rnp):
            with pytest.raises(Exception) as info:
                getattr(module, mode)(*args, **kwargs)
            raised.append((type(info.value), str(info.value)))
        assert raised[0] == raised[1]


def test_copies_keep_the_options():
    for module in (rtorch, rnp):
        model = module.LSTM(3, 4, 2, True, True, 0.3, True, 2)
        twin = copy.deepcopy(model)
        assert (twin.dropout, twin.proj_size, twin.bidirectional) == (0.3, 2, True)
