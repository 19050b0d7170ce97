"""Computational graphs of recurrent networks, drawn with matplotlib patches.

Every node is a circle (vectors x, h, o) and every edge an arrow labelled by the weight it multiplies,
so the picture names the same U, W, V as the equations of the chapter.

A new figure is sized from its drawing (:func:`_figure`): :data:`UNIT` inches per unit of the drawing,
so that a node (radius 0.32) holds its 12-point label at any number of steps, and no wider than the text
column (:data:`rnncourse.plot.style.COLUMN_WIDTH`): a figure is then shown at its own size on a desktop
instead of being shrunk below legibility.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch

from .describe import set_alt
from .style import COLUMN_WIDTH

_COLOURS = {"x": "#dbe9f6", "h": "#fde7c8", "o": "#dcefdc"}
_RADIUS = 0.32
UNIT = 0.55          # inches per unit of a graph drawing


def _figure(width: float, height: float, nrows: int = 1, extra_height: float = 0.0):
    """A figure for ``nrows`` drawings of ``width`` x ``height`` units stacked vertically, at
    :data:`UNIT` inches per unit, scaled down to the column width if wider; ``extra_height`` inches
    per row hold a title. Returns (fig, axes) as ``plt.subplots``."""
    scale = min(UNIT, COLUMN_WIDTH / width)
    return plt.subplots(nrows, 1, figsize=(width * scale, nrows * (height * scale + extra_height)))


def _node(ax, xy, label, kind):
    ax.add_patch(Circle(xy, _RADIUS, facecolor=_COLOURS[kind], edgecolor="black", lw=1.2, zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=12, zorder=4)


def _edge(ax, start, end, label, *, offset=(0.12, 0.0), rad=0.0, dashed=False):
    arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, lw=1.2,
                            shrinkA=_RADIUS * 72 * 0.62, shrinkB=_RADIUS * 72 * 0.62,
                            connectionstyle=f"arc3,rad={rad}", linestyle="--" if dashed else "-",
                            color="black", zorder=2)
    ax.add_patch(arrow)
    mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
    ha = "center" if offset[0] == 0 else ("left" if offset[0] > 0 else "right")
    ax.text(*mid, label, fontsize=11, color="#8b1a1a", ha=ha, va="center", zorder=4)


def unrolled_graph(T: int = 4, ax=None, folded: bool = True, span: int | None = None):
    """Draw an RNN with hidden-to-hidden recurrence, folded (left) and unrolled over ``T`` steps (right).

    Nodes are x_t (input), h_t (hidden state), o_t (output); the same three weight matrices U (input to
    hidden), W (hidden to hidden) and V (hidden to output) label every step, which is the parameter sharing
    of the unrolled graph.

    Args:
        T: number of time steps to unroll (1 <= T <= 12).
        ax: matplotlib Axes to draw into; a new figure sized to T is made when None.
        folded: also draw the folded graph with its self-loop, and an "unfold" arrow.
        span: leave room for this many steps (>= T), so that the frames of a slider over T keep one
            scale and the graph grows from the left (None: T).

    Returns:
        The matplotlib Axes.
    """
    if not isinstance(T, int) or not 1 <= T <= 12:
        raise ValueError(f"T: expected an integer from 1 to 12, got {T!r}")
    span = T if span is None else span
    if not isinstance(span, int) or not T <= span <= 12:
        raise ValueError(f"span: expected None or an integer from T={T} to 12, got {span!r}")
    left = 2.6 if folded else 0.0
    right = left + 1.4 * span + 0.6
    if ax is None:
        _, ax = _figure(right + 0.45, 4.0)
    if folded:
        _node(ax, (0.3, 0), "$x$", "x")
        _node(ax, (0.3, 1.4), "$h$", "h")
        _node(ax, (0.3, 2.8), "$o$", "o")
        _edge(ax, (0.3, 0), (0.3, 1.4), "$U$")
        _edge(ax, (0.3, 1.4), (0.3, 2.8), "$V$")
        # the self-loop: W feeds h back into itself one step later (the black square of delay)
        ax.add_patch(FancyArrowPatch((0.58, 1.58), (0.58, 1.22), arrowstyle="-|>", mutation_scale=14,
                                     connectionstyle="arc3,rad=-1.6", lw=1.2, color="black"))
        ax.text(1.08, 1.4, "$W$", fontsize=11, color="#8b1a1a", va="center")
        ax.annotate("", xy=(left - 0.35, 1.4), xytext=(1.55, 1.4),
                    arrowprops=dict(arrowstyle="-|>", lw=1.6, color="grey"))
        ax.text((left - 0.35 + 1.55) / 2, 1.62, "unfold", ha="center", fontsize=10, color="grey")
    xs = [left + 1.4 * t for t in range(T + 1)]
    _node(ax, (xs[0], 1.4), "$h_0$", "h")
    for t in range(1, T + 1):
        x = xs[t]
        _node(ax, (x, 0), f"$x_{{{t}}}$", "x")
        _node(ax, (x, 1.4), f"$h_{{{t}}}$", "h")
        _node(ax, (x, 2.8), f"$o_{{{t}}}$", "o")
        _edge(ax, (x, 0), (x, 1.4), "$U$")
        _edge(ax, (x, 1.4), (x, 2.8), "$V$")
        _edge(ax, (xs[t - 1], 1.4), (x, 1.4), "$W$", offset=(0.0, 0.22))
    ax.set_xlim(-0.45, right)
    ax.set_ylim(-0.6, 3.4)
    ax.set_aspect("equal")
    ax.axis("off")
    steps = f"unrolled over {T} time step{'s' * (T > 1)}: from h_0, each step t has an input x_t feeding " \
            "the hidden state h_t through U, h_t feeding the output o_t through V and the next hidden " \
            "state through W; the same U, V, W label every step."
    set_alt(ax, ("The recurrent network folded (x feeds h through U, h feeds o through V and itself "
                 "through a loop W) and, after an arrow 'unfold', " if folded else
                 "The recurrent network ") + steps)
    return ax
