"""What every NumPy model shares: layers, directions, layouts, states, parameters, checks.

A model file (``rnn.py``, ``lstm.py``, ...) holds the *kernel* of one model: the forward pass of
one layer in one direction over a whole sequence and, right beside it, the backward pass that
consumes the cache the forward saved. It also defines two thin classes that plug the kernel into
``RecurrentBase`` (sequence models like ``torch.nn.RNN``) and ``CellBase`` (one step, like
``torch.nn.RNNCell``). Everything else is written once, here: input validation, ``batch_first``
and unbatched inputs, variable-length batches (``lengths``, or a ``PackedSequence``), stacking
layers, dropout between them, the reverse direction, initial and final states, parameter storage,
``train()`` / ``eval()``, ``state_dict`` / ``load_state_dict`` and dtypes.

A model class mixes in the options of its model (``rnncourse._options``: ``gates``, ``n_states``,
extra parameters, which are trained, initial values; the options must be stored *before*
``super().__init__()``, which reads them) and provides the two hooks of its kernel (identical for
``RecurrentBase`` and ``CellBase``)::

    def _layer_forward(self, x, state, p) -> (out, final_state, cache):
        # x (T, B, I) already in processing order (the base reverses time for the reverse
        # direction), state a tuple of n_states (B, ·) arrays, p a dict base name -> array for this
        # layer and direction ("weight_ih", "weight_hh", optional "bias_ih", "bias_hh", extras).
        # out (T, B, ·) holds h_1 .. h_T; final_state is a tuple like state.

    def _layer_backward(self, d_out, d_final, cache) -> (dx, d_state0, dp):
        # d_out (T, B, ·) = dL/dh_t from above; d_final tuple like state = dL/d(final state)
        # (zeros when unused); dx (T, B, I), d_state0 tuple like state, dp dict base name -> grad.

A variable-length batch (``lengths``, or a ``PackedSequence``) needs nothing of the kernels either:
the base runs them on *segments* of time, as cuDNN runs a packed batch. With the sequences sorted
longest first, the steps up to the shortest length form the first segment, run on the whole batch;
the next segment, up to the next length, runs on the sequences still going, from the states the
first left; and so on (``_segments``). A sequence drops out at its last step, so its final state is
the one of that step, no step past its end is ever computed, and the backward pass runs the
segments in reverse, the gradient of a segment's initial state flowing into the one before
(``_segments_backward``): BPTT never touches the padding. The reverse direction reads each sequence
reversed within its own length (``_packing.reversed_steps``), so its steps start at 0 too. There
are as many kernel calls as distinct lengths, and as many time steps in all as the longest.

Kernels share helpers defined here: ``input_projection`` (W_ih x_t + biases for all t, one matrix
product) and ``input_gradients`` (dL/dW_ih and dL/dx from the δ of that projection); the reference
steps two more, ``batch_sum`` and ``batch_outer`` (a gradient's sum over the batch).
"""

from __future__ import annotations

import numpy as np

from .. import _options as O
from .. import _packing as P
from .. import _validate as V
from .._layout import base_name, split_params, suffix
from .._options import CellOptions, SequenceOptions, _ModelOptions


def input_projection(x, weight_ih, *biases):
    """W_ih x_t + biases for every step at once: one matrix product over all T * B rows.

    x (T, B, I), weight_ih (G * H, I) -> (T, B, G * H). The loop over time then adds only W_hh h_{t-1}.
    """
    T, B, I = x.shape
    projection = (x.reshape(T * B, I) @ weight_ih.T).reshape(T, B, len(weight_ih))
    for bias in biases:
        projection += bias
    return projection


def input_gradients(delta, x, weight_ih):
    """Backward of ``input_projection``: (dL/dW_ih = Σ_t δ_t x_tᵀ, dL/dx_t = W_ihᵀ δ_t).

    delta (T, B, G * H) is dL/d(projection); the sum over time and batch is one matrix product.
    """
    T, B, G = delta.shape
    rows = delta.reshape(T * B, G)
    return rows.T @ x.reshape(T * B, x.shape[-1]), (rows @ weight_ih).reshape(x.shape)


