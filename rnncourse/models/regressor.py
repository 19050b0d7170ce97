"""A recurrent layer with a linear head: the regression model of chapters 3, 5, 7 and 8, in both worlds.

- ``SequenceRegressor``: a PyTorch recurrent layer (any kind, either backend) and a linear head,
  many-to-one (head on the last output) or many-to-many (head on every output);
- ``NumpyRegressor``: its NumPy twin with hand-written BPTT, ``rnncourse.numpy.RNN`` and a head at
  every step, with the same parameter names, so state_dicts load both ways.

Training loops: ``rnncourse.train.train`` (PyTorch), ``rnncourse.bptt.train_numpy`` (NumPy).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .. import _validate as V
from ..numpy import RNN
from .layers import recurrent_layer


class SequenceRegressor(nn.Module):
    r"""A recurrent layer and a linear head: :math:`\hat y = W_{hy} h_T + b_y` (many-to-one), or
    :math:`\hat y_t = W_{hy} h_t + b_y` for every t (many-to-many).

    Args:
        input_size: number of input features.
        hidden_size: number of recurrent units (per direction).
        output_size: number of outputs of the head. Default: 1.
        kind: ``'rnn'`` (Elman, tanh unless ``nonlinearity='relu'`` is passed), ``'lstm'``, ``'gru'``
            or ``'leaky'`` (``rnncourse.torch.LeakyRNN``, only with ``backend='rnncourse'``).
        backend: ``'torch.nn'`` (default: ``torch.nn.RNN``/``LSTM``/``GRU``, fused C++ loops, fastest
            on CPU) or ``'rnncourse'`` (``rnncourse.torch``, the course's modules written from the
            equations: same parameters and results, slower Python loop over time).
        many_to_many: apply the head at every time step instead of the last one only.
        batch_first: inputs ``(batch, seq_len, features)`` instead of ``(seq_len, batch, features)``.
        **options: passed to the recurrent layer (``num_layers``, ``bidirectional``, ``nonlinearity``,
            ``forget_bias``, ``alpha``, ...). With ``bidirectional=True`` the head reads both
            directions, ``2 * hidden_size`` features: at every step (many-to-many), or, many-to-one,
            the two final states of the last layer, the forward one after :math:`x_T` and the
            backward one after :math:`x_1` (``h_n[-2]``, ``h_n[-1]``; ``output[-1]`` would hold the
            backward direction after reading :math:`x_T` alone).

    Inputs: x
        - **x**: ``(seq_len, batch, input_size)``, or ``(batch, seq_len, input_size)`` with
          ``batch_first=True``.

    Outputs: y
        - **y**: ``(batch, output_size)`` (many-to-one); ``(seq_len, batch, output_size)`` (or batch
          first) with ``many_to_many=True``.

    Attributes:
        rnn: the recurrent layer; its parameters keep torch.nn's names (``weight_ih_l0``, ...).
        head: ``torch.nn.Linear(D * hidden_size, output_size)``, D = 2 if bidirectional else 1.
    """

    def __init__(self, input_size, hidden_size, output_size=1, kind="rnn", backend="torch.nn",
                 many_to_many=False, batch_first=False, **options):
        super().__init__()
        V.check_positive_int("input_size", input_size)
        V.check_positive_int("hidden_size", hidden_size)
        V.check_positive_int("output_size", output_size)
        self.kind, self.backend = kind, backend
        self.many_to_many = V.check_bool("many_to_many", many_to_many)
        self.batch_first = V.check_bool("batch_first", batch_first)
        self.rnn = recurrent_layer(kind, input_size, hidden_size, backend,
                                   batch_first=self.batch_first, **options)
        self.head = nn.Linear((2 if self.rnn.bidirectional else 1) * hidden_size, output_size)

    def forward(self, x):
        if x.dim() != 3:
            raise ValueError(f"x: expected a batched sequence of rank 3 "
                             f"({'batch, seq_len' if self.batch_first else 'seq_len, batch'}, "
                             f"features), got shape {tuple(x.shape)}")
        output, state = self.rnn(x)
        if self.many_to_many:
            return self.head(output)
        if self.rnn.bidirectional:                 # forward after x_T, backward after x_1
            h_n = state[0] if isinstance(state, tuple) else state
            return self.head(torch.cat([h_n[-2], h_n[-1]], dim=-1))
        last = output[:, -1] if self.batch_first else output[-1]
        return self.head(last)

    def extra_repr(self) -> str:
        extra = ", bidirectional=True" if self.rnn.bidirectional else ""
        return (f"kind={self.kind!r}, backend={self.backend!r}, "
                f"many_to_many={self.many_to_many}{extra}")


class NumpyRegressor:
    r"""An Elman RNN and a linear head at every step, in NumPy with hand-written BPTT.

    .. math::
        h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}), \qquad
        \hat y_t = W_{hy} h_t + b_y

    Args:
        input_size: number of input features `I`.
        hidden_size: number of hidden units `H`.
        output_size: number of outputs `O` per step. Default: 1.
        dtype: ``np.float64`` (default) or ``np.float32``.
        rng: seed or ``np.random.Generator``; the RNN is initialised first, then the head, both
            from U(-1/sqrt(H), 1/sqrt(H)) like ``torch.nn.RNN`` and ``torch.nn.Linear``.
        **options: passed to :class:`rnncourse.numpy.RNN` (``num_layers``, ``nonlinearity``).

    Inputs: x, hx
        * **x**: `(T, B, I)`.
        * **hx**: `(num_layers, B, H)`, the initial state, or None (zeros).

    Outputs: y_hat, h_n
        * **y_hat**: `(T, B, O)`, the prediction at every step.
        * **h_n**: `(num_layers, B, H)`, the final state.

    Attributes:
        rnn: the :class:`rnncourse.numpy.RNN`.
        params: name -> array, the RNN's arrays (the same objects, prefixed ``rnn.``) and
            ``head.weight`` `(O, H)`, ``head.bias`` `(O,)`; optimisers update them in place.
    """

    def __init__(self, input_size, hidden_size, output_size=1, *, dtype=np.float64, rng=None,
                 **options):
        V.check_positive_int("output_size", output_size)
        generator = np.random.default_rng(rng)
        self.rnn = RNN(input_size, hidden_size, dtype=dtype, rng=generator, **options)
        bound = 1.0 / np.sqrt(hidden_size)
        self.params = {f"rnn.{name}": value for name, value in self.rnn.params.items()}
        self.params["head.weight"] = generator.uniform(
            -bound, bound, (output_size, hidden_size)).astype(dtype)
        self.params["head.bias"] = generator.uniform(-bound, bound, output_size).astype(dtype)
        self.dtype = self.rnn.dtype
        self.grads: dict = {}
        self._output = None

    def __call__(self, x, hx=None):
        return self.forward(x, hx)

    def forward(self, x, hx=None):
        output, h_n = self.rnn(x, hx)
        self._output = output
        return output @ self.params["head.weight"].T + self.params["head.bias"], h_n

    def backward(self, grad_y_hat, grad_state=None):
        """dL/dŷ `(T, B, O)` (and dL/dh_n) -> parameter gradients by name (also ``self.grads``).

        The head's gradients are sums over time and batch; dL/dh_t = W_hyᵀ dL/dŷ_t enters the
        RNN's BPTT as ``grad_output``. The gradient stops at the initial state.
        """
        if self._output is None:
            raise ValueError("backward: call forward first; NumpyRegressor has no cached "
                             "forward pass")
        O, H = self.params["head.weight"].shape
        V.check_shape("grad_y_hat", grad_y_hat, self._output.shape[:2] + (O,),
                      "(T, B, output_size)", self.dtype)
        rows = grad_y_hat.reshape(-1, O)
        _, _, rnn_grads = self.rnn.backward(grad_y_hat @ self.params["head.weight"], grad_state)
        grads = {f"rnn.{name}": g.copy() for name, g in rnn_grads.items()}
        grads["head.weight"] = rows.T @ self._output.reshape(-1, H)
        grads["head.bias"] = rows.sum(axis=0)
        self.grads = grads
        return grads

    def state_dict(self) -> dict:
        return {name: value.copy() for name, value in self.params.items()}

    def load_state_dict(self, state_dict) -> None:
        """Copy parameters in place (NumPy arrays or torch tensors, e.g. SequenceRegressor's)."""
        V.check_state_dict(state_dict, {name: v.shape for name, v in self.params.items()})
        for name, value in self.params.items():
            given = state_dict[name]
            value[...] = V.to_numpy(given)
