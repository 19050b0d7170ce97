"""Gated recurrent unit in NumPy: a reference step, and the fast kernel with its backward pass.

Notation and equation numbers of chapter 8, gate order (r, z, n) of torch.nn, for one layer and
direction. The reset gate r acts either after the recurrent product (``reset_after=True``: torch.nn
and cuDNN, eq. 3) or on the state before it (``reset_after=False``: Cho et al. 2014, eq. 5):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                      reset gate      (1)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                      update gate     (2)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))           candidate       (3)
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}                               new state       (4)
    n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn)           candidate, Cho  (5)

The backward pass. With ε_t = dL/dh_t and δ_t = dL/d(pre-activation) of a gate, from t = T down to 1:

    ε_t   = dL/dh_t (output at t) + dL/dh_t through step t + 1                           (6)
    δn_t  = ε_t ⊙ (1 - z_t) ⊙ (1 - n_t²)                                                 (7)
    δz_t  = ε_t ⊙ (h_{t-1} - n_t) ⊙ z_t (1 - z_t)                                        (8)
    δr_t  = δn_t ⊙ (W_hn h_{t-1} + b_hn) ⊙ r_t (1 - r_t)                     after, (3)  (9)
    δr_t  = (W_hnᵀ δn_t) ⊙ h_{t-1} ⊙ r_t (1 - r_t)                           Cho, (5)   (10)
    dL/dh_{t-1} through step t = ε_t ⊙ z_t + W_hrᵀ δr_t + W_hzᵀ δz_t + W_hnᵀ (r_t ⊙ δn_t)   (11)
    dL/dh_{t-1} through step t = ε_t ⊙ z_t + W_hrᵀ δr_t + W_hzᵀ δz_t + r_t ⊙ (W_hnᵀ δn_t)   (12)

(11) goes with (3) and (9), (12) with (5) and (10). At t = T the term through step T + 1 is
dL/dh_n; what (11) or (12) carries to t = 0 is dL/dh_0. The weights serve every step, so their
gradients are sums over time, with δ_t = [δr_t; δz_t; δn_t]:

    dL/dW_ih = Σ_t δ_t x_tᵀ,  dL/db_ih = Σ_t δ_t,
    dL/dW_hr = Σ_t δr_t h_{t-1}ᵀ,  dL/dW_hz = Σ_t δz_t h_{t-1}ᵀ,  dL/db_hr = Σ_t δr_t,  dL/db_hz = Σ_t δz_t,
    after (3): dL/dW_hn = Σ_t (r_t ⊙ δn_t) h_{t-1}ᵀ,  dL/db_hn = Σ_t r_t ⊙ δn_t;
    Cho (5):   dL/dW_hn = Σ_t δn_t (r_t ⊙ h_{t-1})ᵀ,  dL/db_hn = Σ_t δn_t                  (13)

and dL/dx_t = W_ihᵀ δ_t.

Two implementations of these equations live here. The *reference*, ``gru_step`` and
``gru_step_backward``, is one step written one line per equation, to be read beside the chapter;
``gru_steps`` and ``gru_steps_backward`` loop it over a sequence. The *kernel*, ``gru_forward``
and ``gru_backward``, runs ``GRU`` and ``GRUCell``; the tests check that it computes what the
reference computes (float64, within 1e-12).

Layout and speed of the kernel, as in ``lstm.py``: states keep torch.nn's layout, h_t is (B, H);
the gates are gate-major, one (3, T, B, H) array whose block [g, t] is the contiguous (B, H) gate
g of step t, and δ likewise, so every element-wise call works on contiguous blocks; one batched
``matmul`` gives the recurrent products of all gates of a step; the weights of r and z are
pre-multiplied by -1 so that σ is one ``exp`` (``activate``), tanh is ``tanh_``, both in place;
the factors of (7)-(10) are computed inside the backward loop while the forward values are still
in the cache; the sums over time are batched matrix products over the T * B rows, after the
loop. As in ``rnn.py``, W h_{t-1} is written ``h[t] @ W.T`` and Wᵀ δ_t is ``delta @ W``.
"""

from __future__ import annotations

import numpy as np

from .. import _options as O
from .._options import GRUOptions
from ._elementwise import activate, sigmoid, tanh_
from .base import CellBase, RecurrentBase, batch_outer, batch_sum


