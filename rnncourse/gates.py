"""Recording what the gates of an LSTM or a GRU do at every time step (chapters 7 and 8).

``torch.nn.LSTM`` and ``torch.nn.GRU`` return only the hidden (and cell) states; the gate values are
computed inside the fused kernel and thrown away. ``lstm_gates`` and ``gru_gates`` recompute them,
in float64 NumPy, from the module's parameters and the same equations (LSTM: i, f, g, o; GRU: r, z,
n), so that a trained network's gates can be plotted over a sequence
(:func:`rnncourse.plot.gate_activations`). The recomputed ``h`` equals the module's output, which
the tests check.

Both accept ``torch.nn.LSTM``/``GRU``, the ``rnncourse.torch`` modules and the ``rnncourse.numpy``
ones (peephole LSTMs and ``reset_after=False`` GRUs included), unidirectional, any number of layers.

``memory_unit`` summarises the unit of a trained LSTM that stores a marked value (chapter 7).

``set_forget_bias`` initialises the forget-gate bias of any of these LSTMs (``torch.nn.LSTM`` has no
option for it), so that ``rnncourse.train.SequenceRegressor(kind='lstm')`` can start with it.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import _validate as V


def _params(module) -> dict:
    """Parameters as float64 NumPy arrays, by torch.nn name."""
    if hasattr(module, "named_parameters"):
        return {n: p.detach().cpu().double().numpy() for n, p in module.named_parameters()}
    return {n: np.asarray(p, dtype=np.float64) for n, p in module.params.items()}


def _prepare(module, x, layer):
    """Check the module and input; return (params, x as (T, B, features) float64, batched)."""
    if getattr(module, "bidirectional", False):
        raise ValueError("module: bidirectional modules are not supported, got bidirectional=True")
    if not 0 <= layer < module.num_layers:
        raise ValueError(f"layer: expected 0 <= layer < num_layers={module.num_layers}, got {layer}")
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    V.check_array("x", x)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (2, 3):
        raise ValueError(f"x: expected (seq_len, batch, input_size) or (seq_len, input_size), "
                         f"got shape {x.shape}")
    batched = x.ndim == 3
    if not batched:
        x = x[:, None]
    elif getattr(module, "batch_first", False):
        x = x.transpose(1, 0, 2)
    if x.shape[-1] != module.input_size:
        raise ValueError(f"x: expected {module.input_size} features, got shape {x.shape}")
    return _params(module), x, batched


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _finish(record, batched):
    """Stack the per-step lists into arrays (T, B, H), or (T, H) for unbatched input."""
    return {k: np.stack(v) if batched else np.stack(v)[:, 0] for k, v in record.items()}


def lstm_gates(lstm, x, layer: int = 0) -> dict:
    """The gates of one layer of an LSTM over a sequence.

    Args:
        lstm: ``torch.nn.LSTM``, ``rnncourse.torch.LSTM`` or ``rnncourse.numpy.LSTM``
            (unidirectional; peepholes allowed).
        x: input, ``(seq_len, batch, input_size)`` (batch first if the module is), or unbatched
            ``(seq_len, input_size)``; the initial states are zero.
        layer: which layer to record (the layers below it are run to produce its input).

    Returns:
        dict of float64 arrays ``(seq_len, batch, hidden_size)`` (``(seq_len, hidden_size)`` for
        unbatched input, always time first): ``'i'``, ``'f'``, ``'g'``, ``'o'`` (the gates),
        ``'c'`` (cell state c_t) and ``'h'`` (hidden state h_t).
    """
    p, inputs, batched = _prepare(lstm, x, layer)
    H = lstm.hidden_size
    for k in range(layer + 1):
        W_ih, W_hh = p[f"weight_ih_l{k}"], p[f"weight_hh_l{k}"]
        b = p.get(f"bias_ih_l{k}", 0.0) + p.get(f"bias_hh_l{k}", 0.0)
        peep = [p.get(f"weight_c{g}_l{k}") for g in "ifo"]
        h = np.zeros((inputs.shape[1], H))
        c = np.zeros_like(h)
        record = {key: [] for key in "ifgoch"}
        for x_t in inputs:
            a = x_t @ W_ih.T + h @ W_hh.T + b
            a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
            if peep[0] is not None:
                a_i, a_f = a_i + peep[0] * c, a_f + peep[1] * c
            i, f, g = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g)
            c = f * c + i * g
            o = _sigmoid(a_o + (peep[2] * c if peep[2] is not None else 0.0))
            h = o * np.tanh(c)
            for key, value in zip("ifgoch", (i, f, g, o, c, h)):
                record[key].append(value)
        inputs = np.stack(record["h"])
    return _finish(record, batched)


def gru_gates(gru, x, layer: int = 0) -> dict:
    """The gates of one layer of a GRU over a sequence.

    Args:
        gru: ``torch.nn.GRU``, ``rnncourse.torch.GRU`` or ``rnncourse.numpy.GRU`` (unidirectional;
            ``reset_after`` read from the module, True for torch.nn).
        x: input as for :func:`lstm_gates`; the initial state is zero.
        layer: which layer to record.

    Returns:
        dict of float64 arrays ``(seq_len, batch, hidden_size)`` (or ``(seq_len, hidden_size)``):
        ``'r'`` (reset gate), ``'z'`` (update gate), ``'n'`` (candidate) and ``'h'``.
    """
    p, inputs, batched = _prepare(gru, x, layer)
    H = gru.hidden_size
    reset_after = getattr(gru, "reset_after", True)
    for k in range(layer + 1):
        W_ih, W_hh = p[f"weight_ih_l{k}"], p[f"weight_hh_l{k}"]
        b_ih = p.get(f"bias_ih_l{k}", np.zeros(3 * H))
        b_hh = p.get(f"bias_hh_l{k}", np.zeros(3 * H))
        h = np.zeros((inputs.shape[1], H))
        record = {key: [] for key in "rznh"}
        for x_t in inputs:
            ax = x_t @ W_ih.T + b_ih
            ah_rz = h @ W_hh[:2 * H].T + b_hh[:2 * H]
            r, z = np.split(_sigmoid(ax[:, :2 * H] + ah_rz), 2, axis=1)
            if reset_after:       # torch.nn: r multiplies W_hn h + b_hn
                n = np.tanh(ax[:, 2 * H:] + r * (h @ W_hh[2 * H:].T + b_hh[2 * H:]))
            else:                 # Cho et al. 2014: r multiplies h before the product
                n = np.tanh(ax[:, 2 * H:] + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
            h = (1 - z) * n + z * h
            for key, value in zip("rznh", (r, z, n, h)):
                record[key].append(value)
        inputs = np.stack(record["h"])
    return _finish(record, batched)


def set_forget_bias(lstm, value: float = 1.0):
    """Set the forget-gate slice of every ``bias_ih`` of an LSTM to ``value`` and of ``bias_hh`` to 0.

    The initialisation recommended by Gers et al. (2000) and Jozefowicz et al. (2015) with
    ``value=1``: the forget gate starts near σ(1) ≈ 0.73 instead of σ(0) = 0.5. ``torch.nn.LSTM``
    has no option for it; ``rnncourse``'s LSTMs have ``forget_bias=``, which does the same at
    construction. Works on ``torch.nn.LSTM``/``LSTMCell`` and ``rnncourse.torch`` modules (all
    layers and directions) and on ``rnncourse.numpy`` ones; returns the module.
    """
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"value: expected a finite number, got {value}")
    torch_module = hasattr(lstm, "named_parameters")
    params = dict(lstm.named_parameters()) if torch_module else lstm.params
    H = lstm.hidden_size
    if not all(p.shape[0] == 4 * H for n, p in params.items() if n.startswith("weight_ih")):
        raise ValueError(f"lstm: expected an LSTM (4 * hidden_size gate rows), "
                         f"got {type(lstm).__name__}")
    if not any(name.startswith("bias_ih") for name in params):
        raise ValueError("lstm: has no biases (bias=False); there is no forget-gate bias to set")
    forget = slice(H, 2 * H)                     # gate order i, f, g, o
    context = contextlib.nullcontext()
    if torch_module:
        import torch
        context = torch.no_grad()
    with context:
        for name, p in params.items():
            if name.startswith("bias_ih"):
                p[forget] = value
            elif name.startswith("bias_hh"):
                p[forget] = 0.0
    return lstm


def memory_unit(record, markers, unit=None) -> dict:
    """What one unit of a trained LSTM does on one adding-problem sequence (chapter 7).

    Args:
        record: :func:`lstm_gates` of one sequence (arrays ``(T, H)``, or ``(T, 1, H)`` from a
            batch of one).
        markers: the two time steps whose value is marked.
        unit: the unit to describe; default: the one whose input gate varies most over time.

    Returns:
        dict with ``unit``; ``write_at_markers`` (its input gate at the two markers);
        ``write_elsewhere`` (the largest input gate at any other step); ``keep`` (the smallest
        forget gate from the first marker on); ``cell`` (its cell state just before the first
        marker, at it, and at the last step).
    """
    i, f, c = (np.asarray(record[k]).reshape(len(record[k]), -1) for k in ("i", "f", "c"))
    markers = np.asarray(markers)
    if markers.shape != (2,):
        raise ValueError(f"markers: expected the two marked steps, got {markers!r}")
    if unit is None:
        unit = int(np.argmax(i.std(axis=0)))
    others = np.setdiff1d(np.arange(len(i)), markers)
    return {"unit": unit, "write_at_markers": i[markers, unit],
            "write_elsewhere": float(i[others, unit].max()),
            "keep": float(f[markers[0]:, unit].min()),
            "cell": c[[markers[0] - 1, markers[0], -1], unit]}
