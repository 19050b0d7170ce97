r"""The LSTM in PyTorch, from its equations (optionally with Graves' peepholes); autograd does BPTT.

.. math::
    \begin{array}{ll}
        i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t = o_t \odot \tanh(c_t) \quad (\text{with projections: } h_t = W_{hr} (o_t \odot \tanh(c_t)))
    \end{array}
"""

from __future__ import annotations

import torch

from .._layout import PEEPHOLES, PROJECTION
from .._options import LSTMOptions
from .base import CellBase, RecurrentBase


def lstm_step(wx_t, h, c, W_hh_T, peephole=None, W_hr_T=None):
    """One LSTM step; returns (h_t, c_t).

    ``wx_t`` (batch, 4*hidden) is W_i· x_t + b_i· + b_h· for the gates i, f, g, o, computed for
    all t before the loop; ``W_hh_T`` is ``weight_hh`` transposed, (hidden or proj, 4*hidden);
    ``peephole`` is None or the diagonal cell-to-gate weights (w_ci, w_cf, w_co), each (hidden,);
    ``W_hr_T`` is None or the projection ``weight_hr`` transposed, (hidden, proj).
    """
    gates = torch.addmm(wx_t, h, W_hh_T)      # W_i· x_t + b_i· + W_h· h_{t-1} + b_h·
    i, f, g, o = gates.chunk(4, dim=1)
    if peephole is not None:
        w_ci, w_cf, w_co = peephole
        i = torch.addcmul(i, w_ci, c)         # ... + w_ci ⊙ c_{t-1}
        f = torch.addcmul(f, w_cf, c)         # ... + w_cf ⊙ c_{t-1}
    i, f, g = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g)
    c = torch.addcmul(f * c, i, g)            # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    if peephole is not None:
        o = torch.addcmul(o, w_co, c)         # ... + w_co ⊙ c_t: the output gate sees the new cell
    h = torch.sigmoid(o) * torch.tanh(c)      # h_t = o_t ⊙ tanh(c_t)
    if W_hr_T is not None:
        h = h @ W_hr_T                        # projected: h_t = W_hr (o_t ⊙ tanh(c_t))
    return h, c


class _LSTMRules(LSTMOptions):
    """The LSTM-specific part shared by ``LSTM`` and ``LSTMCell`` (options: _options)."""

    def _make_step(self, p):
        W_hh_T = p["weight_hh"].t()
        peephole = tuple(p[name] for name in PEEPHOLES) if self.peephole else None
        W_hr_T = p[PROJECTION].t() if PROJECTION in p else None
        return lambda wx_t, state: lstm_step(wx_t, *state, W_hh_T, peephole, W_hr_T)


