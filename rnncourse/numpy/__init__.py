"""Every model of the course in NumPy, with backpropagation through time written out by hand.

Same constructor arguments, parameter names and return values as torch.nn; each model also has
``backward``. One file per model holds its kernel (the forward and backward pass of one layer,
written for speed) and, for the LSTM and the GRU, beside it the reference step that reads like the
chapter (``lstm_step``, ``lstm_step_backward``, ``gru_step``, ``gru_step_backward``); ``rnn.py``'s
kernel reads like the chapter already.
"""

from .base import CellBase, RecurrentBase
from .gru import GRU, GRUCell
from .leaky import LeakyRNN
from .lstm import LSTM, LSTMCell
from .rnn import RNN, RNNCell
from .esn import ESN
