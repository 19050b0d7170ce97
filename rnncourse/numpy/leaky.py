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

from .. import _options as O
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
    r"""A multi-layer leaky-integrator RNN (tanh units with per-unit leak rates).

    For each element in the input sequence, each layer computes

    .. math::
        h_t = (1 - \alpha) \odot h_{t-1}
              + \alpha \odot \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    where :math:`h_t` is the hidden state at time `t`, :math:`x_t` the input (for layers after
    the first: the hidden states of the layer below, both directions concatenated) and
    :math:`\alpha \in (0, 1]^{H}` the leak rate of each unit: the fraction of its state a unit
    replaces at each step. :math:`\alpha = 1` is the Elman :class:`RNN`; a unit with a small
    :math:`\alpha` averages over about :math:`1/\alpha` steps.

    In NumPy, with backpropagation through time written by hand: the forward and backward pass of
    one layer are ``leaky_forward`` and ``leaky_backward`` in this module. After a forward pass,
    ``backward(grad_output, grad_state=None)`` returns ``(grad_input, grad_h_0, grads)`` (see
    :class:`~rnncourse.numpy.base.RecurrentBase`), with ``grads['alpha_l[k]']`` when
    ``learn_alpha=True``. The same interface as :class:`RNN` (tanh only), plus one leak-rate vector
    per layer and direction; ``state_dict`` s load to and from ``rnncourse.torch.LeakyRNN``.
    Dropout between layers, ``lengths`` and ``PackedSequence`` inputs as for :class:`RNN`.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, dropout on the outputs of every layer but the last, in training mode,
            as for :class:`RNN`. Default: 0
        bidirectional: If ``True``, becomes a bidirectional network. Default: ``False``
        device, dtype: ``None`` or ``'cpu'``, and ``np.float32`` (default) or ``np.float64``
        alpha: keyword only: initial leak rate(s) in `(0, 1]`: a float for every unit, or an array of shape
            `(hidden_size)`, one per unit (the same for every layer and direction). Default: 0.5
        learn_alpha: keyword only: If ``True``, the leak rates are trained with the weights (they get a
            gradient in ``grads``); otherwise they stay fixed (but are still in the
            ``state_dict``). Default: ``False``
        rng: keyword only: ``np.random.Generator`` or integer seed of the initialisation, then of
            the dropout masks. Default: ``None``

    Inputs: input, hx
        * **input**: array of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence.
        * **hx**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`, the initial hidden state of each layer
          and direction. Defaults to zeros if not provided.

        where :math:`N` = batch size, :math:`L` = sequence length, :math:`D = 2` if
        ``bidirectional=True`` otherwise 1, :math:`H_{in}` = ``input_size``,
        :math:`H_{out}` = ``hidden_size``.

    Outputs: output, h_n
        * **output**: array of shape :math:`(L, D * H_{out})` for unbatched input,
          :math:`(L, N, D * H_{out})` when ``batch_first=False`` or :math:`(N, L, D * H_{out})`
          when ``batch_first=True``: the hidden states :math:`h_t` of the last layer for every
          `t`, forward and reverse direction concatenated.
        * **h_n**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`: the final hidden state of each layer
          and direction, ordered [layer 0 forward, layer 0 reverse, layer 1 forward, ...].

    Attributes:
        weight_ih_l[k], weight_hh_l[k], bias_ih_l[k], bias_hh_l[k]: as for :class:`RNN`
        alpha_l[k]: the leak rates of layer `k`, of shape `(hidden_size)`, after the four above;
            in ``grads`` only with ``learn_alpha=True``
        ..._reverse: the same for the reverse direction; only when ``bidirectional=True``

    .. note::
        All parameters are NumPy arrays in ``model.params`` (``model.weight_ih_l0`` is
        ``model.params['weight_ih_l0']``); ``model.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        The weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`, drawn from ``rng``; ``alpha_l[k]``
        starts at ``alpha``.
        Nothing keeps learned leak rates inside `(0, 1]` during training.

    Examples::

        >>> leaky = LeakyRNN(10, 20, alpha=0.1, rng=0)
        >>> output, h_n = leaky(np.random.randn(5, 3, 10).astype(np.float32))
        >>> output.shape, leaky.alpha_l0.shape
        ((5, 3, 20), (20,))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, alpha=0.5,
                 learn_alpha=False, rng=None, proj_size=O.ABSENT):
        O.refuse_proj_size(proj_size, type(self).__name__)
        self._set_leaky_options(alpha, learn_alpha, hidden_size)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype, rng=rng)

    def _layer_forward(self, x, state, p):
        return leaky_forward(x, state, p)

    def _layer_backward(self, d_out, d_final, cache):
        return leaky_backward(d_out, d_final, cache)
