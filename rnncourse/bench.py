"""Forward + backward time of the course's models against torch.nn: ``python -m rnncourse.bench``.

For RNN, LSTM and GRU at one size (default: batch 32, seq_len 100, input 32, hidden 128, float32,
one thread) it times a forward pass and the backward pass of every gradient (parameters, input,
initial state) for

* ``rnncourse.numpy``   — hand-written BPTT in NumPy,
* ``rnncourse.torch``   — the equations in PyTorch, autograd for the backward pass,
* ``torch.nn``          — PyTorch's own module (on CPU its fused oneDNN kernel),
* ``torch.nn no-oneDNN`` — the same with ``torch.backends.mkldnn.flags(enabled=False)`` (plain ATen).

Implementations take turns within each repeat, so the ratios compare times measured under the same
conditions (the machine may be shared); the table shows the median over the repeats, the ratios to
both torch.nn timings, and the achieved GFLOP/s for the model's matrix-product FLOP count

    forward 2·T·B·G·H·(I + H),  backward twice that,  G = gates (RNN 1, GRU 3, LSTM 4),

i.e. 6·T·B·G·H·(I + H) in all (≈ 1.57 GFLOP for the default LSTM; element-wise work not counted).
Set ``OMP_NUM_THREADS=1`` in the environment as well, so that NumPy's BLAS uses one thread.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
import torch

import rnncourse.numpy as rnp
import rnncourse.torch as rtorch
from rnncourse._layout import GATES

MODELS = ("RNN", "LSTM", "GRU")          # the models torch.nn has too
IMPLS = ["rnncourse.numpy", "rnncourse.torch", "torch.nn", "torch.nn no-oneDNN"]


def flops(model: str, T: int, B: int, I: int, H: int) -> float:
    """Matrix-product FLOPs of forward + backward (see the module docstring)."""
    return 6.0 * T * B * GATES[model] * H * (I + H)


def make_runners(model: str, T: int, B: int, I: int, H: int, seed: int = 0) -> dict:
    """Implementation name -> a function running forward + backward once, all with the same weights."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    g_out = rng.standard_normal((T, B, H)).astype(np.float32)
    ours = getattr(rnp, model)(I, H, dtype=np.float32, rng=seed)
    sd = {k: torch.from_numpy(v.copy()) for k, v in ours.state_dict().items()}
    theirs = getattr(rtorch, model)(I, H, dtype=torch.float32)
    theirs.load_state_dict(sd)
    ref = getattr(torch.nn, model)(I, H)
    ref.load_state_dict(sd)
    x_t, g_t = torch.from_numpy(x), torch.from_numpy(g_out)

    def run_numpy():
        ours(x)
        ours.backward(g_out)

    def run_torch(module):
        def run():
            xr = x_t.detach().requires_grad_()
            out, _ = module(xr)
            out.backward(g_t)
            module.zero_grad(set_to_none=True)
        return run

    run_ref = run_torch(ref)

    def run_ref_plain():
        with torch.backends.mkldnn.flags(enabled=False):
            run_ref()

    return {"rnncourse.numpy": run_numpy, "rnncourse.torch": run_torch(theirs),
            "torch.nn": run_ref, "torch.nn no-oneDNN": run_ref_plain}


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def measure(runners: dict, repeats: int, warmup: int = 2, clock: str = "cpu") -> dict:
    """Median seconds per call of each runner; runners take turns within each repeat.

    ``clock="cpu"`` measures the CPU time of this process (``time.process_time``), which on a
    shared machine is far less disturbed by other processes than wall-clock time; with one thread
    the two agree on an idle machine.
    """
    now = CLOCKS[clock]
    for run in runners.values():
        for _ in range(warmup):
            run()
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            start = now()
            run()
            times[name].append(now() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m rnncourse.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, from RNN, LSTM, GRU")
    parser.add_argument("--impls", default=",".join(IMPLS), help="comma-separated implementations")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per implementation (median)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--input-size", type=int, default=32)
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                        help="cpu: process CPU time (robust on a shared machine); wall: elapsed time")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    # torch warns about TF32 on Intel GPUs whenever the oneDNN flags are changed: not our concern
    warnings.filterwarnings("ignore", message=".*TF32 acceleration on top of oneDNN.*")
    T, B, I, H = args.seq_len, args.batch, args.input_size, args.hidden_size
    impls = [name.strip() for name in args.impls.split(",")]
    for name in impls:
        if name not in IMPLS:
            parser.error(f"--impls: unknown implementation {name!r}; choose from {', '.join(IMPLS)}")
    models = [name.strip() for name in args.models.split(",")]
    for name in models:
        if name not in MODELS:
            parser.error(f"--models: unknown model {name!r}; choose from {', '.join(MODELS)}")

    print(f"forward + backward, float32, batch {B}, seq_len {T}, input {I}, hidden {H}, "
          f"torch threads {torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"median of {args.repeats} ({args.clock} time); torch {torch.__version__}, numpy {np.__version__}")
    header = f"{'model':<6} {'implementation':<20} {'ms':>8} {'vs torch.nn':>12} {'vs no-oneDNN':>13} {'GFLOP/s':>8}"
    print(header)
    print("-" * len(header))
    results = {}
    for model in models:
        runners = make_runners(model, T, B, I, H)
        runners = {name: runners[name] for name in impls}
        med = measure(runners, args.repeats, clock=args.clock)
        work = flops(model, T, B, I, H)
        for name in impls:
            ratio = lambda ref: f"{med[name] / med[ref]:.2f}x" if ref in med else "-"
            print(f"{model:<6} {name:<20} {med[name] * 1e3:8.2f} {ratio('torch.nn'):>12} "
                  f"{ratio('torch.nn no-oneDNN'):>13} {work / med[name] / 1e9:8.1f}")
        print(f"{'':<6} ({work / 1e9:.2f} GFLOP per forward + backward)")
        results[model] = med
    return results


if __name__ == "__main__":
    main()
