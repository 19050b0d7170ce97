r"""The GRU in PyTorch, from its equations, with either placement of the reset gate.

.. math::
    \begin{array}{ll}
        r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))
              \quad \text{(reset\_after=True, torch.nn)} \\
        n_t = \tanh(W_{in} x_t + b_{in} + W_{hn} (r_t \odot h_{t-1}) + b_{hn})
              \quad \text{(reset\_after=False, Cho et al. 2014)} \\
        h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}
    \end{array}
"""

from __future__ import annotations

import torch

from .. import _options as O
from .._options import GRUOptions
from .base import CellBase, RecurrentBase, _affine


def gru_step(wx_t, h, W_hh_T, b_hh=None):
    """One GRU step with the reset gate applied *after* W_hn (torch.nn, cuDNN); returns h_t.

    ``wx_t`` (batch, 3*hidden) is W_i· x_t + b_i· for the gates r, z, n, computed for all t
    before the loop; ``W_hh_T`` is ``weight_hh`` transposed, (hidden, 3*hidden); ``b_hh`` is
    ``bias_hh`` or None.
    """
    x_r, x_z, x_n = wx_t.chunk(3, dim=1)
    h_r, h_z, h_n = _affine(h, W_hh_T, b_hh).chunk(3, dim=1)   # W_h· h_{t-1} + b_h·
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(torch.addcmul(x_n, r, h_n))                  # W_in x_t + b_in + r ⊙ (W_hn h + b_hn)
    return torch.lerp(n, h, z)                                  # (1 - z) ⊙ n + z ⊙ h_{t-1}


def gru_step_reset_before(wx_t, h, W_hrz_T, b_hrz, W_hn_T, b_hn):
    """One GRU step with the reset gate applied to h *before* W_hn (Cho et al. 2014); returns h_t.

    ``wx_t`` as for ``gru_step``; ``W_hrz_T`` (hidden, 2*hidden) and ``b_hrz`` are the r and z
    rows of ``weight_hh`` (transposed) and ``bias_hh``, ``W_hn_T`` and ``b_hn`` the n rows; the
    biases may be None. W_hn h cannot be computed together with the gates: it needs r first.
    """
    x_rz, x_n = wx_t.split([W_hrz_T.shape[1], W_hn_T.shape[1]], dim=1)
    r, z = torch.sigmoid(x_rz + _affine(h, W_hrz_T, b_hrz)).chunk(2, dim=1)
    n = torch.tanh(x_n + _affine(r * h, W_hn_T, b_hn))       # W_in x_t + b_in + W_hn (r ⊙ h) + b_hn
    return torch.lerp(n, h, z)                                # (1 - z) ⊙ n + z ⊙ h_{t-1}


class _GRURules(GRUOptions):
    """The GRU-specific part shared by ``GRU`` and ``GRUCell`` (options: _options)."""

    def _input_bias(self, p):
        # b_hn sits inside the reset gate's product, so b_hh stays in the step
        return p["bias_ih"] if self.bias else None

    def _make_step(self, p):
        H = self.hidden_size
        W_hh_T, b_hh = p["weight_hh"].t(), p.get("bias_hh")
        if self.reset_after:
            return lambda wx_t, state: (gru_step(wx_t, state[0], W_hh_T, b_hh),)
        W_hrz_T, W_hn_T = W_hh_T[:, :2 * H], W_hh_T[:, 2 * H:]
        b_hrz, b_hn = (None, None) if b_hh is None else (b_hh[:2 * H], b_hh[2 * H:])
        return lambda wx_t, state: (gru_step_reset_before(wx_t, state[0], W_hrz_T, b_hrz,
                                                          W_hn_T, b_hn),)


