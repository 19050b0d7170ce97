r"""A character-level language model, its training loop, evaluation and sampling.

The model reads characters :math:`x_1, \dots, x_t` and outputs the distribution of the next one:

.. math::
    e_t = E[x_t], \qquad h_t = \mathrm{RNN}(e_t, h_{t-1}), \qquad
    p(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(W_{hy} h_t + b_y),

trained by minimising the cross-entropy (nats per character) of the true next character. Sampling
draws one character at a time from :math:`\mathrm{softmax}(z / T)`, :math:`T` the temperature.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import _validate as V
from ..models import recurrent_layer
from ..train import eval_mode, progress_bar
from ..stateful import detach_state
from .corpus import Vocab, random_windows, stream_batches
from .decoding import top_k_filter


class CharLM(nn.Module):
    """Embedding -> recurrent layer(s) (batch first) -> linear head over the vocabulary.

    Args:
        vocab_size: number of characters.
        hidden_size: recurrent units.
        embed_size: size of the character embedding. Default: 64.
        kind: 'lstm' (default), 'gru' or 'rnn'.
        backend: 'torch.nn' (default, fused kernels: fast) or 'rnncourse' (the course's modules,
            same parameter names, so ``state_dict`` s load across backends).
        num_layers: stacked recurrent layers. Default: 1.
        dropout: probability of dropout on the connections that are not recurrent (Zaremba et al.
            2014): on the embeddings, between the recurrent layers (the layer's own ``dropout``)
            and on the last layer's outputs before the head; only in training mode (``train()``).
            Default: 0 (none: the model then draws no random numbers).

    Inputs: ``x`` (batch, seq_len) int64 ids, optional ``state`` (as the recurrent layer takes).
    Outputs: ``logits`` (batch, seq_len, vocab_size) and the final state.
    """

    def __init__(self, vocab_size, hidden_size, embed_size=64, kind="lstm", backend="torch.nn",
                 num_layers=1, dropout=0.0):
        super().__init__()
        num_layers = V.check_int("num_layers", num_layers, low=1)
        dropout = V.check_probability("dropout", dropout)
        self.config = dict(vocab_size=vocab_size, hidden_size=hidden_size,
                           embed_size=embed_size, kind=kind)
        # only what differs from the defaults, so the configs of the shipped checkpoints stay as they were
        self.config.update({k: v for k, v in (("num_layers", num_layers), ("dropout", dropout))
                            if v != {"num_layers": 1, "dropout": 0.0}[k]})
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = recurrent_layer(kind, embed_size, hidden_size, backend, batch_first=True,
                                   num_layers=num_layers, dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout) if dropout > 0 else None
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        e = self.embed(x)
        out, state = self.rnn(e if self.drop is None else self.drop(e), state)
        return self.head(out if self.drop is None else self.drop(out)), state


@torch.no_grad()
def evaluate(model, ids, streams=16, seq_len=256):
    """Mean cross-entropy (nats/char) of ``model`` on the id sequence ``ids``.

    ``ids`` is cut into ``streams`` contiguous pieces read side by side in chunks of ``seq_len``,
    the state carried from chunk to chunk, so every character after the first of each stream is
    predicted from all the text before it in its piece.
    """
    n = (len(ids) - 1) // streams
    x = ids[:n * streams].view(streams, n)
    y = ids[1:n * streams + 1].view(streams, n)
    total, state = 0.0, None
    with eval_mode(model):
        for start in range(0, n, seq_len):
            logits, state = model(x[:, start:start + seq_len], state)
            total += F.cross_entropy(logits.flatten(0, 1), y[:, start:start + seq_len].flatten(),
                                     reduction="sum").item()
    return total / (n * streams)


@torch.no_grad()
def nats_per_char(model, vocab, text) -> float:
    """Mean negative log-probability (nats) that ``model`` gives to each character of ``text``
    after the first, reading it from a zero state: how likely the model finds a sample."""
    _check_vocab(model, vocab)
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string, got {text!r} of type {type(text).__name__}")
    ids = vocab.encode(text)
    if len(ids) < 2:
        raise ValueError(f"text: expected at least 2 characters, got {len(ids)}")
    with eval_mode(model):
        logits, _ = model(ids[None, :-1])
    return F.cross_entropy(logits[0], ids[1:]).item()


def train_charlm(model, train_ids, steps=None, seconds=None, batch_size=32, seq_len=100, lr=3e-3,
                 clip=1.0, seed=0, valid_ids=None, eval_every=None, decay=True, stateful=False,
                 log=None, snapshots=()):
    """Train ``model`` with Adam on random windows of ``train_ids``; return the history.

    Stop after ``steps`` updates, or after ``seconds`` of CPU time of this process (for scripts
    that train for a time budget; CPU time rather than wall-clock time so that other programs
    sharing the machine do not shorten the budget; the number of steps then depends on the
    machine). With ``decay`` the learning rate falls along a cosine from ``lr`` to lr/10 over the
    run. Every ``eval_every`` steps (and at the end) the loss on ``valid_ids`` is measured with
    :func:`evaluate` (outside the time budget).

    Batches: ``batch_size`` random windows of ``seq_len`` characters, each read from a zero state;
    or, with ``stateful=True``, truncated backpropagation through time: the text is cut into
    ``batch_size`` contiguous streams read ``seq_len`` characters at a time, the final state of
    one batch (detached: gradients stop there) being the initial state of the next, so that every
    character is predicted from all the text before it, as in :func:`evaluate`.

    ``snapshots``: steps after which a copy of the weights (float16, as :func:`save_checkpoint`
    stores them) is kept, to look at the model at successive stages of training.

    Returns a dict: ``loss`` (training loss of every step), ``valid`` (list of (step, loss)),
    ``steps``, ``seconds`` (CPU seconds spent on training steps), ``snapshots`` ({step: state
    dict}).
    """
    if (steps is None) == (seconds is None):
        raise ValueError("train_charlm: give exactly one of steps or seconds")
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "valid": [], "snapshots": {}}
    snapshots = {V.check_int("snapshots", k, low=1) for k in snapshots}
    spent, step, state = 0.0, 0, None
    streams = stream_batches(train_ids, batch_size, seq_len) if stateful else None
    model.train()
    bar = progress_bar(desc="char LM", total=steps)
    while True:
        tick = time.process_time()
        progress = step / steps if steps is not None else spent / seconds
        if decay:
            for group in optimizer.param_groups:
                group["lr"] = lr * (0.1 + 0.45 * (1 + math.cos(math.pi * min(progress, 1.0))))
        if stateful:
            x, y, first = next(streams)
            logits, state = model(x, None if first else state)
            state = detach_state(state)
        else:
            x, y = random_windows(train_ids, batch_size, seq_len, rng)
            logits, _ = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        history["loss"].append(loss.item())
        spent += time.process_time() - tick
        step += 1
        bar.update(1)
        if step in snapshots:
            history["snapshots"][step] = _half(model)
        done = step >= steps if steps is not None else spent >= seconds
        if valid_ids is not None and (done or (eval_every and step % eval_every == 0)):
            history["valid"].append((step, evaluate(model, valid_ids)))
            if log:
                log(f"step {step:5d}  train {np.mean(history['loss'][-50:]):.3f}  "
                    f"valid {history['valid'][-1][1]:.3f}  ({spent:.0f} CPU s)")
        if done:
            break
    bar.close()
    history["steps"], history["seconds"] = step, spent
    return history


def _vocab_size(model):
    """The number of characters ``model`` was built for: its ``config``, else its embedding."""
    config = getattr(model, "config", None)
    if isinstance(config, dict) and "vocab_size" in config:
        return config["vocab_size"]
    embed = getattr(model, "embed", None)
    return getattr(embed, "num_embeddings", None)


def _check_vocab(model, vocab):
    """``vocab`` must be a :class:`Vocab` of as many characters as ``model`` predicts."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a character model (a torch.nn.Module such as CharLM), "
                        f"got {type(model).__name__}")
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab: expected a rnncourse.text.corpus.Vocab, got {type(vocab).__name__}")
    size = _vocab_size(model)
    if size is not None and size != len(vocab):
        raise ValueError(f"vocab: expected the model's vocabulary of {size} characters, got "
                         f"{vocab!r}; use the vocabulary saved with the model (load_checkpoint)")


