"""The constructor options of every model, checked and stored in one place for both backends.

Every model class of ``rnncourse.numpy`` and ``rnncourse.torch`` mixes in two classes of this module:

- ``SequenceOptions`` (``input_size``, ``hidden_size``, ``num_layers``, ``bias``, ``batch_first``,
  ``dropout``, ``bidirectional``, ``proj_size``, as torch.nn's ``RNNBase`` takes them) or
  ``CellOptions`` (``input_size``, ``hidden_size``, ``bias``, as ``RNNCellBase``);
- the options of its model: ``ElmanOptions`` (``nonlinearity``), ``LSTMOptions`` (``peephole``,
  ``forget_bias``), ``GRUOptions`` (``reset_after``) or ``LeakyOptions`` (``alpha``,
  ``learn_alpha``).

They check every argument and store it as an attribute, so that the two backends accept the same
values and refuse the same bad ones with the same exception and message: ``TypeError`` for a wrong
type (a flag must be a real ``bool``, a size a real integer), ``ValueError`` for a wrong value,
naming the argument, what was expected and what was received, and ending with torch.nn's own
wording where torch.nn refuses the same value (``_validate.torch_says``). The sizes follow torch.nn:
a sequence model needs ``input_size``, ``hidden_size`` and ``num_layers`` >= 1 (torch.nn refuses 0);
a cell takes ``input_size`` and ``hidden_size`` >= 0 (torch.nn's cells accept 0: a cell with
``hidden_size=0`` returns an empty state).

They also say what the options mean for the parameters, which each backend's base class then
creates: the number of gate blocks ``gates`` (from ``_layout.GATES``), the number of state parts
``n_states`` (1: h; 2: (h, c)) and their sizes (``_state_sizes``: h has ``proj_size`` features with
projections), the model's extra parameters (``_extra_shapes``), the ones that get no gradient
(``_trainable``), the ones not drawn at random (``_fixed_init``) and the values written after the
random draw (``_initial_values``). The dtype and device checks of each backend are here too
(``numpy_dtype``, ``numpy_device``, ``torch_dtype``). A new argument of torch.nn's modules belongs
here, once for both backends.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _validate as V
from ._layout import GATES, PEEPHOLES, base_name, cell_shapes, forget_gate_rows, param_shapes

NONLINEARITIES = ("tanh", "relu")

#: the default of ``proj_size`` in the models without projections: torch.nn's RNN and GRU refuse
#: the argument whenever it is given, even as 0, so "not given" must be told apart from 0
ABSENT = type("Absent", (), {"__repr__": lambda self: "<not given>"})()


# ---- dtypes and devices -----------------------------------------------------------------------
def numpy_dtype(dtype) -> np.dtype:
    """The dtype of a NumPy model: float32 (also for None, torch's default) or float64, as a NumPy
    dtype, a string or a torch dtype."""
    return np.dtype(np.float32) if dtype is None else V.check_float_dtype("dtype", dtype)


def numpy_device(device) -> None:
    """The NumPy backend computes on the CPU: ``device`` must be None, ``'cpu'`` or ``torch.device('cpu')``."""
    if device is not None and str(device) != "cpu":
        raise ValueError(f"device: the NumPy backend computes on the CPU; expected None or 'cpu', "
                         f"got {device!r}")


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

    def _state_sizes(self) -> tuple:
        """Features of each state part: (h,) or (h, c); h has ``proj_size`` features with projections."""
        out = getattr(self, "proj_size", 0) or self.hidden_size
        return (out,) if self.n_states == 1 else (out, self.hidden_size)

    def _init_bound(self) -> float:
        """Parameters start in U(-k, k), k = 1/sqrt(hidden_size) (0 for a cell with hidden_size 0)."""
        return 1.0 / np.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0


class SequenceOptions:
    """torch.nn's arguments of a sequence model, checked and stored alike in both backends.

    ``dropout`` stays an attribute that may be changed later (``model.dropout = 0.3``), as in
    torch.nn; it is checked on every assignment.
    """

    def _store_sequence_options(self, input_size, hidden_size, num_layers, bias, batch_first,
                                dropout, bidirectional, proj_size=0) -> dict:
        """Check and store the arguments; return the parameter shapes (``param_shapes``)."""
        self.input_size = V.check_size("input_size", input_size)
        self.hidden_size = V.check_size("hidden_size", hidden_size)
        self.num_layers = V.check_size("num_layers", num_layers)
        self.bias = V.check_bool("bias", bias, torch_checks=True)
        self.batch_first = V.check_bool("batch_first", batch_first, torch_checks=True)
        self.dropout = dropout
        self.bidirectional = V.check_bool("bidirectional", bidirectional)
        self.proj_size = V.check_size("proj_size", proj_size, minimum=0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(f"proj_size: expected an integer smaller than hidden_size={self.hidden_size}, "
                             f"got {self.proj_size}" + V.torch_says("proj_size has to be smaller than hidden_size"))
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", UserWarning, stacklevel=4)
        self.num_directions = 2 if self.bidirectional else 1
        return param_shapes(self.gates, self.input_size, self.hidden_size, self.num_layers,
                            self.bias, self.bidirectional, extra=self._extra_shapes(),
                            proj_size=self.proj_size)

    @property
    def dropout(self) -> float:
        """The probability that an output of a layer below the last is zeroed in training (torch.nn's
        ``dropout``)."""
        return self._dropout

    @dropout.setter
    def dropout(self, value) -> None:
        self._dropout = V.check_probability("dropout", value)

    def _dropout_active(self) -> bool:
        """Dropout between layers happens in training mode, with dropout > 0 and two layers or more."""
        return self.training and self.dropout > 0 and self.num_layers > 1

    def _repr_options(self) -> list[str]:
        defaults = {"proj_size": 0, "num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0,
                    "bidirectional": False}
        return [f"{key}={getattr(self, key)}" for key, value in defaults.items()
                if getattr(self, key) != value]


def refuse_proj_size(proj_size, model: str) -> None:
    """Only the LSTM has projections: torch.nn's RNN and GRU refuse ``proj_size`` when it is given."""
    if proj_size is not ABSENT:
        raise ValueError(f"proj_size: only the LSTM has projections, got proj_size={proj_size!r} for "
                         f"{model}" + V.torch_says("proj_size argument is only supported for LSTM, not "
                                                   "RNN or GRU"))


class CellOptions:
    """torch.nn's arguments of a cell (one time step), checked and stored alike in both backends."""

    def _store_cell_options(self, input_size, hidden_size, bias) -> dict:
        """Check and store the arguments; return the parameter shapes (``cell_shapes``)."""
        self.input_size = V.check_size("input_size", input_size, minimum=0, torch_checks=False)
        self.hidden_size = V.check_size("hidden_size", hidden_size, minimum=0, torch_checks=False)
        self.bias = V.check_bool("bias", bias)
        return cell_shapes(self.gates, self.input_size, self.hidden_size, self.bias,
                           extra=self._extra_shapes())

    def _repr_options(self) -> list[str]:
        return [] if self.bias else ["bias=False"]


# ---- the options of each model ----------------------------------------------------------------
class ElmanOptions(_ModelOptions):
    """``nonlinearity`` of ``RNN`` and ``RNNCell``: ``'tanh'`` or ``'relu'``."""

    def _set_elman_options(self, nonlinearity) -> None:
        if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}" + V.torch_says(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."))
        self.nonlinearity = nonlinearity

    def _extra_repr(self) -> list[str]:
        return [] if self.nonlinearity == "tanh" else [f"nonlinearity={self.nonlinearity!r}"]


