"""Helpers for the echo-state chapter (chapter 6): the error measure, the split of a series and the
chapter's experiments.

- ``nrmse``, ``one_step_split``; ``mackey_glass_split``: the chapter's Mackey–Glass protocol.
- ``fit_mackey_glass``: the chapter's ESN fitted to the training part; ``closed_loop``: it generates
  the test part from its own output.
- ``lstm_one_step``: the gradient-trained LSTM the chapter compares with the ESN.

The models themselves are ``rnncourse.numpy.ESN`` and ``rnncourse.torch.ESN``; the chapter's slider
draws ``rnncourse.plot.draw_prediction``.
"""

from __future__ import annotations

import functools

import numpy as np

from . import _validate as V


def nrmse(prediction, target) -> float:
    r"""Normalised root-mean-square error, :math:`\sqrt{\operatorname{mean}((\hat y - y)^2)} / \operatorname{std}(y)`.

    0 is perfect; 1 is what predicting the mean of ``target`` gives. NumPy arrays or tensors of the
    same shape; the mean and the standard deviation run over all entries. Non-finite predictions
    (a diverged closed loop) give ``inf``.
    """
    prediction = np.asarray(V.to_numpy(prediction), dtype=np.float64)
    target = np.asarray(V.to_numpy(target), dtype=np.float64)
    if prediction.shape != target.shape:
        raise ValueError(f"prediction: expected the shape of target {target.shape}, got {prediction.shape}")
    if not np.isfinite(prediction).all():
        return float("inf")
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.mean((prediction - target) ** 2)) / np.std(target))


def one_step_split(series, warmup: int, n_train: int, n_test: int):
    """Split a 1-D series for one-step-ahead prediction (input x_t, target x_{t+1}).

    The first ``warmup + n_train`` pairs are for ``fit(X_train, Y_train, washout=warmup)``; the next
    ``n_test`` pairs continue from the end of training (``predict(X_test, h0=esn.state_)``).
    Needs ``len(series) >= warmup + n_train + n_test + 1``. Returns
    ``(X_train, Y_train, X_test, Y_test)``, 1-D arrays.
    """
    series = np.asarray(series)
    warmup = V.check_int("warmup", warmup, low=0)
    n_train = V.check_int("n_train", n_train, low=1)
    n_test = V.check_int("n_test", n_test, low=1)
    end = warmup + n_train
    if series.ndim != 1 or len(series) < end + n_test + 1:
        raise ValueError(f"series: expected a 1-D series of at least warmup + n_train + n_test + 1 = "
                         f"{end + n_test + 1} values, got {V.describe(series)}")
    X, Y = series[:-1], series[1:]
    return X[:end], Y[:end], X[end:end + n_test], Y[end:end + n_test]


@functools.lru_cache(maxsize=1)
def mackey_glass_split():
    """The chapter's protocol on ``mackey_glass(2700)``: a 100-step washout, 2000 training steps,
    500 test steps; ``(X_train, Y_train, X_test, Y_test)`` as :func:`one_step_split` returns them."""
    from .data import mackey_glass
    return one_step_split(mackey_glass(2700), warmup=100, n_train=2000, n_test=500)


def fit_mackey_glass(seed, reservoir_size: int = 300, spectral_radius: float = 1.25,
                     leak_rate: float = 0.3, **options):
    """``rnncourse.numpy.ESN`` (reservoir ``seed``) fitted to the training part of
    :func:`mackey_glass_split` after its 100-step washout; ``options`` go to the ESN (``ridge``,
    ``noise``, ``input_scaling``, ...). Its ``state_`` is the state after the training data."""
    from .numpy import ESN

    X_train, Y_train, _, _ = mackey_glass_split()
    return ESN(1, reservoir_size, spectral_radius=spectral_radius, leak_rate=leak_rate, seed=seed,
               **options).fit(X_train, Y_train, washout=100)


