"""The course's one training loop for PyTorch sequence models (chapters 5, 7, 8).

- ``train``: Adam on mini-batches drawn by any ``make_batch(step, rng) -> (x, y)``, with optional
  gradient clipping; returns the list of losses and prints a one-line summary (``summary``);
- ``evaluate``: the loss on one batch, without gradients;
- ``progress_bar``: the progress bar of every training loop of the course.

The models live in ``rnncourse.models`` (e.g. ``SequenceRegressor``). Example (the adding
problem, chapter 5)::

    from rnncourse.data import adding_problem
    from rnncourse.models import SequenceRegressor
    from rnncourse.train import train

    torch.manual_seed(0)
    model = SequenceRegressor(2, 32, kind="lstm")
    make_batch = lambda step, rng: adding_problem(64, T=100, seed=rng, dtype=np.float32)
    losses = train(model, make_batch, steps=300, lr=1e-2, clip=1.0, desc="LSTM, T=100")
    # prints "LSTM, T=100: 300 steps, loss <first loss> -> <mean of the last 30> (mean of the last 30)"

Progress bars: ``tqdm.auto`` (a widget in Jupyter, text in a terminal). By default (``progress=None``)
the bar is shown only when stderr is a terminal, so that notebooks executed by nbconvert/nbval store
no progress output and their stored outputs stay deterministic; pass ``progress=True`` or set the
environment variable ``RNNCOURSE_PROGRESS=1`` to see it in an interactive notebook.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys

import numpy as np
import torch
from torch import nn

from . import _validate as V

def _show_progress(progress) -> bool:
    if progress is not None:
        return bool(progress)
    if os.environ.get("RNNCOURSE_PROGRESS", "") not in ("", "0"):
        return True
    return sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def progress_bar(iterable=None, desc: str = "train", total=None, progress=None):
    """The course's progress bar: ``tqdm.auto`` (a widget in Jupyter, text in a terminal).

    Shown when ``progress`` is True, or (``progress=None``) when stderr is a terminal or the
    environment variable ``RNNCOURSE_PROGRESS=1`` is set (``make lab`` sets it); hidden otherwise,
    so that notebooks executed by nbconvert/nbval store no bar. ``leave=False``: a finished bar
    disappears, and the training loop's one-line summary stays. In a notebook, a finished bar also
    replaces its output by an empty one, so the saved notebook keeps no widget whose model is gone
    (JupyterLab would show "model not found" there when the notebook is reopened).
    """
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm_notebook

    show = _show_progress(progress)
    if show and issubclass(tqdm, tqdm_notebook):
        return _vanishing(tqdm)(iterable, desc=desc, total=total, leave=False)
    return tqdm(iterable, desc=desc, total=total, disable=not show, leave=False)


@functools.lru_cache(maxsize=None)
def _vanishing(notebook_tqdm):
    """A subclass of tqdm's notebook bar whose output is emptied when the bar finishes."""
    from IPython.display import display

    class VanishingBar(notebook_tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, display=False, **kwargs)
            self._handle = display(self.container, display_id=True)

        def close(self):
            if self.disable:
                return
            failed = bool(self.total) and self.n < self.total      # tqdm keeps a failed bar, red
            super().close()
            if not failed and self._handle is not None:
                self._handle.update({}, raw=True)
                self._handle = None

    return VanishingBar


def _as_tensor(name, value, dtype):
    """NumPy arrays become tensors; floating arrays take the model's dtype, integers stay int64."""
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(np.ascontiguousarray(value))
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"make_batch: {name} must be a NumPy array or a torch.Tensor, "
                        f"got {type(value).__name__}")
    return value.to(dtype) if value.is_floating_point() else value


