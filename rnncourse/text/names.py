"""Per-token labelling: which words of a sentence are part of a person's name? (seed 004, chapter 9)

- :func:`name_dataset`: sentences generated from templates and word lists, seeded. The test split
  uses *unseen* names, places and things (held-out lists), which the vocabulary maps to ``<unk>``,
  so the tagger must decide from the context alone.
- :func:`tagger_batches`: batches of sentences of different lengths, padded, and the labels of
  the padding set to :data:`IGNORE`, so that the loss (:func:`tagging_loss`) skips them.
- :class:`Tagger`: embedding -> (bi)directional recurrent layer -> per-token logits; the padded
  batch is packed (``torch.nn.utils.rnn.pack_padded_sequence``) so that the recurrent layer, in
  either direction, reads each sentence exactly, never its padding.
- :func:`tag_metrics`: token accuracy, and precision / recall / F1 of the name label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from ..models import recurrent_layer

#: the label of a padding position: ``torch.nn.functional.cross_entropy`` ignores it (its default
#: ``ignore_index``)
IGNORE = -100

FIRST = ("harry hermione ron luna arthur molly oliver amelia noah olivia liam emma lucas mia "
         "ethan sofia mateo chloe ravi priya arjun ananya kenji yuki hiroshi aiko wei mei jun lin "
         "omar layla youssef fatima diego lucia pablo carmen ivan olga dmitri anya kwame ama kofi "
         "abena lars ingrid sven astrid marco giulia luca chiara pierre claire "
         "hugo camille").split()
LAST = ("potter granger weasley lovegood smith jones brown taylor wilson davies evans thomas "
        "patel sharma gupta singh tanaka sato suzuki kato wang li zhang chen hassan ali khan "
        "garcia lopez martinez rossi russo petrov ivanova mensah owusu boateng larsen nilsen "
        "berg dubois martin bernard moreau silva santos costa novak horvat kowalski nowak").split()
PLACES = ("london paris tokyo lagos lima oslo rome cairo delhi seoul dublin madrid berlin vienna "
          "prague lisbon athens nairobi accra quito boston denver austin kyoto osaka lyon porto "
          "milan naples krakow").split()
THINGS = ("book car lamp clock map kettle violin bicycle camera letter painting guitar telescope "
          "umbrella compass lantern basket ladder mirror chair blanket radio statue carpet "
          "helmet bottle wallet candle drum").split()
TITLES = "mr. mrs. ms. dr. professor".split()

# {P} a person, {L} a place, {O} a thing; every other word is copied (label 0).
TEMPLATES = [
    "{P} met {P} in {L} .",
    "yesterday {P} said that the {O} was broken .",
    "the {O} from {L} was sold to {P} .",
    "{P} and {P} invented a new {O} .",
    "in {L} , {P} bought a {O} .",
    "{P} said hello to {P} .",
    "a letter from {P} arrived in {L} .",
    "we visited {L} with {P} .",
    "{P} lives in {L} but works in {L} .",
    "the {O} belongs to {P} .",
    "{P} , {P} and {P} went to {L} .",
    "everyone in {L} knows {P} .",
    "{L} is far from {L} .",
    "{L} has a famous {O} .",
    "{O} prices in {L} went up .",
    "{P} gave the {O} to {P} .",
    "ask {P} about the {O} .",
    "{P} smiled .",
    "{L} welcomed the new {O} .",
    "nobody expected {P} to win .",
]


@dataclass
class NameData:
    """Token ids and 0/1 labels, as lists of int64 tensors (one per sentence), and the words."""
    words: list
    labels: list
    vocab: dict

    def encode(self, words):
        return torch.tensor([self.vocab.get(w, self.vocab["<unk>"]) for w in words])

    @property
    def x(self):
        return [self.encode(s) for s in self.words]

    @property
    def y(self):
        return [torch.tensor(l) for l in self.labels]


def _person(rng, first, last):
    """A name of one or two words, or a title and a surname; returns (words, labels)."""
    form = rng.integers(4)
    if form == 0:
        return [rng.choice(first)], [1]
    if form == 3:
        return [rng.choice(TITLES), rng.choice(last)], [0, 1]
    return [rng.choice(first), rng.choice(last)], [1, 1]


def _sentences(n, rng, first, last, places, things):
    words, labels = [], []
    for _ in range(n):
        ws, ls = [], []
        for token in TEMPLATES[rng.integers(len(TEMPLATES))].split():
            if token == "{P}":
                w, l = _person(rng, first, last)
            elif token in ("{L}", "{O}"):
                w, l = [rng.choice(places if token == "{L}" else things)], [0]
            else:
                w, l = [token], [0]
            ws += [str(x) for x in w]
            ls += l
        words.append(ws)
        labels.append(ls)
    return words, labels


def _halves(words, rng):
    """Shuffle a word list and cut it: two thirds seen in training, one third held out."""
    words = list(words)
    rng.shuffle(words)
    cut = 2 * len(words) // 3
    return words[:cut], words[cut:]


def name_dataset(n_train=2000, n_test=500, seed=0):
    """(train, test) :class:`NameData`. Test sentences use only held-out names, places and things.

    The vocabulary holds the training words plus ``<unk>``; test fillers are all ``<unk>``. Training
    must therefore teach the model what ``<unk>`` in a given context is: see ``word_dropout`` in
    :func:`tagger_batches`.
    """
    rng = np.random.default_rng(seed)
    lists = [_halves(words, rng) for words in (FIRST, LAST, PLACES, THINGS)]
    train = _sentences(n_train, rng, *(seen for seen, _ in lists))
    test = _sentences(n_test, rng, *(held for _, held in lists))
    vocab = {"<unk>": 0}
    for sentence in train[0]:
        for w in sentence:
            vocab.setdefault(w, len(vocab))
    return NameData(*train, vocab), NameData(*test, vocab)


FILLERS = set(FIRST) | set(LAST) | set(PLACES) | set(THINGS)


def pad_id(vocab) -> int:
    """The id of the padding token of a padded batch: one past the vocabulary (``len(vocab)``), a
    row of the :class:`Tagger`'s embedding that stays zero."""
    return len(vocab)


