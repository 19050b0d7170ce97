"""Variable-length batches (rnncourse.batching): the masked loss equals the losses of the sequences
computed one by one, the last outputs are the states after each sequence's own last step, bucketing
pads less."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from rnncourse import batching as B

LENGTHS = [5, 2, 7, 1]


def padded_problem(seed=0, classes=6):
    g = torch.Generator().manual_seed(seed)
    T, batch = max(LENGTHS), len(LENGTHS)
    logits = torch.randn(T, batch, classes, generator=g, dtype=torch.float64, requires_grad=True)
    targets = torch.randint(0, classes, (T, batch), generator=g)
    return logits, targets


def test_length_mask():
    mask = B.length_mask([3, 1, 2])
    assert mask.tolist() == [[True, True, True], [True, False, True], [True, False, False]]
    assert B.length_mask([3, 1], seq_len=4, batch_first=True).tolist() == \
        [[True, True, True, False], [True, False, False, False]]


def test_masked_loss_is_the_sum_of_the_per_sequence_losses():
    logits, targets = padded_problem()
    one_by_one = [F.cross_entropy(logits[:n, b], targets[:n, b], reduction="sum")
                  for b, n in enumerate(LENGTHS)]
    total = B.masked_cross_entropy(logits, targets, LENGTHS, reduction="sum")
    assert abs(total.item() - sum(v.item() for v in one_by_one)) < 1e-12
    per_sequence = B.masked_cross_entropy(logits, targets, LENGTHS, reduction="none")
    assert torch.allclose(per_sequence, torch.stack(one_by_one), atol=1e-12, rtol=0)
    mean = B.masked_cross_entropy(logits, targets, LENGTHS)
    assert abs(mean.item() - total.item() / sum(LENGTHS)) < 1e-12
    # the torch.nn idiom: padded targets set to ignore_index give the same mean
    ignored = targets.masked_fill(~B.length_mask(LENGTHS), -100)
    assert abs(F.cross_entropy(logits.flatten(0, 1), ignored.flatten()).item() - mean.item()) < 1e-12
    # and the unmasked mean is a different number
    assert abs(F.cross_entropy(logits.flatten(0, 1), targets.flatten()).item() - mean.item()) > 1e-3


def test_masked_loss_ignores_the_padding_and_gives_it_no_gradient():
    logits, targets = padded_problem(1)
    loss = B.masked_cross_entropy(logits, targets, LENGTHS)
    loss.backward()
    mask = B.length_mask(LENGTHS)
    assert (logits.grad[~mask] == 0).all() and (logits.grad[mask].abs().sum(-1) > 0).all()
    changed = logits.detach().clone()
    changed[~mask] = 1e6
    scrambled = targets.masked_fill(~mask, 5)
    assert B.masked_cross_entropy(changed, scrambled, LENGTHS).item() == pytest.approx(loss.item(), abs=1e-12)


def test_masked_loss_batch_first():
    logits, targets = padded_problem(2)
    a = B.masked_cross_entropy(logits, targets, LENGTHS)
    b = B.masked_cross_entropy(logits.transpose(0, 1), targets.T, LENGTHS, batch_first=True)
    assert a.item() == pytest.approx(b.item(), abs=1e-12)


def test_masked_loss_errors():
    logits, targets = padded_problem()
    with pytest.raises(ValueError, match="reduction"):
        B.masked_cross_entropy(logits, targets, LENGTHS, reduction="avg")
    with pytest.raises(ValueError, match="lengths"):
        B.masked_cross_entropy(logits, targets, [5, 2, 7])
    with pytest.raises(ValueError, match="lengths"):
        B.masked_cross_entropy(logits, targets, [5, 2, 8, 1])
    with pytest.raises(ValueError, match="lengths"):
        B.masked_cross_entropy(logits, targets, [5, 0, 7, 1])
    with pytest.raises(ValueError, match="targets"):
        B.masked_cross_entropy(logits, targets[:, :2], LENGTHS)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_last_outputs_are_the_final_states_of_a_packed_run(kind):
    torch.manual_seed(0)
    rnn = getattr(torch.nn, kind)(3, 4).double()
    seqs = [torch.randn(n, 3, dtype=torch.float64) for n in LENGTHS]
    x = pad_sequence(seqs)
    out, _ = rnn(x)
    _, state = rnn(pack_padded_sequence(x, LENGTHS, enforce_sorted=False))
    h_n = state[0] if kind == "LSTM" else state
    assert torch.allclose(B.last_outputs(out, LENGTHS), h_n[0], atol=1e-12)
    alone = torch.stack([rnn(s)[0][-1] for s in seqs])
    assert torch.allclose(B.last_outputs(out, LENGTHS), alone, atol=1e-12)
    assert not torch.allclose(out[-1], alone, atol=1e-3)          # output[-1] reads the padding
    assert torch.equal(B.last_outputs(out.transpose(0, 1), LENGTHS, batch_first=True),
                       B.last_outputs(out, LENGTHS))


def test_bucketing_pads_less_and_covers_every_sequence_once():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 80, size=500)
    random = B.random_batches(len(lengths), 32, np.random.default_rng(1))
    bucketed = B.bucket_batches(lengths, 32, np.random.default_rng(1))
    for batches in (random, bucketed):
        assert sorted(np.concatenate(batches).tolist()) == list(range(500))
        assert all(len(b) == 32 for b in batches[:-1] if len(b) != 500 % 32)
    real = int(lengths.sum())
    assert B.padded_steps(bucketed, lengths) < B.padded_steps(random, lengths)
    assert B.padded_steps(bucketed, lengths) < 1.1 * real < B.padded_steps(random, lengths)
    # within a bucketed batch the lengths are close: sorted order cut into consecutive pieces
    spans = [lengths[b].max() - lengths[b].min() for b in bucketed]
    assert max(spans) <= 6
    # the order of the batches is shuffled, not shortest first
    firsts = [lengths[b].min() for b in bucketed]
    assert firsts != sorted(firsts)


def test_padded_steps_counts_batch_times_longest():
    assert B.padded_steps([np.array([0, 1]), np.array([2])], [3, 5, 2]) == 2 * 5 + 2
