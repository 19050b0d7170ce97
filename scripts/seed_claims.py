"""Every comparison the chapters draw from a training run, run for several seeds: claim x seed.

A chapter runs a comparison for one to three seeds (a chapter executes in a minute); this script runs
each for five, with the same package functions and settings as the chapter, and prints whether the
claim holds for each seed. Claims whose runs are too long for a chapter are stored as records
(``rnncourse/data/records/*.json``) that the chapter loads, plots as bands and asserts on.

    python scripts/seed_claims.py                  # every claim, seeds 0-4: a table
    python scripts/seed_claims.py --only ch05      # the claims whose name starts with ch05
    python scripts/seed_claims.py --record         # also rewrite the records the chapters load
    python scripts/seed_claims.py --seeds 10       # more seeds

Each run uses one thread (torch.set_num_threads(1)), like the chapters. The whole table takes
about 15 minutes on one core.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time

import numpy as np
import torch

from rnncourse import birnn, bptt, reservoir, runs

CLAIMS = []        # (name, statement, function(seed) -> (holds, detail))
RECORDED = {}      # record name -> {label: [Run per seed]}, filled by claims that keep their runs
RECORD_CONFIG = {  # record name -> the settings of its runs, and one entry per model (label)
    "ch04_bilm": dict(steps=120, hidden_size=16, models={
        "forward, 2 layers": dict(mode="forward", num_layers=2),
        "bidirectional, 2 layers": dict(mode="bidirectional", num_layers=2),
        "shifted, 1 layer": dict(mode="shifted", num_layers=1),
        "shifted, 2 layers": dict(mode="shifted", num_layers=2)}),
    "ch05_adding": dict(steps=1000, batch_size=128, lr=1e-2, hidden_size=16, models={
        "T = 20": dict(kind="rnn", T=20), "T = 100": dict(kind="rnn", T=100)}),
}


def claim(name, statement):
    def register(function):
        CLAIMS.append((name, statement, function))
        return function
    return register


def keep(record, label, run):
    RECORDED.setdefault(record, {}).setdefault(label, []).append(run)
    return run


def _final(losses, k=25):
    return float(np.mean(losses[-k:]))


# --- chapter 3 -----------------------------------------------------------------------------------

@claim("ch03 truncation", "delayed echo (delay 5): full BPTT and k = 10 below 0.01; k = 3 falls, "
                          "then ends above 0.5")
def _(seed):
    full, k10, k3 = (bptt.echo_run(k, seed=seed) for k in (None, 10, 3))
    smooth = np.convolve(k3, np.ones(25) / 25, mode="valid")
    holds = (max(_final(full), _final(k10)) < 0.01 and _final(k3) > 0.5
             and smooth.min() < smooth[-1] - 0.05)
    return holds, f"full {_final(full):.4f}, k=10 {_final(k10):.4f}, k=3 {_final(k3):.2f}"


# --- chapter 4 -----------------------------------------------------------------------------------

@claim("ch04 delay M", "moving average: M = 0 on the 15/16 * 1/9 floor, M = 1 below 0.02, M = 8 "
                       "worse than M = 1, bidirectional below 0.01 and within 0.002 of the best delay")
def _(seed):
    mse = {M: birnn.delay_run(M, seed=seed) for M in (0, 1, 2, 3, 4, 5, 6, 8, None)}
    best = min(v for M, v in mse.items() if M is not None)
    holds = (abs(mse[0] - 15 / 16 / 9) < 0.01 and mse[1] < 0.02 and mse[8] > 2 * mse[1]
             and mse[None] < 0.01 and mse[None] < best + 0.002)
    jump = next((M for M in (2, 3, 4, 5, 6, 8) if mse[M] > 0.1), None)
    return holds, (f"M=0 {mse[0]:.3f}, M=1 {mse[1]:.3f}, M=8 {mse[8]:.3f}, bidirectional "
                   f"{mse[None]:.3f}; first delay above 0.1: {jump}")


@claim("ch04 bidirectional LM", "Markov text: forward LM on the entropy rate, naive bidirectional "
                                "and 2-layer shifted below 0.3 nats, 1-layer shifted just above the "
                                "cloze floor")
def _(seed):
    P, pi = birnn.markov_chain(8, seed=0)
    rate, cloze = birnn.entropy_rate(P, pi), birnn.cloze_entropy(P, pi)
    r = recorded_runs("ch04_bilm", seed, _bilm)
    loss = {label: run.test for label, run in r.items()}
    holds = (abs(loss["forward, 2 layers"] - rate) < 0.03 and loss["bidirectional, 2 layers"] < 0.3
             and cloze < loss["shifted, 1 layer"] < cloze + 0.05 and loss["shifted, 2 layers"] < 0.3)
    return holds, ", ".join(f"{k}: {v:.3f}" for k, v in loss.items())


def _bilm(seed, mode, num_layers, **settings):
    return birnn.bilm_run(mode, num_layers, seed=seed, **settings)


# --- chapter 5 -----------------------------------------------------------------------------------

@claim("ch05 adding T=20 vs T=100", "tanh RNN, same budget: T = 20 test MSE below 0.1, "
                                    "T = 100 above 0.14 (1/6 = mean)")
def _(seed):
    r = recorded_runs("ch05_adding", seed, runs.adding_run)
    short, long = r["T = 20"], r["T = 100"]
    return short.test < 0.1 and long.test > 0.14, f"T=20 {short.test:.3f}, T=100 {long.test:.3f}"


# --- chapter 6 -----------------------------------------------------------------------------------

@claim("ch06 closed loop", "ESN on Mackey-Glass, reservoir seed = seed + 1: unregularised readout "
                           "diverges (NRMSE >= 1) within 500 steps, beta 1e-8 + noise 1e-4 tracks "
                           "500 steps with NRMSE below 0.1")
def _(seed):
    truth = reservoir.mackey_glass_split()[3]
    error = {name: reservoir.nrmse(reservoir.closed_loop(seed + 1, **options), truth)
             for name, options in [("beta 0", dict(ridge=0.0)),
                                   ("regularised", dict(ridge=1e-8, noise=1e-4))]}
    holds = error["beta 0"] >= 1 and error["regularised"] < 0.1
    return holds, ", ".join(f"{k}: {v:.3f}" for k, v in error.items())


@functools.lru_cache(maxsize=1)
def _esn_one_step_errors():
    """The one-step NRMSE of the chapter's five ESN reservoirs (seeds 1-5)."""
    from rnncourse.numpy import ESN
    X_train, Y_train, X_test, Y_test = reservoir.mackey_glass_split()
    errors = []
    for s in range(1, 6):
        e = ESN(1, 300, spectral_radius=1.25, leak_rate=0.3, ridge=1e-8, seed=s)
        e.fit(X_train, Y_train, washout=100)
        errors.append(reservoir.nrmse(e.predict(X_test, h0=e.state_), Y_test))
    return errors


