"""The echo-state network in both backends: reservoir, readout, washout, generation, errors, quality."""

import numpy as np
import pytest
import torch

import rnncourse.numpy as rn
import rnncourse.torch as rt
from rnncourse.data import mackey_glass, narma10
from rnncourse._esn import NotFittedError, ridge_readout

torch.set_num_threads(1)
MG = mackey_glass(2700)


def nrmse(prediction, target):
    prediction, target = np.asarray(prediction), np.asarray(target)
    return np.sqrt(np.mean((prediction - target) ** 2)) / np.std(target)


def as_numpy(x):
    return x.numpy() if isinstance(x, torch.Tensor) else x


@pytest.mark.parametrize("options", [
    dict(),
    dict(leak_rate=0.3, spectral_radius=1.25, ridge=1e-8),
    dict(noise=1e-3, input_to_readout=False, bias_scaling=0.0, density=0.5),
])
def test_backends_agree(options):
    X, Y = MG[:-1], MG[1:]
    a = rn.ESN(1, 60, seed=3, **options).fit(X[:400], Y[:400], washout=50)
    b = rt.ESN(1, 60, seed=3, **options).fit(X[:400], Y[:400], washout=50)
    assert isinstance(b.weight_hh, torch.Tensor) and isinstance(a.weight_hh, np.ndarray)
    assert np.abs(a.weight_hh - b.weight_hh.numpy()).max() == 0
    assert np.abs(a.states(X[:300]) - b.states(X[:300]).numpy()).max() < 1e-10
    assert np.abs(a.weight_out_ - b.weight_out_.numpy()).max() < 1e-6
    pb = b.predict(torch.from_numpy(X[400:600]), h0=b.state_)   # tensors in, tensor out
    assert isinstance(pb, torch.Tensor) and pb.shape == (200,)
    assert np.abs(a.predict(X[400:600], h0=a.state_) - pb.numpy()).max() < 1e-10
    ga, gb = a.generate(50, Y[399:400], h0=a.state_), b.generate(50, Y[399:400], h0=b.state_)
    assert ga.shape == gb.shape == (50,)
    assert np.abs(ga - gb.numpy()).max() < 1e-10


def test_multivariate_shapes_and_float32():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((200, 3)), rng.standard_normal((200, 2))
    for ESN in (rn.ESN, rt.ESN):
        esn = ESN(3, 40, seed=0).fit(X, Y, washout=10)
        assert esn.output_size_ == 2 and esn.output_size is None and as_numpy(esn.weight_out_).shape == (2, 43)
        assert as_numpy(esn.predict(X[:7])).shape == (7, 2)
        assert as_numpy(esn.states(X[:7])).shape == (7, 40)
        esn32 = ESN(3, 40, seed=0, dtype=np.float32).fit(X.astype(np.float32), Y.astype(np.float32),
                                                      washout=10)
        out = as_numpy(esn32.predict(X[:7].astype(np.float32)))
        assert out.dtype == np.float32
        assert np.abs(out - as_numpy(esn.predict(X[:7]))).max() < 1e-3
        assert ESN(3, 40, seed=0, input_to_readout=False).fit(X, Y).weight_out_.shape == (2, 40)


def test_reservoir_spectral_radius_density_and_scales():
    esn = rn.ESN(2, 200, spectral_radius=1.25, density=0.1, input_scaling=0.5, bias_scaling=0.3,
                 seed=1)
    assert abs(np.abs(np.linalg.eigvals(esn.weight_hh)).max() - 1.25) < 1e-10
    assert 0.08 < (esn.weight_hh != 0).mean() < 0.12
    assert np.abs(esn.weight_ih).max() <= 0.5 and np.abs(esn.bias_ih).max() <= 0.3
    assert np.array_equal(esn.weight_hh, rn.ESN(2, 200, spectral_radius=1.25, seed=1).weight_hh
                          * 1.0)   # the scales of W_ih and b do not change W_hh
    assert not np.array_equal(esn.weight_hh, rn.ESN(2, 200, spectral_radius=1.25, seed=2).weight_hh)


def test_echo_state_property():
    esn = rn.ESN(1, 100, spectral_radius=0.9, seed=0)
    rng = np.random.default_rng(1)
    h_a, h_b = rng.uniform(-1, 1, 100), rng.uniform(-1, 1, 100)
    gap = np.abs(esn.states(MG[:200], h0=h_a) - esn.states(MG[:200], h0=h_b)).max(axis=1)
    assert gap[0] > 0.1 and gap[-1] < 1e-6                     # the initial state is forgotten


