"""rnncourse.train: SequenceRegressor shapes and backends, the training loop, its errors."""

import io
import re

import numpy as np
import pytest
import torch

from rnncourse.data import adding_problem
from rnncourse.models import SequenceRegressor
from rnncourse.train import evaluate, summary, train

torch.set_num_threads(1)


def adding_batches(T=10, n=32):
    return lambda step, rng: adding_problem(n, T=T, seed=rng, dtype=np.float32)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_shapes_many_to_one_and_many_to_many(kind, batch_first):
    torch.manual_seed(0)
    x = torch.randn(4, 7, 3) if batch_first else torch.randn(7, 4, 3)
    model = SequenceRegressor(3, 5, output_size=2, kind=kind, batch_first=batch_first)
    assert model(x).shape == (4, 2)
    model = SequenceRegressor(3, 5, output_size=2, kind=kind, batch_first=batch_first,
                              many_to_many=True)
    assert model(x).shape == x.shape[:2] + (2,)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_backends_agree(kind):
    torch.manual_seed(0)
    a = SequenceRegressor(2, 6, kind=kind).double()
    b = SequenceRegressor(2, 6, kind=kind, backend="rnncourse").double()
    b.load_state_dict(a.state_dict())
    x = torch.randn(9, 3, 2, dtype=torch.float64)
    assert torch.allclose(a(x), b(x), atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("backend", ["torch.nn", "rnncourse"])
def test_bidirectional_head_reads_both_directions(kind, backend):
    torch.manual_seed(0)
    H, x = 5, torch.randn(7, 4, 3, dtype=torch.float64)
    one = SequenceRegressor(3, H, output_size=2, kind=kind, backend=backend, num_layers=2,
                            bidirectional=True).double()
    assert one.head.in_features == 2 * H
    output, _ = one.rnn(x)                                   # (T, B, 2H): [forward | backward]
    # the forward direction's state after x_T, the backward direction's after x_1 (at t = 0)
    summary_state = torch.cat([output[-1, :, :H], output[0, :, H:]], dim=-1)
    assert torch.allclose(one(x), one.head(summary_state), atol=1e-12)
    many = SequenceRegressor(3, H, output_size=2, kind=kind, backend=backend, many_to_many=True,
                             bidirectional=True, batch_first=True).double()
    assert many(x).shape == (7, 4, 2)
    assert "bidirectional=True" in repr(many)


def test_leaky_kind_and_options():
    model = SequenceRegressor(2, 4, kind="leaky", backend="rnncourse", alpha=0.2)
    assert model(torch.randn(5, 3, 2)).shape == (3, 1)
    relu = SequenceRegressor(2, 4, kind="rnn", nonlinearity="relu", num_layers=2)
    assert relu(torch.randn(5, 3, 2)).shape == (3, 1)


def test_train_reduces_loss_and_prints_summary(capsys):
    torch.manual_seed(0)
    model = SequenceRegressor(2, 16, kind="gru")
    losses = train(model, adding_batches(), steps=100, lr=3e-2, desc="adding T=10")
    assert len(losses) == 100 and all(isinstance(v, float) for v in losses)
    assert np.mean(losses[-10:]) < 0.2 * np.mean(losses[:10])
    line = re.fullmatch(r"adding T=10: 100 steps, loss (\S+) -> (\S+) \(mean of the last 10\)\n",
                        capsys.readouterr().out)
    assert line is not None
    first, last = (float(g) for g in line.groups())
    assert first == pytest.approx(losses[0], rel=5e-3)              # three significant digits
    assert last == pytest.approx(np.mean(losses[-10:]), rel=5e-3)
    X, y = adding_problem(256, T=10, seed=123, dtype=np.float32)
    assert evaluate(model, X, y) < 0.05             # the trivial predictor: 1/6


def test_summary_numbers():
    losses = [0.123456] + [1.0] * 18 + [0.2, 0.4]          # 21 steps: the mean of the last 2 is 0.3
    assert summary(losses, "run") == "run: 21 steps, loss 0.123 -> 0.3 (mean of the last 2)"
    assert summary([2.5e-5, 7.0], "x") == "x: 2 steps, loss 2.5e-05 -> 7 (mean of the last 1)"


def test_train_is_reproducible_and_clipping_modes(capsys):
    runs = []
    for clip, mode in [(None, "norm"), (None, "norm"), (0.5, "norm"), (0.01, "value")]:
        torch.manual_seed(0)
        model = SequenceRegressor(2, 8)
        runs.append(train(model, adding_batches(), steps=20, lr=1e-2, clip=clip,
                          clip_mode=mode, verbose=False))
    assert runs[0] == runs[1]
    assert runs[2] != runs[0] and runs[3] != runs[0]
    assert runs[0][0] == runs[2][0] == runs[3][0]   # same data and initial weights
    assert capsys.readouterr().out == ""


def test_clip_value_bounds_every_gradient_entry():
    torch.manual_seed(0)
    model = SequenceRegressor(2, 8)
    seen = []

    def loss_fn(pred, y):
        return ((pred - y) ** 2).mean() * 1e3     # large gradients

    original = torch.optim.Adam.step

    def step(self, *args, **kwargs):
        seen.append(max(p.grad.abs().max().item() for g in self.param_groups
                        for p in g["params"]))
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = step
    try:
        train(model, adding_batches(), steps=3, lr=1e-3, clip=0.05, clip_mode="value",
              loss_fn=loss_fn, verbose=False)
    finally:
        torch.optim.Adam.step = original
    assert seen and max(seen) <= 0.05 + 1e-9


def test_cross_entropy_with_integer_targets():
    torch.manual_seed(0)
    model = SequenceRegressor(3, 8, output_size=4, many_to_many=True)

    def make_batch(step, rng):
        classes = rng.integers(0, 3, size=(6, 5))
        return np.eye(3, dtype=np.float32)[classes], classes   # y int64: predict the input

    def loss_fn(logits, y):
        return torch.nn.functional.cross_entropy(logits.reshape(-1, 4), y.reshape(-1))

    losses = train(model, make_batch, steps=60, lr=3e-2, loss_fn=loss_fn, verbose=False)
    assert losses[-1] < 0.3 * losses[0]


def test_errors_name_the_argument():
    model = SequenceRegressor(2, 4)
    with pytest.raises(ValueError, match="kind"):
        SequenceRegressor(2, 4, kind="transformer")
    with pytest.raises(ValueError, match="backend"):
        SequenceRegressor(2, 4, backend="jax")
    with pytest.raises(ValueError, match="kind"):
        SequenceRegressor(2, 4, kind="leaky")            # leaky exists only in rnncourse
    with pytest.raises(ValueError, match="hidden_size"):
        SequenceRegressor(2, 0)
    with pytest.raises(ValueError, match="x: expected"):
        model(torch.randn(5, 2))
    with pytest.raises(ValueError, match="steps"):
        train(model, adding_batches(), steps=0)
    with pytest.raises(ValueError, match="lr"):
        train(model, adding_batches(), steps=1, lr=0)
    with pytest.raises(ValueError, match="clip"):
        train(model, adding_batches(), steps=1, clip=-1.0)
    with pytest.raises(ValueError, match="clip_mode"):
        train(model, adding_batches(), steps=1, clip=1.0, clip_mode="max")
    with pytest.raises(TypeError, match="make_batch"):
        train(model, lambda s, r: [1.0, 2.0], steps=1)
    with pytest.raises(TypeError, match="make_batch"):
        train(model, 3, steps=1)
    with pytest.raises(FloatingPointError, match="loss became"):
        train(model, lambda s, r: (np.full((3, 2, 2), np.nan, np.float32),
                                   np.zeros((2, 1), np.float32)), steps=1, verbose=False)


def test_progress_bar_hidden_in_executed_notebooks_shown_on_request(monkeypatch):
    from rnncourse.train import progress_bar

    monkeypatch.delenv("RNNCOURSE_PROGRESS", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())        # not a terminal, as under nbconvert
    assert progress_bar(range(3), desc="quiet").disable
    monkeypatch.setenv("RNNCOURSE_PROGRESS", "1")            # what `make lab` sets
    assert not progress_bar(range(3), desc="shown").disable
    assert progress_bar(range(3), desc="forced off", progress=False).disable


def test_nonfinite_loss_stops_or_raises_and_sgd_takes_huge_steps():
    # plain SGD with an absurd learning rate and no clipping blows the loss up within a few steps
    def run(on_nonfinite):
        torch.manual_seed(0)
        model = SequenceRegressor(2, 8, kind="rnn", nonlinearity="relu")
        return train(model, adding_batches(T=20), steps=50, lr=1e3, optimizer="sgd", seed=0,
                     verbose=False, on_nonfinite=on_nonfinite)
    losses = run("stop")
    assert 1 < len(losses) < 50 and not np.isfinite(losses[-1]) and np.isfinite(losses[:-1]).all()
    with pytest.raises(FloatingPointError, match=f"step {len(losses) - 1}"):
        run("raise")
    with pytest.raises(ValueError, match="optimizer"):
        train(SequenceRegressor(2, 3), adding_batches(), steps=1, optimizer="adagrad")
    with pytest.raises(ValueError, match="on_nonfinite"):
        train(SequenceRegressor(2, 3), adding_batches(), steps=1, on_nonfinite="ignore")


def test_momentum_and_sgd_differ_from_adam():
    def run(optimizer):
        torch.manual_seed(0)
        return train(SequenceRegressor(2, 4), adding_batches(), steps=5, lr=1e-2, seed=0,
                     verbose=False, optimizer=optimizer)
    adam, sgd, momentum = run("adam"), run("sgd"), run("momentum")
    assert adam[0] == sgd[0] == momentum[0]          # same model and batch before any update
    assert len({adam[-1], sgd[-1], momentum[-1]}) == 3


def test_eval_mode_switches_dropout_off_and_restores_the_mode_it_found():
    from rnncourse.train import eval_mode

    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Dropout(0.5))
    with eval_mode(model) as inside:
        assert inside is model and not model.training and not model[1].training
    assert model.training and model[1].training
    with pytest.raises(RuntimeError):
        with eval_mode(model):
            raise RuntimeError("inside the block")
    assert model.training                      # restored after an exception too
    model.eval()
    with eval_mode(model):
        pass
    assert not model.training                  # an evaluating model stays in evaluation mode
