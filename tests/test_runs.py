"""The seeded runs behind the chapters' comparisons, and the records the chapters load.

Each run is checked on a small budget for what it promises: determinism for a seed, the shapes and
meaning of what it returns, and that the records shipped in rnncourse/data/records hold the claims
the chapters assert (the chapters re-assert them; these tests fail first and say which record).
"""

import json

import numpy as np
import pytest
import torch

from rnncourse import birnn, bptt, reservoir, runs
from rnncourse.data import delayed_echo
from rnncourse.gates import memory_unit


def test_learned_at_and_blocks():
    assert runs.learned_at([0.3, 0.2, 0.04, 0.01], 0.05) == 2 * runs.BLOCK
    assert runs.learned_at([0.3, 0.2], 0.05) is None
    assert runs.blocks(list(range(25))) == [4.5, 14.5]          # the last, incomplete block is dropped


def test_adding_run_is_seeded_and_scored():
    a = runs.adding_run("rnn", T=10, steps=20, seed=3, batch_size=8)
    b = runs.adding_run("rnn", T=10, steps=20, seed=3, batch_size=8)
    c = runs.adding_run("rnn", T=10, steps=20, seed=4, batch_size=8)
    assert a.curve == b.curve and a.test == b.test
    assert a.curve != c.curve
    assert len(a.curve) == 2 and len(a.losses) == 20 and a.accuracy is None
    assert 0.05 < a.test < 1.0                                 # untrained: near the 1/6 of the mean
    assert isinstance(a.model, torch.nn.Module)


def test_copy_run_reports_exact_copies():
    r = runs.copy_run("gru", steps=10, seed=0, delay=3, hidden_size=8, batch_size=8)
    assert 0.0 <= r.accuracy <= 1.0 and r.test > 0
    assert r.model.head.out_features == 6


def test_forget_bias_is_applied():
    r = runs.adding_run("lstm", T=5, steps=1, seed=0, batch_size=2, forget_bias=1.0)
    H = r.model.rnn.hidden_size
    forget = r.model.rnn.bias_ih_l0[H:2 * H].detach()
    assert torch.all((forget - 1.0).abs() < 0.02)             # one Adam step of lr 0.01 from 1


def test_records_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "RECORDS", tmp_path)
    run = runs.Run([0.5, 0.1], 0.05, seed=2, accuracy=0.5, metrics={"f1": 0.9}, losses=[1.0] * 20)
    path = runs.save_record("demo", {"GRU": [run]}, {"steps": 20}, made_by="a test")
    data = json.loads(path.read_text())
    assert "losses" not in data["runs"]["GRU"][0] and data["made_by"] == "a test"
    loaded, config = runs.load_record("demo")
    assert config == {"steps": 20}
    assert loaded["GRU"][0].curve == [0.5, 0.1] and loaded["GRU"][0].metrics == {"f1": 0.9}
    with pytest.raises(FileNotFoundError, match="name: no record 'missing'"):
        runs.load_record("missing")


