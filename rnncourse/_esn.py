"""The echo-state network written once: what ``rnncourse.numpy.ESN`` and ``rnncourse.torch.ESN`` share.

Jaeger (2001); leaky-integrator units as in Jaeger, Lukoševičius, Popovici & Siewert (2007); the
recipes of Lukoševičius (2012), "A practical guide to applying echo state networks". The
reservoir is the leaky RNN of chapter 5 with weights drawn once and never trained:

    h̃_t = tanh(W_ih x_t + b + W_hh h_{t-1})        candidate
    h_t = (1 - α) h_{t-1} + α h̃_t                  α = leak_rate ∈ (0, 1]
    y_t = W_out [h_t; x_t] + b_out                 readout: the only trained part

Everything is written here once: argument checks, the random reservoir (``draw_reservoir``, with
NumPy from ``seed`` in both backends, so both hold the same weights), the state loop, washout,
noise, the readout (``ridge_readout``, solved with NumPy in both backends), prediction and
closed-loop generation. ``ESNBase`` computes with whatever array type its subclass works in; a
backend provides five hooks: ``_from_numpy`` / ``_asarray`` (NumPy weights and validated inputs
as its arrays), ``_empty``, ``_tanh`` and ``_concat``. The same seed therefore gives the same
reservoir in both backends, and states and predictions that agree to rounding error.

It follows scikit-learn's conventions: the constructor only checks and stores its arguments (and
draws the fixed reservoir), ``fit(X, Y)`` returns the model and never changes a constructor
argument, what ``fit`` learns ends in ``_`` (``weight_out_``, ``bias_out_``, ``state_``,
``output_size_``), and using the model before ``fit`` raises ``NotFittedError``.
"""

from __future__ import annotations

import numpy as np

from . import _validate as V


class NotFittedError(ValueError, AttributeError):
    """A model used before ``fit``: scikit-learn's ``NotFittedError`` (a ValueError and an AttributeError)."""


def draw_reservoir(input_size: int, reservoir_size: int, spectral_radius: float, density: float,
                   input_scaling: float, bias_scaling: float, seed=None):
    """The fixed weights of an ESN, drawn from ``np.random.default_rng(seed)``.

    ``W_hh``: each entry non-zero with probability ``density``, its value uniform in [-1, 1]; then
    rescaled so that its largest absolute eigenvalue (the spectral radius) is ``spectral_radius``.
    ``W_ih`` uniform in [-input_scaling, input_scaling] (every unit sees every input), ``b``
    uniform in [-bias_scaling, bias_scaling].

    Returns ``(W_ih, W_hh, b)`` of shapes ``(N, input_size)``, ``(N, N)``, ``(N,)``, float64.
    """
    rng = np.random.default_rng(seed)
    N = reservoir_size
    W_hh = rng.uniform(-1.0, 1.0, (N, N)) * (rng.random((N, N)) < density)
    radius = np.abs(np.linalg.eigvals(W_hh)).max()
    if radius < 1e-12:
        raise ValueError(f"density: the reservoir drawn with reservoir_size={N}, density={density} has "
                         f"no non-zero eigenvalue, so it cannot be rescaled to spectral_radius="
                         f"{spectral_radius}; use a larger density or reservoir_size")
    W_hh *= spectral_radius / radius
    W_ih = rng.uniform(-input_scaling, input_scaling, (N, input_size))
    b = rng.uniform(-bias_scaling, bias_scaling, N)
    return W_ih, W_hh, b


def ridge_readout(Phi, Y, ridge: float):
    r"""Ridge regression with an unpenalised intercept: the readout in closed form.

    Minimises :math:`\lVert \Phi W^T + b - Y \rVert^2 + \beta \lVert W \rVert^2` over ``W``
    (output, features) and ``b`` (output,). The intercept is not penalised, so the fit does not
    depend on the offset of the data (Mackey–Glass lives around 0.9, not 0). Centring removes it,
    :math:`b = \bar y - W \bar\phi`, and leaves
    :math:`W^T = (\Phi_c^T \Phi_c + \beta I)^{-1} \Phi_c^T Y_c`, the least-squares solution of the
    augmented system

    .. math::
        \begin{bmatrix} \Phi_c \\ \sqrt{\beta}\, I \end{bmatrix} W^T \approx
        \begin{bmatrix} Y_c \\ 0 \end{bmatrix},

    which is what is solved (by ``lstsq``, an SVD): the normal equations would square the condition
    number of :math:`\Phi`, about 1e7 for a Mackey–Glass reservoir, and lose the agreement of the
    two backends to 1e-10. With ``ridge = 0`` it is the minimum-norm least-squares solution.

    Phi ``(T, F)``, Y ``(T, O)`` -> ``(W (O, F), b (O,))``.
    """
    phi_mean, y_mean = Phi.mean(axis=0), Y.mean(axis=0)
    A, B = Phi - phi_mean, Y - y_mean
    if ridge > 0:
        F = Phi.shape[1]
        A = np.concatenate([A, float(np.sqrt(ridge)) * np.eye(F, dtype=A.dtype)])
        B = np.concatenate([B, np.zeros((F, B.shape[1]), dtype=B.dtype)])
    W_T = np.linalg.lstsq(A, B, rcond=None)[0]
    return W_T.T, y_mean - phi_mean @ W_T


