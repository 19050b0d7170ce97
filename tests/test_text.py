"""Tests of rnncourse.text: corpora, character language model, name tagging, seq2seq."""

import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch

from rnncourse.plot import draw_samples
from rnncourse.text import charlm, corpus, names, seq2seq
from rnncourse.text.corpus import UNK, Vocab

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "rnncourse" / "text" / "data"


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


# ---------------------------------------------------------------- corpora and vocabulary

def test_english_text_is_real_prose():
    text = corpus.english_text()
    assert len(text) > 300_000
    assert "return" in text and "statement" in text


def test_vocab_round_trip_and_unknown_characters():
    vocab = Vocab.from_text("abracadabra")
    assert vocab.chars[:2] == "ab"                       # most frequent first
    assert vocab.chars[-1] == UNK and vocab.unk == len(vocab) - 1
    assert vocab.decode(vocab.encode("cabbad")) == "cabbad"
    assert vocab.decode(vocab.encode("abz")) == "ab" + UNK
    assert len(Vocab.from_text("aaabbc", max_size=2)) == 3


def test_split_and_random_windows():
    ids = torch.arange(1000)
    train, valid = corpus.split(ids, 0.1)
    assert len(train) == 900 and valid[0] == 900
    x, y = corpus.random_windows(train, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10)
    assert torch.equal(x[:, 1:], y[:, :-1]) and torch.equal(y - x, torch.ones(4, 10, dtype=int))
    with pytest.raises(ValueError, match="valid_fraction"):
        corpus.split(ids, 1.5)
    with pytest.raises(ValueError, match="ids"):
        corpus.random_windows(torch.arange(5), 2, 10, np.random.default_rng(0))


def test_tang_corpus_shape():
    poems = corpus.tang_poems()
    assert len(poems) == 17876
    assert all(corpus.is_five_character(p.body) for p in poems)
    assert all(len(p.lines) in (4, 8) for p in poems[:100])


def test_is_five_character():
    good = "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"
    assert corpus.is_five_character(good)
    assert corpus.lines_of(good) == ["白日依山盡", "黃河入海流", "欲窮千里目", "更上一層樓"]
    assert not corpus.is_five_character(good[:12])                       # two lines only
    assert not corpus.is_five_character(good.replace("，", "。", 1))       # marks must alternate
    assert not corpus.is_five_character("白日依山盡盡，黃河入海。" * 2)       # 6 + 4 characters


def test_shipped_files_are_small_and_packaged():
    for name in ("tang5.txt.gz", "english_lstm.pt", "tang_lstm.pt"):
        assert (DATA / name).stat().st_size < 5e6, name
    assert (DATA / "ATTRIBUTION.md").exists() and (DATA / "LICENSE-chinese-poetry.txt").exists()
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["rnncourse"]
    for name in ("tang5.txt.gz", "english_lstm.pt", "ATTRIBUTION.md", "LICENSE-chinese-poetry.txt"):
        assert any(Path("text/data", name).match(p) for p in patterns), name


# ---------------------------------------------------------------- character language model

def test_charlm_backends_agree_and_shapes():
    torch.manual_seed(0)
    for kind in ("rnn", "lstm", "gru"):
        fast = charlm.CharLM(11, 8, embed_size=5, kind=kind)
        ours = charlm.CharLM(11, 8, embed_size=5, kind=kind, backend="rnncourse")
        ours.load_state_dict(fast.state_dict())
        x = torch.randint(0, 11, (3, 7))
        logits, _ = fast(x)
        assert logits.shape == (3, 7, 11)
        assert torch.allclose(logits, ours(x)[0], atol=1e-5)
    with pytest.raises(ValueError, match="kind"):
        charlm.CharLM(11, 8, kind="transformer")
    with pytest.raises(ValueError, match="backend"):
        charlm.CharLM(11, 8, backend="jax")


