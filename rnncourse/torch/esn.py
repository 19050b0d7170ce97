"""Echo-state network in PyTorch: the NumPy model with its arithmetic done by torch.

``rnncourse.numpy.ESN`` holds everything that does not depend on the array library (checks,
washout, noise, closed-loop generation) and draws the reservoir with NumPy from ``seed``; this
class converts those weights to tensors and overrides the four arithmetic hooks with torch.
The same seed therefore gives the same reservoir in both backends, and states and predictions
that agree to rounding error (float64: within 1e-10). Nothing is trained by gradient here, so
the state loop runs without autograd.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import _validate as V
from ..numpy import esn as numpy_esn


class ESN(numpy_esn.ESN):
    __doc__ = (numpy_esn.ESN.__doc__ or "") + """
    PyTorch backend: the weights and every result are ``torch.Tensor`` s of the model's dtype (on the
    CPU); inputs may be tensors or NumPy arrays.
    """

    def _from_numpy(self, array):
        return torch.from_numpy(np.asarray(array, dtype=self.dtype))

    def _asarray(self, x):
        return x.detach() if V.is_tensor(x) else torch.from_numpy(x)

    @torch.no_grad()
    def _run(self, X, h):
        alpha, W_hh = self.leak_rate, self.weight_hh
        a_x = X @ self.weight_ih.T + self.bias_ih        # W_ih x_t + b, all t at once
        H = torch.empty((X.shape[0], self.reservoir_size), dtype=a_x.dtype)
        for t in range(X.shape[0]):
            h_tilde = torch.tanh(a_x[t] + W_hh @ h)      # h̃_t = tanh(W_ih x_t + b + W_hh h_{t-1})
            h = (1 - alpha) * h + alpha * h_tilde        # h_t = (1 - α) h_{t-1} + α h̃_t
            H[t] = h
        return H

    def _concat(self, arrays, axis: int):
        return torch.cat(arrays, dim=axis)

    @torch.no_grad()
    def _ridge(self, Phi, Y):
        """``rnncourse.numpy.esn.ridge_readout`` (see there) with torch.linalg."""
        phi_mean, y_mean = Phi.mean(dim=0), Y.mean(dim=0)
        A, B = Phi - phi_mean, Y - y_mean
        if self.ridge > 0:
            F = Phi.shape[1]
            A = torch.cat([A, self.ridge ** 0.5 * torch.eye(F, dtype=A.dtype)])
            B = torch.cat([B, B.new_zeros((F, B.shape[1]))])
        W_T = torch.linalg.lstsq(A, B, driver="gelsd").solution   # SVD-based, like np.linalg.lstsq
        return W_T.T, y_mean - phi_mean @ W_T
