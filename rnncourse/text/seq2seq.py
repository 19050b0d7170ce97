r"""Sequence to sequence on a toy task: an encoder-decoder, teacher forcing, greedy decoding and
content-based attention (chapter 9).

Task: reverse a string of digits, ``3 1 4 1 5 -> 5 1 4 1 3``. The encoder reads the source; the
decoder starts from ``<sos>`` and emits one digit at a time, then ``<eos>``.

Training batches mix strings of different lengths (:func:`reversal_batch` with a range of
lengths): sources and targets are padded with ``<pad>``; the encoder packs the batch
(``pack_padded_sequence``) so that its final state is each string's own, attention gives no weight
to the padding, and the loss leaves the padded target positions out (``ignore_index=PAD``).

Attention (additive, Bahdanau et al. 2015): at output step :math:`t` the decoder state
:math:`s_{t-1}` scores every encoder output :math:`h_j`,

.. math::
    e_{tj} = v^\top \tanh(W_s s_{t-1} + W_h h_j), \qquad
    \alpha_{tj} = \frac{\exp e_{tj}}{\sum_k \exp e_{tk}}, \qquad c_t = \sum_j \alpha_{tj} h_j,

and the context :math:`c_t` joins the decoder's input and its output layer.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..models import recurrent_cell, recurrent_layer
from ..train import progress_bar

SOS, EOS, PAD = 10, 11, 12  # digits are the ids 0..9; PAD fills a string past its end
VOCAB = 13


def reversal_batch(batch_size, length, rng):
    """Source (batch, S) random digits and target (batch, S + 1): reversed, then <eos>.

    ``length``: an int (every string that long, S = length), or a pair ``(low, high)``: each
    string's length drawn in low..high (inclusive), S the longest; past its end a source and its
    target are filled with ``PAD``.
    """
    if isinstance(length, (int, np.integer)):
        src = torch.from_numpy(rng.integers(0, 10, size=(batch_size, length)))
        eos = torch.full((batch_size, 1), EOS)
        return src, torch.cat([src.flip(1), eos], dim=1)
    low, high = length
    lengths = rng.integers(low, high + 1, size=batch_size)
    digits = rng.integers(0, 10, size=(batch_size, int(lengths.max())))
    src = torch.full((batch_size, int(lengths.max())), PAD)
    tgt = torch.full((batch_size, int(lengths.max()) + 1), PAD)
    for b, n in enumerate(lengths.tolist()):
        src[b, :n] = torch.from_numpy(digits[b, :n])
        tgt[b, :n] = src[b, :n].flip(0)
        tgt[b, n] = EOS
    return src, tgt


def reversal_test_set(n_per_length, lengths, seed=1):
    """A fixed test set: list of (src, tgt) batches, one per length."""
    rng = np.random.default_rng(seed)
    return [reversal_batch(n_per_length, n, rng) for n in lengths]


class Encoder(nn.Module):
    """Embedding -> GRU over the packed batch. Returns all outputs (batch, S, hidden), zero past
    the end of each string, and the final state (batch, hidden): each string's own, after its last
    digit."""

    def __init__(self, hidden_size, embed_size=16, backend="torch.nn"):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, embed_size, padding_idx=PAD)
        self.rnn = recurrent_layer("gru", embed_size, hidden_size, backend, batch_first=True)

    def forward(self, src):
        lengths = (src != PAD).sum(1).cpu()
        packed = pack_padded_sequence(self.embed(src), lengths, batch_first=True, enforce_sorted=False)
        out, h = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return out, h[0]


class Attention(nn.Module):
    """Additive content-based attention: weights over the encoder outputs for one decoder state."""

    def __init__(self, hidden_size):
        super().__init__()
        self.W_s = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_h = nn.Linear(hidden_size, hidden_size, bias=True)
        self.v = nn.Linear(hidden_size, 1, bias=False)

    def forward(self, s, enc, mask=None):
        """``s`` (batch, hidden), ``enc`` (batch, S, hidden) -> context (batch, hidden) and
        weights alpha (batch, S). ``mask`` (batch, S) bool: False where ``enc`` is padding, which
        then gets weight 0."""
        scores = self.v(torch.tanh(self.W_s(s)[:, None] + self.W_h(enc)))[..., 0]
        if mask is not None:
            scores = scores.masked_fill(~mask, -torch.inf)
        alpha = torch.softmax(scores, dim=1)
        return (alpha[..., None] * enc).sum(1), alpha


class Seq2Seq(nn.Module):
    """GRU encoder and GRU-cell decoder, with or without attention.

    ``forward(src, tgt, teacher_forcing)`` returns the logits (batch, T, VOCAB) of the T = tgt
    length output steps. With ``teacher_forcing=True`` the decoder's input at step t is the true
    token t-1 (``<sos>`` first); otherwise it is the decoder's own most likely previous token, as
    at test time. ``self.alphas`` keeps the attention weights (batch, T, S) of the last call.
    Sources may be padded with ``PAD`` (a batch of strings of different lengths): the encoder
    reads each string exactly, and attention ignores the padding. A padded target (``PAD`` past
    each ``<eos>``) gives logits past the end that the loss ignores.
    """

    def __init__(self, hidden_size=64, embed_size=16, attention=False, backend="torch.nn"):
        super().__init__()
        self.encoder = Encoder(hidden_size, embed_size, backend)
        self.embed = nn.Embedding(VOCAB, embed_size, padding_idx=PAD)
        context = hidden_size if attention else 0
        self.cell = recurrent_cell("gru", embed_size + context, hidden_size, backend)
        self.attention = Attention(hidden_size) if attention else None
        self.out = nn.Linear(hidden_size + context, VOCAB)
        self.alphas = None

    def step(self, token, s, enc, mask=None):
        """One decoder step: previous token (batch,), state (batch, hidden) -> logits, new state.
        ``mask`` (batch, S): the positions of ``enc`` that are not padding."""
        x = self.embed(token)
        if self.attention is None:
            s = self.cell(x, s)
            return self.out(s), s, None
        c, alpha = self.attention(s, enc, mask)
        s = self.cell(torch.cat([x, c], dim=1), s)
        return self.out(torch.cat([s, c], dim=1)), s, alpha

    def forward(self, src, tgt=None, teacher_forcing=True, max_len=None):
        enc, s = self.encoder(src)
        mask = src != PAD
        steps = tgt.shape[1] if tgt is not None else max_len or src.shape[1] + 1
        token = torch.full((src.shape[0],), SOS)
        logits, alphas = [], []
        for t in range(steps):
            z, s, alpha = self.step(token, s, enc, mask)
            logits.append(z)
            alphas.append(alpha)
            token = tgt[:, t] if teacher_forcing and tgt is not None else z.argmax(1)
        self.alphas = torch.stack(alphas, 1) if self.attention is not None else None
        return torch.stack(logits, 1)


def train_seq2seq(model, steps, teacher_forcing=True, lengths=(3, 8), batch_size=64, lr=3e-3,
                  seed=0):
    """Adam on fresh reversal batches, each mixing strings of every length in ``lengths``
    (inclusive), padded; returns the training losses (cross-entropy per target token, the padding
    left out). Without teacher forcing the decoder is fed its own (detached) predictions."""
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in progress_bar(range(steps), desc="seq2seq"):
        src, tgt = reversal_batch(batch_size, lengths, rng)
        logits = model(src, tgt, teacher_forcing=teacher_forcing)
        loss = F.cross_entropy(logits.flatten(0, 1), tgt.flatten(), ignore_index=PAD)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def greedy_decode(model, src, max_len=None):
    """Greedy decoding: the most likely token at every step, fed back, until ``<eos>`` (or
    ``max_len`` steps, default source length + 1). Returns a list of token lists (without <eos>)."""
    model.eval()
    ids = model(src, teacher_forcing=False, max_len=max_len).argmax(-1)
    out = []
    for row in ids.tolist():
        out.append(row[:row.index(EOS)] if EOS in row else row)
    return out


def seq2seq_run(attention, teacher_forcing, seed=0, steps=250, hidden_size=64, test_set=None):
    """Train one ``Seq2Seq`` on string reversal and score it (chapter 9's comparisons).

    ``seed`` fixes the initialisation (``torch.manual_seed``) and the batches of
    :func:`train_seq2seq`. The test set (default ``reversal_test_set(50, range(3, 9), seed=1)``) is
    the same for every seed. Returns a :class:`rnncourse.runs.Run`: ``curve`` the training losses
    in blocks of 10 steps, ``test`` the cross-entropy on the test set with teacher forcing,
    ``accuracy`` the exact-match rate of greedy decoding, ``metrics['by_length']`` that rate for each
    source length, and the trained ``model``.
    """
    from ..runs import Run, blocks

    test_set = reversal_test_set(50, range(3, 9), seed=1) if test_set is None else test_set
    torch.manual_seed(seed)
    model = Seq2Seq(hidden_size=hidden_size, attention=attention)
    losses = train_seq2seq(model, steps, teacher_forcing, seed=seed)
    by_length = [exact_match(model, [batch]) for batch in test_set]
    with torch.no_grad():
        test = float(np.mean([F.cross_entropy(model(src, tgt).flatten(0, 1), tgt.flatten(),
                                              ignore_index=PAD).item() for src, tgt in test_set]))
    return Run(blocks(losses), test, seed, exact_match(model, test_set),
               {"by_length": by_length}, losses=losses, model=model)


def exact_match(model, test_set):
    """Fraction of test sources whose greedy decoding is exactly the reversed source (the target
    up to its ``<eos>``)."""
    right = total = 0
    for src, tgt in test_set:
        for pred, true in zip(greedy_decode(model, src), tgt.tolist()):
            right += pred == true[:true.index(EOS)]
            total += 1
    return right / total
