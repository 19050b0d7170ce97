"""What every PyTorch model shares: parameters, checks, layouts, layers, directions, the time loop.

A model file (``rnn.py``, ``lstm.py``, ...) holds one short *step* function in the notation of its
chapter (one time step of one layer, e.g. ``lstm_step``) and the thin classes that plug it into
``RecurrentBase`` (sequence models, like ``torch.nn.LSTM``) and ``CellBase`` (one step, like
``torch.nn.LSTMCell``). Autograd differentiates the loop; nothing here calls torch.nn's recurrent
modules or their fused kernels. Everything that is the same for every model is written once, here:
parameter registration and initialisation, input validation, ``batch_first`` and unbatched inputs,
initial and final states, stacking layers and running the reverse direction.

A model class mixes in the options of its model (``rnncourse._options``: ``gates``, ``n_states``,
extra parameters, which are trained, initial values; the options must be stored *before*
``super().__init__()``, which reads them) and provides one hook (the same for ``RecurrentBase`` and
``CellBase``)::

    def _make_step(self, p):
        # p: this layer/direction's parameters by base name ("weight_ih", "weight_hh", optional
        # "bias_ih", "bias_hh", extras). Returns step(wx_t, state) -> state, where wx_t is the
        # input projection of one time step and state a tuple of n_states (batch, hidden) tensors.

Optional hook: ``_input_bias(p)`` (the bias added in the input projection; default
``b_ih + b_hh``).

Speed: the input part ``W_ih x_t + b`` of every time step is one matrix product per layer and
direction before the loop, so a step costs one ``addmm`` with ``W_hh`` plus a few element-wise
operations; the states of all steps are stacked once at the end.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .. import _options as O
from .. import _validate as V
from .._layout import base_name, split_params
from .._options import CellOptions, SequenceOptions, _ModelOptions


def _affine(h, W_T, b):
    """``h @ W_T + b``, or ``h @ W_T`` when the model has no bias (``b`` is None)."""
    return torch.mm(h, W_T) if b is None else torch.addmm(b, h, W_T)


class _Module(_ModelOptions, nn.Module):
    """Parameters, initialisation, state checks and ``load_state_dict``, for models and cells."""

    # ---- hooks (see the module docstring) -------------------------------------------------
    def _make_step(self, p):
        raise NotImplementedError

    def _input_bias(self, p):
        # in these models both biases sit outside any product with a gate, so they can join
        # the input projection that is computed for all time steps at once
        return p["bias_ih"] + p["bias_hh"] if self.bias else None

    # ---- parameters -----------------------------------------------------------------------
    def _setup(self, shapes: dict, device, dtype) -> None:
        """Register one ``nn.Parameter`` per entry of ``shapes``, in that (torch.nn) order."""
        dtype = O.torch_dtype(dtype)
        for name, shape in shapes.items():
            value = torch.empty(shape, device=device, dtype=dtype)
            self.register_parameter(name, nn.Parameter(value, requires_grad=self._trainable(name)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch.nn does.

        Parameters are drawn in torch.nn's order, so after the same ``torch.manual_seed`` the
        standard parameters start from exactly the values torch.nn would draw. Then the values the
        options fix (a forget-gate bias, leak rates: ``_initial_values``) are written.
        """
        bound = 1.0 / math.sqrt(self.hidden_size)
        with torch.no_grad():
            for name, value in self.named_parameters():
                if base_name(name) not in self._fixed_init:
                    value.uniform_(-bound, bound)
            for value, index, fill in self._initial_values(self.named_parameters()):
                value[index] = torch.as_tensor(fill, dtype=value.dtype)

    def _named(self, layer: int, direction: int) -> dict:
        """This layer/direction's parameters by base name (``weight_ih``, ...)."""
        return split_params(dict(self.named_parameters()), layer, direction)

    @property
    def _dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy parameters from a ``state_dict`` of this model, of torch.nn or of ``rnncourse.numpy``.

        With ``strict=True`` (the default) keys and shapes must match exactly; a mismatch raises a
        ``ValueError`` naming the missing, unexpected or misshapen keys. NumPy arrays are
        accepted; values are cast to the model's dtype and device.
        """
        if strict:
            V.check_state_dict(state_dict, {n: tuple(v.shape) for n, v in self.state_dict().items()})
        state_dict = {k: v if torch.is_tensor(v) else torch.as_tensor(v) for k, v in state_dict.items()}
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    # ---- states ---------------------------------------------------------------------------
    def _read_state(self, hx, shape: tuple, layout: str, like: torch.Tensor, batched: bool) -> list:
        """Validate ``hx`` (a tensor; for an LSTM a tuple (h_0, c_0)) -> list of batched tensors.

        ``None`` gives zeros. Unbatched states get their batch axis back, just before the last.
        """
        full = shape if batched else shape[:-1] + (1, shape[-1])
        if hx is None:
            return [torch.zeros(full, dtype=like.dtype, device=like.device)
                    for _ in range(self.n_states)]
        if self.n_states == 1:
            parts, names = [hx], ["hx"]
        elif isinstance(hx, (tuple, list)) and len(hx) == self.n_states:
            parts, names = list(hx), ["hx[0] (h_0)", "hx[1] (c_0)"]
        else:
            raise TypeError(f"hx: expected a tuple (h_0, c_0) of two tensors for "
                            f"{type(self).__name__}, got {V.describe(hx)}")
        for name, part in zip(names, parts):
            if not torch.is_tensor(part):
                raise TypeError(f"{name}: expected a torch tensor, got {V.describe(part)}")
            V.check_shape(name, part, shape, layout, like.dtype)
        return [part.reshape(full) for part in parts]

    def _pack(self, states: list, batched: bool):
        """A list of batched state tensors -> what torch.nn returns: h, or (h, c)."""
        states = [s if batched else s.squeeze(-2) for s in states]
        return states[0] if self.n_states == 1 else tuple(states)

    def extra_repr(self) -> str:
        return ", ".join([str(self.input_size), str(self.hidden_size)] + self._repr_options()
                         + self._extra_repr())


def _check_input(x, name: str = "input") -> None:
    if not torch.is_tensor(x):
        raise TypeError(f"{name}: expected a torch tensor, got {V.describe(x)}")


class RecurrentBase(SequenceOptions, _Module):
    """A stack of recurrent layers run over whole sequences, with the interface of torch.nn.RNN.

    Subclasses supply one time step through the hooks described in the module docstring.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, *, device=None, dtype=None):
        super().__init__()
        shapes = self._store_sequence_options(input_size, hidden_size, num_layers, bias,
                                              batch_first, bidirectional)
        self._setup(shapes, device, dtype)

    def forward(self, input, hx=None):
        _check_input(input)
        x, batched = V.check_sequence(input, self.input_size, self.batch_first, dtype=self._dtype)
        T, B, _ = x.shape
        L, D, H = self.num_layers, self.num_directions, self.hidden_size
        shape, layout = (((L * D, B, H), "(num_layers * num_directions, batch, hidden_size)") if batched
                         else ((L * D, H), "(num_layers * num_directions, hidden_size) for unbatched input"))
        # one tuple (h,) or (h, c) of (B, H) tensors per layer and direction
        initial = list(zip(*(s.unbind(0) for s in self._read_state(hx, shape, layout, x, batched))))

        finals = []
        for layer in range(L):
            outs = []
            for d in range(D):
                p = self._named(layer, d)
                # W_ih x_t + b for every t at once: one matrix product, outside the time loop
                wx = F.linear(x, p["weight_ih"], self._input_bias(p))
                out, final = _scan(self._make_step(p), wx, initial[layer * D + d], reverse=d == 1)
                outs.append(out)
                finals.append(final)
            # output[t] = concat(forward h_t, reverse h_t): the input of the next layer
            x = outs[0] if D == 1 else torch.cat(outs, dim=2)

        output = x if batched else x.squeeze(1)
        if batched and self.batch_first:
            output = output.transpose(0, 1)
        states = [torch.stack([f[j] for f in finals]) for j in range(self.n_states)]
        return output, self._pack(states, batched)


