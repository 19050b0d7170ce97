import numpy as np
import pytest
import torch

import rnncourse.numpy as rnp
from rnncourse.bptt import gradient_by_distance, mse_grads, peak_memory, train_numpy
from rnncourse.check import numerical_gradient, relative_error
from rnncourse.models import NumpyRegressor, SequenceRegressor
from rnncourse.train import train

torch.set_num_threads(1)


def sine_batch(step, rng, T=12, batch=3):
    wave = np.sin(rng.uniform(0, 6, (1, batch, 1)) + 0.3 * np.arange(T + 1)[:, None, None])
    return wave[:-1], wave[1:]


def twins(hidden=5, seed=0):
    """A NumpyRegressor and a float64 SequenceRegressor with the same weights."""
    model = NumpyRegressor(1, hidden, rng=seed)
    torch_model = SequenceRegressor(1, hidden, many_to_many=True).double()
    torch_model.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    return model, torch_model


def test_state_dict_keys_are_those_of_sequence_regressor():
    model, torch_model = twins()
    assert list(model.state_dict()) == list(torch_model.state_dict())


def test_forward_and_gradient_match_autograd():
    model, torch_model = twins()
    x, y = sine_batch(0, np.random.default_rng(0))
    loss, grads = mse_grads(model, x, y)
    prediction = torch_model(torch.from_numpy(x))
    torch_loss = torch.nn.functional.mse_loss(prediction, torch.from_numpy(y))
    torch_loss.backward()
    assert abs(loss - torch_loss.item()) < 1e-12
    for name, param in torch_model.named_parameters():
        np.testing.assert_allclose(grads[name], param.grad.numpy(), atol=1e-12)


def test_gradient_matches_finite_differences():
    model = NumpyRegressor(2, 3, output_size=2, rng=1)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 2, 2)), rng.standard_normal((6, 2, 2))
    _, grads = mse_grads(model, x, y)
    for name, value in model.params.items():
        numeric = numerical_gradient(lambda: mse_grads(model, x, y)[0], value)
        assert relative_error(numeric, grads[name]) < 1e-7, name


def test_truncation_longer_than_the_sequence_is_full_bptt():
    model = NumpyRegressor(1, 4, rng=0)
    x, y = sine_batch(0, np.random.default_rng(0))
    full = mse_grads(model, x, y)
    for k in (12, 50):
        loss, grads = mse_grads(model, x, y, truncate=k)
        assert loss == full[0]
        assert all(np.array_equal(grads[n], full[1][n]) for n in grads)


@pytest.mark.parametrize("k", [1, 5, 7])
def test_truncated_bptt_matches_torch_detach(k):
    model, torch_model = twins()
    x, y = sine_batch(0, np.random.default_rng(2))
    loss, grads = mse_grads(model, x, y, truncate=k)
    xt, yt, h, total = torch.from_numpy(x), torch.from_numpy(y), None, 0.0
    for start in range(0, len(xt), k):
        out, h = torch_model.rnn(xt[start:start + k], h)
        chunk = (torch_model.head(out) - yt[start:start + k]).pow(2).sum() / yt.numel()
        chunk.backward()
        total += chunk.item()
        h = h.detach()
    assert abs(loss - total) < 1e-12
    for name, param in torch_model.named_parameters():
        np.testing.assert_allclose(grads[name], param.grad.numpy(), atol=1e-12)


def test_truncation_changes_the_gradient():
    model = NumpyRegressor(1, 4, rng=0)
    x, y = sine_batch(0, np.random.default_rng(0))
    full, cut = mse_grads(model, x, y)[1], mse_grads(model, x, y, truncate=3)[1]
    assert not np.allclose(full["rnn.weight_hh_l0"], cut["rnn.weight_hh_l0"])
    np.testing.assert_allclose(full["head.weight"], cut["head.weight"])  # no recurrence there


def test_train_numpy_follows_rnncourse_train():
    model, torch_model = twins(hidden=6)
    ours = train_numpy(model, sine_batch, steps=15, lr=1e-2, verbose=False)
    theirs = train(torch_model, sine_batch, steps=15, lr=1e-2, verbose=False)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)
    assert ours[-1] < ours[0]


def test_train_numpy_prints_a_summary(capsys):
    model = NumpyRegressor(1, 3, rng=0)
    train_numpy(model, sine_batch, steps=3, lr=1e-2, truncate=4, clip=1.0, desc="tiny")
    assert capsys.readouterr().out.startswith("tiny: 3 steps, loss")


def explicit_contributions(rnn, x, grad_h):
    """‖δ_s h_{s-1}ᵀ‖ for s = T..1 from the δ recursion written out (tanh)."""
    output, _ = rnn(x)
    h = np.concatenate([np.zeros_like(output[:1]), output])
    W = rnn.params["weight_hh_l0"]
    dh, norms = grad_h, []
    for t in range(len(x), 0, -1):
        delta = dh * (1 - h[t] ** 2)
        norms.append(np.linalg.norm(delta.T @ h[t - 1]))
        dh = delta @ W
    return np.array(norms)


def test_gradient_by_distance_matches_the_delta_recursion():
    rng = np.random.default_rng(0)
    rnn = rnp.RNN(2, 4, dtype=np.float64, rng=0)
    x, grad_h = rng.standard_normal((7, 3, 2)), rng.standard_normal((3, 4))
    norms = gradient_by_distance(rnn, x, grad_h)
    assert norms.shape == (7,)
    np.testing.assert_allclose(norms, explicit_contributions(rnn, x, grad_h), atol=1e-12)


def test_gradient_by_distance_rejects_stacked_models():
    rnn = rnp.RNN(1, 3, num_layers=2, dtype=np.float64)
    with pytest.raises(ValueError, match="rnn: expected one layer"):
        gradient_by_distance(rnn, np.zeros((4, 1, 1)), np.zeros((1, 3)))


def test_peak_memory_grows_with_the_sequence_but_not_when_truncated():
    model = NumpyRegressor(1, 32, rng=0)
    rng = np.random.default_rng(0)
    short, long = (rng.standard_normal((T, 8, 1)) for T in (50, 400))
    full_short = peak_memory(mse_grads, model, short, short)
    full_long = peak_memory(mse_grads, model, long, long)
    cut_long = peak_memory(mse_grads, model, long, long, truncate=25)
    assert full_long > 4 * full_short
    assert cut_long < full_long / 4


def test_numerical_gradient_of_a_quadratic():
    a = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda: float(np.sum(a ** 2)), a)
    np.testing.assert_allclose(grad, 2 * a, atol=1e-8)
    np.testing.assert_array_equal(a, [1.0, -2.0, 3.0])  # restored


def test_errors_name_the_argument():
    model = NumpyRegressor(1, 3, rng=0)
    with pytest.raises(ValueError, match="backward: call forward first"):
        model.backward(np.zeros((2, 1, 1)))
    with pytest.raises(ValueError, match="truncate"):
        mse_grads(model, np.zeros((4, 1, 1)), np.zeros((4, 1, 1)), truncate=0)
    with pytest.raises(ValueError, match="output_size"):
        NumpyRegressor(1, 3, output_size=0)
    model(np.zeros((4, 1, 1)))
    with pytest.raises(ValueError, match="grad_y_hat"):
        model.backward(np.zeros((4, 1, 2)))
