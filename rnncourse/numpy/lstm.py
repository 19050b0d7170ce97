"""Long short-term memory in NumPy: a reference step, and the fast kernel with its backward pass.

Notation and equation numbers of chapter 7, gate order (i, f, g, o) of torch.nn, for one layer and
direction; the peephole terms in brackets (Graves 2012) are present only with ``peephole=True``:

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi [+ w_ci ⊙ c_{t-1}])   input gate      (1)
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf [+ w_cf ⊙ c_{t-1}])   forget gate     (2)
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)                   candidate       (3)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                                     cell state      (4)
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho [+ w_co ⊙ c_t])       output gate     (5)
    h_t = o_t ⊙ tanh(c_t)                                               hidden state    (6)

With projections (``proj_size`` P > 0, Sak et al. 2014; torch.nn's ``proj_size``), the state that
is output and fed back is projected to P features by ``weight_hr`` W_hr (P, H), so W_h· are (H, P):

    m_t = o_t ⊙ tanh(c_t),   h_t = W_hr m_t                             projection      (6p)

The backward pass of Graves (2012, §4.6; his ι, φ, ω, s are our i, f, o, c). With
ε^h_t = dL/dh_t, ε^c_t = dL/dc_t and δ_t = dL/d(pre-activation) of a gate, from t = T down to 1:

    ε^h_t = dL/dh_t (output at t) + W_hhᵀ δ_{t+1}                 cell output           (7)
    δo_t  = ε^h_t ⊙ tanh(c_t) ⊙ o_t (1 - o_t)                     output gate           (8)
    ε^c_t = ε^h_t ⊙ o_t (1 - tanh²(c_t)) + ε^c_{t+1} ⊙ f_{t+1}
            [+ w_ci ⊙ δi_{t+1} + w_cf ⊙ δf_{t+1} + w_co ⊙ δo_t]   states                (9)
    δg_t  = ε^c_t ⊙ i_t ⊙ (1 - g_t²)                              cells                 (10)
    δf_t  = ε^c_t ⊙ c_{t-1} ⊙ f_t (1 - f_t)                       forget gate           (11)
    δi_t  = ε^c_t ⊙ g_t ⊙ i_t (1 - i_t)                           input gate            (12)

At t = T the terms from step T + 1 are dL/dh_n and dL/dc_n; what (7) and (9) would carry to
t = 0 is dL/dh_0 and dL/dc_0. With projections, (7) is the gradient of the projected h_t, and
(8), (9) read ε^m_t = W_hrᵀ ε^h_t in place of ε^h_t (7p); dL/dW_hr = Σ_t ε^h_t m_tᵀ (13p).
The weights serve every step, so their gradients are sums over time:

    dL/dW_ih = Σ_t δ_t x_tᵀ,   dL/dW_hh = Σ_t δ_t h_{t-1}ᵀ,   dL/db_ih = dL/db_hh = Σ_t δ_t,
    dL/dw_ci = Σ_t δi_t ⊙ c_{t-1},   dL/dw_cf = Σ_t δf_t ⊙ c_{t-1},   dL/dw_co = Σ_t δo_t ⊙ c_t  (13)

and dL/dx_t = W_ihᵀ δ_t.

Two implementations of these equations live here. The *reference*, ``lstm_step`` and
``lstm_step_backward``, is one step written one line per equation, to be read beside the chapter;
``lstm_steps`` and ``lstm_steps_backward`` loop it over a sequence. The *kernel*,
``lstm_forward`` and ``lstm_backward``, runs ``LSTM`` and ``LSTMCell``; the tests check that it
computes what the reference computes (float64, within 1e-12).

Layout and speed of the kernel. States keep torch.nn's layout, one sample per row: h_t and c_t are
(B, H). The gates are stored gate-major: the pre-activations of all steps form one (4, T, B, H)
array, so the gate i of step t is the contiguous (B, H) block ``z[0, t]`` and the four gates of a
step are ``z[:, t]``. Contiguous blocks matter: an element-wise NumPy call on a column slice of a
(B, 4H) array costs two to three times as much as on a contiguous block, and at the sizes of the
course each call costs microseconds whatever its size. So the loops keep the calls per step few and
their operands contiguous, which is why their lines look unlike the equations: the weights are
split into one (H, H) block per gate, and one batched ``matmul`` gives W_hh h_{t-1} for all four
gates (or W_hhᵀ δ_t, summed over the gates); the weights of the sigmoid gates are pre-multiplied
by -1 and those of g by -2 so that the three sigmoids and the tanh of (1)-(3), (5) are one ``exp``
(``exp_factors``, ``activate``), which overwrites the pre-activations in place; the products that
depend only on the forward values are computed inside the backward loop, where they are still in
the cache, not for all steps at once; and the sums over time are one batched matrix product over
the T * B (step, sample) rows, after the loop. As in ``rnn.py``, W_hh h_{t-1} is written
``h[t] @ W.T`` and W_hhᵀ δ_t is ``delta @ W``.
"""

