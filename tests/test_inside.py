"""Looking inside a character model (rnncourse.text.inside): the cell states recovered from the fused
LSTM equal the reference step's, the features and correlations are what they say."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncourse.gates import lstm_gates
from rnncourse.text import charlm, inside
from rnncourse.text.corpus import Vocab


def test_cell_states_equal_the_reference_lstm_step():
    torch.manual_seed(0)
    vocab = Vocab("abc (\")\n")
    model = charlm.CharLM(len(vocab), 6, embed_size=4)
    text = 'ab "c" (a)\nb'
    h, c = inside.cell_states(model, vocab, text)
    with torch.no_grad():
        x = model.embed(vocab.encode(text))
    ref = lstm_gates(model.rnn, x.numpy())
    np.testing.assert_allclose(c, ref["c"], atol=1e-5)
    np.testing.assert_allclose(h, ref["h"], atol=1e-5)
    assert h.shape == c.shape == (len(text), 6)
    with pytest.raises(ValueError, match="model"):
        inside.cell_states(charlm.CharLM(len(vocab), 6, kind="gru"), vocab, text)


def test_text_features():
    f = inside.text_features('a "bc" (d)\nxy')
    assert f["inside quotes"].tolist() == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert f["inside parentheses"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    assert f["position in line"].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1]
    assert f["position in word"].tolist() == [1, 0, 0, 1, 2, 0, 0, 0, 1, 0, 0, 1, 2]


def test_correlations():
    rng = np.random.default_rng(0)
    feature = rng.normal(size=200)
    states = np.stack([feature * 3 + 1, -feature, rng.normal(size=200), np.ones(200)], axis=1)
    r = inside.correlations(states, feature)
    np.testing.assert_allclose(r[:2], [1, -1], atol=1e-12)
    assert abs(r[2]) < 0.3 and r[3] == 0
    np.testing.assert_allclose(r[2], np.corrcoef(states[:, 2], feature)[0, 1], atol=1e-12)


def test_known_word_fraction():
    assert inside.known_word_fraction("the cat, teh dog!", {"the", "cat", "dog"}) == 0.75
    assert inside.known_word_fraction("  ...", {"the"}) == 0.0