@claim("ch06 ESN vs LSTM", "one-step Mackey-Glass: the LSTM (300 Adam steps) has more than 10 times "
                           "the NRMSE of the worst of five ESN reservoirs")
def _(seed):
    worst = max(_esn_one_step_errors())
    lstm = reservoir.nrmse(reservoir.lstm_one_step(seed=seed)[0], reservoir.mackey_glass_split()[3])
    return lstm > 10 * worst, f"LSTM {lstm:.3f}, worst ESN {worst:.1e}"


# --- chapters 7 and 8: long runs, recorded for the chapters ------------------------------------------

def recorded_runs(record, seed, task):
    """Run every model of ``RECORD_CONFIG[record]`` for ``seed``, keep the runs for the record."""
    config = RECORD_CONFIG[record]
    settings = {k: v for k, v in config.items() if k != "models"}
    return {label: keep(record, label, task(seed=seed, **model, **settings))
            for label, model in config["models"].items()}


RECORD_CONFIG.update({
    "ch07_adding_T100": dict(T=100, steps=1500, batch_size=64, lr=2e-2, hidden_size=16, models={
        "RNN": dict(kind="rnn"), "LSTM, default init": dict(kind="lstm"),
        "LSTM, forget bias 1": dict(kind="lstm", forget_bias=1.0)}),
    "ch08_adding_T50": dict(T=50, steps=1000, batch_size=64, lr=2e-2, hidden_size=16, models={
        "RNN": dict(kind="rnn"), "LSTM": dict(kind="lstm", forget_bias=1.0),
        "GRU": dict(kind="gru")}),
    "ch08_copy_delay10": dict(delay=10, steps=1000, batch_size=64, lr=2e-2, hidden_size=32, models={
        "RNN": dict(kind="rnn"), "LSTM": dict(kind="lstm", forget_bias=1.0),
        "GRU": dict(kind="gru")}),
})