def padded(sequences, value):
    """A list of 1-D tensors of different lengths -> one (max_len, batch) tensor, filled with ``value``
    past the end of each."""
    return pad_sequence(list(sequences), padding_value=value)


def tagger_batches(data, batch_size=32, word_dropout=0.3):
    """``make_batch(step, rng) -> (x, y)`` for :func:`rnncourse.train.train`: ``batch_size``
    sentences drawn at random, of different lengths, padded to the longest: ``x`` (seq_len, batch)
    int64 word ids, :func:`pad_id` past the end of each sentence, and ``y`` (seq_len, batch) the 0/1
    labels, :data:`IGNORE` on the padding.

    Each name, place or thing is replaced by ``<unk>`` with probability ``word_dropout``, as unseen
    words will be at test time.
    """
    unk, pad = data.vocab["<unk>"], pad_id(data.vocab)

    def make_batch(step, rng):
        rows = rng.choice(len(data.words), size=batch_size)
        x = [data.encode(data.words[i]).masked_fill(
            torch.tensor([w in FILLERS and rng.random() < word_dropout for w in data.words[i]]), unk)
            for i in rows]
        y = [torch.tensor(data.labels[i]) for i in rows]
        return padded(x, pad), padded(y, IGNORE)

    return make_batch


class Tagger(nn.Module):
    """Embedding -> recurrent layer -> linear head giving 2 logits (not a name / name) per token.

    Inputs: ``x`` (seq_len, batch) int64, padded with ``vocab_size`` (:func:`pad_id`) past the end
    of each sentence. Outputs: logits (seq_len, batch, 2) (those of the padding are 0 and mean
    nothing). The batch is packed before the recurrent layer, so each direction reads each sentence
    from its own first (or last) word and never sees the padding. ``bidirectional=True`` reads the
    sentence both ways, so the label of a word can depend on the words after it.
    """

    def __init__(self, vocab_size, hidden_size=32, embed_size=32, kind="gru",
                 bidirectional=False, backend="rnncourse"):
        super().__init__()
        self.pad = vocab_size
        self.embed = nn.Embedding(vocab_size + 1, embed_size, padding_idx=self.pad)
        self.rnn = recurrent_layer(kind, embed_size, hidden_size, backend,
                                   bidirectional=bidirectional)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), 2)

    def forward(self, x):
        lengths = (x != self.pad).sum(0).cpu()
        packed = pack_padded_sequence(self.embed(x), lengths, enforce_sorted=False)
        out, _ = pad_packed_sequence(self.rnn(packed)[0], total_length=x.shape[0])
        return self.head(out)


