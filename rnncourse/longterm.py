r"""Measurements for the chapter on long-term dependencies (chapter 5).

- ``with_spectral_radius``, ``rnn_with_radius``: a recurrent matrix (a ``torch.nn.RNN``) rescaled to a
  given largest absolute eigenvalue.
- ``hidden_grad_norms_autograd`` / ``hidden_grad_norms_bptt``: :math:`\lVert \partial L / \partial h_k
  \rVert` for every step k of one sequence, with :math:`L = u^\top h_T`, measured by autograd (any
  PyTorch recurrent module, stepped one time step at a time) and by the hand-written backward of a
  ``rnncourse.numpy`` model.
- ``skip_rnn_grad_norms``: the same for a tanh RNN with an extra connection from :math:`h_{t-d}`.
- ``cliff_loss``, ``cliff_descent``: the one-unit network of Pascanu et al. (2013) whose loss has a
  cliff, and gradient descent on it with or without clipping.
"""

from __future__ import annotations

import numpy as np
import torch

from . import _validate as V
from .numpy._elementwise import sigmoid as numpy_sigmoid


def with_spectral_radius(W, radius: float):
    """``W`` (n, n) rescaled so that its largest absolute eigenvalue is ``radius`` (> 0)."""
    radius = V.check_number("radius", radius, low=0.0, low_open=True)
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square matrix, got {V.describe(W)}")
    current = np.abs(np.linalg.eigvals(W)).max()
    if current == 0:
        raise ValueError("W: has no non-zero eigenvalue, it cannot be rescaled")
    return W * (radius / current)


def _unit_vectors(hidden_size: int, batch: int, seed) -> np.ndarray:
    u = np.random.default_rng(seed).standard_normal((batch, hidden_size))
    return u / np.linalg.norm(u, axis=1, keepdims=True)


def hidden_grad_norms_autograd(model, x, seed=0) -> np.ndarray:
    r"""Norms :math:`\lVert \partial L / \partial h_k \rVert`, k = 0..T, by autograd.

    ``model`` is any single-layer, unidirectional PyTorch recurrent module called as
    ``model(x, h) -> (output, h_n)`` (``torch.nn.RNN``/``GRU``, ``rnncourse.torch.RNN``/``LeakyRNN``);
    ``x`` is ``(T, batch, input_size)``. The model is stepped one time step at a time so that every
    :math:`h_k` is a tensor autograd keeps (``retain_grad``). The loss is
    :math:`L = \sum_b u_b^\top h_T^{(b)}` with a random unit vector :math:`u_b` per sequence
    (drawn from ``seed``), so :math:`\partial L/\partial h_T = u` has norm 1.

    Returns ``(T + 1, batch)``: row ``k`` is the norm for :math:`h_k` (row 0: the initial state).
    Distance to the loss: ``T - k``.
    """
    x = torch.as_tensor(x)
    T, B, _ = x.shape
    h = torch.zeros(1, B, model.hidden_size, dtype=x.dtype, requires_grad=True)
    states = [h]
    for t in range(T):
        _, h = model(x[t:t + 1], h)
        h.retain_grad()
        states.append(h)
    u = torch.from_numpy(_unit_vectors(model.hidden_size, B, seed)).to(x.dtype)
    (h[0] * u).sum().backward()
    return np.stack([s.grad[0].norm(dim=1).numpy() for s in states])


def hidden_grad_norms_bptt(model, x, seed=0) -> np.ndarray:
    r"""The same norms as ``hidden_grad_norms_autograd``, with a ``rnncourse.numpy`` model's backward.

    :math:`\partial L / \partial h_k` is the gradient of the initial state of a run that starts from
    :math:`h_k` and reads :math:`x_{k+1}, \dots, x_T`: ``backward(grad_state=u)`` returns it. One
    forward pass gives every :math:`h_k`; then one run per k (T runs in all, cheap for short
    sequences). ``x`` (T, batch, input_size), NumPy. Returns ``(T + 1, batch)``.
    """
    x = np.asarray(x)
    T, B, _ = x.shape
    u = _unit_vectors(model.hidden_size, B, seed).astype(x.dtype)[None]    # dL/dh_T (1, B, H)
    output, h_T = model.forward(x)
    h = np.concatenate([np.zeros_like(h_T), output])          # h_0 .. h_T, (T + 1, B, H)
    norms = np.empty((T + 1, B))
    norms[T] = np.linalg.norm(u[0], axis=1)
    for k in range(T):
        model.forward(x[k:], h[k][None])
        _, d_h_k, _ = model.backward(grad_state=u)
        norms[k] = np.linalg.norm(d_h_k[0], axis=1)
    return norms


