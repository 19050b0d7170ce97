"""Elman RNN in NumPy: the forward pass and backpropagation through time, side by side.

Notation of the BPTT chapter (Graves; Deep Learning book 10.2.2), one layer, one direction:

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh      pre-activation
    h_t = f(a_t)                                     f = tanh or relu

The loss L reaches h_t twice: through the output at step t (dL/dh_t from above, d_out[t])
and through the next step's pre-activation a_{t+1}. With δ_t = dL/da_t, backwards from T:

    δ_t = (d_out[t] + W_hhᵀ δ_{t+1}) ⊙ f'(a_t)

(at t = T the term W_hhᵀ δ_{T+1} is replaced by dL/dh_T from h_n). The same weights serve
every step, so their gradients are sums over time:

    dL/dW_ih = Σ_t δ_t x_tᵀ
    dL/dW_hh = Σ_t δ_t h_{t-1}ᵀ
    dL/db_ih = dL/db_hh = Σ_t δ_t

Arrays hold a batch in their rows, so W x_t is written x_t @ W.T. Steps are numbered
t = 1 .. T as in the equations; the per-step arrays (x, a_x, delta, d_out) are 0-based,
so step t is entry t - 1, while h stores the initial state first: h[t] is h_t.
"""

from __future__ import annotations

import numpy as np