@claim("ch07 adding T=100", "RNN stays at the mean (test MSE above 0.14); the LSTM learns (below "
                            "0.01) with the default initialisation and with forget bias 1")
def _(seed):
    r = recorded_runs("ch07_adding_T100", seed, runs.adding_run)
    holds = (r["RNN"].test > 0.14 and r["LSTM, default init"].test < 0.01
             and r["LSTM, forget bias 1"].test < 0.01)
    return holds, ", ".join(f"{k}: test {v.test:.4f}, below 0.05 at {runs.learned_at(v.curve, 0.05)}"
                            for k, v in r.items())


@claim("ch07 memory unit", "the forget-bias-1 LSTM of the record, trained again: on the first test "
                           "sequence one unit's input gate opens at both markers (above 0.5), stays "
                           "below 0.15 elsewhere, forget gate above 0.9 from the first marker on")
def _(seed):
    from rnncourse.data import adding_problem
    from rnncourse.gates import lstm_gates, memory_unit
    config = RECORD_CONFIG["ch07_adding_T100"]
    settings = {k: v for k, v in config.items() if k != "models"}
    run = runs.adding_run(seed=seed, **config["models"]["LSTM, forget bias 1"], **settings)
    x, _ = adding_problem(1000, T=100, seed=runs.TEST_SEED, dtype=np.float32)
    unit = memory_unit(lstm_gates(run.model.rnn, x[:, :1]), np.flatnonzero(x[:, 0, 1]))
    holds = (unit["write_at_markers"].min() > 0.5 and unit["write_elsewhere"] < 0.15
             and unit["keep"] > 0.9)
    return holds, (f"unit {unit['unit']}: input gate at the markers {unit['write_at_markers'].round(2)}, "
                   f"elsewhere <= {unit['write_elsewhere']:.3f}, forget gate >= {unit['keep']:.3f}")


@claim("ch08 adding T=50", "RNN stays at the mean; LSTM and GRU learn (test MSE below 0.01); the GRU "
                           "leaves the plateau first")
def _(seed):
    r = recorded_runs("ch08_adding_T50", seed, runs.adding_run)
    at = {k: runs.learned_at(v.curve, 0.05) for k, v in r.items()}
    holds = (r["RNN"].test > 0.14 and r["LSTM"].test < 0.01 and r["GRU"].test < 0.01
             and at["GRU"] < at["LSTM"])
    return holds, ", ".join(f"{k}: test {v.test:.4f}, below 0.05 at {at[k]}" for k, v in r.items())


@claim("ch08 copy delay 10", "GRU copies at least 90% of test sequences exactly; LSTM ends below "
                             "the RNN; the RNN copies fewer than 30%")
def _(seed):
    r = recorded_runs("ch08_copy_delay10", seed, runs.copy_run)
    holds = (r["GRU"].accuracy >= 0.9 and r["LSTM"].test < r["RNN"].test
             and r["RNN"].accuracy < 0.3)
    return holds, ", ".join(f"{k}: loss {v.test:.4f}, copied {v.accuracy:.0%}" for k, v in r.items())


# --- chapter 9 -----------------------------------------------------------------------------------

def _seq2seq(seed, attention, teacher_forcing, **settings):
    from rnncourse.text import seq2seq
    return seq2seq.seq2seq_run(attention, teacher_forcing, seed=seed, **settings)


