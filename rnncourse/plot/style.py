"""One visual language for every figure of the book.

A chapter switches it on in its imports cell::

    from rnncourse.plot import book_style
    book_style()

which applies ``book.mplstyle`` (sizes for the text column, the Okabe–Ito colour cycle, labels typeset
like the equations) and, in a notebook, makes every figure a PNG at twice its displayed size (sharp on
phones and high-DPI screens; kept small by :func:`rnncourse.plot.png.compact_png`) that carries a
description of itself for the web page's alt text (:func:`rnncourse.plot.describe.figure_alt`). The package's own figures use the same colours whether
or not the style is on:

- :data:`MODEL_COLOURS` / :func:`model_colour`: one colour per model, the same in every chapter;
- :func:`ordered_colours`: colours for an ordered parameter (a sweep over ρ, T, α...) from a
  colour-blind-safe sequential map, light to dark;
- :data:`SEQUENTIAL`, :data:`DIVERGING`: the colour maps for non-negative and for signed values;
- :data:`COLUMN_WIDTH`: the width in inches of a figure that fills the text column.
"""

from __future__ import annotations

import base64
from pathlib import Path

import matplotlib as mpl
import numpy as np

STYLE_FILE = Path(__file__).with_name("book.mplstyle")

# a full-width figure: 6.4 in at 100 dpi is about the text column of the web book on a desktop
COLUMN_WIDTH = 6.4

# Okabe & Ito's palette (distinguishable under protanopia, deuteranopia and tritanopia); grey for
# the plain RNN, the baseline every other model is compared with
MODEL_COLOURS = {
    "RNN": "#666666",
    "LSTM": "#0072B2",
    "GRU": "#E69F00",
    "ESN": "#009E73",
    "BRNN": "#CC79A7",
    "attention": "#D55E00",
}
_ALIASES = {"tanh rnn": "RNN", "elman": "RNN", "bidirectional": "BRNN", "birnn": "BRNN",
            "echo-state network": "ESN", "reservoir": "ESN"}

SEQUENTIAL = "viridis"    # ordered, non-negative values; colour-blind safe, dark to light
DIVERGING = "coolwarm"    # signed values, white at zero
_SEQUENTIAL_RANGE = (0.0, 0.8)    # the palest end of viridis is hard to see on white


def model_colour(name: str) -> str:
    """The colour of model ``name`` (``"RNN"``, ``"LSTM"``, ``"GRU"``, ``"ESN"``, ``"BRNN"``,
    ``"attention"``; case-insensitive, also ``"tanh RNN"``, ``"bidirectional"``), as a hex string."""
    if not isinstance(name, str):
        raise TypeError(f"name: expected a model name (str), got {type(name).__name__}")
    key = name.strip()
    by_lower = {k.lower(): k for k in MODEL_COLOURS}
    key = by_lower.get(key.lower()) or _ALIASES.get(key.lower())
    if key is None:
        raise ValueError(f"name: expected one of {sorted(MODEL_COLOURS)} (any case), got {name!r}")
    return MODEL_COLOURS[key]


def ordered_colours(n: int, cmap: str = SEQUENTIAL) -> list[tuple]:
    """``n`` colours for the ``n`` values of an ordered parameter, from :data:`SEQUENTIAL` (dark
    purple for the first value to green-yellow for the last), RGBA tuples."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    lo, hi = _SEQUENTIAL_RANGE
    return [tuple(c) for c in mpl.colormaps[cmap](np.linspace(lo, hi, int(n)))]


def book_style(retina: bool = True) -> None:
    """Switch on the book's style for the figures that follow (call it once, in the imports cell).

    Applies :data:`STYLE_FILE` to matplotlib's rcParams. In IPython/Jupyter with ``retina`` (the
    default), figures are also displayed as PNGs at twice their size, with ``width``/``height`` of
    the displayed size and an ``alt`` description (:func:`rnncourse.plot.describe.figure_alt`) in the
    output's metadata; the book reads it for the image's alt text (book/_ext/figure_alt.py). Outside
    IPython only the style is applied.
    """
    import matplotlib.pyplot as plt

    plt.style.use(STYLE_FILE)
    if retina:
        _retina_png_with_alt()


def _retina_png_with_alt() -> bool:
    """Make IPython display a Figure as a 2x PNG whose metadata holds its alt text; False outside it."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from .describe import figure_alt
    from .png import compact_png

    set_matplotlib_formats("retina")      # registers pixel-doubled PNGs for Figure, anew each call
    png = shell.display_formatter.formatters["image/png"]
    retina = png.lookup_by_type(Figure)

    def png_with_alt(fig):
        out = retina(fig)
        if out is None:                   # an empty figure: nothing displayed
            return None
        data, metadata = out
        data = base64.b64encode(compact_png(base64.b64decode(data))).decode("ascii")
        return data, dict(metadata, alt=figure_alt(fig))

    png.for_type(Figure, png_with_alt)
    return True
