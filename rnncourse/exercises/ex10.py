"""Exercise 10: a masked sequence loss, the final state of each sequence of a padded batch, and one
step of beam search.

The references are written here in NumPy, one sequence or one candidate at a time (the plainest
form, loops included); ``tests/test_exercises_content.py`` checks them against the package's
``rnncourse.batching.masked_cross_entropy``, ``torch.nn.RNN`` on a ``pack_padded_sequence`` and
``rnncourse.text.decoding.beam_search``. Layout: time first, as ``torch.nn``'s default.
"""

from __future__ import annotations

import numpy as np

from ._testing import as_array, expect_close, expect_dtype, expect_shape, randn, unpack
from .spec import Question, Test

NOTEBOOK = "ex10_practice"
TITLE = "Training in practice"

T, B, V, I, H = 6, 4, 5, 3, 4


# ---- q1: masked_loss(logits, targets, lengths) -> float --------------------------------------------

def _loss_reference(logits, targets, lengths):
    """Sum over sequences b and steps t < lengths[b] of -log softmax(logits[t, b])[targets[t, b]],
    divided by the number of those steps."""
    total = 0.0
    for b, n in enumerate(lengths):
        for t in range(n):
            z = logits[t, b] - logits[t, b].max()
            total -= z[targets[t, b]] - np.log(np.exp(z).sum())
    return total / sum(lengths)


def _loss_inputs(seed, lengths):
    """Logits (T, B, V) with large values on the padding, and targets with classes everywhere."""
    rng = np.random.default_rng(seed)
    logits = randn(rng, T, len(lengths), V)
    targets = rng.integers(0, V, (T, len(lengths)))
    for b, n in enumerate(lengths):
        logits[n:, b] = randn(rng, T - n, V, scale=5.0)     # what the network computed on padding
    return logits, targets, np.array(lengths)


def _expect_loss(f, seed, lengths, what, hint):
    logits, targets, lengths = _loss_inputs(seed, lengths)
    got = as_array(f(logits, targets, lengths), what)
    if got.size != 1:
        raise AssertionError(f"{what}: expected a single number, got an array of shape {got.shape}. "
                             f"Hint: {hint}")
    expect_close(got.reshape(()), _loss_reference(logits, targets, lengths), what, hint)


def _loss_full(f):
    _expect_loss(f, 100, [T] * B, "the loss of a batch without padding",
                 "with every sequence of full length this is the mean over all T·B steps of "
                 "-log softmax(logits[t, b])[targets[t, b]] (subtract the row's maximum before exp)")


def _loss_padding(f):
    _expect_loss(f, 101, [T, 2, 5, 3], "the loss of a padded batch",
                 "step t of sequence b is real when t < lengths[b] (a sequence of length n has the "
                 "steps 0..n-1); the padding steps must contribute nothing")


def _loss_mean(f):
    _expect_loss(f, 102, [T, 1, 1, 1], "the loss of a batch of one long and three short sequences",
                 "divide the sum by the number of real steps, sum(lengths), so that every real "
                 "token weighs the same — not by T·B, nor by the number of sequences")


def _loss_one_step(f):
    _expect_loss(f, 103, [1, 1], "the loss of two sequences of length 1",
                 "a sequence of length 1 has exactly one real step, t = 0")


# ---- q2: final_states(x, lengths, h0, W_ih, W_hh, b_ih, b_hh) -> h_n ---------------------------------

def _rnn_reference(x, lengths, h0, W_ih, W_hh, b_ih, b_hh):
    """Each sequence run alone for its own number of steps: (B, H)."""
    h_n = np.empty_like(h0)
    for b, n in enumerate(lengths):
        h = h0[b]
        for t in range(n):
            h = np.tanh(W_ih @ x[t, b] + b_ih + W_hh @ h + b_hh)
        h_n[b] = h
    return h_n


def _rnn_inputs(seed, lengths, dtype=np.float64):
    """x (T, B, I) with non-zero values on the padding too, h0 (B, H), and the weights."""
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(H)
    W = [rng.uniform(-bound, bound, shape).astype(dtype) for shape in [(H, I), (H, H), (H,), (H,)]]
    return (randn(rng, T, len(lengths), I, dtype=dtype), np.array(lengths),
            randn(rng, len(lengths), H, scale=0.5, dtype=dtype), *W)


def _states_shape(f):
    args = _rnn_inputs(110, [T, 3, 5], np.float32)
    h_n = expect_shape(f(*args), (3, H), "h_n", "one final state per sequence: (B, H)")
    expect_dtype(h_n, np.float32, "h_n", "keep the dtype of the inputs (float32 in, float32 out)")


def _states_full(f):
    args = _rnn_inputs(111, [T] * B)
    expect_close(f(*args), _rnn_reference(*args), "h_n of a batch without padding",
                 "h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) from h_0 = h0, for t = 1..T; "
                 "with one example per row, W_ih x_t is x[t] @ W_ih.T")


