"""Optimisers and gradient clipping for the NumPy models, with the update rules of torch.optim.

The NumPy models return their gradients as a dict ``name -> array`` (``model.backward(...)[2]``,
also ``model.grads``); an optimiser updates the arrays of ``model.params`` in place::

    opt = Adam(model.params, lr=1e-2)
    for x, y in batches:
        ...                                   # forward, loss, model.backward(...)
        clip_grad_norm(model.grads, 1.0)      # optional: rescale when the norm is above 1
        opt.step(model.grads)

Parameters missing from ``grads`` (e.g. a fixed leak rate) are left unchanged.
"""

from __future__ import annotations

import numpy as np


def _params(params) -> dict:
    """A dict name -> array: ``model.params``, or a model (anything with ``.params``)."""
    params = getattr(params, "params", params)
    if not hasattr(params, "items"):
        raise TypeError(f"params: expected a dict of NumPy arrays (model.params), got {type(params).__name__}")
    return params


def _check_rate(name: str, value, upper=None) -> float:
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not number or not value >= 0 or (upper is not None and not value < upper):
        bound = f"[0, {upper})" if upper is not None else "a number >= 0"
        raise ValueError(f"{name}: expected {bound}, got {value!r}")
    return float(value)


class _Optimizer:
    def __init__(self, params):
        self.params = _params(params)
        self.state: dict[str, dict] = {}

    def step(self, grads) -> None:
        for name, grad in grads.items():
            if name not in self.params:
                raise ValueError(f"grads: unexpected key {name!r}; expected names from {list(self.params)}")
            param = self.params[name]
            if param.shape != np.shape(grad):
                raise ValueError(f"grads[{name!r}]: expected shape {param.shape}, got {np.shape(grad)}")
            self._update(name, param, np.asarray(grad, dtype=param.dtype), self.state.setdefault(name, {}))

    def _update(self, name, param, grad, state) -> None:
        raise NotImplementedError


class SGD(_Optimizer):
    """Stochastic gradient descent with optional momentum, as ``torch.optim.SGD``:

    v ← momentum · v + g (v = g at the first step),   θ ← θ − lr · v.
    """

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params)
        self.lr = _check_rate("lr", lr)
        self.momentum = _check_rate("momentum", momentum)

    def _update(self, name, param, grad, state):
        if self.momentum:
            if "velocity" not in state:
                state["velocity"] = grad.copy()
            else:
                state["velocity"] *= self.momentum
                state["velocity"] += grad
            grad = state["velocity"]
        param -= self.lr * grad


class Adam(_Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam``: per parameter, at step t,

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
    θ ← θ − lr · (m / (1 − β₁ᵗ)) / (sqrt(v / (1 − β₂ᵗ)) + eps).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params)
        self.lr = _check_rate("lr", lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_rate("betas[0]", betas[0], 1.0), _check_rate("betas[1]", betas[1], 1.0))
        self.eps = _check_rate("eps", eps)

    def _update(self, name, param, grad, state):
        beta1, beta2 = self.betas
        if not state:
            state.update(t=0, m=np.zeros_like(param), v=np.zeros_like(param))
        state["t"] += 1
        state["m"] += (1 - beta1) * (grad - state["m"])          # m ← β₁ m + (1 − β₁) g
        state["v"] += (1 - beta2) * (grad * grad - state["v"])   # v ← β₂ v + (1 − β₂) g²
        m_hat = state["m"] / (1 - beta1 ** state["t"])
        v_hat = state["v"] / (1 - beta2 ** state["t"])
        param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def _grad_list(grads) -> list:
    return list(grads.values()) if hasattr(grads, "values") else list(grads)


def clip_grad_value(grads, clip_value) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place (torch.nn.utils.clip_grad_value_)."""
    clip_value = _check_rate("clip_value", clip_value)
    for grad in _grad_list(grads):
        np.clip(grad, -clip_value, clip_value, out=grad)


def clip_grad_norm(grads, max_norm, norm_type=2.0) -> float:
    """Rescale all gradients together so that their joint norm is at most ``max_norm``, in place.

    As ``torch.nn.utils.clip_grad_norm_``: the norm is taken over all gradients as one vector,
    each is multiplied by min(1, max_norm / (norm + 1e-6)). Returns the norm before clipping.
    """
    max_norm = _check_rate("max_norm", max_norm)
    grads = _grad_list(grads)
    if not grads:
        return 0.0
    if norm_type == np.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        total = float(sum(np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in grads) ** (1.0 / norm_type))
    scale = min(1.0, max_norm / (total + 1e-6))
    for grad in grads:
        grad *= scale
    return total