from .. import _options as O
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
    T, B = delta.shape[:2]
    dp = {"weight_ih": d_weight_ih,
          "weight_hh": delta.reshape(T * B, H).T @ h_prev.reshape(T * B, h_prev.shape[-1])}
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
    r"""A multi-layer Elman RNN with :math:`\tanh` or :math:`\text{ReLU}` non-linearity.

    For each element in the input sequence, each layer computes

    .. math::
        h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    where :math:`h_t` is the hidden state at time `t`, :math:`x_t` is the input at time `t` (for
    layers after the first: the hidden states of the layer below, both directions concatenated)
    and :math:`h_{t-1}` the hidden state of the layer at time `t-1` or the initial hidden state
    at time `0`. If :attr:`nonlinearity` is ``'relu'``, ReLU is used instead of :math:`\tanh`.

    In NumPy, with backpropagation through time written by hand: the forward and backward pass of
    one layer are ``rnn_forward`` and ``rnn_backward`` in this module. After a forward pass,
    ``backward(grad_output, grad_state=None)`` returns ``(grad_input, grad_h_0, grads)`` (see
    :class:`~rnncourse.numpy.base.RecurrentBase`). Same arguments in the same order, parameter
    names and return values as :class:`torch.nn.RNN`, so ``state_dict`` s load in both directions.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        nonlinearity: The non-linearity to use, ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, in training mode (``train()``, the default; ``eval()`` turns it off)
            each output of every layer but the last is zeroed with this probability and the others
            are scaled by `1 / (1 - dropout)`, as torch.nn does; the masks come from ``rng`` and the
            backward pass applies them. Default: 0
        bidirectional: If ``True``, becomes a bidirectional RNN. Default: ``False``
        device: ``None`` or ``'cpu'`` (NumPy computes on the CPU). Default: ``None``
        dtype: ``np.float32`` (default, also for ``None``) or ``np.float64``, the dtype of the
            parameters
        rng: keyword only: ``np.random.Generator`` or integer seed of the initialisation, then of
            the dropout masks (the attribute ``rng``). Default: ``None``

    Booleans must be ``True`` or ``False`` and sizes integers (TypeError otherwise).

    Inputs: input, hx, lengths
        * **input**: array of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence; or a
          ``torch.nn.utils.rnn.PackedSequence``.
        * **hx**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`, the initial hidden state of each layer
          and direction. Defaults to zeros if not provided.
        * **lengths** (keyword, an rnncourse extra): None, or the length of each sequence of a
          batched input padded to :math:`L` (the padding is never read); see below.

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
          and direction, ordered [layer 0 forward, layer 0 reverse, layer 1 forward, ...]. The
          reverse direction reads the sequence from its end: its final state is the one after
          reading :math:`x_0`.

        With ``lengths`` (or a ``PackedSequence``, whose output is then a ``PackedSequence`` with
        NumPy ``data``), as torch.nn with a packed input: the output past the end of each sequence
        is zero, its final state is the one after its own last step, the reverse direction starts
        at that step, and ``backward`` ignores the padding.

    Attributes:
        weight_ih_l[k]: the learnable input-hidden weights of layer `k`, of shape
            `(hidden_size, input_size)` for `k = 0`, otherwise
            `(hidden_size, num_directions * hidden_size)`
        weight_hh_l[k]: the learnable hidden-hidden weights of layer `k`, of shape
            `(hidden_size, hidden_size)`
        bias_ih_l[k]: the learnable input-hidden bias of layer `k`, of shape `(hidden_size)`
        bias_hh_l[k]: the learnable hidden-hidden bias of layer `k`, of shape `(hidden_size)`
        weight_ih_l[k]_reverse, weight_hh_l[k]_reverse, bias_ih_l[k]_reverse,
        bias_hh_l[k]_reverse: the same for the reverse direction; only when
            ``bidirectional=True``

    .. note::
        All parameters are NumPy arrays in ``model.params`` (``model.weight_ih_l0`` is
        ``model.params['weight_ih_l0']``); ``model.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`, drawn from ``rng``.

    Examples::

        >>> rnn = RNN(10, 20, 2, rng=0)
        >>> output, h_n = rnn(np.random.randn(5, 3, 10).astype(np.float32))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
        >>> grad_input, grad_h0, grads = rnn.backward(np.ones_like(output))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None, *,
                 rng=None, proj_size=O.ABSENT):
        O.refuse_proj_size(proj_size, type(self).__name__)
        self._set_elman_options(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype, rng=rng)


class RNNCell(_Elman, CellBase):
    r"""An Elman RNN cell with :math:`\tanh` or ReLU non-linearity: one time step.

    .. math::
        h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})

    If :attr:`nonlinearity` is ``'relu'``, ReLU is used in place of :math:`\tanh`.
    Same arguments, parameter names and return value as :class:`torch.nn.RNNCell`.
    In NumPy: after a step, ``backward(grad_h)`` returns ``(grad_input, grad_h, grads)``:
    the gradients with respect to the input, the state and the parameters.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        bias: If ``False``, the cell does not use the biases `b_ih` and `b_hh`. Default: ``True``
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        device, dtype, rng: ``None`` or ``'cpu'``, the dtype of the parameters (``np.float32`` by
            default) and (keyword only) the seed of their initialisation, as for :class:`RNN`.
            Sizes may be 0, as in torch.nn (a cell of ``hidden_size=0`` returns an empty state).

    Inputs: input, hx
        - **input** of shape `(batch, input_size)` or `(input_size)`: the input features
        - **hx** of shape `(batch, hidden_size)` or `(hidden_size)`: the initial hidden state.
          Defaults to zeros if not provided.

    Outputs: h'
        - **h'** of shape `(batch, hidden_size)` or `(hidden_size)`: the next hidden state

    Attributes:
        weight_ih: the learnable input-hidden weights, of shape `(hidden_size, input_size)`
        weight_hh: the learnable hidden-hidden weights, of shape `(hidden_size, hidden_size)`
        bias_ih: the learnable input-hidden bias, of shape `(hidden_size)`
        bias_hh: the learnable hidden-hidden bias, of shape `(hidden_size)`

    .. note::
        All parameters are NumPy arrays in ``cell.params`` (``cell.weight_ih`` is
        ``cell.params['weight_ih']``); ``cell.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`, drawn from ``rng``.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None,
                 *, rng=None):
        self._set_elman_options(nonlinearity)
        super().__init__(input_size, hidden_size, bias, device, dtype, rng=rng)
