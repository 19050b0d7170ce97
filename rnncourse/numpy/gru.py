"""Gated recurrent unit in NumPy: the forward pass and its backward pass, side by side.

Notation of the GRU chapter, gate order (r, z, n) of torch.nn, for one layer and direction. The
reset gate r acts either after the recurrent product (``reset_after=True``: torch.nn and cuDNN)
or on the state before it (``reset_after=False``: Cho et al. 2014):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                      reset gate      (1)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                      update gate     (2)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))           candidate       (3a)  reset_after=True
    n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn)           candidate       (3b)  reset_after=False
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}                               new state       (4)

The backward pass. With ε_t = dL/dh_t and δ_t = dL/d(pre-activation) of a gate, from t = T down to 1:

    ε_t   = d_out[t] + dL/dh_t through step t + 1                       (5)
    δn_t  = ε_t ⊙ (1 - z_t) ⊙ (1 - n_t²)                                (6)
    δz_t  = ε_t ⊙ (h_{t-1} - n_t) ⊙ z_t (1 - z_t)                       (7)
    reset_after=True, with hn_t = W_hn h_{t-1} + b_hn:
    δr_t  = δn_t ⊙ hn_t ⊙ r_t (1 - r_t)                                 (8a)
    dL/dh_{t-1} = ε_t ⊙ z_t + W_hrᵀ δr_t + W_hzᵀ δz_t + W_hnᵀ (r_t ⊙ δn_t)                  (9a)
    reset_after=False, with ρ_t = W_hnᵀ δn_t = dL/d(r_t ⊙ h_{t-1}):
    δr_t  = ρ_t ⊙ h_{t-1} ⊙ r_t (1 - r_t)                               (8b)
    dL/dh_{t-1} = ε_t ⊙ z_t + W_hrᵀ δr_t + W_hzᵀ δz_t + ρ_t ⊙ r_t                          (9b)

At t = T the term through step T + 1 is dL/dh_n; what (9) would carry to t = 0 is dL/dh_0. The
weights serve every step, so their gradients are sums over time, computed once after the loop:

    dL/dW_ih = Σ_t δ_t x_tᵀ,  dL/db_ih = Σ_t δ_t,  dL/dx_t = W_ihᵀ δ_t       (δ_t = [δr_t; δz_t; δn_t])
    dL/dW_hr = Σ_t δr_t h_{t-1}ᵀ,  dL/dW_hz = Σ_t δz_t h_{t-1}ᵀ,  dL/db_hr = Σ_t δr_t,  dL/db_hz = Σ_t δz_t
    reset_after=True:   dL/dW_hn = Σ_t (r_t ⊙ δn_t) h_{t-1}ᵀ,   dL/db_hn = Σ_t r_t ⊙ δn_t
    reset_after=False:  dL/dW_hn = Σ_t δn_t (r_t ⊙ h_{t-1})ᵀ,   dL/db_hn = Σ_t δn_t

Layout and speed, as in ``lstm.py``: arrays keep torch.nn's layout, one sample per row, h_t is
(B, H) and the gates are column blocks [r | z | n] of one array, so one NumPy call serves several
gates and the sums over time are single matrix products over contiguous T * B rows; σ is evaluated
with one ``exp`` (see ``lstm.exp_factors``); everything that does not depend on the step-by-step
recursion is computed for all steps at once, outside the loops. As in ``rnn.py``, W h_{t-1} is
written ``h[t] @ W.T`` and Wᵀ δ_t is ``delta[t] @ W``.
"""

from __future__ import annotations

import numpy as np

from .base import CellBase, RecurrentBase
from .lstm import activate


