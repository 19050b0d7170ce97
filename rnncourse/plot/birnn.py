"""Figures of chapter 4: the bidirectional RNN, deep RNNs, a recursive network, who-reads-whom maps.

Drawn with the node and edge helpers of :mod:`rnncourse.plot.graphs`, so every arrow is labelled with
the weight it multiplies, in the notation of the chapter, and sized as they are (``graphs._figure``):
multi-panel figures stack their panels vertically, so that each keeps a legible size in the text column
and on a phone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .describe import set_alt
from .graphs import _edge, _figure, _node


def _frame(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def brnn_graph(T: int = 3, ax=None):
    """The bidirectional RNN of Schuster & Paliwal unrolled over ``T`` steps (Graves' six weights).

    Rows from the bottom: inputs x_t, forward states h_t (read left to right, weight W_2), backward
    states g_t (read right to left, weight W_5), outputs o_t. Input to forward/backward layer: W_1/W_3;
    forward/backward layer to output: W_4/W_6. No arrow joins the two hidden rows.

    Args:
        T: number of time steps (1 <= T <= 8).
        ax: Axes to draw into; a new figure when None.

    Returns:
        The matplotlib Axes.
    """
    if not isinstance(T, int) or not 1 <= T <= 8:
        raise ValueError(f"T: expected an integer from 1 to 8, got {T!r}")
    step = 2.2
    if ax is None:
        _, ax = _figure(step * (T + 0.6) + 1.4, 5.8)
    for t in range(1, T + 1):
        c = step * t
        x, h, g, o = (c, 0.0), (c - 0.45, 1.6), (c + 0.45, 3.0), (c, 4.6)
        _node(ax, x, f"$x_{{{t}}}$", "x")
        _node(ax, h, f"$h_{{{t}}}$", "h")
        _node(ax, g, f"$g_{{{t}}}$", "h")
        _node(ax, o, f"$o_{{{t}}}$", "o")
        _edge(ax, x, h, "$W_1$", offset=(-0.2, 0.0))
        _edge(ax, x, g, "$W_3$", offset=(0.12, -0.3))
        _edge(ax, h, o, "$W_4$", offset=(-0.16, 0.75))
        _edge(ax, g, o, "$W_6$", offset=(0.14, 0.0))
        if t > 1:
            _edge(ax, (h[0] - step, h[1]), h, "$W_2$", offset=(0.0, 0.25))
        if t < T:
            _edge(ax, (g[0] + step, g[1]), g, "$W_5$", offset=(0.0, 0.25))
    ax.text(step * 0.2, 1.6, "forward\nlayer", ha="center", va="center", fontsize=9, color="grey")
    ax.text(step * (T + 0.8), 3.0, "backward\nlayer", ha="center", va="center", fontsize=9, color="grey")
    _frame(ax, (step * 0.2 - 0.7, step * (T + 0.8) + 0.7), (-0.6, 5.2))
    set_alt(ax, f"A bidirectional RNN unrolled over {T} steps. Each input x_t feeds a forward state h_t "
                "(through W_1) and a backward state g_t (through W_3); the forward states are chained left "
                "to right through W_2, the backward states right to left through W_5, and no arrow joins "
                "the two rows; each output o_t reads h_t through W_4 and g_t through W_6.")
    return ax


def deep_rnn_graphs(T: int = 3):
    """Three ways to deepen an RNN (Deep Learning book, fig. 10.13), unrolled over ``T`` steps.

    (a) stacked layers h^(1), h^(2); (b) a deeper transition: an extra hidden layer z_t between
    h_{t-1} and h_t; (c) the same with a skip connection h_{t-1} -> h_t (dashed) that shortens the
    path through time.

    Returns:
        The figure (three Axes, one above the other).
    """
    if not isinstance(T, int) or not 1 <= T <= 5:
        raise ValueError(f"T: expected an integer from 1 to 5, got {T!r}")
    step = 1.7
    fig, axes = _figure(step * (T - 1) + 1.4, 5.4, nrows=3, extra_height=0.35)
    titles = ["(a) stacked layers", "(b) deeper transition", "(c) deeper transition + skip"]
    for panel, (ax, title) in enumerate(zip(axes, titles)):
        for t in range(1, T + 1):
            c = step * t
            x, o = (c, 0.0), (c, 4.2)
            _node(ax, x, f"$x_{{{t}}}$", "x")
            _node(ax, o, f"$o_{{{t}}}$", "o")
            if panel == 0:
                h1, h2 = (c, 1.4), (c, 2.8)
                _node(ax, h1, f"$h^{{(1)}}_{{{t}}}$", "h")
                _node(ax, h2, f"$h^{{(2)}}_{{{t}}}$", "h")
                _edge(ax, x, h1, "")
                _edge(ax, h1, h2, "")
                _edge(ax, h2, o, "")
                if t > 1:
                    _edge(ax, (c - step, 1.4), h1, "")
                    _edge(ax, (c - step, 2.8), h2, "")
            else:
                h, z = (c, 2.4), (c - step / 2, 1.5)
                _node(ax, h, f"$h_{{{t}}}$", "h")
                _edge(ax, x, h, "")
                _edge(ax, h, o, "")
                if t > 1:
                    _node(ax, z, f"$z_{{{t}}}$", "h")
                    _edge(ax, (c - step, 2.4), z, "")
                    _edge(ax, z, h, "")
                    if panel == 2:
                        _edge(ax, (c - step, 2.4), h, "", dashed=True)
        ax.set_title(title, fontsize=12)
        _frame(ax, (step - 0.7, step * T + 0.7), (-0.6, 4.8))
    set_alt(fig, f"Three ways to deepen an RNN, each unrolled over {T} steps from inputs x_t at the bottom "
                 "to outputs o_t at the top. (a) Stacked layers: two rows of hidden states h^(1)_t and "
                 "h^(2)_t, each chained in time. (b) Deeper transition: between h_(t-1) and h_t an extra "
                 "hidden layer z_t. (c) The same with a dashed skip connection from h_(t-1) straight to "
                 "h_t, a shorter path through time.")
    fig.tight_layout()
    return fig


def tree_graph(tree, ax=None):
    """A recursive network over a binary tree given as nested pairs, e.g. ``(("the", "cat"), "sat")``.

    Leaves (strings) are inputs x; every pair is an internal node h = f(W [h_left; h_right] + b) with
    the same W at every node, drawn with arrows labelled W; the root also feeds the output o.

    Returns:
        The matplotlib Axes.
    """
    leaves = []

    def place(node, depth):
        """(x, y) of ``node``; leaves left to right at y = 0, parents above their deepest child."""
        if isinstance(node, str):
            leaves.append(node)
            return (1.3 * (len(leaves) - 1), 0.0), 0
        (xl, yl), dl = place(node[0], depth + 1)
        (xr, yr), dr = place(node[1], depth + 1)
        height = max(dl, dr) + 1
        xy = ((xl + xr) / 2, 1.2 * height)
        edges.append(((xl, yl), xy))
        edges.append(((xr, yr), xy))
        nodes.append(xy)
        return xy, height

    edges, nodes = [], []
    root, height = place(tree, 0)
    if ax is None:
        _, ax = _figure(1.3 * (len(leaves) - 1) + 1.2, 1.2 * height + 2.8)
    for k, word in enumerate(leaves):
        _node(ax, (1.3 * k, 0.0), f"$x_{{{k + 1}}}$", "x")
        ax.text(1.3 * k, -0.6, word, ha="center", va="top", fontsize=10)
    for start, end in edges:
        _edge(ax, start, end, "$W$", offset=(0.0, 0.0) if start[0] == end[0] else
              (-0.1 if start[0] < end[0] else 0.1, 0.0))
    for xy in nodes:
        _node(ax, xy, "$h$", "h")
    out = (root[0], root[1] + 1.2)
    _node(ax, out, "$o$", "o")
    _edge(ax, root, out, "$V$")
    _frame(ax, (-0.6, 1.3 * (len(leaves) - 1) + 0.6), (-1.1, out[1] + 0.5))
    set_alt(ax, f"A recursive network over the binary tree of the words {' '.join(leaves)}: each word is "
                f"an input x at the bottom, each of the {len(nodes)} inner nodes a state h computed "
                "through the same W from its two children, and the root feeds the output o through V.")
    return ax


def dependency_maps(maps, titles, target_offset=0):
    """Which inputs each prediction has read: one grid per model, rows = position t, columns = input s.

    Args:
        maps: list of boolean or float arrays ``(seq_len, seq_len)``; entry [t, s] is nonzero when the
            prediction at position t depends on input x_s (e.g. a nonzero gradient).
        titles: one title per map.
        target_offset: the prediction at t is of x_{t + target_offset}; those cells are outlined in
            red, so a filled red cell means the model reads its own answer. One integer for all maps,
            or one per map.

    Returns:
        The figure (one grid above the other).
    """
    fig, axes = plt.subplots(len(maps), 1, figsize=(3.4, 2.9 * len(maps)), squeeze=False)
    offsets = target_offset if isinstance(target_offset, (list, tuple)) else [target_offset] * len(maps)
    for ax, grid, title, offset in zip(axes[:, 0], maps, titles, offsets):
        grid = np.asarray(grid) != 0
        T = grid.shape[0]
        ax.imshow(grid, cmap="Greys", vmin=0, vmax=1.6)
        for t in range(T):
            s = t + offset
            if 0 <= s < T:
                ax.add_patch(plt.Rectangle((s - 0.5, t - 0.5), 1, 1, fill=False, lw=1.8,
                                           edgecolor="#D55E00", clip_on=False))
        ax.set(title=title, xlabel="input position $s$", ylabel="prediction at position $t$",
               xticks=range(T), yticks=range(T))
        ax.grid(False)
    from matplotlib.patches import Patch

    key = [Patch(facecolor=plt.get_cmap("Greys")(1 / 1.6), edgecolor="0.5", label="reads this input"),
           Patch(fill=False, edgecolor="#D55E00", lw=1.8, label="its own answer")]
    fig.legend(handles=key, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.5 / fig.get_size_inches()[1], 1, 1))
    set_alt(fig, "Which inputs each prediction reads, one grid per model (rows: the prediction at position "
                 "t; columns: the input x_s; a filled cell: the prediction depends on that input; outlined: "
                 "the input that is the prediction's own answer). " +
                 " ".join(f"{title.splitlines()[0]}: {_reads(np.asarray(grid) != 0, offset)}."
                          for grid, title, offset in zip(maps, titles, offsets)))
    return fig


def _reads(grid, offset: int) -> str:
    """Words for one dependency map: how many inputs a prediction reads, and whether it sees its answer."""
    T = grid.shape[0]
    answers = [grid[t, t + offset] for t in range(T) if 0 <= t + offset < T]
    seen = sum(bool(a) for a in answers)
    return (f"{int(grid.sum())} of {grid.size} cells filled; "
            + (f"{seen} of {len(answers)} predictions read their own answer" if seen else
               "no prediction reads its own answer"))


def grid_rnn_graph(n: int = 4):
    """The four sweeps of a two-dimensional RNN over an ``n`` x ``n`` grid of inputs (chapter 4).

    One panel per corner the sweep starts from; in each, every state h_{i,j} has an arrow from the
    neighbour it reads in its column and the one in its row (``rnncourse.birnn.grid_rnn``), so the
    state at a node has read every input between it and the panel's corner.

    Returns:
        The figure (2 x 2 Axes).
    """
    from matplotlib.patches import Circle, FancyArrowPatch

    if not isinstance(n, int) or not 2 <= n <= 6:
        raise ValueError(f"n: expected an integer from 2 to 6, got {n!r}")
    fig, axes = plt.subplots(2, 2, figsize=(4.8, 5.0))
    sweeps = [("from the top left", 1, 1), ("from the top right", 1, -1),
              ("from the bottom left", -1, 1), ("from the bottom right", -1, -1)]
    for ax, (title, d_row, d_col) in zip(axes.flat, sweeps):
        for i in range(n):
            for j in range(n):
                ax.add_patch(Circle((j, -i), 0.2, facecolor="#dbe8f5", edgecolor="black", lw=1))
                for pi, pj in ((i - d_row, j), (i, j - d_col)):          # the two neighbours read
                    if 0 <= pi < n and 0 <= pj < n:
                        ax.add_patch(FancyArrowPatch((pj, -pi), (j, -i), arrowstyle="-|>",
                                                     mutation_scale=10, shrinkA=9, shrinkB=9,
                                                     lw=1, color="black"))
        ax.set_title(title, fontsize=11)
        _frame(ax, (-0.5, n - 0.5), (-n + 0.5, 0.5))
    fig.tight_layout()
    set_alt(fig, f"The four sweeps of a two-dimensional RNN over a {n} by {n} grid, one panel per corner it "
                 "starts from (top left, top right, bottom left, bottom right); in each, every state has an "
                 "arrow from its neighbour in the same column and in the same row on the side of that "
                 "corner.")
    return fig