class LSTM(_LSTMRules, RecurrentBase):
    r"""A multi-layer long short-term memory (LSTM) RNN.

    For each element in the input sequence, each layer computes

    .. math::
        \begin{array}{ll} \\
            i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
            f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
            g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
            o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
            c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
            h_t = o_t \odot \tanh(c_t) \\
        \end{array}

    where :math:`h_t` is the hidden state at time `t`, :math:`c_t` the cell state, :math:`x_t`
    the input (for layers after the first: the hidden states of the layer below, both directions
    concatenated), and :math:`i_t, f_t, g_t, o_t` the input, forget, cell and output gates.
    :math:`\sigma` is the sigmoid function and :math:`\odot` the Hadamard product.

    With ``peephole=True`` (Graves, 2012) the gates also see the cell through diagonal weights:

    .. math::
        \begin{array}{ll} \\
            i_t = \sigma(\dots + w_{ci} \odot c_{t-1}), \quad
            f_t = \sigma(\dots + w_{cf} \odot c_{t-1}), \quad
            o_t = \sigma(\dots + w_{co} \odot c_t) \\
        \end{array}

    With ``proj_size`` :math:`P > 0` (Sak et al., 2014) the hidden state is projected,
    :math:`h_t = W_{hr} (o_t \odot \tanh(c_t))`: the output, ``h_0`` and ``h_n`` have :math:`P`
    features per direction, ``c_0`` and ``c_n`` keep ``hidden_size``.

    Written from the equations as a loop over time (``lstm_step``); gradients come from autograd.
    Same arguments in the same order, parameter names and return values as :class:`torch.nn.LSTM`
    (dropout, projections and ``PackedSequence`` included, see :class:`RNN`); without peepholes
    ``state_dict`` s load in both directions.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, dropout on the outputs of every layer but the last, in training
            mode, as torch.nn. Default: 0
        bidirectional: If ``True``, becomes a bidirectional LSTM. Default: ``False``
        proj_size: If ``> 0``, an LSTM with projections of this size (< ``hidden_size``). Default: 0
        device, dtype: where and in which floating dtype (float32 or float64) to create the
            parameters, as for torch.nn modules. Default: torch's defaults
        peephole: keyword only: If ``True``, adds the peephole weights `w_ci, w_cf, w_co`.
            Default: ``False``
        forget_bias: keyword only: If given, the forget-gate part of every `b_ih` starts at this
            value (and of every `b_hh` at 0) instead of a random one; 1.0 is the usual choice.
            Needs ``bias=True``. Default: ``None``

    Inputs: input, (h_0, c_0)
        * **input**: tensor of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence; or a
          ``PackedSequence`` (the output is then packed too). ``lengths`` (keyword): one length
          per sequence of a padded batch, as for :class:`RNN`.
        * **h_0**: tensor of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`: the initial hidden state of each layer
          and direction.
        * **c_0**: tensor of shape :math:`(D * \text{num\_layers}, H_{cell})` or
          :math:`(D * \text{num\_layers}, N, H_{cell})`: the initial cell state.
          Both default to zeros if ``(h_0, c_0)`` is not provided.

        where :math:`N` = batch size, :math:`L` = sequence length, :math:`D = 2` if
        ``bidirectional=True`` otherwise 1, :math:`H_{in}` = ``input_size``,
        :math:`H_{cell}` = ``hidden_size``, :math:`H_{out}` = ``proj_size`` if it is > 0,
        otherwise ``hidden_size``.

    Outputs: output, (h_n, c_n)
        * **output**: tensor of shape :math:`(L, D * H_{out})` for unbatched input,
          :math:`(L, N, D * H_{out})` when ``batch_first=False`` or :math:`(N, L, D * H_{out})`
          when ``batch_first=True``: the hidden states :math:`h_t` of the last layer for every
          `t`, forward and reverse direction concatenated.
        * **h_n**: tensor of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`: the final hidden state of each layer
          and direction, ordered [layer 0 forward, layer 0 reverse, layer 1 forward, ...]. The
          reverse direction's final state is the one after reading :math:`x_0`.
        * **c_n**: tensor of shape :math:`(D * \text{num\_layers}, H_{cell})` or
          :math:`(D * \text{num\_layers}, N, H_{cell})`: the final cell states.

    Attributes:
        weight_ih_l[k]: the learnable input-hidden weights of layer `k`
            `(W_ii|W_if|W_ig|W_io)`, of shape `(4*hidden_size, input_size)` for `k = 0`,
            otherwise `(4*hidden_size, num_directions * H_out)`
        weight_hh_l[k]: the learnable hidden-hidden weights of layer `k`
            `(W_hi|W_hf|W_hg|W_ho)`, of shape `(4*hidden_size, H_out)`
        bias_ih_l[k]: the learnable input-hidden bias of layer `k`
            `(b_ii|b_if|b_ig|b_io)`, of shape `(4*hidden_size)`
        bias_hh_l[k]: the learnable hidden-hidden bias of layer `k`
            `(b_hi|b_hf|b_hg|b_ho)`, of shape `(4*hidden_size)`
        weight_hr_l[k]: the learnable projection weights of layer `k`, of shape
            `(proj_size, hidden_size)`; only when ``proj_size > 0``
        weight_ci_l[k], weight_cf_l[k], weight_co_l[k]: the peephole weights of layer `k`, each
            of shape `(hidden_size)`, after the ones above; only when ``peephole=True``
        ..._reverse: the same for the reverse direction; only when ``bidirectional=True``

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}` (except the forget-gate biases when
        ``forget_bias`` is given).

    .. note::
        For bidirectional LSTMs, `h_n` is not the last element of `output`: the former holds
        the final forward and reverse hidden states, the latter the final forward hidden state
        and the *initial* reverse one.

    Examples::

        >>> lstm = LSTM(10, 20, 2)
        >>> h0, c0 = torch.randn(2, 3, 20), torch.randn(2, 3, 20)
        >>> output, (h_n, c_n) = lstm(torch.randn(5, 3, 10), (h0, c0))
        >>> output.shape, c_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None, *,
                 peephole=False, forget_bias=None):
        self._set_lstm_options(peephole, forget_bias, bias)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class LSTMCell(_LSTMRules, CellBase):
    r"""A long short-term memory (LSTM) cell: one time step.

    .. math::
        \begin{array}{ll}
        i = \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
        f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
        g = \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
        o = \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
        c' = f \odot c + i \odot g \\
        h' = o \odot \tanh(c') \\
        \end{array}

    With ``peephole=True``, :math:`w_{ci} \odot c` is added inside :math:`i`,
    :math:`w_{cf} \odot c` inside :math:`f` and :math:`w_{co} \odot c'` inside :math:`o`.
    Same arguments, parameter names and return value as :class:`torch.nn.LSTMCell`.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        bias: If ``False``, the cell does not use the biases `b_ih` and `b_hh`. Default: ``True``
        device, dtype: where and in which floating dtype to create the parameters; sizes may be
            0, as in torch.nn
        peephole: keyword only: If ``True``, adds the peephole weights. Default: ``False``
        forget_bias: keyword only: If given, the initial forget-gate part of `b_ih` (and 0 for
            `b_hh`). Default: ``None``

    Inputs: input, (h_0, c_0)
        - **input** of shape `(batch, input_size)` or `(input_size)`: the input features
        - **h_0** of shape `(batch, hidden_size)` or `(hidden_size)`: the initial hidden state
        - **c_0** of shape `(batch, hidden_size)` or `(hidden_size)`: the initial cell state

          If `(h_0, c_0)` is not provided, both default to zeros.

    Outputs: (h_1, c_1)
        - **h_1** of shape `(batch, hidden_size)` or `(hidden_size)`: the next hidden state
        - **c_1** of shape `(batch, hidden_size)` or `(hidden_size)`: the next cell state

    Attributes:
        weight_ih: the learnable input-hidden weights, of shape `(4*hidden_size, input_size)`
        weight_hh: the learnable hidden-hidden weights, of shape `(4*hidden_size, hidden_size)`
        bias_ih: the learnable input-hidden bias, of shape `(4*hidden_size)`
        bias_hh: the learnable hidden-hidden bias, of shape `(4*hidden_size)`
        weight_ci, weight_cf, weight_co: the peephole weights, each of shape `(hidden_size)`;
            only when ``peephole=True``

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, peephole=False,
                 forget_bias=None):
        self._set_lstm_options(peephole, forget_bias, bias)
        super().__init__(input_size, hidden_size, bias, device, dtype)
