"""`minitorch-nn bench`: the benchmark suites in benchmarks/ as one ratio table, JSON and a bar chart.

Each ``benchmarks/bench_<suite>.py`` exposes ``run(repeats) -> list[dict]``
(rows with case, pass, torch_ms, ours_ms, ratio = torch_ms / ours_ms, and
torch_cuda_ms for the CUDA suite) and a ``THREADS`` constant that both engines
are pinned to; this command sets it, runs the suites side by side in one
process, prints the table and writes ``bench.json`` and ``bench.png``.

The suites live in the repository, not in the installed package: bench runs
from a checkout (an editable install finds it; otherwise run it from the
repository root). torch is imported by the suites only, never by minitorch_nn.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from . import INSTALL_TORCH

SUITES_ORDER = ("conv", "pooling", "step", "memory", "seq", "coldstart", "cuda")


def _benchmarks_folder() -> Path | None:
    """benchmarks/ of the checkout this package was installed from, or of the current folder."""
    for root in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (root / "benchmarks").is_dir() and any((root / "benchmarks").glob("bench_*.py")):
            return root / "benchmarks"
    return None


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "bench",
        description=__doc__.split("\n\n")[0],
        help="time our kernels and training step against torch (ratio = torch / ours)",
    )
    p.add_argument("--repeats", type=int, default=7, help="timed runs per measurement (the median is kept)")
    p.add_argument(
        "--only", default=None, help="comma-separated suites: conv, pooling, step, memory, seq, coldstart (and cuda)"
    )
    p.add_argument("--threads", type=int, default=2, help="threads for both engines (default 2)")
    p.add_argument("--out", default=None, help="folder for bench.json and bench.png (default benchmarks/results)")
    p.add_argument(
        "--device", choices=["cpu", "cuda"], default="cpu", help="cuda adds torch CUDA timings (GPU machine)"
    )
    p.set_defaults(run=run)


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def machine(threads: int, device: str) -> dict[str, Any]:
    """What the numbers were measured on."""
    import numba
    import numpy
    import torch

    info = {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "threads": threads,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "torch": torch.__version__,
    }
    if device == "cuda":
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def format_table(rows: list[dict]) -> str:
    cuda = any("torch_cuda_ms" in r for r in rows)
    head = f"{'suite':8} {'case':50} {'pass':18} {'torch ms':>10} {'ours ms':>10} {'ratio':>7}"
    ours_cuda = any("ours_cuda_ms" in r for r in rows)  # our CUDA engine's times (bench_cuda.py on a GPU)
    lines = [head + (f" {'torch cuda ms':>14}" if cuda else "") + (f" {'ours cuda ms':>13}" if ours_cuda else "")]
    for r in rows:
        line = (
            f"{r['suite']:8} {str(r.get('case')):50} {str(r.get('pass', '')):18} "
            f"{r['torch_ms']:10.3f} {r['ours_ms']:10.3f} {r['ratio']:6.2f}x"
        )
        if cuda:
            line += f" {r['torch_cuda_ms']:14.3f}" if "torch_cuda_ms" in r else f" {'':>14}"
        if ours_cuda:
            line += f" {r['ours_cuda_ms']:13.3f}" if "ours_cuda_ms" in r else f" {'':>13}"
        lines.append(line)
    return "\n".join(lines)


def plot(rows: list[dict], info: dict[str, Any], path: str) -> str | None:
    """Horizontal bars of torch_time / our_time per case (log scale; right of 1 means we are faster),
    and, for the CUDA rows, a second panel of milliseconds: torch CPU, ours (CPU) and torch CUDA."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return None
    cpu_rows = [r for r in rows if "torch_cuda_ms" not in r] or rows
    cuda_rows = [r for r in rows if "torch_cuda_ms" in r]
    heights = [0.32 * len(cpu_rows) + 1.2] + ([0.5 * len(cuda_rows) + 1.2] if cuda_rows else [])
    fig, axes = plt.subplots(len(heights), 1, figsize=(10, sum(heights)), gridspec_kw={"height_ratios": heights})
    axes = list(axes) if cuda_rows else [axes]
    ax = axes[0]
    labels = [f"{r['suite']}: {r.get('case')} ({r.get('pass', '')})" for r in cpu_rows]
    ratios = [r["ratio"] for r in cpu_rows]
    ax.barh(range(len(cpu_rows)), ratios, color=["tab:green" if v >= 1 else "tab:orange" for v in ratios])
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    low, high = min(min(ratios), 1.0) / 1.4, max(max(ratios), 1.0) * 1.4
    ax.set_xlim(low, high)
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}x" for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(range(len(cpu_rows)), labels, fontsize=8)
    ax.invert_yaxis()
    for i, v in enumerate(ratios):
        ax.text(v, i, f" {v:.2f}x", va="center", fontsize=8)
    ax.set_xlabel("torch time / minitorch_nn time (> 1: minitorch_nn faster)")
    where = f"{info['cpu']}, {info['cores']} cores, both engines on {info['threads']} threads"
    ax.set_title(f"minitorch_nn vs torch {info['torch']} CPU ({where})", fontsize=9)
    if cuda_rows:
        ax = axes[1]
        width = 0.27
        series = (("torch CPU", "torch_ms", "tab:blue"), ("minitorch_nn CPU", "ours_ms", "tab:green"))
        series += (("torch CUDA", "torch_cuda_ms", "tab:purple"),)
        for k, (name, key, color) in enumerate(series):
            ax.barh(
                [i + (k - 1) * width for i in range(len(cuda_rows))],
                [r[key] for r in cuda_rows],
                width,
                label=name,
                color=color,
            )
        ax.set_xscale("log")
        ax.set_yticks(range(len(cuda_rows)), [str(r.get("case")) for r in cuda_rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("milliseconds (log scale; shorter is faster)")
        ax.set_title(f"on the GPU: {info.get('gpu', 'CUDA')}", fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run(args: argparse.Namespace) -> int:
    folder = _benchmarks_folder()
    if folder is None:
        raise SystemExit("no benchmarks/bench_*.py found: run bench from a checkout of the repository")
    try:
        import torch
    except ImportError as error:
        raise SystemExit(f"bench compares with PyTorch, which is not installed: {INSTALL_TORCH}") from error
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device on this machine")
    suites = {p.stem.removeprefix("bench_"): p for p in folder.glob("bench_*.py")}
    suites = {k: suites[k] for k in sorted(suites, key=lambda k: (SUITES_ORDER + (k,)).index(k))}
    if args.device != "cuda":
        suites.pop("cuda", None)  # the GPU suite only where asked for
    if args.only:
        wanted = args.only.split(",")
        unknown = sorted(set(wanted) - set(suites))
        if unknown:
            raise SystemExit(f"unknown suite(s) {', '.join(unknown)}; available: {', '.join(suites)}")
        suites = {k: v for k, v in suites.items() if k in wanted}
    info = machine(args.threads, args.device)
    print(
        f"benchmarks on {info['cpu']} ({info['cores']} cores), both engines on {args.threads} threads, float32, "
        f"median of {args.repeats} runs; ratio = torch time / our time (> 1: ours faster)"
    )
    rows: list[dict] = []
    failed = []
    for name, path in suites.items():
        started = time.perf_counter()
        try:
            module = _load(name, path)
            if hasattr(module, "THREADS"):
                module.THREADS = args.threads
            rows += [{"suite": name, **row} for row in module.run(args.repeats)]
        except Exception as error:  # one broken suite should not hide the others' numbers
            failed.append(name)
            print(f"suite {name} failed: {type(error).__name__}: {error}")
            continue
        print(f"suite {name}: {time.perf_counter() - started:.1f} s")
    print(format_table(rows))
    out = args.out or str(folder / "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump({"machine": info, "rows": rows}, f, indent=1)
    figure = plot(rows, info, os.path.join(out, "bench.png")) if rows else None
    print(f"results: {os.path.join(out, 'bench.json')}" + (f", {figure}" if figure else ""))
    return 1 if failed else 0
