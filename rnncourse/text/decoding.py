r"""Decoding a sequence model: beam search, exhaustive search, and the top-k filter for sampling.

A decoder gives, after a prefix :math:`y_{<t}`, the log-probabilities :math:`\log p(y_t \mid y_{<t})`
of every next token. Its output is chosen to maximise the log-probability of the whole sequence,
:math:`\log p(y) = \sum_t \log p(y_t \mid y_{<t})`, possibly divided by a power of its length:

.. math::
    \mathrm{score}(y) = \frac{\log p(y)}{|y|^{\alpha}} ,

:math:`|y|` counting the end token, :math:`\alpha` = ``length_penalty`` (0: the plain
log-probability, which favours short outputs since every token adds a negative term; 1: the mean
log-probability per token).

- :func:`beam_search`: keeps the ``beam_width`` best prefixes at every step (a batch of sources at
  once). Width 1 is greedy decoding; a width at least the number of possible prefixes keeps every
  prefix, and then it is the exhaustive search.
- :func:`exhaustive_search`: every sequence of at most ``max_len`` tokens, for checks on tiny models.
- :func:`top_k_filter`: logits with all but the ``k`` largest set to :math:`-\infty` (top-k sampling).

The model is seen only through a ``step`` function, ``step(tokens, state) -> (log_probs, state)``:
``tokens`` (N,) int64 the last token of each of N prefixes, ``state`` a tensor or a tuple of tensors
whose first dimension is N (the decoder's state; it may carry per-source tensors such as encoder
outputs), ``log_probs`` (N, V). Search reorders the state along its first dimension.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from .. import _validate as V


class Hypothesis(NamedTuple):
    """A decoded sequence: ``tokens`` (without the end token), ``log_prob`` = log p(y) (end token
    included), ``score`` = log_prob / length ** length_penalty, ``length`` = tokens generated (the
    end token included when it was generated)."""

    tokens: list
    log_prob: float
    score: float
    length: int


def _select(state, index):
    """The rows ``index`` of a state: a tensor, or a tuple / list of tensors (first dimension N)."""
    if isinstance(state, torch.Tensor):
        return state.index_select(0, index)
    return type(state)(_select(s, index) for s in state)


def _score(log_prob, length, length_penalty):
    return log_prob / length ** length_penalty if length_penalty else log_prob


def _check_search(beam_width, max_len, length_penalty):
    V.check_int("max_len", max_len, low=1)
    V.check_number("length_penalty", length_penalty, low=0.0)
    if beam_width is not None:
        V.check_int("beam_width", beam_width, low=1)


def beam_search(step, state, batch_size, start, end, beam_width, max_len, length_penalty=0.0):
    """The ``beam_width`` best prefixes kept at every step; the best finished sequences per source.

    Args:
        step: ``step(tokens (N,), state) -> (log_probs (N, V), state)``, N = batch_size * beam_width.
        state: the decoder's initial state for the ``batch_size`` sources (first dimension
            batch_size; a tensor or a tuple of tensors). Each is repeated for the beams.
        batch_size: number of sources decoded together.
        start: the token fed first (``<sos>``).
        end: the token that ends a sequence (``<eos>``).
        beam_width: prefixes kept per source, >= 1 (1: greedy decoding).
        max_len: tokens generated at most; a prefix of that length without ``end`` is finished as
            it is.
        length_penalty: alpha of ``score = log p(y) / |y| ** alpha`` (0: no normalisation).

    At every step each live prefix is extended by every token; of all extensions of a source the
    ``beam_width`` with the highest log-probability are kept (prefixes of a step all have the same
    length, so the length penalty does not change this choice). An extension by ``end`` is finished
    and leaves the beam, which continues with the other kept prefixes. The search of a source ends
    when no prefix is alive or after ``max_len`` steps.

    Returns:
        for each source, its finished :class:`Hypothesis` list, best score first.
    """
    _check_search(beam_width, max_len, length_penalty)
    k, B = beam_width, V.check_int("batch_size", batch_size, low=1)
    state = _select(state, torch.arange(B).repeat_interleave(k))
    log_p = torch.full((B, k), -math.inf, dtype=torch.float64)
    log_p[:, 0] = 0.0                                   # one live prefix, the empty one
    tokens = torch.zeros((B, k, 0), dtype=torch.long)
    last = torch.full((B * k,), start, dtype=torch.long)
    finished = [[] for _ in range(B)]
    offset = torch.arange(B)[:, None] * k
    for t in range(max_len):
        step_log_p, state = step(last, state)
        vocab = step_log_p.shape[-1]
        candidates = log_p[:, :, None] + step_log_p.detach().double().view(B, k, vocab)
        top, index = candidates.view(B, k * vocab).topk(min(k, k * vocab), dim=1)
        beam, token = index // vocab, index % vocab
        tokens = torch.cat([tokens.gather(1, beam[..., None].expand(-1, -1, t)), token[..., None]], 2)
        state = _select(state, (beam + offset).view(-1))
        done = (token == end) | (t == max_len - 1)
        for b, j in (done & torch.isfinite(top)).nonzero().tolist():
            seq = tokens[b, j].tolist()
            kept = seq[:-1] if seq[-1] == end else seq
            finished[b].append(Hypothesis(kept, top[b, j].item(),
                                          _score(top[b, j].item(), t + 1, length_penalty), t + 1))
        log_p = top.masked_fill(done, -math.inf)
        if not torch.isfinite(log_p).any():
            break
        last = token.reshape(-1)
    return [sorted(f, key=lambda h: -h.score) for f in finished]


def greedy_search(step, state, batch_size, start, end, max_len):
    """Greedy decoding, written directly: the most likely token at every step, fed back, until
    ``end`` (or ``max_len`` tokens). Returns one :class:`Hypothesis` per source (what
    :func:`beam_search` with ``beam_width=1`` returns, written without a beam)."""
    _check_search(None, max_len, 0.0)
    B = V.check_int("batch_size", batch_size, low=1)
    last = torch.full((B,), start, dtype=torch.long)
    log_p, seqs, length = torch.zeros(B, dtype=torch.float64), [[] for _ in range(B)], [0] * B
    alive = torch.ones(B, dtype=torch.bool)
    for t in range(max_len):
        step_log_p, state = step(last, state)
        best, last = step_log_p.detach().double().max(dim=1)
        log_p += torch.where(alive, best, torch.zeros_like(best))
        for b in alive.nonzero().flatten().tolist():
            length[b] = t + 1
            if last[b].item() != end:
                seqs[b].append(last[b].item())
        alive &= last != end
        if not alive.any():
            break
    return [Hypothesis(s, lp, lp, n) for s, lp, n in zip(seqs, log_p.tolist(), length)]


def exhaustive_search(step, state, start, end, vocab_size, max_len, length_penalty=0.0):
    """Every sequence of one source scored, best first (a list of :class:`Hypothesis`).

    The sequences are those :func:`beam_search` can return: tokens ending with ``end`` within
    ``max_len`` tokens, and ``max_len`` tokens without ``end``. There are about
    ``vocab_size ** max_len`` of them: for checks on tiny models only. ``state`` is the decoder's
    initial state for one source (first dimension 1).
    """
    _check_search(None, max_len, length_penalty)
    vocab_size = V.check_int("vocab_size", vocab_size, low=1)
    if vocab_size ** max_len > 2 ** 20:
        raise ValueError(f"max_len: {vocab_size} ** {max_len} sequences is too many for an exhaustive "
                         f"search (at most 2 ** 20); got vocab_size={vocab_size}, max_len={max_len}")
    found = []

    def extend(prefix, log_p, last, state):
        step_log_p, new_state = step(torch.tensor([last]), state)
        step_log_p = step_log_p.detach().double()[0]
        for token in range(vocab_size):
            total, length = log_p + step_log_p[token].item(), len(prefix) + 1
            if token == end or length == max_len:
                kept = prefix if token == end else prefix + [token]
                found.append(Hypothesis(kept, total, _score(total, length, length_penalty), length))
            else:
                extend(prefix + [token], total, token, new_state)

    extend([], 0.0, start, state)
    return sorted(found, key=lambda h: -h.score)


def top_k_filter(logits, k):
    """``logits`` (..., V) with every entry below the ``k`` largest of its row set to -inf: a softmax
    of the result spreads the probability over those ``k`` tokens only, in the same proportions.
    ``k`` = None or >= V leaves the logits unchanged. (Ties at the k-th value are all kept.)"""
    if k is None:
        return logits
    k = V.check_int("k", k, low=1)
    if k >= logits.shape[-1]:
        return logits
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, -math.inf)


__all__ = ["Hypothesis", "beam_search", "greedy_search", "exhaustive_search", "top_k_filter"]