def train(model, make_batch, steps, lr=1e-3, clip=None, clip_mode="norm", seed=0, loss_fn=None,
          desc="train", progress=None, verbose=True, optimizer="adam", on_nonfinite="raise"):
    r"""Train ``model`` with Adam (or SGD) for ``steps`` mini-batches; return the list of losses.

    At step ``s`` (0, 1, ..., steps-1) ``x, y = make_batch(s, rng)`` with
    ``rng = np.random.default_rng(seed)`` (created once, so the batches are a seeded stream), then
    ``loss = loss_fn(model(x), y)``, backward, optional clipping, ``Adam.step()``. The parameters'
    initialisation is *not* seeded here: call ``torch.manual_seed`` before building the model.

    Args:
        model: a ``torch.nn.Module`` mapping ``x`` to a prediction, e.g. ``SequenceRegressor``.
        make_batch: callable ``(step, rng) -> (x, y)``; NumPy arrays or tensors. Floating arrays are
            converted to the dtype of the model's first parameter, integer arrays (class targets)
            are kept as int64. For ``SequenceRegressor``: ``x`` (seq_len, batch, input_size) and
            ``y`` (batch, output_size) (many-to-one).
        steps: number of optimisation steps, >= 1.
        lr: Adam learning rate, > 0.
        clip: None (no clipping) or the threshold: the maximum global gradient norm
            (``clip_mode='norm'``, ``torch.nn.utils.clip_grad_norm_``) or the maximum absolute value
            of every gradient entry (``clip_mode='value'``, ``clip_grad_value_``).
        clip_mode: ``'norm'`` or ``'value'``.
        seed: seed of the batch stream.
        loss_fn: callable ``(prediction, y) -> scalar tensor``. Default: ``torch.nn.MSELoss()``.
        desc: label of the progress bar and of the summary line.
        progress: show a ``tqdm.auto`` bar; None: only when stderr is a terminal (or the environment
            variable ``RNNCOURSE_PROGRESS=1``), so executed notebooks store no bar.
        verbose: print the one-line summary at the end.
        optimizer: ``'adam'`` (``torch.optim.Adam``), ``'sgd'`` (plain ``torch.optim.SGD``: the step
            is ``lr`` times the gradient, so a huge gradient is a huge step) or ``'momentum'``
            (``torch.optim.SGD`` with momentum 0.9).
        on_nonfinite: what to do when the loss becomes NaN or infinite: ``'raise'``
            (``FloatingPointError`` naming the step) or ``'stop'`` (end training and return the
            losses so far, the non-finite one last).

    Returns:
        list of ``steps`` floats, the training loss of every step (before that step's update); fewer,
        ending with the non-finite loss, when training stopped on one.

    The summary line, ``"{desc}: {steps} steps, loss {first:.3g} -> {last:.3g} (mean of the last
    {k})"`` where ``last`` is the mean of the last ``k = max(1, steps // 10)`` losses, is rounded to
    three significant digits so that stored notebook outputs stay the same from run to run.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    if not callable(make_batch):
        raise TypeError(f"make_batch: expected a callable (step, rng) -> (x, y), "
                        f"got {type(make_batch).__name__}")
    steps = V.check_int("steps", steps, low=1)
    lr = V.check_number("lr", lr, low=0.0, low_open=True)
    if clip is not None:
        clip = V.check_number("clip", clip, low=0.0, low_open=True)
    if clip_mode not in ("norm", "value"):
        raise ValueError(f"clip_mode: expected 'norm' or 'value', got {clip_mode!r}")
    if optimizer not in ("adam", "sgd", "momentum"):
        raise ValueError(f"optimizer: expected 'adam', 'sgd' or 'momentum', got {optimizer!r}")
    if on_nonfinite not in ("raise", "stop"):
        raise ValueError(f"on_nonfinite: expected 'raise' or 'stop', got {on_nonfinite!r}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model: has no trainable parameters")
    dtype = params[0].dtype
    loss_fn = nn.MSELoss() if loss_fn is None else loss_fn
    optimizer = (torch.optim.Adam(params, lr=lr) if optimizer == "adam"
                 else torch.optim.SGD(params, lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0))
    rng = np.random.default_rng(seed)
    model.train()
    bar = progress_bar(range(steps), desc=desc, progress=progress)
    losses = []
    for step in bar:
        batch = make_batch(step, rng)
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError(f"make_batch: must return a pair (x, y), got {type(batch).__name__}")
        x, y = (_as_tensor(n, v, dtype) for n, v in zip(("x", "y"), batch))
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        if clip is not None and clip_mode == "norm":
            nn.utils.clip_grad_norm_(params, clip)
        elif clip is not None:
            nn.utils.clip_grad_value_(params, clip)
        optimizer.step()
        value = loss.item()
        if not math.isfinite(value):
            bar.close()
            if on_nonfinite == "stop":
                return losses + [value]
            raise FloatingPointError(f"train: loss became {value} at step {step} ({desc}); "
                                     f"lower lr or set clip")
        losses.append(value)
        if step % 10 == 0:
            bar.set_postfix(loss=f"{value:.3g}")
    bar.close()
    if verbose:
        print(summary(losses, desc))
    return losses


def summary(losses, desc="train") -> str:
    """The one-line summary printed by ``train``: first loss and mean of the last tenth, 3 digits."""
    k = max(1, len(losses) // 10)
    last = float(np.mean(losses[-k:]))
    return (f"{desc}: {len(losses)} steps, loss {losses[0]:.3g} -> {last:.3g} "
            f"(mean of the last {k})")


@contextlib.contextmanager
def eval_mode(model):
    """``with eval_mode(model):`` runs the block with ``model`` in evaluation mode (no dropout), then
    puts it back in the mode it was in (also when the block raises)."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@torch.no_grad()
def evaluate(model, x, y, loss_fn=None) -> float:
    """Loss of ``model`` on one batch ``(x, y)`` (NumPy or tensors) without gradients, as a float."""
    params = list(model.parameters())
    dtype = params[0].dtype if params else torch.get_default_dtype()
    x, y = _as_tensor("x", x, dtype), _as_tensor("y", y, dtype)
    with eval_mode(model):
        return (nn.MSELoss() if loss_fn is None else loss_fn)(model(x), y).item()