def skip_rnn_grad_norms(W_ih, W_hh, W_skip, x, delay: int, seed=0) -> np.ndarray:
    r"""Gradient norms for a tanh RNN with a skip connection through time (El Hihi & Bengio 1996):

    .. math::
        h_t = \tanh(W_{ih} x_t + W_{hh} h_{t-1} + W_{skip} h_{t-d}),

    with :math:`h_{t} = 0` for :math:`t \le 0`. A gradient can now cross ``delay`` steps in one
    product, so it reaches the distance :math:`t - k` after about :math:`(t - k)/d` factors instead
    of :math:`t - k`. Arrays are NumPy (``W_ih`` (H, I), ``W_hh`` and ``W_skip`` (H, H), ``x``
    (T, batch, I)); autograd does the backward. Returns ``(T + 1, batch)`` like
    ``hidden_grad_norms_autograd``.
    """
    delay = V.check_int("delay", delay, low=1)
    W_ih, W_hh, W_skip, x = (torch.as_tensor(np.asarray(a, dtype=np.float64))
                             for a in (W_ih, W_hh, W_skip, x))
    T, B, _ = x.shape
    H = W_hh.shape[0]
    states = [torch.zeros(B, H, dtype=x.dtype, requires_grad=True)]
    for t in range(1, T + 1):
        skip = states[t - delay] if t - delay >= 0 else torch.zeros_like(states[0])
        h = torch.tanh(x[t - 1] @ W_ih.T + states[t - 1] @ W_hh.T + skip @ W_skip.T)
        h.retain_grad()
        states.append(h)
    u = torch.from_numpy(_unit_vectors(H, B, seed))
    (states[-1] * u).sum().backward()
    return np.stack([s.grad.norm(dim=1).numpy() for s in states])


# ---- the cliff (Pascanu, Mikolov & Bengio 2013, section 3) -----------------------------------
def cliff_final_state(w, b=-2.5, T=50, x0=0.5):
    r"""The one-unit network :math:`x_t = w\,\sigma(x_{t-1}) + b` after ``T`` steps from ``x0``.

    ``w`` may be a float, a NumPy array (a grid of weights, evaluated at once) or a tensor (to
    differentiate). For ``b = -2.5`` the map has two stable fixed points when ``w`` is above about
    4.8, one below: crossing that value moves :math:`x_T` from one branch to the other, the cliff.
    """
    x = w * 0 + x0
    sigmoid = torch.sigmoid if torch.is_tensor(w) else numpy_sigmoid
    for _ in range(T):
        x = w * sigmoid(x) + b
    return x


CLIFF_TARGET = float(cliff_final_state(4.5))   # the loss is 0 at w = 4.5, just left of the cliff


def cliff_loss(w, b=-2.5, T=50):
    r"""Squared error :math:`(x_T(w) - x_T(4.5))^2` of ``cliff_final_state``: 0 at w = 4.5, a wall
    at w ≈ 4.82 where :math:`x_T` jumps to the other branch."""
    return (cliff_final_state(w, b, T) - CLIFF_TARGET) ** 2


def cliff_descent(w0: float, lr: float, steps: int, clip=None):
    r"""Gradient descent on ``cliff_loss`` from ``w0``, the gradient by autograd.

    ``clip``: None, or the threshold :math:`\theta` of clipping by norm, :math:`g \leftarrow
    \theta g / \lVert g \rVert` when :math:`\lVert g \rVert > \theta` (for one parameter, the
    same as clipping by value). Returns the ``steps + 1`` visited weights.
    """
    w = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True)
    path = [float(w0)]
    for _ in range(V.check_int("steps", steps, low=0)):
        (g,) = torch.autograd.grad(cliff_loss(w), w)
        if clip is not None and g.abs() > clip:
            g = g * (clip / g.abs())
        with torch.no_grad():
            w -= lr * g
        path.append(w.item())
    return np.array(path)


def rnn_with_radius(radius: float, hidden_size: int = 32, nonlinearity: str = "tanh", seed=0):
    """A one-input ``torch.nn.RNN`` in float64 whose ``weight_hh_l0`` has spectral radius ``radius``.

    The other weights keep torch.nn's initialisation (seeded by ``seed``); ``weight_hh_l0`` is a
    Gaussian matrix drawn from ``np.random.default_rng(seed)`` and rescaled. Load its
    ``state_dict`` into ``rnncourse.numpy.RNN`` / ``rnncourse.torch.RNN`` to get the same network.
    """
    torch.manual_seed(seed)
    net = torch.nn.RNN(1, hidden_size, nonlinearity=nonlinearity, dtype=torch.float64)
    W = np.random.default_rng(seed).standard_normal((hidden_size, hidden_size))
    with torch.no_grad():
        net.weight_hh_l0.copy_(torch.from_numpy(with_spectral_radius(W, radius)))
    return net