def test_train_charlm_learns_a_repeating_text():
    vocab = Vocab.from_text("hello world ")
    ids = vocab.encode("hello world " * 100)
    for stateful in (False, True):
        torch.manual_seed(0)
        model = charlm.CharLM(len(vocab), 32, embed_size=8)
        history = charlm.train_charlm(model, ids, steps=60, batch_size=8, seq_len=12, lr=1e-2,
                                      valid_ids=ids[:200], eval_every=30, stateful=stateful)
        assert len(history["loss"]) == 60 and history["steps"] == 60
        assert [s for s, _ in history["valid"]] == [30, 60]
        assert history["valid"][-1][1] < 0.3 < history["loss"][0]
    assert charlm.sample(model, vocab, "hello ", 6, temperature=0) == "world "
    with pytest.raises(ValueError, match="steps or seconds"):
        charlm.train_charlm(model, ids)


def test_sample_is_seeded_and_respects_stop_and_forbid():
    torch.manual_seed(0)
    vocab = Vocab.from_text("abc\n")
    model = charlm.CharLM(len(vocab), 8, embed_size=4)
    a = charlm.sample(model, vocab, "a", 50, temperature=1.5, seed=3)
    assert a == charlm.sample(model, vocab, "a", 50, temperature=1.5, seed=3)
    assert len(a) == 50
    b = charlm.sample(model, vocab, "a", 50, temperature=1.5, seed=3, forbid=UNK + "b")
    assert "b" not in b and UNK not in b
    c = charlm.sample(model, vocab, "a", 200, temperature=2.0, seed=0, stop="\n")
    assert c.count("\n") <= 1 and (c.endswith("\n") or len(c) == 200)
    with pytest.raises(ValueError, match="temperature"):
        charlm.sample(model, vocab, "a", 5, temperature=-1)


def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    vocab = Vocab.from_text("abcdef")
    model = charlm.CharLM(len(vocab), 16, embed_size=4, kind="gru")
    charlm.save_checkpoint(tmp_path / "m.pt", model, vocab, steps=3)
    loaded, vocab2, meta = charlm.load_checkpoint(tmp_path / "m.pt", backend="rnncourse")
    assert vocab2.chars == vocab.chars and meta == {"steps": 3}
    x = torch.randint(0, len(vocab), (2, 5))
    assert torch.allclose(model(x)[0], loaded(x)[0], atol=1e-2)     # float16 storage


def test_shipped_english_checkpoint_meets_the_target():
    model, vocab, meta = charlm.load_checkpoint(charlm.checkpoint_path("english_lstm"))
    assert meta["corpus"] == "english" and meta["steps"] > 0 and meta["cpu_seconds"] > 0
    text = corpus.english_text()
    _, valid = corpus.split(vocab.encode(text), 0.1)
    assert charlm.evaluate(model, valid) < 1.35


def test_shipped_tang_checkpoint_keeps_the_line_shape():
    model, vocab, meta = charlm.load_checkpoint(charlm.checkpoint_path("tang_lstm"))
    assert meta["corpus"] == "tang" and len(vocab) == 3001
    bodies = ["月" + charlm.sample(model, vocab, "。\n月", 60, 0.8, seed=s, stop="\n",
                                   forbid=UNK).rstrip("\n") for s in range(10)]
    lengths = [len(line) for b in bodies for line in corpus.lines_of(b)]
    assert np.mean(np.array(lengths) == 5) > 0.9


# ---------------------------------------------------------------------------- name tagging

def test_name_dataset_holds_out_names():
    train, test = names.name_dataset(n_train=300, n_test=100, seed=0)
    again, _ = names.name_dataset(n_train=300, n_test=100, seed=0)
    assert train.words == again.words
    for data in (train, test):
        assert all(len(w) == len(l) for w, l in zip(data.words, data.labels))
    test_names = {w for ws, ls in zip(test.words, test.labels) for w, l in zip(ws, ls) if l}
    assert test_names and not test_names & set(train.vocab)               # all unseen
    assert all((x == 0).any() for x, l in zip(test.x, test.labels) if any(l))


