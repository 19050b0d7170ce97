"""Echo-state network in NumPy: the shared model (``rnncourse._esn``) computing with NumPy arrays."""

from __future__ import annotations

import numpy as np

from .. import _validate as V
from .._esn import ESNBase


class ESN(ESNBase):
    __doc__ = ESNBase.__doc__ + """
    NumPy backend: the weights and every result are NumPy arrays of the model's dtype; inputs may be
    NumPy arrays or torch tensors.

    Examples::

        >>> esn = ESN(1, 100, spectral_radius=0.9, seed=0)
        >>> x = np.sin(np.arange(301) / 10)
        >>> esn.fit(x[:-1], x[1:], washout=50).predict(x[:10]).shape
        (10,)
    """

    def _from_numpy(self, array):
        return np.asarray(array, dtype=self.dtype)

    def _asarray(self, x):
        return V.to_numpy(x)

    def _empty(self, shape):
        return np.empty(shape, dtype=self.dtype)

    def _tanh(self, a):
        return np.tanh(a)

    def _concat(self, arrays, axis: int):
        return np.concatenate(arrays, axis=axis)
