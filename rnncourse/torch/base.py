"""What every PyTorch model shares: parameters, checks, layouts, layers, directions, the time loop.

A model file (``rnn.py``, ``lstm.py``, ...) holds one short *step* function in the notation of its
chapter (one time step of one layer, e.g. ``lstm_step``) and the thin classes that plug it into
``RecurrentBase`` (sequence models, like ``torch.nn.LSTM``) and ``CellBase`` (one step, like
``torch.nn.LSTMCell``). Autograd differentiates the loop; nothing here calls torch.nn's recurrent
modules or their fused kernels. Everything that is the same for every model is written once, here:
parameter registration and initialisation, input validation, ``batch_first`` and unbatched inputs,
``PackedSequence`` inputs and variable lengths, initial and final states, stacking layers, dropout
between them and running the reverse direction.

A model class mixes in the options of its model (``rnncourse._options``: ``gates``, ``n_states``,
extra parameters, which are trained, initial values; the options must be stored *before*
``super().__init__()``, which reads them) and provides one hook (the same for ``RecurrentBase`` and
``CellBase``)::

    def _make_step(self, p):
        # p: this layer/direction's parameters by base name ("weight_ih", "weight_hh", optional
        # "bias_ih", "bias_hh", extras). Returns step(wx_t, state) -> state, where wx_t is the
        # input projection of one time step and state a tuple of n_states (batch, ·) tensors.

Optional hook: ``_input_bias(p)`` (the bias added in the input projection; default
``b_ih + b_hh``).

Speed: the input part ``W_ih x_t + b`` of every time step is one matrix product per layer and
direction before the loop, so a step costs one ``addmm`` with ``W_hh`` plus a few element-wise
operations; the states of all steps are stacked once at the end.

Variable lengths (a ``PackedSequence``, or ``lengths=`` with a padded batch): the batch is padded
(``_packing.packed_layout`` gives the rows), and at a step past the end of a sequence its state is
kept (``torch.where``) instead of updated, so that the final state is the one after its last step
(for the reverse direction, which runs from the last step down, the state stays the initial one
until the sequence starts); the outputs past the end are zero. Dropout between layers is drawn with
``F.dropout`` on the tensor torch.nn draws it on (the packed rows for a packed input), so with the
same seed the masks are torch.nn's.
"""

from __future__ import annotations