def test_tagger_batches_and_metrics():
    train, _ = names.name_dataset(n_train=300, n_test=10, seed=0)
    make_batch = names.tagger_batches(train, batch_size=5, word_dropout=1.0)
    x, y = make_batch(0, np.random.default_rng(0))
    assert x.shape == y.shape and x.shape[1] == 5
    assert (x[y == 1] == train.vocab["<unk>"]).all()                     # dropout 1: names hidden
    for bidirectional in (False, True):
        tagger = names.Tagger(len(train.vocab), 8, bidirectional=bidirectional)
        assert tagger(x).shape == (*x.shape, 2)
    truth = names.NameData([["a", "b", "c", "d"]], [[1, 1, 0, 0]], {"<unk>": 0})
    m = names.tag_metrics([torch.tensor([1, 0, 1, 0])], truth)
    assert m["accuracy"] == 0.5 and m["precision"] == 0.5 and m["recall"] == 0.5 and m["f1"] == 0.5


def test_tagger_batches_mix_lengths_and_pad():
    train, _ = names.name_dataset(n_train=300, n_test=10, seed=0)
    x, y = names.tagger_batches(train, batch_size=64, word_dropout=0.0)(0, np.random.default_rng(1))
    pad = names.pad_id(train.vocab)
    lengths = (x != pad).sum(0)
    assert len(set(lengths.tolist())) > 1 and lengths.max() == x.shape[0]   # several lengths, padded
    assert ((x == pad) == (y == names.IGNORE)).all()                       # labels ignored on padding
    for b, n in enumerate(lengths.tolist()):                               # a prefix, then padding
        assert (x[n:, b] == pad).all() and (x[:n, b] != pad).all()


