"""rnncourse.optim: the update rules and clipping of torch.optim / torch.nn.utils, on NumPy arrays."""

import numpy as np
import pytest
import torch

from rnncourse.numpy import RNN
from rnncourse.optim import SGD, Adam, clip_grad_norm, clip_grad_value

# f(θ) = ½ θᵀ A θ − bᵀ θ with A symmetric positive definite: ∇f = A θ − b
A = np.array([[3.0, 0.5], [0.5, 1.0]])
b = np.array([1.0, -2.0])


def f(theta):
    return 0.5 * theta @ A @ theta - b @ theta


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1), lambda p: SGD(p, lr=0.05, momentum=0.9),
                                  lambda p: Adam(p, lr=0.1)])
def test_step_decreases_a_quadratic(make):
    params = {"theta": np.array([2.0, 2.0])}
    theta = params["theta"]
    opt = make(params)
    start = f(theta)
    for _ in range(100):
        opt.step({"theta": A @ theta - b})
    assert params["theta"] is theta  # updated in place
    assert f(theta) < start - 1.0
    np.testing.assert_allclose(theta, np.linalg.solve(A, b), atol=5e-2)


@pytest.mark.parametrize("ours,theirs", [
    (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda p: SGD(p, lr=0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    (lambda p: Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6),
     lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6)),
])
def test_trajectory_matches_torch_optim(ours, theirs):
    params = {"theta": np.array([2.0, 2.0])}
    theta_t = torch.tensor([2.0, 2.0], dtype=torch.float64, requires_grad=True)
    opt, opt_t = ours(params), theirs([theta_t])
    A_t, b_t = torch.from_numpy(A), torch.from_numpy(b)
    for _ in range(20):
        opt_t.zero_grad()
        (0.5 * theta_t @ A_t @ theta_t - b_t @ theta_t).backward()
        opt_t.step()
        opt.step({"theta": A @ params["theta"] - b})
        np.testing.assert_allclose(params["theta"], theta_t.detach().numpy(), rtol=0, atol=1e-12)


def test_optimiser_trains_a_numpy_rnn_and_skips_absent_gradients():
    rng = np.random.default_rng(0)
    model = RNN(2, 4, dtype=np.float64, rng=0)
    x, target = rng.standard_normal((6, 3, 2)), rng.uniform(-0.5, 0.5, (6, 3, 4))
    opt = Adam(model, lr=0.05)  # a model is accepted for model.params
    frozen = model.bias_hh_l0.copy()
    losses = []
    for _ in range(30):
        out, _ = model(x)
        losses.append(0.5 * np.sum((out - target) ** 2))
        _, _, grads = model.backward(out - target)
        opt.step({k: g for k, g in grads.items() if k != "bias_hh_l0"})
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_array_equal(model.bias_hh_l0, frozen)


def random_grads(seed=0):
    rng = np.random.default_rng(seed)
    return {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal(5) * 3}


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, np.inf), (2.0, 1.0)])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    grads = random_grads()
    tensors = [torch.tensor(g, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.from_numpy(g.copy())
    total_t = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
    total = clip_grad_norm(grads, max_norm, norm_type=norm_type)
    assert total == pytest.approx(total_t.item(), rel=1e-12)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=0, atol=1e-14)


def test_clip_grad_value_matches_torch():
    grads = random_grads()
    tensors = [torch.tensor(g, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_(tensors, 0.7)
    clip_grad_value(grads, 0.7)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_array_equal(g, t.grad.numpy())
    assert max(np.abs(g).max() for g in grads.values()) == 0.7


def test_bad_arguments():
    params = {"theta": np.zeros(2)}
    with pytest.raises(ValueError, match=r"lr: expected a number >= 0, got -0.1"):
        SGD(params, lr=-0.1)
    with pytest.raises(ValueError, match=r"betas\[1\]: expected \[0, 1.0\), got 1.0"):
        Adam(params, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"grads: unexpected key 'phi'"):
        SGD(params, lr=0.1).step({"phi": np.zeros(2)})
    with pytest.raises(ValueError, match=r"grads\['theta'\]: expected shape \(2,\), got \(3,\)"):
        SGD(params, lr=0.1).step({"theta": np.zeros(3)})
    with pytest.raises(TypeError, match=r"params: expected a dict of NumPy arrays"):
        SGD([np.zeros(2)], lr=0.1)