SHIPPED = ["ch04_bilm", "ch05_adding", "ch07_adding_T100", "ch08_adding_T50", "ch08_copy_delay10", "ch09_seq2seq", "ch09_tagger",
           "ch10_regularisation", "ch10_init", "ch10_beam", "ch10_fair"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_records_have_five_seeds_per_model(name):
    recorded, config = runs.load_record(name)
    assert set(recorded) == set(config["models"])
    for label, rs in recorded.items():
        assert [r.seed for r in rs] == [0, 1, 2, 3, 4], label


def test_shipped_records_hold_the_chapter_claims():
    ch7 = runs.load_record("ch07_adding_T100")[0]
    assert all(r.test > 0.14 for r in ch7["RNN"])
    assert all(r.test < 0.01 for r in ch7["LSTM, default init"] + ch7["LSTM, forget bias 1"])
    adding, copy = runs.load_record("ch08_adding_T50")[0], runs.load_record("ch08_copy_delay10")[0]
    assert all(runs.learned_at(g.curve, 0.05) < runs.learned_at(l.curve, 0.05)
               for g, l in zip(adding["GRU"], adding["LSTM"]))
    assert all(r.accuracy >= 0.9 for r in copy["GRU"]) and all(r.accuracy < 0.3 for r in copy["RNN"])
    s2s = runs.load_record("ch09_seq2seq")[0]
    assert all(a.accuracy > t.accuracy > f.accuracy for t, f, a in
               zip(s2s["teacher forcing"], s2s["no teacher forcing"], s2s["attention"]))
    tagger = runs.load_record("ch09_tagger")[0]
    assert all(b.metrics["f1"] > u.metrics["f1"]
               for u, b in zip(tagger["one-directional"], tagger["bidirectional"]))


def test_delayed_echo():
    x, y = delayed_echo(4, 10, 3, seed=0)
    assert x.shape == y.shape == (10, 4, 1) and set(np.unique(x)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(y[3:], x[:-3])
    assert not y[:3].any()
    with pytest.raises(ValueError, match="T"):
        delayed_echo(4, 3, 3)


def test_echo_run_is_seeded():
    a, b = bptt.echo_run(3, seed=1, steps=5), bptt.echo_run(3, seed=1, steps=5)
    assert a == b and len(a) == 5


def test_delay_and_bilm_runs():
    assert birnn.delay_run(2, seed=0, steps=3) == birnn.delay_run(2, seed=0, steps=3)
    assert birnn.delay_run(None, seed=0, steps=3) > 0
    run = birnn.bilm_run("shifted", 1, seed=0, steps=2)
    assert run.test > 0 and run.model.mode == "shifted"


def test_closed_loop_and_lstm_one_step():
    generated = reservoir.closed_loop(1, n_steps=20, reservoir_size=50, ridge=1e-8)
    assert generated.shape == (20,) and np.isfinite(generated).all()
    prediction, losses = reservoir.lstm_one_step(seed=0, steps=2, hidden_size=4)
    assert prediction.shape == (500,) and len(losses) == 2


def test_memory_unit_reads_the_marker_unit():
    T, H = 12, 3
    record = {k: np.full((T, H), 0.5) for k in ("i", "f", "c")}
    record["i"][:, 1] = 0.0
    record["i"][[2, 7], 1] = 0.9                   # unit 1 writes only at the markers
    record["f"][:, 1] = 0.99
    record["c"][:, 1] = np.where(np.arange(T) >= 2, 0.4, 0.0)
    unit = memory_unit(record, [2, 7])
    assert unit["unit"] == 1 and unit["write_elsewhere"] == 0.0
    np.testing.assert_allclose(unit["write_at_markers"], [0.9, 0.9])
    assert unit["keep"] == 0.99 and list(unit["cell"]) == [0.0, 0.4, 0.4, 0.4]
    with pytest.raises(ValueError, match="markers"):
        memory_unit(record, [2])


def test_adding_run_init_and_divergence():
    a = runs.adding_run("rnn", T=10, steps=10, seed=0, batch_size=8, init="identity",
                        nonlinearity="relu")
    W = a.model.rnn.weight_hh_l0.detach()
    assert a.metrics is None and np.isfinite(a.test)
    assert a.model.rnn.nonlinearity == "relu"
    b = runs.adding_run("rnn", T=10, steps=0 + 1, seed=0, batch_size=8, init="orthogonal")
    q = b.model.rnn.weight_hh_l0.detach().double()
    assert not torch.allclose(W.double(), q)
    # no clipping, plain SGD, a huge rate: the run stops at the first non-finite loss
    d = runs.adding_run("rnn", T=20, steps=50, seed=0, batch_size=8, lr=1e3, clip=None,
                        optimizer="sgd", nonlinearity="relu")
    assert d.test == float("inf") and d.metrics["diverged_at"] == len(d.losses) - 1 < 50


def test_chapter_10_records_hold_its_claims():
    reg = runs.load_record("ch10_regularisation")[0]
    for none, drop, decay in zip(reg["no regularisation"], reg["dropout 0.3"], reg["weight decay 0.1"]):
        n, d, w = none.metrics, drop.metrics, decay.metrics
        assert n["valid"][-1] - n["train"][-1] >= 0.5                 # overfits
        assert d["valid"][-1] < w["valid"][-1] < n["valid"][-1]       # dropout best, decay helps
        assert min(n["valid"]) < n["valid"][-1]                       # early stopping would help
    init = runs.load_record("ch10_init")[0]
    irnn, tanh = init["IRNN (ReLU, identity)"], init["default (tanh)"]
    assert all(i.test < d.test and d.test > 0.15 for i, d in zip(irnn, tanh))
    assert sum(i.test < 0.05 for i in irnn) >= 4                    # one seed still learning
    beam = runs.load_record("ch10_beam")[0]["reversal"]
    assert all(b["3"] > b["1"] and b["10"] > b["1"] and abs(b["10"] - b["3"]) <= 0.02
               for b in (r.metrics["beam"] for r in beam))                # wider than greedy helps
    fair = runs.load_record("ch10_fair")[0]["RNN, 34 units (1292 weights)"]
    assert all(r.test > 0.1 for r in fair)
