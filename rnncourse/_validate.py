"""Input checks shared by both backends (scikit-learn style: fail early, name the argument).

Every check raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value, NaN) with a message
that names the argument, what was expected and what was received; wrong shapes, dtypes and
``state_dict`` entries raise the classes of ``rnncourse.errors``, which derive from these *and* from
the class torch.nn raises for the same mistake (``RuntimeError`` for a size, ...). Where torch.nn
has its own wording for the mistake, the message ends with it: ``(torch.nn: ...)`` (``torch_says``),
so that code matching torch.nn's messages matches ours too. The functions accept NumPy arrays and
torch tensors alike, without importing torch (``is_tensor`` looks at the type's module), and
``to_numpy`` turns either into a NumPy array.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import ArgumentTypeError, DTypeError, ShapeError, StateDictError


def is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def to_numpy(x):
    """A torch tensor as a NumPy array (detached, on the CPU); anything else unchanged."""
    return x.detach().cpu().numpy() if is_tensor(x) else x


def dtype_name(x) -> str:
    return str(x.dtype).replace("torch.", "")


def describe(x) -> str:
    """``"array of shape (3, 4) and dtype float32"`` — what the user actually passed."""
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        return f"an object of type {type(x).__name__}"
    kind = "tensor" if is_tensor(x) else "array"
    return f"{kind} of shape {tuple(x.shape)} and dtype {dtype_name(x)}"


def torch_says(phrase: str | None) -> str:
    """`` (torch.nn: <phrase>)``, the end of a message where torch.nn words the same mistake; "" if not."""
    return f" (torch.nn: {phrase})" if phrase else ""


def check_array(name: str, x, *, allow_tensor: bool = True):
    """Reject lists, scalars and other non-arrays with a TypeError naming ``name``."""
    ok = isinstance(x, np.ndarray) or (allow_tensor and is_tensor(x))
    if not ok:
        want = "a NumPy array or torch tensor" if allow_tensor else "a NumPy array"
        raise TypeError(f"{name}: expected {want}, got {describe(x)}")


def _dtype_phrase(x, dtype, model: str) -> str:
    """torch.nn's message for an input of another dtype than the weights (``RNNBase.check_input``)."""
    want, got = str(dtype).replace("torch.", ""), dtype_name(x)
    if is_tensor(x):
        return (f"{model} input dtype (torch.{got}) does not match weight dtype (torch.{want}). "
                f"Convert input: input.to(torch.{want}), or convert model: model.to(torch.{got})")
    return (f"{model} input dtype ({got}) does not match weight dtype ({want}). Convert input: "
            f"input.to({want}) for a tensor or input.astype('{want}') for an array, "
            f"or convert model: model.to({got})")


def check_floating(name: str, x, dtype=None, model: str | None = None) -> None:
    """``x`` must have a floating dtype, and ``dtype`` itself when one is given (``DTypeError``).

    ``model`` ("RNN" for every sequence model, as torch.nn words it) adds torch.nn's message.
    """
    floating = x.is_floating_point() if is_tensor(x) else np.issubdtype(x.dtype, np.floating)
    if floating and (dtype is None or dtype_name(x) == str(dtype).replace("torch.", "")):
        return
    says = torch_says(_dtype_phrase(x, dtype, model)) if model and dtype is not None else ""
    if not floating:
        raise DTypeError(f"{name}: expected a floating-point dtype (float32 or float64), "
                         f"got {describe(x)}{says}")
    want = str(dtype).replace("torch.", "")
    raise DTypeError(f"{name}: expected dtype {want} (the model's parameter dtype), got {describe(x)}; "
                     f"convert the input or the model so both use one dtype{says}")


def check_finite(name: str, x) -> None:
    """Reject NaN and infinity: they would silently poison every later time step."""
    bad = (~x.isfinite()).any().item() if is_tensor(x) else not np.isfinite(x).all()
    if bad:
        raise ValueError(f"{name}: expected finite values, got NaN or infinity in {describe(x)}")


