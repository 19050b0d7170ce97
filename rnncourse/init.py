r"""Initialising the recurrent weights: orthogonal, and the identity of the IRNN (chapter 10).

torch.nn draws every weight of a recurrent layer from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`. Two
alternatives aim at the product of Jacobians of chapter 5, which vanishes or explodes with the
spectral radius of :math:`W_{hh}`:

- :func:`orthogonal_`: each :math:`H \times H` block of :math:`W_{hh}` (one per gate) an orthogonal
  matrix: every singular value is 1, so :math:`W_{hh}^t` keeps the norm of any vector;
- :func:`identity_`: :math:`W_{hh} = s I` and zero biases; with ReLU units this is the IRNN of Le
  et al. (2015): at the start each unit copies its previous value and adds its input, so the state
  integrates the input and the gradient passes back unchanged through active units.

Both work on a module by its parameter names, so on ``torch.nn.RNN`` / ``LSTM`` / ``GRU``, their
cells, ``rnncourse.torch`` and ``rnncourse.numpy`` alike (every layer and direction; gate blocks in
torch.nn's order). They change the module in place and return it.
"""

from __future__ import annotations

import re

import numpy as np
import torch

_HH = re.compile(r"weight_hh(_l\d+)?(_reverse)?$")
_BIAS = re.compile(r"bias_(ih|hh)(_l\d+)?(_reverse)?$")
_IH = re.compile(r"weight_ih(_l\d+)?(_reverse)?$")


def _recurrent_weights(module):
    names = [k for k in module.state_dict() if _HH.fullmatch(k)]
    if not names:
        raise TypeError(f"module: expected a recurrent layer or cell with weight_hh parameters "
                        f"(torch.nn.RNN, LSTM, GRU, their cells, rnncourse.torch or rnncourse.numpy), "
                        f"got {type(module).__name__}")
    return names


def _square_blocks(module, name, W):
    """The number of H x H gate blocks stacked in ``W`` (G H, H), H = ``module.hidden_size``."""
    rows, H = W.shape
    if H == 0 or rows % H or H != getattr(module, "hidden_size", H):
        raise ValueError(f"module: {name} has shape {W.shape}, not gate blocks of H x H (an LSTM with "
                         f"proj_size has none); expected (G * H, H)")
    return rows // H


def _load(module, state, changes):
    """Load ``changes`` (name -> NumPy array) into ``module``, in the dtype of its own values."""
    new = {}
    for name, value in state.items():
        if name in changes:
            value = (torch.as_tensor(changes[name]).to(value.dtype) if isinstance(value, torch.Tensor)
                     else np.asarray(changes[name], dtype=np.asarray(value).dtype))
        new[name] = value
    module.load_state_dict(new)
    return module


def _as_numpy(value):
    return value.detach().cpu().double().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def orthogonal_(module, gain=1.0, seed=None):
    """Each gate block of every ``weight_hh`` set to ``gain`` times a random orthogonal matrix (the
    Q of a QR decomposition of a Gaussian matrix, signs fixed so that Q is uniformly distributed).
    ``seed``: of the NumPy generator (None: a draw from ``torch``'s generator, so that
    ``torch.manual_seed`` fixes it). The input weights and biases are left as they are."""
    rng = np.random.default_rng(int(torch.randint(2 ** 62, ()).item()) if seed is None else seed)
    state = module.state_dict()
    changes = {}
    for name in _recurrent_weights(module):
        W = _as_numpy(state[name]).copy()
        H = W.shape[1]
        for g in range(_square_blocks(module, name, W)):
            q, r = np.linalg.qr(rng.standard_normal((H, H)))
            W[g * H:(g + 1) * H] = gain * q * np.sign(np.diag(r))
        changes[name] = W
    return _load(module, state, changes)


def identity_(module, scale=1.0, input_std=None, seed=None):
    """The IRNN initialisation: every ``weight_hh`` block ``scale`` times the identity, every bias
    zero. With ``input_std``, the input weights are drawn from N(0, input_std²) (Le et al. used
    0.001), with a NumPy generator of ``seed`` (None: a draw from ``torch``'s generator).
    Meant for ReLU RNNs (``nonlinearity='relu'``)."""
    state = module.state_dict()
    changes = {}
    for name in _recurrent_weights(module):
        W = _as_numpy(state[name])
        changes[name] = scale * np.tile(np.eye(W.shape[1]), (_square_blocks(module, name, W), 1))
    for name in state:
        if _BIAS.fullmatch(name):
            changes[name] = np.zeros(_as_numpy(state[name]).shape)
    if input_std is not None:
        rng = np.random.default_rng(int(torch.randint(2 ** 62, ()).item()) if seed is None else seed)
        for name in state:
            if _IH.fullmatch(name):
                changes[name] = rng.normal(0.0, input_std, _as_numpy(state[name]).shape)
    return _load(module, state, changes)


def recurrent_init_(module, init, **options):
    """Apply the initialisation named ``init``: ``'default'`` (leave torch.nn's), ``'orthogonal'``
    (:func:`orthogonal_`) or ``'identity'`` (:func:`identity_`)."""
    if init == "default":
        return module
    if init == "orthogonal":
        return orthogonal_(module, **options)
    if init == "identity":
        return identity_(module, **options)
    raise ValueError(f"init: expected 'default', 'orthogonal' or 'identity', got {init!r}")


__all__ = ["orthogonal_", "identity_", "recurrent_init_"]
