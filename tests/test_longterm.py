"""rnncourse.longterm: the gradient-norm measurements and the cliff of chapter 5."""

import numpy as np
import pytest
import torch

import rnncourse.numpy as rn
import rnncourse.torch as rt
from rnncourse import longterm as lt
from rnncourse.plot import draw_gradient_norms

torch.set_num_threads(1)
X = np.random.default_rng(0).standard_normal((15, 3, 1))


def test_with_spectral_radius():
    W = lt.with_spectral_radius(np.random.default_rng(1).standard_normal((20, 20)), 0.7)
    assert abs(np.abs(np.linalg.eigvals(W)).max() - 0.7) < 1e-12
    with pytest.raises(ValueError, match="^radius"):
        lt.with_spectral_radius(W, 0.0)
    with pytest.raises(ValueError, match="^W"):
        lt.with_spectral_radius(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="^W"):
        lt.with_spectral_radius(np.zeros((3, 3)), 1.0)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_autograd_and_bptt_agree(nonlinearity):
    net = lt.rnn_with_radius(1.1, hidden_size=8, nonlinearity=nonlinearity)
    assert abs(np.abs(np.linalg.eigvals(net.weight_hh_l0.detach().numpy())).max() - 1.1) < 1e-12
    ours = rn.RNN(1, 8, nonlinearity=nonlinearity).double()
    ours.load_state_dict(net.state_dict())
    a = lt.hidden_grad_norms_autograd(net, torch.from_numpy(X))
    b = lt.hidden_grad_norms_bptt(ours, X)
    assert a.shape == b.shape == (16, 3)
    np.testing.assert_allclose(a[-1], 1.0)                       # dL/dh_T = u, a unit vector
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    # the same model in rnncourse.torch, stepped by autograd, gives the same norms
    theirs = rt.RNN(1, 8, nonlinearity=nonlinearity, dtype=torch.float64)
    theirs.load_state_dict(net.state_dict())
    np.testing.assert_allclose(lt.hidden_grad_norms_autograd(theirs, torch.from_numpy(X)), a,
                               rtol=1e-10)


def test_first_norm_matches_a_direct_jacobian():
    net = lt.rnn_with_radius(0.9, hidden_size=5)
    x = torch.from_numpy(X[:, :1])
    u = torch.from_numpy(lt._unit_vectors(5, 1, 0))
    h0 = torch.zeros(1, 1, 5, dtype=torch.float64, requires_grad=True)
    (d_h0,) = torch.autograd.grad((net(x, h0)[1][0] * u).sum(), h0)
    assert abs(lt.hidden_grad_norms_autograd(net, x)[0, 0] - d_h0.norm().item()) < 1e-12


def test_skip_rnn_reduces_to_the_plain_rnn_and_slows_the_decay():
    net = lt.rnn_with_radius(0.9, hidden_size=8)
    with torch.no_grad():
        net.bias_ih_l0.zero_(); net.bias_hh_l0.zero_()
    W_ih, W_hh = net.weight_ih_l0.detach().numpy(), net.weight_hh_l0.detach().numpy()
    plain = lt.skip_rnn_grad_norms(W_ih, W_hh, np.zeros_like(W_hh), X, delay=1)
    np.testing.assert_allclose(plain, lt.hidden_grad_norms_autograd(net, torch.from_numpy(X)),
                               rtol=1e-10)
    W_skip = lt.with_spectral_radius(np.random.default_rng(2).standard_normal((8, 8)), 0.9)
    short = lt.skip_rnn_grad_norms(W_ih, 0.5 * W_hh, 0.5 * W_skip, X, delay=1)
    long = lt.skip_rnn_grad_norms(W_ih, 0.5 * W_hh, 0.5 * W_skip, X, delay=5)
    assert np.exp(np.log(long[0]).mean()) > 10 * np.exp(np.log(short[0]).mean())
    with pytest.raises(ValueError, match="^delay"):
        lt.skip_rnn_grad_norms(W_ih, W_hh, W_skip, X, delay=0)


def test_cliff():
    w = np.array([4.5, 4.81, 4.83])
    loss = lt.cliff_loss(w)
    assert loss[0] < 1e-20 and loss[1] < 0.01 and loss[2] > 5     # the wall between 4.81 and 4.83
    plain = lt.cliff_descent(5.64, lr=0.02, steps=30)
    clipped = lt.cliff_descent(5.64, lr=0.02, steps=30, clip=5.0)
    assert len(plain) == 31 and plain[-1] < 3.0                    # thrown over the valley
    assert 4.5 < clipped[-1] < 4.8 and np.abs(np.diff(clipped)).max() <= 0.1 + 1e-12


def test_draw_gradient_norms_is_deterministic():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2)
    draw_gradient_norms(a, 0.9, lengths=(10, 20), hidden_size=6, batch=2)
    draw_gradient_norms(b, 0.9, lengths=(10, 20), hidden_size=6, batch=2)
    assert len(a.lines) == 3 and a.get_xlim() == (0, 20)
    for la, lb in zip(a.lines, b.lines):
        np.testing.assert_array_equal(la.get_ydata(), lb.get_ydata())
    assert a.lines[1].get_ydata()[-1] == pytest.approx(1.0)     # dL/dh_T = u, a unit vector
    plt.close(fig)
