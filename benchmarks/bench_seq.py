"""Benchmark: the sequence models against torch CPU: an LSTM layer and the small GPT's training step.

Run ``python benchmarks/bench_seq.py`` from the repository root (or
``minitorch-nn bench --only seq``). Cases:

- an ``nn.LSTM(256, 256)`` layer on a (seq 64, batch 32, 256) float32 input:
  forward alone, and forward + backward under a fixed random upstream gradient
  (gradients of the input and of the four parameters);
- the small GPT of ``minitorch_nn.models`` (vocab 64, block 64, embed 32,
  4 heads, 2 blocks) on a batch of 32 windows of 64 characters: forward,
  cross-entropy, backward and an AdamW step.

Both engines on ``THREADS`` threads, float32; each timing is the median of
``repeats`` runs after 50 ms of warm-up calls (benchmarks/timing.py), the two
engines measured side by side in one process and interleaved over 3 rounds
(the median of the rounds is reported); ratio = torch time / our time (above
1: we are faster). Writes benchmarks/results/seq.md.

``--cpu-time``: on a machine others load, wall times mostly measure the wait
for a core (and torch's OpenMP threads, spinning at barriers, suffer most).
This mode pins both engines to one thread and times each call by the
process's CPU time (``time.process_time``), interleaved call by call, which
the other processes hardly move; it prints the table and writes nothing.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import blas_note, median_ms  # noqa: E402  (after the path is set)

THREADS = 2
ROUNDS = 3
SEQ, BATCH, INPUT, HIDDEN = 64, 32, 256, 256
GPT_BATCH, GPT_TIME, GPT_VOCAB = 32, 64, 64


def _lstm(lib, backward: bool):
    lib.manual_seed(0)
    layer = lib.nn.LSTM(INPUT, HIDDEN)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32))
    if backward:
        x.requires_grad_(True)
    upstream = lib.tensor(rng.standard_normal((SEQ, BATCH, HIDDEN)).astype(np.float32))

    def forward() -> None:
        with lib.no_grad():
            layer(x)

    def forward_backward() -> None:
        layer.zero_grad()
        x.grad = None
        out, _ = layer(x)
        out.backward(upstream)

    return forward_backward if backward else forward


def _gpt_step(lib):
    from minitorch_nn.models import gpt

    lib.manual_seed(0)
    model = gpt(lib, vocab_size=GPT_VOCAB, block_size=GPT_TIME)()
    optimizer = lib.optim.AdamW(model.parameters(), lr=1e-3)
    criterion = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.integers(0, GPT_VOCAB, (GPT_BATCH, GPT_TIME)))
    y = lib.tensor(rng.integers(0, GPT_VOCAB, (GPT_BATCH, GPT_TIME)).reshape(-1))

    def step() -> None:
        optimizer.zero_grad()
        criterion(model(x).reshape(-1, GPT_VOCAB), y).backward()
        optimizer.step()

    return step


CASES = (
    (f"LSTM layer {INPUT}->{HIDDEN}, seq {SEQ}, batch {BATCH}", "fwd", lambda lib: _lstm(lib, False)),
    (f"LSTM layer {INPUT}->{HIDDEN}, seq {SEQ}, batch {BATCH}", "fwd+bwd", lambda lib: _lstm(lib, True)),
    (f"GPT (2 blocks, embed 32) step, batch {GPT_BATCH}x{GPT_TIME}", "fwd+loss+bwd+adamw", _gpt_step),
)


def run(repeats: int = 7) -> list[dict]:
    import torch

    import minitorch_nn as mt

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    rows = []
    for case, kind, make in CASES:
        ours, theirs = make(mt), make(torch)
        t_ms, o_ms = [], []
        for _ in range(ROUNDS):  # interleaved, so both engines see the same machine load
            t_ms.append(median_ms(theirs, repeats))
            o_ms.append(median_ms(ours, repeats))
        t, o = float(np.median(t_ms)), float(np.median(o_ms))
        rows.append({"case": case, "pass": kind, "torch_ms": t, "ours_ms": o, "ratio": t / o})
    return rows


def cpu_time_rows(repeats: int = 7) -> list[dict]:
    """One thread each, median CPU time per call, the engines alternating call by call."""
    import time

    import torch

    import minitorch_nn as mt

    torch.set_num_threads(1)
    mt.set_num_threads(1)
    rows = []
    for case, kind, make in CASES:
        calls = {"torch": make(torch), "ours": make(mt)}
        for fn in calls.values():  # compile, allocate, warm the caches
            fn()
            fn()
        spent: dict[str, list[float]] = {"torch": [], "ours": []}
        for _ in range(repeats):
            for name, fn in calls.items():
                start = time.process_time()
                fn()
                spent[name].append(time.process_time() - start)
        t, o = (float(np.median(spent[k]) * 1e3) for k in ("torch", "ours"))
        rows.append({"case": case, "pass": kind, "torch_ms": t, "ours_ms": o, "ratio": t / o})
    return rows


def main() -> None:
    if "--cpu-time" in sys.argv[1:]:
        print("one thread each, CPU ms per call (median), ratio = torch / ours")
        for r in cpu_time_rows():
            print(
                f"{r['case']:50} {r['pass']:20} torch {r['torch_ms']:8.2f}  ours {r['ours_ms']:8.2f}  {r['ratio']:.2f}x"
            )
        return
    rows = run()
    lines = [
        "# Sequence models: minitorch_nn vs torch CPU",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; both engines on {THREADS} threads; float32; "
        f"median of {ROUNDS} interleaved rounds of 7 runs, each after 50 ms of warm-up runs. "
        "ratio = torch / ours (>1: ours faster). "
        f"Load average {os.getloadavg()[0]:.2f} when the table was written (others share this machine).",
        "Command: `python benchmarks/bench_seq.py`.",
        blas_note(),
        "",
        "| case | pass | torch ms | ours ms | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['case']} | {r['pass']} | {r['torch_ms']:.2f} | {r['ours_ms']:.2f} | {r['ratio']:.2f}x |" for r in rows
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "seq.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
