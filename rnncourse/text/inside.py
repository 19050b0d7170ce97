r"""Looking inside a character model: its cell states over a text, and units that follow something
readable (chapter 10, after Karpathy, Johnson and Fei-Fei 2015).

- :func:`cell_states`: the hidden and cell states :math:`h_t, c_t` of a one-layer LSTM ``CharLM``
  at every character of a text. ``torch.nn.LSTM`` returns every :math:`h_t` but only the last
  :math:`c_t`; given the :math:`h_t`, the gates of every step follow from one matrix product, and
  :math:`c_t = f_t \odot c_{t-1} + i_t \odot g_t` is then an element-wise recurrence;
- :func:`text_features`: per character, quantities a reader sees in a text (inside quotes, inside
  parentheses, position in the line, position in the word);
- :func:`correlations`: the correlation of every unit with a feature over the text; a unit whose
  correlation is large in magnitude follows that feature;
- :func:`known_word_fraction`: how many of the words of a sample are words of a reference text.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from ..train import eval_mode


@torch.no_grad()
def cell_states(model, vocab, text):
    """``(h, c)``: float64 arrays ``(len(text), hidden_size)``, the states of the LSTM of ``model``
    (a one-layer, one-directional ``CharLM`` of kind ``'lstm'``) after each character of ``text``,
    read from a zero state."""
    rnn = model.rnn
    if not isinstance(rnn, torch.nn.LSTM) or rnn.num_layers != 1 or rnn.bidirectional or rnn.proj_size:
        raise ValueError(f"model: expected a CharLM with one torch.nn.LSTM layer, one direction, no "
                         f"projection, got {rnn!r}")
    with eval_mode(model):
        x = model.embed(vocab.encode(text)[None])        # (1, T, E)
        h, _ = rnn(x)
    x, h = x[0].double(), h[0].double()
    h_prev = torch.cat([torch.zeros_like(h[:1]), h[:-1]])
    gates = (x @ rnn.weight_ih_l0.double().T + h_prev @ rnn.weight_hh_l0.double().T
             + rnn.bias_ih_l0.double() + rnn.bias_hh_l0.double())
    i, f, g, _ = gates.chunk(4, dim=1)                   # torch.nn's gate order: i, f, g, o
    f, written = torch.sigmoid(f).numpy(), (torch.sigmoid(i) * torch.tanh(g)).numpy()
    c = np.empty_like(f)
    state = np.zeros(f.shape[1])
    for t in range(len(f)):
        state = f[t] * state + written[t]
        c[t] = state
    return h.numpy(), c


def text_features(text) -> dict:
    """Per character of ``text``, float arrays of ``len(text)``:

    - ``'inside quotes'``: 1 from an opening straight double quote ``"`` to its closing one;
    - ``'inside parentheses'``: 1 between ``(`` and its ``)`` (nesting counts once);
    - ``'position in line'``: characters since the last newline (0 on the first of a line);
    - ``'position in word'``: letters since the last non-letter (0 off words).

    The value at a character is the one after reading it (an opening quote is inside, a closing
    one is not), as the model's state after that character is.
    """
    n = len(text)
    quotes, parens, line, word = (np.zeros(n) for _ in range(4))
    inside, depth, col, run = False, 0, 0, 0
    for k, ch in enumerate(text):
        inside ^= ch == '"'
        depth = depth + 1 if ch == "(" else max(0, depth - 1) if ch == ")" else depth
        run = run + 1 if ch.isalpha() else 0
        quotes[k], parens[k], line[k], word[k] = inside, depth > 0, col, run
        col = 0 if ch == "\n" else col + 1
    return {"inside quotes": quotes, "inside parentheses": parens, "position in line": line,
            "position in word": word}


def correlations(states, feature):
    """Pearson correlation of every unit (column of ``states`` (T, H)) with ``feature`` (T,): an
    array (H,); a unit that never changes gets 0."""
    states = np.asarray(states, dtype=np.float64)
    feature = np.asarray(feature, dtype=np.float64)
    if states.ndim != 2 or feature.shape != states.shape[:1]:
        raise ValueError(f"states, feature: expected (T, H) and (T,), got {states.shape} and "
                         f"{feature.shape}")
    s = states - states.mean(axis=0)
    f = feature - feature.mean()
    norm = np.sqrt((s ** 2).sum(axis=0) * (f ** 2).sum())
    return np.divide(s.T @ f, norm, out=np.zeros(states.shape[1]), where=norm > 0)


def known_word_fraction(sample, words) -> float:
    """The fraction of the words (runs of letters) of ``sample`` that are in the set ``words``
    (0 for a sample without words)."""
    found = re.findall(r"[A-Za-z]+", sample)
    return sum(w in words for w in found) / len(found) if found else 0.0


__all__ = ["cell_states", "text_features", "correlations", "known_word_fraction"]
