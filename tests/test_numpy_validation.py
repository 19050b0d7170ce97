"""Bad input to the NumPy models fails early, with the exception type and a message that names the
argument and what was expected and received."""

import numpy as np
import pytest
import torch

from rnncourse.numpy import RNN, LeakyRNN, RNNCell

I, H, T, B = 3, 5, 4, 2
MODELS = [RNN, LeakyRNN]


def model(cls=RNN, **kwargs):
    return cls(I, H, dtype=np.float64, rng=0, **kwargs)


def x_ok(*shape):
    return np.zeros(shape or (T, B, I))


@pytest.mark.parametrize("cls", MODELS)
def test_wrong_rank(cls):
    with pytest.raises(ValueError, match=r"input: expected a 3-D .*got array of shape \(1, 4, 2, 3\)"):
        model(cls)(x_ok(1, T, B, I))
    with pytest.raises(ValueError, match=r"input: expected a 2-D \(batch, input_size\).*got array of shape \(4, 2, 3\)"):
        RNNCell(I, H, dtype=np.float64)(x_ok(T, B, I))


@pytest.mark.parametrize("cls", MODELS)
def test_wrong_feature_size(cls):
    with pytest.raises(ValueError, match=r"input: expected last dimension input_size=3, got array of shape \(4, 2, 7\)"):
        model(cls)(x_ok(T, B, 7))
    with pytest.raises(ValueError, match=r"input: expected last dimension input_size=3, got array of shape \(2, 7\)"):
        RNNCell(I, H, dtype=np.float64)(x_ok(B, 7))


@pytest.mark.parametrize("cls", MODELS)
def test_wrong_initial_state_shape(cls):
    m = model(cls, num_layers=2)
    with pytest.raises(ValueError, match=r"h_0: expected shape \(2, 2, 5\) \(num_layers \* num_directions, batch, "
                                         r"hidden_size\), got array of shape \(1, 2, 5\)"):
        m(x_ok(), np.zeros((1, B, H)))
    with pytest.raises(ValueError, match=r"h_0: expected shape \(2, 5\) .*unbatched.*got array of shape \(2, 2, 5\)"):
        m(x_ok(T, I), np.zeros((2, B, H)))
    with pytest.raises(ValueError, match=r"h_0: expected shape \(2, 5\) \(batch, hidden_size\), got array of shape \(2, 4\)"):
        RNNCell(I, H, dtype=np.float64)(x_ok(B, I), np.zeros((B, 4)))


def test_integer_dtype():
    with pytest.raises(TypeError, match=r"input: expected a floating-point dtype .*got array of shape \(4, 2, 3\) and dtype int64"):
        model()(np.zeros((T, B, I), dtype=np.int64))
    with pytest.raises(TypeError, match=r"h_0: expected a floating-point dtype .*dtype int32"):
        model()(x_ok(), np.zeros((1, B, H), dtype=np.int32))


def test_float32_input_to_float64_model():
    with pytest.raises(TypeError, match=r"input: expected dtype float64 \(the model's parameter dtype\), "
                                        r"got array of shape \(4, 2, 3\) and dtype float32"):
        model()(np.zeros((T, B, I), dtype=np.float32))
    with pytest.raises(TypeError, match=r"input: expected dtype float32 .*got tensor of shape \(4, 2, 3\) and dtype float64"):
        RNN(I, H)(torch.zeros(T, B, I, dtype=torch.float64))


def test_nan_in_input_and_state():
    x = x_ok()
    x[2, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"input: expected finite values, got NaN or infinity in array of shape \(4, 2, 3\)"):
        model()(x)
    h0 = np.zeros((1, B, H))
    h0[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"h_0: expected finite values"):
        model()(x_ok(), h0)


def test_not_an_array():
    with pytest.raises(TypeError, match=r"input: expected a NumPy array or torch tensor, got an object of type list"):
        model()([[[0.0] * I] * B] * T)


@pytest.mark.parametrize("cls", MODELS)
def test_state_dict_missing_key(cls):
    m = model(cls)
    sd = m.state_dict()
    del sd["bias_hh_l0"]
    with pytest.raises(ValueError, match=r"state_dict: missing keys \['bias_hh_l0'\], unexpected keys \[\]"):
        m.load_state_dict(sd)


