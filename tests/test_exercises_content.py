"""The graded exercises themselves: their tests pass on the reference solutions, fail on wrong ones.

For every exercise module ``rnncourse/exercises/exNN.py`` and its master notebook
``exercises/solutions/exNN_<topic>.ipynb``:

- the notebook has the layout the grader and the build rely on (setup cell, one markdown /
  answer / check triple per question, solution blocks, points in the headings);
- every test passes on the solution in the notebook, in well under a second;
- every test fails on the unfilled stub, and typical wrong answers (a forward without bias, a
  backward without the recurrent term, ...) fail exactly the tests that isolate their mistake,
  with a hint; the others pass, so partial credit points at what is wrong;
- the NumPy references inside the exercise modules agree with torch.nn, torch.autograd and the
  ``rnncourse`` models.
"""

from __future__ import annotations

import importlib
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from rnncourse.exercises.build import strip_solutions

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = [f"ex{n:02d}" for n in (*range(2, 9), 10)]


def module(name):
    return importlib.import_module(f"rnncourse.exercises.{name}")


def notebook(name):
    path = ROOT / "exercises" / "solutions" / f"{module(name).NOTEBOOK}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


def tagged(nb, tag):
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def namespace(name, stub=False):
    """The setup cell (without the grader import) and every answer cell of a master, executed."""
    nb, scope = notebook(name), {}
    setup = source(tagged(nb, "setup")[0]).replace("from rnncourse.grade import check\n", "")
    exec(setup, scope)
    for cell in tagged(nb, "answer"):
        exec(strip_solutions(source(cell)) if stub else source(cell), scope)
    return scope


def cases():
    return [(name, q.id, t.name) for name in EXERCISES for q in module(name).QUESTIONS for t in q.tests]


def lookup(name, qid, test_name=None):
    question = next(q for q in module(name).QUESTIONS if q.id == qid)
    if test_name is None:
        return question
    return next(t for t in question.tests if t.name == test_name)


def failures(name, qid, function):
    """{test name: message} for the tests of a question that ``function`` fails."""
    failed = {}
    for test in lookup(name, qid).tests:
        try:
            with np.errstate(all="ignore"):
                test.check(function)
        except Exception as error:                     # noqa: BLE001 - any failure counts
            failed[test.name] = f"{type(error).__name__}: {error}"
    return failed


# ---- layout of modules and notebooks -----------------------------------------------------------

def test_the_exercises_a_notebook_may_name_are_every_module():
    from rnncourse.exercises import EXERCISES as FIXED, modules_on_disk, names

    assert list(FIXED) == names() == modules_on_disk() == EXERCISES


@pytest.mark.parametrize("name", EXERCISES)
def test_module_describes_its_questions(name):
    m = module(name)
    assert re.fullmatch(rf"{name}_[a-z_]+", m.NOTEBOOK) and m.TITLE
    assert 2 <= len(m.QUESTIONS) <= 5
    assert [q.id for q in m.QUESTIONS] == [f"q{k}" for k in range(1, len(m.QUESTIONS) + 1)]
    for q in m.QUESTIONS:
        assert 2 <= len(q.tests) <= 5 and all(t.points > 0 for t in q.tests), q.id
        assert len({t.name for t in q.tests}) == len(q.tests), q.id


@pytest.mark.parametrize("name", EXERCISES)
def test_master_notebook_layout(name):
    m, nb = module(name), notebook(name)
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown"
    assert source(cells[0]).startswith(f"# Exercise {name[2:]}: {m.TITLE}\n")
    assert tagged(nb, "setup") == [cells[1]]
    setup = source(cells[1])
    assert "import numpy as np" in setup and "from rnncourse.grade import check" in setup
    assert f'EXERCISE = "{name}"' in setup
    for k, q in enumerate(m.QUESTIONS):
        heading, answer, check = cells[2 + 3 * k: 5 + 3 * k]
        assert source(heading).startswith(f"## Question {k + 1} — `{q.function}` ({q.points:g} points)")
        assert answer.get("metadata", {}).get("tags") == ["answer"]
        assert f"def {q.function}(" in source(answer)
        assert "    # BEGIN SOLUTION\n" in source(answer) and source(answer).endswith("    # END SOLUTION")
        assert source(check) == f'check("{q.id}")'
    assert len(cells) == 2 + 3 * len(m.QUESTIONS)


