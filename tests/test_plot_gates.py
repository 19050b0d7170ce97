"""rnncourse.plot.gates: the LSTM cell diagram and the gate heat maps draw, and refuse bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.plot import gate_activations, lstm_cell  # noqa: E402


LABELS = {"x": "$x_t$", "h_prev": "$h_{t-1}$", "c_prev": "$c_{t-1}$", "f": "$f_t$", "i": "$i_t$",
          "g": "$g_t$", "o": "$o_t$", "c": "$c_t$", "tanh_c": r"$\tanh c_t$", "h": "$h_t$"}
# the vectors that belong to each step of the cell: lit when that step is highlighted
STEP_VALUES = {"forget": {"c_prev", "h_prev", "x", "f"}, "input": {"h_prev", "x", "i", "g"},
               "update": {"c_prev", "c"}, "output": {"h_prev", "x", "o", "tanh_c", "c", "h"}}


def value_squares(ax):
    """The squares of the value strips, in the order drawn (the diagram's boxes are not Rectangles)."""
    return [p for p in ax.patches if type(p) is matplotlib.patches.Rectangle]


def test_lstm_cell_draws_each_value_as_a_coloured_square_under_its_label():
    rng = np.random.default_rng(0)
    values = {k: rng.uniform(-1, 1, 3) for k in LABELS}
    values["c"] = np.array([1.7, -2.5, 0.0])                      # beyond ±1: the end colours
    ax = lstm_cell(values)
    squares = value_squares(ax)
    assert len(squares) == 3 * len(values)
    cmap = plt.get_cmap("coolwarm")
    for k, (key, vector) in enumerate(values.items()):
        strip = squares[3 * k:3 * k + 3]
        want = [cmap((min(max(v, -1), 1) + 1) / 2)[:3] for v in vector]
        np.testing.assert_allclose([sq.get_facecolor()[:3] for sq in strip], want)
        xs, ys = [sq.get_x() for sq in strip], {sq.get_y() for sq in strip}
        assert xs == sorted(xs) and len(ys) == 1               # one row, left to right
        label = [t for t in ax.texts if t.get_text() == LABELS[key]]
        assert len(label) == 1
        lx, ly = label[0].get_position()
        assert xs[0] <= lx <= xs[-1] + strip[-1].get_width() and ly > ys.pop()   # above its strip
    np.testing.assert_allclose(squares[3 * 7].get_facecolor()[:3], cmap(1.0)[:3])   # c = 1.7
    np.testing.assert_allclose(squares[3 * 7 + 1].get_facecolor()[:3], cmap(0.0)[:3])
    plt.close(ax.figure)


@pytest.mark.parametrize("step", sorted(STEP_VALUES))
def test_lstm_cell_highlight_greys_out_the_other_steps(step):
    values = {k: np.full(2, 0.5) for k in LABELS}
    ax = lstm_cell(values, highlight=step)
    squares = value_squares(ax)
    for k, key in enumerate(values):
        lit = key in STEP_VALUES[step]
        assert {sq.get_alpha() for sq in squares[2 * k:2 * k + 2]} == {1.0 if lit else 0.25}, key
    plt.close(ax.figure)


def test_lstm_cell_without_values_names_the_wires():
    ax = lstm_cell(title="one cell")
    texts = {t.get_text() for t in ax.texts}
    assert {"$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "tanh", "+"} <= texts
    assert value_squares(ax) == [] and ax.get_title() == "one cell"
    plt.close(ax.figure)


def test_lstm_cell_refuses_bad_arguments():
    with pytest.raises(ValueError, match="highlight"):
        lstm_cell(highlight="remember")
    with pytest.raises(TypeError, match="values"):
        lstm_cell(values=[1, 2])
    with pytest.raises(ValueError, match="unknown key"):
        lstm_cell(values={"q": np.zeros(2)})
    plt.close("all")


def test_gate_activations_draws_the_record():
    rng = np.random.default_rng(0)
    record = {"i": rng.uniform(0, 1, (20, 2, 4)), "c": rng.normal(0, 2, (20, 2, 4))}
    inputs = rng.uniform(0, 1, (20, 2, 2))
    fig, axes = gate_activations(record, keys=("i", "c"), inputs=inputs, input_labels=["value", "marker"],
                                 units=[0, 2], time_marks=(3, 10), sample=1,
                                 labels={"i": "input gate"})
    assert len(axes) == 3                                       # input panel + one per key
    for j, line in enumerate(axes[0].lines[:2]):                # sample 1, feature j, over time
        np.testing.assert_array_equal(line.get_ydata(), inputs[:, 1, j])
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["value", "marker"]
    gate, cell = axes[1].images[0], axes[2].images[0]
    np.testing.assert_array_equal(gate.get_array(), record["i"][:, 1, [0, 2]].T)   # units x time
    np.testing.assert_array_equal(cell.get_array(), record["c"][:, 1, [0, 2]].T)
    assert gate.get_clim() == (0, 1.0)                          # gates in (0, 1)
    top = np.abs(record["c"][:, 1, [0, 2]]).max()
    assert cell.get_clim() == pytest.approx((-top, top))       # signed values: symmetric, beyond 1
    assert [ax.get_ylabel() for ax in axes] == ["input", "input gate", "c"]
    for ax in axes:                                             # the marks in every panel
        marks = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"]
        assert marks == [3, 10]
    assert axes[-1].get_xlabel() == "time step $t$"
    plt.close(fig)


def test_gate_activations_refuses_unknown_keys():
    record = {"i": np.zeros((5, 3))}
    with pytest.raises(ValueError, match="keys"):
        gate_activations(record, keys=("z",))