def _check_sampling(model, vocab, prompt, length, temperature, seed, stop, forbid, top_k=None):
    """Check the arguments of :func:`sample`; returns (length, temperature, banned ids)."""
    _check_vocab(model, vocab)
    if not isinstance(prompt, str):
        raise TypeError(f"prompt: expected a string, got {prompt!r} of type {type(prompt).__name__}")
    if not prompt:
        raise ValueError("prompt: expected at least one character (the model reads it before it "
                         "writes), got ''")
    length = V.check_int("length", length, low=0)
    temperature = V.check_number("temperature", temperature, low=0.0)
    if seed is not None:
        V.check_int("seed", seed, low=0)
    if stop is not None and not isinstance(stop, str):
        raise TypeError(f"stop: expected None or a string of characters, got {stop!r} of type "
                        f"{type(stop).__name__}")
    try:
        forbid = list(forbid)           # a string is its characters
    except TypeError:
        raise TypeError(f"forbid: expected a string or a list of characters, got {forbid!r} of type "
                        f"{type(forbid).__name__}") from None
    if any(not isinstance(c, str) or len(c) != 1 for c in forbid):
        raise TypeError(f"forbid: expected single characters, got {forbid!r}")
    if top_k is not None:
        V.check_int("top_k", top_k, low=1)
    banned = sorted({vocab.index[c] for c in forbid if c in vocab.index})
    if len(banned) == len(vocab):
        raise ValueError(f"forbid: forbids every one of the {len(vocab)} characters of the "
                         f"vocabulary; at least one must remain to be drawn")
    return length, temperature, banned


