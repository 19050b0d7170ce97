r"""The Elman RNN in PyTorch, from its equation; autograd does backpropagation through time.

.. math::
    h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})
"""

from __future__ import annotations

import torch

from .. import _options as O
from .._options import ElmanOptions
from .base import CellBase, RecurrentBase

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


def rnn_step(wx_t, h, W_hh_T, activation=torch.tanh):
    """One step of the Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).

    ``wx_t`` (batch, hidden) is W_ih x_t + b_ih + b_hh, computed for all t before the loop;
    ``W_hh_T`` is ``weight_hh`` transposed, (hidden, hidden).
    """
    return activation(torch.addmm(wx_t, h, W_hh_T))


class _Elman(ElmanOptions):
    """The RNN-specific part shared by ``RNN`` and ``RNNCell`` (options: _options)."""

    def _make_step(self, p):
        W_hh_T, activation = p["weight_hh"].t(), ACTIVATIONS[self.nonlinearity]
        return lambda wx_t, state: (rnn_step(wx_t, state[0], W_hh_T, activation),)


class RNN(_Elman, RecurrentBase):
    r"""A multi-layer Elman RNN with :math:`\tanh` or :math:`\text{ReLU}` non-linearity.

    For each element in the input sequence, each layer computes

    .. math::
        h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    where :math:`h_t` is the hidden state at time `t`, :math:`x_t` is the input at time `t` (for
    layers after the first: the hidden states of the layer below, both directions concatenated)
    and :math:`h_{t-1}` the hidden state of the layer at time `t-1` or the initial hidden state
    at time `0`. If :attr:`nonlinearity` is ``'relu'``, ReLU is used instead of :math:`\tanh`.

    Written from the equation as a loop over time (``rnn_step``); gradients come from autograd.
    Same arguments in the same order, parameter names and return values as :class:`torch.nn.RNN`,
    ``PackedSequence`` inputs and outputs included, so ``state_dict`` s load in both directions and
    code written for torch.nn runs unchanged. Booleans must be ``True`` or ``False`` and sizes
    integers (TypeError otherwise).

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        nonlinearity: The non-linearity to use, ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, in training mode (``train()``; ``eval()`` turns it off) a dropout
            layer on the outputs of every layer but the last, with this probability, as torch.nn
            (with the same seed, the same masks). Default: 0
        bidirectional: If ``True``, becomes a bidirectional RNN. Default: ``False``
        device, dtype: where and in which floating dtype (float32 or float64) to create the
            parameters, as for torch.nn modules. Default: torch's defaults

    Inputs: input, hx, lengths
        * **input**: tensor of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence; or a packed
          variable-length batch (:func:`torch.nn.utils.rnn.pack_padded_sequence`), and then the
          output is packed too.
        * **lengths** (keyword, an rnncourse extra): the length of each sequence of a padded
          batched input, instead of packing it: the output past each end is zero and the final
          state of each sequence is the one after its own last step, as with a packed input.
        * **hx**: tensor of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`, the initial hidden state of each layer
          and direction. Defaults to zeros if not provided.

        where :math:`N` = batch size, :math:`L` = sequence length, :math:`D = 2` if
        ``bidirectional=True`` otherwise 1, :math:`H_{in}` = ``input_size``,
        :math:`H_{out}` = ``hidden_size``.

    Outputs: output, h_n
        * **output**: tensor of shape :math:`(L, D * H_{out})` for unbatched input,
          :math:`(L, N, D * H_{out})` when ``batch_first=False`` or :math:`(N, L, D * H_{out})`
          when ``batch_first=True``: the hidden states :math:`h_t` of the last layer for every
          `t`, forward and reverse direction concatenated.
        * **h_n**: tensor of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`: the final hidden state of each layer
          and direction, ordered [layer 0 forward, layer 0 reverse, layer 1 forward, ...]. The
          reverse direction reads the sequence from its end: its final state is the one after
          reading :math:`x_0`.

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
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`.

    Examples::

        >>> rnn = RNN(10, 20, 2)
        >>> output, h_n = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None, *,
                 proj_size=O.ABSENT):
        O.refuse_proj_size(proj_size, type(self).__name__)
        self._set_elman_options(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


class RNNCell(_Elman, CellBase):
    r"""An Elman RNN cell with :math:`\tanh` or ReLU non-linearity: one time step.

    .. math::
        h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})

    If :attr:`nonlinearity` is ``'relu'``, ReLU is used in place of :math:`\tanh`.
    Same arguments, parameter names and return value as :class:`torch.nn.RNNCell`.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        bias: If ``False``, the cell does not use the biases `b_ih` and `b_hh`. Default: ``True``
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        device, dtype: where and in which floating dtype to create the parameters. Sizes may be
            0, as in torch.nn (a cell of ``hidden_size=0`` returns an empty state).

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
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        self._set_elman_options(nonlinearity)
        super().__init__(input_size, hidden_size, bias, device, dtype)