def gru_forward(x, state, p, reset_after=True):
    """One layer, one direction. x (T, B, I), state (h_0,) -> (h_1..h_T, (h_T,), cache)."""
    T, B, I = x.shape
    (h0,) = state
    H = h0.shape[-1]
    dtype = h0.dtype
    bias = "bias_ih" in p
    W_hh = p["weight_hh"]
    # σ(z) = 1 / (1 + exp(-z)): the r and z columns are multiplied by k = -1 once, here, so that
    # ``activate`` needs one exp; n uses np.tanh directly (k = 1)
    k = np.repeat(np.array([-1.0, -1.0, 1.0], dtype), H)
    # the input part of (1)-(3) for every step at once, one matrix product, (T, B, 3H); step t
    # turns a[t] into the gate values [r | z | n] in place, and the cache keeps them
    a = (x.reshape(T * B, I) @ (p["weight_ih"] * k[:, None]).T).reshape(T, B, 3 * H)
    h = np.empty((T + 1, B, H), dtype)                 # h[t] is h_t, h[0] = h_0
    h[0] = h0
    with np.errstate(over="ignore"):
        if reset_after:
            if bias:                                   # b_hr, b_hz join the input part; b_hn stays inside r ⊙ (...)
                b = p["bias_ih"].copy()
                b[:2 * H] += p["bias_hh"][:2 * H]
                a += b * k
                b_hn = p["bias_hh"][2 * H:]
            W_hh_T = np.ascontiguousarray((W_hh * k[:, None]).T)     # (H, 3H)
            rec = np.empty((T, B, 3 * H), dtype)       # W_hh h_{t-1} (+ b_hn): hn_t is needed by (8a)
            for t in range(T):
                gates = a[t]
                np.matmul(h[t], W_hh_T, out=rec[t])    # the three recurrent products at once
                hn = rec[t, :, 2 * H:]
                if bias:
                    hn += b_hn                         # hn_t = W_hn h_{t-1} + b_hn
                gates[:, :2 * H] += rec[t, :, :2 * H]
                activate(gates[:, :2 * H])             # (1), (2)
                r, zt, n = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:]
                n += r * hn                            # (3a)
                np.tanh(n, out=n)
                np.subtract(h[t], n, out=h[t + 1])     # (4) h_t = n_t + z_t ⊙ (h_{t-1} - n_t)
                h[t + 1] *= zt
                h[t + 1] += n
            extra = rec
        else:
            if bias:                                   # every bias sits outside r: all join the input part
                a += (p["bias_ih"] + p["bias_hh"]) * k
            W_hrz_T = np.ascontiguousarray(-W_hh[:2 * H].T)           # (H, 2H), factor k = -1
            W_hn_T = np.ascontiguousarray(W_hh[2 * H:].T)             # (H, H)
            rh = np.empty((T, B, H), dtype)            # r_t ⊙ h_{t-1}, for dL/dW_hn
            rec = np.empty((B, 2 * H), dtype)
            rec_n = np.empty((B, H), dtype)
            for t in range(T):
                gates = a[t]
                np.matmul(h[t], W_hrz_T, out=rec)      # W_hr h_{t-1}, W_hz h_{t-1} at once
                gates[:, :2 * H] += rec
                activate(gates[:, :2 * H])             # (1), (2)
                r, zt, n = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:]
                np.multiply(r, h[t], out=rh[t])
                np.matmul(rh[t], W_hn_T, out=rec_n)    # (3b) W_hn (r_t ⊙ h_{t-1})
                n += rec_n
                np.tanh(n, out=n)
                np.subtract(h[t], n, out=h[t + 1])     # (4)
                h[t + 1] *= zt
                h[t + 1] += n
            extra = rh
    cache = (x, h, a, extra, p, reset_after)
    return h[1:], (h[T],), cache


