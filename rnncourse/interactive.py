"""Sliders over a parameter that work with a kernel (JupyterLab) and without one (the web book).

A chapter states *what* to explore as a drawing function ``draw(ax, value)`` and the values to
sweep; :func:`explore` decides *how* to show it:

- in JupyterLab started by ``make lab`` (which sets ``RNNCOURSE_WIDGETS=1``), an ipywidgets slider
  that redraws the figure for the chosen value, computed live;
- everywhere else (the rendered book, ``jupyter nbconvert --execute``, nbval), a scrubbable
  animation (:func:`scrubber`): every frame is drawn once now, embedded in the page as PNGs, and a
  slider in plain JavaScript flips between them. It needs no server and no network, so the static
  page still moves.

For results that are text (chapter 9's samples at several temperatures), :func:`text_switcher` shows
precomputed texts *as text* behind the same kind of slider: a reader can select, copy, zoom and hear
them, and a phone wraps them to its width.

The HTML is the course's own (no CDN, no font icons) and deterministic: element ids are hashes of the
label and the values, so the same notebook gives the same HTML on every run. Frames are PNGs at twice
their displayed size (:func:`rnncourse.plot.png.figure_png`), each with alt text (the figure read off
by :func:`rnncourse.plot.describe.figure_alt`, without titles, which may hold measured numbers; or
``alt=``) and the value. A visible label names the parameter and shows its current value; the buttons
and the slider wrap to the width of a phone. nbval compares this HTML with the stored one after
tests/nbval_sanitize.cfg has replaced the PNG bytes and the texts of a text switcher (which sit between
``<!-- rnncourse:text -->`` markers), so the structure, the values and the alt texts are still compared.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from numbers import Real

import matplotlib.pyplot as plt

WIDGETS_ENV = "RNNCOURSE_WIDGETS"
TEXT_START, TEXT_END = "<!-- rnncourse:text -->", "<!-- /rnncourse:text -->"

# one stylesheet for both kinds; repeated in every output so that each works on its own (JupyterLab)
_STYLE = """<style>
.rnn-slider{max-width:100%;margin:.5em 0}
.rnn-slider img{max-width:100%;height:auto;display:block}
.rnn-slider .anim-label{display:block;font-weight:600;margin:.4em 0 .2em}
.rnn-slider .anim-row{display:flex;flex-wrap:wrap;align-items:center;gap:.4em}
.rnn-slider input[type=range]{flex:1 1 10em;min-width:8em;margin:0}
.rnn-slider button{min-width:2.75em;min-height:2.75em;padding:0 .6em;font:inherit;border:1px solid #999;
border-radius:.3em;background:#f4f4f4;color:#222;cursor:pointer}
.rnn-slider pre.switch-text{white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%;margin:.4em 0;
padding:.6em;border:1px solid #ccc;border-radius:.3em}
</style>"""

# slider, step buttons and (animations) play; ``show(k)`` is defined by each kind's script
_SCRIPT = """<script>
(function () {
  var root = document.getElementById("%(id)s");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var slider = root.querySelector("input[type=range]");
  var value = root.querySelector("output");
  var values = %(values)s;
  %(setup)s
  function go(k) {
    k = Math.max(0, Math.min(values.length - 1, k));
    slider.value = k; value.textContent = values[k];
    slider.setAttribute("aria-valuetext", values[k]);
    show(k);
  }
  slider.addEventListener("input", function () { go(+slider.value); });
  root.querySelector(".anim-prev").addEventListener("click", function () { go(+slider.value - 1); });
  root.querySelector(".anim-next").addEventListener("click", function () { go(+slider.value + 1); });
  var play = root.querySelector(".anim-play"), timer = null;
  if (play) play.addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "\\u25B6 play"; return; }
    if (+slider.value >= values.length - 1) go(0);
    play.textContent = "\\u275A\\u275A pause";
    timer = setInterval(function () {
      if (+slider.value >= values.length - 1) { clearInterval(timer); timer = null;
        play.textContent = "\\u25B6 play"; return; }
      go(+slider.value + 1);
    }, %(interval)d);
  });
})();
</script>"""


def _check_values(values) -> list:
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"values: expected at least 2 values to slide over, got {len(values)}")
    return values


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, Real) and not isinstance(value, bool) else str(value)


def _start(start, n: int) -> int:
    if start is None:
        return n // 2
    if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start < n:
        raise ValueError(f"start: expected None or a frame index from 0 to {n - 1}, got {start!r}")
    return start


def _element_id(kind: str, label: str, values: list) -> str:
    """A stable id: the same label and values give the same id on every run."""
    key = json.dumps([kind, label, [_fmt(v) for v in values]])
    return f"rnn-{kind}-" + hashlib.sha1(key.encode()).hexdigest()[:16]


def _controls(element_id: str, label: str, values: list, start: int, play: bool) -> str:
    """The visible label with the current value, then ◀, the slider, ▶ (and play)."""
    label = html.escape(label)
    n = len(values)
    current = html.escape(_fmt(values[start]))
    slider_id = element_id + "-slider"
    return (f'<label class="anim-label" for="{slider_id}">{label}: '
            f'<output for="{slider_id}">{current}</output></label>'
            f'<div class="anim-row">'
            f'<button type="button" class="anim-prev" aria-label="previous value of {label}">&#x25C0;</button>'
            f'<input type="range" class="anim-slider" id="{slider_id}" min="0" max="{n - 1}" step="1" '
            f'value="{start}" aria-valuetext="{current}">'
            f'<button type="button" class="anim-next" aria-label="next value of {label}">&#x25B6;</button>'
            + ('<button type="button" class="anim-play">&#x25B6; play</button>' if play else "")
            + "</div>")


def _js(obj) -> str:
    """``obj`` as a JavaScript literal that cannot close the <script> it sits in."""
    return json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")


def _script(element_id: str, values: list, setup: str, interval: int = 700) -> str:
    return _SCRIPT % {"id": element_id, "values": _js([_fmt(v) for v in values]),
                      "setup": setup, "interval": interval}


def _describe(values, label: str) -> str:
    return f"over {label}: {len(values)} {{}} from {_fmt(values[0])} to {_fmt(values[-1])}"


class Scrubber:
    """A precomputed animation over ``values`` with a slider; displays as HTML in a notebook.

    ``html`` is the self-contained HTML (frames embedded as base64 PNGs); ``n_frames`` and
    ``values`` say what it holds. Its plain-text form is a one-line description, stable across runs.
    """

    def __init__(self, html: str, label: str, values: list):
        self.html, self.label, self.values = html, label, values
        self.n_frames = len(values)

    def __repr__(self):
        return f"<animation {_describe(self.values, self.label).format('frames')}; drag the slider>"

    def _repr_html_(self):
        return self.html


class TextSwitcher:
    """Precomputed texts behind a slider, shown as text; displays as HTML in a notebook.

    ``html`` is the self-contained HTML; ``values`` and ``texts`` what it holds. Its plain-text form
    is a one-line description, stable across runs.
    """

    def __init__(self, html: str, label: str, values: list, texts: list):
        self.html, self.label, self.values, self.texts = html, label, values, texts

    def __repr__(self):
        return f"<text switcher {_describe(self.values, self.label).format('texts')}; drag the slider>"

    def _repr_html_(self):
        return self.html


def scrubber(draw, values, *, label: str, figsize=(6.4, 3.2), dpi: int = 100, alt: str | None = None,
             start: int | None = None) -> Scrubber:
    """Draw ``draw(ax, value)`` for every value and embed the frames behind a slider.

    Args:
        draw: function ``draw(ax, value)`` that draws one frame on an empty ``Axes``
            (title, labels and limits included; keep the limits fixed so frames compare)
        values: the parameter values, in slider order (at least 2; 10–25 keep pages small); numbers
            are shown with ``:g``, anything else with ``str``
        label: what the slider changes, e.g. ``"spectral radius"``: shown above the slider with the
            current value, and part of the element id
        figsize, dpi: size of each frame in inches, and CSS pixels per inch: a frame is displayed at
            ``figsize * dpi`` pixels (no wider than the text column) and drawn at twice that
        alt: what every frame shows, for a reader who cannot see it (None: read off the first frame,
            without its title); each frame's alt text adds the value
        start: index of the frame shown first (None: the middle one)

    Returns:
        a :class:`Scrubber`, which a notebook displays as the animation.
    """
    from .plot.describe import figure_alt
    from .plot.png import figure_png

    values = _check_values(values)
    first = _start(start, len(values))
    element_id = _element_id("anim", label, values)
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    frames, alts = [], []
    for value in values:
        ax.clear()
        draw(ax, value)
        png, width, height = figure_png(fig, dpi)
        frames.append("data:image/png;base64," + base64.b64encode(png).decode("ascii"))
        what = alt or figure_alt(fig, titles=False)
        alts.append(f"{what.rstrip('.')}. Frame {len(frames)} of {len(values)}: {label} = {_fmt(value)}.")
    plt.close(fig)
    setup = (f"var img = root.querySelector('img'); var frames = {_js(frames)}; "
             f"var alts = {_js(alts)};\n"
             "  function show(k) { img.src = frames[k]; img.alt = alts[k]; }")
    page = (f'{_STYLE}<div class="rnn-slider animation" id="{element_id}">'
            f'<img id="_anim_img{element_id[9:]}" src="{frames[first]}" width="{width}" height="{height}" '
            f'alt="{html.escape(alts[first])}">'
            + _controls(element_id, label, values, first, play=True) + "</div>"
            + _script(element_id, values, setup))
    return Scrubber(page, label, values)


def text_switcher(texts, *, label: str, start: int | None = None) -> TextSwitcher:
    """Precomputed texts behind a slider, shown as text (a phone wraps them to its width).

    Args:
        texts: a dict ``{value: text}`` in slider order, or a list of ``(value, text)`` pairs (at
            least 2), e.g. ``{T: rnncourse.plot.sample_text(T, lm, vocab) for T in temperatures}``
        label: what the slider changes, e.g. ``"sampling temperature"``: shown above the slider with
            the current value, and part of the element id
        start: index of the text shown first (None: the middle one)

    Returns:
        a :class:`TextSwitcher`, which a notebook displays. Every text sits between
        ``<!-- rnncourse:text -->`` and ``<!-- /rnncourse:text -->`` in its HTML, so that a sanitizer
        (tests/nbval_sanitize.cfg) can leave texts that differ from machine to machine out of
        nbval's comparison; or tag the cell ``nbval-ignore-output``.
    """
    pairs = list(texts.items()) if isinstance(texts, dict) else [tuple(p) for p in texts]
    for pair in pairs:
        if len(pair) != 2 or not isinstance(pair[1], str):
            raise TypeError(f"texts: expected {{value: text}} or (value, text) pairs with str texts, "
                            f"got {pair!r:.80}")
    values = _check_values([v for v, _ in pairs])
    first = _start(start, len(values))
    element_id = _element_id("text", label, values)
    blocks = "".join(
        f'<pre class="switch-text" data-index="{k}" aria-label="{html.escape(label)} = '
        f'{html.escape(_fmt(value))}"{"" if k == first else " hidden"}>'
        f"{TEXT_START}{html.escape(text)}{TEXT_END}</pre>"
        for k, (value, text) in enumerate(pairs))
    setup = ("var texts = root.querySelectorAll('pre.switch-text');\n"
             "  function show(k) { texts.forEach(function (t, j) { t.hidden = j !== k; }); }")
    page = (f'{_STYLE}<div class="rnn-slider text-switcher" id="{element_id}">'
            + _controls(element_id, label, values, first, play=False)
            + f'<div aria-live="polite">{blocks}</div></div>'
            + _script(element_id, values, setup))
    return TextSwitcher(page, label, values, [t for _, t in pairs])


def widget(draw, values, *, label: str, figsize=(6.4, 3.2)):
    """A live ipywidgets slider over ``values`` that redraws ``draw(ax, value)`` (needs a kernel)."""
    import ipywidgets

    values = _check_values(values)
    options = [(_fmt(value), value) for value in values]
    slider = ipywidgets.SelectionSlider(options=options, value=values[len(values) // 2],
                                        description=label, continuous_update=False,
                                        style={"description_width": "initial"},
                                        layout=ipywidgets.Layout(width="100%", max_width="420px"))

    def show(value):
        fig, ax = plt.subplots(figsize=figsize)
        draw(ax, value)
        plt.show()

    return ipywidgets.interactive(show, value=slider)


def explore(draw, values, *, label: str, figsize=(6.4, 3.2), dpi: int = 100, alt: str | None = None,
            start: int | None = None):
    """A slider over ``values`` redrawing ``draw(ax, value)``: live widget or embedded animation.

    Live ipywidgets when the environment variable ``RNNCOURSE_WIDGETS`` is ``1`` (``make lab``
    sets it); otherwise :func:`scrubber` (``dpi``, ``alt``, ``start`` are its), which also works in
    the static web book.
    """
    if os.environ.get(WIDGETS_ENV) == "1":
        return widget(draw, values, label=label, figsize=figsize)
    return scrubber(draw, values, label=label, figsize=figsize, dpi=dpi, alt=alt, start=start)


__all__ = ["Scrubber", "TextSwitcher", "explore", "scrubber", "text_switcher", "widget", "WIDGETS_ENV"]