def check_sequence(x, input_size: int, batch_first: bool = False, dtype=None, name: str = "input",
                   model: str = "RNN"):
    """Validate a sequence input and bring it to ``(seq_len, batch, input_size)``.

    Accepts ``(seq_len, batch, input_size)`` (or ``(batch, seq_len, input_size)`` when
    ``batch_first``) and unbatched ``(seq_len, input_size)``, as torch.nn does; an empty batch is
    allowed, an empty sequence is not. ``model`` is the class name torch.nn puts in its messages.

    Returns ``(x_tbi, batched)``: the input as ``(seq_len, batch, input_size)`` (a view where
    possible) and whether it had a batch axis.
    """
    check_array(name, x)
    layout = "(batch, seq_len, input_size)" if batch_first else "(seq_len, batch, input_size)"
    if x.ndim not in (2, 3):
        raise ShapeError(f"{name}: expected a 3-D {layout} or unbatched 2-D (seq_len, input_size) "
                         f"input, got {describe(x)}" + torch_says(
                             f"{model}: Expected input to be 2D or 3D, got {x.ndim}D tensor instead"))
    if x.shape[-1] != input_size:
        raise ShapeError(f"{name}: expected last dimension input_size={input_size}, got {describe(x)}"
                         + torch_says(f"input.size(-1) must be equal to input_size. "
                                      f"Expected {input_size}, got {x.shape[-1]}"))
    if x.shape[-2 if x.ndim == 2 else (1 if batch_first else 0)] == 0:
        raise ShapeError(f"{name}: expected at least one time step, got {describe(x)}"
                         + torch_says("Expected sequence length to be larger than 0 in RNN"))
    check_floating(name, x, dtype, model="RNN")
    check_finite(name, x)
    if x.ndim == 2:
        return x[:, None, :], False
    if batch_first:
        return (x.transpose(0, 1) if is_tensor(x) else x.transpose(1, 0, 2)), True
    return x, True


def check_state_dict(state_dict, expected: dict[str, tuple[int, ...]]) -> None:
    """Every expected key present with its shape, and no unexpected key (``StateDictError``)."""
    if not hasattr(state_dict, "keys"):
        raise TypeError(f"state_dict: expected a mapping of parameter names to arrays, "
                        f"got {type(state_dict).__name__}")
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    if missing or unexpected:
        raise StateDictError(f"state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                             f"expected exactly {list(expected)}")
    for key, shape in expected.items():
        value = state_dict[key]
        check_array(f"state_dict[{key!r}]", value)
        if tuple(value.shape) != tuple(shape):
            raise StateDictError(f"state_dict[{key!r}]: expected shape {tuple(shape)}, got {describe(value)}")


def check_weights(state_dict) -> None:
    """The values of a ``state_dict``: floating and finite, in both backends alike.

    NaN or infinite weights are refused (torch.nn would load them): every output computed with them
    would be NaN, far from the load that caused it.
    """
    for key, value in state_dict.items():
        check_array(f"state_dict[{key!r}]", value)
        check_floating(f"state_dict[{key!r}]", value)
        check_finite(f"state_dict[{key!r}]", value)


def check_shape(name: str, x, expected_shape: tuple[int, ...], layout: str = "", dtype=None,
                says: str | None = None) -> None:
    """``x`` must be a finite floating array of exactly ``expected_shape``; ``layout`` names its axes,
    ``says`` is torch.nn's wording of a wrong shape (see ``torch_says``)."""
    check_array(name, x)
    if tuple(x.shape) != tuple(expected_shape):
        axes = f" {layout}" if layout else ""
        raise ShapeError(f"{name}: expected shape {tuple(expected_shape)}{axes}, got {describe(x)}"
                         + torch_says(says))
    check_floating(name, x, dtype)
    check_finite(name, x)


def check_step(x, input_size: int, dtype=None, name: str = "input", model: str = "RNNCell"):
    """Validate the input of a single-step cell and bring it to ``(batch, input_size)``.

    Accepts ``(batch, input_size)`` and unbatched ``(input_size,)``, as torch.nn cells do.
    Returns ``(x_bi, batched)``.
    """
    check_array(name, x)
    if x.ndim not in (1, 2):
        raise ShapeError(f"{name}: expected a 2-D (batch, input_size) or unbatched 1-D (input_size,) "
                         f"input, got {describe(x)}"
                         + torch_says(f"{model}: Expected input to be 1D or 2D, got {x.ndim}D instead"))
    if x.shape[-1] != input_size:
        raise ShapeError(f"{name}: expected last dimension input_size={input_size}, got {describe(x)}"
                         + torch_says(f"input has inconsistent input_size: got {x.shape[-1]} "
                                      f"expected {input_size}"))
    check_floating(name, x, dtype)
    check_finite(name, x)
    return (x[None] if x.ndim == 1 else x), x.ndim == 2


def state_phrase(model: str, part: int, n_parts: int, got: tuple, want: tuple, cell: bool) -> str:
    """torch.nn's message for a state part of shape ``got`` where ``want`` was expected.

    ``part`` 0 is h (``hx``), 1 is c; ``cell``: a one-step cell (torch.nn's ``RNNCellBase``).
    """
    got, want = tuple(got), tuple(want)
    if cell:
        if len(got) not in (1, 2):
            which = "hidden" if n_parts == 1 else f"hx[{part}]"
            return f"{model}: Expected {which} to be 1D or 2D, got {len(got)}D instead"
        if got[-1] != want[-1]:
            return f"hidden{part} has inconsistent hidden_size: got {got[-1]}, expected {want[-1]}"
        batch = want[0] if len(want) == 2 else 1
        return f"Input batch size {batch} doesn't match hidden{part} batch size {got[0] if len(got) == 2 else 1}"
    if len(got) != len(want):
        layout = "batched 3-D" if len(want) == 3 else "unbatched 2-D"
        which = "hx" if n_parts == 1 else "hx and cx"
        return f"For {layout} input, {which} should also be {len(want)}-D but got {len(got)}-D tensor"
    which = "hidden" if n_parts == 1 else f"hidden[{part}]"
    return f"Expected {which} size {want}, got {list(got)}"


def _integer(name: str, value, minimum: int, says_type: str | None = None,
             says_value: str | None = None) -> int:
    """A Python or NumPy integer (not a bool) >= ``minimum``, as ``int``; ``says_*``: torch.nn's words."""
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected {kind}, got {value!r} of type {type(value).__name__}"
                        + torch_says(says_type))
    if value < minimum:
        raise ValueError(f"{name}: expected {kind}{' (>= 1)' if minimum == 1 else ''}, got {value}"
                         + torch_says(says_value))
    return int(value)


