"""Figures of the book, drawn by code so they stay true to the implementation.

- :func:`book_style` (``style.py``): the book's matplotlib style, 2x PNGs with alt text; a chapter
  calls it once in its imports cell. :data:`MODEL_COLOURS` / :func:`model_colour` (one colour per
  model), :func:`ordered_colours` (an ordered parameter), :data:`COLUMN_WIDTH`.
- :func:`set_alt`, :func:`figure_alt` (``describe.py``): a figure's alt text, written or read off it.

- :func:`unrolled_graph`: the recurrent network folded and unrolled over ``T`` steps (chapter 1).
- :func:`design_pattern`, :func:`sequence_shapes` (``patterns.py``): the design patterns of §10.2
  and many-to-many / many-to-one / one-to-many (chapter 2).
- :func:`brnn_graph`, :func:`deep_rnn_graphs`, :func:`tree_graph`, :func:`dependency_maps`,
  :func:`grid_rnn_graph` (``birnn.py``): the bidirectional RNN, deep RNNs, a recursive network,
  who-reads-whom, the sweeps of a 2-D RNN (chapter 4).
- :func:`lstm_cell`, :func:`gate_activations` (``gates.py``): the LSTM cell and the gates over time
  (chapters 7, 8).
- :func:`draw_gradient_norms`, :func:`draw_prediction`, :func:`draw_samples` (``frames.py``): one
  frame of the sliders of chapters 5, 6 and 9 (``rnncourse.interactive.explore``); :func:`sample_text`:
  chapter 9's samples as text (``rnncourse.interactive.text_switcher``).
- :func:`seed_band`, :func:`metric_band` (``seeds.py``): training curves (or curves stored in the
  runs' metrics) of several seeds as a median and a band.
- :func:`text_activation` (``text.py``): a text coloured character by character by a unit's value
  (chapter 10).
"""

from .style import COLUMN_WIDTH, MODEL_COLOURS, book_style, model_colour, ordered_colours

__all__ = ["book_style", "MODEL_COLOURS", "model_colour", "ordered_colours", "COLUMN_WIDTH"]

from .describe import figure_alt, set_alt  # noqa: E402

__all__ += ["figure_alt", "set_alt"]

from .graphs import unrolled_graph  # noqa: E402

__all__ += ["unrolled_graph"]

from .patterns import design_pattern, sequence_shapes  # noqa: E402

__all__ += ["design_pattern", "sequence_shapes"]

from .birnn import brnn_graph, deep_rnn_graphs, dependency_maps, grid_rnn_graph, tree_graph  # noqa: E402

__all__ += ["brnn_graph", "deep_rnn_graphs", "tree_graph", "dependency_maps", "grid_rnn_graph"]

from .gates import gate_activations, lstm_cell  # noqa: E402  (chapters 7, 8)

__all__ += ["lstm_cell", "gate_activations"]

# frames.py needs torch and the models: imported when one of its functions is first asked for, so that
# the style, the diagrams and describe.py (which the book's build reads) load in a fraction of a second
_FRAMES = ("draw_gradient_norms", "draw_prediction", "draw_samples", "sample_text")
__all__ += list(_FRAMES)


def __getattr__(name):
    if name in _FRAMES:
        from . import frames

        return getattr(frames, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

from .seeds import metric_band, seed_band  # noqa: E402  (chapters 5, 7, 8, 9, 10: runs of several seeds)

__all__ += ["metric_band", "seed_band"]

from .text import text_activation  # noqa: E402  (chapter 10: a unit's activation over a text)

__all__ += ["text_activation"]
