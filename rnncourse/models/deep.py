r"""A recurrent network with a deeper transition, with or without a skip connection (chapter 4).

Deep Learning book §10.5, fig. 10.13 (b) and (c). Between h_{t-1} and h_t sits an extra hidden layer
z_t, so one step of the recurrence is a two-layer MLP; the skip connection adds h_{t-1} straight into
h_t, so the shortest path through time has one non-linearity per step again:

.. math::
    z_t = \tanh(W_{hz} h_{t-1} + b_z), \qquad
    h_t = \tanh(U x_t + W_{zh} z_t + [S h_{t-1}] + b_h)
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .. import _validate as V


class DeepTransitionRNN(nn.Module):
    r"""One recurrent layer whose transition h_{t-1} -> h_t passes through a hidden layer z_t.

    .. math::
        z_t = \tanh(W_{hz} h_{t-1} + b_z), \qquad
        h_t = \tanh(U x_t + W_{zh} z_t + S h_{t-1} + b_h)

    where the term :math:`S h_{t-1}` is present only with ``skip=True``.

    Args:
        input_size: features of x_t.
        hidden_size: units of h_t and of z_t.
        skip: add the skip connection S h_{t-1}. Default: ``False``.

    Inputs: x, h_0
        * **x**: ``(seq_len, batch, input_size)``
        * **h_0**: ``(batch, hidden_size)``; zeros when None.

    Outputs: output
        * **output**: ``(seq_len, batch, hidden_size)``, h_1 .. h_T.

    Attributes:
        U: ``(hidden_size, input_size)``; W_hz, W_zh and (with ``skip``) S: ``(hidden_size,
        hidden_size)``; b_z, b_h: ``(hidden_size,)``. All drawn from U(-1/sqrt(hidden_size),
        1/sqrt(hidden_size)), like torch.nn.RNN.
    """

    def __init__(self, input_size, hidden_size, skip=False):
        super().__init__()
        V.check_positive_int("input_size", input_size)
        V.check_positive_int("hidden_size", hidden_size)
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.skip = V.check_bool("skip", skip)
        H = self.hidden_size
        shapes = {"U": (H, self.input_size), "W_hz": (H, H), "W_zh": (H, H), "b_z": (H,), "b_h": (H,)}
        if self.skip:
            shapes["S"] = (H, H)
        bound = 1.0 / math.sqrt(H)
        for name, shape in shapes.items():
            self.register_parameter(name, nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))

    def forward(self, x, h0=None):
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x: expected (seq_len, batch, {self.input_size}), got {tuple(x.shape)}")
        h = x.new_zeros(x.shape[1], self.hidden_size) if h0 is None else h0
        outputs = []
        for x_t in x:
            z = torch.tanh(h @ self.W_hz.T + self.b_z)
            a = x_t @ self.U.T + z @ self.W_zh.T + self.b_h
            if self.skip:
                a = a + h @ self.S.T
            h = torch.tanh(a)
            outputs.append(h)
        return torch.stack(outputs)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, skip={self.skip}"
