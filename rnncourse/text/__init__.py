"""Text applications of chapters 9 and 10: corpora, a character language model, sequence labelling,
sequence-to-sequence learning with attention, and decoding (greedy, beam search, top-k sampling).

``rnncourse.text.beam_search`` and ``greedy_search`` are :mod:`rnncourse.text.decoding`'s, loaded on
first use (importing this package does not import torch).
"""

_DECODING = ("beam_search", "greedy_search", "exhaustive_search", "top_k_filter")


def __getattr__(name):
    if name in _DECODING:
        from . import decoding
        return getattr(decoding, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_DECODING))
