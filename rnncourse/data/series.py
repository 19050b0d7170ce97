"""Benchmark time series for reservoir computing: Mackey–Glass and NARMA10.

Both return 1-D NumPy arrays of shape ``(n_steps,)`` (one value per time step), which the
echo-state networks of ``rnncourse.numpy`` and ``rnncourse.torch`` accept as univariate input;
``x[:, None]`` gives the ``(seq_len, features)`` layout of the other models.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate as V


def _hermite(theta: float) -> tuple[float, float, float, float]:
    """Cubic Hermite basis at ``theta`` in [0, 1]: weights of x_j, h f_j, x_{j+1}, h f_{j+1}."""
    t2, t3 = theta * theta, theta * theta * theta
    return 2 * t3 - 3 * t2 + 1, t3 - 2 * t2 + theta, -2 * t3 + 3 * t2, t3 - t2


def mackey_glass(n_steps: int, tau: float = 17.0, beta: float = 0.2, gamma: float = 0.1, n: float = 10.0,
                 x0: float = 1.2, sample_step: float = 1.0, substeps: int = 10):
    r"""The Mackey–Glass delay differential equation (Mackey & Glass 1977), sampled at regular steps.

    .. math::
        \frac{dx}{dt} = \beta \, \frac{x(t - \tau)}{1 + x(t - \tau)^{n}} - \gamma \, x(t),
        \qquad x(t) = x_0 \text{ for } t \le 0.

    With the defaults (:math:`\tau = 17`, :math:`\beta = 0.2`, :math:`\gamma = 0.1`, :math:`n = 10`)
    the solution is chaotic and stays in about :math:`[0.4, 1.35]`: the classic benchmark of
    reservoir computing (Jaeger & Haas 2004 use :math:`\tau = 17`).

    The equation is integrated with the classical Runge–Kutta method (RK4) on a grid whose step
    :math:`h = \tau / M` divides the delay exactly and is at most ``sample_step / substeps``. The
    delayed values the stages need then fall on grid points, or half-way between two of them, where
    they are read off the cubic Hermite interpolant of the computed solution (values and derivatives
    at the grid points, error :math:`O(h^4)`). Aligning the grid with :math:`\tau` also puts the
    breakpoints of the solution (:math:`t = 0, \tau, 2\tau, \dots`, where a derivative jumps) on
    grid points, so the scheme keeps its order 4: halving :math:`h` divides the error by about 16
    (the tests check it). The samples are read off the same interpolant.

    Args:
        n_steps: number of samples, >= 1.
        tau: the delay :math:`\tau > 0`.
        beta, gamma, n: the coefficients of the equation (``beta``, ``gamma`` > 0, ``n`` >= 1).
        x0: the constant history :math:`x(t), t \le 0`; > 0.
        sample_step: time between two samples, > 0.
        substeps: RK4 steps per sample at least, >= 1.

    Returns:
        ``x`` of shape ``(n_steps,)``, float64, with ``x[k]`` :math:`= x(k \cdot \text{sample\_step})`
        (so ``x[0] == x0``). The result is deterministic: change ``x0`` for another trajectory.
    """
    n_steps = V.check_int("n_steps", n_steps, low=1)
    tau = V.check_number("tau", tau, low=0, low_open=True)
    beta = V.check_number("beta", beta, low=0, low_open=True)
    gamma = V.check_number("gamma", gamma, low=0, low_open=True)
    n = V.check_number("n", n, low=1)
    x0 = V.check_number("x0", x0, low=0, low_open=True)
    sample_step = V.check_number("sample_step", sample_step, low=0, low_open=True)
    substeps = V.check_int("substeps", substeps, low=1)
    M = max(1, math.ceil(tau * substeps / sample_step - 1e-9))   # grid steps per delay
    h = tau / M

    def f(x: float, x_tau: float) -> float:
        return beta * x_tau / (1.0 + x_tau ** n) - gamma * x

    # The grid: xs[k] = x(k h) and fs[k] = dx/dt there; index k - M is the time t - tau. One step
    # beyond the last sample, so that every sample has a grid interval (and its derivatives) around it.
    n_grid = math.floor((n_steps - 1) * sample_step / h + 1e-9) + 2
    xs, fs = [x0], []
    for k in range(n_grid):
        x, j = xs[k], k - M
        x_tau = xs[j] if j >= 0 else x0
        x_tau_next = xs[j + 1] if j + 1 >= 0 else x0
        if j + 1 <= 0:                            # x(t - tau + h/2) lies in the history
            x_tau_mid = x0
        else:                                     # cubic Hermite interpolant at the midpoint
            x_tau_mid = 0.5 * (x_tau + x_tau_next) + h / 8.0 * (fs[j] - fs[j + 1])
        k1 = f(x, x_tau)
        fs.append(k1)
        k2 = f(x + 0.5 * h * k1, x_tau_mid)
        k3 = f(x + 0.5 * h * k2, x_tau_mid)
        k4 = f(x + h * k3, x_tau_next)
        xs.append(x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4))
    xs, fs = np.array(xs), np.array(fs)

    # Samples at t = i * sample_step, read off the same Hermite interpolant (exact on grid points).
    position = np.arange(n_steps) * (sample_step / h)
    nearest = np.round(position)
    position = np.where(np.abs(position - nearest) < 1e-9, nearest, position)
    j = np.floor(position).astype(int)
    w0, w1, w2, w3 = _hermite(position - j)
    return w0 * xs[j] + w1 * h * fs[j] + w2 * xs[j + 1] + w3 * h * fs[j + 1]


def narma10(n_steps: int, seed=None):
    r"""The NARMA10 system (Atiya & Parlos 2000), driven by i.i.d. input :math:`u \sim U[0, 0.5]`.

    .. math::
        y(t+1) = 0.3\, y(t) + 0.05\, y(t) \sum_{i=0}^{9} y(t - i) + 1.5\, u(t - 9)\, u(t) + 0.1,

    with :math:`u` and :math:`y` zero before the start. Predicting :math:`y` from :math:`u` needs a
    memory of ten steps and products of inputs: a standard test of reservoir memory and nonlinearity.

    The arrays are aligned for a causal model: ``y[t]`` is :math:`y(t+1)`, the first output that
    depends on ``u[t]``, so a model reading ``u[0..t]`` predicts ``y[t]``.

    Args:
        n_steps: number of time steps, >= 1. The first ten outputs are a transient (the zero
            history); discard them with the ``washout`` of the model.
        seed: seed of ``np.random.default_rng`` (None: fresh entropy).

    Returns:
        ``(u, y)``, each of shape ``(n_steps,)``, float64.

    Raises:
        ValueError: if the recurrence diverges for this input (rare for U[0, 0.5]); use another seed.
    """
    n_steps = V.check_int("n_steps", n_steps, low=1)
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.0, 0.5, size=n_steps)
    y = np.zeros(n_steps + 10)                   # ten leading zeros: the history before t = 0
    for t in range(n_steps):
        y_prev = y[t + 9]
        u_lag = u[t - 9] if t >= 9 else 0.0
        y[t + 10] = 0.3 * y_prev + 0.05 * y_prev * y[t:t + 10].sum() + 1.5 * u_lag * u[t] + 0.1
        if y[t + 10] > 10.0:                     # it stays below about 1.3 unless it diverges
            raise ValueError(f"narma10: the recurrence diverged at t={t} for seed={seed!r} "
                             f"(y = {y[t + 10]:.3g}); use another seed")
    return u, y[10:]
