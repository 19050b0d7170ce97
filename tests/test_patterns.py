import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Circle, FancyArrowPatch

from rnncourse.plot import design_pattern, sequence_shapes


def circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


def labels(ax):
    return {t.get_text() for t in ax.texts}


@pytest.mark.parametrize("T", [2, 3, 6])
def test_hidden_pattern_has_an_output_loss_and_target_per_step(T):
    ax = design_pattern("hidden", T)
    assert len(circles(ax)) == 5 * T + 1          # x, h, o, L, y per step and h_0
    assert {f"$L_{{{T}}}$", "$W$", "$h_0$"} <= labels(ax)
    plt.close(ax.figure)


def test_single_output_pattern_has_one_loss():
    ax = design_pattern("single", 4)
    assert len(circles(ax)) == 2 * 4 + 1 + 3       # x, h per step, h_0, then o, L, y once
    assert "$L_{4}$" in labels(ax) and "$L_{1}$" not in labels(ax)
    plt.close(ax.figure)


@pytest.mark.parametrize("teacher_forcing", [False, True])
def test_output_pattern_recurrence_comes_from_outputs_or_targets(teacher_forcing):
    ax = design_pattern("output", 3, teacher_forcing=teacher_forcing)
    assert len(circles(ax)) == 5 * 3               # no h_0: the recurrence starts at o_1
    dashed = [p for p in ax.patches if isinstance(p, FancyArrowPatch)
              and p.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == (2 if teacher_forcing else 0)
    assert "teacher forcing" in ax.get_title() if teacher_forcing else True
    plt.close(ax.figure)


def test_sequence_shapes_draws_three_panels():
    fig = sequence_shapes(4)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["many-to-many", "many-to-one", "one-to-many"]
    outputs = [sum(t.get_text().startswith("$o") for t in ax.texts) for ax in fig.axes]
    inputs = [sum(t.get_text().startswith("$x") for t in ax.texts) for ax in fig.axes]
    assert outputs == [4, 1, 4] and inputs == [4, 4, 1]
    plt.close(fig)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="both"), "kind: expected one of"),
    (dict(kind="hidden", T=1), "T: expected an integer from 2 to 6"),
    (dict(kind="hidden", T=7), "T: expected an integer from 2 to 6"),
    (dict(kind="hidden", teacher_forcing=True), "teacher_forcing: only for kind='output'"),
])
def test_design_pattern_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        design_pattern(**kwargs)


def test_sequence_shapes_rejects_bad_T():
    with pytest.raises(ValueError, match="T: expected an integer from 2 to 6"):
        sequence_shapes(1)
