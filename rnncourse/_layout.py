"""Parameter names and shapes shared by ``rnncourse.numpy``, ``rnncourse.torch`` and ``torch.nn``.

torch.nn stores the weights of layer ``k`` and direction ``d`` under
``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (plus ``_reverse`` for
the backward direction), in that order, layer by layer, forward direction first; an LSTM with
projections (``proj_size > 0``) adds ``weight_hr_l{k}`` (proj_size, hidden_size) after them, and its
``weight_hh`` and the inputs of the layers above the first then have ``proj_size`` columns per
direction instead of ``hidden_size``. The gates of a layer are stacked along the first axis of its
weights: ``gates * hidden_size`` rows, in the order LSTM ``(i, f, g, o)``, GRU ``(r, z, n)``. Both
backends use exactly this layout, so a ``state_dict`` moves between the three without renaming.
Parameters torch.nn does not have (the peephole weights of an LSTM, the leak rates of a LeakyRNN)
follow the same naming scheme and come after torch.nn's. Names are built by ``suffix`` and read by
``parse_name``, here only.
"""

from __future__ import annotations

import re

#: number of stacked gate blocks in ``weight_ih`` / ``weight_hh`` for each model family
GATES = {"RNN": 1, "LeakyRNN": 1, "LSTM": 4, "GRU": 3}

#: the peephole weights of an LSTM layer (Graves 2012), each of shape (hidden_size,)
PEEPHOLES = ("weight_ci", "weight_cf", "weight_co")

#: the projection of an LSTM layer with ``proj_size > 0`` (Sak et al. 2014), (proj_size, hidden_size)
PROJECTION = "weight_hr"

_NAME = re.compile(r"(?P<base>.+?)_l(?P<layer>\d+)(?P<reverse>_reverse)?")


def suffix(layer: int, direction: int) -> str:
    """``"_l{layer}"`` for the forward direction, ``"_l{layer}_reverse"`` for the backward one."""
    return f"_l{layer}" + ("_reverse" if direction == 1 else "")


def parse_name(name: str) -> tuple[str, int | None, int | None]:
    """``"weight_ih_l1_reverse"`` -> ``("weight_ih", 1, 1)``: base name, layer, direction.

    A cell's names have no suffix: ``"weight_ih"`` -> ``("weight_ih", None, None)``.
    """
    match = _NAME.fullmatch(name)
    if match is None:
        return name, None, None
    return match["base"], int(match["layer"]), 1 if match["reverse"] else 0


def base_name(name: str) -> str:
    """``"weight_ih_l1_reverse"`` -> ``"weight_ih"`` (a cell's names stay as they are)."""
    return parse_name(name)[0]


def split_params(params: dict, layer: int, direction: int) -> dict:
    """The parameters of one layer and direction, keyed by base name (``weight_ih``, ...)."""
    parsed = {name: parse_name(name) for name in params}
    return {parsed[name][0]: value for name, value in params.items()
            if parsed[name][1:] == (layer, direction)}


def layer_input_size(layer: int, input_size: int, output_size: int, num_directions: int) -> int:
    """Features entering layer ``layer``: the input for layer 0, both directions' outputs above it
    (``output_size`` per direction: ``proj_size`` with projections, else ``hidden_size``)."""
    return input_size if layer == 0 else output_size * num_directions


def cell_shapes(gates: int, input_size: int, hidden_size: int, bias: bool = True,
                extra: dict[str, tuple[int, ...]] | None = None,
                proj_size: int = 0) -> dict[str, tuple[int, ...]]:
    """Shapes of one layer in one direction, keyed by base name (no suffix), in torch.nn order.

    ``proj_size > 0`` (an LSTM with projections) gives ``weight_hh`` ``proj_size`` columns and adds
    ``weight_hr`` (proj_size, hidden_size). ``extra`` adds model-specific parameters after torch.nn's,
    e.g. ``{"weight_ci": (hidden_size,)}`` for a peephole LSTM.
    """
    shapes = {
        "weight_ih": (gates * hidden_size, input_size),
        "weight_hh": (gates * hidden_size, proj_size or hidden_size),
    }
    if bias:
        shapes["bias_ih"] = (gates * hidden_size,)
        shapes["bias_hh"] = (gates * hidden_size,)
    if proj_size:
        shapes[PROJECTION] = (proj_size, hidden_size)
    shapes.update(extra or {})
    return shapes


def param_shapes(gates: int, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, bidirectional: bool = False,
                 extra: dict[str, tuple[int, ...]] | None = None,
                 proj_size: int = 0) -> dict[str, tuple[int, ...]]:
    """Full name -> shape for a (stacked, possibly bidirectional) sequence model, in torch.nn order.

    >>> list(param_shapes(4, 3, 5, num_layers=1, bidirectional=True))[:5]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']
    >>> param_shapes(4, 3, 5, num_layers=2, proj_size=2)["weight_hr_l1"], param_shapes(4, 3, 5, 2, proj_size=2)["weight_ih_l1"]
    ((2, 5), (20, 2))
    """
    num_directions = 2 if bidirectional else 1
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(num_layers):
        in_size = layer_input_size(layer, input_size, proj_size or hidden_size, num_directions)
        for direction in range(num_directions):
            for base, shape in cell_shapes(gates, in_size, hidden_size, bias, extra, proj_size).items():
                shapes[base + suffix(layer, direction)] = shape
    return shapes


def forget_gate_rows(hidden_size: int) -> slice:
    """The rows of an LSTM's ``bias_ih`` / ``bias_hh`` (and weights) that belong to the forget gate."""
    return slice(hidden_size, 2 * hidden_size)            # gate order i, f, g, o