@pytest.mark.parametrize("name", EXERCISES)
def test_answers_use_numpy_only(name):
    for cell in tagged(notebook(name), "answer") + tagged(notebook(name), "setup"):
        text = source(cell).replace("from rnncourse.grade import check", "")
        assert not re.search(r"\b(import|from)\s+(torch|rnncourse|scipy|sklearn)", text), text


# ---- the solutions pass, the stubs fail ----------------------------------------------------------

@pytest.fixture(scope="module")
def solutions():
    return {name: namespace(name) for name in EXERCISES}


@pytest.mark.parametrize("name, qid, test_name", cases())
def test_solution_passes(solutions, name, qid, test_name):
    function = solutions[name][lookup(name, qid).function]
    start = time.perf_counter()
    lookup(name, qid, test_name).check(function)
    assert time.perf_counter() - start < 1.0, "a test must take well under a second"


@pytest.mark.parametrize("name", EXERCISES)
def test_unfilled_stubs_fail_every_test(name):
    scope = namespace(name, stub=True)
    for q in module(name).QUESTIONS:
        assert set(failures(name, q.id, scope[q.function])) == {t.name for t in q.tests}, q.id


# ---- typical mistakes fail the tests that isolate them, with a hint ---------------------------

WRONG = {
    # ex02
    "forward without the biases": ("ex02", "q1", """
def f(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x_t @ W_ih.T + h_prev @ W_hh.T)
""", {"zero input and state give tanh of the biases", "agrees with the reference RNN cell"}),
    "forward with one bias only": ("ex02", "q1", """
def f(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x_t @ W_ih.T + b_ih + h_prev @ W_hh.T)
""", {"zero input and state give tanh of the biases", "agrees with the reference RNN cell"}),
    "forward without the recurrent term": ("ex02", "q1", """
def f(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x_t @ W_ih.T + b_ih + b_hh)
""", {"the previous state enters through W_hh", "agrees with the reference RNN cell"}),
    "W_hh not transposed": ("ex02", "q1", """
def f(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x_t @ W_ih.T + b_ih + h_prev @ W_hh + b_hh)
""", {"the previous state enters through W_hh", "agrees with the reference RNN cell"}),
    "cell returns float64": ("ex02", "q1", """
def f(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh).astype(float)
""", {"shape and dtype of h_t"}),
    "sequence ignores h0": ("ex02", "q2", """
def f(x, h0, W_ih, W_hh, b_ih, b_hh):
    output, h = np.empty((x.shape[0],) + h0.shape, dtype=x.dtype), np.zeros_like(h0)
    for t in range(x.shape[0]):
        h = output[t] = np.tanh(x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
    return output, h
""", {"the initial state h0 is used", "agrees with the reference RNN over several steps"}),
    "sequence reuses h0 at every step": ("ex02", "q2", """
def f(x, h0, W_ih, W_hh, b_ih, b_hh):
    output = np.empty((x.shape[0],) + h0.shape, dtype=x.dtype)
    for t in range(x.shape[0]):
        output[t] = np.tanh(x[t] @ W_ih.T + b_ih + h0 @ W_hh.T + b_hh)
    return output, output[-1]
""", {"agrees with the reference RNN over several steps"}),
    "sequence output in float64": ("ex02", "q2", """
def f(x, h0, W_ih, W_hh, b_ih, b_hh):
    output, h = np.zeros((x.shape[0],) + h0.shape), h0
    for t in range(x.shape[0]):
        h = output[t] = np.tanh(x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
    return output, output[-1]
""", {"float32 in, float32 out"}),
    "loss averaged over the batch": ("ex02", "q3", """
def f(output, targets, V, c):
    s = output @ V.T + c
    s = s - s.max(axis=-1, keepdims=True)
    log_o = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_o, targets[..., None], axis=-1).mean()
""", {"equal scores cost T * B * log K", "agrees with the reference cross-entropy",
      "numerically stable for large scores"}),
    "softmax that overflows": ("ex02", "q3", """
def f(output, targets, V, c):
    e = np.exp(output @ V.T + c)
    o = e / e.sum(axis=-1, keepdims=True)
    return -np.log(np.take_along_axis(o, targets[..., None], axis=-1)).sum()
""", {"numerically stable for large scores"}),
    # ex03
    "backward without the recurrent term": ("ex03", "q1", """
def f(x, h, W_ih, W_hh, d_out):
    delta = d_out * (1 - h[1:] ** 2)
    dx = delta @ W_ih
    return (dx, delta[0] @ W_hh, np.einsum("tbh,tbi->hi", delta, x),
            np.einsum("tbh,tbi->hi", delta, h[:-1]), delta.sum(axis=(0, 1)))
""", {"db and dW_ih over several steps", "dW_hh and dh0", "dx"}),
    "dW_hh with h_t instead of h_{t-1}": ("ex03", "q1", """
def f(x, h, W_ih, W_hh, d_out):
    dx, dW_ih, dW_hh = np.zeros_like(x), np.zeros_like(W_ih), np.zeros_like(W_hh)
    db, dh = np.zeros(W_hh.shape[0]), np.zeros_like(h[0])
    for t in range(x.shape[0], 0, -1):
        delta = (d_out[t - 1] + dh) * (1 - h[t] ** 2)
        dW_ih += delta.T @ x[t - 1]
        dW_hh += delta.T @ h[t]
        db += delta.sum(axis=0)
        dx[t - 1] = delta @ W_ih
        dh = delta @ W_hh
    return dx, dh, dW_ih, dW_hh, db
""", {"dW_hh and dh0"}),
    "backward that forgets dx": ("ex03", "q1", """
def f(x, h, W_ih, W_hh, d_out):
    dW_ih, dW_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    db, dh = np.zeros(W_hh.shape[0]), np.zeros_like(h[0])
    for t in range(x.shape[0], 0, -1):
        delta = (d_out[t - 1] + dh) * (1 - h[t] ** 2)
        dW_ih += delta.T @ x[t - 1]
        dW_hh += delta.T @ h[t - 1]
        db += delta.sum(axis=0)
        dh = delta @ W_hh
    return np.zeros_like(x), dh, dW_ih, dW_hh, db
""", {"dx"}),
    "one-sided differences": ("ex03", "q2", """
def f(function, W, eps=1e-5):
    grad, f0 = np.zeros(W.shape), function(W)
    for index in np.ndindex(W.shape):
        saved = W[index]
        W[index] = saved + eps
        grad[index] = (function(W) - f0) / eps
        W[index] = saved
    return grad
""", {"central differences"}),
    "W not restored": ("ex03", "q2", """
def f(function, W, eps=1e-5):
    grad = np.zeros(W.shape)
    for index in np.ndindex(W.shape):
        W[index] += eps
        f_plus = function(W)
        W[index] -= 2 * eps
        grad[index] = (f_plus - function(W)) / (2 * eps)
    return grad
""", {"W is left unchanged", "central differences"}),
    "two nested loops": ("ex03", "q2", """
def f(function, W, eps=1e-5):
    grad = np.zeros(W.shape)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            saved = W[i, j]
            W[i, j] = saved + eps
            f_plus = function(W)
            W[i, j] = saved - eps
            grad[i, j] = (f_plus - function(W)) / (2 * eps)
            W[i, j] = saved
    return grad
""", {"works for arrays of any rank"}),
    # ex04
    "backward direction not flipped back": ("ex04", "q1", """
def f(x, forward, backward):
    h0 = np.zeros((x.shape[1], forward[1].shape[0]))
    out_f, h_f = rnn_layer(x, h0, *forward)
    out_b, h_b = rnn_layer(x[::-1], h0, *backward)
    return np.concatenate([out_f, out_b], axis=-1), np.stack([h_f, h_b])
""", {"the backward direction, aligned in time"}),
    "backward direction reads forwards": ("ex04", "q1", """
def f(x, forward, backward):
    h0 = np.zeros((x.shape[1], forward[1].shape[0]))
    out_f, h_f = rnn_layer(x, h0, *forward)
    out_b, h_b = rnn_layer(x, h0, *backward)
    return np.concatenate([out_f, out_b], axis=-1), np.stack([h_f, h_b])
""", {"the backward direction, aligned in time", "final state of the backward direction"}),
    "every layer reads x": ("ex04", "q2", """
def f(x, layers):
    finals = []
    for weights in layers:
        out, h_n = rnn_layer(x, np.zeros((x.shape[1], weights[1].shape[0])), *weights)
        finals.append(h_n)
    return out, np.stack(finals)
""", {"three stacked layers"}),
    "only the top layer's final state": ("ex04", "q2", """
def f(x, layers):
    for weights in layers:
        x, h_n = rnn_layer(x, np.zeros((x.shape[1], weights[1].shape[0])), *weights)
    return x, h_n
""", {"shapes of output and h_n", "one layer is a plain RNN", "three stacked layers"}),
    # ex05
    "clipping array by array": ("ex05", "q1", """
def f(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads], total
""", {"large gradients are rescaled together"}),
    "clipping in place": ("ex05", "q1", """
def f(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        g *= min(1.0, max_norm / total)
    return grads, total
""", {"the given arrays are not modified"}),
    "spectral radius from the largest singular value": ("ex05", "q2", """
def f(W, rho):
    return W * rho / np.linalg.norm(W, 2)
""", {"general matrix with complex eigenvalues"}),
    "spectral radius from the largest real part": ("ex05", "q2", """
def f(W, rho):
    return W * rho / np.linalg.eigvals(W).real.max()
""", {"symmetric matrix with a negative eigenvalue", "general matrix with complex eigenvalues"}),
    "Jacobians multiplied in the wrong order": ("ex05", "q3", """
def f(h, W_hh):
    T = h.shape[0] - 1
    norms, J = np.ones(T + 1), np.eye(W_hh.shape[0])
    for t in range(T, 0, -1):
        J = np.diag(1 - h[t] ** 2) @ W_hh @ J
        norms[t - 1] = np.linalg.norm(J, 2)
    return norms
""", {"agrees with the reference at every distance"}),
    "tanh' of the wrong step": ("ex05", "q3", """
def f(h, W_hh):
    T = h.shape[0] - 1
    norms, J = np.ones(T + 1), np.eye(W_hh.shape[0])
    for t in range(T, 0, -1):
        J = J @ np.diag(1 - h[t - 1] ** 2) @ W_hh
        norms[t - 1] = np.linalg.norm(J, 2)
    return norms
""", {"one step back", "agrees with the reference at every distance"}),
    # ex06
    "reservoir without the leak": ("ex06", "q1", """
def f(x, W_ih, W_hh, b, leak_rate, washout):
    h, states = np.zeros(W_hh.shape[0]), []
    for x_t in x:
        h = np.tanh(W_ih @ x_t + b + W_hh @ h)
        states.append(h)
    return np.array(states)[washout:]
""", {"leaky units", "the washout drops the first states"}),
    "washout drops inputs": ("ex06", "q1", """
def f(x, W_ih, W_hh, b, leak_rate, washout):
    h, states = np.zeros(W_hh.shape[0]), []
    for x_t in x[washout:]:
        h = (1 - leak_rate) * h + leak_rate * np.tanh(W_ih @ x_t + b + W_hh @ h)
        states.append(h)
    return np.array(states)
""", {"the washout drops the first states"}),
    "intercept penalised": ("ex06", "q2", """
def f(Phi, Y, ridge):
    A = np.hstack([Phi, np.ones((len(Phi), 1))])
    Wb = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ Y).T
    return Wb[:, :-1], Wb[:, -1]
""", {"the ridge penalty", "the intercept is not penalised"}),
    "ridge ignored": ("ex06", "q2", """
def f(Phi, Y, ridge):
    P, C = Phi - Phi.mean(0), Y - Y.mean(0)
    W = np.linalg.lstsq(P, C, rcond=None)[0].T
    return W, Y.mean(0) - W @ Phi.mean(0)
""", {"the ridge penalty", "the intercept is not penalised"}),
    # ex07
    "gates in the order i, f, o, g": ("ex07", "q1", """
def f(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a_i, a_f, a_o, a_g = np.split(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, 4, axis=-1)
    c = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c), c
""", {"zero input and state: the biases and the gate order", "the forget gate keeps the old cell",
      "agrees with the reference LSTM cell"}),
    "no forget gate": ("ex07", "q1", """
def f(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a_i, a_f, a_g, a_o = np.split(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, 4, axis=-1)
    c = c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c), c
""", {"the forget gate keeps the old cell", "agrees with the reference LSTM cell"}),
    "h without tanh of the cell": ("ex07", "q1", """
def f(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a_i, a_f, a_g, a_o = np.split(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, 4, axis=-1)
    c = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * c, c
""", {"zero input and state: the biases and the gate order", "agrees with the reference LSTM cell"}),
    "cell gradient without the path through h": ("ex07", "q2", """
def f(dh, dc, cache):
    i, f_, g, o, c = (cache[k] for k in "ifgoc")
    da = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"] * f_ * (1 - f_),
                         dc * i * (1 - g ** 2), dh * np.tanh(c) * o * (1 - o)], axis=-1)
    return (da @ cache["W_ih"], da @ cache["W_hh"], dc * f_, da.T @ cache["x"],
            da.T @ cache["h_prev"], da.sum(axis=0))
""", {"the cell-state path: dc_prev", "the gates: db", "the weights: dW_ih and dW_hh",
      "the inputs: dx and dh_prev"}),
    "sigmoid derivative for g": ("ex07", "q2", """
def f(dh, dc, cache):
    i, f_, g, o, c = (cache[k] for k in "ifgoc")
    dc = dc + dh * o * (1 - np.tanh(c) ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"] * f_ * (1 - f_),
                         dc * i * g * (1 - g), dh * np.tanh(c) * o * (1 - o)], axis=-1)
    return (da @ cache["W_ih"], da @ cache["W_hh"], dc * f_, da.T @ cache["x"],
            da.T @ cache["h_prev"], da.sum(axis=0))
""", {"the gates: db", "the weights: dW_ih and dW_hh", "the inputs: dx and dh_prev"}),
    # ex08
    "GRU with Cho's placement": ("ex08", "q1", """
f = None
""", set()),
    "update gate swapped": ("ex08", "q1", """
def f(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    x_r, x_z, x_n = np.split(x @ W_ih.T + b_ih, 3, axis=-1)
    h_r, h_z, h_n = np.split(h_prev @ W_hh.T + b_hh, 3, axis=-1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    return z * np.tanh(x_n + r * h_n) + (1 - z) * h_prev
""", {"zero input and state: where the reset gate sits", "the update gate interpolates",
      "agrees with torch.nn's GRU cell"}),
    "Cho's GRU with torch.nn's placement": ("ex08", "q2", """
f = None
""", set()),
    "upper layers read hidden_size features": ("ex08", "q3", """
def f(mode, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    G, D = {"RNN": 1, "LSTM": 4, "GRU": 3}[mode], 2 if bidirectional else 1
    first = G * hidden_size * (input_size + hidden_size + 2 * bias)
    rest = G * hidden_size * (2 * hidden_size + 2 * bias)
    return D * (first + (num_layers - 1) * rest)
""", {"stacked and bidirectional layers", "without biases"}),
    "one bias vector": ("ex08", "q3", """
def f(mode, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    G, D = {"RNN": 1, "LSTM": 4, "GRU": 3}[mode], 2 if bidirectional else 1
    return sum(D * G * hidden_size * ((input_size if k == 0 else D * hidden_size) + hidden_size + bias)
               for k in range(num_layers))
""", {"one layer of RNN, LSTM and GRU", "stacked and bidirectional layers"}),
    # ex10
    "mask not applied": ("ex10", "q1", """
def f(logits, targets, lengths):
    z = logits - logits.max(axis=-1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(lp, targets[..., None], axis=-1).mean()
""", {"the padding is left out", "the mean over real steps", "sequences of length 1"}),
    "mask off by one (t <= length)": ("ex10", "q1", """
def f(logits, targets, lengths):
    z = logits - logits.max(axis=-1, keepdims=True)
    lp = np.take_along_axis(z - np.log(np.exp(z).sum(axis=-1, keepdims=True)), targets[..., None], -1)[..., 0]
    mask = np.arange(len(logits))[:, None] <= np.asarray(lengths)
    return -(lp * mask).sum() / np.asarray(lengths).sum()
""", {"the padding is left out", "the mean over real steps", "sequences of length 1"}),
    "masked, divided by T * B": ("ex10", "q1", """
def f(logits, targets, lengths):
    z = logits - logits.max(axis=-1, keepdims=True)
    lp = np.take_along_axis(z - np.log(np.exp(z).sum(axis=-1, keepdims=True)), targets[..., None], -1)[..., 0]
    mask = np.arange(len(logits))[:, None] < np.asarray(lengths)
    return -(lp * mask).sum() / mask.size
""", {"the padding is left out", "the mean over real steps", "sequences of length 1"}),
    "the state after all T steps (padding read)": ("ex10", "q2", """
def f(x, lengths, h0, W_ih, W_hh, b_ih, b_hh):
    h = h0
    for t in range(len(x)):
        h = np.tanh(x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
    return h
""", {"each sequence stops at its length", "sequences of length 1"}),
    "one step short (lengths - 1 steps)": ("ex10", "q2", """
def f(x, lengths, h0, W_ih, W_hh, b_ih, b_hh):
    h = h0
    for t in range(len(x)):
        new = np.tanh(x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        h = np.where((t < np.asarray(lengths) - 1)[:, None], new, h)
    return h
""", {"a batch without padding", "each sequence stops at its length", "sequences of length 1"}),
    "log probabilities multiplied": ("ex10", "q3", """
def f(log_p, step_log_probs, k):
    c = log_p[:, None] * step_log_probs
    best = np.argsort(-c, axis=None, kind="stable")[:k]
    beam, token = np.unravel_index(best, c.shape)
    return c[beam, token], beam, token
""", {"the first step", "log probabilities add up", "extensions ranked across prefixes",
      "a finished prefix is never extended"}),
    "the best token of each prefix": ("ex10", "q3", """
def f(log_p, step_log_probs, k):
    c = log_p[:, None] + step_log_probs
    token = c.argmax(axis=1)
    scores = c[np.arange(len(c)), token]
    order = np.argsort(-scores)[:k]
    if len(order) < k:                      # fewer prefixes than k: pad with the runner-up of the best
        order = np.resize(order, k)
    return scores[order], order, token[order]
""", {"the first step", "log probabilities add up", "extensions ranked across prefixes",
      "a finished prefix is never extended"}),
}


