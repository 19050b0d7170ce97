"""Train the character language models whose checkpoints ship in ``rnncourse/text/data``.

Reproducible: the same seed, steps and thread count give the same weights on the same machine
(``torch.set_num_threads(1)``; other CPUs may differ in the last bits). The CPU time of training is
printed and stored in the checkpoint's ``meta``. Examples (from the repository root)::

    # the shipped checkpoints
    python scripts/train_charlm.py english --steps 1200 --out rnncourse/text/data/english_lstm.pt
    python scripts/train_charlm.py tang --steps 800 --out rnncourse/text/data/tang_lstm.pt
    # the chapter's 60-second target: an LSTM trained for 60 s of CPU time, nothing saved
    # (measured: 948 steps, validation loss 1.195 nats/char on the machine that wrote chapter 9)
    python scripts/train_charlm.py english --seconds 60 --batch-size 32 --lr 8e-3
"""

import argparse
import platform
import sys

import torch

from rnncourse.text.charlm import CharLM, evaluate, save_checkpoint, train_charlm
from rnncourse.text.corpus import Vocab, english_text, split, tang_poems

# Settings per corpus: model size and batches. Tang: a vocabulary of the 3000 most frequent
# characters (98.7% of the text; the rest become UNK) keeps the checkpoint small.
PRESETS = {
    "english": dict(hidden_size=256, embed_size=64, batch_size=64, seq_len=50, lr=6e-3,
                    max_vocab=None, valid_fraction=0.1),
    "tang": dict(hidden_size=256, embed_size=128, batch_size=32, seq_len=49, lr=5e-3,
                 max_vocab=3000, valid_fraction=0.05),
}


def corpus_text(name):
    """The training text: the English prose, or the Tang poems one per line."""
    if name == "english":
        return english_text()
    return "".join(poem.body + "\n" for poem in tang_poems())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=sorted(PRESETS))
    parser.add_argument("--kind", default="lstm", choices=["lstm", "gru", "rnn"])
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument("--steps", type=int, help="number of updates (reproducible)")
    budget.add_argument("--seconds", type=float, help="CPU-time budget (steps depend on the CPU)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, help="override the preset's batch size")
    parser.add_argument("--lr", type=float, help="override the preset's learning rate")
    parser.add_argument("--num-layers", type=int, default=1, help="stacked recurrent layers")
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="dropout on the embeddings, between layers and before the head")
    parser.add_argument("--out", help="checkpoint path (nothing is saved without it)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    preset = dict(PRESETS[args.corpus])
    for key in ("batch_size", "lr"):
        if getattr(args, key) is not None:
            preset[key] = getattr(args, key)
    text = corpus_text(args.corpus)
    vocab = Vocab.from_text(text, max_size=preset.pop("max_vocab"))
    train_ids, valid_ids = split(vocab.encode(text), preset.pop("valid_fraction"))
    model = CharLM(len(vocab), preset.pop("hidden_size"), preset.pop("embed_size"), args.kind,
                   num_layers=args.num_layers, dropout=args.dropout)
    history = train_charlm(model, train_ids, steps=args.steps, seconds=args.seconds,
                           seed=args.seed, valid_ids=valid_ids,
                           eval_every=max(100, (args.steps or 0) // 10), stateful=True,
                           log=print, **preset)
    valid = evaluate(model, valid_ids)
    print(f"{args.corpus} {args.kind}: {history['steps']} steps in {history['seconds']:.0f} CPU s "
          f"(1 thread, {platform.processor() or platform.machine()}), "
          f"validation loss {valid:.4f} nats/char")
    if args.out:
        save_checkpoint(args.out, model, vocab, corpus=args.corpus, steps=history["steps"],
                        cpu_seconds=round(history["seconds"], 1), seed=args.seed,
                        valid_loss=round(valid, 4), train_loss=history["loss"],
                        valid_curve=history["valid"], python=platform.python_version(),
                        torch=str(torch.__version__), settings=PRESETS[args.corpus],
                        command=" ".join(["python", "scripts/train_charlm.py"] + sys.argv[1:]))
        print("saved", args.out)


if __name__ == "__main__":
    main()
