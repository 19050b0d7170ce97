"""Parameter names and shapes shared by ``rnncourse.numpy``, ``rnncourse.torch`` and ``torch.nn``.

torch.nn stores the weights of layer ``k`` and direction ``d`` under
``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (plus ``_reverse`` for
the backward direction), in that order, layer by layer, forward direction first. The gates of a
layer are stacked along the first axis of its weights: ``gates * hidden_size`` rows, in the order
LSTM ``(i, f, g, o)``, GRU ``(r, z, n)``. Both backends use exactly this layout, so a
``state_dict`` moves between the three without renaming. Parameters torch.nn does not have (the
peephole weights of an LSTM, the leak rates of a LeakyRNN) follow the same naming scheme and come
after the four standard ones.
"""

from __future__ import annotations

#: number of stacked gate blocks in ``weight_ih`` / ``weight_hh`` for each model family
GATES = {"RNN": 1, "LeakyRNN": 1, "LSTM": 4, "GRU": 3}


def suffix(layer: int, direction: int) -> str:
    """``"_l{layer}"`` for the forward direction, ``"_l{layer}_reverse"`` for the backward one."""
    return f"_l{layer}" + ("_reverse" if direction == 1 else "")


def layer_input_size(layer: int, input_size: int, hidden_size: int, num_directions: int) -> int:
    """Features entering layer ``layer``: the input for layer 0, both directions' states above it."""
    return input_size if layer == 0 else hidden_size * num_directions


def cell_shapes(gates: int, input_size: int, hidden_size: int, bias: bool = True,
                extra: dict[str, tuple[int, ...]] | None = None) -> dict[str, tuple[int, ...]]:
    """Shapes of one layer in one direction, keyed by base name (no suffix), in torch.nn order.

    ``extra`` adds model-specific parameters after the standard four, e.g.
    ``{"weight_ci": (hidden_size,)}`` for a peephole LSTM.
    """
    shapes = {
        "weight_ih": (gates * hidden_size, input_size),
        "weight_hh": (gates * hidden_size, hidden_size),
    }
    if bias:
        shapes["bias_ih"] = (gates * hidden_size,)
        shapes["bias_hh"] = (gates * hidden_size,)
    shapes.update(extra or {})
    return shapes


def param_shapes(gates: int, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, bidirectional: bool = False,
                 extra: dict[str, tuple[int, ...]] | None = None) -> dict[str, tuple[int, ...]]:
    """Full name -> shape for a (stacked, possibly bidirectional) sequence model, in torch.nn order.

    >>> list(param_shapes(4, 3, 5, num_layers=1, bidirectional=True))[:5]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']
    """
    num_directions = 2 if bidirectional else 1
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(num_layers):
        in_size = layer_input_size(layer, input_size, hidden_size, num_directions)
        for direction in range(num_directions):
            for base, shape in cell_shapes(gates, in_size, hidden_size, bias, extra).items():
                shapes[base + suffix(layer, direction)] = shape
    return shapes


def split_params(params: dict, layer: int, direction: int) -> dict:
    """The parameters of one layer and direction, keyed by base name (``weight_ih``, ...)."""
    end = suffix(layer, direction)
    return {name[: -len(end)]: value for name, value in params.items()
            if name.endswith(end) and name[: -len(end)].count("_l") == 0}
