"""rnncourse.plot.style and .describe: one palette, figures that fit the text column, 2x PNGs with alt text."""

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from PIL import Image  # noqa: E402

from rnncourse import plot  # noqa: E402
from rnncourse.plot import describe, style  # noqa: E402


def luminance(colour):
    """Relative luminance (WCAG) of a matplotlib colour."""
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return float(np.dot([0.2126, 0.7152, 0.0722], channels))


def test_every_model_has_one_colour_found_by_any_spelling():
    assert plot.model_colour("LSTM") == plot.model_colour("lstm") == style.MODEL_COLOURS["LSTM"]
    assert plot.model_colour("tanh RNN") == plot.model_colour("RNN")
    assert plot.model_colour("bidirectional") == plot.model_colour("BRNN")
    assert len(set(style.MODEL_COLOURS.values())) == len(style.MODEL_COLOURS)
    with pytest.raises(ValueError, match=r"name: expected one of .*'GRU'.*got 'transformer'"):
        plot.model_colour("transformer")
    with pytest.raises(TypeError, match="name: expected a model name"):
        plot.model_colour(3)


def test_ordered_colours_get_steadily_lighter():
    colours = plot.ordered_colours(6)
    assert len(colours) == 6
    light = [luminance(c) for c in colours]
    assert all(a < b for a, b in zip(light, light[1:]))     # the order reads without hue
    assert light[-1] < luminance("white") - 0.2                # the last one still shows on white
    with pytest.raises(ValueError, match="n: expected a positive integer, got 0"):
        plot.ordered_colours(0)


def test_book_style_sets_the_column_size_and_palette_outside_ipython():
    with matplotlib.rc_context():
        plot.book_style()
        assert tuple(plt.rcParams["figure.figsize"]) == (style.COLUMN_WIDTH, 3.6)
        assert plt.rcParams["mathtext.fontset"] == "cm"
        cycle = [c["color"].lower() for c in plt.rcParams["axes.prop_cycle"]]
        assert style.MODEL_COLOURS["LSTM"].lower().lstrip("#") in [c.lstrip("#") for c in cycle]


def test_figure_alt_reads_a_plot_off_the_figure():
    fig, ax = plt.subplots()
    ax.semilogy([1, 10, 100], label=r"$\rho(W_{hh}) = 0.9$")
    ax.set(title="Gradient norm", xlabel=r"distance $t - k$", ylabel=r"$\|\partial L / \partial h_k\|$")
    ax.legend()
    assert describe.figure_alt(fig) == ("Plot “Gradient norm”: ‖∂L / ∂h_k‖ (log scale) against distance "
                                        "t - k; legend: ρ(W_hh) = 0.9.")
    assert "Gradient norm" not in describe.figure_alt(fig, titles=False)
    plot.set_alt(ax, "A falling line.")
    assert describe.figure_alt(fig) == "A falling line."
    plot.set_alt(fig, "The whole figure.")
    assert describe.figure_alt(fig) == "The whole figure."
    with pytest.raises(ValueError, match="text: expected a non-empty description"):
        plot.set_alt(fig, " ")
    with pytest.raises(TypeError, match="target: expected a matplotlib Figure or Axes, got str"):
        plot.set_alt("figure", "text")
    plt.close(fig)


def test_figure_alt_names_panels_and_heat_maps_and_skips_colour_bars():
    fig, (a, b) = plt.subplots(1, 2)
    a.bar(["x", "y"], [1, 2])
    image = b.imshow(np.eye(3))
    fig.colorbar(image, ax=b)
    text = describe.figure_alt(fig)
    assert text.startswith("2 panels. (1) bar chart") and "(2) heat map with a colour scale" in text
    plt.close(fig)


def test_figure_alt_says_what_panels_share_once():
    fig, axes = plt.subplots(1, 2)
    plot.lstm_cell(highlight="forget", ax=axes[0])
    plot.lstm_cell(highlight="output", ax=axes[1])
    text = describe.figure_alt(fig)
    assert text.startswith("2 panels, each: An LSTM cell:") and text.count("An LSTM cell") == 1
    assert "(1) The forget step is lit" in text and "(2) The output step is lit" in text
    assert describe.plain_text(r"$c_{t-1}$ and $h^{(1)}_{t}$ and $W_{hh}$") == "c_(t-1) and h^(1)_t and W_hh"
    plt.close(fig)



def test_figure_alt_keeps_a_quoted_text_whole_when_panels_share_it():
    from rnncourse.plot.text import text_activation

    fig, axes = plt.subplots(2, 1)
    sample = "It ends. Then more text. And more."
    for k, ax in enumerate(axes):
        text_activation(ax, sample, np.linspace(-1, 1, len(sample)) * (1 - 2 * k), title=f"unit {k}")
    text = describe.figure_alt(fig)
    assert text.count("“") == text.count("”") == 2, text        # quotes balanced, one per panel
    assert text.count("“It ends. Then more text. And more.”") == 2, text
    plt.close(fig)

PACKAGE_FIGURES = {
    "unrolled_graph": lambda: plot.unrolled_graph(4).figure,
    "unrolled_graph_12": lambda: plot.unrolled_graph(12).figure,
    "design_pattern": lambda: plot.design_pattern("output", 3, teacher_forcing=True).figure,
    "sequence_shapes": lambda: plot.sequence_shapes(4),
    "brnn_graph": lambda: plot.brnn_graph(4).figure,
    "deep_rnn_graphs": lambda: plot.deep_rnn_graphs(3),
    "tree_graph": lambda: plot.tree_graph((("the", "cat"), ("sat", ("on", ("the", "mat"))))).figure,
    "dependency_maps": lambda: plot.dependency_maps([np.eye(8)] * 3, ["a", "b", "c"]),
    "grid_rnn_graph": lambda: plot.grid_rnn_graph(4),
    "lstm_cell": lambda: plot.lstm_cell().figure,
    "gate_activations": lambda: plot.gate_activations({"i": np.random.rand(30, 8)}, keys=("i",))[0],
}


@pytest.mark.parametrize("name", sorted(PACKAGE_FIGURES))
def test_package_figures_fit_the_text_column_and_describe_themselves(name):
    fig = PACKAGE_FIGURES[name]()
    width = fig.get_size_inches()[0]
    assert width <= style.COLUMN_WIDTH + 1e-9, f"{name}: {width:.2f} in is wider than the text column"
    alt = describe.figure_alt(fig)
    assert len(alt) > 60 and not alt.startswith(("Plot", "Diagram", "diagram")), alt
    plt.close(fig)


def test_book_style_in_a_kernel_displays_2x_pngs_with_alt_text():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\n"
                                          "from rnncourse.plot import book_style\nbook_style()"),
                nbformat.v4.new_code_cell("fig, ax = plt.subplots(figsize=(4, 2))\n"
                                          "ax.plot([0, 1], [1, 0], label='LSTM')\n"
                                          "ax.set(xlabel='step', ylabel='loss')\nax.legend()\nplt.show()")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (output,) = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    meta = output["metadata"]["image/png"]
    with Image.open(io.BytesIO(base64.b64decode(output["data"]["image/png"]))) as image:
        assert image.size == (2 * meta["width"], 2 * meta["height"])
        assert image.mode == "P"                                  # the compact palette PNG
    assert meta["alt"] == "Plot: loss against step; legend: LSTM."