from __future__ import annotations

import numpy as np

from .._layout import PEEPHOLES, PROJECTION
from .._options import LSTMOptions
from ._elementwise import activate, exp_factors, sigmoid, tanh_
from .base import CellBase, RecurrentBase, batch_outer, batch_sum


# ---- the reference: one step, one line per equation -------------------------------------------
def lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih=None, b_hh=None, w_ci=None, w_cf=None, w_co=None,
              W_hr=None):
    """One LSTM step, equations (1)-(6) of chapter 7, and (6p) (the reference of ``lstm_forward``).

    Args:
        x: the input x_t, (B, I) or unbatched (I,).
        h_prev, c_prev: h_{t-1} (B, P) and c_{t-1} (B, H), or unbatched (P,), (H,); P = H
            without projections.
        W_ih, W_hh: ``weight_ih`` (4H, I) and ``weight_hh`` (4H, P), gate order i, f, g, o.
        b_ih, b_hh: ``bias_ih``, ``bias_hh`` (4H,), or None for a layer without biases.
        w_ci, w_cf, w_co: the peephole weights (H,), or None for an LSTM without peepholes.
        W_hr: the projection ``weight_hr`` (P, H), or None for an LSTM without projections.

    Returns:
        (h, c, cache): h_t and c_t, shaped like ``h_prev`` and ``c_prev``, and the dict of arrays
        that ``lstm_step_backward`` reads (the inputs, the weights and the gate values).
    """
    if b_ih is None:                                   # bias=False: no bias, b = 0
        b_ih = b_hh = np.zeros(len(W_hh), W_hh.dtype)
    if w_ci is None:                                   # no peepholes: w = 0
        w_ci = w_cf = w_co = np.zeros(len(W_hh) // 4, W_hh.dtype)
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh     # the four pre-activations without peepholes
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=-1)
    i = sigmoid(a_i + w_ci * c_prev)                   # (1) input gate
    f = sigmoid(a_f + w_cf * c_prev)                   # (2) forget gate
    g = np.tanh(a_g)                                   # (3) candidate
    c = f * c_prev + i * g                             # (4) cell state
    o = sigmoid(a_o + w_co * c)                        # (5) output gate
    m = o * np.tanh(c)                                 # (6) hidden state
    h = m if W_hr is None else m @ W_hr.T              # (6p) projected to P features
    cache = dict(x=x, h_prev=h_prev, c_prev=c_prev, i=i, f=f, g=g, o=o, c=c,
                 W_ih=W_ih, W_hh=W_hh, w_ci=w_ci, w_cf=w_cf, w_co=w_co)
    if W_hr is not None:
        cache.update(m=m, W_hr=W_hr)
    return h, c, cache