# ---- the reference: one step, one line per equation -------------------------------------------
def gru_step(x, h_prev, W_ih, W_hh, b_ih=None, b_hh=None, reset_after=True):
    """One GRU step, equations (1)-(5) of chapter 8 (the reference of ``gru_forward``).

    Args:
        x: the input x_t, (B, I) or unbatched (I,).
        h_prev: h_{t-1}, (B, H) or (H,).
        W_ih, W_hh: ``weight_ih`` (3H, I) and ``weight_hh`` (3H, H), gate order r, z, n.
        b_ih, b_hh: ``bias_ih``, ``bias_hh`` (3H,), or None for a layer without biases.
        reset_after: True for torch.nn's candidate (3), False for Cho et al.'s (5).

    Returns:
        (h, cache): h_t, shaped like ``h_prev``, and the dict that ``gru_step_backward`` reads
        (the inputs, the weights and the gate values).
    """
    if b_ih is None:                                   # bias=False: no bias, b = 0
        b_ih = b_hh = np.zeros(len(W_hh), W_hh.dtype)
    W_ir, W_iz, W_in = np.split(W_ih, 3)               # one block per gate r, z, n
    W_hr, W_hz, W_hn = np.split(W_hh, 3)
    b_ir, b_iz, b_in = np.split(b_ih, 3)
    b_hr, b_hz, b_hn = np.split(b_hh, 3)
    r = sigmoid(x @ W_ir.T + b_ir + h_prev @ W_hr.T + b_hr)             # (1) reset gate
    z = sigmoid(x @ W_iz.T + b_iz + h_prev @ W_hz.T + b_hz)             # (2) update gate
    if reset_after:
        hn = h_prev @ W_hn.T + b_hn                    # W_hn h_{t-1} + b_hn, what r_t resets in (3)
        n = np.tanh(x @ W_in.T + b_in + r * hn)                         # (3) candidate
    else:
        hn = None
        n = np.tanh(x @ W_in.T + b_in + (r * h_prev) @ W_hn.T + b_hn)   # (5) candidate, Cho
    h = (1 - z) * n + z * h_prev                                        # (4) new state
    cache = dict(x=x, h_prev=h_prev, r=r, z=z, n=n, hn=hn, W_ih=W_ih, W_hh=W_hh,
                 reset_after=reset_after)
    return h, cache


def gru_step_backward(d_h, cache):
    """Backward through one ``gru_step``: equations (7)-(12) of chapter 8, and this step's terms
    of (13).

    Args:
        d_h: ε_t of (6), dL/dh_t: from the output at step t, plus the ``dh_prev`` that the
            backward of step t + 1 returned; at t = T, plus dL/dh_n. Shaped like h_t.
        cache: what ``gru_step`` returned.

    Returns:
        (dx, dh_prev, grads): dL/dx_t = W_ihᵀ δ_t; dL/dh_{t-1} through step t, (11) or (12); and
        this step's terms of the sums (13) by parameter name, summed over the batch.
    """
    x, h_prev, r, z, n = (cache[k] for k in ("x", "h_prev", "r", "z", "n"))
    W_hr, W_hz, W_hn = np.split(cache["W_hh"], 3)
    d_n = d_h * (1 - z) * (1 - n ** 2)                                  # (7)  δn_t
    d_z = d_h * (h_prev - n) * z * (1 - z)                              # (8)  δz_t
    if cache["reset_after"]:
        d_r = d_n * cache["hn"] * r * (1 - r)                           # (9)  δr_t
        d_hn = r * d_n                                 # dL/d(W_hn h_{t-1} + b_hn)
        dh_prev = d_h * z + d_r @ W_hr + d_z @ W_hz + d_hn @ W_hn       # (11)
        d_W_hn, d_b_hn = batch_outer(d_hn, h_prev), batch_sum(d_hn)
    else:
        rho = d_n @ W_hn                               # ρ_t = W_hnᵀ δn_t = dL/d(r_t ⊙ h_{t-1})
        d_r = rho * h_prev * r * (1 - r)                                # (10) δr_t
        dh_prev = d_h * z + d_r @ W_hr + d_z @ W_hz + rho * r           # (12)
        d_W_hn, d_b_hn = batch_outer(d_n, r * h_prev), batch_sum(d_n)
    delta = np.concatenate([d_r, d_z, d_n], axis=-1)   # δ_t, gate order r, z, n
    dx = delta @ cache["W_ih"]                         # W_ihᵀ δ_t
    grads = {"weight_ih": batch_outer(delta, x),                        # (13)
             "weight_hh": np.concatenate([batch_outer(d_r, h_prev), batch_outer(d_z, h_prev), d_W_hn]),
             "bias_ih": batch_sum(delta),
             "bias_hh": np.concatenate([batch_sum(d_r), batch_sum(d_z), d_b_hn])}
    return dx, dh_prev, grads