@pytest.mark.parametrize("mistake", list(WRONG))
def test_wrong_answer_fails_the_tests_that_isolate_it(solutions, mistake):
    name, qid, code, expected = WRONG[mistake]
    scope = dict(solutions[name])
    exec(code, scope)
    function = scope["f"]
    if function is None:              # the other placement of the GRU's reset gate
        other = {"q1": "gru_cell_forward_cho", "q2": "gru_cell_forward"}[qid]
        function = scope[other]
        expected = {t.name for t in lookup(name, qid).tests if "shape" not in t.name}
    failed = failures(name, qid, function)
    assert set(failed) == expected, failed
    for message in failed.values():
        assert message.startswith("AssertionError") and "Hint" in message, message


# ---- the NumPy references agree with torch.nn, torch.autograd and rnncourse -------------------

def test_rnn_reference_is_torch_rnn():
    ex02 = module("ex02")
    rng = np.random.default_rng(0)
    W = ex02._weights(rng)
    x, h0 = rng.standard_normal((5, 3, ex02.I)), rng.standard_normal((3, ex02.H))
    rnn = torch.nn.RNN(ex02.I, ex02.H).double()
    rnn.load_state_dict({k: torch.tensor(v) for k, v in
                         zip(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], W)})
    output, h_n = rnn(torch.tensor(x), torch.tensor(h0)[None])
    want_output, want_h_n = ex02._reference(x, h0, *W)
    np.testing.assert_allclose(want_output, output.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(want_h_n, h_n[0].detach().numpy(), atol=1e-12)


def test_loss_reference_is_torch_cross_entropy():
    ex02 = module("ex02")
    output, targets, V, c = ex02._loss_inputs(1)
    logits = torch.tensor(output @ V.T + c).reshape(-1, ex02.K)
    want = torch.nn.functional.cross_entropy(logits, torch.tensor(targets).reshape(-1), reduction="sum")
    assert abs(ex02._loss_reference(output, targets, V, c) - want.item()) < 1e-10


def test_birnn_and_deep_references_are_torch_rnn():
    ex04 = module("ex04")
    (x, fwd, bwd), (want_output, want_h_n) = ex04._birnn_problem(1)
    rnn = torch.nn.RNN(ex04.I, ex04.H, bidirectional=True).double()
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    state = {k: torch.tensor(v) for k, v in zip(names, fwd)}
    state.update({k + "_reverse": torch.tensor(v) for k, v in zip(names, bwd)})
    rnn.load_state_dict(state)
    output, h_n = rnn(torch.tensor(x))
    np.testing.assert_allclose(want_output, output.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(want_h_n, h_n.detach().numpy(), atol=1e-12)
    (x, layers), (want_output, want_h_n) = ex04._deep_problem(2, 3)
    rnn = torch.nn.RNN(ex04.H, ex04.H, num_layers=3).double()
    rnn.load_state_dict({f"{n[:-1]}{k}": torch.tensor(v) for k, weights in enumerate(layers)
                         for n, v in zip(names, weights)})
    output, h_n = rnn(torch.tensor(x))
    np.testing.assert_allclose(want_output, output.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(want_h_n, h_n.detach().numpy(), atol=1e-12)


def test_clip_reference_is_torch_clip_grad_norm():
    ex05 = module("ex05")
    grads = ex05._grads(3, 5.0)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, 1.0)
    clipped, want_total = ex05._clip_reference(grads, 1.0)
    assert abs(total.item() - want_total) < 1e-10
    for p, c in zip(params, clipped):
        np.testing.assert_allclose(p.grad.numpy(), c, rtol=1e-5)     # torch divides by norm + 1e-6


def test_jacobian_norm_reference_is_autograd():
    ex05 = module("ex05")
    h, W = ex05._states(4, 1.5)
    # h_t = tanh(W h_{t-1} + u_t) with u_t recovered from the stored states
    u = np.arctanh(h[1:]) - h[:-1] @ W.T
    W_t = torch.tensor(W)

    def run(h_t, t):
        for k in range(t, ex05.T):
            h_t = torch.tanh(W_t @ h_t + torch.tensor(u[k]))
        return h_t

    norms = ex05._norms_reference(h, W)
    for t in (0, 5, ex05.T - 1):
        J = torch.autograd.functional.jacobian(lambda v: run(v, t), torch.tensor(h[t]))
        assert abs(np.linalg.norm(J.numpy(), 2) - norms[t]) < 1e-8


def test_esn_reference_is_rnncourse_esn():
    from rnncourse.numpy.esn import ESN

    ex06 = module("ex06")
    x, W_ih, W_hh, b = ex06._reservoir(5)
    esn = ESN(ex06.I, ex06.N, leak_rate=0.3, seed=0)
    esn.weight_ih, esn.weight_hh, esn.bias_ih = W_ih, W_hh, b
    np.testing.assert_allclose(ex06._states_reference(x, W_ih, W_hh, b, 0.3, 0), esn.states(x),
                               atol=1e-12)


def test_lstm_references_are_torch_lstm_cell_and_autograd():
    ex07 = module("ex07")
    rng = np.random.default_rng(6)
    W = ex07._weights(rng)
    x, h, c = (rng.standard_normal(s) for s in [(ex07.B, ex07.I), (ex07.B, ex07.H), (ex07.B, ex07.H)])
    cell = torch.nn.LSTMCell(ex07.I, ex07.H).double()
    params = dict(zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], W))
    cell.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
    inputs = [torch.tensor(a, requires_grad=True) for a in (x, h, c)]
    h_t, c_t = cell(inputs[0], (inputs[1], inputs[2]))
    want_h, want_c, cache = ex07._lstm_step(x, h, c, *W)
    np.testing.assert_allclose(want_h, h_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(want_c, c_t.detach().numpy(), atol=1e-12)
    dh, dc = rng.standard_normal((2, ex07.B, ex07.H))
    (h_t * torch.tensor(dh) + c_t * torch.tensor(dc)).sum().backward()
    dx, dh_prev, dc_prev, dW_ih, dW_hh, db = ex07._lstm_step_backward(dh, dc, cache)
    for got, want in [(dx, inputs[0].grad), (dh_prev, inputs[1].grad), (dc_prev, inputs[2].grad),
                      (dW_ih, cell.weight_ih.grad), (dW_hh, cell.weight_hh.grad),
                      (db, cell.bias_ih.grad), (db, cell.bias_hh.grad)]:
        np.testing.assert_allclose(got, want.numpy(), atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_reference_is_torch_gru_cell(reset_after):
    from rnncourse.torch import GRUCell

    ex08 = module("ex08")
    rng = np.random.default_rng(7)
    W = ex08._weights(rng)
    x, h = rng.standard_normal((ex08.B, ex08.I)), rng.standard_normal((ex08.B, ex08.H))
    cell = (torch.nn.GRUCell(ex08.I, ex08.H) if reset_after
            else GRUCell(ex08.I, ex08.H, reset_after=False)).double()
    cell.load_state_dict({k: torch.tensor(v) for k, v in
                          zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], W)})
    want = cell(torch.tensor(x), torch.tensor(h)).detach().numpy()
    np.testing.assert_allclose(ex08._gru_step(x, h, *W, reset_after=reset_after), want, atol=1e-12)


