"""`minitorch-nn bench`: the benchmark suites in benchmarks/ as one ratio table, JSON and a bar chart.

Each ``benchmarks/bench_<suite>.py`` exposes ``run(repeats) -> list[dict]``
(rows with case, pass, torch_ms, ours_ms, ratio = torch_ms / ours_ms, the kernel
path where it has one, and torch_cuda_ms for the CUDA suite; a ``progress``
argument, where a suite takes one, gets a line per case) and a ``THREADS``
constant that both engines are pinned to; this command sets it, runs the suites
in SUITES order side by side in one process, prints a progress line per case,
the table and a summary of the CPU (model, vector width and kernel path, cores,
threads, NumPy's and torch's BLAS kernels), and writes ``bench.json`` and
``bench.png``. ``--emulate avx2`` runs it all again in a child process held to
AVX2 (kernels/cpu/cpu_info.py's AVX2_EMULATION_ENV: Numba, torch, oneDNN, MKL and
OpenBLAS), which the summary and the JSON say.

The suites live in the repository, not in the installed package: bench runs
from a checkout (an editable install finds it; otherwise run it from the
repository root). torch is imported by the suites only, never by minitorch_nn.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..kernels.cpu import cpu_info
from . import INSTALL_TORCH

# The suites in the order they run (benchmarks/bench_<name>.py), one a line; others found run last.
SUITES = (
    "conv",
    "pooling",
    "step",
    "models",
    "memory",
    "seq",
    "coldstart",
    "cuda",
)


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
    p.add_argument("--only", default=None, help=f"comma-separated suites: {', '.join(SUITES)}")
    p.add_argument("--threads", type=int, default=2, help="threads for both engines (default 2)")
    p.add_argument("--out", default=None, help="folder for bench.json and bench.png (default benchmarks/results)")
    p.add_argument(
        "--device", choices=["cpu", "cuda"], default="cpu", help="cuda adds torch CUDA timings (GPU machine)"
    )
    p.add_argument(
        "--emulate",
        choices=["avx2"],
        default=None,
        help="run in a child process held to AVX2 (Numba, torch, oneDNN, MKL, OpenBLAS) on a wider CPU",
    )
    p.set_defaults(run=run)


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def machine(threads: int, device: str) -> dict[str, Any]:
    """What the numbers were measured on: the CPU as the kernels see it, both engines' BLAS, versions."""
    import numba
    import numpy
    import torch

    cpu = cpu_info.describe()
    info = {
        "cpu": cpu["model"],
        "cores": os.cpu_count(),
        "threads": threads,
        "vector": f"{cpu['isa']} ({cpu['vector_bits']}-bit, Numba target {cpu['numba_cpu']})",
        "kernel_path": f"{cpu['path']} (NN tile {cpu['tile']})",
        "emulated_avx2": cpu["emulated_avx2"],
        "caches": {k: f"{v // 1024} KiB" for k, v in cpu["caches"].items()},
        "numpy_blas": _numpy_blas(),
        "torch_cpu": _torch_cpu(torch),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "torch": torch.__version__,
    }
    if device == "cuda":
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _numpy_blas() -> str:
    """NumPy's BLAS as loaded (threadpoolctl: library, version, kernel architecture), else as built."""
    try:
        from threadpoolctl import threadpool_info

        numpy_dir = os.path.dirname(os.path.dirname(np.__file__))
        libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        mine = [i for i in libs if str(i.get("filepath", "")).startswith(numpy_dir + os.sep + "numpy")] or libs
        if mine:
            lib = mine[0]
            forced = os.environ.get("OPENBLAS_CORETYPE")
            how = f", forced by OPENBLAS_CORETYPE={forced}" if forced else ""
            return f"{lib.get('internal_api')} {lib.get('version')}, {lib.get('architecture')} kernels{how}"
    except ImportError:
        pass
    config = np.show_config(mode="dicts") or {}
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')} (as built; threadpoolctl not installed)".strip()


def _torch_cpu(torch: Any) -> str:
    """torch's CPU kernels: ATen's capability and the BLAS in torch.__config__.show()."""
    blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    onednn = ", oneDNN" if torch.backends.mkldnn.is_available() else ""
    return f"{torch.backends.cpu.get_cpu_capability()} kernels, BLAS {blas.group(1) if blas else '?'}{onednn}"


