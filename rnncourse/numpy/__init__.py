"""Every model of the course in NumPy, with backpropagation through time written out by hand.

Same constructor arguments, parameter names and return values as torch.nn; each model also has
``backward``. The kernels (forward and backward of one layer) sit in one file per model.
"""

from .base import CellBase, RecurrentBase
from .gru import GRU, GRUCell
from .leaky import LeakyRNN
from .lstm import LSTM, LSTMCell
from .rnn import RNN, RNNCell
from .esn import ESN
