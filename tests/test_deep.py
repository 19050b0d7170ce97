"""rnncourse.models.DeepTransitionRNN: equations, shapes, skip connection."""

import pytest
import torch

from rnncourse.models import DeepTransitionRNN


def reference(model, x):
    h, out = torch.zeros(x.shape[1], model.hidden_size, dtype=x.dtype), []
    for x_t in x:
        z = torch.tanh(model.W_hz @ h.T + model.b_z[:, None]).T
        a = (model.U @ x_t.T + model.W_zh @ z.T + model.b_h[:, None]).T
        if model.skip:
            a = a + (model.S @ h.T).T
        h = torch.tanh(a)
        out.append(h)
    return torch.stack(out)


@pytest.mark.parametrize("skip", [False, True])
def test_matches_the_equations(skip):
    torch.manual_seed(0)
    model = DeepTransitionRNN(3, 4, skip=skip).double()
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    out = model(x)
    assert out.shape == (5, 2, 4)
    assert torch.allclose(out, reference(model, x), atol=1e-12)
    assert ("S" in dict(model.named_parameters())) == skip


def test_gradcheck_and_errors():
    torch.manual_seed(0)
    model = DeepTransitionRNN(2, 3, skip=True).double()
    x = torch.randn(4, 1, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: model(x), (x,))
    with pytest.raises(ValueError, match="x"):
        model(torch.randn(4, 2, 5, dtype=torch.float64))
    with pytest.raises(ValueError, match="hidden_size"):
        DeepTransitionRNN(2, 0)
