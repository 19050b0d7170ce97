"""Helpers for the echo-state chapter (chapter 6): the error measure and the split of a series.

The models themselves are ``rnncourse.numpy.ESN`` and ``rnncourse.torch.ESN``; the chapter's slider
draws ``rnncourse.plot.draw_prediction``.
"""

from __future__ import annotations

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
