"""rnncourse.plot.birnn: the chapter 4 figures draw without error and check their arguments."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.plot import brnn_graph, deep_rnn_graphs, dependency_maps, tree_graph  # noqa: E402


def test_brnn_graph_labels_six_weights():
    ax = brnn_graph(T=3)
    labels = {t.get_text() for t in ax.texts}
    assert {f"$W_{k}$" for k in range(1, 7)} <= labels
    assert {"$h_{3}$", "$g_{1}$", "$o_{2}$"} <= labels
    plt.close("all")
    with pytest.raises(ValueError, match="T"):
        brnn_graph(T=0)


def test_deep_rnn_graphs_has_three_panels():
    fig = deep_rnn_graphs(T=2)
    assert len(fig.axes) == 3
    plt.close(fig)


def test_tree_graph_and_dependency_maps():
    ax = tree_graph((("a", "b"), "c"))
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("$h$") == 2 and "$o$" in texts and "c" in texts
    fig = dependency_maps([np.eye(3), np.ones((3, 3))], ["a", "b"], target_offset=[0, 1])
    assert len(fig.axes) == 2
    plt.close("all")