def lstm_step_backward(d_h, d_c, cache):
    """Backward through one ``lstm_step``: equations (8)-(12) of chapter 7, and this step's terms
    of (7), (9) and (13).

    Args:
        d_h: ε^h_t of (7), dL/dh_t: from the output at step t, plus the ``dh_prev`` that the
            backward of step t + 1 returned (W_hhᵀ δ_{t+1}). Shaped like h_t.
        d_c: the terms of ε^c_t (9) that come from step t + 1: the ``dc_prev`` it returned
            (ε^c_{t+1} ⊙ f_{t+1} [+ w_ci ⊙ δi_{t+1} + w_cf ⊙ δf_{t+1}]); at t = T, dL/dc_n.
        cache: what ``lstm_step`` returned.

    Returns:
        (dx, dh_prev, dc_prev, grads): dL/dx_t = W_ihᵀ δ_t; W_hhᵀ δ_t and ε^c_t ⊙ f_t [+ w_ci ⊙ δi_t
        + w_cf ⊙ δf_t], the terms of (7) and (9) for step t - 1; and this step's terms of the sums
        (13) by parameter name (``weight_ih``, ..., ``weight_co``, and ``weight_hr`` with
        projections, 13p), summed over the batch.
    """
    x, h_prev, c_prev, c = cache["x"], cache["h_prev"], cache["c_prev"], cache["c"]
    i, f, g, o = cache["i"], cache["f"], cache["g"], cache["o"]
    w_ci, w_cf, w_co = cache["w_ci"], cache["w_cf"], cache["w_co"]
    projected = {}
    if "W_hr" in cache:
        projected["weight_hr"] = batch_outer(d_h, cache["m"])      # (13p)
        d_h = d_h @ cache["W_hr"]                                  # (7p) ε^m_t = W_hrᵀ ε^h_t
    tanh_c = np.tanh(c)
    d_o = d_h * tanh_c * o * (1 - o)                               # (8)  δo_t
    e_c = d_h * o * (1 - tanh_c ** 2) + d_c + w_co * d_o           # (9)  ε^c_t
    d_g = e_c * i * (1 - g ** 2)                                   # (10) δg_t
    d_f = e_c * c_prev * f * (1 - f)                               # (11) δf_t
    d_i = e_c * g * i * (1 - i)                                    # (12) δi_t
    delta = np.concatenate([d_i, d_f, d_g, d_o], axis=-1)          # δ_t, gate order i, f, g, o
    dx = delta @ cache["W_ih"]                                     # W_ihᵀ δ_t
    dh_prev = delta @ cache["W_hh"]                                # W_hhᵀ δ_t, into (7) at t - 1
    dc_prev = e_c * f + w_ci * d_i + w_cf * d_f                    # into (9) at t - 1
    grads = {"weight_ih": batch_outer(delta, x), "weight_hh": batch_outer(delta, h_prev),  # (13)
             "bias_ih": batch_sum(delta), "bias_hh": batch_sum(delta),
             "weight_ci": batch_sum(d_i * c_prev), "weight_cf": batch_sum(d_f * c_prev),
             "weight_co": batch_sum(d_o * c), **projected}
    return dx, dh_prev, dc_prev, grads