def test_parameter_counts_are_torch_nn():
    ex08 = module("ex08")
    for mode in ("RNN", "LSTM", "GRU"):
        for args in [(10, 20), (10, 20, 3, True), (7, 16, 2, True, False), (7, 16, 2, False, False)]:
            layer = getattr(torch.nn, mode)(*args[:3], **dict(zip(["bidirectional", "bias"], args[3:])))
            assert ex08._count(mode, *args) == sum(p.numel() for p in layer.parameters()), (mode, args)


def test_ex10_references_agree_with_torch_and_rnncourse():
    from torch.nn.utils.rnn import pack_padded_sequence

    from rnncourse.batching import masked_cross_entropy
    from rnncourse.text.decoding import beam_search

    ex10 = module("ex10")
    # q1: the package's masked cross-entropy
    logits, targets, lengths = ex10._loss_inputs(7, [6, 2, 5, 1])
    want = masked_cross_entropy(torch.tensor(logits), torch.tensor(targets), lengths.tolist())
    assert abs(ex10._loss_reference(logits, targets, lengths) - want.item()) < 1e-10
    # q2: torch.nn.RNN's h_n on a packed batch
    x, lengths, h0, *W = ex10._rnn_inputs(8, [6, 2, 5, 1])
    rnn = torch.nn.RNN(ex10.I, ex10.H).double()
    with torch.no_grad():
        for p, w in zip(rnn.parameters(), W):
            p.copy_(torch.tensor(w))
        packed = pack_padded_sequence(torch.tensor(x), lengths.tolist(), enforce_sorted=False)
        _, h_n = rnn(packed, torch.tensor(h0)[None])
    np.testing.assert_allclose(ex10._rnn_reference(x, lengths, h0, *W), h_n[0].numpy(), atol=1e-12)
    # q3: the second step of the package's beam search with a fixed table of log probabilities
    log_p, table, k = ex10._beam_inputs(9, 1, 3)
    table = np.vstack([table, ex10._log_softmax(np.random.default_rng(10).standard_normal((1, ex10.V)))])

    def step(tokens, state):          # state: the step number; first step from row 0, then row 1
        return torch.tensor(table[state[:1].repeat(len(tokens))]), state + 1

    found = beam_search(step, torch.zeros(1, dtype=torch.long), 1, 0, -1, k, 2)[0]
    first = ex10._beam_reference(np.zeros(1), table[:1], k)
    second = ex10._beam_reference(first[0], np.repeat(table[1:], k, axis=0), k)
    np.testing.assert_allclose(sorted(h.log_prob for h in found)[::-1], second[0], atol=1e-12)