def _states_padded(f):
    args = _rnn_inputs(112, [T, 2, 5, 3])
    expect_close(f(*args), _rnn_reference(*args), "h_n of a padded batch",
                 "sequence b is over after lengths[b] steps: its final state is the state after "
                 "reading x[lengths[b] - 1, b], whatever comes after it (the padding) — as "
                 "torch.nn returns h_n for a pack_padded_sequence")


def _states_one_step(f):
    args = _rnn_inputs(113, [1, T, 1])
    expect_close(f(*args), _rnn_reference(*args), "h_n with sequences of length 1",
                 "a sequence of length 1 is read for exactly one step: its final state is h_1, "
                 "not h0")


# ---- q3: beam_step(log_p, step_log_probs, k) -> (scores, beam, token) -------------------------------

def _beam_reference(log_p, step_log_probs, k):
    """Every (beam, token) extension scored by log_p[beam] + step_log_probs[beam, token]; the k best,
    best first."""
    candidates = sorted(((log_p[j] + step_log_probs[j, v], j, v) for j in range(len(log_p))
                         for v in range(step_log_probs.shape[1])), key=lambda c: -c[0])[:k]
    return tuple(np.array(column) for column in zip(*candidates))


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _beam_inputs(seed, beams, k):
    rng = np.random.default_rng(seed)
    log_p = -np.sort(rng.uniform(0.5, 4.0, beams))
    return log_p, _log_softmax(randn(rng, beams, V, scale=2.0)), k


def _expect_beam(f, args, what, hint):
    result = unpack(f(*args), 3, f"{what}: a tuple (scores, beam, token)")
    scores, beam, token = _beam_reference(*args)
    expect_close(result[0], scores, f"{what}: scores", hint)
    for name, got, want in (("beam", result[1], beam), ("token", result[2], token)):
        got = expect_shape(got, want.shape, f"{what}: {name}", hint)
        if not np.array_equal(got, want):
            raise AssertionError(f"{what}: {name} is not the index of the chosen extensions (best "
                                 f"first). Hint: {hint}")


def _beam_shapes(f):
    log_p, step, k = _beam_inputs(120, 3, 4)
    result = unpack(f(log_p, step, k), 3, "a tuple (scores, beam, token)")
    for name, value in zip(("scores", "beam", "token"), result):
        expect_shape(value, (k,), name, "k extensions are kept, each with its score, the index of "
                     "the prefix it extends and the token added")
    for name, value in zip(("beam", "token"), result[1:]):
        if not np.issubdtype(as_array(value, name).dtype, np.integer):
            raise AssertionError(f"{name}: expected integer indices, got dtype {np.asarray(value).dtype}. "
                                 f"Hint: the row and column of each chosen extension "
                                 f"(np.unravel_index or // and % by V)")


def _beam_first(f):
    _expect_beam(f, (np.zeros(1), _beam_inputs(121, 1, 3)[1], 3), "from the empty prefix",
                 "one prefix of log probability 0: the k most likely tokens, best first, each "
                 "scored by its log probability")


def _beam_accumulate(f):
    _expect_beam(f, _beam_inputs(122, 3, 3), "three prefixes",
                 "the log probability of a sequence is the SUM of the log probabilities of its "
                 "tokens: score = log_p[beam] + step_log_probs[beam, token] (probabilities "
                 "multiply, so their logs add)")


def _beam_across(f):
    log_p = np.array([-0.1, -3.0, -3.5])
    step = _log_softmax(np.array([[2.0, 1.9, 1.8, -3.0, -3.0]] + [[0.0] * V] * 2))
    _expect_beam(f, (log_p, step, 3), "one prefix much better than the others",
                 "rank all len(log_p) × V extensions together: the k best may all extend the same "
                 "prefix (and some prefixes none)")


def _beam_dead(f):
    log_p = np.array([-1.0, -np.inf, -2.0])
    _expect_beam(f, (log_p, _beam_inputs(124, 3, 3)[1], 4), "a finished prefix (log_p = -inf)",
                 "a prefix of log probability -inf has probability 0: none of its extensions may "
                 "be chosen while finite ones remain (and -inf · negative is +inf: add, do not "
                 "multiply)")


QUESTIONS = [
    Question("q1", "masked_loss", [
        Test("a batch without padding", 1, _loss_full),
        Test("the padding is left out", 1, _loss_padding),
        Test("the mean over real steps", 1, _loss_mean),
        Test("sequences of length 1", 1, _loss_one_step),
    ]),
    Question("q2", "final_states", [
        Test("shape and dtype of h_n", 1, _states_shape),
        Test("a batch without padding", 1, _states_full),
        Test("each sequence stops at its length", 1, _states_padded),
        Test("sequences of length 1", 1, _states_one_step),
    ]),
    Question("q3", "beam_step", [
        Test("shapes and integer indices", 1, _beam_shapes),
        Test("the first step", 1, _beam_first),
        Test("log probabilities add up", 1, _beam_accumulate),
        Test("extensions ranked across prefixes", 1, _beam_across),
        Test("a finished prefix is never extended", 1, _beam_dead),
    ]),
]