def test_ridge_readout_closed_form_and_intercept():
    rng = np.random.default_rng(0)
    Phi, Y = rng.standard_normal((300, 5)), rng.standard_normal((300, 2))
    W, b = ridge_readout(Phi, Y, 0.7)
    A, B = Phi - Phi.mean(0), Y - Y.mean(0)
    np.testing.assert_allclose(W.T, np.linalg.solve(A.T @ A + 0.7 * np.eye(5), A.T @ B), atol=1e-12)
    W_shift, b_shift = ridge_readout(Phi, Y + 100.0, 0.7)      # the intercept is not penalised
    np.testing.assert_allclose(W_shift, W, atol=1e-10)
    np.testing.assert_allclose(b_shift, b + 100.0, atol=1e-10)


def test_fit_recovers_an_exact_readout_and_ignores_the_washout():
    X = MG[:500]
    esn = rn.ESN(1, 30, seed=0, ridge=0.0)
    H = esn.states(X)
    rng = np.random.default_rng(0)
    w, c = rng.standard_normal(30), 0.7
    Y = H @ w + c * X + 0.25
    Y_noisy = Y.copy()
    Y_noisy[:40] = 1e3                                          # garbage inside the washout
    esn.fit(X, Y_noisy, washout=40)
    np.testing.assert_allclose(esn.weight_out_[0], np.r_[w, c], atol=1e-6)
    np.testing.assert_allclose(esn.bias_out_, [0.25], atol=1e-6)
    np.testing.assert_allclose(esn.state_, H[-1])


def test_generate_continues_a_periodic_signal():
    t = np.arange(1200)
    x = np.sin(2 * np.pi * t / 40)
    for ESN in (rn.ESN, rt.ESN):
        esn = ESN(1, 100, spectral_radius=0.9, ridge=1e-8, seed=0).fit(x[:999], x[1:1000], 100)
        g = as_numpy(esn.generate(200, warmup=x[999:1000], h0=esn.state_))
        assert nrmse(g, x[1000:1200]) < 0.05
        g2 = as_numpy(esn.generate(200, warmup=x[900:1000]))  # from zeros, with a warm-up
        assert nrmse(g2, x[1000:1200]) < 0.05


def test_mackey_glass_quality_one_step_and_closed_loop():
    X, Y = MG[:-1], MG[1:]
    esn = rn.ESN(1, 300, spectral_radius=1.25, leak_rate=0.3, ridge=1e-8, seed=1)
    esn.fit(X[:2100], Y[:2100], washout=100)
    assert nrmse(esn.predict(X[2100:2600], h0=esn.state_), Y[2100:2600]) < 1.2e-3
    esn = rn.ESN(1, 300, spectral_radius=1.25, leak_rate=0.3, ridge=1e-8, noise=1e-4, seed=1)
    esn.fit(X[:2100], Y[:2100], washout=100)
    generated = esn.generate(300, warmup=MG[2100:2101], h0=esn.state_)
    assert nrmse(generated, MG[2101:2401]) < 0.1


def test_narma10_quality():
    u, y = narma10(3000, seed=0)
    esn = rn.ESN(1, 500, spectral_radius=0.9, input_scaling=0.1, ridge=1e-6, seed=1)
    esn.fit(u[:2000], y[:2000], washout=100)
    assert nrmse(esn.predict(u[2000:], h0=esn.state_), y[2000:]) < 0.2


def test_diverging_generation_is_silent():
    X, Y = MG[:-1], MG[1:]
    esn = rn.ESN(1, 100, spectral_radius=1.25, leak_rate=0.3, ridge=0.0, seed=0)
    esn.fit(X[:1000], Y[:1000] * 3.0, washout=100)              # a readout that amplifies
    with np.errstate(all="raise"):
        out = esn.generate(400, warmup=Y[999:1000], h0=esn.state_)
    assert out.shape == (400,)


