"""Recording what the gates of an LSTM or a GRU do at every time step (chapters 7 and 8).

``torch.nn.LSTM`` and ``torch.nn.GRU`` return only the hidden (and cell) states; the gate values are
computed inside the fused kernel and thrown away. ``lstm_gates`` and ``gru_gates`` recompute them
in float64 from the module's parameters with the reference steps of ``rnncourse.numpy``
(:func:`~rnncourse.numpy.lstm.lstm_step`, :func:`~rnncourse.numpy.gru.gru_step`: LSTM i, f, g, o;
GRU r, z, n), so that a trained network's gates can be plotted over a sequence
(:func:`rnncourse.plot.gate_activations`). The recomputed ``h`` equals the module's output, which
the tests check.

Both accept ``torch.nn.LSTM``/``GRU``, the ``rnncourse.torch`` modules and the ``rnncourse.numpy``
ones (peephole LSTMs and ``reset_after=False`` GRUs included), unidirectional, any number of layers.

``memory_unit`` summarises the unit of a trained LSTM that stores a marked value (chapter 7).

``set_forget_bias`` initialises the forget-gate bias of any of these LSTMs (``torch.nn.LSTM`` has no
option for it), so that ``rnncourse.models.SequenceRegressor(kind='lstm')`` can start with it.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import _validate as V
from ._layout import GATES, base_name, split_params
from ._options import forget_bias_fills
from .numpy.gru import gru_steps
from .numpy.lstm import lstm_steps


def _params(module) -> dict:
    """Parameters as float64 NumPy arrays, by torch.nn name."""
    named = module.named_parameters() if hasattr(module, "named_parameters") else module.params.items()
    return {name: np.asarray(V.to_numpy(value), dtype=np.float64) for name, value in named}


def _record(module, x, layer, steps, keys) -> dict:
    """Run ``steps`` (``lstm_steps`` / ``gru_steps``) through layers 0..``layer`` from zero states.

    Returns the cache values ``keys`` of the last of them, and ``'h'``, as arrays ``(seq_len, batch,
    hidden_size)``, or ``(seq_len, hidden_size)`` for unbatched input.
    """
    if getattr(module, "bidirectional", False):
        raise ValueError("module: bidirectional modules are not supported, got bidirectional=True")
    if not 0 <= layer < module.num_layers:
        raise ValueError(f"layer: expected 0 <= layer < num_layers={module.num_layers}, got {layer}")
    x = V.to_numpy(x)
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
    params = _params(module)
    for k in range(layer + 1):
        x, _, (caches, _) = steps(x, split_params(params, k, 0))
    record = {key: np.stack([cache[key] for cache in caches]) for key in keys}
    record["h"] = x
    return record if batched else {key: value[:, 0] for key, value in record.items()}


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
    peephole = getattr(lstm, "peephole", False)

    def steps(x, p):
        zeros = np.zeros((x.shape[1], lstm.hidden_size))
        return lstm_steps(x, (zeros, zeros), p, peephole)

    return _record(lstm, x, layer, steps, "ifgoc")


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
    reset_after = getattr(gru, "reset_after", True)

    def steps(x, p):
        return gru_steps(x, (np.zeros((x.shape[1], gru.hidden_size)),), p, reset_after)

    return _record(gru, x, layer, steps, "rzn")


def set_forget_bias(lstm, value: float = 1.0):
    """Set the forget-gate slice of every ``bias_ih`` of an LSTM to ``value`` and of ``bias_hh`` to 0.

    The initialisation recommended by Gers et al. (2000) and Jozefowicz et al. (2015) with
    ``value=1``: the forget gate starts near σ(1) ≈ 0.73 instead of σ(0) = 0.5. ``torch.nn.LSTM``
    has no option for it; ``rnncourse``'s LSTMs have ``forget_bias=``, which does the same at
    construction. Works on ``torch.nn.LSTM``/``LSTMCell`` and ``rnncourse.torch`` modules (all
    layers and directions) and on ``rnncourse.numpy`` ones; returns the module.
    """
    value = V.check_number("value", value)
    torch_module = hasattr(lstm, "named_parameters")
    params = dict(lstm.named_parameters()) if torch_module else lstm.params
    H = lstm.hidden_size
    if not all(p.shape[0] == GATES["LSTM"] * H for n, p in params.items() if base_name(n) == "weight_ih"):
        raise ValueError(f"lstm: expected an LSTM (4 * hidden_size gate rows), "
                         f"got {type(lstm).__name__}")
    fills = forget_bias_fills(params.items(), H, value)
    if not fills:
        raise ValueError("lstm: has no biases (bias=False); there is no forget-gate bias to set")
    context = contextlib.nullcontext()
    if torch_module:
        import torch
        context = torch.no_grad()
    with context:
        for array, rows, fill in fills:
            array[rows] = fill
    return lstm


def memory_unit(record, markers, unit=None) -> dict:
    """What one unit of a trained LSTM does on one adding-problem sequence (chapter 7).

    The unit that stores a marked value writes at the two markers and nowhere else, so by default
    the units are ranked by how far their input gate at the markers stays above its largest value
    at any other step, ``min_m i_m - max_(t not a marker) i_t``, and the first is described.

    Args:
        record: :func:`lstm_gates` of one sequence (arrays ``(T, H)``, or ``(T, 1, H)`` from a
            batch of one).
        markers: the two time steps whose value is marked.
        unit: the unit to describe; default: the best-ranked one.

    Returns:
        dict with ``ranking`` (all units, best first); ``unit``; ``write_at_markers`` (its input
        gate at the two markers); ``write_elsewhere`` (its largest input gate at any other step);
        ``keep`` (its smallest forget gate from the first marker on); ``cell`` (its cell state
        just before the first marker, at it, just before the second marker, and at the last step).
    """
    i, f, c = (np.asarray(record[k]).reshape(len(record[k]), -1) for k in ("i", "f", "c"))
    markers = np.asarray(markers)
    if markers.shape != (2,):
        raise ValueError(f"markers: expected the two marked steps, got {markers!r}")
    others = np.setdiff1d(np.arange(len(i)), markers)
    ranking = np.argsort(-(i[markers].min(axis=0) - i[others].max(axis=0)), kind="stable")
    unit = int(ranking[0]) if unit is None else unit
    return {"ranking": ranking, "unit": unit, "write_at_markers": i[markers, unit],
            "write_elsewhere": float(i[others, unit].max()),
            "keep": float(f[markers[0]:, unit].min()),
            "cell": c[[markers[0] - 1, markers[0], markers[1] - 1, -1], unit]}