def _tagger(seed, bidirectional, **settings):
    from rnncourse.text import names
    return names.tagger_run(bidirectional, seed=seed, **settings)


RECORD_CONFIG.update({
    "ch09_seq2seq": dict(steps=250, hidden_size=64, models={
        "teacher forcing": dict(attention=False, teacher_forcing=True),
        "no teacher forcing": dict(attention=False, teacher_forcing=False),
        "attention": dict(attention=True, teacher_forcing=True)}),
    "ch09_tagger": dict(steps=200, hidden_size=32, models={
        "one-directional": dict(bidirectional=False), "bidirectional": dict(bidirectional=True)}),
})


@claim("ch09 char models", "80 steps on the English text: RNN, GRU and LSTM (128 units) all below the "
                           "character-count baseline, within 0.3 nats of each other")
def _(seed):
    from rnncourse.text import charlm, corpus
    vocab, train_ids, valid_ids = corpus.english_split()
    counts = torch.bincount(train_ids, minlength=len(vocab)).double()
    unigram = -((counts + 1) / (counts + 1).sum()).log()[valid_ids].mean().item()
    final = {}
    for kind in ("rnn", "gru", "lstm"):
        torch.manual_seed(seed)
        model = charlm.CharLM(len(vocab), 128, kind=kind)
        history = charlm.train_charlm(model, train_ids, steps=80, batch_size=32, seq_len=50,
                                      lr=6e-3, seed=seed)
        final[kind] = float(np.mean(history["loss"][-10:]))
    holds = max(final.values()) < unigram and max(final.values()) - min(final.values()) < 0.3
    return holds, ", ".join(f"{k}: {v:.2f}" for k, v in final.items()) + f" (baseline {unigram:.2f})"


@claim("ch09 seq2seq", "string reversal, greedy exact match: teacher forcing above no teacher "
                       "forcing; attention above both and at least 90%")
def _(seed):
    r = recorded_runs("ch09_seq2seq", seed, _seq2seq)
    acc = {k: v.accuracy for k, v in r.items()}
    holds = (acc["teacher forcing"] > acc["no teacher forcing"]
             and acc["attention"] > acc["teacher forcing"] and acc["attention"] >= 0.9)
    return holds, ", ".join(f"{k}: {v:.0%}" for k, v in acc.items())


@claim("ch09 tagger", "unseen names: the bidirectional tagger's F1 above the one-directional one's, "
                      "and at least 0.99")
def _(seed):
    r = recorded_runs("ch09_tagger", seed, _tagger)
    f1 = {k: v.metrics["f1"] for k, v in r.items()}
    return f1["bidirectional"] > f1["one-directional"] and f1["bidirectional"] >= 0.99, \
        ", ".join(f"{k}: F1 {v:.3f}" for k, v in f1.items())


# --- chapter 10 ----------------------------------------------------------------------------------

def _regularisation(seed, **settings):
    from rnncourse.text import regularisation
    return regularisation.regularisation_run(seed=seed, **settings)


def _beam(seed, widths, **settings):
    """Chapter 9's reversal model (no attention, teacher forcing), decoded with several beam widths:
    ``metrics['beam']`` maps a width to the exact-match rate (length penalty 0)."""
    from rnncourse.text import seq2seq
    run = seq2seq.seq2seq_run(False, True, seed=seed, **settings)
    test_set = seq2seq.reversal_test_set(50, range(3, 9), seed=1)
    run.metrics["beam"] = {str(w): seq2seq.exact_match(run.model, test_set, beam_width=w)
                           for w in widths}
    return run


RECORD_CONFIG.update({
    "ch10_regularisation": dict(steps=400, models={
        "no regularisation": dict(), "dropout 0.3": dict(dropout=0.3),
        "weight decay 0.1": dict(weight_decay=0.1)}),
    "ch10_init": dict(T=50, steps=600, batch_size=64, lr=1e-2, hidden_size=16, models={
        "default (tanh)": dict(kind="rnn"), "orthogonal (tanh)": dict(kind="rnn", init="orthogonal"),
        "IRNN (ReLU, identity)": dict(kind="rnn", init="identity", nonlinearity="relu")}),
    "ch10_beam": dict(steps=250, hidden_size=64, widths=[1, 3, 10], models={"reversal": dict()}),
    "ch10_fair": dict(T=50, steps=1000, batch_size=64, lr=2e-2, models={
        "RNN, 34 units (1292 weights)": dict(kind="rnn", hidden_size=34)}),
})


