r"""Variable-length batches: masks, a masked loss, each sequence's last output, and bucketing (chapter 10).

Sequences of different lengths are batched by padding them to the longest (``torch.nn.utils.rnn.
pad_sequence``) and keeping their ``lengths``. Whatever the network computes on the padding must
then be left out:

- :func:`length_mask`: True on the real steps of a padded batch, False on the padding;
- :func:`masked_cross_entropy`: the cross-entropy of the real steps only; with ``reduction='sum'``
  it is the sum of the losses of the sequences computed one at a time, with ``'mean'`` that sum
  divided by the number of real steps (every token weighs the same), with ``'none'`` one sum per
  sequence;
- :func:`last_outputs`: the output of each sequence at its own last step (its final state for a
  one-layer, one-directional network), where ``output[-1]`` would read the padding.

Padding costs time: a batch is computed for ``batch * longest`` steps however short its other
sequences are. Putting sequences of similar length together (bucketing) cuts that waste:

- :func:`random_batches`, :func:`bucket_batches`: batches of indices, in random order or sorted by
  length (and the batches then shuffled);
- :func:`padded_steps`: the steps a list of batches computes once padded.

Layout: time first, ``(seq_len, batch, ...)``, as torch.nn's default; ``batch_first=True`` for
``(batch, seq_len, ...)``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from . import _validate as V


def _lengths(lengths, seq_len=None) -> torch.Tensor:
    """``lengths`` as an int64 tensor of values in 1..seq_len (when given)."""
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.detach().cpu()
    lengths = torch.as_tensor(np.asarray(lengths), dtype=torch.long)
    if lengths.dim() != 1:
        raise ValueError(f"lengths: expected one length per sequence (a 1-D list), got shape "
                         f"{tuple(lengths.shape)}")
    if len(lengths) and lengths.min() < 1:
        raise ValueError(f"lengths: expected lengths of at least 1, got {lengths.tolist()}")
    if seq_len is not None and len(lengths) and lengths.max() > seq_len:
        raise ValueError(f"lengths: expected lengths of at most the padded length {seq_len}, got "
                         f"{lengths.tolist()}")
    return lengths


def length_mask(lengths, seq_len=None, batch_first=False) -> torch.Tensor:
    """Bool mask of the real steps: ``(seq_len, batch)`` (``(batch, seq_len)`` with
    ``batch_first``), True at step ``t`` of sequence ``b`` when ``t < lengths[b]``. ``seq_len``
    defaults to the longest length."""
    lengths = _lengths(lengths, seq_len)
    seq_len = int(lengths.max()) if seq_len is None else V.check_int("seq_len", seq_len)
    mask = torch.arange(seq_len)[:, None] < lengths[None, :]
    return mask.T if batch_first else mask


def masked_cross_entropy(logits, targets, lengths, reduction="mean", batch_first=False):
    """Cross-entropy of the real steps of a padded batch.

    Args:
        logits: ``(seq_len, batch, classes)`` scores (``(batch, seq_len, classes)`` with
            ``batch_first``).
        targets: ``(seq_len, batch)`` int64 classes; any value on the padding (it is not read).
        lengths: the length of each sequence (``batch`` values in 1..seq_len).
        reduction: ``'mean'`` (the sum over real steps divided by their number), ``'sum'``, or
            ``'none'`` (one sum per sequence, shape ``(batch,)``).

    The padding contributes nothing to the loss and receives no gradient.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction: expected 'mean', 'sum' or 'none', got {reduction!r}")
    if logits.dim() != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"logits, targets: expected (seq_len, batch, classes) and (seq_len, batch) "
                         f"(or batch first), got {tuple(logits.shape)} and {tuple(targets.shape)}")
    if batch_first:
        logits, targets = logits.transpose(0, 1), targets.transpose(0, 1)
    T, B = targets.shape
    lengths = _lengths(lengths, T)
    if len(lengths) != B:
        raise ValueError(f"lengths: expected one length per sequence of the batch ({B}), got "
                         f"{len(lengths)}")
    mask = length_mask(lengths, T).to(logits.device)
    safe = targets.masked_fill(~mask, 0)            # any valid class: its loss is masked below
    per_step = F.cross_entropy(logits.reshape(T * B, -1), safe.reshape(-1),
                               reduction="none").view(T, B)
    per_step = per_step.masked_fill(~mask, 0.0)
    if reduction == "none":
        return per_step.sum(0)
    total = per_step.sum()
    return total if reduction == "sum" else total / lengths.sum().to(total.dtype)


def last_outputs(output, lengths, batch_first=False):
    """The output of each sequence at its own last step: ``output[lengths[b] - 1, b]``, shape
    ``(batch, features)``. ``output`` is a padded ``(seq_len, batch, features)`` tensor (or batch
    first)."""
    if output.dim() != 3:
        raise ValueError(f"output: expected (seq_len, batch, features) or batch first, got shape "
                         f"{tuple(output.shape)}")
    if batch_first:
        output = output.transpose(0, 1)
    lengths = _lengths(lengths, output.shape[0])
    if len(lengths) != output.shape[1]:
        raise ValueError(f"lengths: expected one length per sequence of the batch "
                         f"({output.shape[1]}), got {len(lengths)}")
    return output[lengths.to(output.device) - 1, torch.arange(output.shape[1], device=output.device)]


def random_batches(n, batch_size, rng):
    """The indices ``0..n-1`` shuffled and cut into batches of ``batch_size`` (the last may be
    smaller): a list of int64 arrays."""
    n, batch_size = V.check_int("n", n), V.check_int("batch_size", batch_size, low=1)
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def bucket_batches(lengths, batch_size, rng):
    """Batches of sequences of similar length: the indices sorted by length (ties in random order),
    cut into batches of ``batch_size``, and the batches shuffled (so that training does not see the
    short sequences first). A list of int64 arrays."""
    lengths = _lengths(lengths).numpy()
    batch_size = V.check_int("batch_size", batch_size, low=1)
    order = np.lexsort((rng.random(len(lengths)), lengths))      # by length, random among equals
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def padded_steps(batches, lengths) -> int:
    """Steps computed by a list of batches once each is padded to its longest sequence:
    ``sum(len(batch) * max(lengths[batch]))``. (The real steps are ``sum(lengths)``.)"""
    lengths = _lengths(lengths).numpy()
    return int(sum(len(b) * lengths[b].max() for b in batches if len(b)))


__all__ = ["length_mask", "masked_cross_entropy", "last_outputs", "random_batches", "bucket_batches",
           "padded_steps"]