def gru_backward(d_out, d_final, cache):
    """Backward through ``gru_forward``: (dL/dh_t, (dL/dh_T,)) -> (dL/dx, (dL/dh_0,), grads)."""
    x, h, gates, extra, p, reset_after = cache
    T, B, G = gates.shape
    H = G // 3
    dtype = h.dtype
    r, z, n = gates[..., :H], gates[..., H:2 * H], gates[..., 2 * H:]    # (T, B, H) each
    h_prev = h[:-1]
    h_rows = h_prev.reshape(T * B, H)
    x_rows = x.reshape(T * B, -1)
    W_ih, W_hh = p["weight_ih"], p["weight_hh"]
    d_h = np.array(d_final[0], dtype)                              # dL/dh_T from h_n
    e = np.empty((B, H), dtype)                                    # ε_t
    # The factors of (6)-(8) that do not depend on ε, for every step at once, stored where the δ
    # will go; step t turns them into δ_t in place. (Fresh memory costs page faults.)
    if reset_after:
        # columns [r ⊙ δn | δr | δz | δn]: the first three are what W_hh saw (rows taken in the
        # order n, r, z), the last three what W_ih saw
        delta = np.empty((T, B, 4, H), dtype)
        delta[:, :, 0] = r                                                 # r_t ⊙ δn_t of (9a)
        np.multiply(extra[..., 2 * H:], r * (1 - r), out=delta[:, :, 1])   # (8a) hn_t ⊙ r_t (1 - r_t)
        np.multiply(h_prev - n, z * (1 - z), out=delta[:, :, 2])           # (7)
        np.multiply(1 - z, 1 - n * n, out=delta[:, :, 3])                  # (6)
        W_nrz = np.concatenate([W_hh[2 * H:], W_hh[:2 * H]])               # rows W_hn, W_hr, W_hz
        for t in reversed(range(T)):
            np.add(d_out[t], d_h, out=e)                           # (5)
            delta[t, :, 2:] *= e[:, None]                          # (7) δz, (6) δn
            delta[t, :, :2] *= delta[t, :, 3:]                     # r ⊙ δn, (8a) δr
            np.matmul(delta[t, :, :3].reshape(B, 3 * H), W_nrz, out=d_h)      # (9a)
            d_h += e * z[t]
        rows_hh = delta[:, :, :3].reshape(T * B, 3 * H)            # views: no copies
        rows = delta[:, :, 1:].reshape(T * B, 3 * H)
        d_nrz = rows_hh.T @ h_rows
        dp = {"weight_ih": rows.T @ x_rows, "weight_hh": np.concatenate([d_nrz[H:], d_nrz[:H]])}
        if "bias_ih" in p:
            sums = delta.sum(axis=(0, 1))                          # Σ_t of [r ⊙ δn, δr, δz, δn]
            dp["bias_ih"] = sums[1:].ravel()
            dp["bias_hh"] = sums[[1, 2, 0]].ravel()
        dx = rows @ W_ih
    else:
        delta = np.empty((T, B, 3, H), dtype)                      # [δr | δz | δn]
        np.multiply(h_prev, r * (1 - r), out=delta[:, :, 0])       # (8b) h_{t-1} ⊙ r_t (1 - r_t)
        np.multiply(h_prev - n, z * (1 - z), out=delta[:, :, 1])   # (7)
        np.multiply(1 - z, 1 - n * n, out=delta[:, :, 2])          # (6)
        rho = np.empty((B, H), dtype)                              # ρ_t
        W_hrz, W_hn = W_hh[:2 * H], W_hh[2 * H:]
        for t in reversed(range(T)):
            np.add(d_out[t], d_h, out=e)                           # (5)
            delta[t, :, 1:] *= e[:, None]                          # (7) δz, (6) δn
            np.matmul(delta[t, :, 2], W_hn, out=rho)
            delta[t, :, 0] *= rho                                  # (8b)
            np.matmul(delta[t, :, :2].reshape(B, 2 * H), W_hrz, out=d_h)      # (9b)
            d_h += e * z[t]
            d_h += rho * r[t]
        rows = delta.reshape(T * B, 3 * H)
        dW_hh = np.empty_like(W_hh)
        dW_hh[:2 * H] = rows[:, :2 * H].T @ h_rows
        dW_hh[2 * H:] = rows[:, 2 * H:].T @ extra.reshape(T * B, H)   # extra: r_t ⊙ h_{t-1}
        dp = {"weight_ih": rows.T @ x_rows, "weight_hh": dW_hh}
        if "bias_ih" in p:
            dp["bias_ih"] = rows.sum(axis=0)
            dp["bias_hh"] = dp["bias_ih"].copy()
        dx = rows @ W_ih
    return dx.reshape(x.shape), (d_h,), dp


class _GRURules:
    """The hooks that plug the GRU kernel into RecurrentBase / CellBase."""

    mode, gates, n_states = "GRU", 3, 1

    def _layer_forward(self, x, state, p):
        return gru_forward(x, state, p, self.reset_after)

    def _layer_backward(self, d_out, d_final, cache):
        return gru_backward(d_out, d_final, cache)

    def _extra_repr(self) -> list[str]:
        return [] if self.reset_after else ["reset_after=False"]


