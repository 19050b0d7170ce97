"""Overfitting runs of chapter 10 (rnncourse.text.regularisation): the small data set, the loss on it,
early stopping, a short seeded run."""

from __future__ import annotations

import pytest
import torch

from rnncourse.text import charlm
from rnncourse.text import regularisation as R


def test_small_corpus_is_fixed_and_made_of_text_windows():
    ids = torch.arange(1000)
    a, b = R.small_corpus(ids, 10, 9), R.small_corpus(ids, 10, 9)
    assert a.shape == (10, 10) and torch.equal(a, b)
    assert torch.equal(a[:, 1:] - a[:, :-1], torch.ones(10, 9, dtype=torch.long))   # contiguous
    assert len(set(a[:, 0].tolist())) == 10 and (a[:, 0] % 10 == 0).all()          # no overlap
    with pytest.raises(ValueError, match="n_windows"):
        R.small_corpus(ids, 200, 9)


def test_early_stop():
    valid = [3.0, 2.5, 2.2, 2.3, 2.25, 2.4, 2.1, 2.6]
    assert R.early_stop(valid, patience=2) == (4, 2)      # 2.3 and 2.25 do not beat 2.2
    assert R.early_stop(valid, patience=3) == (5, 2)
    assert R.early_stop(valid, patience=4) == (7, 6)      # the 2.1 came in time: to the end
    assert R.early_stop([1.0], 1) == (0, 0)
    with pytest.raises(ValueError, match="valid"):
        R.early_stop([], 2)


def test_window_loss_reads_each_window_from_zero_state_in_eval_mode():
    torch.manual_seed(0)
    model = charlm.CharLM(7, 5, embed_size=3, dropout=0.5).train()
    windows = torch.randint(0, 7, (4, 6))
    loss = R.window_loss(model, windows)
    assert model.training                                 # mode restored
    model.eval()
    one = sum(torch.nn.functional.cross_entropy(model(w[None, :-1])[0][0], w[1:], reduction="sum").item()
              for w in windows) / (4 * 5)
    assert loss == pytest.approx(one, abs=1e-6)


def test_regularisation_run_is_seeded_and_records_both_curves():
    a = R.regularisation_run(0.3, 0.1, seed=1, steps=12, eval_every=5, n_windows=40, hidden_size=8,
                             embed_size=4, batch_size=8, valid_chars=500)
    b = R.regularisation_run(0.3, 0.1, seed=1, steps=12, eval_every=5, n_windows=40, hidden_size=8,
                             embed_size=4, batch_size=8, valid_chars=500)
    assert a.metrics == b.metrics and a.metrics["steps"] == [5, 10, 12]
    assert a.test == a.metrics["valid"][-1] and len(a.curve) == 1
