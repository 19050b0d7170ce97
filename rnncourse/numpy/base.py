"""What every NumPy model shares: layers, directions, layouts, states, parameters, checks.

A model file (``rnn.py``, ``lstm.py``, ...) holds the *kernel* of one model: the forward pass of
one layer in one direction over a whole sequence and, right beside it, the backward pass that
consumes the cache the forward saved. It also defines two thin classes that plug the kernel into
``RecurrentBase`` (sequence models like ``torch.nn.RNN``) and ``CellBase`` (one step, like
``torch.nn.RNNCell``). Everything else is written once, here: input validation, ``batch_first``
and unbatched inputs, stacking layers, the reverse direction, initial and final states, parameter
storage, ``state_dict`` / ``load_state_dict`` and dtypes.

A model class mixes in the options of its model (``rnncourse._options``: ``gates``, ``n_states``,
extra parameters, which are trained, initial values; the options must be stored *before*
``super().__init__()``, which reads them) and provides the two hooks of its kernel (identical for
``RecurrentBase`` and ``CellBase``)::

    def _layer_forward(self, x, state, p) -> (out, final_state, cache):
        # x (T, B, I) already in processing order (the base flips time for the reverse direction),
        # state a tuple of n_states (B, H) arrays, p a dict base name -> array for this layer and
        # direction ("weight_ih", "weight_hh", optional "bias_ih", "bias_hh", extras).
        # out (T, B, H) holds h_1 .. h_T; final_state is a tuple like state.

    def _layer_backward(self, d_out, d_final, cache) -> (dx, d_state0, dp):
        # d_out (T, B, H) = dL/dh_t from above; d_final tuple like state = dL/d(final state)
        # (zeros when unused); dx (T, B, I), d_state0 tuple like state, dp dict base name -> grad.

Kernels share two helpers defined here: ``input_projection`` (W_ih x_t + biases for all t, one
matrix product) and ``input_gradients`` (dL/dW_ih and dL/dx from the δ of that projection); the
reference steps two more, ``batch_sum`` and ``batch_outer`` (a gradient's sum over the batch).
"""

from __future__ import annotations

import numpy as np

from .. import _options as O
from .. import _validate as V
from .._layout import base_name, split_params, suffix
from .._options import CellOptions, SequenceOptions, _ModelOptions


def input_projection(x, weight_ih, *biases):
    """W_ih x_t + biases for every step at once: one matrix product over all T * B rows.

    x (T, B, I), weight_ih (G * H, I) -> (T, B, G * H). The loop over time then adds only W_hh h_{t-1}.
    """
    T, B, I = x.shape
    projection = (x.reshape(T * B, I) @ weight_ih.T).reshape(T, B, -1)
    for bias in biases:
        projection += bias
    return projection


def input_gradients(delta, x, weight_ih):
    """Backward of ``input_projection``: (dL/dW_ih = Σ_t δ_t x_tᵀ, dL/dx_t = W_ihᵀ δ_t).

    delta (T, B, G * H) is dL/d(projection); the sum over time and batch is one matrix product.
    """
    T, B, G = delta.shape
    rows = delta.reshape(T * B, G)
    return rows.T @ x.reshape(T * B, -1), (rows @ weight_ih).reshape(x.shape)


def batch_sum(a):
    """Σ over the batch: a (B, n) array summed over its rows; an unbatched (n,) array as it is."""
    return a.sum(axis=0) if a.ndim == 2 else a


def batch_outer(delta, v):
    """Σ_b δ_b v_bᵀ over the batch: (B, m), (B, n) -> (m, n); for unbatched (m,), (n,) the outer product."""
    return np.atleast_2d(delta).T @ np.atleast_2d(v)