def closed_loop(seed, n_steps: int = 500, **options):
    """An ESN of :func:`fit_mackey_glass` (``seed``, ``options``) generates the ``n_steps`` after the
    training data from its own output. Returns them, ``(n_steps,)``, to compare with
    ``Y_test[:n_steps]``."""
    esn = fit_mackey_glass(seed, **options)
    return esn.generate(n_steps, warmup=mackey_glass_split()[1][-1:], h0=esn.state_)


def lstm_one_step(seed=0, steps: int = 300, hidden_size: int = 32, window: int = 20, desc=None):
    """One-step prediction of Mackey–Glass by a gradient-trained LSTM, for comparison with the ESN.

    ``SequenceRegressor(1, hidden_size, kind='lstm')`` in float64 reads ``window`` steps of the
    standardised series and predicts the next value; Adam (lr 0.01) on ``steps`` batches of 64
    random windows of the training range (``seed`` fixes the initialisation and the windows).
    Returns ``(prediction, losses)``: the predictions of ``Y_test`` of :func:`mackey_glass_split`
    in the series' units, ``(500,)``, and the training losses. ``desc``: print the summary line.
    """
    import torch

    from .models import SequenceRegressor
    from .train import train

    X_train, _, X_test, _ = mackey_glass_split()
    series = np.concatenate([X_train, X_test, [0.0]])           # x_0 .. x_2600 (last unused)
    mu, sd = X_train.mean(), X_train.std()
    z = (series - mu) / sd

    def windows(step, rng):
        start = rng.integers(0, len(X_train) - window + 1, size=64)
        return np.stack([z[j:j + window] for j in start], axis=1)[..., None], z[start + window, None]

    torch.manual_seed(seed)
    lstm = SequenceRegressor(1, hidden_size, kind="lstm").double()
    losses = train(lstm, windows, steps=steps, lr=1e-2, seed=seed, desc=desc or "",
                   verbose=desc is not None)
    ends = np.arange(len(X_train) + 1, len(X_train) + len(X_test) + 1)   # windows ending at x_t
    test_windows = torch.from_numpy(np.stack([z[j - window:j] for j in ends], axis=1)[..., None])
    with torch.no_grad():
        return lstm(test_windows)[:, 0].numpy() * sd + mu, losses


def draw_prediction(ax, radius: float, leak_rate: float = 0.3, reservoir_size: int = 200,
                    n_steps: int = 300, seed=1):
    r"""Draw an ESN's closed-loop generation of Mackey–Glass against the true series.

    The chapter's protocol (100 washout steps, 2000 training steps, then ``n_steps`` generated
    after the training data) with ``rnncourse.numpy.ESN(1, reservoir_size, spectral_radius=radius,
    leak_rate=leak_rate, ridge=1e-8, noise=1e-4, seed=seed)``; the title gives the one-step and
    the closed-loop NRMSE. Fixed limits, so that the frames of a slider over ``radius`` compare.
    Deterministic.
    """
    from .numpy import ESN

    X_train, Y_train, X_test, Y_test = mackey_glass_split()
    esn = ESN(1, reservoir_size, spectral_radius=radius, leak_rate=leak_rate, ridge=1e-8,
              noise=1e-4, seed=seed).fit(X_train, Y_train, washout=100)
    one_step = nrmse(esn.predict(X_test, h0=esn.state_), Y_test)
    truth = Y_test[:n_steps]
    generated = esn.generate(n_steps, warmup=Y_train[-1:], h0=esn.state_)
    closed = nrmse(generated, truth)
    ax.plot(truth, "k", lw=2, alpha=0.35, label="true series")
    ax.plot(np.clip(generated, -10, 10), "C1", lw=1.2, label="ESN, closed loop")
    ax.set_xlim(0, n_steps)
    ax.set_ylim(0.2, 1.8)
    ax.set_xlabel("steps after the training data")
    ax.set_ylabel("x")
    closed_text = f"{closed:.2f}" if closed < 10 else "diverged"
    ax.set_title(f"ρ = {radius:g}, α = {leak_rate:g}: NRMSE one step {one_step:.1e}, "
                 f"closed loop {closed_text}", fontsize=10)
    ax.legend(loc="upper left", ncol=2, fontsize=8)
    ax.figure.tight_layout()
