"""The reference steps of rnncourse.numpy (lstm_step, gru_step and their backward passes).

They are the equations of chapters 7 and 8 one line each; the fast kernels that run the models must
compute exactly what they compute, for every option. The references themselves are checked
against torch.nn's cells and autograd, which share no code with them.
"""

import itertools

import numpy as np
import pytest
import torch

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch
from rnncourse._layout import split_params
from rnncourse.numpy.gru import (gru_backward, gru_forward, gru_step, gru_step_backward, gru_steps,
                                 gru_steps_backward)
from rnncourse.numpy.lstm import (lstm_backward, lstm_forward, lstm_step, lstm_step_backward,
                                  lstm_steps, lstm_steps_backward)

T, B, I, H = 7, 3, 4, 5


def largest_difference(a, b):
    """Largest absolute difference between two (nested tuples / dicts of) arrays with the same layout."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        return max(largest_difference(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return max(largest_difference(x, y) for x, y in zip(a, b, strict=True))
    assert np.shape(a) == np.shape(b)
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def run_both(fast, reference, seed, n_states, sizes=None):
    """Forward and backward of one layer with the kernel and with the reference loop.

    ``sizes``: the features of each state part (default H for each); h, the first, is also the
    output's (P for an LSTM with projections).
    """
    forward, backward = fast
    ref_forward, ref_backward = reference
    sizes = sizes or (H,) * n_states
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, B, I))
    state = tuple(rng.standard_normal((B, n)) for n in sizes)
    d_out = rng.standard_normal((T, B, sizes[0]))
    d_final = tuple(rng.standard_normal((B, n)) for n in sizes)
    results = []
    for fwd, bwd in [(forward, backward), (ref_forward, ref_backward)]:
        out, final, cache = fwd(x, state)
        dx, d_state0, grads = bwd(d_out, d_final, cache)
        results.append((out, final, dx, d_state0, grads))
    return results


@pytest.mark.parametrize("peephole, bias, forget_bias",
                         [(p, b, f) for p, b, f in itertools.product([False, True], [True, False], [None, 1.0])
                          if b or f is None])
def test_lstm_kernel_is_the_reference_step_loop(peephole, bias, forget_bias):
    model = rnp.LSTM(I, H, bias=bias, peephole=peephole, forget_bias=forget_bias,
                     dtype=np.float64, rng=3)
    p = split_params(model.params, 0, 0)
    assert ("weight_ci" in p) == peephole and ("bias_ih" in p) == bias
    fast, ref = run_both((lambda x, s: lstm_forward(x, s, p, peephole), lstm_backward),
                         (lambda x, s: lstm_steps(x, s, p, peephole), lstm_steps_backward), 1, 2)
    assert fast[4].keys() == set(p)                     # a gradient for every parameter
    assert largest_difference(fast, ref) <= 1e-12


@pytest.mark.parametrize("peephole, bias", [(False, True), (True, True), (False, False), (True, False)])
@pytest.mark.parametrize("proj_size", [1, 3])
def test_lstm_kernel_with_projections_is_the_reference_step_loop(peephole, bias, proj_size):
    model = rnp.LSTM(I, H, bias=bias, proj_size=proj_size, peephole=peephole, dtype=np.float64, rng=3)
    p = split_params(model.params, 0, 0)
    assert p["weight_hr"].shape == (proj_size, H) and p["weight_hh"].shape == (4 * H, proj_size)
    fast, ref = run_both((lambda x, s: lstm_forward(x, s, p, peephole), lstm_backward),
                         (lambda x, s: lstm_steps(x, s, p, peephole), lstm_steps_backward), 1, 2,
                         sizes=(proj_size, H))
    assert fast[4].keys() == set(p)                     # weight_hr included
    assert fast[0].shape == (T, B, proj_size)
    assert largest_difference(fast, ref) <= 1e-12


@pytest.mark.parametrize("reset_after, bias", list(itertools.product([True, False], [True, False])))
def test_gru_kernel_is_the_reference_step_loop(reset_after, bias):
    model = rnp.GRU(I, H, bias=bias, reset_after=reset_after, dtype=np.float64, rng=4)
    p = split_params(model.params, 0, 0)
    fast, ref = run_both((lambda x, s: gru_forward(x, s, p, reset_after), gru_backward),
                         (lambda x, s: gru_steps(x, s, p, reset_after), gru_steps_backward), 2, 1)
    assert fast[4].keys() == set(p)
    assert largest_difference(fast, ref) <= 1e-12


def test_the_comparison_can_fail():
    """A kernel that differs from the reference in one entry is caught."""
    model = rnp.GRU(I, H, dtype=np.float64, rng=4)
    p = split_params(model.params, 0, 0)
    bent = dict(p, weight_hh=p["weight_hh"] + np.eye(3 * H, H) * 1e-9)
    fast, ref = run_both((lambda x, s: gru_forward(x, s, bent), gru_backward),
                         (lambda x, s: gru_steps(x, s, p), gru_steps_backward), 2, 1)
    assert largest_difference(fast, ref) > 1e-12


def torch_step_gradients(module, x, state, d_next):
    """(outputs, d inputs, d state parts, parameter gradients) of one step of a torch cell, by autograd."""
    x = torch.tensor(x, requires_grad=True)
    state = tuple(torch.tensor(s, requires_grad=True) for s in state)
    new = module(x, state if len(state) > 1 else state[0])
    new = new if isinstance(new, tuple) else (new,)
    sum((n * torch.tensor(d)).sum() for n, d in zip(new, d_next)).backward()
    grads = {name: p.grad.numpy() for name, p in module.named_parameters()}
    return [n.detach().numpy() for n in new], x.grad.numpy(), [s.grad.numpy() for s in state], grads


@pytest.mark.parametrize("peephole", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_lstm_step_is_torch_and_autograd(peephole, batched):
    rng = np.random.default_rng(5)
    cell = rtorch.LSTMCell(I, H, peephole=peephole, dtype=torch.float64) if peephole else \
        torch.nn.LSTMCell(I, H, dtype=torch.float64)      # torch.nn has no peepholes
    shape = (B,) if batched else ()
    x, h, c = rng.standard_normal(shape + (I,)), rng.standard_normal(shape + (H,)), rng.standard_normal(shape + (H,))
    d_h, d_c = rng.standard_normal(shape + (H,)), rng.standard_normal(shape + (H,))
    p = {name: value.detach().numpy() for name, value in cell.named_parameters()}
    (want_h, want_c), want_dx, (want_dh, want_dc), want_grads = torch_step_gradients(cell, x, (h, c), (d_h, d_c))
    got_h, got_c, cache = lstm_step(x, h, c, *p.values())
    dx, dh_prev, dc_prev, grads = lstm_step_backward(d_h, d_c, cache)
    assert largest_difference((got_h, got_c, dx, dh_prev, dc_prev),
                              (want_h, want_c, want_dx, want_dh, want_dc)) < 1e-12
    assert largest_difference({k: grads[k] for k in p}, want_grads) < 1e-12


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_lstm_step_with_projection_is_torch_and_autograd(bias, batched):
    """One step of torch.nn.LSTM(proj_size=P) (a sequence of length 1), by autograd."""
    P = 2
    rng = np.random.default_rng(8)
    lstm = torch.nn.LSTM(I, H, bias=bias, proj_size=P, dtype=torch.float64)
    p = {name.removesuffix("_l0"): value.detach().numpy() for name, value in lstm.named_parameters()}
    shape = (B,) if batched else ()
    x, h, c = (rng.standard_normal(shape + (n,)) for n in (I, P, H))
    d_h, d_c = rng.standard_normal(shape + (P,)), rng.standard_normal(shape + (H,))
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
    lift = (lambda a: a[None]) if batched else (lambda a: a[None, None])
    _, (hn, cn) = lstm(lift(tx), (lift(th), lift(tc)))
    ((hn.reshape(d_h.shape) * torch.tensor(d_h)).sum() + (cn.reshape(d_c.shape) * torch.tensor(d_c)).sum()).backward()
    got_h, got_c, cache = lstm_step(x, h, c, p["weight_ih"], p["weight_hh"], p.get("bias_ih"),
                                    p.get("bias_hh"), W_hr=p["weight_hr"])
    dx, dh_prev, dc_prev, grads = lstm_step_backward(d_h, d_c, cache)
    want = (hn.detach().numpy().reshape(d_h.shape), cn.detach().numpy().reshape(d_c.shape),
            tx.grad.numpy(), th.grad.numpy(), tc.grad.numpy())
    assert largest_difference((got_h, got_c, dx, dh_prev, dc_prev), want) < 1e-12
    assert largest_difference({k: grads[k] for k in p},
                              {k.removesuffix("_l0"): v.grad.numpy() for k, v in lstm.named_parameters()}) < 1e-12


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_gru_step_is_torch_and_autograd(reset_after, batched):
    rng = np.random.default_rng(6)
    cell = torch.nn.GRUCell(I, H, dtype=torch.float64) if reset_after else \
        rtorch.GRUCell(I, H, reset_after=False, dtype=torch.float64)
    shape = (B,) if batched else ()
    x, h, d_h = rng.standard_normal(shape + (I,)), rng.standard_normal(shape + (H,)), rng.standard_normal(shape + (H,))
    p = {name: value.detach().numpy() for name, value in cell.named_parameters()}
    (want_h,), want_dx, (want_dh,), want_grads = torch_step_gradients(cell, x, (h,), (d_h,))
    got_h, cache = gru_step(x, h, *p.values(), reset_after=reset_after)
    dx, dh_prev, grads = gru_step_backward(d_h, cache)
    assert largest_difference((got_h, dx, dh_prev), (want_h, want_dx, want_dh)) < 1e-12
    assert largest_difference(grads, want_grads) < 1e-12


def test_steps_without_bias_are_steps_with_zero_bias():
    rng = np.random.default_rng(7)
    x, h, c = rng.standard_normal((B, I)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    W_ih, W_hh = rng.standard_normal((4 * H, I)), rng.standard_normal((4 * H, H))
    zeros = np.zeros(4 * H)
    assert largest_difference(lstm_step(x, h, c, W_ih, W_hh)[:2],
                              lstm_step(x, h, c, W_ih, W_hh, zeros, zeros)[:2]) == 0
    W_ih, W_hh = W_ih[:3 * H], W_hh[:3 * H]
    for reset_after in (True, False):
        assert largest_difference(gru_step(x, h, W_ih, W_hh, reset_after=reset_after)[0],
                                  gru_step(x, h, W_ih, W_hh, zeros[:3 * H], zeros[:3 * H],
                                           reset_after)[0]) == 0
