"""rnncourse.birnn: the delay-M task, Markov text and its floors, the bidirectional language model."""

import numpy as np
import pytest
import torch

from rnncourse.birnn import (bidirectional_tagger, cloze_entropy, delay_batch, dependency_map,
                             entropy_rate, markov_chain, sample_markov)
from rnncourse.models import BiLM, shift_directions


def test_delay_batch_shapes_and_target():
    x, y = delay_batch(4, 6, 3, rng=0)
    assert x.shape == y.shape == (9, 4, 1) and x.dtype == np.float32
    assert np.all(x[6:] == 0) and np.all(y[:3] == 0)
    raw = x[:6, :, 0].astype(np.float64)
    padded = np.pad(raw, ((1, 1), (0, 0)))
    expected = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    np.testing.assert_allclose(y[3:, :, 0], expected, rtol=1e-6)


def test_delay_batch_rejects_negative_delay():
    with pytest.raises(ValueError, match="M"):
        delay_batch(2, 5, -1, rng=0)


def test_bidirectional_tagger_is_many_to_many():
    model = bidirectional_tagger(1, 3)
    out = model(torch.zeros(5, 2, 1))
    assert out.shape == (5, 2, 1)
    assert model.rnn.bidirectional and model.head.in_features == 6


def test_markov_chain_is_stochastic_and_stationary():
    P, pi = markov_chain(5, seed=1)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)
    assert np.all(P > 0) and abs(pi.sum() - 1) < 1e-12


def test_sample_markov_follows_the_transition_matrix():
    P, pi = markov_chain(3, seed=2, concentration=5.0)   # every state visited often
    tokens = sample_markov(P, pi, T=500, batch=100, rng=0)
    assert tokens.shape == (500, 100) and tokens.dtype == np.int64
    counts = np.zeros((3, 3))
    np.add.at(counts, (tokens[:-1].ravel(), tokens[1:].ravel()), 1)
    np.testing.assert_allclose(counts / counts.sum(axis=1, keepdims=True), P, atol=0.015)


def test_entropy_floors():
    n = 4
    uniform = np.full((n, n), 1 / n)
    pi = np.full(n, 1 / n)
    assert entropy_rate(uniform, pi) == pytest.approx(np.log(n))
    assert cloze_entropy(uniform, pi) == pytest.approx(np.log(n))
    P, pi = markov_chain(6, seed=0)
    assert 0 < cloze_entropy(P, pi) <= entropy_rate(P, pi) <= np.log(6)


def test_shift_directions():
    out = torch.arange(2 * 1 * 4, dtype=torch.float64).reshape(2, 1, 4)   # T=2, H=2
    shifted = shift_directions(out)
    assert shifted[0, 0].tolist() == [0, 0, 6, 7]    # [h_{-}; g_1]
    assert shifted[1, 0].tolist() == [0, 1, 0, 0]    # [h_0; g_{-}]


@pytest.mark.parametrize("mode,layers,reads_answer", [
    ("forward", 2, False), ("bidirectional", 1, True), ("shifted", 1, False), ("shifted", 2, True)])
def test_bilm_who_reads_the_answer(mode, layers, reads_answer):
    torch.manual_seed(0)
    model = BiLM(5, 3, layers, mode).double()
    grid = dependency_map(model.read, T=6, input_size=3)
    offset = 0 if mode == "shifted" else 1
    answer = np.array([grid[t, t + offset] for t in range(6 - offset)])
    assert bool(answer.max() > 0) == reads_answer
    if mode == "forward":
        assert np.allclose(np.triu(grid, 1), 0)       # never reads the future


def test_bilm_loss_and_validation():
    torch.manual_seed(0)
    tokens = torch.randint(0, 5, (7, 3))
    for mode in ("forward", "shifted"):
        model = BiLM(5, 4, 1, mode)
        logits = model(tokens)
        assert logits.shape == (7, 3, 5)
        assert model.loss(logits, tokens).item() == pytest.approx(np.log(5), abs=0.5)
    with pytest.raises(ValueError, match="mode"):
        BiLM(5, 4, mode="backward")
