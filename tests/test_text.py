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


def test_attention_learns_short_reversals():
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(32, attention=True)
    seq2seq.train_seq2seq(model, 120, lengths=(3, 4), batch_size=32, lr=1e-2)
    test = seq2seq.reversal_test_set(20, [3, 4])
    assert seq2seq.exact_match(model, test) > 0.8
    decoded = seq2seq.greedy_decode(model, test[0][0][:2])
    assert all(seq2seq.EOS not in row for row in decoded)


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
