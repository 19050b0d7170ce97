"""Beam search, greedy search, exhaustive search and the top-k filter (rnncourse.text.decoding), and beam
decoding of the chapter 9 encoder-decoder.

The tiny models are random recurrent decoders in float64: their log-probabilities depend on the whole
prefix through the state, so a search that drops or mixes up a prefix's state gives another answer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnncourse.text import decoding as D
from rnncourse.text import seq2seq


class TinyDecoder:
    """A GRU cell over token embeddings, log-softmax head: ``step(tokens, state)``."""

    def __init__(self, vocab, hidden=5, seed=0, sharpness=2.0):
        g = torch.Generator().manual_seed(seed)
        self.vocab = vocab
        self.embed = torch.randn(vocab + 1, hidden, generator=g, dtype=torch.float64)   # + <sos>
        self.cell = torch.nn.GRUCell(hidden, hidden).double()
        with torch.no_grad():
            for p in self.cell.parameters():
                p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
        self.head = sharpness * torch.randn(vocab, hidden, generator=g, dtype=torch.float64)
        self.calls = 0

    def step(self, tokens, state):
        self.calls += 1
        h = self.cell(self.embed[tokens], state)
        return torch.log_softmax(h @ self.head.T, dim=-1), h

    def initial(self, batch, seed=1):
        g = torch.Generator().manual_seed(seed)
        return torch.randn(batch, self.cell.hidden_size, generator=g, dtype=torch.float64)


SOS_TINY = 3            # the embedding row after the vocabulary's (3 tokens: 0, 1, and 2 = <eos>)


@pytest.mark.parametrize("seed", range(5))
def test_beam_width_1_is_greedy(seed):
    model = TinyDecoder(3, seed=seed)
    state = model.initial(4, seed)
    beam = D.beam_search(model.step, state, 4, SOS_TINY, 2, beam_width=1, max_len=6)
    greedy = D.greedy_search(model.step, state, 4, SOS_TINY, 2, max_len=6)
    for b in range(4):
        assert len(beam[b]) == 1
        assert beam[b][0].tokens == greedy[b].tokens
        assert beam[b][0].length == greedy[b].length
        assert math.isclose(beam[b][0].log_prob, greedy[b].log_prob, abs_tol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("length_penalty", [0.0, 0.7, 1.0])
def test_wide_enough_beam_is_exhaustive_search(seed, length_penalty):
    """With a width of at least vocab ** (max_len - 1) nothing is pruned: every sequence is scored."""
    model = TinyDecoder(3, seed=seed)
    state = model.initial(1, seed)
    exhaustive = D.exhaustive_search(model.step, state, SOS_TINY, 2, 3, max_len=4,
                                     length_penalty=length_penalty)
    assert len(exhaustive) == 1 + 2 + 4 + 8 + 16       # <eos> after 0..3 other tokens, or 4 tokens
    beam = D.beam_search(model.step, state, 1, SOS_TINY, 2, beam_width=27, max_len=4,
                         length_penalty=length_penalty)[0]
    assert [h.tokens for h in beam] == [h.tokens for h in exhaustive]
    for a, b in zip(beam, exhaustive):
        assert math.isclose(a.score, b.score, abs_tol=1e-12) and a.length == b.length
    # the log-probabilities of every sequence sum to 1: they are a distribution over the outputs
    assert math.isclose(sum(math.exp(h.log_prob) for h in exhaustive), 1.0, abs_tol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_a_narrow_beam_never_beats_exhaustive_search_and_greedy_never_beats_a_wide_beam(seed):
    model = TinyDecoder(4, seed=seed, sharpness=1.0)
    state = model.initial(1, seed)
    best = D.exhaustive_search(model.step, state, 4, 3, 4, max_len=4)[0]
    scores = {k: D.beam_search(model.step, state, 1, 4, 3, beam_width=k, max_len=4)[0][0].score
              for k in (1, 2, 4, 64)}
    assert all(s <= best.score + 1e-12 for s in scores.values())
    assert math.isclose(scores[64], best.score, abs_tol=1e-12)


def test_the_beam_keeps_each_prefix_with_its_own_state():
    """Sharp decoders whose next token depends strongly on the state: a search that reordered the
    tokens but not the state would score its sequences with another prefix's probabilities, and its
    log-probabilities would not be those the exhaustive search computes for the same tokens."""
    for seed in range(6):
        model = TinyDecoder(3, hidden=4, seed=seed, sharpness=3.0)
        state = model.initial(1, seed)
        every = {tuple(h.tokens) + (h.length,): h.log_prob
                 for h in D.exhaustive_search(model.step, state, SOS_TINY, 2, 3, max_len=5)}
        for h in D.beam_search(model.step, state, 1, SOS_TINY, 2, beam_width=4, max_len=5)[0]:
            assert math.isclose(h.log_prob, every[tuple(h.tokens) + (h.length,)], abs_tol=1e-12)


def test_sources_of_a_batch_are_decoded_independently():
    model = TinyDecoder(3, seed=3)
    state = model.initial(5, 3)
    together = D.beam_search(model.step, state, 5, SOS_TINY, 2, beam_width=3, max_len=6)
    for b in range(5):
        alone = D.beam_search(model.step, state[b:b + 1], 1, SOS_TINY, 2, beam_width=3, max_len=6)[0]
        assert [h.tokens for h in alone] == [h.tokens for h in together[b]]


def test_length_penalty_divides_by_the_length():
    model = TinyDecoder(3, seed=4)
    state = model.initial(1, 4)
    plain = D.exhaustive_search(model.step, state, SOS_TINY, 2, 3, max_len=4)
    normalised = D.exhaustive_search(model.step, state, SOS_TINY, 2, 3, max_len=4, length_penalty=1.0)
    by_tokens = {tuple(h.tokens): h for h in plain}
    for h in normalised:
        assert math.isclose(h.score, by_tokens[tuple(h.tokens)].log_prob / h.length, abs_tol=1e-12)
    # without normalisation the shortest output (<eos> first) is favoured over long ones on average
    mean_len = lambda hs, n: sum(h.length for h in hs[:n]) / n
    assert mean_len(plain, 5) <= mean_len(normalised, 5)


def test_beam_search_arguments_are_checked():
    model = TinyDecoder(3)
    with pytest.raises(ValueError, match="beam_width"):
        D.beam_search(model.step, model.initial(1), 1, SOS_TINY, 2, beam_width=0, max_len=3)
    with pytest.raises(TypeError, match="beam_width"):
        D.beam_search(model.step, model.initial(1), 1, SOS_TINY, 2, beam_width=2.5, max_len=3)
    with pytest.raises(ValueError, match="max_len"):
        D.beam_search(model.step, model.initial(1), 1, SOS_TINY, 2, beam_width=2, max_len=0)
    with pytest.raises(ValueError, match="length_penalty"):
        D.beam_search(model.step, model.initial(1), 1, SOS_TINY, 2, 2, 3, length_penalty=-1.0)
    with pytest.raises(ValueError, match="max_len"):
        D.exhaustive_search(model.step, model.initial(1), SOS_TINY, 2, 30, max_len=10)


def test_top_k_filter():
    logits = torch.tensor([[1.0, 3.0, 2.0, 0.5], [0.0, -1.0, 5.0, 4.0]])
    kept = D.top_k_filter(logits, 2)
    assert torch.equal(torch.isfinite(kept), torch.tensor([[False, True, True, False],
                                                            [False, False, True, True]]))
    p, q = torch.softmax(kept, -1), torch.softmax(logits, -1)
    assert torch.allclose(p[0, 1] / p[0, 2], q[0, 1] / q[0, 2])        # same proportions
    assert torch.equal(D.top_k_filter(logits, None), logits)
    assert torch.equal(D.top_k_filter(logits, 4), logits)
    with pytest.raises(ValueError, match="k"):
        D.top_k_filter(logits, 0)


def test_seq2seq_beam_decoding_width_1_is_greedy_decoding():
    torch.manual_seed(0)
    for attention in (False, True):
        model = seq2seq.Seq2Seq(hidden_size=16, attention=attention)
        src, tgt = seq2seq.reversal_batch(12, (3, 7), np.random.default_rng(0))
        assert seq2seq.beam_decode(model, src, 1) == seq2seq.greedy_decode(model, src)
        assert seq2seq.exact_match(model, [(src, tgt)], beam_width=1) == seq2seq.exact_match(model, [(src, tgt)])


def test_seq2seq_beam_decoding_wide_beam_finds_the_most_likely_output():
    """On an untrained model of 2-digit strings, width 11 ** 2 keeps every prefix of the 3 steps: the
    beam's best equals the exhaustive search's, and its log-probability equals the model's own
    teacher-forced log-probability of that output."""
    torch.manual_seed(1)
    model = seq2seq.Seq2Seq(hidden_size=8).eval()
    src = torch.from_numpy(np.array([[3, 1]]))
    best = seq2seq.beam_decode(model, src, 121, all_hypotheses=True)[0][0]
    enc, s = model.encoder(src)

    def step(token, state):
        s, enc, mask = state
        z, s, _ = model.step(token, s, enc, mask)
        return torch.log_softmax(z, -1), (s, enc, mask)

    with torch.no_grad():
        exhaustive = D.exhaustive_search(step, (s, enc, src != seq2seq.PAD), seq2seq.SOS, seq2seq.EOS,
                                         seq2seq.VOCAB, max_len=3)[0]
        assert best.tokens == exhaustive.tokens
        assert math.isclose(best.log_prob, exhaustive.log_prob, abs_tol=1e-5)
        tgt = torch.tensor([best.tokens + ([seq2seq.EOS] if best.length > len(best.tokens) else [])])
        forced = torch.log_softmax(model(src, tgt), -1)[0, torch.arange(tgt.shape[1]), tgt[0]].sum()
        assert math.isclose(forced.item(), best.log_prob, abs_tol=1e-5)
