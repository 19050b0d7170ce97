"""Overfitting a character model on a small text, and three remedies: dropout, weight decay and early
stopping (chapter 10).

A network with more parameters than its data can constrain learns the training text by heart: its
training loss keeps falling while the loss on unseen text stops falling and rises. To see it within a
chapter's budget the model is trained on a *small* data set, ``n_windows`` windows of ``window``
characters drawn once from the training text of chapter 9 (:func:`small_corpus`), many times over,
and measured on the validation text of chapter 9. The remedies:

- dropout on the connections that are not recurrent (``CharLM(dropout=p)``: the embeddings, between
  layers, before the head; Zaremba et al. 2014), active in training only;
- weight decay, decoupled from the gradient (``torch.optim.AdamW``): every step shrinks the weights
  by ``lr * weight_decay`` of themselves;
- early stopping: keep the weights of the evaluation with the lowest validation loss, and stop
  when ``patience`` evaluations in a row have not improved on it (:func:`early_stop`).

:func:`regularisation_run` trains one seeded configuration and returns a :class:`rnncourse.runs.Run`
whose ``metrics`` hold the training and validation curves (both measured in evaluation mode, without
dropout, so that they compare).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import _validate as V
from ..train import eval_mode, progress_bar
from .charlm import CharLM, evaluate
from .corpus import english_split

DATA_SEED = 1000           # the windows of the small data set: the same for every run


def small_corpus(ids, n_windows, window, seed=DATA_SEED):
    """``n_windows`` windows of ``window + 1`` ids drawn without overlap from ``ids`` with a NumPy
    generator of ``seed``, in text order: an ``(n_windows, window + 1)`` int64 tensor (input: all but
    the last id of a row; target: all but the first)."""
    n_windows = V.check_int("n_windows", n_windows, low=1)
    window = V.check_int("window", window, low=1)
    slots = len(ids) // (window + 1)
    if slots < n_windows:
        raise ValueError(f"n_windows: the text holds {slots} windows of {window + 1} ids, got "
                         f"n_windows={n_windows}")
    chosen = np.sort(np.random.default_rng(seed).choice(slots, n_windows, replace=False))
    return ids[:slots * (window + 1)].view(slots, window + 1)[torch.from_numpy(chosen)]


@torch.no_grad()
def window_loss(model, windows):
    """Mean cross-entropy (nats/char) of ``model`` on ``windows`` (n, window + 1), each read from a
    zero state, in evaluation mode (no dropout)."""
    with eval_mode(model):
        logits, _ = model(windows[:, :-1])
    return F.cross_entropy(logits.flatten(0, 1), windows[:, 1:].flatten()).item()


def regularisation_run(dropout=0.0, weight_decay=0.0, seed=0, n_windows=200, window=64,
                       hidden_size=64, embed_size=32, batch_size=32, steps=400, lr=1e-2,
                       eval_every=25, valid_chars=10_000):
    """Train an LSTM ``CharLM`` on the small data set; measure it every ``eval_every`` steps.

    AdamW (``weight_decay``; 0 is Adam), gradient norm clipped at 1, ``steps`` batches of
    ``batch_size`` windows drawn from the ``n_windows`` with a generator of ``seed`` (which also
    seeds the weights and the dropout masks). Returns a :class:`rnncourse.runs.Run`: ``curve`` the
    training losses (with dropout, as trained) in blocks of 10 steps, ``test`` the final validation
    loss, ``metrics`` ``{'steps', 'train', 'valid'}`` the curves measured without dropout on the
    training windows and on the first ``valid_chars`` characters of the validation text.
    """
    from ..runs import Run, blocks

    vocab, train_ids, valid_ids = english_split()
    data = small_corpus(train_ids, n_windows, window)
    valid = valid_ids[:valid_chars]
    torch.manual_seed(seed)
    model = CharLM(len(vocab), hidden_size, embed_size, dropout=dropout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    losses, curves = [], {"steps": [], "train": [], "valid": []}
    model.train()
    for step in progress_bar(range(1, steps + 1), desc="char LM"):
        batch = data[torch.from_numpy(rng.choice(n_windows, batch_size, replace=False))]
        logits, _ = model(batch[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if step % eval_every == 0 or step == steps:
            curves["steps"].append(step)
            curves["train"].append(window_loss(model, data))
            curves["valid"].append(evaluate(model, valid))
    return Run(blocks(losses), curves["valid"][-1], seed, metrics=curves, losses=losses, model=model)


def early_stop(valid, patience):
    """Early stopping on a validation curve: ``(stop, best)``, indices into ``valid``.

    Training stops at the evaluation ``stop`` that is the ``patience``-th in a row not to improve on
    the lowest value so far (or at the last evaluation), and keeps the weights of ``best``, the
    evaluation with that lowest value (ties: the first).
    """
    patience = V.check_int("patience", patience, low=1)
    if len(valid) == 0:
        raise ValueError("valid: expected at least one validation loss, got none")
    best, waited = 0, 0
    for k in range(1, len(valid)):
        if valid[k] < valid[best]:
            best, waited = k, 0
        else:
            waited += 1
            if waited == patience:
                return k, best
    return len(valid) - 1, best


__all__ = ["DATA_SEED", "english_split", "small_corpus", "window_loss", "regularisation_run",
           "early_stop"]