class LSTMOptions(_ModelOptions):
    """``peephole`` and ``forget_bias`` of ``LSTM`` and ``LSTMCell``."""

    gates, n_states = GATES["LSTM"], 2

    def _set_lstm_options(self, peephole, forget_bias, bias) -> None:
        bias = V.check_bool("bias", bias, torch_checks=not isinstance(self, CellOptions))
        if forget_bias is not None:
            if not bias:
                raise ValueError(f"forget_bias: needs bias=True (it initialises the forget-gate slice "
                                 f"of bias_ih), got forget_bias={forget_bias!r} with bias=False")
            forget_bias = V.check_number("forget_bias", forget_bias)
        self.peephole = V.check_bool("peephole", peephole)
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
        self.reset_after = V.check_bool("reset_after", reset_after)

    def _extra_repr(self) -> list[str]:
        return [] if self.reset_after else ["reset_after=False"]


class LeakyOptions(_ModelOptions):
    """``alpha`` and ``learn_alpha`` of ``LeakyRNN``: one leak rate per unit, in (0, 1]."""

    gates = GATES["LeakyRNN"]
    _fixed_init = ("alpha",)

    def _set_leaky_options(self, alpha, learn_alpha, hidden_size) -> None:
        hidden_size = V.check_size("hidden_size", hidden_size)   # before alpha, which is shaped by it
        self.alpha = leak_rates(alpha, hidden_size)
        self.learn_alpha = V.check_bool("learn_alpha", learn_alpha)

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