@pytest.mark.parametrize("cls", MODELS)
def test_state_dict_misshapen_key(cls):
    m = model(cls)
    before = m.state_dict()
    sd = m.state_dict()
    sd["weight_ih_l0"] = np.ones((H, I)) * 9  # valid, must not be written since a later entry fails
    sd["weight_hh_l0"] = np.zeros((H, 4))
    with pytest.raises(ValueError, match=r"state_dict\['weight_hh_l0'\]: expected shape \(5, 5\), "
                                         r"got array of shape \(5, 4\)"):
        m.load_state_dict(sd)
    with pytest.raises(ValueError, match=r"state_dict\['weight_hh_l0'\]: expected shape \(5, 5\), "
                                         r"got tensor of shape \(4, 5\)"):
        m.load_state_dict({**before, "weight_hh_l0": torch.zeros(4, H)})
    for name, value in before.items():  # a failed load leaves the model untouched
        np.testing.assert_array_equal(m.params[name], value)


def test_state_dict_unexpected_key_and_not_a_mapping():
    m = model()
    with pytest.raises(ValueError, match=r"unexpected keys \['weight_ih_l1'\]"):
        m.load_state_dict({**m.state_dict(), "weight_ih_l1": np.zeros((H, H))})
    with pytest.raises(TypeError, match=r"state_dict: expected a mapping .*got list"):
        m.load_state_dict(list(m.state_dict().values()))


@pytest.mark.parametrize("make", [lambda: model(RNN), lambda: model(LeakyRNN),
                                  lambda: RNNCell(I, H, dtype=np.float64)])
def test_backward_before_forward(make):
    m = make()
    with pytest.raises(ValueError, match=r"backward: call forward first"):
        m.backward(np.zeros((T, B, H)))


def test_backward_with_misshapen_gradient():
    m = model(bidirectional=True)
    m(x_ok())
    with pytest.raises(ValueError, match=r"grad_output: expected shape \(4, 2, 10\) \(seq_len, batch, "
                                         r"num_directions \* hidden_size\), got array of shape \(4, 2, 5\)"):
        m.backward(np.zeros((T, B, H)))
    with pytest.raises(ValueError, match=r"grad_state: expected shape \(2, 2, 5\) .*got array of shape \(1, 2, 5\)"):
        m.backward(None, np.zeros((1, B, H)))
    cell = RNNCell(I, H, dtype=np.float64)
    cell(x_ok(B, I))
    with pytest.raises(ValueError, match=r"grad_c: RNNCell has no cell state"):
        cell.backward(np.zeros((B, H)), np.zeros((B, H)))


@pytest.mark.parametrize("kwargs,error,pattern", [
    (dict(hidden_size=0), ValueError, r"hidden_size: expected a positive integer \(>= 1\), got 0"),
    (dict(hidden_size=2.5), TypeError, r"hidden_size: expected a positive integer, got 2.5 of type float"),
    (dict(input_size=-1), ValueError, r"input_size: expected a positive integer \(>= 1\), got -1"),
    (dict(num_layers=0), ValueError, r"num_layers: expected a positive integer \(>= 1\), got 0"),
    (dict(nonlinearity="sigmoid"), ValueError, r"nonlinearity: expected 'tanh' or 'relu', got 'sigmoid'"),
    (dict(dtype=np.int64), TypeError, r"dtype: expected float32 or float64, got <class 'numpy.int64'>"),
])
def test_bad_constructor_arguments_rnn(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        RNN(**{"input_size": I, "hidden_size": H, **kwargs})


@pytest.mark.parametrize("alpha,pattern", [
    (0.0, r"alpha: expected leak rates in \(0, 1\], got 0.0"),
    (1.5, r"alpha: expected leak rates in \(0, 1\], got 1.5"),
    (np.array([0.5, 0.5]), r"alpha: expected a float or an array of shape \(hidden_size,\) = \(5,\) "
                           r"\(or broadcastable to it\), got array of shape \(2,\)"),
])
def test_bad_alpha(alpha, pattern):
    with pytest.raises(ValueError, match=pattern):
        LeakyRNN(I, H, alpha=alpha)


def test_bad_cell_constructor_arguments():
    # a cell accepts sizes 0, as torch.nn's cells do (a sequence model refuses them, as torch.nn)
    assert RNNCell(I, 0)(np.zeros((B, I), np.float32)).shape == (B, 0)
    with pytest.raises(ValueError, match=r"hidden_size: expected an integer >= 0, got -1"):
        RNNCell(I, -1)
    with pytest.raises(ValueError, match=r"nonlinearity: expected 'tanh' or 'relu', got 'gelu'"):
        RNNCell(I, H, nonlinearity="gelu")
