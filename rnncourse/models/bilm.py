"""A character model in three arrangements: forward only, naive bidirectional, shifted (chapter 4).

The naive bidirectional model reads the character it is asked to predict; the shifted one, stacked,
sees itself too. ``BiLM.loss`` is its cross-entropy; ``shift_directions`` is the shift between
layers. Shapes follow ``torch.nn.RNN``: token sequences are integer arrays ``(seq_len, batch)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

MODES = ("forward", "bidirectional", "shifted")


class BiLM(nn.Module):
    r"""A stacked character model: embedding, ``num_layers`` RNN layers, a softmax head at every step.

    ``mode`` chooses what the output at position t may read:

    - ``'forward'``: one direction, h_t reads x_1..x_t; trained to predict x_{t+1}. An honest
      language model.
    - ``'bidirectional'``: ``torch.nn.RNN(bidirectional=True)``, output [h_t; g_t] where the backward
      state g_t has read x_t..x_T; trained to predict x_{t+1}, which g_t has already read.
    - ``'shifted'``: every layer is bidirectional, but its output at t is [h_{t-1}; g_{t+1}] (the
      forward state before x_t, the backward state after it; ELMo-style models do this at the top
      only); trained to predict x_t itself. One layer never reads x_t; from the second layer on,
      h_{t-1} of layer 2 has read layer 1's g_t, which has read x_t: the model sees itself.

    Args:
        vocab_size: number of symbols.
        hidden_size: units per direction.
        num_layers: stacked layers.
        mode: ``'forward'``, ``'bidirectional'`` or ``'shifted'``.

    Inputs: tokens ``(seq_len, batch)`` int64. Outputs: logits ``(seq_len, batch, vocab_size)``.
    ``read(x)`` does the same from the embedded tokens ``x`` ``(seq_len, batch, hidden_size)``.
    Attributes: ``embed`` (vocab_size, hidden_size), ``layers`` (``torch.nn.RNN`` s), ``head``.
    """

    def __init__(self, vocab_size, hidden_size, num_layers=1, mode="forward"):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode: expected one of {MODES}, got {mode!r}")
        self.mode = mode
        D = 1 if mode == "forward" else 2
        self.embed = nn.Embedding(vocab_size, hidden_size)
        if mode == "shifted":   # one module per layer: the shift happens between layers
            self.layers = nn.ModuleList(
                nn.RNN(hidden_size if k == 0 else 2 * hidden_size, hidden_size, bidirectional=True)
                for k in range(num_layers))
        else:
            self.layers = nn.ModuleList([nn.RNN(hidden_size, hidden_size, num_layers,
                                                bidirectional=(D == 2))])
        self.head = nn.Linear(D * hidden_size, vocab_size)

    def forward(self, tokens):
        return self.read(self.embed(tokens))

    def read(self, x):
        """Logits ``(seq_len, batch, vocab_size)`` from embedded tokens ``x`` ``(seq_len, batch, hidden)``."""
        for layer in self.layers:
            x, _ = layer(x)
            if self.mode == "shifted":
                x = shift_directions(x)
        return self.head(x)

    def loss(self, logits, tokens):
        """Mean cross-entropy in nats: of x_{t+1} from position t, or of x_t for ``'shifted'``.

        ``logits`` ``(seq_len, batch, vocab_size)`` from ``forward``; ``tokens`` ``(seq_len, batch)``.
        Pass it to ``rnncourse.train.train`` as ``loss_fn``.
        """
        if self.mode != "shifted":
            logits, tokens = logits[:-1], tokens[1:]
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1))


def shift_directions(output):
    """[h_t; g_t] -> [h_{t-1}; g_{t+1}], with zeros beyond the ends.

    ``output`` ``(seq_len, batch, 2 * hidden)`` is a bidirectional layer's output; the result has the
    same shape and at position t holds nothing that read x_t of that layer's input.
    """
    H = output.shape[-1] // 2
    forward, backward = output[..., :H], output[..., H:]
    zero = torch.zeros_like(forward[:1])
    return torch.cat([torch.cat([zero, forward[:-1]]), torch.cat([backward[1:], zero])], dim=-1)
