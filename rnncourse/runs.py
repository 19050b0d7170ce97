"""Seeded training runs on the memory tasks, and their spread over seeds (chapters 5, 7, 8).

"The GRU learns the adding problem at T = 50, the plain RNN does not" is a statement about training
runs, and a run depends on its seed (and, in its last bits, on the CPU that executes it). So the
chapters train every configuration of such a comparison for several seeds, or, when that would take
more than a chapter's minute, load the five-seed runs that ``scripts/seed_claims.py`` recorded
(:func:`load_record`), and show the spread; a claim is asserted for every seed.

- :func:`adding_run`, :func:`copy_run`: one seeded run of ``SequenceRegressor`` on the adding
  problem or the copy-memory task; the seed fixes the initialisation and the stream of batches.
- :class:`Run`: its training curve (the mean loss of each block of :data:`BLOCK` steps), its test
  loss (and, for the copy task, the fraction of test sequences copied exactly). Chapter 9's runs
  (``rnncourse.text.seq2seq.seq2seq_run``, ``rnncourse.text.names.tagger_run``) return one too.
- :func:`learned_at`: the first step at which a curve falls below a threshold.
- :func:`load_record`, :func:`save_record`: runs stored as JSON in ``rnncourse/data/records``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import _validate as V
from .data import adding_problem, copy_memory
from .gates import set_forget_bias
from .init import recurrent_init_
from .models import SequenceRegressor
from .train import evaluate, train

BLOCK = 10                 # steps per point of a stored curve
RECORDS = Path(__file__).resolve().parent / "data" / "records"
TEST_SEED = 123            # the test set of every run: the same sequences for every seed


@dataclass
class Run:
    """One training run: ``curve[k]`` is the mean training loss of steps ``BLOCK*k .. BLOCK*k+BLOCK-1``;
    ``test`` the loss on a fixed test set; ``accuracy`` the fraction of test sequences answered
    exactly (copy task; None for the adding problem); ``metrics`` further named test scores (chapter 9's
    runs); ``seed`` the seed of the run. A run made here
    also keeps ``losses`` (every step) and the trained ``model``; a run loaded from a record has
    neither."""

    curve: list
    test: float
    seed: int
    accuracy: float | None = None
    metrics: dict | None = None                       # further named scores of the test set
    losses: list = field(default=None, repr=False)    # every step (live runs only, not stored)
    model: object = field(default=None, repr=False)   # the trained network (live runs only)

    @property
    def steps(self) -> np.ndarray:
        """The first step of each block of ``curve``: the x-axis of a plot."""
        return np.arange(len(self.curve)) * BLOCK


def blocks(losses) -> list:
    """The curve of a :class:`Run`: the mean of each complete block of :data:`BLOCK` losses."""
    n = len(losses) // BLOCK * BLOCK
    return [float(v) for v in np.asarray(losses[:n]).reshape(-1, BLOCK).mean(axis=1)]


def _model(kind, input_size, hidden_size, seed, forget_bias, init="default", **options):
    torch.manual_seed(seed)
    net = SequenceRegressor(input_size, hidden_size, kind=kind, **options)
    if forget_bias is not None:
        set_forget_bias(net.rnn, forget_bias)
    recurrent_init_(net.rnn, init)
    return net


def adding_run(kind: str, T: int, steps: int, seed: int = 0, hidden_size: int = 16,
               batch_size: int = 64, lr: float = 1e-2, forget_bias=None, desc=None, clip=1.0,
               init="default", optimizer="adam", **options) -> Run:
    """Train ``SequenceRegressor(2, hidden_size, kind=kind)`` on the adding problem of length ``T``.

    Adam, gradient norm clipped at ``clip`` (1; None: no clipping), ``steps`` batches of
    ``batch_size`` fresh sequences. ``seed`` fixes the initialisation (``torch.manual_seed``) and
    the batches. ``forget_bias``: for ``kind='lstm'``, the initial forget-gate bias (None: torch.nn's
    default). ``init``: the recurrent weights (``rnncourse.init.recurrent_init_``: ``'default'``,
    ``'orthogonal'``, ``'identity'``); ``optimizer``: as :func:`rnncourse.train.train`; ``options`` go to the
    recurrent layer (``nonlinearity='relu'``...). The test loss is the MSE on 1000 sequences drawn
    with seed :data:`TEST_SEED`; predicting the mean scores 1/6. ``desc``: print the training
    summary with this label (None: silent).

    A run whose loss becomes NaN or infinite stops there: its ``test`` is ``inf`` and
    ``metrics`` ``{'diverged_at': step}`` (None for a run that did not diverge).
    """
    V.check_int("T", T, low=2)
    net = _model(kind, 2, hidden_size, seed, forget_bias, init, **options)
    losses = train(net, lambda step, rng: adding_problem(batch_size, T=T, seed=rng, dtype=np.float32),
                   steps=steps, lr=lr, clip=clip, seed=seed, desc=desc or "", verbose=desc is not None,
                   optimizer=optimizer, on_nonfinite="stop")
    diverged = len(losses) - 1 if not np.isfinite(losses[-1]) else None
    x, y = adding_problem(1000, T=T, seed=TEST_SEED, dtype=np.float32)
    test = float("inf") if diverged is not None else evaluate(net, x, y)
    metrics = None if diverged is None else {"diverged_at": diverged}
    return Run(blocks(losses), test, seed, metrics=metrics, losses=losses, model=net)


def copy_loss(prediction, target):
    """Cross-entropy per time step of a many-to-many classifier: ``(T, B, C)`` against ``(T, B)``."""
    return nn.functional.cross_entropy(prediction.reshape(-1, prediction.shape[-1]),
                                       target.reshape(-1))


def copy_run(kind: str, steps: int, seed: int = 0, delay: int = 10, hidden_size: int = 32,
             batch_size: int = 64, lr: float = 2e-2, forget_bias=None, desc=None) -> Run:
    """Train a many-to-many ``SequenceRegressor`` on the copy-memory task (4 symbols, copy 3).

    As :func:`adding_run`; the test set is 1000 sequences (seed :data:`TEST_SEED`), ``test`` their
    cross-entropy per step and ``accuracy`` the fraction whose three symbols are all written back.
    Outputting blanks and guessing the symbols scores ``3 log 4 / (delay + 6)`` per step.
    """
    classes = 4 + 2
    net = _model(kind, classes, hidden_size, seed, forget_bias, output_size=classes,
                 many_to_many=True)

    def batches(step, rng):
        return copy_memory(batch_size, delay=delay, n_symbols=4, copy_length=3, seed=rng,
                           dtype=np.float32)

    losses = train(net, batches, steps=steps, lr=lr, clip=1.0, seed=seed, loss_fn=copy_loss,
                   desc=desc or "", verbose=desc is not None)
    x, y = copy_memory(1000, delay=delay, n_symbols=4, copy_length=3, seed=TEST_SEED,
                       dtype=np.float32)
    with torch.no_grad():
        written = net(torch.from_numpy(x)).argmax(-1).numpy()[-3:]
    accuracy = float((written == y[-3:]).all(axis=0).mean())
    return Run(blocks(losses), evaluate(net, x, y, loss_fn=copy_loss), seed, accuracy,
               losses=losses, model=net)


def learned_at(curve, threshold: float):
    """The first step at which ``curve`` (a :class:`Run`'s block means) is below ``threshold``, or
    None if it never is."""
    below = np.flatnonzero(np.asarray(curve) < threshold)
    return int(below[0]) * BLOCK if below.size else None


def save_record(name: str, runs: dict, config: dict, made_by: str) -> Path:
    """Store ``{label: [Run, ...]}`` and the configuration as ``rnncourse/data/records/{name}.json``."""
    RECORDS.mkdir(parents=True, exist_ok=True)
    data = {"made_by": made_by, "config": config,
            "runs": {label: [{k: v for k, v in asdict(r).items() if k not in ("losses", "model")}
                             for r in rs]
                     for label, rs in runs.items()}}
    path = RECORDS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def load_record(name: str):
    """The runs recorded by ``scripts/seed_claims.py``: ``(runs, config)`` with ``runs`` mapping a
    label to a list of :class:`Run`, one per seed."""
    path = RECORDS / f"{name}.json"
    if not path.exists():
        known = sorted(p.stem for p in RECORDS.glob("*.json"))
        raise FileNotFoundError(f"name: no record {name!r} in {RECORDS}; known: {known}; "
                                f"make it with python scripts/seed_claims.py --record")
    data = json.loads(path.read_text())
    runs = {label: [Run(**r) for r in rs] for label, rs in data["runs"].items()}
    return runs, data["config"]


__all__ = ["BLOCK", "Run", "adding_run", "blocks", "copy_run", "copy_loss", "learned_at", "load_record",
           "save_record"]