def batch_sum(a):
    """Σ over the batch: a (B, n) array summed over its rows; an unbatched (n,) array as it is."""
    return a.sum(axis=0) if a.ndim == 2 else a


def batch_outer(delta, v):
    """Σ_b δ_b v_bᵀ over the batch: (B, m), (B, n) -> (m, n); for unbatched (m,), (n,) the outer product."""
    return np.atleast_2d(delta).T @ np.atleast_2d(v)


class _Module(_ModelOptions):
    """Parameter storage, modes and state checks shared by sequence models and cells."""

    training = True          # torch.nn's default mode; ``train()`` / ``eval()`` switch it

    # ---- hooks (see the module docstring) -------------------------------------------------
    def _layer_forward(self, x, state, p):
        raise NotImplementedError

    def _layer_backward(self, d_out, d_final, cache):
        raise NotImplementedError

    # ---- parameters -----------------------------------------------------------------------
    def _setup(self, shapes: dict, device, dtype, rng) -> None:
        O.numpy_device(device)
        self.dtype = O.numpy_dtype(dtype)
        #: the generator of the initial parameters and then of the dropout masks; assign a new one
        #: (``model.rng = np.random.default_rng(seed)``) to draw the same masks again
        self.rng = np.random.default_rng(rng)
        self.params = {name: np.empty(shape, self.dtype) for name, shape in shapes.items()}
        self.grads: dict = {}
        self._cache = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch.nn does, drawn
        from ``self.rng`` in torch.nn's order; then the values the options fix (a forget-gate
        bias, leak rates: ``_initial_values``)."""
        bound = self._init_bound()
        for name, value in self.params.items():
            if base_name(name) not in self._fixed_init:
                value[...] = self.rng.uniform(-bound, bound, size=value.shape)
        for value, index, fill in self._initial_values(self.params.items()):
            value[index] = fill

    def __getattr__(self, name):
        # model.weight_ih_l0 is model.params["weight_ih_l0"] (the same array, not a copy)
        params = self.__dict__.get("params", {})
        if name in params:
            return params[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _shapes(self) -> dict:
        return {name: value.shape for name, value in self.params.items()}

    def state_dict(self) -> dict:
        """Parameter name -> copy of its array, in torch.nn order."""
        return {name: value.copy() for name, value in self.params.items()}

    def load_state_dict(self, state_dict) -> None:
        """Copy parameters in place from NumPy arrays or torch tensors (e.g. a torch.nn state_dict).

        Keys and shapes must match exactly (``StateDictError`` otherwise); values are cast to the
        model's dtype; NaN or infinite values are refused (ValueError), in both backends. The arrays
        of ``model.params`` keep their identity, so an optimiser built on them stays valid.
        """
        V.check_state_dict(state_dict, self._shapes())
        V.check_weights(state_dict)
        values = {name: V.to_numpy(state_dict[name]) for name in self.params}
        for name, value in values.items():  # only after every entry passed the checks
            self.params[name][...] = value

    def to(self, *args, device=None, dtype=None):
        """Cast every parameter to ``dtype`` (float32 or float64); returns ``self``.

        Called as torch.nn's ``Module.to``: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``
        (the device must be the CPU). A new dtype makes new arrays: build optimisers after it.
        """
        for arg in args:
            is_device = type(arg).__name__ == "device" or (
                isinstance(arg, str) and arg.split(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta"))
            if is_device:
                device = arg
            else:
                dtype = arg
        O.numpy_device(device)
        if dtype is None:
            return self
        self.dtype = O.numpy_dtype(dtype)
        for name, value in self.params.items():
            self.params[name] = value.astype(self.dtype)
        self.grads, self._cache = {}, None
        return self

    def named_parameters(self):
        """(name, array) of every parameter, in torch.nn's order, as torch.nn's ``named_parameters``."""
        return iter(self.params.items())

    def parameters(self):
        """Every parameter array, in torch.nn's order, as torch.nn's ``parameters``."""
        return iter(self.params.values())

    def double(self):
        return self.to(np.float64)

    def float(self):
        return self.to(np.float32)

    def train(self, mode: bool = True):
        """Training mode (dropout between layers is applied) or, with ``mode=False``, evaluation
        mode; returns ``self``, as torch.nn's ``Module.train``."""
        self.training = V.check_bool("mode", mode)
        return self

    def eval(self):
        """Evaluation mode: no dropout. The same as ``train(False)``."""
        return self.train(False)

    def flatten_parameters(self) -> None:
        """Nothing to do (torch.nn packs its weights for cuDNN here); kept for code written for torch.nn."""

    def num_parameters(self) -> int:
        return sum(value.size for value in self.params.values())

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def _keep_trainable(self, grads: dict) -> dict:
        """Gradients in parameter order, without the parameters that are not trained."""
        return {name: grads[name] for name in self.params
                if name in grads and self._trainable(name)}

    def _state_names(self, prefix: str) -> list[str]:
        return [prefix] if self.n_states == 1 else [f"{prefix}[{k}]" for k in range(self.n_states)]

    def _read_states(self, state, name: str, names: list[str], shapes: list, layout: str,
                     allow_none: bool = False, cell: bool = False, torch_phrases: bool = False) -> list:
        """Validate a state (an array, or a tuple of ``n_states`` arrays) -> list of NumPy arrays.

        ``shapes``: the expected shape of each part; ``torch_phrases`` adds torch.nn's wording of a
        wrong initial state (``hx``) to the message.
        """
        if self.n_states == 1:
            parts = [state]
        elif isinstance(state, (tuple, list)) and len(state) == self.n_states:
            parts = list(state)
        else:
            raise TypeError(f"{name}: expected a tuple of {self.n_states} arrays "
                            f"({', '.join(names)}), got {V.describe(state)}")
        out = []
        for j, (part_name, part, shape) in enumerate(zip(names, parts, shapes)):
            if part is None and allow_none:
                out.append(np.zeros(shape, self.dtype))
                continue
            V.check_array(part_name, part)
            says = V.state_phrase(type(self).__name__, j, self.n_states, part.shape, shape, cell) \
                if torch_phrases and tuple(part.shape) != tuple(shape) else None
            V.check_shape(part_name, part, shape, layout, self.dtype, says)
            out.append(V.to_numpy(part))
        return out

    def __repr__(self):
        options = [str(self.input_size), str(self.hidden_size)] + self._repr_options()
        options += self._extra_repr()
        if self.dtype != np.float32:
            options.append(f"dtype={self.dtype.name}")
        return f"{type(self).__name__}({', '.join(options)})"