class GRU(_GRURules, RecurrentBase):
    r"""Multi-layer gated recurrent unit (GRU) RNN, in NumPy with hand-written BPTT.

    Same arguments, parameter names and return values as ``torch.nn.GRU`` (without ``dropout``).
    For each element of the input sequence, each layer computes

    .. math::
        \begin{array}{ll}
            r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
            z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
            n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1}+ b_{hn})) \\
            h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{array}

    where :math:`h_t` is the hidden state at time `t`, :math:`x_t` the input (for layers above
    the first, the hidden states of the layer below, both directions concatenated),
    :math:`h_{t-1}` the hidden state of the same layer at time `t-1` or the initial state at
    time 0, and :math:`r_t, z_t, n_t` the reset gate, update gate and candidate.
    :math:`\sigma` is the sigmoid function and :math:`\odot` the Hadamard product.

    With ``reset_after=False`` the reset gate multiplies the state before the product
    (Cho et al., 2014):

    .. math::
        n_t = \tanh(W_{in} x_t + b_{in} + W_{hn} (r_t \odot h_{t-1}) + b_{hn})

    The forward and backward pass of one layer are ``gru_forward`` / ``gru_backward`` in this
    module, numbered like the equations of the GRU chapter.

    Args:
        input_size: number of features of the input `x`
        hidden_size: number of features of the hidden state `h`
        num_layers: number of stacked recurrent layers. Default: 1
        bias: if ``False``, the layers have no `b_ih`, `b_hh`. Default: ``True``
        batch_first: if ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are not affected. Default: ``False``
        bidirectional: if ``True``, each layer also reads the sequence backwards. Default: ``False``
        reset_after: ``True`` for torch.nn's placement of the reset gate, ``False`` for
            Cho et al.'s. Default: ``True``
        dtype: ``np.float32`` (default) or ``np.float64``
        rng: ``np.random.Generator`` or integer seed for the initialisation

    Inputs: input, h_0
        * **input**: `(L, N, H_in)`, `(N, L, H_in)` with ``batch_first`` or unbatched `(L, H_in)`
        * **h_0**: `(D * num_layers, N, H_out)`, or `(D * num_layers, H_out)` for unbatched
          input. Default: zeros.

    Outputs: output, h_n
        * **output**: `(L, N, D * H_out)` (`(N, L, D * H_out)` with ``batch_first``, `(L, D * H_out)`
          unbatched): `h_t` of the last layer for every `t`, both directions concatenated
        * **h_n**: `(D * num_layers, N, H_out)` (or `(D * num_layers, H_out)`): the final state of
          every layer and direction, ordered layer 0 forward, layer 0 reverse, layer 1 forward, ...

    where `L` = sequence length, `N` = batch size, `D` = 2 if bidirectional else 1,
    `H_in` = input_size, `H_out` = hidden_size.

    ``backward(grad_output, grad_state=None)`` returns ``(grad_input, grad_h0, grads)`` for the last
    forward pass; see :class:`~rnncourse.numpy.base.RecurrentBase`.

    Attributes:
        weight_ih_l[k]: `(W_ir|W_iz|W_in)`, `(3*hidden_size, input_size)` for `k = 0`, else
            `(3*hidden_size, num_directions * hidden_size)`
        weight_hh_l[k]: `(W_hr|W_hz|W_hn)`, `(3*hidden_size, hidden_size)`
        bias_ih_l[k]: `(b_ir|b_iz|b_in)`, `(3*hidden_size,)`
        bias_hh_l[k]: `(b_hr|b_hz|b_hn)`, `(3*hidden_size,)`
        (``..._reverse`` for the backward direction; all in ``model.params``)

    All parameters are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> gru = GRU(10, 20, 2, rng=0)
        >>> output, h_n = gru(np.random.randn(5, 3, 10).astype(np.float32))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, reset_after=True, *, dtype=np.float32, rng=None):
        self.reset_after = bool(reset_after)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional,
                         dtype=dtype, rng=rng)


class GRUCell(_GRURules, CellBase):
    r"""A gated recurrent unit (GRU) cell (one time step), in NumPy; the interface of
    ``torch.nn.GRUCell``.

    .. math::
        \begin{array}{ll}
        r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}) \\
        z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}) \\
        n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})) \\
        h' = (1 - z) \odot n + z \odot h
        \end{array}

    With ``reset_after=False``, :math:`n = \tanh(W_{in} x + b_{in} + W_{hn} (r \odot h) + b_{hn})`.

    Args:
        input_size: number of features of the input `x`
        hidden_size: number of features of the hidden state `h`
        bias: if ``False``, no `b_ih`, `b_hh`. Default: ``True``
        reset_after: placement of the reset gate, as for :class:`GRU`. Default: ``True``
        dtype, rng: as for :class:`GRU`

    Inputs: input, h
        * **input**: `(N, H_in)` or unbatched `(H_in,)`
        * **h**: `(N, H_out)` or `(H_out,)`. Default: zeros.

    Outputs: h'
        * **h'**: `(N, H_out)` or `(H_out,)`: the next hidden state

    ``backward(grad_h)`` returns ``(grad_input, grad_h, grads)`` for the last step.

    Attributes:
        weight_ih: `(3*hidden_size, input_size)`
        weight_hh: `(3*hidden_size, hidden_size)`
        bias_ih: `(3*hidden_size,)`
        bias_hh: `(3*hidden_size,)`
    """

    def __init__(self, input_size, hidden_size, bias=True, reset_after=True, *,
                 dtype=np.float32, rng=None):
        self.reset_after = bool(reset_after)
        super().__init__(input_size, hidden_size, bias, dtype=dtype, rng=rng)
