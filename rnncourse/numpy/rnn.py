"""Elman RNN in NumPy: the forward pass and backpropagation through time, side by side.

Notation of the BPTT chapter (Graves; Deep Learning book 10.2.2), for one layer in one direction:

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh      pre-activation
    h_t = f(a_t)                                     f = tanh or relu

The loss L reaches h_t twice: through the output at step t (dL/dh_t from above, ``d_out[t]``) and
through the next step's pre-activation a_{t+1}. With δ_t = dL/da_t, read backwards from t = T:

    δ_t = (d_out[t] + W_hhᵀ δ_{t+1}) ⊙ f'(a_t)       (δ_{T+1} term replaced by dL/dh_T from h_n)

and, because the same weights serve every step, their gradients are sums over time:

    dL/dW_ih = Σ_t δ_t x_tᵀ,   dL/dW_hh = Σ_t δ_t h_{t-1}ᵀ,   dL/db_ih = dL/db_hh = Σ_t δ_t.

In the code, arrays hold a batch in their rows, so ``W x_t`` is written ``x_t @ W.T``. Steps are
numbered t = 1 .. T as in the equations; the per-step arrays (``x``, ``a_x``, ``delta``, ``d_out``)
are 0-based, so step t is entry ``t - 1``, while ``h`` stores the initial state first: ``h[t]`` is h_t.
"""

from __future__ import annotations

import numpy as np

from .._options import ElmanOptions
from .base import CellBase, RecurrentBase, input_gradients, input_projection


def _input_projection(x, p):
    """W_ih x_t + b_ih + b_hh for every step at once (the biases only when the model has them)."""
    biases = (p["bias_ih"], p["bias_hh"]) if "bias_ih" in p else ()
    return input_projection(x, p["weight_ih"], *biases)


def _weight_grads(delta, x, h_prev, p):
    """dL/dW_ih = Σ_t δ_t x_tᵀ, dL/dW_hh = Σ_t δ_t h_{t-1}ᵀ, dL/db = Σ_t δ_t, and dL/dx_t = W_ihᵀ δ_t.

    Each sum over time (and batch) is a single matrix product over the T * B rows.
    """
    H = delta.shape[-1]
    d_weight_ih, dx = input_gradients(delta, x, p["weight_ih"])
    dp = {"weight_ih": d_weight_ih,
          "weight_hh": delta.reshape(-1, H).T @ h_prev.reshape(-1, H)}
    if "bias_ih" in p:
        dp["bias_ih"] = delta.sum(axis=(0, 1))
        dp["bias_hh"] = dp["bias_ih"].copy()
    return dx, dp


def rnn_forward(x, state, p, nonlinearity="tanh"):
    """One layer, one direction. x (T, B, I), state (h_0,) -> (h_1..h_T, (h_T,), cache)."""
    T, B, _ = x.shape
    (h0,) = state
    W_hh = p["weight_hh"]
    f = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
    a_x = _input_projection(x, p)                    # W_ih x_t + b_ih + b_hh, all t
    h = np.empty((T + 1,) + h0.shape, dtype=a_x.dtype)
    h[0] = h0
    for t in range(1, T + 1):
        a = a_x[t - 1] + h[t - 1] @ W_hh.T           # a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        h[t] = f(a)                                  # h_t = f(a_t)
    return h[1:], (h[T],), (x, h, p, nonlinearity)


def rnn_backward(d_out, d_final, cache):
    """BPTT through ``rnn_forward``: (dL/dh_t for all t, (dL/dh_T,)) -> (dL/dx, (dL/dh_0,), grads)."""
    x, h, p, nonlinearity = cache
    T = x.shape[0]
    W_hh = p["weight_hh"]
    # f'(a_t) from the saved outputs: tanh' = 1 - h_t², relu' = [h_t > 0]
    if nonlinearity == "tanh":
        f_prime = 1.0 - h[1:] ** 2
    else:
        f_prime = (h[1:] > 0).astype(h.dtype)
    delta = np.empty_like(f_prime)                   # delta[t - 1] is δ_t = dL/da_t
    (dh,) = d_final                                  # dL/dh_T through h_n
    dh = dh.copy()
    for t in range(T, 0, -1):
        dh += d_out[t - 1]                           # dL/dh_t = output term + W_hhᵀ δ_{t+1}
        delta[t - 1] = dh * f_prime[t - 1]           # δ_t = dL/dh_t ⊙ f'(a_t)
        dh = delta[t - 1] @ W_hh                     # dL/dh_{t-1} through a_t: W_hhᵀ δ_t
    dx, dp = _weight_grads(delta, x, h[:-1], p)      # sums over time of δ_t x_tᵀ, δ_t h_{t-1}ᵀ, δ_t
    return dx, (dh,), dp                             # dh is now dL/dh_0