@pytest.mark.parametrize("ESN", [rn.ESN, rt.ESN])
@pytest.mark.parametrize("call, error, match", [
    (lambda E: E(1, 20, seed=0).fit(MG[:100], MG[:99]), ValueError, "^Y: expected as many"),
    (lambda E: E(1, 20, seed=0).fit(MG[:100], MG[:100], washout=100), ValueError, "^washout"),
    (lambda E: E(1, 20, seed=0).fit(MG[:100], MG[:100], washout=-1), ValueError, "^washout"),
    (lambda E: E(1, 20, spectral_radius=0.0), ValueError, "^spectral_radius"),
    (lambda E: E(1, 20, spectral_radius=-1.0), ValueError, "^spectral_radius"),
    (lambda E: E(1, 20, leak_rate=0.0), ValueError, "^leak_rate"),
    (lambda E: E(1, 20, density=1.5), ValueError, "^density"),
    (lambda E: E(1, 20, ridge=-1.0), ValueError, "^ridge"),
    (lambda E: E(1, 20, input_scaling=0.0), ValueError, "^input_scaling"),
    (lambda E: E(1, 0), ValueError, "^reservoir_size"),
    (lambda E: E(1, 20, seed=0).fit(np.r_[MG[:9], np.nan], MG[:10]), ValueError, "^X: .*finite"),
    (lambda E: E(1, 20, seed=0).fit(MG[:10], np.r_[MG[:9], np.inf]), ValueError, "^Y: .*finite"),
    (lambda E: E(1, 20, seed=0).fit(np.arange(10), MG[:10]), TypeError, "^X: .*floating"),
    (lambda E: E(2, 20, seed=0).fit(MG[:10], MG[:10]), ValueError, r"^X: expected a \(T, 2\)"),
    (lambda E: E(1, 20, seed=0).fit(MG[:10, None, None], MG[:10]), ValueError, "^X: "),
    (lambda E: E(1, 20, seed=0).fit(MG[:0], MG[:0]), ValueError, "^X: .*at least one"),
    (lambda E: E(1, 20, seed=0).predict(MG[:10]), NotFittedError, "^predict: .*not fitted.*call fit"),
    (lambda E: E(1, 20, seed=0).generate(5, MG[:10]), NotFittedError, "^generate: .*not fitted.*call fit"),
    (lambda E: E(1, 20, 2, seed=0).fit(MG[:10], MG[:10]), ValueError, r"^Y: expected a \(T, 2\)"),
    (lambda E: E(1, 20, seed=0).states(MG[:10], h0=np.zeros(3)), ValueError, "^h0"),
    (lambda E: E(1, 20, seed=0).fit(MG[:10], MG[:10]).generate(0, MG[:5]), ValueError, "^n_steps"),
    (lambda E: E(1, 20, seed=0).fit(MG[:10], np.c_[MG[:10], MG[:10]]).generate(5, MG[:5]),
     ValueError, "^generate: .*output_size"),
])
def test_errors(ESN, call, error, match):
    with pytest.raises(error, match=match):
        call(ESN)


@pytest.mark.parametrize("ESN", [rn.ESN, rt.ESN])
def test_scikit_learn_conventions(ESN):
    """fit changes no constructor argument, what it learns ends in _, and nothing is learned before it."""
    esn = ESN(1, 30, seed=0, noise=1e-3)
    before = dict(vars(esn))
    assert not [name for name in before if name.endswith("_") and not name.startswith("_")]
    with pytest.raises(AttributeError):
        esn.weight_out_
    assert esn.fit(MG[:200], np.c_[MG[1:201], MG[1:201]], washout=10) is esn
    learned = {name for name in vars(esn) if name not in before and not name.startswith("_")}
    assert learned == {"weight_out_", "bias_out_", "output_size_", "state_"}
    assert all(vars(esn)[name] is value for name, value in before.items() if not name.startswith("_"))
    assert esn.output_size is None and esn.output_size_ == 2
    esn.fit(MG[:200], MG[1:201])                       # refitting to another Y is allowed
    assert esn.output_size_ == 1 and esn.output_size is None


def test_reservoir_helpers():
    from rnncourse.reservoir import nrmse as nrmse_, one_step_split
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert nrmse_(np.full(4, y.mean()), y) == pytest.approx(1.0)
    assert nrmse_(torch.from_numpy(y), y) == 0.0
    assert nrmse_(np.array([1.0, np.inf, 3.0, 4.0]), y) == float("inf")
    with pytest.raises(ValueError, match="^prediction"):
        nrmse_(y[:3], y)
    X_tr, Y_tr, X_te, Y_te = one_step_split(np.arange(10.0), warmup=2, n_train=4, n_test=3)
    np.testing.assert_array_equal(X_tr, np.arange(6.0))
    np.testing.assert_array_equal(Y_tr, np.arange(1.0, 7.0))
    np.testing.assert_array_equal(X_te, [6.0, 7.0, 8.0])
    np.testing.assert_array_equal(Y_te, [7.0, 8.0, 9.0])
    with pytest.raises(ValueError, match="^series"):
        one_step_split(np.arange(9.0), warmup=2, n_train=4, n_test=3)


def test_draw_prediction_is_deterministic():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rnncourse.plot import draw_prediction
    fig, (a, b) = plt.subplots(1, 2)
    draw_prediction(a, 1.0, reservoir_size=30, n_steps=50)
    draw_prediction(b, 1.0, reservoir_size=30, n_steps=50)
    assert len(a.lines) == 2 and r"$\rho$ = 1" in a.get_title()
    assert a.get_title() == b.get_title()
    np.testing.assert_array_equal(a.lines[1].get_ydata(), b.lines[1].get_ydata())
    np.testing.assert_array_equal(a.lines[0].get_ydata(), MG[2101:2151])   # the true series
    plt.close(fig)
