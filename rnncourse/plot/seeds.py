"""Training curves of several seeds: the median and the band from the lowest to the highest run.

A single training curve shows one seed's luck; the band shows what the configuration does. Used by
the chapters for every comparison drawn from training runs (chapters 5, 7, 8, 10).
"""

from __future__ import annotations

import numpy as np


def _band(ax, x, curves, label, color, ls):
    """The median of ``curves`` (seeds, points) over ``x`` and the min-max band around it."""
    (line,) = ax.plot(x, np.median(curves, axis=0), color=color, ls=ls,
                      label=f"{label} ({len(curves)} seeds)")
    ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=line.get_color(),
                    alpha=0.2, lw=0)
    return line


def seed_band(ax, runs, label: str, color=None, smooth: int = 1, ls="-"):
    """Draw the median of the runs' curves and a band from their minimum to their maximum.

    Args:
        ax: a matplotlib ``Axes``.
        runs: list of :class:`rnncourse.runs.Run` of one configuration, one per seed (their
            ``curve`` are block means of the training loss, ``steps`` their first steps).
        label: legend label; the number of seeds is added.
        color: line and band colour (None: the next colour of the axes).
        smooth: moving average over this many points before drawing (1: none).
        ls: line style of the median.

    Returns:
        the median line (a ``Line2D``).
    """
    if not runs:
        raise ValueError("runs: expected at least one Run, got none")
    curves = np.array([r.curve for r in runs], dtype=float)
    if smooth > 1:
        kernel = np.ones(smooth) / smooth
        curves = np.array([np.convolve(c, kernel, mode="valid") for c in curves])
    x = runs[0].steps[:curves.shape[1]] + (smooth - 1) * (runs[0].steps[1] - runs[0].steps[0]) / 2
    return _band(ax, x, curves, label, color, ls)


def metric_band(ax, runs, key: str, label: str, color=None, ls="-"):
    """Like :func:`seed_band` for a curve stored in the runs' ``metrics``: ``metrics[key]`` against
    ``metrics['steps']`` (e.g. the training and validation curves of
    :func:`rnncourse.text.regularisation.regularisation_run`), median and min-max band over the runs.
    Returns the median line."""
    if not runs:
        raise ValueError("runs: expected at least one Run, got none")
    missing = [r.seed for r in runs if not r.metrics or key not in r.metrics or "steps" not in r.metrics]
    if missing:
        raise ValueError(f"runs: expected metrics with 'steps' and {key!r}, missing for seeds {missing}")
    curves = np.array([r.metrics[key] for r in runs], dtype=float)
    return _band(ax, np.asarray(runs[0].metrics["steps"]), curves, label, color, ls)
