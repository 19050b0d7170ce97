"""Sliders over a parameter that work with a kernel (JupyterLab) and without one (the web book).

A chapter states *what* to explore as a drawing function ``draw(ax, value)`` and the values to
sweep; :func:`explore` decides *how* to show it:

- in JupyterLab started by ``make lab`` (which sets ``RNNCOURSE_WIDGETS=1``), an ipywidgets slider
  that redraws the figure for the chosen value, computed live;
- everywhere else (the rendered book, ``jupyter nbconvert --execute``, nbval), a scrubbable
  animation: every frame is drawn once now, embedded in the page as PNGs, and a slider in plain
  JavaScript flips between them. It needs no server and no network, so the static page still
  moves.

The animation is matplotlib's ``Animation.to_jshtml`` with two changes: its icons come from a CDN
(font-awesome), which a page read offline cannot reach, so they become plain characters; and its
random element id becomes a hash of the label, so the same notebook gives the same HTML on every
run.
"""

from __future__ import annotations

import hashlib
import os
import re

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

WIDGETS_ENV = "RNNCOURSE_WIDGETS"

# font-awesome icon of matplotlib's animation controls -> a character every browser has
_ICONS = {  # only characters of the Latin-1 and Geometric Shapes blocks, which every font has
    "fa-minus": "&minus;", "fa-plus": "+",
    "fa-fast-backward": "|&#x25C0;", "fa-step-backward": "&#x25C2;",
    "fa-play fa-flip-horizontal": "&#x25C0;", "fa-pause": "||", "fa-play": "&#x25B6;",
    "fa-step-forward": "&#x25B8;", "fa-fast-forward": "&#x25B6;|",
}


def _check_values(values) -> list:
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"values: expected at least 2 values to slide over, got {len(values)}")
    return values


class Scrubber:
    """A precomputed animation over ``values`` with a slider; displays as HTML in a notebook.

    ``html`` is the self-contained HTML (frames embedded as base64 PNGs); ``n_frames`` and
    ``values`` say what it holds. Its plain-text form is a one-line description, stable across runs.
    """

    def __init__(self, html: str, label: str, values: list):
        self.html, self.label, self.values = html, label, values
        self.n_frames = len(values)

    def __repr__(self):
        return (f"<animation over {self.label}: {self.n_frames} frames from "
                f"{self.values[0]:g} to {self.values[-1]:g}; drag the slider>")

    def _repr_html_(self):
        return self.html


def _offline_html(html: str, label: str) -> str:
    """matplotlib's jshtml without the CDN stylesheet, icons as characters, a stable element id."""
    html = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", html)
    for icon, char in sorted(_ICONS.items(), key=lambda item: -len(item[0])):
        html = html.replace(f'<i class="fa {icon}"></i>', char)
    old = re.search(r'id="_anim_img([0-9a-f]+)"', html).group(1)
    new = hashlib.sha1(label.encode()).hexdigest()[:32]
    return html.replace(old, new)


def scrubber(draw, values, *, label: str, figsize=(6.0, 3.2), dpi: int = 72) -> Scrubber:
    """Draw ``draw(ax, value)`` for every value and embed the frames behind a slider.

    Args:
        draw: function ``draw(ax, value)`` that draws one frame on an empty ``Axes``
            (title, labels and limits included; keep the limits fixed so frames compare)
        values: the parameter values, in slider order (at least 2; 10–25 keep pages small)
        label: what the slider changes, e.g. ``"spectral radius"`` (also seeds the element id)
        figsize, dpi: size of each frame; every frame adds about ``figsize * dpi`` pixels of PNG

    Returns:
        a :class:`Scrubber`, which a notebook displays as the animation.
    """
    values = _check_values(values)
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)

    def frame(k):
        ax.clear()
        draw(ax, values[k])
        return []

    anim = FuncAnimation(fig, frame, frames=len(values), interval=400, blit=False, repeat=False)
    html = anim.to_jshtml(default_mode="once")
    plt.close(fig)
    return Scrubber(_offline_html(html, label), label, values)


def widget(draw, values, *, label: str, figsize=(6.0, 3.2)):
    """A live ipywidgets slider over ``values`` that redraws ``draw(ax, value)`` (needs a kernel)."""
    import ipywidgets

    values = _check_values(values)
    options = [(f"{value:g}", value) for value in values]
    slider = ipywidgets.SelectionSlider(options=options, value=values[len(values) // 2],
                                        description=label, continuous_update=False,
                                        style={"description_width": "initial"},
                                        layout=ipywidgets.Layout(width="420px"))

    def show(value):
        fig, ax = plt.subplots(figsize=figsize)
        draw(ax, value)
        plt.show()

    return ipywidgets.interactive(show, value=slider)


def explore(draw, values, *, label: str, figsize=(6.0, 3.2), dpi: int = 72):
    """A slider over ``values`` redrawing ``draw(ax, value)``: live widget or embedded animation.

    Live ipywidgets when the environment variable ``RNNCOURSE_WIDGETS`` is ``1`` (``make lab``
    sets it); otherwise :func:`scrubber`, which also works in the static web book.
    """
    if os.environ.get(WIDGETS_ENV) == "1":
        return widget(draw, values, label=label, figsize=figsize)
    return scrubber(draw, values, label=label, figsize=figsize, dpi=dpi)


__all__ = ["Scrubber", "explore", "scrubber", "widget", "WIDGETS_ENV"]
