"""rnncourse.plot.gates: the LSTM cell diagram and the gate heat maps draw, and refuse bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.plot import gate_activations, lstm_cell  # noqa: E402


def test_lstm_cell_draws_every_step_with_values():
    rng = np.random.default_rng(0)
    values = {k: rng.uniform(-1, 1, 3) for k in
              ("x", "h_prev", "c_prev", "f", "i", "g", "o", "c", "tanh_c", "h")}
    fig, axes = plt.subplots(1, 5)
    for ax, step in zip(axes, [None, "forget", "input", "update", "output"]):
        assert lstm_cell(values, highlight=step, ax=ax, title=str(step)) is ax
        assert ax.patches                       # boxes, circles and value squares were drawn
    plt.close(fig)
    ax = lstm_cell()                            # plain diagram, new figure
    assert ax.texts
    plt.close(ax.figure)


def test_lstm_cell_refuses_bad_arguments():
    with pytest.raises(ValueError, match="highlight"):
        lstm_cell(highlight="remember")
    with pytest.raises(TypeError, match="values"):
        lstm_cell(values=[1, 2])
    with pytest.raises(ValueError, match="unknown key"):
        lstm_cell(values={"q": np.zeros(2)})
    plt.close("all")


def test_gate_activations_panels_and_errors():
    rng = np.random.default_rng(0)
    record = {"i": rng.uniform(0, 1, (20, 2, 4)), "c": rng.normal(0, 2, (20, 2, 4))}
    fig, axes = gate_activations(record, keys=("i", "c"), inputs=rng.uniform(0, 1, (20, 2, 2)),
                                 units=[0, 2], time_marks=(3, 10), sample=1)
    assert len(axes) == 3                       # input panel + one per key
    assert axes[1].images[0].get_array().shape == (2, 20)      # units x time
    plt.close(fig)
    with pytest.raises(ValueError, match="keys"):
        gate_activations(record, keys=("z",))
