"""Input checks shared by both backends (scikit-learn style: fail early, name the argument).

Every check raises ``TypeError`` (wrong type or dtype) or ``ValueError`` (wrong shape, NaN, missing
key) with a message that names the argument, what was expected and what was received. The
functions accept NumPy arrays and torch tensors alike, without importing torch (``is_tensor``
looks at the type's module), and ``to_numpy`` turns either into a NumPy array.
"""

from __future__ import annotations

import numpy as np


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


def check_array(name: str, x, *, allow_tensor: bool = True):
    """Reject lists, scalars and other non-arrays with a TypeError naming ``name``."""
    ok = isinstance(x, np.ndarray) or (allow_tensor and is_tensor(x))
    if not ok:
        want = "a NumPy array or torch tensor" if allow_tensor else "a NumPy array"
        raise TypeError(f"{name}: expected {want}, got {describe(x)}")


def check_floating(name: str, x, dtype=None) -> None:
    """``x`` must have a floating dtype, and ``dtype`` itself when one is given."""
    floating = x.is_floating_point() if is_tensor(x) else np.issubdtype(x.dtype, np.floating)
    if not floating:
        raise TypeError(f"{name}: expected a floating-point dtype (float32 or float64), got {describe(x)}")
    if dtype is not None and dtype_name(x) != str(dtype).replace("torch.", ""):
        want = str(dtype).replace("torch.", "")
        raise TypeError(f"{name}: expected dtype {want} (the model's parameter dtype), got {describe(x)}; "
                        f"convert the input or the model so both use one dtype")


def check_finite(name: str, x) -> None:
    """Reject NaN and infinity: they would silently poison every later time step."""
    bad = (~x.isfinite()).any().item() if is_tensor(x) else not np.isfinite(x).all()
    if bad:
        raise ValueError(f"{name}: expected finite values, got NaN or infinity in {describe(x)}")


def check_sequence(x, input_size: int, batch_first: bool = False, dtype=None, name: str = "input"):
    """Validate a sequence input and bring it to ``(seq_len, batch, input_size)``.

    Accepts ``(seq_len, batch, input_size)`` (or ``(batch, seq_len, input_size)`` when
    ``batch_first``) and unbatched ``(seq_len, input_size)``, as torch.nn does.

    Returns ``(x_tbi, batched)``: the input as ``(seq_len, batch, input_size)`` (a view where
    possible) and whether it had a batch axis.
    """
    check_array(name, x)
    layout = "(batch, seq_len, input_size)" if batch_first else "(seq_len, batch, input_size)"
    if x.ndim not in (2, 3):
        raise ValueError(f"{name}: expected a 3-D {layout} or unbatched 2-D (seq_len, input_size) "
                         f"input, got {describe(x)}")
    if x.shape[-1] != input_size:
        raise ValueError(f"{name}: expected last dimension input_size={input_size}, got {describe(x)}")
    if x.shape[-2 if x.ndim == 2 else (1 if batch_first else 0)] == 0:
        raise ValueError(f"{name}: expected at least one time step, got {describe(x)}")
    check_floating(name, x, dtype)
    check_finite(name, x)
    if x.ndim == 2:
        return x[:, None, :], False
    if batch_first:
        return (x.transpose(0, 1) if is_tensor(x) else x.transpose(1, 0, 2)), True
    return x, True


def check_state_dict(state_dict, expected: dict[str, tuple[int, ...]]) -> None:
    """Every expected key present with its shape, and no unexpected key."""
    if not hasattr(state_dict, "keys"):
        raise TypeError(f"state_dict: expected a mapping of parameter names to arrays, "
                        f"got {type(state_dict).__name__}")
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    if missing or unexpected:
        raise ValueError(f"state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                         f"expected exactly {list(expected)}")
    for key, shape in expected.items():
        value = state_dict[key]
        check_array(f"state_dict[{key!r}]", value)
        if tuple(value.shape) != tuple(shape):
            raise ValueError(f"state_dict[{key!r}]: expected shape {tuple(shape)}, got {describe(value)}")


def check_shape(name: str, x, expected_shape: tuple[int, ...], layout: str = "", dtype=None) -> None:
    """``x`` must be a finite floating array of exactly ``expected_shape``; ``layout`` names its axes."""
    check_array(name, x)
    if tuple(x.shape) != tuple(expected_shape):
        axes = f" {layout}" if layout else ""
        raise ValueError(f"{name}: expected shape {tuple(expected_shape)}{axes}, got {describe(x)}")
    check_floating(name, x, dtype)
    check_finite(name, x)


def check_step(x, input_size: int, dtype=None, name: str = "input"):
    """Validate the input of a single-step cell and bring it to ``(batch, input_size)``.

    Accepts ``(batch, input_size)`` and unbatched ``(input_size,)``, as torch.nn cells do.
    Returns ``(x_bi, batched)``.
    """
    check_array(name, x)
    if x.ndim not in (1, 2):
        raise ValueError(f"{name}: expected a 2-D (batch, input_size) or unbatched 1-D (input_size,) "
                         f"input, got {describe(x)}")
    if x.shape[-1] != input_size:
        raise ValueError(f"{name}: expected last dimension input_size={input_size}, got {describe(x)}")
    check_floating(name, x, dtype)
    check_finite(name, x)
    return (x[None] if x.ndim == 1 else x), x.ndim == 2


def check_positive_int(name: str, value) -> None:
    """Constructor sizes (``input_size``, ``hidden_size``, ``num_layers``) are integers >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a positive integer, got {value!r} of type {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name}: expected a positive integer (>= 1), got {value}")


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
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer >= {low}, got {value!r} of type {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value}")
    return int(value)
