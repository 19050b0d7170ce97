"""The design patterns of recurrent networks, drawn unrolled (chapter 2).

- :func:`design_pattern`: the three patterns of *Deep Learning* §10.2 with their losses and
  targets: ``"hidden"`` (hidden-to-hidden recurrence, an output at every step, Fig. 10.3),
  ``"output"`` (output-to-hidden recurrence, Fig. 10.4, optionally trained with teacher forcing,
  Fig. 10.6) and ``"single"`` (hidden-to-hidden recurrence, one output after the whole sequence,
  Fig. 10.5).
- :func:`sequence_shapes`: many-to-many, many-to-one and one-to-many side by side.

Nodes are circles (x input, h hidden state, o output, L loss, y target), every edge is labelled
with the weight it multiplies, as in :func:`rnncourse.plot.unrolled_graph`, and figures are sized as
there (``graphs._figure``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle

from .describe import set_alt
from .graphs import _RADIUS, _edge, _figure, _node

PATTERNS = ("hidden", "output", "single")
_EXTRA_COLOURS = {"L": "#f4cccc", "y": "#e6e6e6"}
_TITLES = {"hidden": "hidden-to-hidden recurrence,\nan output at every step",
           "output": "output-to-hidden recurrence",
           "single": "read the whole sequence,\none output"}


def _loss_node(ax, xy, label, kind):
    ax.add_patch(Circle(xy, _RADIUS, facecolor=_EXTRA_COLOURS[kind], edgecolor="black", lw=1.2,
                        zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=12, zorder=4)


def _sub(name, t):
    return f"${name}_{{{t}}}$"


def design_pattern(kind: str, T: int = 3, teacher_forcing: bool = False, ax=None):
    """Draw one design pattern of a recurrent network unrolled over ``T`` steps.

    Rows from bottom to top: inputs x_t, hidden states h_t, outputs o_t, losses L_t and targets
    y_t. Edges: U (x -> h), W (the recurrence), V (h -> o).

    Args:
        kind: ``"hidden"`` (h_{t-1} -> h_t, an output and a loss at every step), ``"output"``
            (o_{t-1} -> h_t, an output and a loss at every step) or ``"single"`` (h_{t-1} -> h_t,
            one output o_T and one loss L_T).
        T: number of steps, 2 <= T <= 6.
        teacher_forcing: only for ``"output"``: the recurrent edge comes from the target y_{t-1}
            (dashed: used in training) instead of the output o_{t-1}.
        ax: Axes to draw into; a new figure when None.

    Returns:
        The matplotlib Axes.
    """
    if kind not in PATTERNS:
        raise ValueError(f"kind: expected one of {PATTERNS}, got {kind!r}")
    if not isinstance(T, int) or not 2 <= T <= 6:
        raise ValueError(f"T: expected an integer from 2 to 6, got {T!r}")
    if teacher_forcing and kind != "output":
        raise ValueError(f"teacher_forcing: only for kind='output', got kind={kind!r}")
    xs = [1.6 * t for t in range(T + 1)]
    if ax is None:
        _, ax = _figure(xs[-1] + 1.4, 6.8)
    rows = {"x": 0.0, "h": 1.4, "o": 2.8, "L": 4.2, "y": 5.6}
    if kind != "output":
        _node(ax, (xs[0], rows["h"]), "$h_0$", "h")
    for t in range(1, T + 1):
        x = xs[t]
        _node(ax, (x, rows["x"]), _sub("x", t), "x")
        _node(ax, (x, rows["h"]), _sub("h", t), "h")
        _edge(ax, (x, rows["x"]), (x, rows["h"]), "$U$")
        if kind == "output" and t > 1:
            source = ((xs[t - 1], rows["y"]) if teacher_forcing else (xs[t - 1], rows["o"]))
            _edge(ax, source, (x, rows["h"]), "$W$", offset=(0.18, 0.0), dashed=teacher_forcing)
        elif kind != "output":
            _edge(ax, (xs[t - 1], rows["h"]), (x, rows["h"]), "$W$", offset=(0.0, 0.22))
        if kind == "single" and t < T:
            continue
        _node(ax, (x, rows["o"]), _sub("o", t), "o")
        _loss_node(ax, (x, rows["L"]), _sub("L", t), "L")
        _loss_node(ax, (x, rows["y"]), _sub("y", t), "y")
        _edge(ax, (x, rows["h"]), (x, rows["o"]), "$V$")
        _edge(ax, (x, rows["o"]), (x, rows["L"]), "")
        _edge(ax, (x, rows["y"]), (x, rows["L"]), "")
    title = _TITLES[kind] + ("\nwith teacher forcing" if teacher_forcing else "")
    ax.set_title(title, fontsize=11)
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.8)
    ax.set_ylim(-0.6, 6.2)
    ax.set_aspect("equal")
    ax.axis("off")
    recurrence = {"hidden": "each hidden state h_t feeds the next through W",
                  "output": ("the target y_(t-1), used in training (dashed), feeds the next hidden state "
                             "h_t through W" if teacher_forcing else
                             "each output o_(t-1) feeds the next hidden state h_t through W"),
                  "single": "each hidden state h_t feeds the next through W"}[kind]
    outputs = ("only the last state h_T gives an output o_T, compared in the loss L_T with the target "
               "y_T" if kind == "single" else
               "every h_t gives an output o_t through V, compared in a loss L_t with the target y_t")
    name = title.replace("\n", " ")
    set_alt(ax, f"Design pattern: {name}, over {T} steps. Each input x_t feeds the hidden state h_t "
                f"through U; {recurrence}; {outputs}.")
    return ax


def _shape_panel(ax, title, inputs, outputs, T):
    """One panel of :func:`sequence_shapes`: which steps take an input and emit an output."""
    xs = [1.2 * t for t in range(1, T + 1)]
    for t, x in enumerate(xs, start=1):
        _node(ax, (x, 1.2), _sub("h", t), "h")
        if t > 1:
            _edge(ax, (xs[t - 2], 1.2), (x, 1.2), "")
        if t in inputs:
            _node(ax, (x, 0.0), _sub("x", t), "x")
            _edge(ax, (x, 0.0), (x, 1.2), "")
        if t in outputs:
            _node(ax, (x, 2.4), _sub("o", t), "o")
            _edge(ax, (x, 1.2), (x, 2.4), "")
    ax.set_title(title, fontsize=11)
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.6)
    ax.set_ylim(-0.5, 2.9)
    ax.set_aspect("equal")
    ax.axis("off")


def sequence_shapes(T: int = 4):
    """Many-to-many, many-to-one and one-to-many recurrent networks over ``T`` steps, side by side.

    Returns:
        The matplotlib Figure (three Axes, one above the other).
    """
    if not isinstance(T, int) or not 2 <= T <= 6:
        raise ValueError(f"T: expected an integer from 2 to 6, got {T!r}")
    fig, axes = _figure(1.2 * (T - 1) + 1.2, 3.4, nrows=3, extra_height=0.3)
    steps = set(range(1, T + 1))
    _shape_panel(axes[0], "many-to-many", steps, steps, T)
    _shape_panel(axes[1], "many-to-one", steps, {T}, T)
    _shape_panel(axes[2], "one-to-many", {1}, steps, T)
    fig.tight_layout()
    set_alt(fig, f"Three shapes of a recurrent network over {T} steps, a chain of hidden states h_1 to h_{T}. "
                 "Many-to-many: an input x_t and an output o_t at every step. Many-to-one: an input at every "
                 f"step, one output o_{T} at the end. One-to-many: one input x_1 at the start, an output at "
                 "every step.")
    return fig