def tagging_loss(logits, y):
    """Mean cross-entropy over the tokens of the sentences, the padding (label :data:`IGNORE`) left
    out; logits (seq_len, batch, 2), y (seq_len, batch)."""
    return nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE)


@torch.no_grad()
def predict(model, data):
    """Predicted 0/1 labels, one tensor per sentence (all sentences in one padded batch)."""
    model.eval()
    labels = model(padded(data.x, model.pad)).argmax(-1)
    return [labels[:len(words), b] for b, words in enumerate(data.words)]


@torch.no_grad()
def sentence_losses(model, data):
    """The mean cross-entropy of each sentence (its own tokens only), as a list of floats."""
    model.eval()
    y = padded(data.y, IGNORE)
    logits = model(padded(data.x, model.pad))
    token = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE,
                                        reduction="none").view(y.shape)
    return ((token * (y != IGNORE)).sum(0) / (y != IGNORE).sum(0)).tolist()


def tag_metrics(predicted, data):
    """Dict: token ``accuracy``; ``precision``, ``recall``, ``f1`` of the label 1 (name tokens)."""
    p = torch.cat(predicted).bool()
    y = torch.cat(data.y).bool()
    tp = (p & y).sum().item()
    precision = tp / max(p.sum().item(), 1)
    recall = tp / max(y.sum().item(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"accuracy": (p == y).float().mean().item(), "precision": precision,
            "recall": recall, "f1": f1}


def tagger_run(bidirectional, seed=0, steps=200, hidden_size=32, data=None):
    """Train one :class:`Tagger` on ``name_dataset`` and score it on the held-out test set.

    Adam (lr 0.01) on :func:`tagger_batches` (padded batches of sentences of different lengths,
    word dropout 0.3; the loss leaves the padding out) for ``steps`` batches; ``seed`` fixes the
    initialisation and the batches. ``data``: ``(train_set, test_set)`` (default
    ``name_dataset(2000, 500, seed=0)``). Returns a :class:`rnncourse.runs.Run`: ``curve`` the
    training losses in blocks of 10, ``test`` the mean over the test sentences of their
    cross-entropy, ``accuracy`` the fraction of test sentences tagged entirely right, ``metrics``
    :func:`tag_metrics`, and the ``model``.
    """
    from ..runs import Run, blocks
    from ..train import train

    train_set, test_set = name_dataset(n_train=2000, n_test=500, seed=0) if data is None else data
    torch.manual_seed(seed)
    model = Tagger(len(train_set.vocab), hidden_size, bidirectional=bidirectional)
    losses = train(model, tagger_batches(train_set), steps=steps, lr=1e-2, loss_fn=tagging_loss,
                   seed=seed, verbose=False)
    predicted = predict(model, test_set)
    test = float(np.mean(sentence_losses(model, test_set)))
    sentences = float(np.mean([bool((p == y).all()) for p, y in zip(predicted, test_set.y)]))
    return Run(blocks(losses), test, seed, sentences, tag_metrics(predicted, test_set),
               losses=losses, model=model)
