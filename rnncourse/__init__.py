"""rnncourse: the support package of the course on recurrent neural networks.

Every model is written twice, with the same constructor arguments, parameter names and return
values as ``torch.nn.RNN`` / ``LSTM`` / ``GRU``:

- ``rnncourse.numpy``: NumPy, with backpropagation through time written out by hand;
- ``rnncourse.torch``: PyTorch modules built from the equations, differentiated by autograd.

Supporting modules: ``rnncourse.check`` (gradient checks), ``rnncourse.optim`` (optimisers for the
NumPy models), ``rnncourse.data`` (tasks and corpora), ``rnncourse.plot`` (figures of the book),
``rnncourse.bench`` (speed against torch.nn: ``python -m rnncourse.bench``).
"""

__version__ = "0.1.0"
