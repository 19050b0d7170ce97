"""Figures of the book, drawn by code so they stay true to the implementation.

- :func:`unrolled_graph`: the recurrent network folded and unrolled over ``T`` steps (chapter 1).
"""

from .graphs import unrolled_graph

__all__ = ["unrolled_graph"]