class RecurrentBase(SequenceOptions, _Module):
    """A stack of recurrent layers run over whole sequences, with the interface of torch.nn.RNN.

    Subclasses supply the kernel through the hooks described in the module docstring.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None, *, rng=None):
        shapes = self._store_sequence_options(input_size, hidden_size, num_layers, bias,
                                              batch_first, dropout, bidirectional, proj_size)
        self._setup(shapes, device, dtype, rng)

    @property
    def all_weights(self) -> list:
        """The parameters of each layer and direction, in torch.nn's order (``RNNBase.all_weights``)."""
        return [list(split_params(self.params, layer, d).values())
                for layer in range(self.num_layers) for d in range(self.num_directions)]

    # ---- layouts --------------------------------------------------------------------------
    def _state_shapes(self, batch: int, batched: bool) -> tuple[list, str]:
        stack = self.num_layers * self.num_directions
        if batched:
            return ([(stack, batch, n) for n in self._state_sizes()],
                    "(num_layers * num_directions, batch, hidden_size)")
        return ([(stack, n) for n in self._state_sizes()],
                "(num_layers * num_directions, hidden_size) for unbatched input")

    def _to_user(self, seq, batched: bool):
        """(T, B, F) -> the caller's layout: (B, T, F) with batch_first, (T, F) when unbatched."""
        if not batched:
            return seq[:, 0]
        return seq.transpose(1, 0, 2) if self.batch_first else seq

    def _from_user(self, name: str, value, expected_shape: tuple, layout: str, batched: bool):
        """A gradient in the caller's layout -> (T, B, F)."""
        V.check_shape(name, value, expected_shape, layout, self.dtype)
        value = V.to_numpy(value)
        if not batched:
            return value[:, None]
        return value.transpose(1, 0, 2) if self.batch_first else value

    @staticmethod
    def _time_order(seq, direction: int, order):
        """The reverse direction reads each sequence from its end: all steps flipped, or with
        ``order`` (variable lengths) each sequence within its own length. Its own inverse."""
        if direction == 0:
            return seq
        return seq[::-1] if order is None else seq[order, np.arange(seq.shape[1])]

    # ---- forward --------------------------------------------------------------------------
    def forward(self, input, hx=None, lengths=None):
        """Run the layers over ``input`` from ``hx`` (zeros when None); see the model's docstring.

        ``lengths`` (an rnncourse extra): one length per sequence of a batched input padded to
        seq_len. A ``PackedSequence`` (torch.nn.utils.rnn) is accepted too; the output is then a
        ``PackedSequence`` of the same layout whose ``data`` is a NumPy array.
        """
        packed = input if P.is_packed(input) else None
        rows = None                 # (t_index, b_index) of the rows of a packed input
        if packed is not None:
            if lengths is not None:
                raise ValueError("lengths: a PackedSequence carries its own lengths; pass lengths=None")
            x, lengths, batched, rows = self._unpack(packed)
        else:
            x, batched = V.check_sequence(input, self.input_size, self.batch_first, dtype=self.dtype,
                                          model=type(self).__name__)
            x = V.to_numpy(x)
            lengths = P.check_lengths(lengths, x.shape[0], x.shape[1], batched)
        if lengths is not None and len(lengths) == 0:       # an empty batch has no lengths to respect
            lengths = None
        T, B, _ = x.shape
        L, D = self.num_layers, self.num_directions
        shapes, layout = self._state_shapes(B, batched)
        if hx is None:
            states = [np.zeros((L * D, B, n), self.dtype) for n in self._state_sizes()]
        else:
            names = ["h_0"] if self.n_states == 1 else ["h_0", "c_0"]
            states = self._read_states(hx, "hx", names, shapes, layout, torch_phrases=True)
            states = [s if batched else s[:, None] for s in states]

        order = None if lengths is None else P.reversed_steps(lengths, T)
        finals = [[None] * (L * D) for _ in range(self.n_states)]
        caches, masks = [], []
        layer_input = x
        for layer in range(L):
            if layer > 0 and self._dropout_active():
                # dropout on the outputs of every layer but the last, as torch.nn: one mask per
                # element, kept for the backward pass
                mask = self._dropout_mask(layer_input.shape)
                layer_input = layer_input * mask
                masks.append(mask)
            outs = []
            for d in range(D):
                k = layer * D + d
                p = split_params(self.params, layer, d)
                seq = self._time_order(layer_input, d, order)
                state = tuple(s[k] for s in states)
                if lengths is None:
                    out, final, cache = self._layer_forward(seq, state, p)
                else:
                    out, final, cache = self._segments(seq, state, p, lengths)
                outs.append(self._time_order(out, d, order))
                for j in range(self.n_states):
                    finals[j][k] = final[j]
                caches.append(cache)
            # output[t] = concat(forward h_t, reverse h_t): the input of the next layer
            layer_input = np.concatenate(outs, axis=-1)

        final_states = [np.stack(f) if batched else np.stack(f)[:, 0] for f in finals]
        state_out = final_states[0] if self.n_states == 1 else tuple(final_states)
        self._cache = dict(caches=caches, masks=masks, lengths=lengths, order=order,
                           x_shape=x.shape, batched=batched, state_shapes=shapes, state_layout=layout,
                           packed=rows)
        if packed is not None:
            t_index, b_index = rows
            self._cache["out_shape"] = (len(t_index), layer_input.shape[-1])
            return type(packed)(layer_input[t_index, b_index], packed.batch_sizes,
                                packed.sorted_indices, packed.unsorted_indices), state_out
        output = self._to_user(layer_input, batched)
        self._cache["out_shape"] = output.shape
        return output, state_out

    def _segments(self, seq, state, p, lengths):
        """The kernel over a variable-length batch, one segment of time at a time (see the module
        docstring). ``seq`` (T, B, I) holds each sequence from its step 0; returns (out, final,
        cache) like ``_layer_forward``, ``out`` zero past each end."""
        order = np.argsort(-lengths, kind="stable")        # longest first
        ends = np.unique(lengths)                           # where segments end, ascending
        current = [s[order] for s in state]                 # the state of every sequence, sorted
        out, pieces, start = None, [], 0
        for end in ends:
            n = int(np.count_nonzero(lengths > start))      # sequences still going: the first n
            rows = order[:n]
            o, f, cache = self._layer_forward(seq[start:end, rows], tuple(c[:n] for c in current), p)
            if out is None:
                out = np.zeros(seq.shape[:2] + o.shape[2:], o.dtype)
            out[start:end, rows] = o
            for c, part in zip(current, f):
                c[:n] = part
            pieces.append((start, end, n, cache))
            start = end
        final = tuple(c[np.argsort(order)] for c in current)   # back to the caller's order
        return out, final, ("segments", order, lengths, pieces)

    def _segments_backward(self, d_out, d_final, cache):
        """Backward through ``_segments``: the segments in reverse; dL/d(final state) of a sequence
        enters at the end of its last segment, and the gradient of a segment's initial state is
        dL/d(state) at the end of the one before."""
        _, order, lengths, pieces = cache
        sorted_lengths = lengths[order]
        d_state = [np.zeros_like(g) for g in d_final]       # sorted order
        d_final = [g[order] for g in d_final]
        dx, grads = None, {}
        for start, end, n, piece in reversed(pieces):
            ending = np.flatnonzero(sorted_lengths[:n] == end)
            for d, g in zip(d_state, d_final):
                d[ending] = g[ending]
            rows = order[:n]
            dx_piece, d0, dp = self._layer_backward(d_out[start:end, rows], tuple(d[:n] for d in d_state),
                                                    piece)
            if dx is None:
                dx = np.zeros(d_out.shape[:2] + dx_piece.shape[2:], dx_piece.dtype)
            dx[start:end, rows] = dx_piece
            for d, part in zip(d_state, d0):
                d[:n] = part
            for name, g in dp.items():
                grads[name] = grads[name] + g if name in grads else g
        inverse = np.argsort(order)
        return dx, tuple(d[inverse] for d in d_state), grads

    def _unpack(self, packed):
        """A ``PackedSequence`` -> (padded (T, B, I) array, lengths, batched=True, (t_index, b_index))."""
        t_index, b_index, lengths = P.packed_layout(packed)
        data = packed.data
        V.check_array("input.data", data)
        if data.shape[-1] != self.input_size:
            raise V.ShapeError(f"input: expected packed data of shape (sum(batch_sizes), input_size="
                               f"{self.input_size}), got {V.describe(data)}")
        V.check_floating("input.data", data, self.dtype, model="RNN")
        V.check_finite("input.data", data)
        x = np.zeros((int(lengths.max()), len(lengths), self.input_size), self.dtype)
        x[t_index, b_index] = V.to_numpy(data)
        return x, lengths, True, (t_index, b_index)

    def _dropout_mask(self, shape) -> np.ndarray:
        """Each entry 0 with probability ``dropout``, else 1 / (1 - dropout) (so the mean is kept)."""
        if self.dropout == 1:
            return np.zeros(shape, self.dtype)
        keep = self.rng.random(shape) >= self.dropout
        return keep.astype(self.dtype) / self.dtype.type(1 - self.dropout)

    @property
    def dropout_masks(self) -> list:
        """The dropout masks of the last forward pass, one (seq_len, batch, D * out) array per layer
        above the first (each entry 0 or 1 / (1 - dropout)); empty without dropout."""
        return [] if self._cache is None else list(self._cache["masks"])

    # ---- backward -------------------------------------------------------------------------
    def backward(self, grad_output=None, grad_state=None):
        """Backpropagate through the last forward pass.

        ``grad_output`` is dL/d(output), shaped like ``output`` (for a ``PackedSequence`` output,
        like its ``data``); ``grad_state`` is dL/dh_n shaped like ``h_n`` (for an LSTM a tuple
        (dL/dh_n, dL/dc_n)); either may be ``None`` (zeros). The gradients that reach the padding
        of a variable-length batch are ignored, and the dropout masks of the forward pass are
        applied again.

        Returns ``(grad_input, grad_state0, grads)``: dL/d(input) shaped like the input (for a
        ``PackedSequence``, like its ``data``), dL/d(initial state) shaped like the state, and the
        parameter gradients by full name (also stored in ``self.grads``).
        """
        if self._cache is None:
            raise ValueError(f"backward: call forward first; {type(self).__name__} has no cached "
                             f"forward pass to differentiate")
        c = self._cache
        T, B, I = c["x_shape"]
        L, D = self.num_layers, self.num_directions
        O = self._state_sizes()[0]          # features per direction of the output
        batched = c["batched"]

        if grad_output is None:
            d_above = np.zeros((T, B, D * O), self.dtype)
        elif c["packed"] is not None:
            V.check_shape("grad_output", grad_output, c["out_shape"], "(sum(batch_sizes), "
                          "num_directions * hidden_size), like output.data", self.dtype)
            d_above = np.zeros((T, B, D * O), self.dtype)
            d_above[c["packed"]] = V.to_numpy(grad_output)
        else:
            layout = ("(batch, seq_len, num_directions * hidden_size)" if self.batch_first else
                      "(seq_len, batch, num_directions * hidden_size)") if batched else \
                "(seq_len, num_directions * hidden_size) for unbatched input"
            d_above = self._from_user("grad_output", grad_output, c["out_shape"], layout, batched)
        if grad_state is None:
            grad_state = (None,) * self.n_states if self.n_states > 1 else None
        d_final = self._read_states(grad_state, "grad_state", self._state_names("grad_state"),
                                    c["state_shapes"], c["state_layout"], allow_none=True)
        d_final = [g if batched else g[:, None] for g in d_final]

        d_state0 = [np.empty((L * D, B, n), self.dtype) for n in self._state_sizes()]
        grads = {}
        for layer in reversed(range(L)):
            d_below = None
            for d in range(D):
                k = layer * D + d
                d_out = self._time_order(d_above[..., d * O:(d + 1) * O], d, c["order"])
                backward = self._layer_backward if c["lengths"] is None else self._segments_backward
                dx, ds0, dp = backward(d_out, tuple(g[k] for g in d_final), c["caches"][k])
                dx = self._time_order(dx, d, c["order"])
                # both directions read the same layer input: their gradients add up
                d_below = dx if d_below is None else d_below + dx
                for j in range(self.n_states):
                    d_state0[j][k] = ds0[j]
                for base, g in dp.items():
                    grads[base + suffix(layer, d)] = g
            if layer > 0 and c["masks"]:    # through the dropout between this layer and the one below
                d_below = d_below * c["masks"][layer - 1]
            d_above = d_below

        if c["packed"] is not None:
            grad_input = d_above[c["packed"]]
        else:
            grad_input = np.ascontiguousarray(self._to_user(d_above, batched))
        d_state0 = [s if batched else s[:, 0] for s in d_state0]
        self.grads = self._keep_trainable(grads)
        return grad_input, (d_state0[0] if self.n_states == 1 else tuple(d_state0)), self.grads


