"""rnncourse.data: the long-memory tasks and the benchmark series (values, shapes, seeds, errors)."""

import numpy as np
import pytest

from rnncourse.data import adding_problem, copy_memory, mackey_glass, narma10


# ---- the adding problem --------------------------------------------------------------------
def test_adding_problem_structure():
    X, y = adding_problem(500, T=30, seed=0)
    assert X.shape == (30, 500, 2) and y.shape == (500, 1) and X.dtype == y.dtype == np.float64
    values, markers = X[..., 0], X[..., 1]
    assert ((values >= 0) & (values <= 1)).all()
    assert (markers.sum(axis=0) == 2).all()                     # two markers per sequence
    assert (markers[:15].sum(axis=0) == 1).all()                # one in each half
    assert (markers[15:].sum(axis=0) == 1).all()
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=0))
    assert abs(y.var() - 1 / 6) < 0.03                          # the trivial loss of predicting 1


def test_adding_problem_layouts_seeds_dtypes():
    X, y = adding_problem(8, T=2, seed=3)                       # the shortest: one step per half
    assert (X[..., 1] == 1).all()
    Xb, yb = adding_problem(8, T=2, seed=3, batch_first=True)
    np.testing.assert_array_equal(Xb, X.swapaxes(0, 1))
    np.testing.assert_array_equal(yb, y)
    X32, y32 = adding_problem(8, T=10, seed=1, dtype=np.float32)
    assert X32.dtype == y32.dtype == np.float32
    assert not np.array_equal(adding_problem(8, T=10, seed=1)[0], adding_problem(8, T=10, seed=2)[0])
    rng = np.random.default_rng(0)                              # a Generator: a stream of batches
    assert not np.array_equal(adding_problem(4, 5, seed=rng)[0], adding_problem(4, 5, seed=rng)[0])


# ---- the copy-memory task ------------------------------------------------------------------
def test_copy_memory_structure():
    delay, n_symbols, copy_length = 7, 8, 10
    X, y = copy_memory(16, delay, seed=0)
    L = delay + 2 * copy_length
    assert X.shape == (L, 16, n_symbols + 2) and y.shape == (L, 16) and y.dtype == np.int64
    classes = X.argmax(axis=-1)
    np.testing.assert_array_equal(X.sum(axis=-1), 1.0)         # one-hot
    symbols = classes[:copy_length]
    assert ((symbols >= 1) & (symbols <= n_symbols)).all()
    assert (classes[copy_length:L - copy_length - 1] == 0).all()
    assert (classes[L - copy_length - 1] == n_symbols + 1).all()   # the delimiter
    assert (classes[L - copy_length:] == 0).all()
    assert (y[:L - copy_length] == 0).all()
    np.testing.assert_array_equal(y[L - copy_length:], symbols)  # the same symbols, same order
    Xi, yi = copy_memory(16, delay, seed=0, one_hot=False, batch_first=True)
    np.testing.assert_array_equal(Xi, classes.T)
    np.testing.assert_array_equal(yi, y.T)


# ---- Mackey-Glass --------------------------------------------------------------------------
def test_mackey_glass_range_start_and_chaos():
    x = mackey_glass(2000)
    assert x.shape == (2000,) and x.dtype == np.float64 and x[0] == 1.2
    assert 0.4 < x[200:].min() < 0.5 and 1.2 < x[200:].max() < 1.4
    y = mackey_glass(3000, x0=1.2 + 1e-6)                       # chaos: nearby starts separate
    assert abs(x[10] - y[10]) < 1e-5 and np.abs(x[1000:] - y[1000:2000]).max() < 1e-2
    assert np.abs(mackey_glass(3000) - y)[2000:].max() > 0.1


def test_mackey_glass_converges_at_fourth_order():
    exact = mackey_glass(300, substeps=64)
    errors = [np.abs(mackey_glass(300, substeps=s) - exact).max() for s in (2, 4)]
    assert errors[0] < 1e-4
    assert 10 < errors[0] / errors[1] < 24                      # about 2**4 = 16


def test_mackey_glass_sample_step():
    fine = mackey_glass(41, sample_step=0.5, substeps=20)
    coarse = mackey_glass(21, sample_step=1.0, substeps=10)
    np.testing.assert_allclose(fine[::2], coarse, atol=1e-8)


# ---- NARMA10 ---------------------------------------------------------------------------------
def test_narma10_recurrence():
    u, y = narma10(400, seed=0)
    assert u.shape == y.shape == (400,) and ((u >= 0) & (u <= 0.5)).all()
    full = np.concatenate([np.zeros(10), y])                    # y(t+1) at full[t + 10]
    uu = np.concatenate([np.zeros(9), u])                       # u(t - 9) at uu[t]
    for t in range(400):
        expected = (0.3 * full[t + 9] + 0.05 * full[t + 9] * full[t:t + 10].sum()
                    + 1.5 * uu[t] * u[t] + 0.1)
        assert abs(y[t] - expected) < 1e-12
    assert np.array_equal(narma10(50, seed=1)[1], narma10(50, seed=1)[1])


# ---- errors name the argument ----------------------------------------------------------------
@pytest.mark.parametrize("call, error, name", [
    (lambda: adding_problem(4, T=1), ValueError, "T"),
    (lambda: adding_problem(4, T=10.0), TypeError, "T"),
    (lambda: adding_problem(0, T=10), ValueError, "n_samples"),
    (lambda: adding_problem(4, T=10, dtype=np.int64), TypeError, "dtype"),
    (lambda: copy_memory(4, delay=0), ValueError, "delay"),
    (lambda: copy_memory(4, delay=5, n_symbols=0), ValueError, "n_symbols"),
    (lambda: copy_memory(4, delay=5, copy_length=0), ValueError, "copy_length"),
    (lambda: mackey_glass(0), ValueError, "n_steps"),
    (lambda: mackey_glass(10, tau=0), ValueError, "tau"),
    (lambda: mackey_glass(10, tau=-17), ValueError, "tau"),
    (lambda: mackey_glass(10, tau=float("nan")), ValueError, "tau"),
    (lambda: mackey_glass(10, x0=0), ValueError, "x0"),
    (lambda: mackey_glass(10, sample_step=0), ValueError, "sample_step"),
    (lambda: mackey_glass(10, substeps=0), ValueError, "substeps"),
    (lambda: mackey_glass(10, n=0.5), ValueError, "n"),
    (lambda: narma10(0), ValueError, "n_steps"),
    (lambda: adding_problem(4, T=10, batch_first="no"), TypeError, "batch_first"),
    (lambda: adding_problem(4, T=10, batch_first=1), TypeError, "batch_first"),
    (lambda: copy_memory(4, delay=5, batch_first="False"), TypeError, "batch_first"),
    (lambda: copy_memory(4, delay=5, one_hot=0), TypeError, "one_hot"),
])
def test_errors(call, error, name):
    with pytest.raises(error, match=f"^{name}: "):
        call()
