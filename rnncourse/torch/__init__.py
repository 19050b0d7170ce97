"""PyTorch backend: recurrent models as ``torch.nn.Module`` s written from their equations.

Each model is a loop over time around one short step function (``rnn_step``, ``lstm_step``,
``gru_step``, ...) in the notation of its chapter; autograd computes the gradients. Constructor
arguments, parameter names and order, shapes and return values are those of ``torch.nn.RNN``,
``LSTM``, ``GRU`` and their cells, so ``state_dict`` s load in both directions and results agree
with torch.nn to rounding error. Nothing here calls torch.nn's recurrent modules.
"""

from .rnn import RNN, RNNCell
from .lstm import LSTM, LSTMCell
from .gru import GRU, GRUCell
from .leaky import LeakyRNN
from .esn import ESN
