"""Synthetic long-memory tasks: the adding problem, the copy-memory task and the delayed echo.

Both follow Arjovsky, Shah & Bengio (2016), "Unitary evolution recurrent neural networks", ICML,
which fixed the forms used by most later papers. Inputs use the course's layout
``(seq_len, batch, features)`` (as ``torch.nn.RNN``), or ``(batch, seq_len, features)`` with
``batch_first=True``. Every generator draws from ``np.random.default_rng(seed)``: the same seed
gives the same arrays.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as V


def _batch_first(x, batch_first: bool):
    """``(seq_len, batch, ...)`` -> ``(batch, seq_len, ...)`` when asked."""
    return np.ascontiguousarray(x.swapaxes(0, 1)) if batch_first else x


def adding_problem(n_samples: int, T: int, seed=None, batch_first: bool = False, dtype=np.float64):
    r"""The adding problem (Hochreiter & Schmidhuber 1997, in the form of Arjovsky et al. 2016).

    Each sequence has two channels. Channel 0 holds values drawn uniformly from :math:`[0, 1]`;
    channel 1 is 0 except for two markers (1): one at a uniformly random position of the first
    half ``[0, T // 2)``, one in the second half ``[T // 2, T)``. The target is the sum of the two
    marked values,

    .. math::
        y = \sum_{t=0}^{T-1} x_{t,0}\, x_{t,1} \in [0, 2].

    A network must carry the first marked value across at least ``T // 2`` steps. The target is the
    sum of two independent :math:`U[0, 1]` values, so always predicting its mean 1 gives
    :math:`\mathrm{MSE} = \operatorname{Var}(y) = 2 \cdot \tfrac{1}{12} = 1/6 \approx 0.167`: the baseline
    a model must beat to show any memory.

    Args:
        n_samples: number of sequences (batch size), >= 1.
        T: sequence length, >= 2 (one marker in each half).
        seed: seed of ``np.random.default_rng`` (None: fresh entropy).
        batch_first: return ``X`` as ``(n_samples, T, 2)`` instead of ``(T, n_samples, 2)``.
        dtype: floating dtype of both arrays (float64 by default; float32 for the models' default).

    Returns:
        ``(X, y)``: ``X`` of shape ``(T, n_samples, 2)`` (``(n_samples, T, 2)`` if ``batch_first``),
        ``y`` of shape ``(n_samples, 1)``.

    Example::

        X, y = adding_problem(64, T=100, seed=0)   # X (100, 64, 2), y (64, 1)
    """
    n_samples = V.check_int("n_samples", n_samples, low=1)
    T = V.check_int("T", T, low=2)
    batch_first = V.check_bool("batch_first", batch_first)
    dtype = V.check_float_dtype("dtype", dtype)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(T, n_samples))
    half = T // 2
    first = rng.integers(0, half, size=n_samples)
    second = rng.integers(half, T, size=n_samples)
    markers = np.zeros((T, n_samples))
    columns = np.arange(n_samples)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    X = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values[first, columns] + values[second, columns])[:, None].astype(dtype)
    return _batch_first(X, batch_first), y


def copy_memory(n_samples: int, delay: int, n_symbols: int = 8, copy_length: int = 10, seed=None,
                batch_first: bool = False, one_hot: bool = True, dtype=np.float64):
    r"""The copy-memory task (Arjovsky et al. 2016; after Hochreiter & Schmidhuber 1997).

    The alphabet has ``n_symbols + 2`` classes: 0 is the blank, ``1 .. n_symbols`` are the
    symbols to remember and ``n_symbols + 1`` is the delimiter (Arjovsky et al.: 8 symbols, classes
    :math:`a_0, \dots, a_9`). With ``L = delay + 2 * copy_length`` time steps, one sequence reads:

    - input: the ``copy_length`` random symbols, ``delay - 1`` blanks, the delimiter, then
      ``copy_length`` blanks (the delimiter is at position ``L - copy_length - 1``);
    - target: ``delay + copy_length`` blanks, then the same symbols in the same order,

    so the symbols must be reproduced ``delay + copy_length`` steps after they were read. A model
    without memory outputs blanks and then guesses uniformly among the symbols, a cross-entropy per
    time step of

    .. math::
        \frac{\text{copy\_length} \cdot \log(\text{n\_symbols})}{\text{delay} + 2\,\text{copy\_length}}

    (``10 log 8 / (T + 20)`` in the paper): the baseline to beat.

    Args:
        n_samples: number of sequences, >= 1.
        delay: ``T`` of the paper, >= 1: number of steps from the last symbol read to the delimiter.
        n_symbols: number of distinct symbols to remember, >= 1 (8 in the paper).
        copy_length: number of symbols to remember, >= 1 (10 in the paper).
        seed: seed of ``np.random.default_rng`` (None: fresh entropy).
        batch_first: put the batch axis first in both arrays.
        one_hot: return the input one-hot encoded (floating, ``n_symbols + 2`` features); if False,
            as integer class indices like the target.
        dtype: floating dtype of the one-hot input.

    Returns:
        ``(X, y)`` with ``L = delay + 2 * copy_length``: ``X`` of shape ``(L, n_samples, n_symbols + 2)``
        (one-hot) or ``(L, n_samples)`` (int64 classes); ``y`` of shape ``(L, n_samples)``, int64 class
        indices (the form ``torch.nn.CrossEntropyLoss`` takes). With ``batch_first`` the first two
        axes are swapped.
    """
    n_samples = V.check_int("n_samples", n_samples, low=1)
    delay = V.check_int("delay", delay, low=1)
    n_symbols = V.check_int("n_symbols", n_symbols, low=1)
    copy_length = V.check_int("copy_length", copy_length, low=1)
    batch_first = V.check_bool("batch_first", batch_first)
    one_hot = V.check_bool("one_hot", one_hot)
    dtype = V.check_float_dtype("dtype", dtype)
    rng = np.random.default_rng(seed)
    L = delay + 2 * copy_length
    symbols = rng.integers(1, n_symbols + 1, size=(copy_length, n_samples))
    x = np.zeros((L, n_samples), dtype=np.int64)
    y = np.zeros((L, n_samples), dtype=np.int64)
    x[:copy_length] = symbols
    x[L - copy_length - 1] = n_symbols + 1
    y[L - copy_length:] = symbols
    if one_hot:
        x = np.eye(n_symbols + 2, dtype=dtype)[x]
    return _batch_first(x, batch_first), _batch_first(y, batch_first)


def delayed_echo(n_samples: int, T: int, delay: int, seed=None, dtype=np.float64):
    r"""The delayed echo (chapter 3): repeat the input ``delay`` steps later.

    The input is a sequence of independent random signs, :math:`x_t \in \{-1, +1\}`; the target is
    :math:`y_t = x_{t - \text{delay}}` for :math:`t \ge \text{delay}` and 0 before. A network
    solves it exactly if it keeps the last ``delay`` inputs; predicting 0 scores an MSE of about
    :math:`1 - \text{delay}/T`.

    Args:
        n_samples: number of sequences (batch size), >= 1.
        T: sequence length, > delay.
        delay: how many steps later the input is repeated, >= 1.
        seed: seed of ``np.random.default_rng`` (None: fresh entropy), or a Generator.
        dtype: floating dtype of both arrays.

    Returns:
        ``(x, y)``, both of shape ``(T, n_samples, 1)``.
    """
    n_samples = V.check_int("n_samples", n_samples, low=1)
    delay = V.check_int("delay", delay, low=1)
    T = V.check_int("T", T, low=delay + 1)
    dtype = V.check_float_dtype("dtype", dtype)
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], size=(T, n_samples, 1))
    y = np.zeros_like(x)
    y[delay:] = x[:-delay]
    return x.astype(dtype), y.astype(dtype)
