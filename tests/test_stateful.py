"""Stateful training (rnncourse.stateful, corpus.stream_batches): the streams continue from batch to
batch, detach cuts the gradient at the batch boundary, the graph grows without it, reset_state equals
a fresh start."""

from __future__ import annotations

import pytest
import torch

from rnncourse import stateful as S
from rnncourse.text.corpus import stream_batches


def test_stream_batches_continue_each_row():
    ids = torch.arange(103)
    batches = stream_batches(ids, batch_size=4, seq_len=5)
    x1, y1, first1 = next(batches)
    x2, y2, first2 = next(batches)
    assert first1 and not first2
    assert x1.shape == (4, 5) and torch.equal(y1, x1 + 1)
    assert torch.equal(x2[:, 0], x1[:, -1] + 1)          # row b goes on where it stopped
    assert torch.equal(x1[:, 0], torch.tensor([0, 25, 50, 75]))
    for _ in range(3):
        x, y, first = next(batches)
    assert first and torch.equal(x, x1)      # 25 ids per stream: 4 windows of 5 (+ 1 target), then again
    with pytest.raises(ValueError, match="ids"):
        next(stream_batches(torch.arange(10), batch_size=4, seq_len=5))


def _two_batches(detach, retain=False):
    torch.manual_seed(0)
    rnn = torch.nn.GRU(2, 3, batch_first=True)
    x = torch.randn(2, 8, 2)
    first = x[:, :4].clone().requires_grad_(True)
    out, h = rnn(first)
    out.sum().backward(retain_graph=retain)
    h = S.detach_state(h) if detach else h
    out2, h2 = rnn(x[:, 4:], h)
    return first, out2, h2


def test_detach_cuts_the_gradient_at_the_batch_boundary():
    first, out2, _ = _two_batches(detach=True)
    first.grad = None
    out2.sum().backward()
    assert first.grad is None                                        # nothing reached batch 1
    first, out2, _ = _two_batches(detach=False, retain=True)
    first.grad = None
    out2.sum().backward()
    assert first.grad is not None and first.grad.abs().sum() > 0     # it reached batch 1


def test_without_detach_the_second_backward_fails():
    _, out2, _ = _two_batches(detach=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out2.sum().backward()


def test_graph_grows_with_every_undetached_batch():
    torch.manual_seed(0)
    rnn = torch.nn.GRU(2, 3, batch_first=True)
    sizes = {True: [], False: []}
    for detach in (True, False):
        h = None
        for _ in range(4):
            out, h = rnn(torch.randn(2, 5, 2), h)
            sizes[detach].append(S.graph_size(out.sum()))
            h = S.detach_state(h) if detach else h
    assert len(set(sizes[True])) == 1
    steps = [b - a for a, b in zip(sizes[False], sizes[False][1:])]
    assert len(set(steps)) == 1 and steps[0] > 0                   # the same growth per batch
    assert S.graph_size(torch.zeros(3)) == 0
    with pytest.raises(TypeError, match="tensor"):
        S.graph_size([1.0])


def test_saved_tensors_counts_what_autograd_keeps():
    w = torch.randn(4, 4, requires_grad=True)
    with S.SavedTensors() as saved:
        y = (torch.randn(10, 4) @ w).tanh().sum()
    assert saved.count >= 2 and saved.bytes >= 10 * 4 * 4           # the input of @, tanh's output
    with S.SavedTensors() as none:
        with torch.no_grad():
            (torch.randn(10, 4) @ w).tanh()
    assert none.count == 0 and none.bytes == 0
    y.backward()


def test_detach_state_keeps_the_structure():
    h, c = torch.randn(1, 2, 3, requires_grad=True) * 2, torch.randn(1, 2, 3, requires_grad=True) * 2
    dh, dc = S.detach_state((h, c))
    assert not dh.requires_grad and torch.equal(dh, h) and torch.equal(dc, c)
    assert S.detach_state(None) is None


def test_reset_state_is_a_fresh_start_for_the_reset_sequences():
    torch.manual_seed(1)
    lstm = torch.nn.LSTM(2, 3, batch_first=True)
    _, state = lstm(torch.randn(3, 6, 2))
    x = torch.randn(3, 4, 2)
    keep = torch.tensor([True, False, True])
    out, _ = lstm(x, S.reset_state(state, keep))
    fresh, _ = lstm(x[1:2])
    carried, _ = lstm(x, state)
    assert torch.allclose(out[1], fresh[0], atol=1e-6)
    assert torch.allclose(out[[0, 2]], carried[[0, 2]], atol=1e-6)
    assert not torch.allclose(carried[1], fresh[0], atol=1e-3)    # carried state leaks into it
    with pytest.raises(ValueError, match="keep"):
        S.reset_state(state, torch.tensor([True, False]))
