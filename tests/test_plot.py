import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
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
