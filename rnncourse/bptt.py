"""Training a NumPy RNN with its own backpropagation through time, full or truncated (chapter 3).

The model is ``rnncourse.models.NumpyRegressor`` (an Elman RNN and a linear head at every step).

- ``mse_grads``: the mean-squared error and its gradient by full BPTT, or by truncated BPTT in
  chunks of ``k`` steps (the state crosses a chunk boundary, the gradient does not).
- ``train_numpy``: Adam (``rnncourse.optim``) on the seeded batch stream of
  ``rnncourse.train.train``, so both loops see the same batches.
- ``echo_run``: one seeded run of truncated (or full) BPTT on the delayed echo, the experiment of
  chapter 3 that shows what truncation shorter than the delay costs.
- ``gradient_by_distance``: how much each earlier step contributes to the gradient of a loss
  at the last step: what truncation keeps and what it drops.
- ``peak_memory``: the peak memory NumPy allocates during a call, for the memory-against-τ plot.
"""

from __future__ import annotations

import tracemalloc

import numpy as np

from . import _validate as V
from .data import delayed_echo
from .optim import Adam, clip_grad_norm
from .train import progress_bar, summary


def mse_grads(model, x, y, truncate=None):
    """Mean-squared error of ``model(x)`` against ``y`` and its gradient, by (truncated) BPTT.

    Args:
        model: a :class:`NumpyRegressor`.
        x: `(T, B, I)` inputs; y: `(T, B, O)` targets.
        truncate: None for full BPTT; an integer ``k >= 1`` for truncated BPTT: the sequence is cut
            into chunks of ``k`` steps, each chunk starts from the state the previous one ended
            with, but its backward pass stops at that state, so no gradient travels more than
            ``k - 1`` steps back. Memory then holds one chunk: O(k) instead of O(T).

    Returns:
        ``(loss, grads)``: the mean over all ``T * B * O`` squared errors, and name -> gradient,
        summed over chunks. With ``truncate >= T`` both equal full BPTT.
    """
    T = x.shape[0]
    k = T if truncate is None else V.check_int("truncate", truncate, low=1)
    total, grads, state = 0.0, {}, None
    for start in range(0, T, k):
        y_hat, state = model.forward(x[start:start + k], state)
        error = y_hat - y[start:start + k]
        total += float(np.sum(error ** 2))
        for name, g in model.backward(2.0 * error / y.size).items():
            grads[name] = grads[name] + g if name in grads else g
    return total / y.size, grads


def train_numpy(model, make_batch, steps, lr=1e-3, truncate=None, clip=None, seed=0,
                desc="train", verbose=True):
    """Train a :class:`NumpyRegressor` with Adam on the mean-squared error; return the losses.

    The loop of ``rnncourse.train.train``, in NumPy: at step ``s``, ``x, y = make_batch(s, rng)``
    with ``rng = np.random.default_rng(seed)``, then the loss and its gradient by
    :func:`mse_grads` (``truncate`` as there), optional clipping of the global norm to ``clip``,
    and one ``rnncourse.optim.Adam`` step. With the same initial weights, batches and ``lr`` it
    gives the same losses as ``rnncourse.train.train`` on ``SequenceRegressor(...,
    many_to_many=True)`` (float64: to rounding error).

    Returns:
        list of ``steps`` floats, the loss at every step before its update. With ``verbose`` the
        one-line summary of ``rnncourse.train.summary`` is printed.
    """
    steps = V.check_int("steps", steps, low=1)
    optimizer = Adam(model.params, lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for step in progress_bar(range(steps), desc=desc):
        x, y = (np.asarray(a, dtype=model.dtype) for a in make_batch(step, rng))
        loss, grads = mse_grads(model, x, y, truncate)
        if clip is not None:
            clip_grad_norm(grads, clip)
        optimizer.step(grads)
        losses.append(loss)
    if verbose:
        print(summary(losses, desc))
    return losses


def echo_run(truncate, seed=0, steps=250, delay=5, hidden_size=24, lr=1e-2, desc=None):
    """Train ``NumpyRegressor(1, hidden_size)`` on the delayed echo with (truncated) BPTT.

    Batches of 16 sequences of 40 steps from :func:`rnncourse.data.delayed_echo`; ``truncate`` as in
    :func:`mse_grads` (None: full BPTT). ``seed`` fixes the initial weights and the batches.
    Returns the list of training losses (``desc``: print the summary line with this label).
    """
    from .models import NumpyRegressor

    model = NumpyRegressor(1, hidden_size, rng=seed)
    batches = lambda step, rng: delayed_echo(16, 40, delay, seed=rng)
    return train_numpy(model, batches, steps=steps, lr=lr, truncate=truncate, seed=seed,
                       desc=desc or "", verbose=desc is not None)


def gradient_by_distance(rnn, x, grad_h, name="weight_hh_l0"):
    """Each step's contribution to the gradient of a loss at the last step, by distance.

    The loss L reaches the network through h_T only, with dL/dh_T = ``grad_h``. By the chain rule
    dL/dW = Σ_s δ_s h_{s-1}ᵀ (for ``weight_hh``); entry ``d`` of the result is the norm of the
    term of step s = T - d. Each term is the difference between two truncated gradients, through the
    last d + 1 steps and through the last d, so the function also shows what truncation keeps.

    Args:
        rnn: a one-layer, one-direction :class:`rnncourse.numpy.RNN` (its cache is overwritten).
        x: `(T, B, I)` inputs.
        grad_h: `(B, H)`, dL/dh_T.
        name: the parameter whose gradient is split (``weight_hh_l0``, ``weight_ih_l0``, ...).

    Returns:
        ``(T,)`` array of Frobenius norms, entry ``d`` for distance ``d = 0 .. T-1``.
    """
    if rnn.num_layers != 1 or rnn.bidirectional:
        raise ValueError("rnn: expected one layer in one direction, "
                         f"got num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}")
    T = x.shape[0]
    output, _ = rnn(x)
    previous, norms = 0.0, np.empty(T)
    for d in range(T):
        start = T - 1 - d                     # the window holds steps start+1 .. T (1-based)
        h_start = output[start - 1][None] if start > 0 else None
        rnn(x[start:], h_start)
        _, _, grads = rnn.backward(None, grad_h[None])
        norms[d] = np.linalg.norm(grads[name] - previous)
        previous = grads[name].copy()
    return norms


def peak_memory(fn, *args, **kwargs) -> int:
    """Peak bytes allocated (NumPy arrays included) while ``fn(*args, **kwargs)`` runs."""
    tracemalloc.start()
    try:
        fn(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