def lstm_steps(x, state, p, peephole=False):
    """``lstm_step`` over a sequence: the arguments and results of ``lstm_forward``.

    x (T, B, I), state (h_0, c_0), p the parameters by base name (with ``weight_hr``: projections)
    -> (h_1..h_T, (h_T, c_T), cache).
    """
    h, c = state
    weights = [p.get(name) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    peepholes = [p[name] for name in PEEPHOLES] if peephole else []
    out, caches = [], []
    for x_t in x:
        h, c, cache = lstm_step(x_t, h, c, *weights, *peepholes, W_hr=p.get(PROJECTION))
        out.append(h)
        caches.append(cache)
    return np.stack(out), (h, c), (caches, list(p))


def lstm_steps_backward(d_out, d_final, cache):
    """``lstm_step_backward`` over a sequence: the arguments and results of ``lstm_backward``."""
    caches, names = cache
    d_h, d_c = d_final
    dx, grads = [None] * len(caches), dict.fromkeys(names, 0)
    for t in reversed(range(len(caches))):
        e_h = d_out[t] + d_h                                       # (7) ε^h_t
        dx[t], d_h, d_c, step = lstm_step_backward(e_h, d_c, caches[t])
        for name in names:
            grads[name] = grads[name] + step[name]                 # (13) the sums over time
    return np.stack(dx), (d_h, d_c), grads


# ---- the kernel: the same equations, fast -----------------------------------------------------
def lstm_forward(x, state, p, peephole=False):
    """One layer, one direction. x (T, B, I), state (h_0, c_0) -> (h_1..h_T, (h_T, c_T), cache).

    h has P features with projections (``weight_hr`` in ``p``), H without.
    """
    T, B, I = x.shape
    h0, c0 = state
    H = c0.shape[-1]
    P = h0.shape[-1]                                   # = H without projections
    dtype = h0.dtype
    projected = PROJECTION in p
    k = exp_factors("ssts", H, dtype).reshape(4, H, 1)      # i, f, o are sigmoids, g is a tanh
    W_hh_T = np.ascontiguousarray((p["weight_hh"].reshape(4, H, P) * k).transpose(0, 2, 1))
    # the input part of (1)-(5) for every step at once, one batched product, gate-major
    # (4, T, B, H): z[n, t] is one contiguous (B, H) block. Step t turns z[:, t] into the gate
    # values i_t, f_t, g_t, o_t in place, and the cache keeps them
    W_ih_T = np.ascontiguousarray((p["weight_ih"].reshape(4, H, I) * k).transpose(0, 2, 1))
    z = np.matmul(x.reshape(T * B, I), W_ih_T).reshape(4, T, B, H)
    if "bias_ih" in p:
        z += ((p["bias_ih"] + p["bias_hh"]).reshape(4, H, 1) * k).reshape(4, 1, 1, H)
    if peephole:
        w_cif = -np.stack([p["weight_ci"], p["weight_cf"]])[:, None]   # (2, 1, H), factor k = -1
        w_co = -p["weight_co"]
    h = np.empty((T + 1, B, P), dtype)                 # h[t] is h_t, h[0] = h_0
    c = np.empty((T + 1, B, H), dtype)
    h[0], c[0] = h0, c0
    tanh_c = np.empty((T, B, H), dtype)                # tanh(c_t) at index t - 1
    # with projections, m_t = o_t ⊙ tanh(c_t) at index t - 1 and h_t = W_hr m_t; without, m is h
    m = np.empty((T, B, H), dtype) if projected else h[1:]
    W_hr_T = np.ascontiguousarray(p[PROJECTION].T) if projected else None
    recurrent = np.empty((4, B, H), dtype)
    i_g = np.empty((B, H), dtype)
    with np.errstate(over="ignore"):
        for t in range(T):
            gates = z[:, t]                            # (4, B, H)
            np.matmul(h[t], W_hh_T, out=recurrent)     # W_hh h_{t-1}, four gates in one call
            gates += recurrent
            if peephole:                               # w_ci ⊙ c_{t-1}, w_cf ⊙ c_{t-1} in (1), (2)
                gates[:2] += w_cif * c[t]
            # (1)-(3), and (5) without peepholes; with them o_t must wait for c_t
            activate(gates[:3] if peephole else gates, 2)
            i, f, g, o = gates
            np.multiply(f, c[t], out=c[t + 1])         # (4) c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
            np.multiply(i, g, out=i_g)
            c[t + 1] += i_g
            tanh_(c[t + 1], out=tanh_c[t])
            if peephole:                               # (5) with w_co ⊙ c_t
                o += w_co * c[t + 1]
                activate(o)
            np.multiply(o, tanh_c[t], out=m[t])        # (6) h_t = o_t ⊙ tanh(c_t)
            if projected:
                np.matmul(m[t], W_hr_T, out=h[t + 1])  # (6p) h_t = W_hr m_t
    cache = (x, h, c, tanh_c, z, p, peephole, m if projected else None)
    return h[1:], (h[T], c[T]), cache


def lstm_backward(d_out, d_final, cache):
    """Backward through ``lstm_forward``: (dL/dh_t, (dL/dh_T, dL/dc_T)) -> (dL/dx, (dL/dh_0, dL/dc_0), grads)."""
    x, h, c, tanh_c, gates, p, peephole, m = cache
    T, B, H = tanh_c.shape
    P = h.shape[-1]
    I = x.shape[-1]
    dtype = h.dtype
    W_hh = p["weight_hh"].reshape(4, H, P)
    if peephole:
        w_ci, w_cf, w_co = (p[name] for name in ("weight_ci", "weight_cf", "weight_co"))
    projected = m is not None
    if projected:
        W_hr = p[PROJECTION]
        e_p = np.empty((T, B, P), dtype)               # ε^h_t of the projected h_t, for dL/dW_hr
    delta = np.empty((4, T, B, H), dtype)              # δ_t of the gates i, f, g, o, gate-major
    e_h = np.empty((B, H), dtype)                      # ε^h_t (ε^m_t with projections)
    e_c = np.empty((B, H), dtype)                      # ε^c_t
    u = np.empty((B, H), dtype)                        # scratch
    slope = np.empty((4, B, H), dtype)
    prod = np.empty((4, B, P), dtype)
    d_h = np.array(d_final[0], dtype)                  # W_hhᵀ δ_{t+1}: dL/dh_n at t = T
    d_c = np.array(d_final[1], dtype)                  # ε^c_{t+1} ⊙ f_{t+1} [+ peepholes]
    for t in reversed(range(T)):
        step = gates[:, t]
        i, f, g, o = step
        di, df, dg, do = delta[:, t]
        tc = tanh_c[t]
        np.subtract(1, step, out=slope)                # s (1 - s) of the four gates at once:
        slope *= step                                  # σ' for i, f, o (the g block is unused)
        if projected:
            np.add(d_out[t], d_h, out=e_p[t])          # (7) for the projected h_t
            np.matmul(e_p[t], W_hr, out=e_h)           # (7p) ε^m_t = W_hrᵀ ε^h_t
        else:
            np.add(d_out[t], d_h, out=e_h)             # (7)
        np.multiply(e_h, tc, out=do)
        do *= slope[3]                                 # (8)  δo = ε^h ⊙ tanh(c_t) ⊙ o (1 - o)
        np.multiply(tc, tc, out=u)
        np.subtract(1, u, out=u)
        u *= o
        u *= e_h
        np.add(u, d_c, out=e_c)                        # (9)  ε^h ⊙ o (1 - tanh²(c_t)) + ...
        if peephole:
            e_c += w_co * do
        np.multiply(g, g, out=u)
        np.subtract(1, u, out=u)
        np.multiply(e_c, i, out=dg)
        dg *= u                                        # (10) δg = ε^c ⊙ i (1 - g²)
        np.multiply(e_c, c[t], out=df)
        df *= slope[1]                                 # (11) δf = ε^c ⊙ c_{t-1} ⊙ f (1 - f)
        np.multiply(e_c, g, out=di)
        di *= slope[0]                                 # (12) δi = ε^c ⊙ g ⊙ i (1 - i)
        np.multiply(e_c, f, out=d_c)                   # the term of (9) for step t - 1
        if peephole:
            d_c += w_ci * di + w_cf * df
        np.matmul(delta[:, t], W_hh, out=prod)         # the term of (7) for step t - 1:
        np.add(prod[0], prod[1], out=d_h)              # W_hhᵀ δ_t, summed over the four gates
        d_h += prod[2]
        d_h += prod[3]

    # the sums over time: one batched matrix product each over the T * B (step, sample) rows
    rows = delta.reshape(4, T * B, H)
    rows_T = rows.transpose(0, 2, 1)
    dp = {"weight_ih": np.matmul(rows_T, x.reshape(T * B, I)).reshape(4 * H, I),
          "weight_hh": np.matmul(rows_T, h[:-1].reshape(T * B, P)).reshape(4 * H, P)}
    if "bias_ih" in p:
        dp["bias_ih"] = rows.sum(axis=1).ravel()
        dp["bias_hh"] = dp["bias_ih"].copy()
    if projected:                                      # (13p) dL/dW_hr = Σ_t ε^h_t m_tᵀ
        dp[PROJECTION] = e_p.reshape(T * B, P).T @ m.reshape(T * B, H)
    if peephole:
        dp["weight_ci"] = np.einsum("tbh,tbh->h", delta[0], c[:-1])
        dp["weight_cf"] = np.einsum("tbh,tbh->h", delta[1], c[:-1])
        dp["weight_co"] = np.einsum("tbh,tbh->h", delta[3], c[1:])
    dx = np.matmul(rows, p["weight_ih"].reshape(4, H, I)).sum(axis=0).reshape(x.shape)
    return dx, (d_h, d_c), dp


class _LSTMRules(LSTMOptions):
    """The hooks that plug the LSTM kernel into RecurrentBase / CellBase (options: _options)."""

    def _layer_forward(self, x, state, p):
        return lstm_forward(x, state, p, self.peephole)

    def _layer_backward(self, d_out, d_final, cache):
        return lstm_backward(d_out, d_final, cache)


class LSTM(_LSTMRules, RecurrentBase):
    r"""A multi-layer long short-term memory (LSTM) RNN.

    For each element in the input sequence, each layer computes

    .. math::
        \begin{array}{ll} \\
            i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
            f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
            g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
            o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
            c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
            h_t = o_t \odot \tanh(c_t) \\
        \end{array}

    where :math:`h_t` is the hidden state at time `t`, :math:`c_t` the cell state, :math:`x_t`
    the input (for layers after the first: the hidden states of the layer below, both directions
    concatenated), and :math:`i_t, f_t, g_t, o_t` the input, forget, cell and output gates.
    :math:`\sigma` is the sigmoid function and :math:`\odot` the Hadamard product.

    With ``peephole=True`` (Graves, 2012) the gates also see the cell through diagonal weights:

    .. math::
        \begin{array}{ll} \\
            i_t = \sigma(\dots + w_{ci} \odot c_{t-1}), \quad
            f_t = \sigma(\dots + w_{cf} \odot c_{t-1}), \quad
            o_t = \sigma(\dots + w_{co} \odot c_t) \\
        \end{array}

    In NumPy, with backpropagation through time written by hand: the forward and backward pass of
    one layer are ``lstm_forward`` and ``lstm_backward`` in this module, which compute what the
    reference step ``lstm_step`` / ``lstm_step_backward`` reads, equation by equation (chapter 7).
    After a forward pass, ``backward(grad_output, grad_state=None)`` returns
    ``(grad_input, (grad_h_0, grad_c_0), grads)`` (see :class:`~rnncourse.numpy.base.RecurrentBase`).
    Same arguments in the same order, parameter names and return values as :class:`torch.nn.LSTM`;
    without peepholes ``state_dict`` s load in both directions.

    With ``proj_size`` :math:`P > 0` (Sak et al., 2014) the hidden state is projected,
    :math:`h_t = W_{hr} (o_t \odot \tanh(c_t))`, so :math:`h_t` has :math:`P` features: the output,
    ``h_0`` and ``h_n`` have :math:`P` per direction, ``c_0`` and ``c_n`` keep ``hidden_size``.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        num_layers: Number of recurrent layers; layer `k > 0` reads the outputs of layer `k-1`.
            Default: 1
        bias: If ``False``, the layer does not use the biases `b_ih` and `b_hh`. Default: ``True``
        batch_first: If ``True``, input and output are `(batch, seq, feature)` instead of
            `(seq, batch, feature)`; states are unaffected. Default: ``False``
        dropout: If non-zero, in training mode each output of every layer but the last is zeroed
            with this probability (the others scaled by `1 / (1 - dropout)`), as torch.nn; see
            :class:`~rnncourse.numpy.RNN`. Default: 0
        bidirectional: If ``True``, becomes a bidirectional LSTM. Default: ``False``
        proj_size: If ``> 0``, an LSTM with projections of this size (< ``hidden_size``). Default: 0
        device: ``None`` or ``'cpu'``. Default: ``None``
        dtype: ``np.float32`` (default, also for ``None``) or ``np.float64``
        peephole: keyword only: If ``True``, adds the peephole weights `w_ci, w_cf, w_co`.
            Default: ``False``
        forget_bias: keyword only: If given, the forget-gate part of every `b_ih` starts at this
            value (and of every `b_hh` at 0) instead of a random one; 1.0 is the usual choice.
            Needs ``bias=True``. Default: ``None``
        rng: keyword only: ``np.random.Generator`` or integer seed of the initialisation, then of
            the dropout masks. Default: ``None``

    Inputs: input, (h_0, c_0), lengths
        * **input**: array of shape :math:`(L, H_{in})` for unbatched input,
          :math:`(L, N, H_{in})` when ``batch_first=False`` or :math:`(N, L, H_{in})` when
          ``batch_first=True``, containing the features of the input sequence; or a
          ``PackedSequence``.
        * **h_0**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`: the initial hidden state of each layer
          and direction.
        * **c_0**: array of shape :math:`(D * \text{num\_layers}, H_{cell})` or
          :math:`(D * \text{num\_layers}, N, H_{cell})`: the initial cell state.
          Both default to zeros if ``(h_0, c_0)`` is not provided.
        * **lengths** (keyword, an rnncourse extra): the length of each sequence of a padded
          batch, as for :class:`~rnncourse.numpy.RNN`.

        where :math:`N` = batch size, :math:`L` = sequence length, :math:`D = 2` if
        ``bidirectional=True`` otherwise 1, :math:`H_{in}` = ``input_size``,
        :math:`H_{cell}` = ``hidden_size``, :math:`H_{out}` = ``proj_size`` if it is > 0,
        otherwise ``hidden_size``.

    Outputs: output, (h_n, c_n)
        * **output**: array of shape :math:`(L, D * H_{out})` for unbatched input,
          :math:`(L, N, D * H_{out})` when ``batch_first=False`` or :math:`(N, L, D * H_{out})`
          when ``batch_first=True``: the hidden states :math:`h_t` of the last layer for every
          `t`, forward and reverse direction concatenated.
        * **h_n**: array of shape :math:`(D * \text{num\_layers}, H_{out})` for unbatched input
          or :math:`(D * \text{num\_layers}, N, H_{out})`: the final hidden state of each layer
          and direction, ordered [layer 0 forward, layer 0 reverse, layer 1 forward, ...]. The
          reverse direction's final state is the one after reading :math:`x_0`.
        * **c_n**: array of shape :math:`(D * \text{num\_layers}, H_{cell})` or
          :math:`(D * \text{num\_layers}, N, H_{cell})`: the final cell states.

        With ``lengths`` or a ``PackedSequence``: as for :class:`~rnncourse.numpy.RNN`.

    Attributes:
        weight_ih_l[k]: the learnable input-hidden weights of layer `k`
            `(W_ii|W_if|W_ig|W_io)`, of shape `(4*hidden_size, input_size)` for `k = 0`,
            otherwise `(4*hidden_size, num_directions * H_out)`
        weight_hh_l[k]: the learnable hidden-hidden weights of layer `k`
            `(W_hi|W_hf|W_hg|W_ho)`, of shape `(4*hidden_size, H_out)`
        bias_ih_l[k]: the learnable input-hidden bias of layer `k`
            `(b_ii|b_if|b_ig|b_io)`, of shape `(4*hidden_size)`
        bias_hh_l[k]: the learnable hidden-hidden bias of layer `k`
            `(b_hi|b_hf|b_hg|b_ho)`, of shape `(4*hidden_size)`
        weight_hr_l[k]: the learnable projection weights of layer `k`, of shape
            `(proj_size, hidden_size)`; only when ``proj_size > 0``
        weight_ci_l[k], weight_cf_l[k], weight_co_l[k]: the peephole weights of layer `k`, each
            of shape `(hidden_size)`, after the ones above; only when ``peephole=True``
        ..._reverse: the same for the reverse direction; only when ``bidirectional=True``

    .. note::
        All parameters are NumPy arrays in ``model.params`` (``model.weight_ih_l0`` is
        ``model.params['weight_ih_l0']``); ``model.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}` (except the forget-gate biases when
        ``forget_bias`` is given).

    .. note::
        For bidirectional LSTMs, `h_n` is not the last element of `output`: the former holds
        the final forward and reverse hidden states, the latter the final forward hidden state
        and the *initial* reverse one.

    Examples::

        >>> lstm = LSTM(10, 20, 2, rng=0)
        >>> h0, c0 = np.zeros((2, 3, 20), np.float32), np.zeros((2, 3, 20), np.float32)
        >>> output, (h_n, c_n) = lstm(np.random.randn(5, 3, 10).astype(np.float32), (h0, c0))
        >>> output.shape, c_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None, *,
                 peephole=False, forget_bias=None, rng=None):
        self._set_lstm_options(peephole, forget_bias, bias)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype, rng=rng)


class LSTMCell(_LSTMRules, CellBase):
    r"""A long short-term memory (LSTM) cell: one time step.

    .. math::
        \begin{array}{ll}
        i = \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
        f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
        g = \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
        o = \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
        c' = f \odot c + i \odot g \\
        h' = o \odot \tanh(c') \\
        \end{array}

    With ``peephole=True``, :math:`w_{ci} \odot c` is added inside :math:`i`,
    :math:`w_{cf} \odot c` inside :math:`f` and :math:`w_{co} \odot c'` inside :math:`o`.
    Same arguments, parameter names and return value as :class:`torch.nn.LSTMCell`.
    In NumPy: after a step, ``backward(grad_h, grad_c=None)`` returns
    ``(grad_input, (grad_h, grad_c), grads)``: the gradients with respect to the input, the state and the parameters.

    Args:
        input_size: The number of expected features in the input `x`
        hidden_size: The number of features in the hidden state `h`
        bias: If ``False``, the cell does not use the biases `b_ih` and `b_hh`. Default: ``True``
        device, dtype: ``None`` or ``'cpu'``, and the dtype of the parameters (``np.float32`` by
            default), as for :class:`LSTM`; sizes may be 0, as in torch.nn
        peephole: keyword only: If ``True``, adds the peephole weights. Default: ``False``
        forget_bias: keyword only: If given, the initial forget-gate part of `b_ih` (and 0 for
            `b_hh`). Default: ``None``
        rng: keyword only: the seed of the initialisation, as for :class:`LSTM`

    Inputs: input, (h_0, c_0)
        - **input** of shape `(batch, input_size)` or `(input_size)`: the input features
        - **h_0** of shape `(batch, hidden_size)` or `(hidden_size)`: the initial hidden state
        - **c_0** of shape `(batch, hidden_size)` or `(hidden_size)`: the initial cell state

          If `(h_0, c_0)` is not provided, both default to zeros.

    Outputs: (h_1, c_1)
        - **h_1** of shape `(batch, hidden_size)` or `(hidden_size)`: the next hidden state
        - **c_1** of shape `(batch, hidden_size)` or `(hidden_size)`: the next cell state

    Attributes:
        weight_ih: the learnable input-hidden weights, of shape `(4*hidden_size, input_size)`
        weight_hh: the learnable hidden-hidden weights, of shape `(4*hidden_size, hidden_size)`
        bias_ih: the learnable input-hidden bias, of shape `(4*hidden_size)`
        bias_hh: the learnable hidden-hidden bias, of shape `(4*hidden_size)`
        weight_ci, weight_cf, weight_co: the peephole weights, each of shape `(hidden_size)`;
            only when ``peephole=True``

    .. note::
        All parameters are NumPy arrays in ``cell.params`` (``cell.weight_ih`` is
        ``cell.params['weight_ih']``); ``cell.grads`` holds the gradients of the last
        ``backward``.

    .. note::
        All the weights and biases are initialized from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
        where :math:`k = \frac{1}{\text{hidden\_size}}`, drawn from ``rng``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, peephole=False,
                 forget_bias=None, rng=None):
        self._set_lstm_options(peephole, forget_bias, bias)
        super().__init__(input_size, hidden_size, bias, device, dtype, rng=rng)
