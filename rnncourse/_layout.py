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

import math

from . import _validate as V

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


#: the peephole weights of an LSTM layer (Graves 2012), each of shape (hidden_size,)
PEEPHOLES = ("weight_ci", "weight_cf", "weight_co")


class LSTMOptions:
    """The LSTM's own options, identical in both backends: peephole weights and the forget bias.

    Mixed into ``LSTM`` and ``LSTMCell`` of ``rnncourse.numpy`` and ``rnncourse.torch``; each
    backend's ``reset_parameters`` writes the values :meth:`_forget_bias_fills` gives.
    """

    mode, gates, n_states = "LSTM", 4, 2

    def _set_options(self, peephole, forget_bias, bias) -> None:
        if forget_bias is not None and not bias:
            raise ValueError(f"forget_bias: needs bias=True (it initialises the forget-gate slice "
                             f"of bias_ih), got forget_bias={forget_bias!r} with bias=False")
        if forget_bias is not None and not math.isfinite(float(forget_bias)):
            raise ValueError(f"forget_bias: expected a finite number, got {forget_bias!r}")
        self.peephole = bool(peephole)
        self.forget_bias = None if forget_bias is None else float(forget_bias)

    def _extra_shapes(self) -> dict:
        return {name: (self.hidden_size,) for name in PEEPHOLES} if self.peephole else {}

    def _forget_bias_fills(self, named_parameters):
        """(array, forget-gate rows, value) to write: ``forget_bias`` into every ``bias_ih``, 0 into
        every ``bias_hh`` (so their sum, the gate's bias, is ``forget_bias``); nothing without it."""
        if self.forget_bias is None:
            return []
        forget = slice(self.hidden_size, 2 * self.hidden_size)  # gate order i, f, g, o
        return [(value, forget, self.forget_bias if name.startswith("bias_ih") else 0.0)
                for name, value in named_parameters if name.startswith(("bias_ih", "bias_hh"))]

    def _extra_repr(self) -> list[str]:
        extra = ["peephole=True"] if self.peephole else []
        return extra + ([f"forget_bias={self.forget_bias}"] if self.forget_bias is not None else [])


class SequenceOptions:
    """torch.nn's arguments of a sequence model, checked and stored alike in both backends."""

    def _store_sequence_options(self, input_size, hidden_size, num_layers, bias, batch_first,
                                bidirectional) -> dict:
        """Check and store the arguments; return the parameter shapes (``param_shapes``)."""
        for name, value in [("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)]:
            V.check_positive_int(name, value)
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers = int(num_layers)
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if self.bidirectional else 1
        return param_shapes(self.gates, self.input_size, self.hidden_size, self.num_layers,
                            self.bias, self.bidirectional, extra=self._extra_shapes())

    def _repr_options(self) -> list[str]:
        defaults = {"num_layers": 1, "bias": True, "batch_first": False, "bidirectional": False}
        return [f"{key}={getattr(self, key)}" for key, value in defaults.items()
                if getattr(self, key) != value]


class CellOptions:
    """torch.nn's arguments of a cell (one time step), checked and stored alike in both backends."""

    def _store_cell_options(self, input_size, hidden_size, bias) -> dict:
        """Check and store the arguments; return the parameter shapes (``cell_shapes``)."""
        for name, value in [("input_size", input_size), ("hidden_size", hidden_size)]:
            V.check_positive_int(name, value)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bool(bias)
        return cell_shapes(self.gates, self.input_size, self.hidden_size, self.bias,
                           extra=self._extra_shapes())

    def _repr_options(self) -> list[str]:
        return [] if self.bias else ["bias=False"]
