r"""Carrying a recurrent state from one batch to the next, and what ``detach()`` cuts (chapter 10).

A long text is read as ``batch`` contiguous streams, ``seq_len`` characters at a time
(:func:`rnncourse.text.corpus.stream_batches`); the final state of one batch is the initial state of
the next, so every character is predicted from all the text before it. Without :func:`detach_state`
the state keeps its autograd history: the next ``backward()`` runs back through every earlier
batch (truncated BPTT is no longer truncated), and the graph, with the tensors saved for it, grows
with every batch. Between *unrelated* sequences the state must be reset instead
(:func:`reset_state`), or one sequence leaks into the next.

- :func:`detach_state`: the same numbers, without history (a tensor or an LSTM's ``(h, c)``);
- :func:`reset_state`: the state set to zero for the sequences of the batch that start anew;
- :func:`graph_size`: the number of autograd nodes behind a tensor (what ``backward`` will run);
- :class:`SavedTensors`: the bytes autograd keeps for the backward pass of what runs inside it.
"""

from __future__ import annotations

import torch


def detach_state(state):
    """``state`` (a tensor, or a tuple of tensors such as an LSTM's ``(h, c)``) without autograd
    history; None stays None."""
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    return type(state)(detach_state(s) for s in state)


def reset_state(state, keep):
    """The state with the sequences where ``keep`` is False set to zero (a fresh start).

    ``state``: a tensor ``(num_layers * directions, batch, hidden)`` or a tuple of them;
    ``keep``: ``(batch,)`` bool (or 0/1). Multiplying by the mask keeps the graph: the kept
    sequences still pass their gradient back, the reset ones pass none.
    """
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        keep = torch.as_tensor(keep, device=state.device)
        if keep.dim() != 1 or keep.shape[0] != state.shape[-2]:
            raise ValueError(f"keep: expected one flag per sequence of the batch ({state.shape[-2]}), "
                             f"got shape {tuple(keep.shape)}")
        return state * keep.to(state.dtype)[:, None]
    return type(state)(reset_state(s, keep) for s in state)


def graph_size(tensor) -> int:
    """How many autograd nodes ``tensor.backward()`` would run: the nodes reachable from its
    ``grad_fn`` (0 for a tensor without history)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    seen, stack = set(), [tensor.grad_fn] if tensor.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(n for n, _ in node.next_functions if n is not None and n not in seen)
    return len(seen)


class SavedTensors:
    """Counts the bytes of the tensors autograd saves for the backward pass inside a ``with`` block
    (``torch.autograd.graph.saved_tensors_hooks``). A tensor saved several times counts each time
    (an upper bound on the memory they hold, which is what grows with an undetached state).

    Example::

        with SavedTensors() as saved:
            loss = model(x).sum()
        saved.bytes, saved.count
    """

    def __init__(self):
        self.bytes, self.count = 0, 0
        self._hooks = torch.autograd.graph.saved_tensors_hooks(self._pack, lambda t: t)

    def _pack(self, t):
        self.bytes += t.numel() * t.element_size()
        self.count += 1
        return t

    def __enter__(self):
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc):
        return self._hooks.__exit__(*exc)


__all__ = ["detach_state", "reset_state", "graph_size", "SavedTensors"]
