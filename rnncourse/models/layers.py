"""The recurrent layer of a model, by kind and backend: the one factory every model uses.

``kind`` names the recurrence (``'rnn'``, ``'lstm'``, ``'gru'``, ``'leaky'``) and ``backend`` the
implementation: ``'torch.nn'`` (PyTorch's own modules, fused kernels, the fastest on a CPU) or
``'rnncourse'`` (``rnncourse.torch``, written from the equations: the same arguments, parameter
names and results). ``'leaky'`` exists only in ``rnncourse``.
"""

from __future__ import annotations

from torch import nn

from .. import torch as rtorch

KINDS = ("rnn", "lstm", "gru", "leaky")
BACKENDS = ("torch.nn", "rnncourse")
_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "leaky": "LeakyRNN"}


def _module_class(kind, backend, cell: bool):
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    name = _NAMES[kind] + ("Cell" if cell else "")
    found = getattr(rtorch if backend == "rnncourse" else nn, name, None)
    if found is None:
        where = "a sequence layer of rnncourse.torch" if kind == "leaky" else "rnncourse.torch"
        raise ValueError(f"kind: {kind!r} exists only as {where}, got kind={kind!r} with "
                         f"backend={backend!r}{', cell' if cell else ''}")
    return found


def recurrent_layer(kind, input_size, hidden_size, backend="torch.nn", **options):
    """A sequence layer: e.g. ``torch.nn.LSTM(input_size, hidden_size, **options)`` for ``('lstm',
    'torch.nn')``, ``rnncourse.torch.LSTM`` for ``('lstm', 'rnncourse')``.

    ``options`` are the layer's own arguments (``num_layers``, ``batch_first``, ``bidirectional``,
    ``nonlinearity``, ``forget_bias``, ``alpha``, ...).
    """
    return _module_class(kind, backend, cell=False)(input_size, hidden_size, **options)


def recurrent_cell(kind, input_size, hidden_size, backend="torch.nn", **options):
    """One time step of the same: ``torch.nn.GRUCell`` for ``('gru', 'torch.nn')``, and so on."""
    return _module_class(kind, backend, cell=True)(input_size, hidden_size, **options)