import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from .. import _options as O
from .. import _packing as P
from .. import _validate as V
from .._layout import base_name, split_params
from .._options import CellOptions, SequenceOptions, _ModelOptions
from ..errors import ShapeError


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
        bound = self._init_bound()
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
        ``StateDictError`` (a ``ValueError`` and a ``RuntimeError``) naming the missing, unexpected
        or misshapen keys. NaN or infinite values are refused (ValueError), as in the NumPy backend.
        NumPy arrays are accepted; values are cast to the model's dtype and device.
        """
        if strict:
            V.check_state_dict(state_dict, {n: tuple(v.shape) for n, v in self.state_dict().items()})
        V.check_weights(state_dict)
        state_dict = {k: v if torch.is_tensor(v) else torch.as_tensor(v) for k, v in state_dict.items()}
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    def flatten_parameters(self) -> None:
        """Nothing to do (torch.nn packs its weights for cuDNN here); kept for code written for torch.nn."""

    # ---- states ---------------------------------------------------------------------------
    def _read_state(self, hx, shapes: list, layout: str, like: torch.Tensor, batched: bool,
                    cell: bool = False) -> list:
        """Validate ``hx`` (a tensor; for an LSTM a tuple (h_0, c_0)) -> list of batched tensors.

        ``shapes``: the expected shape of each part. ``None`` gives zeros. Unbatched states get
        their batch axis back, just before the last.
        """
        full = [shape if batched else shape[:-1] + (1, shape[-1]) for shape in shapes]
        if hx is None:
            return [torch.zeros(f, dtype=like.dtype, device=like.device) for f in full]
        if self.n_states == 1:
            parts, names = [hx], ["hx"]
        elif isinstance(hx, (tuple, list)) and len(hx) == self.n_states:
            parts, names = list(hx), ["hx[0] (h_0)", "hx[1] (c_0)"]
        else:
            raise TypeError(f"hx: expected a tuple (h_0, c_0) of two tensors for "
                            f"{type(self).__name__}, got {V.describe(hx)}")
        for j, (name, part, shape) in enumerate(zip(names, parts, shapes)):
            if not torch.is_tensor(part):
                raise TypeError(f"{name}: expected a torch tensor, got {V.describe(part)}")
            says = (V.state_phrase(type(self).__name__, j, self.n_states, part.shape, shape, cell)
                    if tuple(part.shape) != tuple(shape) else None)
            V.check_shape(name, part, shape, layout, like.dtype, says)
        return [part.reshape(f) for part, f in zip(parts, full)]

    def _pack(self, states: list, batched: bool):
        """A list of batched state tensors -> what torch.nn returns: h, or (h, c)."""
        states = [s if batched else s.squeeze(-2) for s in states]
        return states[0] if self.n_states == 1 else tuple(states)

    def extra_repr(self) -> str:
        return ", ".join([str(self.input_size), str(self.hidden_size)] + self._repr_options()
                         + self._extra_repr())


def _check_input(x, name: str = "input") -> None:
    if not torch.is_tensor(x):
        raise TypeError(f"{name}: expected a torch tensor or a PackedSequence, got {V.describe(x)}")


class RecurrentBase(SequenceOptions, _Module):
    """A stack of recurrent layers run over whole sequences, with the interface of torch.nn.RNN.

    Subclasses supply one time step through the hooks described in the module docstring.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        shapes = self._store_sequence_options(input_size, hidden_size, num_layers, bias,
                                              batch_first, dropout, bidirectional, proj_size)
        self._setup(shapes, device, dtype)

    @property
    def all_weights(self) -> list:
        """The parameters of each layer and direction, in torch.nn's order (``RNNBase.all_weights``)."""
        return [list(self._named(layer, d).values())
                for layer in range(self.num_layers) for d in range(self.num_directions)]

    def forward(self, input, hx=None, lengths=None):
        """Run the layers over ``input`` (a tensor or a ``PackedSequence``) from ``hx``.

        ``lengths`` (an rnncourse extra): one length per sequence of a batched, padded input.
        """
        rows = None                 # (t_index, b_index) of the rows of a packed input
        if isinstance(input, PackedSequence):
            if lengths is not None:
                raise ValueError("lengths: a PackedSequence carries its own lengths; pass lengths=None")
            x, lengths, rows = self._unpack(input)
            batched = True
        else:
            _check_input(input)
            x, batched = V.check_sequence(input, self.input_size, self.batch_first, dtype=self._dtype,
                                          model=type(self).__name__)
            lengths = P.check_lengths(lengths, x.shape[0], x.shape[1], batched)
        T, B, _ = x.shape
        L, D = self.num_layers, self.num_directions
        stack = L * D
        if batched:
            shapes = [(stack, B, n) for n in self._state_sizes()]
            layout = "(num_layers * num_directions, batch, hidden_size)"
        else:
            shapes = [(stack, n) for n in self._state_sizes()]
            layout = "(num_layers * num_directions, hidden_size) for unbatched input"
        # one tuple (h,) or (h, c) of (B, ·) tensors per layer and direction
        initial = list(zip(*(s.unbind(0) for s in self._read_state(hx, shapes, layout, x, batched))))
        valid = None if lengths is None else torch.from_numpy(P.valid_steps(lengths, T)).to(x.device)

        finals = []
        for layer in range(L):
            if layer > 0 and self._dropout_active():
                x = self._dropout_between(x, rows)
            outs = []
            for d in range(D):
                p = self._named(layer, d)
                # W_ih x_t + b for every t at once: one matrix product, outside the time loop
                wx = F.linear(x, p["weight_ih"], self._input_bias(p))
                out, final = _scan(self._make_step(p), wx, initial[layer * D + d], reverse=d == 1,
                                   valid=valid)
                outs.append(out)
                finals.append(final)
            # output[t] = concat(forward h_t, reverse h_t): the input of the next layer
            x = outs[0] if D == 1 else torch.cat(outs, dim=2)
            if valid is not None:   # past the end of a sequence: output 0
                x = x * valid.unsqueeze(-1).to(x.dtype)

        states = [torch.stack([f[j] for f in finals]) for j in range(self.n_states)]
        if rows is not None:
            return PackedSequence(x[rows], input.batch_sizes, input.sorted_indices,
                                  input.unsorted_indices), self._pack(states, True)
        output = x if batched else x.squeeze(1)
        if batched and self.batch_first:
            output = output.transpose(0, 1)
        return output, self._pack(states, batched)

    def _unpack(self, packed):
        """A ``PackedSequence`` -> (padded (T, B, I) tensor, lengths, (t_index, b_index))."""
        t_index, b_index, lengths = P.packed_layout(packed)
        data = packed.data
        _check_input(data, "input.data")
        if data.shape[-1] != self.input_size:
            raise ShapeError(f"input: expected packed data of shape (sum(batch_sizes), input_size="
                             f"{self.input_size}), got {V.describe(data)}" + V.torch_says(
                                 f"input.size(-1) must be equal to input_size. Expected "
                                 f"{self.input_size}, got {data.shape[-1]}"))
        V.check_floating("input.data", data, self._dtype, model="RNN")
        V.check_finite("input.data", data)
        rows = (torch.from_numpy(t_index).to(data.device), torch.from_numpy(b_index).to(data.device))
        x = data.new_zeros((len(packed.batch_sizes), len(lengths), self.input_size))
        return x.index_put(rows, data), lengths, rows

    def _dropout_between(self, x, rows):
        """torch.nn's dropout between layers: ``F.dropout`` on the (seq_len, batch, features) output,
        or, for a packed input, on its packed rows (the same draws as torch.nn for the same seed)."""
        if rows is None:
            return F.dropout(x, self.dropout, training=True)
        mask = F.dropout(x.new_ones(len(rows[0]), x.shape[-1]), self.dropout, training=True)
        return x * x.new_zeros(x.shape).index_put(rows, mask)


