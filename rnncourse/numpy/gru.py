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

Layout and speed, as in ``lstm.py``: states keep torch.nn's layout, h_t is (B, H); the gates are
gate-major, one (3, T, B, H) array whose block [g, t] is the contiguous (B, H) gate g of step t,
and δ likewise, so every element-wise call works on contiguous blocks; one batched ``matmul`` gives
the recurrent products of all gates of a step; σ is evaluated with one ``exp`` and tanh with
``lstm.tanh_``; the factors of (6)-(8) are computed inside the backward loop while the forward
values are still in the cache; the sums over time are batched matrix products over the T * B
rows, after the loop. As in ``rnn.py``, W h_{t-1} is written ``h[t] @ W.T`` and Wᵀ δ_t is
``delta @ W``.
"""

from __future__ import annotations

import numpy as np

from .base import CellBase, RecurrentBase
from .lstm import activate, tanh_


def gru_forward(x, state, p, reset_after=True):
    """One layer, one direction. x (T, B, I), state (h_0,) -> (h_1..h_T, (h_T,), cache)."""
    T, B, I = x.shape
    (h0,) = state
    H = h0.shape[-1]
    dtype = h0.dtype
    bias = "bias_ih" in p
    # σ(z) = 1 / (1 + exp(-z)): the rows of r and z are multiplied by k = -1 once, here, so that
    # ``activate`` needs one exp; n keeps k = 1 and goes through ``tanh_``
    k = np.array([-1.0, -1.0, 1.0], dtype)[:, None, None]
    W_ih = p["weight_ih"].reshape(3, H, I) * k          # (3, H, I): one block per gate r, z, n
    W_hh = p["weight_hh"].reshape(3, H, H) * k
    # the input part of (1)-(3) for every step at once, one batched product, gate-major
    # (3, T, B, H): a[g, t] is one contiguous (B, H) block. Step t turns a[:, t] into the gate
    # values r_t, z_t, n_t in place, and the cache keeps them
    W_ih_T = np.ascontiguousarray(W_ih.transpose(0, 2, 1))
    a = np.matmul(x.reshape(T * B, I), W_ih_T).reshape(3, T, B, H)
    h = np.empty((T + 1, B, H), dtype)                 # h[t] is h_t, h[0] = h_0
    h[0] = h0
    tmp = np.empty((B, H), dtype)
    with np.errstate(over="ignore"):
        if reset_after:
            if bias:                                   # b_hr, b_hz join the input part; b_hn stays inside r ⊙ (...)
                b = p["bias_ih"].copy()
                b[:2 * H] += p["bias_hh"][:2 * H]
                a += b.reshape(3, 1, 1, H) * k[:, None]
                b_hn = p["bias_hh"][2 * H:]
            W_hh_T = np.ascontiguousarray(W_hh.transpose(0, 2, 1))   # (3, H, H)
            rec = np.empty((3, B, H), dtype)
            hn_all = np.empty((T, B, H), dtype)        # hn_t = W_hn h_{t-1} + b_hn, needed by (8a)
            for t in range(T):
                np.matmul(h[t], W_hh_T, out=rec)       # the three recurrent products in one call
                hn = hn_all[t]
                np.add(rec[2], b_hn if bias else 0, out=hn)
                rz = a[:2, t]                          # r_t and z_t, (2, B, H)
                rz += rec[:2]
                activate(rz)                           # (1), (2)
                r, z, n = a[0, t], a[1, t], a[2, t]
                np.multiply(r, hn, out=tmp)
                n += tmp                               # (3a)
                tanh_(n)
                np.subtract(h[t], n, out=h[t + 1])     # (4) h_t = n_t + z_t ⊙ (h_{t-1} - n_t)
                h[t + 1] *= z
                h[t + 1] += n
            extra = hn_all
        else:
            if bias:                                   # every bias sits outside r: all join the input part
                a += (p["bias_ih"] + p["bias_hh"]).reshape(3, 1, 1, H) * k[:, None]
            W_rz_T = np.ascontiguousarray(W_hh[:2].transpose(0, 2, 1))   # (2, H, H), k = -1
            W_hn_T = np.ascontiguousarray(W_hh[2].T)                      # (H, H)
            rh = np.empty((T, B, H), dtype)            # r_t ⊙ h_{t-1}, for dL/dW_hn
            rec = np.empty((2, B, H), dtype)
            for t in range(T):
                np.matmul(h[t], W_rz_T, out=rec)       # W_hr h_{t-1}, W_hz h_{t-1} in one call
                rz = a[:2, t]
                rz += rec
                activate(rz)                           # (1), (2)
                r, z, n = a[0, t], a[1, t], a[2, t]
                np.multiply(r, h[t], out=rh[t])
                np.matmul(rh[t], W_hn_T, out=tmp)      # (3b) W_hn (r_t ⊙ h_{t-1})
                n += tmp
                tanh_(n)
                np.subtract(h[t], n, out=h[t + 1])     # (4)
                h[t + 1] *= z
                h[t + 1] += n
            extra = rh
    cache = (x, h, a, extra, p, reset_after)
    return h[1:], (h[T],), cache


def gru_backward(d_out, d_final, cache):
    """Backward through ``gru_forward``: (dL/dh_t, (dL/dh_T,)) -> (dL/dx, (dL/dh_0,), grads)."""
    x, h, gates, extra, p, reset_after = cache
    _, T, B, H = gates.shape
    I = x.shape[-1]
    dtype = h.dtype
    W_ih = p["weight_ih"].reshape(3, H, I)
    W_hh = p["weight_hh"].reshape(3, H, H)
    h_rows = h[:-1].reshape(T * B, H)
    x_rows = x.reshape(T * B, I)
    d_h = np.array(d_final[0], dtype)                  # dL/dh_T from h_n
    e, u, v = (np.empty((B, H), dtype) for _ in range(3))    # ε_t and two scratch blocks
    # δ gate-major like the gates, one contiguous (B, H) block per gate and step; reset_after
    # adds the block r ⊙ δn in front, which is what W_hn sees in (9a)
    delta = np.empty((4 if reset_after else 3, T, B, H), dtype)
    prod = np.empty((3, B, H), dtype)
    W_nrz = W_hh[[2, 0, 1]]                            # W_hn, W_hr, W_hz: the blocks (9a) multiplies
    for t in reversed(range(T)):
        r, z, n = gates[0, t], gates[1, t], gates[2, t]
        dr, dz, dn = delta[-3, t], delta[-2, t], delta[-1, t]
        np.add(d_out[t], d_h, out=e)                   # (5)
        np.subtract(1, z, out=u)
        np.multiply(e, u, out=dn)
        np.multiply(n, n, out=v)
        np.subtract(1, v, out=v)
        dn *= v                                        # (6) δn = ε (1 - z) (1 - n²)
        np.subtract(h[t], n, out=dz)
        dz *= e
        dz *= z
        dz *= u                                        # (7) δz = ε (h_{t-1} - n) z (1 - z)
        np.subtract(1, r, out=v)
        if reset_after:
            r_dn = delta[0, t]
            np.multiply(r, dn, out=r_dn)               # r ⊙ δn
            np.multiply(r_dn, v, out=dr)
            dr *= extra[t]                             # (8a) δr = δn ⊙ hn r (1 - r)
            np.matmul(delta[:3, t], W_nrz, out=prod)   # W_hnᵀ(r ⊙ δn), W_hrᵀ δr, W_hzᵀ δz
        else:
            rho = prod[2]
            np.matmul(dn, W_hh[2], out=rho)            # ρ_t = W_hnᵀ δn
            v *= r
            v *= h[t]
            np.multiply(rho, v, out=dr)                # (8b) δr = ρ ⊙ h_{t-1} r (1 - r)
            rho *= r                                   # the ρ ⊙ r of (9b)
            np.matmul(delta[:2, t], W_hh[:2], out=prod[:2])      # W_hrᵀ δr, W_hzᵀ δz
        np.multiply(e, z, out=d_h)                     # (9)
        d_h += prod[0]
        d_h += prod[1]
        d_h += prod[2]
    # the sums over time: one batched matrix product each over the T * B (step, sample) rows
    rows = delta.reshape(len(delta), T * B, H)
    d_rzn = rows[-3:]                                  # δr, δz, δn
    if reset_after:
        d_nrz = np.matmul(rows[:3].transpose(0, 2, 1), h_rows)    # rows of W_hn, W_hr, W_hz
        dW_hh = d_nrz[[1, 2, 0]]
    else:
        dW_hh = np.empty((3, H, H), dtype)
        np.matmul(d_rzn[:2].transpose(0, 2, 1), h_rows, out=dW_hh[:2])
        np.matmul(d_rzn[2].T, extra.reshape(T * B, H), out=dW_hh[2])   # extra: r_t ⊙ h_{t-1}
    dp = {"weight_ih": np.matmul(d_rzn.transpose(0, 2, 1), x_rows).reshape(3 * H, I),
          "weight_hh": dW_hh.reshape(3 * H, H)}
    if "bias_ih" in p:
        sums = rows.sum(axis=1)                        # Σ_t of each block, (4 or 3, H)
        dp["bias_ih"] = sums[-3:].ravel()
        dp["bias_hh"] = (sums[[1, 2, 0]] if reset_after else sums).ravel()
    dx = np.matmul(d_rzn, W_ih).sum(axis=0)            # Σ over the gates of W_igᵀ δg, (T * B, I)
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
