"""Variable-length batches, shared by both backends: lengths, and the layout of a ``PackedSequence``.

A batch of sequences of different lengths is a padded array ``(seq_len, batch, features)`` and one
length per sequence. torch.nn stores the same batch as a ``PackedSequence``: its ``data`` holds the
steps of all sequences without the padding, step by step, and at step ``t`` only the ``batch_sizes[t]``
sequences still running, in the order ``sorted_indices`` (longest first). The functions here turn one
form into the other with index arrays (``packed_layout``), so that each backend moves its own arrays
(NumPy arrays, or tensors that keep their gradients) by indexing; none of them imports torch
(a ``PackedSequence`` is recognised by its fields, ``is_packed``).

The semantics of a variable-length batch, the same in both backends and in torch.nn: the output past
the end of a sequence is zero, the final state of each sequence is the one after its own last step
(for the reverse direction, after its first), and the padding receives no gradient and gives none.
"""

from __future__ import annotations

import numpy as np

from . import _validate as V
from .errors import ShapeError


def is_packed(x) -> bool:
    """True for a ``torch.nn.utils.rnn.PackedSequence`` (recognised by its type name and fields)."""
    return type(x).__name__ == "PackedSequence" and hasattr(x, "batch_sizes") and hasattr(x, "data")


def packed_layout(packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t_index, b_index, lengths)`` of a ``PackedSequence``: row ``n`` of ``packed.data`` is step
    ``t_index[n]`` of sequence ``b_index[n]`` (batch positions in the caller's order), and
    ``lengths[b]`` is the length of sequence ``b``.

    A padded ``(seq_len, batch, F)`` array ``x`` gives the packed data as ``x[t_index, b_index]``.
    """
    sizes = np.asarray(V.to_numpy(packed.batch_sizes)).astype(np.int64)
    if sizes.ndim != 1 or len(sizes) == 0 or sizes[-1] < 1 or np.any(np.diff(sizes) > 0):
        raise ShapeError(f"input: a PackedSequence needs batch_sizes, a 1-D non-increasing sequence of "
                         f"positive counts, got {sizes.tolist()}")
    batch = int(sizes[0])
    order = (np.arange(batch) if packed.sorted_indices is None
             else np.asarray(V.to_numpy(packed.sorted_indices)).astype(np.int64))
    if sorted(order.tolist()) != list(range(batch)):
        raise ShapeError(f"input: the sorted_indices of a PackedSequence must be a permutation of "
                         f"0..{batch - 1}, got {order.tolist()}")
    rows = int(sizes.sum())
    if packed.data.ndim != 2 or packed.data.shape[0] != rows:
        raise ShapeError(f"input: the data of a PackedSequence must be 2-D with sum(batch_sizes) = {rows} "
                         f"rows, got {V.describe(packed.data)}")
    offsets = np.cumsum(sizes) - sizes
    rank = np.arange(rows) - np.repeat(offsets, sizes)       # position within its step, longest first
    lengths = np.empty(batch, np.int64)
    lengths[order] = (sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    return np.repeat(np.arange(len(sizes)), sizes), order[rank], lengths


def check_lengths(lengths, seq_len: int, batch: int, batched: bool):
    """``lengths``, one per sequence of the batch, each in 1..seq_len -> an int64 array (None stays None).

    A list, a NumPy array or a torch tensor of integers; only for a batched input.
    """
    if lengths is None:
        return None
    if not batched:
        raise ValueError("lengths: only for a batched input (an unbatched input is one sequence of its "
                         f"own length); got lengths={lengths!r} with an unbatched input")
    values = np.asarray(V.to_numpy(lengths))
    if values.dtype == object or not (np.issubdtype(values.dtype, np.integer) or values.size == 0):
        raise TypeError(f"lengths: expected integers, one per sequence of the batch, got "
                        f"{V.describe(values) if hasattr(values, 'dtype') else repr(lengths)}")
    if values.shape != (batch,):
        raise ShapeError(f"lengths: expected shape ({batch},), one length per sequence of the batch, "
                         f"got {V.describe(values)}")
    if values.size and (values.min() < 1 or values.max() > seq_len):
        raise ValueError(f"lengths: expected every length in 1..{seq_len} (the padded seq_len), "
                         f"got {values.tolist()}")
    return values.astype(np.int64)


def valid_steps(lengths, seq_len: int) -> np.ndarray:
    """(seq_len, batch) bool: step ``t`` of sequence ``b`` is inside it (``t < lengths[b]``)."""
    return np.arange(seq_len)[:, None] < lengths[None, :]


def reversed_steps(lengths, seq_len: int) -> np.ndarray:
    """(seq_len, batch) time index that reads each sequence from its own last step back to its first,
    then its padding: ``x[reversed_steps(lengths, T), arange(B)]``. Applied twice, it is the identity."""
    t = np.arange(seq_len)[:, None]
    return np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