def _scan(step, wx: torch.Tensor, state: tuple, reverse: bool = False, valid=None):
    """Run ``step`` over the time axis of ``wx`` (T, B, G*H) from ``state``.

    Returns the hidden states (T, B, ·) in time order and the final state. The reverse
    direction reads the sequence from its end, so its final state is the one after x_0. With
    ``valid`` (T, B) bool, a sequence keeps its state at the steps past its end.
    """
    wx_t = wx.unbind(0)  # one view per step (indexing wx[t] would cost a full-size gradient each)
    keep = None if valid is None else valid.unsqueeze(-1).unbind(0)
    every = None if valid is None else valid.all(dim=1).tolist()
    h = [None] * len(wx_t)
    for t in (reversed(range(len(wx_t))) if reverse else range(len(wx_t))):
        new = step(wx_t[t], state)
        if keep is not None and not every[t]:
            new = tuple(torch.where(keep[t], n, s) for n, s in zip(new, state))
        state = new
        h[t] = state[0]
    return torch.stack(h), state


class CellBase(CellOptions, _Module):
    """One time step of a recurrent layer, with the interface of torch.nn.RNNCell.

    Runs the model's step function once. Parameter names have no suffix (``weight_ih``).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        shapes = self._store_cell_options(input_size, hidden_size, bias)
        self._setup(shapes, device, dtype)

    def _named(self, layer: int = 0, direction: int = 0) -> dict:
        return dict(self.named_parameters())

    def forward(self, input, hx=None):
        """One step: h' (or (h', c') for an LSTM), shaped like the state."""
        _check_input(input)
        x, batched = V.check_step(input, self.input_size, dtype=self._dtype, model=type(self).__name__)
        shape, layout = (((x.shape[0], self.hidden_size), "(batch, hidden_size)") if batched
                         else ((self.hidden_size,), "(hidden_size,) for unbatched input"))
        state = tuple(self._read_state(hx, [shape] * self.n_states, layout, x, batched, cell=True))
        p = self._named()
        new = self._make_step(p)(F.linear(x, p["weight_ih"], self._input_bias(p)), state)
        return self._pack(list(new), batched)
