"""Bidirectional RNNs (chapter 4): the delay-M task, Markov text with known best losses, dependency maps.

- ``delay_batch``: the centred moving-average task used to compare an output delay of M steps with a
  bidirectional network; ``bidirectional_tagger`` builds the bidirectional model for it, and
  ``delay_run`` trains and tests one network of the comparison for one seed.
- ``markov_chain``, ``sample_markov``, ``entropy_rate``, ``cloze_entropy``: text drawn from a
  first-order Markov chain, whose best possible losses are known exactly.
- ``dependency_map``: which inputs each output of a network reads, by autograd.
- ``grid_rnn``: a two-dimensional RNN that sweeps an image from one corner.

The bidirectional language model that sees itself is ``rnncourse.models.BiLM``; ``bilm_run`` trains
and tests one on Markov text for one seed.

Shapes follow ``torch.nn.RNN``: sequences are ``(seq_len, batch, features)``; token sequences are
integer arrays ``(seq_len, batch)``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import _validate as V
from .models import BiLM, SequenceRegressor
from .train import evaluate, train


# ---- the delay-M experiment ------------------------------------------------------------------
def delay_batch(batch, T, M, rng, dtype=np.float32):
    """Inputs and targets of the centred moving average with the target delayed by ``M`` steps.

    The inputs are x_1..x_T ~ N(0, 1) and the target at step t is y_t = (x_{t-1} + x_t + x_{t+1}) / 3
    (with x_0 = x_{T+1} = 0), which needs one step of the future. A one-directional network that
    answers M steps late reads ``M`` extra zero inputs, and its output at step t + M is compared with
    y_t: the first ``M`` entries of ``y`` are zeros that the loss must skip (``y[M:]``).

    Args:
        batch: number of sequences.
        T: length of the original sequence.
        M: delay, >= 0 (0 for a bidirectional network).
        rng: ``np.random.Generator`` or seed.

    Returns:
        x ``(T + M, batch, 1)`` and y ``(T + M, batch, 1)``.
    """
    V.check_positive_int("batch", batch)
    V.check_positive_int("T", T)
    M = V.check_int("M", M, low=0)
    rng = np.random.default_rng(rng)
    x = rng.standard_normal((T, batch))
    padded = np.pad(x, ((1, 1), (0, 0)))
    y = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    x = np.concatenate([x, np.zeros((M, batch))])
    y = np.concatenate([np.zeros((M, batch)), y])
    return x[..., None].astype(dtype), y[..., None].astype(dtype)


def delay_run(M, seed=0, steps=150, hidden_size=8, T=16):
    """Train and test one network of the delay-M experiment (chapter 4); return its test MSE.

    ``M`` an integer >= 0: a one-directional ``SequenceRegressor`` (many-to-many) whose output is
    scored ``M`` steps late; ``M=None``: a :func:`bidirectional_tagger` that answers at once. Adam
    (lr 0.01) for ``steps`` batches of 32 sequences of length ``T`` from :func:`delay_batch`; the
    loss skips the first ``M`` outputs. ``seed`` fixes the initial weights and the batches; every
    seed is scored on the same 500 test sequences (seed 1).
    """
    torch.manual_seed(seed)
    bidirectional = M is None
    model = (bidirectional_tagger(1, hidden_size) if bidirectional else
             SequenceRegressor(1, hidden_size, many_to_many=True))
    M = 0 if bidirectional else M
    late = lambda prediction, y: F.mse_loss(prediction[M:], y[M:])    # skip the first M outputs
    train(model, lambda step, rng: delay_batch(32, T, M, rng), steps, lr=1e-2, loss_fn=late,
          seed=seed, verbose=False)
    x, y = delay_batch(500, T, M, rng=1)
    return evaluate(model, x, y, loss_fn=late)


def bidirectional_tagger(input_size, hidden_size, output_size=1, **options):
    """A bidirectional Elman RNN with a linear head on every step: the model of the delay-M experiment.

    Short for ``SequenceRegressor(input_size, hidden_size, output_size, many_to_many=True,
    bidirectional=True, **options)``; the head reads both directions, ``2 * hidden_size`` features.

    Inputs ``(seq_len, batch, input_size)``; outputs ``(seq_len, batch, output_size)``.
    """
    return SequenceRegressor(input_size, hidden_size, output_size, many_to_many=True,
                             bidirectional=True, **options)


# ---- Markov text with known best losses -------------------------------------------------------
def markov_chain(n_symbols, seed=0, concentration=0.3):
    """A random transition matrix P (rows sum to 1) and its stationary distribution π.

    Rows are Dirichlet(``concentration``) draws: a small concentration gives peaked rows, i.e. text
    that is partly predictable. Returns ``P (n_symbols, n_symbols)`` with P[i, j] = p(next j | i),
    and ``pi (n_symbols,)`` with π P = π.
    """
    V.check_positive_int("n_symbols", n_symbols)
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(n_symbols, concentration), size=n_symbols)
    P = (P + 1e-3) / (P + 1e-3).sum(axis=1, keepdims=True)   # every transition possible
    values, vectors = np.linalg.eig(P.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    return P, pi / pi.sum()


def sample_markov(P, pi, T, batch, rng):
    """Token sequences ``(T, batch)`` (int64) of the chain, started from its stationary distribution."""
    rng = np.random.default_rng(rng)
    n = len(pi)
    tokens = np.empty((T, batch), dtype=np.int64)
    tokens[0] = rng.choice(n, size=batch, p=pi)
    cumulative = np.cumsum(P, axis=1)
    for t in range(1, T):
        u = rng.random(batch)[:, None]
        tokens[t] = np.minimum((u > cumulative[tokens[t - 1]]).sum(axis=1), n - 1)
    return tokens


def entropy_rate(P, pi):
    """H(x_{t+1} | x_t) = -Σ_i π_i Σ_j P_ij ln P_ij, in nats: the lowest next-character loss possible."""
    return float(-(pi[:, None] * P * np.log(P)).sum())


def cloze_entropy(P, pi):
    """H(x_t | x_{t-1}, x_{t+1}) in nats: the lowest loss for filling in a character from both sides.

    In a first-order chain x_t depends on the rest of the text only through its two neighbours, with
    p(x_t = j | i, k) ∝ P_ij P_jk.
    """
    joint = pi[:, None, None] * P[:, :, None] * P[None, :, :]      # p(i, j, k)
    given = joint / joint.sum(axis=1, keepdims=True)               # p(j | i, k)
    return float(-(joint * np.log(given)).sum())


def bilm_run(mode, num_layers, seed=0, steps=120, chain_seed=0, hidden_size=16):
    """Train a :class:`BiLM` on text of the Markov chain ``markov_chain(8, seed=chain_seed)``.

    Adam (lr 0.01), ``steps`` batches of 32 sequences of 24 symbols; ``seed`` fixes the initial
    weights and the batches. Returns a :class:`rnncourse.runs.Run`: its ``test`` is the loss in
    nats on 200 fresh sequences of 64 symbols (the same for every seed), its ``model`` the BiLM.
    """
    from .runs import Run, blocks

    P, pi = markov_chain(8, seed=chain_seed)
    torch.manual_seed(seed)
    model = BiLM(8, hidden_size, num_layers, mode)
    batches = lambda step, rng: (sample_markov(P, pi, 24, 32, rng),) * 2      # (input, target)
    losses = train(model, batches, steps, lr=1e-2, loss_fn=model.loss, seed=seed, verbose=False)
    test = sample_markov(P, pi, 64, 200, rng=1)
    return Run(blocks(losses), evaluate(model, test, test, loss_fn=model.loss), seed,
               losses=losses, model=model)


def dependency_map(f, T, input_size, seed=0):
    """Which inputs each output reads: entry [t, s] = ‖∂ output_t / ∂ x_s‖ at a random input.

    ``f`` maps a float64 tensor ``(T, 1, input_size)`` to ``(T, 1, K)`` (e.g. a ``torch.nn.RNN``
    followed by a head, or ``BiLM.read``); its parameters must be float64. A zero entry means the
    output at t cannot depend on x_s, whatever the weights' values. Returns a NumPy array ``(T, T)``.
    """
    V.check_positive_int("T", T)
    x = torch.randn(T, 1, input_size, generator=torch.Generator().manual_seed(seed),
                    dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda x: f(x)[:, 0], x)   # (T, K, T, 1, I)
    return jacobian.pow(2).sum(dim=(1, 3, 4)).sqrt().numpy()


# ---- beyond one dimension ---------------------------------------------------------------------
def grid_rnn(x, W_x, W_up, W_left, b, flip_rows=False, flip_cols=False):
    r"""A two-dimensional RNN (Graves, Fernández & Schmidhuber 2007) sweeping a grid from one corner.

    .. math::
        h_{i,j} = \tanh(W_x x_{i,j} + W_{up} h_{i-1,j} + W_{left} h_{i,j-1} + b),

    with zero states outside the grid: the state at (i, j) has read every input above and to the
    left of it. ``flip_rows``/``flip_cols`` sweep from the bottom/right instead (the four sweeps of a
    "bidirectional" 2-D RNN are the four combinations).

    Args:
        x: tensor ``(rows, cols, features)``.
        W_x ``(H, features)``, W_up and W_left ``(H, H)``, b ``(H,)``: tensors.

    Returns:
        the states, ``(rows, cols, H)``, in the grid's own order.
    """
    if x.dim() != 3:
        raise ValueError(f"x: expected (rows, cols, features), got shape {tuple(x.shape)}")
    x = x.flip(0) if flip_rows else x
    x = x.flip(1) if flip_cols else x
    rows, cols, _ = x.shape
    zero = x.new_zeros(len(b))
    h = [[None] * cols for _ in range(rows)]
    for i in range(rows):
        for j in range(cols):
            up = h[i - 1][j] if i > 0 else zero
            left = h[i][j - 1] if j > 0 else zero
            h[i][j] = torch.tanh(W_x @ x[i, j] + W_up @ up + W_left @ left + b)
    out = torch.stack([torch.stack(row) for row in h])
    out = out.flip(0) if flip_rows else out
    return out.flip(1) if flip_cols else out