@torch.no_grad()
def sample(model, vocab, prompt, length, temperature=1.0, seed=0, stop=None, forbid=(), top_k=None):
    """Continue ``prompt`` by ``length`` characters drawn from softmax(logits / temperature).

    ``temperature=0`` takes the most likely character (greedy). With ``top_k``, each draw is among
    the ``top_k`` most likely characters only (:func:`rnncourse.text.decoding.top_k_filter`; the
    forbidden ones are removed first). The draws use a NumPy generator
    seeded with ``seed`` (the same text on every run). Generation ends early after a character in
    ``stop``; characters in ``forbid`` (e.g. the unknown-character symbol) are never drawn.
    Returns the generated text, without the prompt.

    Every argument is checked, with a message naming it: ``vocab`` must have as many characters as
    the model predicts, ``prompt`` at least one character, ``length`` an integer >= 0,
    ``temperature`` a finite number >= 0, and ``forbid`` must leave a character to draw.
    """
    length, temperature, banned = _check_sampling(model, vocab, prompt, length, temperature, seed,
                                                  stop, forbid, top_k)
    rng = np.random.default_rng(seed)
    model.eval()
    logits, state = model(vocab.encode(prompt)[None])
    out = []
    for _ in range(length):
        z = logits[0, -1].double()
        z[banned] = -math.inf
        z = top_k_filter(z, top_k)
        p = torch.softmax(z / temperature, dim=0).numpy() if temperature > 0 else None
        if p is None or not np.isfinite(p).all():      # T = 0, or so small that z / T overflows
            i = int(z.argmax())
        else:
            i = int(np.searchsorted(np.cumsum(p), rng.random() * p.sum()))
            i = min(i, len(p) - 1)
        out.append(vocab.chars[i])
        if stop and out[-1] in stop:
            break
        logits, state = model(torch.tensor([[i]]), state)
    return "".join(out)


def _half(model):
    """The weights of ``model`` in float16 (copies), as checkpoints store them."""
    return {k: v.detach().to(torch.float16).clone() for k, v in model.state_dict().items()}


def weights_digest(model) -> str:
    """SHA-256 of the float16 weights of ``model`` (names and bytes, in name order): equal digests,
    equal stored weights."""
    import hashlib
    digest = hashlib.sha256()
    for name, value in sorted(_half(model).items()):
        digest.update(name.encode())
        digest.update(value.contiguous().view(torch.int16).numpy().tobytes())
    return digest.hexdigest()


def save_checkpoint(path, model, vocab, **meta):
    """Save config, vocabulary, weights (float16: half the size, no visible loss) and ``meta``."""
    torch.save({"config": model.config, "chars": vocab.chars, "state_dict": _half(model),
                "meta": meta}, path)


def load_checkpoint(path, backend="torch.nn"):
    """(model, vocab, meta) from a file written by :func:`save_checkpoint`; float32 weights."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model = CharLM(**ckpt["config"], backend=backend)
    model.load_state_dict({k: v.float() for k, v in ckpt["state_dict"].items()})
    model.eval()
    return model, Vocab(ckpt["chars"]), ckpt["meta"]


def save_stages(path, model, vocab, snapshots, **meta):
    """Save the weights of ``model`` at successive stages of training (``snapshots``, {step: float16
    state dict}, as :func:`train_charlm` returns them) in one file, with config and vocabulary."""
    torch.save({"config": model.config, "chars": vocab.chars, "stages": dict(snapshots),
                "meta": meta}, path)


def load_stages(path, backend="torch.nn"):
    """``({step: model}, vocab, meta)`` from a file written by :func:`save_stages`; float32 weights,
    models in eval mode."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    models = {}
    for step, weights in sorted(ckpt["stages"].items()):
        model = CharLM(**ckpt["config"], backend=backend)
        model.load_state_dict({k: v.float() for k, v in weights.items()})
        models[int(step)] = model.eval()
    return models, Vocab(ckpt["chars"]), ckpt["meta"]


def checkpoint_path(name):
    """Path of a checkpoint shipped in ``rnncourse/text/data`` (e.g. ``'english_lstm'``)."""
    from importlib import resources
    return resources.files("rnncourse.text") / "data" / f"{name}.pt"