def _scan(step, wx: torch.Tensor, state: tuple, reverse: bool = False):
    """Run ``step`` over the time axis of ``wx`` (T, B, G*H) from ``state``.

    Returns the hidden states (T, B, H) in time order and the final state. The reverse
    direction reads the sequence from its end, so its final state is the one after x_0.
    """
    wx_t = wx.unbind(0)  # one view per step (indexing wx[t] would cost a full-size gradient each)
    h = [None] * len(wx_t)
    for t in (reversed(range(len(wx_t))) if reverse else range(len(wx_t))):
        state = step(wx_t[t], state)
        h[t] = state[0]
    return torch.stack(h), state


class CellBase(CellOptions, _Module):
    """One time step of a recurrent layer, with the interface of torch.nn.RNNCell.

    Runs the model's step function once. Parameter names have no suffix (``weight_ih``).
    """

    def __init__(self, input_size, hidden_size, bias=True, *, device=None, dtype=None):
        super().__init__()
        shapes = self._store_cell_options(input_size, hidden_size, bias)
        self._setup(shapes, device, dtype)

    def _named(self, layer: int = 0, direction: int = 0) -> dict:
        return dict(self.named_parameters())

    def forward(self, input, hx=None):
        """One step: h' (or (h', c') for an LSTM), shaped like the state."""
        _check_input(input)
        x, batched = V.check_step(input, self.input_size, dtype=self._dtype)
        shape, layout = (((x.shape[0], self.hidden_size), "(batch, hidden_size)") if batched
                         else ((self.hidden_size,), "(hidden_size,) for unbatched input"))
        state = tuple(self._read_state(hx, shape, layout, x, batched))
        p = self._named()
        new = self._make_step(p)(F.linear(x, p["weight_ih"], self._input_bias(p)), state)
        return self._pack(list(new), batched)
