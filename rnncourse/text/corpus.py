"""Text corpora of chapter 9, their character vocabulary, and mini-batches of character windows.

- :func:`english_text`: the prose of Python's own documentation topics (``pydoc_data.topics``,
  about 465K characters, present in every CPython install, so nothing is downloaded).
- :func:`tang_poems`: the five-character Tang poems shipped in ``data/tang5.txt.gz``
  (built by ``scripts/build_tang_corpus.py``; see ``data/ATTRIBUTION.md``).
- :class:`Vocab`: characters <-> integer ids.
- :func:`split`, :func:`random_windows`: a train/validation split and random training windows;
  :func:`stream_batches`: the text as contiguous streams read a window at a time (stateful
  training, chapter 10).
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np
import torch

from .. import _validate as V

UNK = "\ufffd"          # stands for any character the vocabulary does not hold
PUNCTUATION = "，。"    # the two marks that end the half-lines of a Tang poem


def english_text():
    """The pydoc topics of this Python, sorted by name and joined by blank lines (one string).

    The exact text depends on the Python version (3.11 here): the checkpoints record which.
    """
    from pydoc_data.topics import topics
    return "\n\n".join(topics[name] for name in sorted(topics))


@dataclass(frozen=True)
class Poem:
    author: str
    title: str
    body: str           # e.g. "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"

    @property
    def lines(self):
        """The half-lines of the poem, punctuation removed (each has 5 characters)."""
        return lines_of(self.body)


def tang_poems():
    """The shipped five-character Tang poems (traditional characters), a list of :class:`Poem`."""
    path = resources.files("rnncourse.text") / "data" / "tang5.txt.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        return [Poem(*line.rstrip("\n").split("\t")) for line in f if line.strip()]


def lines_of(body):
    """Split a poem body at ，and 。 into its half-lines (empty pieces dropped)."""
    for mark in PUNCTUATION[1:]:
        body = body.replace(mark, PUNCTUATION[0])
    return [piece for piece in body.split(PUNCTUATION[0]) if piece]


def is_five_character(body):
    """True when ``body`` is 4 or 8 half-lines of 5 characters marked ，。，。... (a quatrain or a
    regulated verse of the shipped corpus)."""
    if len(body) not in (24, 48):
        return False
    for k in range(0, len(body), 6):
        line, mark = body[k:k + 5], body[k + 5]
        if mark != PUNCTUATION[(k // 6) % 2] or any(c in PUNCTUATION + "\n" for c in line):
            return False
    return True


class Vocab:
    """A character vocabulary: ``encode`` text to ids, ``decode`` ids to text.

    Characters outside the vocabulary map to ``UNK`` (always the last id).
    """

    def __init__(self, chars):
        chars = [c for c in dict.fromkeys(chars) if c != UNK] + [UNK]
        self.chars = "".join(chars)
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.unk = self.index[UNK]

    @classmethod
    def from_text(cls, text, max_size=None):
        """The characters of ``text``, most frequent first (ties by code point), at most
        ``max_size`` of them, plus ``UNK``."""
        counts = {}
        for c in text:
            counts[c] = counts.get(c, 0) + 1
        chars = sorted(counts, key=lambda c: (-counts[c], c))
        return cls(chars[:max_size] if max_size else chars)

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """int64 tensor of ids."""
        return torch.tensor([self.index.get(c, self.unk) for c in text], dtype=torch.long)

    def decode(self, ids):
        return "".join(self.chars[int(i)] for i in ids)

    def __repr__(self):
        return f"Vocab({len(self)} characters)"


def split(ids, valid_fraction=0.1):
    """(train, valid): the last ``valid_fraction`` of the sequence is held out (no shuffling, so no
    window of the validation text was seen in training)."""
    if not 0 < valid_fraction < 1:
        raise ValueError(f"valid_fraction: expected a number in (0, 1), got {valid_fraction!r}")
    cut = int(len(ids) * (1 - valid_fraction))
    return ids[:cut], ids[cut:]


@functools.lru_cache(maxsize=1)
def english_split():
    """``(vocab, train_ids, valid_ids)`` of chapters 9 and 10: the pydoc text of
    :func:`english_text`, its last tenth held out (:func:`split`)."""
    text = english_text()
    vocab = Vocab.from_text(text)
    train_ids, valid_ids = split(vocab.encode(text), valid_fraction=0.1)
    return vocab, train_ids, valid_ids


def random_windows(ids, batch_size, seq_len, rng):
    """``batch_size`` random windows of ``seq_len + 1`` characters: inputs ``x`` and next-character
    targets ``y``, both (batch_size, seq_len) int64."""
    if len(ids) <= seq_len + 1:
        raise ValueError(f"ids: need more than seq_len + 1 = {seq_len + 1} ids, got {len(ids)}")
    starts = rng.integers(0, len(ids) - seq_len - 1, size=batch_size)
    windows = torch.stack([ids[s:s + seq_len + 1] for s in starts.tolist()])
    return windows[:, :-1], windows[:, 1:]


def stream_batches(ids, batch_size, seq_len):
    """The text cut into ``batch_size`` contiguous streams, read ``seq_len`` characters at a time.

    An endless generator of ``(x, y, first)``: ``x`` (batch_size, seq_len) the next window of each
    stream, ``y`` the same shifted by one character, ``first`` True when the window is the first
    of a pass through the streams (the carried state must then be reset: the streams start again).
    Row ``b`` of one batch continues row ``b`` of the batch before, so the final state of one batch
    is the right initial state of the next (truncated backpropagation through time).
    """
    batch_size = V.check_int("batch_size", batch_size, low=1)
    seq_len = V.check_int("seq_len", seq_len, low=1)
    n = len(ids) // batch_size
    if n < seq_len + 1:
        raise ValueError(f"ids: need at least batch_size * (seq_len + 1) = "
                         f"{batch_size * (seq_len + 1)} ids, got {len(ids)}")
    streams = ids[:n * batch_size].view(batch_size, n)
    position = 0
    while True:
        first = position == 0
        yield streams[:, position:position + seq_len], streams[:, position + 1:position + seq_len + 1], first
        position += seq_len
        if position + seq_len + 1 > n:          # end of the streams: start again from zero
            position = 0