class ESNBase:
    r"""Echo-state network with leaky units and a linear readout trained by ridge regression.

    .. math::
        \begin{aligned}
        \tilde h_t &= \tanh(W_{ih} x_t + b + W_{hh} h_{t-1}) \\
        h_t &= (1 - \alpha)\, h_{t-1} + \alpha\, \tilde h_t \\
        y_t &= W_{out} [h_t; x_t] + b_{out}
        \end{aligned}

    :math:`W_{ih}`, :math:`W_{hh}` and :math:`b` are random and fixed; :math:`W_{hh}` is rescaled to
    the requested spectral radius. Only :math:`W_{out}, b_{out}` are learned, in closed form
    (:func:`ridge_readout`), after a *washout* that discards the steps still remembering the
    arbitrary initial state. scikit-learn conventions: ``fit(X, Y, washout=...)`` returns the
    model and learns the attributes that end in ``_``; ``predict(X)``; ``generate(n_steps,
    warmup)`` runs it in closed loop.

    The readout sees the state *and* the input ``[h_t; x_t]`` (``input_to_readout=True``, as
    Lukoševičius 2012 recommends): the linear part of the input-output map is then learned directly
    instead of being rebuilt from saturating tanh units. Its bias ``b_out`` is not penalised.

    Args:
        input_size: number of input features :math:`I`.
        reservoir_size: number of reservoir units :math:`N`.
        output_size: number of outputs, checked against ``Y`` by ``fit``; None: any (``fit``
            stores what ``Y`` has in ``output_size_``). Default: None
        spectral_radius: largest absolute eigenvalue of :math:`W_{hh}` after rescaling, > 0.
            Below about 1 (with leak 1) the echo-state property holds for any input. Default: 0.9
        density: fraction of non-zero entries of :math:`W_{hh}`, in (0, 1] (sparsity = 1 - density).
            Default: 0.1
        input_scaling: :math:`W_{ih}` is uniform in [-input_scaling, input_scaling], > 0. Default: 1
        bias_scaling: :math:`b` is uniform in [-bias_scaling, bias_scaling], >= 0. Default: 0.2
        leak_rate: :math:`\alpha \in (0, 1]`; small values give slow units (time constant ≈ 1/α).
            Default: 1
        ridge: the ridge penalty :math:`\beta \ge 0` of the readout. Default: 1e-6
        noise: standard deviation of Gaussian noise added to the input during ``fit`` only (>= 0).
            It teaches the readout to correct small errors, which keeps closed-loop generation
            stable. Default: 0
        input_to_readout: feed :math:`x_t` to the readout next to :math:`h_t` (see above).
            Default: ``True``
        seed: seed of ``np.random.default_rng`` for the weights (and, independently, the noise).
        dtype: float64 (default) or float32.

    Inputs:
        * **X**: ``(T, input_size)``, or ``(T,)`` when ``input_size == 1``.
        * **Y** (``fit``): ``(T, output_size)``, or ``(T,)`` (then ``predict`` returns 1-D too).
        * **h0**: ``(N,)``, the initial reservoir state; zeros when None.

        NumPy arrays or torch tensors of the model's dtype.

    Outputs:
        * ``states(X)``: ``(T, N)``, the reservoir states :math:`h_1 \dots h_T`.
        * ``predict(X)``: ``(T, output_size_)``, the outputs :math:`y_1 \dots y_T`.
        * ``generate(n_steps, warmup)``: ``(n_steps, input_size)``, the closed-loop continuation.

    Attributes:
        weight_ih: ``(N, input_size)``, weight_hh: ``(N, N)``, bias_ih: ``(N,)``: the fixed
            reservoir, drawn at construction.
        weight_out_: ``(output_size_, N + input_size)`` (``(output_size_, N)`` without
            ``input_to_readout``), bias_out_: ``(output_size_,)``: the readout, learned by ``fit``.
        output_size_: the number of outputs ``fit`` saw in ``Y``.
        state_: ``(N,)``, the last reservoir state of ``fit``, to continue from it
            (``h0=esn.state_``).
    """

    def __init__(self, input_size: int, reservoir_size: int, output_size: int | None = None, *,
                 spectral_radius: float = 0.9, density: float = 0.1, input_scaling: float = 1.0,
                 bias_scaling: float = 0.2, leak_rate: float = 1.0, ridge: float = 1e-6, noise: float = 0.0,
                 input_to_readout: bool = True, seed: int | None = None, dtype=np.float64):
        V.check_positive_int("input_size", input_size)
        V.check_positive_int("reservoir_size", reservoir_size)
        if output_size is not None:
            V.check_positive_int("output_size", output_size)
        if seed is not None:
            V.check_int("seed", seed, low=0)
        self.input_size, self.reservoir_size, self.output_size = input_size, reservoir_size, output_size
        self.spectral_radius = V.check_number("spectral_radius", spectral_radius, low=0, low_open=True)
        self.density = V.check_number("density", density, low=0, low_open=True, high=1)
        self.input_scaling = V.check_number("input_scaling", input_scaling, low=0, low_open=True)
        self.bias_scaling = V.check_number("bias_scaling", bias_scaling, low=0)
        self.leak_rate = V.check_number("leak_rate", leak_rate, low=0, low_open=True, high=1)
        self.ridge = V.check_number("ridge", ridge, low=0)
        self.noise = V.check_number("noise", noise, low=0)
        self.input_to_readout = V.check_bool("input_to_readout", input_to_readout)
        self.seed = seed
        self.dtype = V.check_float_dtype("dtype", dtype)
        W_ih, W_hh, b = draw_reservoir(input_size, reservoir_size, self.spectral_radius, self.density,
                                       self.input_scaling, self.bias_scaling, seed)
        self.weight_ih, self.weight_hh, self.bias_ih = (self._from_numpy(w) for w in (W_ih, W_hh, b))
        # The noise has its own stream, so the weights do not depend on whether noise is used, and
        # every fit of this model draws the same noise.
        self._noise_seed = np.random.SeedSequence(seed).spawn(1)[0]

    # ---- backend hooks ------------------------------------------------------------------------
    def _from_numpy(self, array):
        """A NumPy float64 array in this backend's array type and the model's dtype."""
        raise NotImplementedError

    def _asarray(self, x):
        """A validated input (NumPy array or torch tensor of the model's dtype) in this backend's type."""
        raise NotImplementedError

    def _empty(self, shape):
        """An uninitialised array of ``shape`` in this backend's type and the model's dtype."""
        raise NotImplementedError

    def _tanh(self, a):
        raise NotImplementedError

    def _concat(self, arrays, axis: int):
        raise NotImplementedError

    # ---- checks ----------------------------------------------------------------------------
    def _check_series(self, name: str, x, size: int | None):
        """(T, size) or (T,) when size is 1 (or unknown) -> ((T, size) backend array, was 1-D)."""
        V.check_array(name, x)
        if x.ndim not in (1, 2) or (x.ndim == 1 and size not in (1, None)):
            want = f"(T, {size})" + (" or (T,)" if size in (1, None) else "")
            raise ValueError(f"{name}: expected a {want} array (time steps first), got {V.describe(x)}")
        if x.ndim == 2 and size is not None and x.shape[1] != size:
            raise ValueError(f"{name}: expected shape (T, {size}), got {V.describe(x)}")
        if x.shape[0] == 0:
            raise ValueError(f"{name}: expected at least one time step, got {V.describe(x)}")
        V.check_floating(name, x, self.dtype)
        V.check_finite(name, x)
        x = self._asarray(x)
        return (x[:, None] if x.ndim == 1 else x), x.ndim == 1

    def _check_h0(self, h0):
        if h0 is None:
            return self._from_numpy(np.zeros(self.reservoir_size))
        V.check_shape("h0", h0, (self.reservoir_size,), "(reservoir_size,)", self.dtype)
        return self._asarray(h0)

    def _check_fitted(self, method: str):
        if not hasattr(self, "weight_out_"):
            raise NotFittedError(f"{method}: this {type(self).__name__} is not fitted yet; call "
                                 f"fit(X, Y, washout=...) before {method}")

    # ---- the model -------------------------------------------------------------------------
    def _run(self, X, h):
        """The reservoir over X (T, I) from h (N,) -> states h_1..h_T (T, N)."""
        alpha, W_hh = self.leak_rate, self.weight_hh
        a_x = X @ self.weight_ih.T + self.bias_ih        # W_ih x_t + b, all t at once
        H = self._empty((X.shape[0], self.reservoir_size))
        for t in range(X.shape[0]):
            h_tilde = self._tanh(a_x[t] + W_hh @ h)      # h̃_t = tanh(W_ih x_t + b + W_hh h_{t-1})
            h = (1 - alpha) * h + alpha * h_tilde        # h_t = (1 - α) h_{t-1} + α h̃_t
            H[t] = h
        return H

    def states(self, X, h0=None):
        """Reservoir states h_1..h_T for the input X, from h0 (zeros by default) -> (T, N)."""
        X, _ = self._check_series("X", X, self.input_size)
        return self._run(X, self._check_h0(h0))

    def _features(self, H, X):
        """The readout's input [h_t; x_t] (or h_t), one row per time step."""
        return self._concat([H, X], axis=1) if self.input_to_readout else H

    def fit(self, X, Y, washout: int = 0, h0=None):
        """Drive the reservoir with X, drop the first ``washout`` steps, fit the readout to Y.

        X ``(T, input_size)`` or ``(T,)``; Y ``(T, output_size)`` or ``(T,)`` (then ``predict``
        returns 1-D too); ``washout`` in ``[0, T)``. Sets ``weight_out_``, ``bias_out_``,
        ``output_size_`` and ``state_``; returns ``self``.
        """
        X, _ = self._check_series("X", X, self.input_size)
        Y, y_1d = self._check_series("Y", Y, self.output_size)
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"Y: expected as many time steps as X ({X.shape[0]}), got {V.describe(Y)}")
        washout = V.check_int("washout", washout, low=0)
        if washout >= X.shape[0]:
            raise ValueError(f"washout: expected fewer steps than the series has (T={X.shape[0]}) so that "
                             f"some are left to fit the readout, got washout={washout}")
        if self.noise > 0:
            rng = np.random.default_rng(self._noise_seed)
            X = X + self._from_numpy(self.noise * rng.standard_normal(tuple(X.shape)))
        H = self._run(X, self._check_h0(h0))
        Phi, targets = self._features(H, X)[washout:], Y[washout:]
        W, b = ridge_readout(V.to_numpy(Phi), V.to_numpy(targets), self.ridge)
        self.weight_out_, self.bias_out_ = self._from_numpy(W), self._from_numpy(b)
        self.output_size_, self._output_1d, self.state_ = Y.shape[1], y_1d, H[-1]
        return self

    def _readout(self, H, X):
        return self._features(H, X) @ self.weight_out_.T + self.bias_out_

    def predict(self, X, h0=None):
        """One-step outputs y_t for every step of X, from h0 (zeros by default): ``(T, output_size_)``.

        1-D ``(T,)`` if ``fit`` got a 1-D ``Y``.
        """
        self._check_fitted("predict")
        X, _ = self._check_series("X", X, self.input_size)
        Y = self._readout(self._run(X, self._check_h0(h0)), X)
        return Y[:, 0] if self._output_1d else Y

    def generate(self, n_steps: int, warmup, h0=None):
        """Closed-loop prediction: after reading ``warmup``, each output becomes the next input.

        The observed series ``warmup`` (``(T_w, input_size)`` or ``(T_w,)``) drives the reservoir
        from h0 (zeros by default); its last output predicts the step after it, which is fed back as
        input, and so on. Needs ``output_size_ == input_size`` (a readout trained to predict the
        next input). To continue right after ``fit(X, Y)``, pass the last target as ``warmup`` and
        ``h0=self.state_``. A diverging loop returns inf / nan values, without warnings.
        Returns the ``n_steps`` predicted steps after ``warmup``: ``(n_steps, input_size)``,
        or ``(n_steps,)`` for a 1-D ``warmup``.
        """
        self._check_fitted("generate")
        n_steps = V.check_int("n_steps", n_steps, low=1)
        if self.output_size_ != self.input_size:
            raise ValueError(f"generate: the output is fed back as input, so the fitted output_size_ "
                             f"must equal input_size={self.input_size}, got {self.output_size_}")
        X, x_1d = self._check_series("warmup", warmup, self.input_size)
        # A closed loop may diverge (that is one of the things it shows): its values then grow to
        # inf / nan, silently in both backends, instead of NumPy's overflow warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            H = self._run(X, self._check_h0(h0))
            h, x = H[-1], self._readout(H[-1:], X[-1:])  # x: the prediction of the next input (1, I)
            outputs = [x]
            for _ in range(n_steps - 1):
                H = self._run(x, h)
                h, x = H[-1], self._readout(H, x)
                outputs.append(x)
        Y = self._concat(outputs, axis=0)
        return Y[:, 0] if x_1d else Y

    def __repr__(self) -> str:
        options = [f"spectral_radius={self.spectral_radius}", f"density={self.density}",
                   f"input_scaling={self.input_scaling}", f"bias_scaling={self.bias_scaling}",
                   f"leak_rate={self.leak_rate}", f"ridge={self.ridge}"]
        if self.noise:
            options.append(f"noise={self.noise}")
        if not self.input_to_readout:
            options.append("input_to_readout=False")
        if self.seed is not None:
            options.append(f"seed={self.seed}")
        out = "" if self.output_size is None else f", {self.output_size}"
        return f"{type(self).__name__}({self.input_size}, {self.reservoir_size}{out}, {', '.join(options)})"