@pytest.mark.parametrize("backend", ["rnncourse", "torch.nn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_tagger_reads_each_sentence_exactly(backend, bidirectional):
    """A sentence's logits are the same alone and padded in a batch (each direction packed)."""
    torch.manual_seed(0)
    tagger = names.Tagger(20, 6, bidirectional=bidirectional, backend=backend)
    sentences = [torch.tensor([3, 4, 5, 6, 7]), torch.tensor([1, 2]), torch.tensor([8, 9, 10])]
    batch = names.padded(sentences, tagger.pad)
    together = tagger(batch)
    for b, sentence in enumerate(sentences):
        alone = tagger(sentence[:, None])[:, 0]
        assert torch.allclose(together[:len(sentence), b], alone, atol=1e-6)
        assert (together[len(sentence):, b] == tagger.head.bias).all()    # padding: the head of zeros


def test_tagging_loss_leaves_the_padding_out():
    logits = torch.randn(4, 2, 2)
    y = torch.tensor([[1, 0], [0, 1], [1, names.IGNORE], [0, names.IGNORE]])
    want = torch.nn.functional.cross_entropy(logits[y != names.IGNORE], y[y != names.IGNORE])
    assert torch.allclose(names.tagging_loss(logits, y), want)
    changed = logits.clone()
    changed[2:, 1] = 100.0                                                 # padding logits: no effect
    assert torch.allclose(names.tagging_loss(changed, y), want)


def test_tagger_run_on_variable_length_batches():
    data = names.name_dataset(n_train=400, n_test=60, seed=0)
    run = names.tagger_run(True, seed=0, steps=60, hidden_size=16, data=data)
    assert run.metrics["f1"] > 0.8 and len(run.curve) == 6
    losses = names.sentence_losses(run.model, data[1])
    assert len(losses) == 60 and np.isclose(np.mean(losses), run.test)
    one = names.tagging_loss(run.model(data[1].x[0][:, None]), data[1].y[0][:, None]).item()
    assert np.isclose(losses[0], one, atol=1e-6)                           # a sentence's own tokens


# ---------------------------------------------------------------------------- sequence to sequence

def test_reversal_task_and_models():
    src, tgt = seq2seq.reversal_batch(4, 6, np.random.default_rng(0))
    assert torch.equal(tgt[:, :-1], src.flip(1)) and (tgt[:, -1] == seq2seq.EOS).all()
    torch.manual_seed(0)
    for attention in (False, True):
        fast = seq2seq.Seq2Seq(16, attention=attention)
        ours = seq2seq.Seq2Seq(16, attention=attention, backend="rnncourse")
        ours.load_state_dict(fast.state_dict())
        logits = fast(src, tgt)
        assert logits.shape == (4, 7, seq2seq.VOCAB)
        assert torch.allclose(logits, ours(src, tgt), atol=1e-5)
        free = fast(src, teacher_forcing=False)
        assert free.shape == (4, 7, seq2seq.VOCAB)
        if attention:
            assert fast.alphas.shape == (4, 7, 6)
            assert torch.allclose(fast.alphas.sum(-1), torch.ones(4, 7))


def test_variable_length_reversal_batches():
    src, tgt = seq2seq.reversal_batch(50, (3, 8), np.random.default_rng(0))
    lengths = (src != seq2seq.PAD).sum(1)
    assert lengths.min() == 3 and lengths.max() == 8 == src.shape[1] and tgt.shape[1] == 9
    for row, n in zip(range(50), lengths.tolist()):
        assert torch.equal(tgt[row, :n], src[row, :n].flip(0)) and tgt[row, n] == seq2seq.EOS
        assert (src[row, n:] == seq2seq.PAD).all() and (tgt[row, n + 1:] == seq2seq.PAD).all()
    # an int length draws exactly as before (the chapter prints such a batch)
    a = seq2seq.reversal_batch(3, 5, np.random.default_rng(7))
    digits = np.random.default_rng(7).integers(0, 10, size=(3, 5))
    assert torch.equal(a[0], torch.from_numpy(digits))


@pytest.mark.parametrize("backend", ["torch.nn", "rnncourse"])
@pytest.mark.parametrize("attention", [False, True])
def test_seq2seq_reads_each_string_exactly(backend, attention):
    """Padded in a batch or alone, a string gets the same logits (encoder packed, attention masked)."""
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(12, attention=attention, backend=backend)
    src, tgt = seq2seq.reversal_batch(6, (2, 6), np.random.default_rng(3))
    together = model(src, tgt)
    for row in range(6):
        n = int((src[row] != seq2seq.PAD).sum())
        alone = model(src[row:row + 1, :n], tgt[row:row + 1, :n + 1])
        assert torch.allclose(together[row, :n + 1], alone[0], atol=1e-6)
    if attention:
        model(src, tgt)
        pad = (src == seq2seq.PAD)[:, None, :].expand_as(model.alphas)
        assert (model.alphas[pad] == 0).all()


def test_seq2seq_loss_ignores_padded_targets():
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(8)
    losses = seq2seq.train_seq2seq(model, 3, batch_size=8, seed=0)
    assert len(losses) == 3 and all(np.isfinite(losses))
    src, tgt = seq2seq.reversal_batch(4, (2, 5), np.random.default_rng(1))
    logits = model(src, tgt)
    keep = tgt != seq2seq.PAD
    masked = torch.nn.functional.cross_entropy(logits.flatten(0, 1), tgt.flatten(), ignore_index=seq2seq.PAD)
    assert torch.allclose(masked, torch.nn.functional.cross_entropy(logits[keep], tgt[keep]))


def test_attention_learns_short_reversals():
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(32, attention=True)
    seq2seq.train_seq2seq(model, 120, lengths=(3, 4), batch_size=32, lr=1e-2)
    test = seq2seq.reversal_test_set(20, [3, 4])
    assert seq2seq.exact_match(model, test) > 0.8
    decoded = seq2seq.greedy_decode(model, test[0][0][:2])
    assert all(seq2seq.EOS not in row for row in decoded)


@pytest.mark.parametrize("change, error, pattern", [
    (dict(temperature=float("nan")), ValueError, r"^temperature: expected a finite number, got nan"),
    (dict(temperature="hot"), TypeError, r"^temperature: expected a real number, got 'hot'"),
    (dict(temperature=-1.0), ValueError, r"^temperature: expected a number in \[0.0, inf\)"),
    (dict(length=-5), ValueError, r"^length: expected an integer >= 0, got -5"),
    (dict(length=2.5), TypeError, r"^length: expected an integer >= 0, got 2.5 of type float"),
    (dict(prompt=""), ValueError, r"^prompt: expected at least one character"),
    (dict(prompt=3), TypeError, r"^prompt: expected a string"),
    (dict(vocab="abc"), TypeError, r"^vocab: expected a rnncourse.text.corpus.Vocab"),
    (dict(vocab=Vocab("ab")), ValueError, r"^vocab: expected the model's vocabulary of 4 characters, got Vocab\(3"),
    (dict(forbid="abc" + UNK), ValueError, r"^forbid: forbids every one of the 4 characters"),
    (dict(forbid=5), TypeError, r"^forbid: expected a string or a list of characters"),
    (dict(forbid=["ab"]), TypeError, r"^forbid: expected single characters"),
    (dict(stop=1), TypeError, r"^stop: expected None or a string"),
    (dict(seed=-1), ValueError, r"^seed: expected an integer >= 0"),
])
def test_sample_checks_its_arguments(change, error, pattern):
    vocab = Vocab("abc")
    model = charlm.CharLM(len(vocab), 8, 4, kind="gru")
    arguments = dict(model=model, vocab=vocab, prompt="ab", length=5)
    arguments.update(change)
    with pytest.raises(error, match=pattern):
        charlm.sample(**arguments)


def test_sample_edge_cases():
    vocab = Vocab("abc")
    model = charlm.CharLM(len(vocab), 8, 4, kind="gru")
    assert charlm.sample(model, vocab, "a", 0) == ""
    tiny = charlm.sample(model, vocab, "ab", 6, temperature=1e-300)          # z / T overflows: greedy
    assert tiny == charlm.sample(model, vocab, "ab", 6, temperature=0)
    only_c = charlm.sample(model, vocab, "ab", 6, forbid="ab" + UNK)
    assert only_c == "cccccc"
    with pytest.raises(ValueError, match="^vocab: "):
        charlm.nats_per_char(model, Vocab("abcd"), "abc")


def test_charlm_dropout():
    vocab = Vocab("abcdef")
    torch.manual_seed(0)
    plain = charlm.CharLM(len(vocab), 16, 8)
    assert plain.drop is None and "dropout" not in plain.config             # configs as before
    model = charlm.CharLM(len(vocab), 16, 8, num_layers=2, dropout=0.5, backend="rnncourse")
    assert model.config["dropout"] == 0.5 and model.rnn.dropout == 0.5 and model.rnn.num_layers == 2
    x = vocab.encode("abcdefab")[None]
    model.train()
    assert not torch.equal(model(x)[0], model(x)[0])                        # masks differ in training
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])
    same = charlm.CharLM(len(vocab), 16, 8, num_layers=2, dropout=0.5)       # torch.nn layers
    same.load_state_dict(model.state_dict())
    same.eval()
    assert torch.allclose(same(x)[0], model(x)[0], atol=1e-5)
    with pytest.raises(ValueError, match="^dropout: "):
        charlm.CharLM(len(vocab), 16, 8, dropout=1.5)


def test_draw_samples_is_deterministic():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2)
    draw_samples(a, 0.8, length=40)
    draw_samples(b, 0.8, length=40)
    (ta,), (tb,) = a.texts, b.texts
    assert ta.get_text() == tb.get_text() and ta.get_text().startswith("The ")
    assert not a.axison and "$T$ = 0.8" in a.get_title()
    plt.close(fig)


def test_sample_text_is_the_text_of_the_drawn_sample():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rnncourse.plot import sample_text
    fig, ax = plt.subplots()
    draw_samples(ax, 1.2, length=60, width=1000)
    text = sample_text(1.2, length=60)
    assert text.startswith("The ") and len(text) == len("The ") + 60
    assert ax.texts[0].get_text() == text.replace("\n", "⏎")
    plt.close(fig)