def gru_steps(x, state, p, reset_after=True):
    """``gru_step`` over a sequence: the arguments and results of ``gru_forward``.

    x (T, B, I), state (h_0,), p the parameters by base name -> (h_1..h_T, (h_T,), cache).
    """
    (h,) = state
    weights = [p.get(name) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    out, caches = [], []
    for x_t in x:
        h, cache = gru_step(x_t, h, *weights, reset_after)
        out.append(h)
        caches.append(cache)
    return np.stack(out), (h,), (caches, list(p))


def gru_steps_backward(d_out, d_final, cache):
    """``gru_step_backward`` over a sequence: the arguments and results of ``gru_backward``."""
    caches, names = cache
    (d_h,) = d_final
    dx, grads = [None] * len(caches), dict.fromkeys(names, 0)
    for t in reversed(range(len(caches))):
        e = d_out[t] + d_h                                              # (6) ε_t
        dx[t], d_h, step = gru_step_backward(e, caches[t])
        for name in names:
            grads[name] = grads[name] + step[name]                      # (13) the sums over time
    return np.stack(dx), (d_h,), grads


# ---- the kernel: the same equations, fast -----------------------------------------------------
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
            hn_all = np.empty((T, B, H), dtype)        # hn_t = W_hn h_{t-1} + b_hn, needed by (9)
            for t in range(T):
                np.matmul(h[t], W_hh_T, out=rec)       # the three recurrent products in one call
                hn = hn_all[t]
                np.add(rec[2], b_hn if bias else 0, out=hn)
                rz = a[:2, t]                          # r_t and z_t, (2, B, H)
                rz += rec[:2]
                activate(rz)                           # (1), (2)
                r, z, n = a[0, t], a[1, t], a[2, t]
                np.multiply(r, hn, out=tmp)
                n += tmp                               # (3)
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
                np.matmul(rh[t], W_hn_T, out=tmp)      # (5) W_hn (r_t ⊙ h_{t-1})
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
    # adds the block r ⊙ δn in front, which is what W_hn sees in (11)
    delta = np.empty((4 if reset_after else 3, T, B, H), dtype)
    prod = np.empty((3, B, H), dtype)
    W_nrz = W_hh[[2, 0, 1]]                            # W_hn, W_hr, W_hz: the blocks (11) multiplies
    for t in reversed(range(T)):
        r, z, n = gates[0, t], gates[1, t], gates[2, t]
        dr, dz, dn = delta[-3, t], delta[-2, t], delta[-1, t]
        np.add(d_out[t], d_h, out=e)                   # (6)
        np.subtract(1, z, out=u)
        np.multiply(e, u, out=dn)
        np.multiply(n, n, out=v)
        np.subtract(1, v, out=v)
        dn *= v                                        # (7) δn = ε (1 - z) (1 - n²)
        np.subtract(h[t], n, out=dz)
        dz *= e
        dz *= z
        dz *= u                                        # (8) δz = ε (h_{t-1} - n) z (1 - z)
        np.subtract(1, r, out=v)
        if reset_after:
            r_dn = delta[0, t]
            np.multiply(r, dn, out=r_dn)               # r ⊙ δn
            np.multiply(r_dn, v, out=dr)
            dr *= extra[t]                             # (9) δr = δn ⊙ hn r (1 - r)
            np.matmul(delta[:3, t], W_nrz, out=prod)   # W_hnᵀ(r ⊙ δn), W_hrᵀ δr, W_hzᵀ δz
        else:
            rho = prod[2]
            np.matmul(dn, W_hh[2], out=rho)            # ρ_t = W_hnᵀ δn
            v *= r
            v *= h[t]
            np.multiply(rho, v, out=dr)                # (10) δr = ρ ⊙ h_{t-1} r (1 - r)
            rho *= r                                   # the ρ ⊙ r of (12)
            np.matmul(delta[:2, t], W_hh[:2], out=prod[:2])      # W_hrᵀ δr, W_hzᵀ δz
        np.multiply(e, z, out=d_h)                     # (11) or (12)
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


class _GRURules(GRUOptions):
    """The hooks that plug the GRU kernel into RecurrentBase / CellBase (options: _options)."""

    def _layer_forward(self, x, state, p):
        return gru_forward(x, state, p, self.reset_after)

    def _layer_backward(self, d_out, d_final, cache):
        return gru_backward(d_out, d_final, cache)


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

    In NumPy, with backpropagation through time written by hand: the forward and backward pass of
    one layer are ``gru_forward`` and ``gru_backward`` in this module, which compute what the
    reference step ``gru_step`` / ``gru_step_backward`` reads, equation by equation (chapter 8).
    After a forward pass, ``backward(grad_output, grad_state=None)`` returns
    ``(grad_input, grad_h_0, grads)`` (see :class:`~rnncourse.numpy.base.RecurrentBase`). Same
    arguments in the same order, parameter names and return values as :class:`torch.nn.GRU`;
    dropout between layers, ``lengths`` and ``PackedSequence`` inputs as for
    :class:`~rnncourse.numpy.RNN`; ``state_dict`` s load in both directions (with ``reset_after=False`` the same weights compute a
    different function).

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, dropout on the outputs of every layer but the last, in training mode,
            as torch.nn. Default: 0
        bidirectional: If ``True``, becomes a bidirectional GRU. Default: ``False``
        device: ``None`` or ``'cpu'``. Default: ``None``
        dtype: ``np.float32`` (default, also for ``None``) or ``np.float64``
        reset_after: keyword only: If ``True`` (torch.nn), the reset gate multiplies
            :math:`W_{hn} h + b_{hn}`; if ``False`` (Cho et al.), it multiplies :math:`h` before
            :math:`W_{hn}`. Default: ``True``
        rng: keyword only: ``np.random.Generator`` or integer seed of the initialisation, then of
            the dropout masks. Default: ``None``

    Inputs: input, hx, lengths
        * **input**: array of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence; or a
          ``PackedSequence``. ``lengths`` (keyword): one length per sequence of a padded batch.
        * **hx**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`, the initial hidden state of each layer
          and direction. Defaults to zeros if not provided.

        where :math:`N` = batch size, :math:`L` = sequence length, :math:`D = 2` if
        ``bidirectional=True`` otherwise 1, :math:`H_{in}` = ``input_size``,
        :math:`H_{out}` = ``hidden_size``.

    Outputs: output, h_n
        * **output**: array of shape :math:`(L, D * H_{out})` for unbatched input,
          :math:`(L, N, D * H_{out})` when ``batch_first=False`` or :math:`(N, L, D * H_{out})`
          when ``batch_first=True``: the hidden states :math:`h_t` of the last layer for every
          `t`, forward and reverse direction concatenated.
        * **h_n**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
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
        All parameters are NumPy arrays in ``model.params`` (``model.weight_ih_l0`` is
        ``model.params['weight_ih_l0']``); ``model.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`, drawn from ``rng``.

    Examples::

        >>> gru = GRU(10, 20, 2, rng=0)
        >>> output, h_n = gru(np.random.randn(5, 3, 10).astype(np.float32))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, reset_after=True,
                 rng=None, proj_size=O.ABSENT):
        O.refuse_proj_size(proj_size, type(self).__name__)
        self._set_gru_options(reset_after)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype, rng=rng)


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
    In NumPy: after a step, ``backward(grad_h)`` returns ``(grad_input, grad_h, grads)``:
    the gradients with respect to the input, the state and the parameters.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        bias: If ``False``, the cell does not use the biases `b_ih` and `b_hh`. Default: ``True``
        device, dtype: ``None`` or ``'cpu'``, and the dtype of the parameters (``np.float32`` by
            default); sizes may be 0, as in torch.nn
        reset_after: keyword only: placement of the reset gate, as for :class:`GRU`. Default: ``True``
        rng: keyword only: the seed of the initialisation, as for :class:`GRU`

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
        All parameters are NumPy arrays in ``cell.params`` (``cell.weight_ih`` is
        ``cell.params['weight_ih']``); ``cell.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`, drawn from ``rng``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, reset_after=True,
                 rng=None):
        self._set_gru_options(reset_after)
        super().__init__(input_size, hidden_size, bias, device, dtype, rng=rng)
