"""Echo-state network in PyTorch: the shared model (``rnncourse._esn``) computing with torch tensors.

The reservoir is drawn with NumPy from ``seed`` and the readout solved with NumPy (``_esn``), as in
the NumPy backend, so the same seed gives the same reservoir in both backends, and states and
predictions agree to rounding error (float64: within 1e-10). Nothing is trained by gradient: the
state loop runs on detached tensors.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import _validate as V
from .._esn import ESNBase


class ESN(ESNBase):
    __doc__ = ESNBase.__doc__ + """
    PyTorch backend: the weights and every result are ``torch.Tensor`` s of the model's dtype (on the
    CPU); inputs may be tensors or NumPy arrays.
    """

    def _from_numpy(self, array):
        return torch.from_numpy(np.asarray(array, dtype=self.dtype))

    def _asarray(self, x):
        return x.detach() if V.is_tensor(x) else torch.from_numpy(x)

    def _empty(self, shape):
        return torch.empty(shape, dtype=getattr(torch, self.dtype.name))

    def _tanh(self, a):
        return torch.tanh(a)

    def _concat(self, arrays, axis: int):
        return torch.cat(arrays, dim=axis)
