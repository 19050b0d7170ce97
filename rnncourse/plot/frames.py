"""One frame of each chapter's slider: ``draw(ax, value)`` functions for ``rnncourse.interactive.explore``.

- :func:`draw_gradient_norms`: gradient norms against distance for a tanh RNN of a given spectral
  radius (chapter 5);
- :func:`draw_prediction`: an echo-state network's closed-loop Mackey–Glass for a given spectral
  radius (chapter 6);
- :func:`draw_samples`: a character model's sample at a given temperature, drawn as a picture
  (chapter 9); :func:`sample_text` gives the same sample as text, for
  ``rnncourse.interactive.text_switcher``, which shows it as text.

Each is deterministic and keeps fixed axis limits, so that the frames of a slider compare. Labels are
typeset like the book's equations and colours come from :mod:`rnncourse.plot.style`.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from .. import longterm
from ..reservoir import fit_mackey_glass, mackey_glass_split, nrmse
from ..text import charlm
from .style import model_colour, ordered_colours


def draw_gradient_norms(ax, radius: float, lengths=(40, 100), hidden_size: int = 32,
                        batch: int = 8, seed=0):
    r"""Draw :math:`\lVert \partial L / \partial h_k \rVert` against the distance :math:`t - k`.

    One tanh ``rnncourse.longterm.rnn_with_radius(radius)``; one curve per sequence length in
    ``lengths`` (the geometric mean over ``batch`` random input sequences drawn from ``seed``), on
    a log scale with fixed limits so that the frames of a slider over ``radius`` compare.
    """
    net = longterm.rnn_with_radius(radius, hidden_size=hidden_size, seed=seed)
    for T, style, colour in zip(lengths, ["-", "--", ":", "-."], ordered_colours(len(lengths))):
        x = np.random.default_rng(seed).standard_normal((T, batch, 1))
        norms = longterm.hidden_grad_norms_autograd(net, torch.from_numpy(x), seed=seed)
        typical = np.exp(np.log(np.maximum(norms, 1e-300)).mean(axis=1))
        ax.semilogy(T - np.arange(T + 1), typical, style, color=colour, label=f"sequence length {T}")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlim(0, max(lengths))
    ax.set_ylim(1e-12, 1e8)
    ax.set_xlabel("distance $t - k$")
    ax.set_ylabel(r"$\|\partial L / \partial h_k\|$")
    ax.set_title(f"tanh RNN, spectral radius $\\rho(W_{{hh}})$ = {radius:g}")
    ax.legend(loc="upper center", ncol=2)
    ax.figure.tight_layout()


def draw_prediction(ax, radius: float, leak_rate: float = 0.3, reservoir_size: int = 200,
                    n_steps: int = 300, seed=1):
    r"""Draw an ESN's closed-loop generation of Mackey–Glass against the true series.

    The chapter's protocol (100 washout steps, 2000 training steps, then ``n_steps`` generated
    after the training data) with ``rnncourse.numpy.ESN(1, reservoir_size, spectral_radius=radius,
    leak_rate=leak_rate, ridge=1e-8, noise=1e-4, seed=seed)``; the title gives the one-step and
    the closed-loop NRMSE. Fixed limits, so that the frames of a slider over ``radius`` compare.
    Deterministic.
    """
    _, Y_train, X_test, Y_test = mackey_glass_split()
    esn = fit_mackey_glass(seed, reservoir_size, spectral_radius=radius, leak_rate=leak_rate,
                           ridge=1e-8, noise=1e-4)
    one_step = nrmse(esn.predict(X_test, h0=esn.state_), Y_test)
    truth = Y_test[:n_steps]
    generated = esn.generate(n_steps, warmup=Y_train[-1:], h0=esn.state_)
    closed = nrmse(generated, truth)
    ax.plot(truth, "k", lw=2, alpha=0.35, label="true series")
    ax.plot(np.clip(generated, -10, 10), color=model_colour("ESN"), lw=1.2, label="ESN, closed loop")
    ax.set_xlim(0, n_steps)
    ax.set_ylim(0.2, 1.8)
    ax.set_xlabel("steps after the training data")
    ax.set_ylabel("$x$")
    closed_text = f"{closed:.2f}" if closed < 10 else "diverged"
    ax.set_title(f"$\\rho$ = {radius:g}, $\\alpha$ = {leak_rate:g}: NRMSE one step {one_step:.1e}, "
                 f"closed loop {closed_text}", fontsize=10)
    ax.legend(loc="upper left", ncol=2, fontsize=8)
    ax.figure.tight_layout()


@functools.lru_cache(maxsize=4)
def _shipped(name):
    return charlm.load_checkpoint(charlm.checkpoint_path(name))


def sample_text(temperature, model=None, vocab=None, prompt="The ", length=240, seed=1) -> str:
    """``prompt`` and a seeded sample of ``length`` characters at ``temperature``, as text.

    ``model`` and ``vocab`` default to the shipped ``english_lstm`` checkpoint; the characters come from
    :func:`rnncourse.text.charlm.sample` with ``seed`` (the same text on every run of the same machine).
    """
    if model is None or vocab is None:
        model, vocab, _ = _shipped("english_lstm")
    return prompt + charlm.sample(model, vocab, prompt, length, temperature=temperature, seed=seed)


def draw_samples(ax, temperature, model=None, vocab=None, prompt="The ", length=240, seed=1,
                 width=84):
    """Draw :func:`sample_text` at ``temperature`` as a picture of text on ``ax`` (one frame of a slider).

    The text is wrapped at ``width`` characters in a monospace font, newlines shown as ``⏎``; the axes
    are switched off. Deterministic. (A reader gets the text itself from
    ``rnncourse.interactive.text_switcher`` over :func:`sample_text`.)
    """
    text = sample_text(temperature, model, vocab, prompt, length, seed).replace("\n", "⏎")
    lines = [text[i:i + width] for i in range(0, len(text), width)]
    ax.axis("off")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.text(0.0, 1.0, "\n".join(lines), family="monospace", fontsize=9, va="top", ha="left",
            transform=ax.transAxes)
    ax.set_title(f"sampling temperature $T$ = {temperature:g}")
    ax.figure.tight_layout()