class _Module(_ModelOptions):
    """Parameter storage shared by sequence models and cells."""

    # ---- hooks (see the module docstring) -------------------------------------------------
    def _layer_forward(self, x, state, p):
        raise NotImplementedError

    def _layer_backward(self, d_out, d_final, cache):
        raise NotImplementedError

    # ---- parameters -----------------------------------------------------------------------
    def _setup(self, shapes: dict, dtype, rng) -> None:
        self.dtype = O.numpy_dtype(dtype)
        self._rng = np.random.default_rng(rng)
        self.params = {name: np.empty(shape, self.dtype) for name, shape in shapes.items()}
        self.grads: dict = {}
        self._cache = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch.nn does, drawn
        from ``self._rng`` in torch.nn's order; then the values the options fix (a forget-gate
        bias, leak rates: ``_initial_values``)."""
        bound = 1.0 / np.sqrt(self.hidden_size)
        for name, value in self.params.items():
            if base_name(name) not in self._fixed_init:
                value[...] = self._rng.uniform(-bound, bound, size=value.shape)
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

        Keys and shapes must match exactly; values are cast to the model's dtype. The arrays of
        ``model.params`` keep their identity, so an optimiser built on them stays valid.
        """
        V.check_state_dict(state_dict, self._shapes())
        values = {}
        for name in self.params:
            value = state_dict[name]
            V.check_floating(f"state_dict[{name!r}]", value)
            V.check_finite(f"state_dict[{name!r}]", value)
            values[name] = V.to_numpy(value)
        for name, value in values.items():  # only after every entry passed the checks
            self.params[name][...] = value

    def to(self, dtype):
        """Cast every parameter to ``dtype`` (float32 or float64); returns ``self``.

        This makes new arrays: build optimisers after calling it.
        """
        self.dtype = O.numpy_dtype(dtype)
        for name, value in self.params.items():
            self.params[name] = value.astype(self.dtype)
        self.grads, self._cache = {}, None
        return self

    def double(self):
        return self.to(np.float64)

    def float(self):
        return self.to(np.float32)

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

    def _read_states(self, state, name: str, names: list[str], shape: tuple, layout: str,
                     allow_none: bool = False) -> list:
        """Validate a state (an array, or a tuple of ``n_states`` arrays) -> list of NumPy arrays."""
        if self.n_states == 1:
            parts = [state]
        elif isinstance(state, (tuple, list)) and len(state) == self.n_states:
            parts = list(state)
        else:
            raise TypeError(f"{name}: expected a tuple of {self.n_states} arrays "
                            f"({', '.join(names)}), got {V.describe(state)}")
        out = []
        for part_name, part in zip(names, parts):
            if part is None and allow_none:
                out.append(np.zeros(shape, self.dtype))
                continue
            V.check_shape(part_name, part, shape, layout, self.dtype)
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
                 bidirectional=False, *, dtype=np.float32, rng=None):
        shapes = self._store_sequence_options(input_size, hidden_size, num_layers, bias,
                                              batch_first, bidirectional)
        self._setup(shapes, dtype, rng)

    # ---- layouts --------------------------------------------------------------------------
    def _state_shape(self, batch: int, batched: bool) -> tuple[tuple, str]:
        stack = self.num_layers * self.num_directions
        if batched:
            return (stack, batch, self.hidden_size), "(num_layers * num_directions, batch, hidden_size)"
        return (stack, self.hidden_size), "(num_layers * num_directions, hidden_size) for unbatched input"

    def _to_user(self, seq, batched: bool):
        """(T, B, F) -> the caller's layout: (B, T, F) with batch_first, (T, F) when unbatched."""
        if not batched:
            return seq[:, 0]
        return seq.transpose(1, 0, 2) if self.batch_first else seq

    # ---- forward --------------------------------------------------------------------------
    def forward(self, input, hx=None):
        """Run the layers over ``input`` from ``hx`` (zeros when None); see the model's docstring."""
        x, batched = V.check_sequence(input, self.input_size, self.batch_first, dtype=self.dtype)
        x = V.to_numpy(x)
        T, B, _ = x.shape
        L, D = self.num_layers, self.num_directions
        shape, layout = self._state_shape(B, batched)
        if hx is None:
            states = [np.zeros((L * D, B, self.hidden_size), self.dtype) for _ in range(self.n_states)]
        else:
            names = ["h_0"] if self.n_states == 1 else ["h_0", "c_0"]
            states = self._read_states(hx, "hx", names, shape, layout)
            states = [s if batched else s[:, None] for s in states]

        finals = [[None] * (L * D) for _ in range(self.n_states)]
        caches = []
        layer_input = x
        for layer in range(L):
            outs = []
            for d in range(D):
                k = layer * D + d
                p = split_params(self.params, layer, d)
                # the reverse direction reads the sequence from its end; flip back its outputs
                seq = layer_input[::-1] if d else layer_input
                out, final, cache = self._layer_forward(seq, tuple(s[k] for s in states), p)
                outs.append(out[::-1] if d else out)
                for j in range(self.n_states):
                    finals[j][k] = final[j]
                caches.append(cache)
            # output[t] = concat(forward h_t, reverse h_t): the input of the next layer
            layer_input = np.concatenate(outs, axis=-1)

        output = self._to_user(layer_input, batched)
        final_states = [np.stack(f) if batched else np.stack(f)[:, 0] for f in finals]
        self._cache = dict(caches=caches, x_shape=x.shape, batched=batched,
                           out_shape=output.shape, state_shape=shape, state_layout=layout)
        return output, (final_states[0] if self.n_states == 1 else tuple(final_states))

    # ---- backward -------------------------------------------------------------------------
    def backward(self, grad_output=None, grad_state=None):
        """Backpropagate through the last forward pass.

        ``grad_output`` is dL/d(output), shaped like ``output``; ``grad_state`` is dL/dh_n shaped
        like ``h_n`` (for an LSTM a tuple (dL/dh_n, dL/dc_n)); either may be ``None`` (zeros).

        Returns ``(grad_input, grad_state0, grads)``: dL/d(input) shaped like the input,
        dL/d(initial state) shaped like the state, and the parameter gradients by full name
        (also stored in ``self.grads``).
        """
        if self._cache is None:
            raise ValueError(f"backward: call forward first; {type(self).__name__} has no cached "
                             f"forward pass to differentiate")
        c = self._cache
        T, B, I = c["x_shape"]
        L, D, H = self.num_layers, self.num_directions, self.hidden_size
        batched = c["batched"]
        out_layout = ("(batch, seq_len, num_directions * hidden_size)" if self.batch_first else
                      "(seq_len, batch, num_directions * hidden_size)") if batched else \
            "(seq_len, num_directions * hidden_size) for unbatched input"

        if grad_output is None:
            d_above = np.zeros((T, B, D * H), self.dtype)
        else:
            V.check_shape("grad_output", grad_output, c["out_shape"], out_layout, self.dtype)
            d_above = V.to_numpy(grad_output)
            d_above = d_above[:, None] if not batched else (
                d_above.transpose(1, 0, 2) if self.batch_first else d_above)
        if grad_state is None:
            grad_state = (None,) * self.n_states if self.n_states > 1 else None
        d_final = self._read_states(grad_state, "grad_state", self._state_names("grad_state"),
                                    c["state_shape"], c["state_layout"], allow_none=True)
        d_final = [g if batched else g[:, None] for g in d_final]

        d_state0 = [np.empty((L * D, B, H), self.dtype) for _ in range(self.n_states)]
        grads = {}
        for layer in reversed(range(L)):
            d_below = None
            for d in range(D):
                k = layer * D + d
                d_out = d_above[..., d * H:(d + 1) * H]
                dx, ds0, dp = self._layer_backward(d_out[::-1] if d else d_out,
                                                   tuple(g[k] for g in d_final), c["caches"][k])
                dx = dx[::-1] if d else dx
                # both directions read the same layer input: their gradients add up
                d_below = dx if d_below is None else d_below + dx
                for j in range(self.n_states):
                    d_state0[j][k] = ds0[j]
                for base, g in dp.items():
                    grads[base + suffix(layer, d)] = g
            d_above = d_below

        grad_input = np.ascontiguousarray(self._to_user(d_above, batched))
        d_state0 = [s if batched else s[:, 0] for s in d_state0]
        self.grads = self._keep_trainable(grads)
        return grad_input, (d_state0[0] if self.n_states == 1 else tuple(d_state0)), self.grads


