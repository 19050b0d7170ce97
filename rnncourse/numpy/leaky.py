"""Leaky-integrator RNN in NumPy (Deep Learning book 10.9.2): forward pass and BPTT side by side.

Each unit keeps a fraction 1 - α of its previous value and moves a fraction α towards the new
Elman candidate, so small α gives a slow unit with a long memory (a time constant ≈ 1/α):

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    u_t = tanh(a_t)                                  candidate
    h_t = (1 - α) ⊙ h_{t-1} + α ⊙ u_t                α ∈ (0, 1] per unit; α = 1 is the Elman RNN

Backward, with g_t = dL/dh_t (output term plus what flows back from step t+1) and δ_t = dL/da_t:

    δ_t         = g_t ⊙ α ⊙ (1 - u_t²)
    dL/dh_{t-1} = d_out[t-1] + (1 - α) ⊙ g_t + W_hhᵀ δ_t
    dL/dα       = Σ_t g_t ⊙ (u_t - h_{t-1})

The weight gradients are the Elman ones (sums over time of δ_t x_tᵀ, δ_t h_{t-1}ᵀ, δ_t).
"""

from __future__ import annotations

import numpy as np

from .._options import LeakyOptions
from .base import RecurrentBase
from .rnn import _input_projection, _weight_grads  # shared with the Elman RNN


def leaky_forward(x, state, p):
    """One layer, one direction. x (T, B, I), state (h_0,) -> (h_1..h_T, (h_T,), cache)."""
    T, B, _ = x.shape
    (h0,) = state
    W_hh, alpha = p["weight_hh"], p["alpha"]
    a_x = _input_projection(x, p)                    # W_ih x_t + b_ih + b_hh, all t
    h = np.empty((T + 1,) + h0.shape, dtype=a_x.dtype)
    u = np.empty_like(a_x)
    h[0] = h0
    for t in range(1, T + 1):                        # indexing as in rnn.py: h[t] is h_t, u[t - 1] is u_t
        u[t - 1] = np.tanh(a_x[t - 1] + h[t - 1] @ W_hh.T)   # u_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
        h[t] = (1 - alpha) * h[t - 1] + alpha * u[t - 1]     # h_t = (1 - α) ⊙ h_{t-1} + α ⊙ u_t
    return h[1:], (h[T],), (x, h, u, p)


def leaky_backward(d_out, d_final, cache):
    """BPTT through ``leaky_forward``: (dL/dh_t, (dL/dh_T,)) -> (dL/dx, (dL/dh_0,), grads incl. alpha)."""
    x, h, u, p = cache
    T = x.shape[0]
    W_hh, alpha = p["weight_hh"], p["alpha"]
    g = np.empty_like(u)                             # g[t - 1] is g_t = dL/dh_t
    delta = np.empty_like(u)                         # delta[t - 1] is δ_t = dL/da_t
    (dh,) = d_final                                  # dL/dh_T through h_n
    dh = dh.copy()
    for t in range(T, 0, -1):
        g[t - 1] = dh + d_out[t - 1]                 # g_t = output term + what came back from t+1
        delta[t - 1] = g[t - 1] * alpha * (1 - u[t - 1] ** 2)   # δ_t = g_t ⊙ α ⊙ tanh'(a_t)
        dh = (1 - alpha) * g[t - 1] + delta[t - 1] @ W_hh       # dL/dh_{t-1} = (1 - α) ⊙ g_t + W_hhᵀ δ_t
    dx, dp = _weight_grads(delta, x, h[:-1], p)      # h[:-1] holds h_0 .. h_{T-1}
    dp["alpha"] = (g * (u - h[:-1])).sum(axis=(0, 1))  # dL/dα = Σ_t g_t ⊙ (u_t - h_{t-1})
    return dx, (dh,), dp                             # dh is now dL/dh_0


class LeakyRNN(LeakyOptions, RecurrentBase):
    r"""Multi-layer RNN of leaky units (one leak rate α per unit), in NumPy with hand-written BPTT.

    Each layer computes

    .. math::
        h_t = (1 - \alpha) \odot h_{t-1} + \alpha \odot \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})

    With α = 1 this is ``torch.nn.RNN``; small α makes slow units that integrate their input over
    about 1/α steps (multiple time scales, Deep Learning book 10.9.2).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, bidirectional: as ``torch.nn.RNN``
        alpha: leak rate in (0, 1], a float or an array of shape `(hidden_size,)`. Default: 0.5
        learn_alpha: if ``True``, α receives a gradient (``grads['alpha_l{k}']``) and is trained;
            otherwise it is fixed and absent from the gradients. Default: ``False``
        dtype: ``np.float32`` (default) or ``np.float64``
        rng: ``np.random.Generator`` or integer seed for the initialisation

    Inputs: input, state — as :class:`~rnncourse.numpy.RNN`.

    Outputs: output, h_n — as :class:`~rnncourse.numpy.RNN`.

    Attributes:
        weight_ih_l[k], weight_hh_l[k], bias_ih_l[k], bias_hh_l[k]: as ``torch.nn.RNN``
        alpha_l[k]: `(hidden_size,)`, the leak rates of layer `k` (``..._reverse`` for the backward
            direction); always in ``state_dict()``.

    Weights and biases are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size,
    ``alpha_l[k]`` to the given ``alpha``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, alpha=0.5, learn_alpha=False, *, dtype=np.float32, rng=None):
        self._set_leaky_options(alpha, learn_alpha, hidden_size)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional,
                         dtype=dtype, rng=rng)

    def _layer_forward(self, x, state, p):
        return leaky_forward(x, state, p)

    def _layer_backward(self, d_out, d_final, cache):
        return leaky_backward(d_out, d_final, cache)
