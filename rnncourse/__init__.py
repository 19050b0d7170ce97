"""rnncourse: the support package of the course on recurrent neural networks.

Every model is written twice, with the same constructor arguments, parameter names and return
values as ``torch.nn.RNN`` / ``LSTM`` / ``GRU``:

- ``rnncourse.numpy``: NumPy, with backpropagation through time written out by hand;
- ``rnncourse.torch``: PyTorch modules built from the equations, differentiated by autograd.

Shared by every chapter:

- ``rnncourse.models``: the models built from recurrent layers (``SequenceRegressor`` and its NumPy
  twin ``NumpyRegressor``, ``DeepTransitionRNN``, ``BiLM``) and the layer factory ``recurrent_layer``;
- ``rnncourse.train``: the one PyTorch training loop (``train``, ``evaluate``, ``summary``);
- ``rnncourse.runs``: seeded training runs on the memory tasks, and the five-seed records that
  ``scripts/seed_claims.py`` stores for comparisons too long to repeat in a chapter;
- ``rnncourse.check``: gradient checks (finite differences against a hand-written backward);
- ``rnncourse.optim``: SGD, Adam and gradient clipping for the NumPy models;
- ``rnncourse.data``: tasks (adding problem, copy memory, delayed echo) and series (Mackey–Glass,
  NARMA10);
- ``rnncourse.plot``: the figures of the book, and one frame of each chapter's slider;
  ``rnncourse.interactive``: sliders that work with a kernel (ipywidgets) and without one (an
  animation embedded in the web page);
- ``rnncourse.bench``: speed against torch.nn (``python -m rnncourse.bench``).

One module per chapter topic: ``bptt`` (chapter 3), ``birnn`` (4), ``longterm`` (5),
``reservoir`` (6), ``gates`` (7–8), ``text`` (9: corpora, character language models, tagging,
sequence-to-sequence with attention).

Private modules shared by both backends: ``_validate`` (input checks), ``_layout`` (parameter names
and shapes), ``_options`` (constructor options), ``_packing`` (variable-length batches and
``PackedSequence`` layouts) and ``_esn`` (the echo-state network); ``rnncourse.errors`` holds the
exceptions they raise, each both Python's conventional class and torch.nn's. The NumPy
backend never imports torch, the PyTorch backend never imports the NumPy backend, and neither
imports ``plot``, ``train``, ``grade`` or ``text`` (``tests/test_import_rules.py``).

Exercises and grading: ``rnncourse.exercises`` (the graded questions; ``python -m rnncourse.exercises
build``) and ``rnncourse.grade`` (``python -m rnncourse.grade``; ``check("q1")`` in a notebook).

The notebooks in JupyterLab: ``rnncourse.lab`` (``make lab`` on the student's git-ignored copy of the
chapters and exercises, ``make edit`` on the sources; ``python -m rnncourse.lab``).
"""

__version__ = "0.1.0"