class CellBase(CellOptions, _Module):
    """One time step of a recurrent layer, with the interface of torch.nn.RNNCell.

    Runs the model's sequence kernel with T = 1. Parameter names have no suffix (``weight_ih``).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, rng=None):
        shapes = self._store_cell_options(input_size, hidden_size, bias)
        self._setup(shapes, device, dtype, rng)

    def _state_shapes(self, batch: int, batched: bool) -> tuple[list, str]:
        if batched:
            return [(batch, self.hidden_size)] * self.n_states, "(batch, hidden_size)"
        return [(self.hidden_size,)] * self.n_states, "(hidden_size,) for unbatched input"

    def forward(self, input, hx=None):
        """One step from ``hx`` (zeros when None): h' (or (h', c') for an LSTM), shaped like the state."""
        x, batched = V.check_step(input, self.input_size, dtype=self.dtype, model=type(self).__name__)
        x = V.to_numpy(x)
        B = x.shape[0]
        shapes, layout = self._state_shapes(B, batched)
        if hx is None:
            states = [np.zeros((B, self.hidden_size), self.dtype) for _ in range(self.n_states)]
        else:
            names = ["h_0"] if self.n_states == 1 else ["h_0", "c_0"]
            states = self._read_states(hx, "hx", names, shapes, layout, cell=True, torch_phrases=True)
            states = [s if batched else s[None] for s in states]
        _, final, cache = self._layer_forward(x[None], tuple(states), self.params)
        self._cache = dict(cache=cache, batched=batched, B=B, state_shapes=shapes, state_layout=layout)
        # copies, so that editing h' in place cannot corrupt the cache
        new = [(f if batched else f[0]).copy() for f in final]
        return new[0] if self.n_states == 1 else tuple(new)

    def backward(self, grad_h=None, grad_c=None):
        """Backpropagate dL/dh' (and dL/dc') through the last step.

        Returns ``(grad_input, grad_state, grads)``: dL/dx, dL/d(state) shaped like the state
        (a tuple for two-part states) and the parameter gradients (also in ``self.grads``).
        """
        if self._cache is None:
            raise ValueError(f"backward: call forward first; {type(self).__name__} has no cached "
                             f"forward pass to differentiate")
        if self.n_states == 1 and grad_c is not None:
            raise ValueError(f"grad_c: {type(self).__name__} has no cell state; pass grad_h only")
        c = self._cache
        given = grad_h if self.n_states == 1 else (grad_h, grad_c)
        names = ["grad_h"] if self.n_states == 1 else ["grad_h", "grad_c"]
        d_final = self._read_states(given, "grad", names, c["state_shapes"], c["state_layout"],
                                    allow_none=True)
        d_final = tuple(g if c["batched"] else g[None] for g in d_final)
        d_out = np.zeros((1, c["B"], self.hidden_size), self.dtype)  # h' reaches the loss via d_final
        dx, ds0, dp = self._layer_backward(d_out, d_final, c["cache"])
        grad_input = dx[0] if c["batched"] else dx[0, 0]
        ds0 = [s if c["batched"] else s[0] for s in ds0]
        self.grads = self._keep_trainable(dp)
        return grad_input, (ds0[0] if self.n_states == 1 else tuple(ds0)), self.grads
