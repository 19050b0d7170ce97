"""The models of the course built from recurrent layers, apart from their training loops.

- ``SequenceRegressor`` (``regressor.py``): a recurrent layer and a linear head (chapters 3, 5, 7, 8);
  ``NumpyRegressor``: its NumPy twin with hand-written BPTT (chapter 3);
- ``DeepTransitionRNN`` (``deep.py``): a recurrence with an extra hidden layer per step (chapter 4);
- ``BiLM`` (``bilm.py``): the bidirectional character model that sees itself (chapter 4);
- ``recurrent_layer``, ``recurrent_cell`` (``layers.py``): the recurrent layer by kind and backend.

Training: ``rnncourse.train`` (PyTorch) and ``rnncourse.bptt`` (NumPy).
"""

from .bilm import BiLM, shift_directions
from .deep import DeepTransitionRNN
from .layers import recurrent_cell, recurrent_layer
from .regressor import NumpyRegressor, SequenceRegressor

__all__ = ["SequenceRegressor", "NumpyRegressor", "DeepTransitionRNN", "BiLM", "shift_directions",
           "recurrent_layer", "recurrent_cell"]
