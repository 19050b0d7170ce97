"""The constructor options of every model, checked and stored in one place for both backends.

Every model class of ``rnncourse.numpy`` and ``rnncourse.torch`` mixes in two classes of this module:

- ``SequenceOptions`` (``input_size``, ``hidden_size``, ``num_layers``, ``bias``, ``batch_first``,
  ``bidirectional``, as torch.nn's ``RNNBase`` takes them) or ``CellOptions`` (``input_size``,
  ``hidden_size``, ``bias``, as ``RNNCellBase``);
- the options of its model: ``ElmanOptions`` (``nonlinearity``), ``LSTMOptions`` (``peephole``,
  ``forget_bias``), ``GRUOptions`` (``reset_after``) or ``LeakyOptions`` (``alpha``,
  ``learn_alpha``).

They check every argument and store it as an attribute, so that the two backends accept the same
values and refuse the same bad ones with the same exception and message: ``TypeError`` for a wrong
type, ``ValueError`` for a wrong value or shape, naming the argument, what was expected and what
was received. They also say what the options mean for the parameters, which each backend's base
class then creates: the number of gate blocks ``gates`` (from ``_layout.GATES``), the number of
state parts ``n_states`` (1: h; 2: (h, c)), the model's extra parameters (``_extra_shapes``), the
ones that get no gradient (``_trainable``), the ones not drawn at random (``_fixed_init``) and the
values written after the random draw (``_initial_values``). The dtype check of each backend is
here too (``numpy_dtype``, ``torch_dtype``). A new argument of torch.nn's modules belongs here,
once for both backends.
"""

from __future__ import annotations

import numpy as np

from . import _validate as V
from ._layout import GATES, PEEPHOLES, base_name, cell_shapes, forget_gate_rows, param_shapes

NONLINEARITIES = ("tanh", "relu")


# ---- dtypes -----------------------------------------------------------------------------------
def numpy_dtype(dtype) -> np.dtype:
    """The dtype of a NumPy model: float32 or float64, as a NumPy dtype, a string or a torch dtype."""
    return V.check_float_dtype("dtype", dtype)


def torch_dtype(dtype):
    """The dtype of a torch model: None (torch's default), ``torch.float32`` or ``torch.float64``."""
    if dtype is not None and str(dtype) not in ("torch.float32", "torch.float64"):
        raise TypeError(f"dtype: expected torch.float32 or torch.float64, got {dtype!r}")
    return dtype


# ---- every model ------------------------------------------------------------------------------
class _ModelOptions:
    """What a model's options say about its parameters; the defaults of an Elman RNN."""

    gates = GATES["RNN"]
    n_states = 1
    #: base names of parameters that ``reset_parameters`` does not draw at random
    _fixed_init: tuple = ()

    def _extra_shapes(self) -> dict:
        """Model-specific parameters of one layer and direction by base name, e.g. {"weight_ci": (H,)}."""
        return {}

    def _trainable(self, name: str) -> bool:
        """False for a parameter (full or base name) that receives no gradient."""
        return True

    def _initial_values(self, named_parameters) -> list:
        """(array, index, value) to write after the random draw of ``reset_parameters``."""
        return []

    def _extra_repr(self) -> list[str]:
        return []


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


# ---- the options of each model ----------------------------------------------------------------
class ElmanOptions(_ModelOptions):
    """``nonlinearity`` of ``RNN`` and ``RNNCell``: ``'tanh'`` or ``'relu'``."""

    def _set_elman_options(self, nonlinearity) -> None:
        if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity

    def _extra_repr(self) -> list[str]:
        return [] if self.nonlinearity == "tanh" else [f"nonlinearity={self.nonlinearity!r}"]


