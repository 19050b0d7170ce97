"""Figures of the gated cells (chapters 7 and 8), drawn by code.

- :func:`lstm_cell`: the LSTM cell as a circuit (in the manner of Olah's diagrams): the cell state
  running along the top, the four layers fed by ``[h_{t-1}, x_t]``, the pointwise products. Given the
  values of one real step it draws each vector next to its wire as a strip of coloured squares, so
  one can watch the data move through the gates; ``highlight`` picks one of the four steps
  (``'forget'``, ``'input'``, ``'update'``, ``'output'``) and greys out the rest.
- :func:`gate_activations`: the gates of a trained network over one sequence, one heat map per gate
  (units x time), under the input.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

from .describe import plain_text, set_alt
from .style import COLUMN_WIDTH, DIVERGING, SEQUENTIAL

STEPS = ("forget", "input", "update", "output")
_LAYER = "#f3c969"       # learned layers (sigmoid / tanh), yellow as in Olah's figures
_POINT = "#f2a7b5"       # pointwise operations
_ON, _OFF = "#222222", "#cccccc"

# position of each value strip (x, y of its left end) and the steps it belongs to
_STRIPS = {
    "c_prev": ((-0.8, 5.15), ("forget", "update"), r"$c_{t-1}$"),
    "h_prev": ((-0.8, 1.15), ("forget", "input", "output"), r"$h_{t-1}$"),
    "x": ((1.15, -0.75), ("forget", "input", "output"), r"$x_t$"),
    "f": ((0.7, 3.3), ("forget",), r"$f_t$"),
    "i": ((2.75, 3.3), ("input",), r"$i_t$"),
    "g": ((5.75, 3.3), ("input",), r"$g_t$"),
    "o": ((7.75, 3.15), ("output",), r"$o_t$"),
    "tanh_c": ((7.75, 3.95), ("output",), r"$\tanh c_t$"),
    "c": ((11.0, 5.15), ("update", "output"), r"$c_t$"),
    "h": ((11.0, 1.15), ("output",), r"$h_t$"),
}


def _strip(ax, values, xy, label, alpha, cmap, size=0.28):
    """A vector drawn as a row of squares coloured by value in [-1, 1], with a label above."""
    x0, y0 = xy
    colours = plt.get_cmap(cmap)((np.clip(values, -1, 1) + 1) / 2)
    for k, colour in enumerate(colours):
        ax.add_patch(plt.Rectangle((x0 + k * size, y0), size, size, facecolor=colour,
                                   edgecolor="k", lw=0.4, alpha=alpha))
    ax.text(x0 + len(values) * size / 2, y0 + size + 0.08, label, ha="center", va="bottom",
            fontsize=9, alpha=alpha)


def _arrow(ax, start, end, colour, lw=1.6):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, shrinkA=0, shrinkB=0))


def _line(ax, points, colour, lw=1.6):
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=colour, lw=lw, solid_capstyle="round")


def lstm_cell(values=None, highlight=None, ax=None, title=None, cmap=DIVERGING):
    """Draw one LSTM cell; optionally with the vectors of one step and one of the four steps lit.

    Args:
        values: None, or a dict with some of the keys ``'x'``, ``'h_prev'``, ``'c_prev'``, ``'f'``,
            ``'i'``, ``'g'``, ``'o'``, ``'c'``, ``'tanh_c'``, ``'h'``, each a 1-D array (a few units),
            drawn as coloured squares (blue -1, white 0, red +1) beside its wire.
        highlight: None (everything drawn in black) or one of ``'forget'``, ``'input'``,
            ``'update'``, ``'output'``: the parts of that step stay black, the others turn grey.
        ax: matplotlib axes to draw on (a new figure if None).
        title: axes title.
        cmap: colour map of the value strips.

    Returns:
        the axes.
    """
    if highlight is not None and highlight not in STEPS:
        raise ValueError(f"highlight: expected None or one of {STEPS}, got {highlight!r}")
    if values is not None and not isinstance(values, dict):
        raise TypeError(f"values: expected a dict of 1-D arrays, got {type(values).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))

    def on(*steps):
        return highlight is None or highlight in steps

    def colour(*steps):
        return _ON if on(*steps) else _OFF

    ax.add_patch(FancyBboxPatch((0.3, 0.2), 10.4, 5.6, boxstyle="round,pad=0.05,rounding_size=0.3",
                                facecolor="#f7f7f7", edgecolor="#999999", lw=1))
    # the cell state: the conveyor belt along the top
    _line(ax, [(-0.8, 5.0), (1.7, 5.0)], colour("forget", "update"), lw=2.6)
    _line(ax, [(2.3, 5.0), (4.5, 5.0)], colour("forget", "update"), lw=2.6)
    _arrow(ax, (5.1, 5.0), (12.3, 5.0), colour("update"), lw=2.6)
    # [h_{t-1}, x_t] along the bottom, fanned out to the four layers
    bus = colour("forget", "input", "output")
    _line(ax, [(-0.8, 1.0), (7.6, 1.0)], bus)
    _line(ax, [(1.0, -0.3), (1.0, 1.0)], bus)
    layers = [(2.0, r"$\sigma$", "forget"), (4.0, r"$\sigma$", "input"),
              (5.6, "tanh", "input"), (7.6, r"$\sigma$", "output")]
    for x, text, step in layers:
        _arrow(ax, (x, 1.0), (x, 2.05), colour(step))
        ax.add_patch(FancyBboxPatch((x - 0.4, 2.05), 0.8, 0.6, boxstyle="round,pad=0.02",
                                    facecolor=_LAYER if on(step) else "#f4f0e4",
                                    edgecolor=colour(step), lw=1.2))
        ax.text(x, 2.35, text, ha="center", va="center", fontsize=9, color=colour(step))
    ops = {"forget": (2.0, 5.0, r"$\times$"), "add": (4.8, 5.0, "+"),
           "ig": (4.8, 3.9, r"$\times$"), "out": (9.4, 3.0, r"$\times$")}
    op_step = {"forget": ("forget", "update"), "add": ("update",), "ig": ("input", "update"),
               "out": ("output",)}
    _arrow(ax, (2.0, 2.65), (2.0, 4.7), colour("forget"))                  # f_t up to the belt
    _line(ax, [(4.0, 2.65), (4.0, 3.9), (4.5, 3.9)], colour("input"))     # i_t
    _line(ax, [(5.6, 2.65), (5.6, 3.9), (5.1, 3.9)], colour("input"))     # g_t
    _arrow(ax, (4.8, 4.2), (4.8, 4.7), colour("input", "update"))         # i ⊙ g up to +
    _line(ax, [(7.6, 2.65), (7.6, 3.0), (9.1, 3.0)], colour("output"))     # o_t
    _line(ax, [(9.4, 5.0), (9.4, 4.4)], colour("output"))                  # c_t down to tanh
    ax.add_patch(FancyBboxPatch((9.0, 3.9), 0.8, 0.5, boxstyle="round,pad=0.02",
                                facecolor=_POINT if on("output") else "#f4eaec",
                                edgecolor=colour("output"), lw=1.2))
    ax.text(9.4, 4.15, "tanh", ha="center", va="center", fontsize=9, color=colour("output"))
    _arrow(ax, (9.4, 3.9), (9.4, 3.3), colour("output"))
    _line(ax, [(9.4, 2.7), (9.4, 1.0)], colour("output"))
    _arrow(ax, (9.4, 1.0), (12.3, 1.0), colour("output"))                  # h_t to the next step
    _arrow(ax, (10.3, 1.0), (10.3, 6.4), colour("output"))                 # and up to the output
    for key, (x, y, text) in ops.items():
        steps = op_step[key]
        ax.add_patch(Circle((x, y), 0.3, facecolor=_POINT if on(*steps) else "#f4eaec",
                            edgecolor=colour(*steps), lw=1.2, zorder=3))
        ax.text(x, y, text, ha="center", va="center", fontsize=11, color=colour(*steps),
                zorder=4)
    if values is not None:
        for key, vector in values.items():
            if key not in _STRIPS:
                raise ValueError(f"values: unknown key {key!r}, expected some of {list(_STRIPS)}")
            xy, steps, label = _STRIPS[key]
            _strip(ax, np.ravel(vector), xy, label, 1.0 if on(*steps) else 0.25, cmap)
    else:
        for text, xy in [(r"$c_{t-1}$", (-0.8, 5.2)), (r"$c_t$", (11.4, 5.2)),
                         (r"$h_{t-1}$", (-0.8, 1.2)), (r"$h_t$", (11.4, 1.2)),
                         (r"$x_t$", (1.15, -0.45)), (r"$h_t$", (10.5, 6.3))]:
            ax.text(*xy, text, fontsize=11)
    ax.set_xlim(-1.0, 12.5)
    ax.set_ylim(-1.0, 6.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    lit = {None: "", "forget": " The forget step is lit: f_t scales c_(t-1).",
           "input": " The input step is lit: i_t and g_t are computed.",
           "update": " The update step is lit: c_t = f_t c_(t-1) + i_t g_t.",
           "output": " The output step is lit: h_t = o_t tanh c_t."}[highlight]
    shown = (" Beside the wires, the values of one step as coloured squares (blue -1, white 0, red +1): "
             + ", ".join(plain_text(_STRIPS[k][2]) for k in values) + "."
             if values else "")
    set_alt(ax, "An LSTM cell: the cell state c runs along the top from c_(t-1) to c_t, multiplied by the "
                "forget gate f_t and added to the product of the input gate i_t and the candidate g_t; "
                "[h_(t-1), x_t] feeds the three sigmoid gates and the tanh layer along the bottom; h_t is "
                "o_t times tanh c_t." + lit + shown)
    return ax


def gate_activations(record, keys=("i", "f", "o", "c"), inputs=None, input_labels=None,
                     sample=0, units=None, time_marks=(), labels=None, figsize=None):
    """Heat maps of gate activations over one sequence (rows: units, columns: time steps).

    Args:
        record: dict of arrays ``(seq_len, batch, hidden)`` or ``(seq_len, hidden)``, e.g. from
            :func:`rnncourse.gates.lstm_gates` or :func:`rnncourse.gates.gru_gates`.
        keys: which entries to draw, one panel each, top to bottom.
        inputs: None, or an array ``(seq_len, batch, features)`` / ``(seq_len, features)`` drawn
            as lines in a first panel.
        input_labels: legend labels of the input features.
        sample: which sequence of the batch.
        units: indices of the hidden units to show (default: all).
        time_marks: time steps marked by dashed vertical lines in every panel (e.g. the markers
            of the adding problem).
        labels: dict key -> panel label (default: the key).
        figsize: figure size (default from the number of panels).

    Returns:
        (fig, axes).
    """
    missing = [k for k in keys if k not in record]
    if missing:
        raise ValueError(f"keys: {missing} not in record (it has {sorted(record)})")

    def pick(a):
        a = np.asarray(a)
        return a[:, sample] if a.ndim == 3 else a

    panels = len(keys) + (inputs is not None)
    # a narrow second column holds the colour bars, so that every panel has the same time axis
    fig, grid = plt.subplots(panels, 2, squeeze=False, figsize=figsize or (COLUMN_WIDTH, 1.1 + 1.05 * panels),
                             gridspec_kw=dict(width_ratios=[1, 0.025], wspace=0.03))
    axes, bars = grid[:, 0], grid[:, 1]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    row = 0
    if inputs is not None:
        x = pick(inputs)
        for j in range(x.shape[1]):
            name = input_labels[j] if input_labels else f"x[{j}]"
            axes[0].plot(np.arange(len(x)), x[:, j], lw=1, label=name)
        axes[0].legend(loc="upper right", fontsize=8, ncol=x.shape[1])
        axes[0].set_ylabel("input", fontsize=9)
        bars[0].axis("off")
        row = 1
    for key, ax, bar in zip(keys, axes[row:], bars[row:]):
        values = pick(record[key])
        if units is not None:
            values = values[:, list(units)]
        signed = values.min() < 0
        top = max(1.0, float(np.abs(values).max())) if signed else 1.0   # cell states exceed 1
        image = ax.imshow(values.T, aspect="auto", interpolation="nearest",
                          cmap=DIVERGING if signed else SEQUENTIAL,
                          vmin=-top if signed else 0, vmax=top)
        ax.set_ylabel((labels or {}).get(key, key), fontsize=9)
        ax.set_yticks([])
        ax.grid(False)
        fig.colorbar(image, cax=bar)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    for ax in axes:
        for t in time_marks:
            ax.axvline(t, color="k", ls="--", lw=0.8)
    axes[-1].set_xlabel("time step $t$")
    names = [(labels or {}).get(k, k) for k in keys]
    marks = (f"; dashed lines mark steps {', '.join(str(t) for t in time_marks)}" if len(time_marks) else "")
    set_alt(fig, f"Heat maps over {len(pick(record[keys[0]]))} time steps, one row per hidden unit, of "
                 f"{', '.join(names)}, top to bottom, each with its colour scale"
                 + (", under the input drawn as lines" if inputs is not None else "") + marks + ".")
    return fig, axes