def summary(info: dict[str, Any], rows: list[dict]) -> str:
    """The closing lines: the machine, then how many cases reached 1x."""
    emulated = " (AVX2 EMULATED on a wider CPU)" if info.get("emulated_avx2") else ""
    lines = [
        f"CPU: {info['cpu']}, {info['cores']} cores, {info['threads']} threads for both engines",
        f"vector width: {info['vector']}{emulated}; kernel path {info['kernel_path']}; caches "
        + ", ".join(f"{k} {v}" for k, v in info["caches"].items()),
        f"NumPy BLAS: {info['numpy_blas']}",
        f"torch {info['torch']}: {info['torch_cpu']}",
    ]
    if rows:
        faster = sum(r["ratio"] >= 1 for r in rows)
        lines.append(f"{faster} of {len(rows)} cases at least as fast as torch (ratio >= 1)")
    return "\n".join(lines)


def format_table(rows: list[dict]) -> str:
    cuda = any("torch_cuda_ms" in r for r in rows)
    head = f"{'suite':8} {'case':50} {'pass':18} {'torch ms':>10} {'ours ms':>10} {'ratio':>7}"
    ours_cuda = any("ours_cuda_ms" in r for r in rows)  # our CUDA engine's times (bench_cuda.py on a GPU)
    head += (f" {'torch cuda ms':>14}" if cuda else "") + (f" {'ours cuda ms':>13}" if ours_cuda else "")
    lines = [head + "  path"]
    for r in rows:
        line = (
            f"{r['suite']:8} {str(r.get('case')):50} {str(r.get('pass', '')):18} "
            f"{r['torch_ms']:10.3f} {r['ours_ms']:10.3f} {r['ratio']:6.2f}x"
        )
        if cuda:
            line += f" {r['torch_cuda_ms']:14.3f}" if "torch_cuda_ms" in r else f" {'':>14}"
        if ours_cuda:
            line += f" {r['ours_cuda_ms']:13.3f}" if "ours_cuda_ms" in r else f" {'':>13}"
        lines.append(f"{line}  {r.get('path', '')}".rstrip())
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


def _emulated_child(args: argparse.Namespace) -> int:
    """Run this same command again in a child process under the AVX2 emulation environment."""
    argv = ["bench", "--repeats", str(args.repeats), "--threads", str(args.threads), "--device", args.device]
    argv += ["--only", args.only] if args.only else []
    argv += ["--out", args.out] if args.out else []
    env = dict(os.environ, **cpu_info.AVX2_EMULATION_ENV)
    print("re-running under AVX2 emulation: " + " ".join(f"{k}={v}" for k, v in cpu_info.AVX2_EMULATION_ENV.items()))
    return subprocess.run([sys.executable, "-m", "minitorch_nn", *argv], env=env).returncode


def run(args: argparse.Namespace) -> int:
    if args.emulate:
        return _emulated_child(args)
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
    suites = {k: suites[k] for k in sorted(suites, key=lambda k: (SUITES.index(k) if k in SUITES else len(SUITES), k))}
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
        f"benchmarks on {info['cpu']} ({info['cores']} cores, {info['vector']}), both engines on {args.threads} "
        f"threads, float32, median of {args.repeats} runs; ratio = torch time / our time (> 1: ours faster)",
        flush=True,
    )
    rows: list[dict] = []
    failed = []
    for name, path in suites.items():
        started = time.perf_counter()
        print(f"suite {name}:", flush=True)
        try:
            module = _load(name, path)
            if hasattr(module, "THREADS"):
                module.THREADS = args.threads
            progress = lambda line: print(f"  {line}", flush=True)  # noqa: E731
            takes_progress = "progress" in inspect.signature(module.run).parameters
            found = module.run(args.repeats, progress=progress) if takes_progress else module.run(args.repeats)
            if not takes_progress:
                for row in found:
                    progress(f"{row.get('case')} {row.get('pass', '')}: {row['ratio']:.2f}x")
            rows += [{"suite": name, **row} for row in found]
        except Exception as error:  # one broken suite should not hide the others' numbers
            failed.append(name)
            print(f"suite {name} failed: {type(error).__name__}: {error}")
            continue
        print(f"suite {name}: {time.perf_counter() - started:.1f} s", flush=True)
    print(format_table(rows))
    out = args.out or str(folder / "results")
    os.makedirs(out, exist_ok=True)
    stem = "bench-avx2" if info["emulated_avx2"] else "bench"
    with open(os.path.join(out, f"{stem}.json"), "w") as f:
        json.dump({"machine": info, "rows": rows}, f, indent=1)
    figure = plot(rows, info, os.path.join(out, f"{stem}.png")) if rows else None
    print(summary(info, rows))
    print(f"results: {os.path.join(out, stem + '.json')}" + (f", {figure}" if figure else ""))
    return 1 if failed else 0
