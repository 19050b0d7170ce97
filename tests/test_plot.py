import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Circle

from rnncourse.plot import unrolled_graph


@pytest.mark.parametrize("T", [1, 4, 9])
@pytest.mark.parametrize("folded", [True, False])
def test_unrolled_graph_has_one_column_per_step(T, folded):
    ax = unrolled_graph(T, folded=folded)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    # x_t, h_t, o_t for every step, h_0, and the three nodes of the folded graph
    assert len(circles) == 3 * T + 1 + (3 if folded else 0)
    labels = {t.get_text() for t in ax.texts}
    assert f"$h_{{{T}}}$" in labels and "$W$" in labels
    plt.close(ax.figure)


@pytest.mark.parametrize("T", [0, 13, 2.5])
def test_unrolled_graph_rejects_bad_T(T):
    with pytest.raises(ValueError, match="T: expected an integer from 1 to 12"):
        unrolled_graph(T)


def test_metric_band_draws_median_and_band_of_stored_curves():
    import matplotlib.pyplot as plt

    from rnncourse.plot import metric_band
    from rnncourse.runs import Run

    runs = [Run([1.0], 0.0, s, metrics={"steps": [10, 20, 30], "valid": [3.0 + s, 2.0 + s, 1.0 + s]})
            for s in range(3)]
    fig, ax = plt.subplots()
    line = metric_band(ax, runs, "valid", "v")
    np.testing.assert_array_equal(line.get_xdata(), [10, 20, 30])
    np.testing.assert_array_equal(line.get_ydata(), [4.0, 3.0, 2.0])        # the median seed
    assert line.get_label() == "v (3 seeds)"
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 1.0 and band.max() == 5.0                            # min and max seeds
    with pytest.raises(ValueError, match="train"):
        metric_band(ax, runs, "train", "t")
    plt.close(fig)


def test_text_activation_one_cell_per_character():
    import matplotlib.pyplot as plt

    from rnncourse.plot import text_activation

    fig, ax = plt.subplots()
    rows = text_activation(ax, 'ab\n"cd"', np.array([-1.0, 1.0, 0.0, 0.5, 0.5, 0.5, 0.0]))
    assert rows == 2 and len(ax.patches) == 7
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()    # -1 and +1 differ
    with pytest.raises(ValueError, match="values"):
        text_activation(ax, "abc", np.zeros(2))
    plt.close(fig)
