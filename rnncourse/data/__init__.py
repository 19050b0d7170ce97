"""Data for the course: synthetic tasks and benchmark series, as NumPy arrays.

- ``adding_problem``, ``copy_memory`` (``tasks.py``): long-memory tasks of Arjovsky et al. (2016),
  input ``(seq_len, batch, features)`` like ``torch.nn.RNN`` (``batch_first=True`` for the other layout);
  ``delayed_echo``: repeat a sign sequence ``delay`` steps later (chapter 3, truncated BPTT).
- ``mackey_glass``, ``narma10`` (``series.py``): benchmark series of reservoir computing, 1-D ``(n_steps,)``.

Every random generator takes ``seed`` and draws from ``np.random.default_rng(seed)``.
"""

from .series import mackey_glass, narma10
from .tasks import adding_problem, copy_memory, delayed_echo

__all__ = ["adding_problem", "copy_memory", "delayed_echo", "mackey_glass", "narma10"]