class GRU(_GRURules, RecurrentBase):
    r"""A multi-layer gated recurrent unit (GRU) RNN.

    For each element in the input sequence, each layer computes

    .. math::
        \begin{array}{ll}
            r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
            z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
            n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
            h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{array}

    where :math:`h_t` is the hidden state at time `t`, :math:`x_t` the input (for layers after
    the first: the hidden states of the layer below, both directions concatenated), and
    :math:`r_t, z_t, n_t` the reset, update and new gates. :math:`\sigma` is the sigmoid function
    and :math:`\odot` the Hadamard product.

    With ``reset_after=False`` the reset gate acts on the state before the product, as in the
    original GRU (Cho et al., 2014):

    .. math::
        n_t = \tanh(W_{in} x_t + b_{in} + W_{hn} (r_t \odot h_{t-1}) + b_{hn})

    Written from the equations as a loop over time (``gru_step``, ``gru_step_reset_before``);
    gradients come from autograd. Same arguments in the same order, parameter names and return values
    as :class:`torch.nn.GRU` (dropout and ``PackedSequence`` included, see :class:`RNN`);
    ``state_dict`` s load in both directions (with ``reset_after=False`` the same weights compute a
    different function).

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
        bidirectional: If ``True``, becomes a bidirectional GRU. Default: ``False``
        device, dtype: where and in which floating dtype (float32 or float64) to create the
            parameters, as for torch.nn modules. Default: torch's defaults
        reset_after: keyword only: If ``True`` (torch.nn), the reset gate multiplies
            :math:`W_{hn} h + b_{hn}`; if ``False`` (Cho et al.), it multiplies :math:`h` before
            :math:`W_{hn}`. Default: ``True``

    Inputs: input, hx
        * **input**: tensor of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence; or a
          ``PackedSequence`` (the output is then packed too). ``lengths`` (keyword): one length
          per sequence of a padded batch, as for :class:`RNN`.
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
          reverse direction's final state is the one after reading :math:`x_0`.

    Attributes:
        weight_ih_l[k]: the learnable input-hidden weights of layer `k` `(W_ir|W_iz|W_in)`, of
            shape `(3*hidden_size, input_size)` for `k = 0`, otherwise
            `(3*hidden_size, num_directions * hidden_size)`
        weight_hh_l[k]: the learnable hidden-hidden weights of layer `k` `(W_hr|W_hz|W_hn)`, of
            shape `(3*hidden_size, hidden_size)`
        bias_ih_l[k]: the learnable input-hidden bias of layer `k` `(b_ir|b_iz|b_in)`, of shape
            `(3*hidden_size)`
        bias_hh_l[k]: the learnable hidden-hidden bias of layer `k` `(b_hr|b_hz|b_hn)`, of shape
            `(3*hidden_size)`
        ..._reverse: the same for the reverse direction; only when ``bidirectional=True``

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`.

    Examples::

        >>> gru = GRU(10, 20, 2)
        >>> output, h_n = gru(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, reset_after=True,
                 proj_size=O.ABSENT):
        O.refuse_proj_size(proj_size, type(self).__name__)
        self._set_gru_options(reset_after)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


class GRUCell(_GRURules, CellBase):
    r"""A gated recurrent unit (GRU) cell: one time step.

    .. math::
        \begin{array}{ll}
        r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}) \\
        z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}) \\
        n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})) \\
        h' = (1 - z) \odot n + z \odot h
        \end{array}

    With ``reset_after=False``: :math:`n = \tanh(W_{in} x + b_{in} + W_{hn} (r \odot h) + b_{hn})`.
    Same arguments, parameter names and return value as :class:`torch.nn.GRUCell`.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        bias: If ``False``, the cell does not use the biases `b_ih` and `b_hh`. Default: ``True``
        device, dtype: where and in which floating dtype to create the parameters; sizes may be
            0, as in torch.nn
        reset_after: keyword only: placement of the reset gate, as for :class:`GRU`.
            Default: ``True``

    Inputs: input, hx
        - **input** of shape `(batch, input_size)` or `(input_size)`: the input features
        - **hx** of shape `(batch, hidden_size)` or `(hidden_size)`: the initial hidden state.
          Defaults to zeros if not provided.

    Outputs: h'
        - **h'** of shape `(batch, hidden_size)` or `(hidden_size)`: the next hidden state

    Attributes:
        weight_ih: the learnable input-hidden weights, of shape `(3*hidden_size, input_size)`
        weight_hh: the learnable hidden-hidden weights, of shape `(3*hidden_size, hidden_size)`
        bias_ih: the learnable input-hidden bias, of shape `(3*hidden_size)`
        bias_hh: the learnable hidden-hidden bias, of shape `(3*hidden_size)`

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *,
                 reset_after=True):
        self._set_gru_options(reset_after)
        super().__init__(input_size, hidden_size, bias, device, dtype)
