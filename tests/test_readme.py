"""The README's promise: torch.nn's documentation examples run unchanged with either backend.

The code blocks between the README's markers are the examples of the documentation of
``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRUCell``; each runs here with ``nn`` bound to
``torch.nn``, ``rnncourse.torch`` and ``rnncourse.numpy``. rnncourse.torch draws its initial weights
as torch.nn does, so after the same seed its results are torch.nn's; the NumPy backend draws its own,
so only the shapes are compared for it.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks_between(begin: str, end: str) -> list:
    start, stop = README.index(begin), README.index(end)
    return BLOCK.findall(README[start:stop])


DOC_EXAMPLES = blocks_between("<!-- torch.nn documentation examples: begin -->",
                              "<!-- torch.nn documentation examples: end -->")
PACKED_EXAMPLE = next(b for b in BLOCK.findall(README) if "pack_padded_sequence(x" in b)


def run(code: str, module, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    namespace = {"torch": torch, "nn": module}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace


def leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in leaves(item)]
    if hasattr(value, "batch_sizes"):                  # a PackedSequence
        return [value.data]
    return [value]


def results(namespace: dict) -> list:
    return [np.asarray(leaf.detach() if torch.is_tensor(leaf) else leaf)
            for name in ("output", "hn", "cn", "hx", "out", "h_n", "c_n", "padded") if name in namespace
            for leaf in leaves(namespace[name])]


def test_the_readme_shows_three_documentation_examples():
    assert len(DOC_EXAMPLES) == 3
    for name, example in zip(("RNN", "LSTM", "GRUCell"), DOC_EXAMPLES):
        documented = getattr(torch.nn, name).__doc__.split("Examples::")[1]
        lines = [line.strip()[4:] for line in documented.splitlines() if line.strip()[:4] in (">>> ", "... ")]
        assert [line.strip() for line in example.strip().splitlines()] == [line.strip() for line in lines]


@pytest.mark.parametrize("index", range(3))
def test_documentation_examples_run_unchanged_with_both_backends(index):
    reference = results(run(DOC_EXAMPLES[index], torch.nn))
    same_seed = results(run(DOC_EXAMPLES[index], rtorch))
    numpy_run = results(run(DOC_EXAMPLES[index], rnp))
    assert [r.shape for r in same_seed] == [r.shape for r in reference] == [r.shape for r in numpy_run]
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(same_seed, reference))
    assert all(isinstance(r, np.ndarray) and np.isfinite(r).all() for r in numpy_run)


def test_the_packed_example_runs_with_rnncourse_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reference = results(run(PACKED_EXAMPLE, torch.nn))
        ours = results(run(PACKED_EXAMPLE, rtorch))
    assert [r.shape for r in ours] == [r.shape for r in reference]
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(ours, reference))   # dropout masks included


def test_the_numpy_lengths_sentence():
    namespace = run(PACKED_EXAMPLE.split("packed =")[0], rnp)      # the model and the padded batch
    lstm, x = namespace["lstm"].eval(), namespace["x"]
    out, (h_n, c_n) = lstm(x, lengths=[7, 2, 5])
    _, (h_p, c_p) = lstm(namespace["pack_padded_sequence"](x, [7, 2, 5], enforce_sorted=False))
    assert out.shape == (7, 3, 10) and h_n.shape == (4, 3, 5) and c_n.shape == (4, 3, 20)
    assert not out[2:, 1].any() and np.allclose(h_n, h_p) and np.allclose(c_n, c_p)