def check_size(name: str, value, minimum: int = 1, torch_checks: bool = True) -> int:
    """A size argument of a model (``input_size``, ``hidden_size``, ``num_layers``, ``proj_size``):
    a Python or NumPy integer (not a bool) >= ``minimum``; returns it as ``int``.

    With ``torch_checks`` the message ends with torch.nn's wording of the same refusal.
    """
    says_type = f"{name} should be of type int, got: {type(value).__name__}" if torch_checks else None
    says_value = None
    if torch_checks:
        says_value = (f"{name} must be greater than zero" if minimum == 1 else
                      f"{name} should be a positive integer or zero to disable projections")
    return _integer(name, value, minimum, says_type, says_value)


def check_bool(name: str, value, torch_checks: bool = False) -> bool:
    """A flag must be ``True`` or ``False``: ``'False'``, ``0``, ``1`` or ``None`` are refused
    (a non-empty string is truthy: ``batch_first='False'`` would silently mean True).

    ``torch_checks``: torch.nn refuses it too (``bias``, ``batch_first``): its wording is added.
    """
    if not isinstance(value, (bool, np.bool_)):
        says = f"{name} should be of type bool, got: {type(value).__name__}" if torch_checks else None
        raise TypeError(f"{name}: expected a bool (True or False), got {value!r} of type "
                        f"{type(value).__name__}" + torch_says(says))
    return bool(value)


def check_probability(name: str, value) -> float:
    """A probability in [0, 1] (``dropout``), as a float. A bool or a string is an ``ArgumentTypeError``
    (a TypeError that is also the ValueError torch.nn raises)."""
    says = (f"{name} should be a number in range [0, 1] representing the probability of an element "
            f"being zeroed")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name}: expected a number in [0, 1], got {value!r} of type "
                                f"{type(value).__name__}" + torch_says(says))
    if not 0 <= value <= 1:
        raise ValueError(f"{name}: expected a number in [0, 1], got {value}" + torch_says(says))
    return float(value)


def check_positive_int(name: str, value) -> None:
    """Sizes (``batch``, ``T``, ...) are integers >= 1."""
    _integer(name, value, 1)


def check_float_dtype(name: str, dtype) -> np.dtype:
    """``float32`` or ``float64`` given as a NumPy dtype, a string or a torch dtype -> the NumPy dtype."""
    try:
        result = np.dtype(str(dtype).replace("torch.", "") if not isinstance(dtype, type) else dtype)
    except TypeError:
        result = None
    if result is None or result not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name}: expected float32 or float64, got {dtype!r}")
    return result


def check_number(name: str, value, *, low=None, high=None, low_open: bool = False,
                 high_open: bool = False) -> float:
    """A real scalar (hyperparameter) inside ``[low, high]``; ``low_open`` / ``high_open`` exclude the ends.

    Returns it as a float. Used by the data generators and the echo-state network.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a real number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        left = "-inf" if low is None else f"{low}"
        right = "inf" if high is None else f"{high}"
        interval = f"{'(' if low_open or low is None else '['}{left}, {right}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name}: expected a number in {interval}, got {value}")
    return value


def check_int(name: str, value, *, low: int = 0) -> int:
    """An integer >= ``low`` (a length, a delay, a washout); returns it as ``int``."""
    return _integer(name, value, low)
