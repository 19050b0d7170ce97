"""Alt text for a figure: what a reader who cannot see it should be told.

- :func:`set_alt`: attach a written description to a figure or to one panel (the package's diagrams
  do; a chapter may);
- :func:`figure_alt`: that description, or one read off the figure: for each panel its kind (line
  plot, bar chart, heat map, diagram), title, axes (with log scales) and legend entries, or a
  diagram's labels;
- :func:`plain_text`: a matplotlib label without its TeX markup (``$\\rho(W_{hh})$`` -> ``ρ(W_hh)``).

:func:`rnncourse.plot.style.book_style` puts :func:`figure_alt` into each displayed figure's metadata,
where the web book reads it (book/_ext/figure_alt.py).
"""

from __future__ import annotations

import re

from matplotlib.container import BarContainer
from matplotlib.figure import Figure

_ATTRIBUTE = "_rnncourse_alt"
_MAX_LABELS = 12

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "phi": "φ", "psi": "ψ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "nabla": "∇",
    "partial": "∂", "times": "×", "cdot": "·", "odot": "⊙", "infty": "∞", "approx": "≈",
    "leq": "≤", "geq": "≥", "le": "≤", "ge": "≥", "to": "→", "rightarrow": "→", "|": "‖",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "top": "ᵀ", "ell": "ℓ", "sum": "∑", "prod": "∏", "tanh": "tanh", "log": "log", "exp": "exp",
}


def set_alt(target, text: str):
    """Describe ``target`` for a reader who cannot see it; returns ``target``.

    ``target`` is a Figure (``text`` is then the whole figure's alt text) or an Axes (``text``
    describes that panel, and :func:`figure_alt` uses it for the panel instead of reading it off).
    """
    if not isinstance(target, Figure) and not isinstance(getattr(target, "figure", None), Figure):
        raise TypeError(f"target: expected a matplotlib Figure or Axes, got {type(target).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text: expected a non-empty description, got {text!r}")
    setattr(target, _ATTRIBUTE, text.strip())
    return target


def _symbol(match) -> str:
    """A TeX command as text: a symbol eats the space after it, a word (tanh, log) keeps it."""
    name = match.group(1)
    text = _SYMBOLS.get(name.strip(), name.strip())
    return text + " " if name.endswith(" ") and text[-1:].isascii() and text[-1:].isalpha() else text


def _script(match) -> str:
    """A sub- or superscript: ``_{hh}`` -> ``_hh``, ``_{t-1}`` -> ``_(t-1)`` (so it reads unambiguously)."""
    mark, inner = match.group(1), match.group(2).strip()
    plain = re.fullmatch(r"\w*", inner) or (inner.startswith("(") and inner.endswith(")"))
    return mark + (inner if plain else f"({inner})")


def plain_text(label: str) -> str:
    """``label`` with mathtext turned into plain Unicode text, for a screen reader."""
    def math(match):
        s = match.group(1)
        s = re.sub(r"\\(?:mathrm|mathbf|mathit|operatorname|text|boldsymbol)\s*\{([^{}]*)\}", r"\1", s)
        s = re.sub(r"\\([A-Za-z]+ ?|\|)", _symbol, s)
        s = re.sub(r"\\[,;:!]", " ", s)
        s = re.sub(r"([_^])\{([^{}]*)\}", _script, s)
        s = s.replace("{", "").replace("}", "").replace("\\", "")
        return s
    text = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", math, label)
    return re.sub(r"\s+", " ", text.replace("\\$", "$")).strip()


def _kind(ax) -> str:
    if ax.images:
        return "heat map" + (" with a colour scale" if any(getattr(i, "colorbar", None) for i in ax.images)
                             else "")
    if any(isinstance(c, BarContainer) for c in ax.containers):
        return "bar chart"
    if not ax.axison:
        return "diagram"
    return "plot"


def _axes_words(ax) -> str:
    x, y = plain_text(ax.get_xlabel()), plain_text(ax.get_ylabel())
    if ax.get_yscale() == "log" and y:
        y += " (log scale)"
    if ax.get_xscale() == "log" and x:
        x += " (log scale)"
    if x and y:
        return f"{y} against {x}"
    return y or x


def _describe_axes(ax, titles: bool = True) -> str:
    given = getattr(ax, _ATTRIBUTE, None)
    if given:
        return given
    kind = _kind(ax)
    titles = [plain_text(ax.get_title(loc)) for loc in ("left", "center", "right")] if titles else []
    words = [kind + "".join(f" “{t}”" for t in titles if t)]
    if kind == "diagram":
        labels = []
        for text in ax.texts:
            label = plain_text(text.get_text())
            if label and label not in labels:
                labels.append(label)
        if labels:
            more = " …" if len(labels) > _MAX_LABELS else ""
            words.append("labelled " + ", ".join(labels[:_MAX_LABELS]) + more)
    else:
        axes = _axes_words(ax)
        if axes:
            words.append(axes)
        legend = ax.get_legend()
        if legend is not None:
            entries = [plain_text(t.get_text()) for t in legend.get_texts() if t.get_text()]
            if entries:
                words.append("legend: " + "; ".join(entries))
    return ": ".join(words[:2]) + ("; " + "; ".join(words[2:]) if len(words) > 2 else "")


def _sentences(text: str) -> list:
    """``text`` cut after each ". ", except inside a quotation “…” (a quoted text keeps its full stops)."""
    out, start, depth = [], 0, 0
    for k, ch in enumerate(text):
        depth += (ch == "“") - (ch == "”")
        if ch == "." and depth <= 0 and text[k + 1:k + 2] == " ":
            out.append(text[start:k + 1])
            start = k + 2
    return out + [text[start:]] if text[start:] else out


def figure_alt(fig: Figure, titles: bool = True) -> str:
    """The alt text of ``fig``: the one given by :func:`set_alt`, or a description of its panels.

    ``titles=False`` leaves the titles out of a description read off the figure (a title may hold a
    measured number that differs from machine to machine; the animations' alt texts are compared by
    nbval).
    """
    given = getattr(fig, _ATTRIBUTE, None)
    if given:
        return given
    panels = [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")
              and (ax.has_data() or ax.texts or ax.patches or ax.get_title())]
    suptitle = plain_text(fig._suptitle.get_text()) if fig._suptitle is not None and titles else ""
    if not panels:
        return f"Figure “{suptitle}”" if suptitle else "Figure"
    described = [_describe_axes(ax, titles) for ax in panels]
    if len(described) == 1:
        text = described[0][0].upper() + described[0][1:]
    else:
        # what every panel's description says is said once: "4 panels, each: ... (1) ... (2) ..."
        sentences = [_sentences(d.rstrip(".") + ".") for d in described]
        shared = [x for x in sentences[0] if all(x in other for other in sentences[1:])]
        own = [" ".join(x for x in parts if x not in shared) for parts in sentences]
        text = f"{len(described)} panels" + (f", each: {' '.join(shared)}" if shared else ".") + " " + " ".join(
            f"({k}) {d.rstrip('.')}." for k, d in enumerate(own, start=1) if d)
    return (f"“{suptitle}”: " if suptitle else "") + text.rstrip(".") + "."