class _Elman(ElmanOptions):
    """The hooks that plug the Elman kernel into RecurrentBase / CellBase (options: _options)."""

    def _layer_forward(self, x, state, p):
        return rnn_forward(x, state, p, self.nonlinearity)

    def _layer_backward(self, d_out, d_final, cache):
        return rnn_backward(d_out, d_final, cache)


class RNN(_Elman, RecurrentBase):
    r"""Multi-layer Elman RNN with tanh or ReLU non-linearity, in NumPy with hand-written BPTT.

    Same arguments, parameter names and return values as ``torch.nn.RNN``. Each layer computes

    .. math::
        h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})

    where :math:`h_t` is the hidden state at time `t`, :math:`x_t` the input at time `t` (for
    layers above the first, the output of the layer below) and :math:`h_{t-1}` the state of the
    same layer at time `t-1`, or the initial state at time 0. With ``nonlinearity='relu'``,
    ReLU replaces tanh.

    Args:
        input_size: number of features of the input `x`
        hidden_size: number of features of the hidden state `h`
        num_layers: number of stacked recurrent layers. Default: 1
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        bias: if ``False``, the layers have no `b_ih`, `b_hh`. Default: ``True``
        batch_first: if ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are not affected. Default: ``False``
        bidirectional: if ``True``, each layer also reads the sequence backwards. Default: ``False``
        dtype: ``np.float32`` (default) or ``np.float64``
        rng: ``np.random.Generator`` or integer seed for the initialisation

    Inputs: input, state
        * **input**: `(L, N, H_in)`, `(N, L, H_in)` with ``batch_first`` or unbatched `(L, H_in)`
        * **state** (`h_0`): `(D * num_layers, N, H_out)`, or `(D * num_layers, H_out)` for
          unbatched input. Default: zeros.

    Outputs: output, h_n
        * **output**: `(L, N, D * H_out)` (`(N, L, D * H_out)` with ``batch_first``, `(L, D * H_out)`
          unbatched): `h_t` of the last layer for every `t`, both directions concatenated
        * **h_n**: `(D * num_layers, N, H_out)` (or `(D * num_layers, H_out)`): the final state of
          every layer and direction, ordered layer 0 forward, layer 0 reverse, layer 1 forward, ...

    where `L` = sequence length, `N` = batch size, `D` = 2 if bidirectional else 1,
    `H_in` = input_size, `H_out` = hidden_size.

    ``backward(grad_output, grad_state=None)`` returns ``(grad_input, grad_h0, grads)`` for the last
    forward pass; see :class:`~rnncourse.numpy.base.RecurrentBase`.

    Attributes:
        weight_ih_l[k]: `(hidden_size, input_size)` for `k = 0`, else
            `(hidden_size, num_directions * hidden_size)`
        weight_hh_l[k]: `(hidden_size, hidden_size)`
        bias_ih_l[k]: `(hidden_size,)`
        bias_hh_l[k]: `(hidden_size,)`
        (``..._reverse`` for the backward direction; all in ``model.params``)

    All parameters are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> rnn = RNN(10, 20, 2, rng=0)
        >>> output, h_n = rnn(np.random.randn(5, 3, 10).astype(np.float32))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, bidirectional=False, *, dtype=np.float32, rng=None):
        self._set_elman_options(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional,
                         dtype=dtype, rng=rng)


class RNNCell(_Elman, CellBase):
    r"""An Elman RNN cell (one time step), in NumPy; the interface of ``torch.nn.RNNCell``.

    .. math::
        h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})

    With ``nonlinearity='relu'``, ReLU replaces tanh.

    Args:
        input_size: number of features of the input `x`
        hidden_size: number of features of the hidden state `h`
        bias: if ``False``, no `b_ih`, `b_hh`. Default: ``True``
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        dtype, rng: as for :class:`RNN`

    Inputs: input, state
        * **input**: `(N, H_in)` or unbatched `(H_in,)`
        * **state** (`h`): `(N, H_out)` or `(H_out,)`. Default: zeros.

    Outputs: h'
        * **h'**: `(N, H_out)` or `(H_out,)`: the next hidden state

    ``backward(grad_h)`` returns ``(grad_input, grad_h, grads)`` for the last step.

    Attributes:
        weight_ih: `(hidden_size, input_size)`
        weight_hh: `(hidden_size, hidden_size)`
        bias_ih: `(hidden_size,)`
        bias_hh: `(hidden_size,)`
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", *,
                 dtype=np.float32, rng=None):
        self._set_elman_options(nonlinearity)
        super().__init__(input_size, hidden_size, bias, dtype=dtype, rng=rng)
