r"""The leaky-integrator RNN in PyTorch: each unit keeps part of its old state.

.. math::
    h_t = (1 - \alpha) \odot h_{t-1} + \alpha \odot \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})
"""

from __future__ import annotations

import torch

from .. import _options as O
from .._options import LeakyOptions
from .base import RecurrentBase
from .rnn import rnn_step


def leaky_step(wx_t, h, W_hh_T, alpha):
    """One step: h_t = (1 - α) ⊙ h_{t-1} + α ⊙ tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).

    ``wx_t``, ``W_hh_T`` as for ``rnn_step``; ``alpha`` (hidden,) is the leak rate of each unit.
    With α = 1 this is the Elman RNN; a small α makes a unit slow, a memory of the distant past.
    """
    return torch.lerp(h, rnn_step(wx_t, h, W_hh_T), alpha)  # h + α ⊙ (candidate - h)


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

    Written from the equation as a loop over time (``leaky_step``); gradients come from autograd.
    The same interface as :class:`RNN` (tanh only; dropout, packed inputs and ``lengths``
    included), plus one leak-rate vector per layer and direction.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, dropout on the outputs of every layer but the last, in training
            mode, as for :class:`RNN`. Default: 0
        bidirectional: If ``True``, becomes a bidirectional network. Default: ``False``
        device, dtype: where and in which floating dtype (float32 or float64) to create the
            parameters, as for torch.nn modules. Default: torch's defaults
        alpha: keyword only: initial leak rate(s) in `(0, 1]`: a float for every unit, or an array of shape
            `(hidden_size)`, one per unit (the same for every layer and direction). Default: 0.5
        learn_alpha: keyword only: If ``True``, the leak rates are trained with the weights
            (``requires_grad=True``); otherwise they stay fixed (but are still in the
            ``state_dict``). Default: ``False``

    Inputs: input, hx
        * **input**: tensor of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence.
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
          and direction, ordered [layer 0 forward, layer 0 reverse, layer 1 forward, ...].

    Attributes:
        weight_ih_l[k], weight_hh_l[k], bias_ih_l[k], bias_hh_l[k]: as for :class:`RNN`
        alpha_l[k]: the leak rates of layer `k`, of shape `(hidden_size)`, after the four above;
            a parameter with ``requires_grad=learn_alpha``
        ..._reverse: the same for the reverse direction; only when ``bidirectional=True``

    .. note::
        The weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`; ``alpha_l[k]`` starts at ``alpha``.
        Nothing keeps learned leak rates inside `(0, 1]` during training.

    Examples::

        >>> leaky = LeakyRNN(10, 20, alpha=0.1)
        >>> output, h_n = leaky(torch.randn(5, 3, 10))
        >>> output.shape, leaky.alpha_l0.shape
        (torch.Size([5, 3, 20]), torch.Size([20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, alpha=0.5,
                 learn_alpha=False, proj_size=O.ABSENT):
        O.refuse_proj_size(proj_size, type(self).__name__)
        self._set_leaky_options(alpha, learn_alpha, hidden_size)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    def _make_step(self, p):
        W_hh_T, alpha = p["weight_hh"].t(), p["alpha"]
        return lambda wx_t, state: (leaky_step(wx_t, state[0], W_hh_T, alpha),)
