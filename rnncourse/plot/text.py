"""A text drawn character by character, each on a background coloured by a value (chapter 10).

The figure of Karpathy, Johnson and Fei-Fei (2015): the activation of one unit of a character model
at every character of a text, so that what the unit follows (quotes, the position in the line...)
shows as the colour changes.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle

from .describe import set_alt


def text_activation(ax, text, values, width=None, cmap="coolwarm", limit=None, title=None):
    """Draw ``text`` on ``ax``, one cell per character, coloured by ``values`` (one per character).

    Args:
        ax: a matplotlib ``Axes`` (its frame and ticks are removed).
        text: the characters; a newline starts a new row (drawn as ⏎), so lines stay lines.
        values: array of ``len(text)`` numbers; colours run from ``-limit`` to ``limit``.
        width: characters per row at most (longer lines wrap); default: the longest line.
        cmap: a diverging colour map (blue negative, red positive by default).
        limit: the value of the extreme colours (default: the largest ``|value|``).
        title: the axes' title.

    Returns:
        the number of rows drawn.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(text),):
        raise ValueError(f"values: expected one number per character ({len(text)}), got shape "
                         f"{values.shape}")
    width = width or max(len(line) + 1 for line in text.split("\n"))
    limit = limit or float(np.abs(values).max()) or 1.0
    colours = colormaps[cmap]
    row = col = 0
    for ch, v in zip(text, values):
        if col >= width:
            row, col = row + 1, 0
        ax.add_patch(Rectangle((col, -row - 1), 1, 1, color=colours(0.5 + 0.5 * np.clip(v / limit, -1, 1)),
                               lw=0))
        shown = "⏎" if ch == "\n" else ch
        if shown.strip():
            ax.text(col + 0.5, -row - 0.5, shown, ha="center", va="center", family="monospace",
                    fontsize=8, color="0.5" if ch == "\n" else "black")
        row, col = (row + 1, 0) if ch == "\n" else (row, col + 1)
    rows = row + (col > 0)
    ax.set(xlim=(0, width), ylim=(-rows, 0), xticks=[], yticks=[])
    ax.set_aspect(1.6)
    for side in ax.spines.values():
        side.set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    shown = " ".join(text.split())
    set_alt(ax, f"{title + ': ' if title else ''}the text “{shown[:80]}{'…' if len(shown) > 80 else ''}” "
                f"drawn character by character, each on a background coloured by its value "
                f"(blue negative, red positive)")
    return rows


__all__ = ["text_activation"]
