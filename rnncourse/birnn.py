"""Bidirectional RNNs (chapter 4): the delay-M task and the bidirectional language model that sees itself.

- ``delay_batch``: the centred moving-average task used to compare an output delay of M steps with a
  bidirectional network; ``bidirectional_tagger`` builds the bidirectional model for it, and
  ``delay_run`` trains and tests one network of the comparison for one seed.
- ``markov_chain``, ``sample_markov``, ``entropy_rate``, ``cloze_entropy``: text drawn from a
  first-order Markov chain, whose best possible losses are known exactly.
- ``BiLM``: a character model in three arrangements (forward only, naive bidirectional, and the
  shifted bidirectional model, stacked), with its loss ``BiLM.loss``; ``bilm_run`` trains and tests
  one for one seed.

Shapes follow ``torch.nn.RNN``: sequences are ``(seq_len, batch, features)``; token sequences are
integer arrays ``(seq_len, batch)``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _validate as V
from .train import SequenceRegressor, evaluate, train

MODES = ("forward", "bidirectional", "shifted")


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


# ---- the bidirectional language model ----------------------------------------------------------
class BiLM(nn.Module):
    r"""A stacked character model: embedding, ``num_layers`` RNN layers, a softmax head at every step.

    ``mode`` chooses what the output at position t may read:

    - ``'forward'``: one direction, h_t reads x_1..x_t; trained to predict x_{t+1}. An honest
      language model.
    - ``'bidirectional'``: ``torch.nn.RNN(bidirectional=True)``, output [h_t; g_t] where the backward
      state g_t has read x_t..x_T; trained to predict x_{t+1}, which g_t has already read.
    - ``'shifted'``: every layer is bidirectional, but its output at t is [h_{t-1}; g_{t+1}] (the
      forward state before x_t, the backward state after it; ELMo-style models do this at the top
      only); trained to predict x_t itself. One layer never reads x_t; from the second layer on,
      h_{t-1} of layer 2 has read layer 1's g_t, which has read x_t: the model sees itself.

    Args:
        vocab_size: number of symbols.
        hidden_size: units per direction.
        num_layers: stacked layers.
        mode: ``'forward'``, ``'bidirectional'`` or ``'shifted'``.

    Inputs: tokens ``(seq_len, batch)`` int64. Outputs: logits ``(seq_len, batch, vocab_size)``.
    ``read(x)`` does the same from the embedded tokens ``x`` ``(seq_len, batch, hidden_size)``.
    Attributes: ``embed`` (vocab_size, hidden_size), ``layers`` (``torch.nn.RNN`` s), ``head``.
    """

    def __init__(self, vocab_size, hidden_size, num_layers=1, mode="forward"):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode: expected one of {MODES}, got {mode!r}")
        self.mode = mode
        D = 1 if mode == "forward" else 2
        self.embed = nn.Embedding(vocab_size, hidden_size)
        if mode == "shifted":   # one module per layer: the shift happens between layers
            self.layers = nn.ModuleList(
                nn.RNN(hidden_size if k == 0 else 2 * hidden_size, hidden_size, bidirectional=True)
                for k in range(num_layers))
        else:
            self.layers = nn.ModuleList([nn.RNN(hidden_size, hidden_size, num_layers,
                                                bidirectional=(D == 2))])
        self.head = nn.Linear(D * hidden_size, vocab_size)

    def forward(self, tokens):
        return self.read(self.embed(tokens))

    def read(self, x):
        """Logits ``(seq_len, batch, vocab_size)`` from embedded tokens ``x`` ``(seq_len, batch, hidden)``."""
        for layer in self.layers:
            x, _ = layer(x)
            if self.mode == "shifted":
                x = shift_directions(x)
        return self.head(x)

    def loss(self, logits, tokens):
        """Mean cross-entropy in nats: of x_{t+1} from position t, or of x_t for ``'shifted'``.

        ``logits`` ``(seq_len, batch, vocab_size)`` from ``forward``; ``tokens`` ``(seq_len, batch)``.
        Pass it to ``rnncourse.train.train`` as ``loss_fn``.
        """
        if self.mode != "shifted":
            logits, tokens = logits[:-1], tokens[1:]
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1))


def bilm_run(mode, num_layers, seed=0, steps=120, chain_seed=0, hidden_size=16):
    """Train a :class:`BiLM` on text of the Markov chain ``markov_chain(8, seed=chain_seed)``.

    Adam (lr 0.01), ``steps`` batches of 32 sequences of 24 symbols; ``seed`` fixes the initial
    weights and the batches. Returns ``(model, test_loss)``, the loss in nats on 200 fresh
    sequences of 64 symbols (the same for every seed).
    """
    P, pi = markov_chain(8, seed=chain_seed)
    torch.manual_seed(seed)
    model = BiLM(8, hidden_size, num_layers, mode)
    batches = lambda step, rng: (sample_markov(P, pi, 24, 32, rng),) * 2      # (input, target)
    train(model, batches, steps, lr=1e-2, loss_fn=model.loss, seed=seed, verbose=False)
    test = sample_markov(P, pi, 64, 200, rng=1)
    return model, evaluate(model, test, test, loss_fn=model.loss)


def shift_directions(output):
    """[h_t; g_t] -> [h_{t-1}; g_{t+1}], with zeros beyond the ends.

    ``output`` ``(seq_len, batch, 2 * hidden)`` is a bidirectional layer's output; the result has the
    same shape and at position t holds nothing that read x_t of that layer's input.
    """
    H = output.shape[-1] // 2
    forward, backward = output[..., :H], output[..., H:]
    zero = torch.zeros_like(forward[:1])
    return torch.cat([torch.cat([zero, forward[:-1]]), torch.cat([backward[1:], zero])], dim=-1)


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