class CellBase(CellOptions, _Module):
    """One time step of a recurrent layer, with the interface of torch.nn.RNNCell.

    Runs the model's sequence kernel with T = 1. Parameter names have no suffix (``weight_ih``).
    """

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=np.float32, rng=None):
        shapes = self._store_cell_options(input_size, hidden_size, bias)
        self._setup(shapes, dtype, rng)

    def _state_shape(self, batch: int, batched: bool) -> tuple[tuple, str]:
        if batched:
            return (batch, self.hidden_size), "(batch, hidden_size)"
        return (self.hidden_size,), "(hidden_size,) for unbatched input"

    def forward(self, input, hx=None):
        """One step from ``hx`` (zeros when None): h' (or (h', c') for an LSTM), shaped like the state."""
        x, batched = V.check_step(input, self.input_size, dtype=self.dtype)
        x = V.to_numpy(x)
        B = x.shape[0]
        shape, layout = self._state_shape(B, batched)
        if hx is None:
            states = [np.zeros((B, self.hidden_size), self.dtype) for _ in range(self.n_states)]
        else:
            names = ["h_0"] if self.n_states == 1 else ["h_0", "c_0"]
            states = self._read_states(hx, "hx", names, shape, layout)
            states = [s if batched else s[None] for s in states]
        _, final, cache = self._layer_forward(x[None], tuple(states), self.params)
        self._cache = dict(cache=cache, batched=batched, B=B, state_shape=shape, state_layout=layout)
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
        d_final = self._read_states(given, "grad", names, c["state_shape"], c["state_layout"],
                                    allow_none=True)
        d_final = tuple(g if c["batched"] else g[None] for g in d_final)
        d_out = np.zeros((1, c["B"], self.hidden_size), self.dtype)  # h' reaches the loss via d_final
        dx, ds0, dp = self._layer_backward(d_out, d_final, c["cache"])
        grad_input = dx[0] if c["batched"] else dx[0, 0]
        ds0 = [s if c["batched"] else s[0] for s in ds0]
        self.grads = self._keep_trainable(dp)
        return grad_input, (ds0[0] if self.n_states == 1 else tuple(ds0)), self.grads