class LSTMOptions(_ModelOptions):
    """``peephole`` and ``forget_bias`` of ``LSTM`` and ``LSTMCell``."""

    gates, n_states = GATES["LSTM"], 2

    def _set_lstm_options(self, peephole, forget_bias, bias) -> None:
        if forget_bias is not None:
            if not bias:
                raise ValueError(f"forget_bias: needs bias=True (it initialises the forget-gate slice "
                                 f"of bias_ih), got forget_bias={forget_bias!r} with bias=False")
            forget_bias = V.check_number("forget_bias", forget_bias)
        self.peephole = bool(peephole)
        self.forget_bias = forget_bias

    def _extra_shapes(self) -> dict:
        return {name: (self.hidden_size,) for name in PEEPHOLES} if self.peephole else {}

    def _initial_values(self, named_parameters) -> list:
        """With ``forget_bias``: its value into the forget-gate rows of every ``bias_ih``, 0 into those
        of every ``bias_hh`` (so their sum, the gate's bias, is ``forget_bias``)."""
        if self.forget_bias is None:
            return []
        return forget_bias_fills(named_parameters, self.hidden_size, self.forget_bias)

    def _extra_repr(self) -> list[str]:
        extra = ["peephole=True"] if self.peephole else []
        return extra + ([f"forget_bias={self.forget_bias}"] if self.forget_bias is not None else [])


class GRUOptions(_ModelOptions):
    """``reset_after`` of ``GRU`` and ``GRUCell``: the placement of the reset gate."""

    gates = GATES["GRU"]

    def _set_gru_options(self, reset_after) -> None:
        self.reset_after = bool(reset_after)

    def _extra_repr(self) -> list[str]:
        return [] if self.reset_after else ["reset_after=False"]


class LeakyOptions(_ModelOptions):
    """``alpha`` and ``learn_alpha`` of ``LeakyRNN``: one leak rate per unit, in (0, 1]."""

    gates = GATES["LeakyRNN"]
    _fixed_init = ("alpha",)

    def _set_leaky_options(self, alpha, learn_alpha, hidden_size) -> None:
        V.check_positive_int("hidden_size", hidden_size)   # before alpha, which is shaped by it
        self.alpha = leak_rates(alpha, int(hidden_size))
        self.learn_alpha = bool(learn_alpha)

    def _extra_shapes(self) -> dict:
        return {"alpha": (self.hidden_size,)}

    def _trainable(self, name: str) -> bool:
        return base_name(name) != "alpha" or self.learn_alpha

    def _initial_values(self, named_parameters) -> list:
        """Every ``alpha_l[k]`` starts at the ``alpha`` given to the constructor."""
        return [(value, Ellipsis, self.alpha) for name, value in named_parameters
                if base_name(name) == "alpha"]

    def _extra_repr(self) -> list[str]:
        same = bool(np.all(self.alpha == self.alpha[0]))
        return [f"alpha={self.alpha[0]:g}" if same else "alpha=<array>"] + \
            (["learn_alpha=True"] if self.learn_alpha else [])


def leak_rates(alpha, hidden_size: int) -> np.ndarray:
    """A float or an array broadcastable to ``(hidden_size,)``, every value in (0, 1] -> float64 (hidden_size,).

    NumPy arrays, torch tensors, lists and numbers are accepted.
    """
    expected = (f"alpha: expected a float or an array of shape (hidden_size,) = ({hidden_size},) "
                f"(or broadcastable to it), got ")
    shown = V.describe(alpha) if hasattr(alpha, "shape") else repr(alpha)
    if alpha is None or isinstance(alpha, (bool, str)):
        raise TypeError(expected + shown)
    try:
        values = np.asarray(V.to_numpy(alpha), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(expected + shown) from None
    try:
        values = np.broadcast_to(values, (hidden_size,))
    except ValueError:
        raise ValueError(expected + V.describe(values)) from None
    if not np.all((values > 0) & (values <= 1)):
        raise ValueError(f"alpha: expected leak rates in (0, 1], got {shown}")
    return values.copy()


def forget_bias_fills(named_parameters, hidden_size: int, value: float) -> list:
    """(array, forget-gate rows, value to write) for an LSTM's biases: ``value`` into every
    ``bias_ih``, 0 into every ``bias_hh``, so that their sum, the forget gate's bias, is ``value``."""
    rows = forget_gate_rows(hidden_size)
    return [(array, rows, value if base_name(name) == "bias_ih" else 0.0)
            for name, array in named_parameters if base_name(name) in ("bias_ih", "bias_hh")]