@claim("ch10 overfitting", "small text, 400 steps: without regularisation the final training loss is "
                           "at least 0.5 nats below the validation loss; dropout 0.3 ends with a lower "
                           "validation loss; early stopping keeps a lower one than the last")
def _(seed):
    r = recorded_runs("ch10_regularisation", seed, _regularisation)
    none, drop = r["no regularisation"].metrics, r["dropout 0.3"].metrics
    holds = (none["valid"][-1] - none["train"][-1] >= 0.5 and drop["valid"][-1] < none["valid"][-1]
             and min(none["valid"]) < none["valid"][-1])
    return holds, ", ".join(f"{k}: train {v.metrics['train'][-1]:.2f}, valid {v.metrics['valid'][-1]:.2f} "
                            f"(best {min(v.metrics['valid']):.2f})" for k, v in r.items())


@claim("ch10 init", "adding T = 50, 600 steps: the IRNN's test MSE below the default tanh RNN's "
                    "(the chapter also asserts how many seeds end below 0.05)")
def _(seed):
    r = recorded_runs("ch10_init", seed, runs.adding_run)
    holds = r["IRNN (ReLU, identity)"].test < r["default (tanh)"].test
    return holds, ", ".join(f"{k}: test {v.test:.4f}" for k, v in r.items())


@claim("ch10 beam", "string reversal: exact match of beam widths 3 and 10 above greedy's (width 1), "
                    "within 2 points of each other")
def _(seed):
    r = recorded_runs("ch10_beam", seed, _beam)["reversal"].metrics["beam"]
    holds = r["3"] > r["1"] and r["10"] > r["1"] and abs(r["10"] - r["3"]) <= 0.02
    return holds, ", ".join(f"width {w}: {a:.0%}" for w, a in r.items())


@claim("ch10 fair", "adding T = 50: an RNN with as many weights as the 16-unit LSTM (34 units) still "
                    "stays near the mean predictor (test MSE above 0.1) where the LSTM learns (below 0.01)")
def _(seed):
    r = recorded_runs("ch10_fair", seed, runs.adding_run)["RNN, 34 units (1292 weights)"]
    lstm = runs.load_record("ch08_adding_T50")[0]["LSTM"][seed]
    return r.test > 0.1 and lstm.test < 0.01, f"RNN 34 units: test {r.test:.4f}, LSTM 16 units {lstm.test:.4f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the claims whose name starts with this")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. N-1 (default 5)")
    parser.add_argument("--record", action="store_true",
                        help="rewrite the records in rnncourse/data/records")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    chosen = [c for c in CLAIMS if c[0].startswith(args.only)]
    if not chosen:
        sys.exit(f"--only: no claim starts with {args.only!r}; claims: {[c[0] for c in CLAIMS]}")
    seeds = range(args.seeds)
    print(f"| claim | {' | '.join(f'seed {s}' for s in seeds)} | holds |")
    print(f"|---|{'---|' * len(seeds)}---|")
    details = []
    for name, statement, function in chosen:
        start, cells = time.process_time(), []
        for seed in seeds:
            holds, detail = function(seed)
            cells.append("yes" if holds else "**no**")
            details.append(f"{name}, seed {seed}: {detail}")
        count = cells.count("yes")
        print(f"| {name}: {statement} | {' | '.join(cells)} | {count}/{len(cells)} |", flush=True)
        details.append(f"{name}: {time.process_time() - start:.0f} s of CPU")
    print("\n" + "\n".join(details))
    if args.record:
        made_by = f"python scripts/seed_claims.py --record --seeds {args.seeds}"
        for name, labelled in RECORDED.items():
            print("wrote", runs.save_record(name, labelled, RECORD_CONFIG[name], made_by))


if __name__ == "__main__":
    main()
