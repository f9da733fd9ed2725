"""`minitorch-nn bench`: the kernel benchmark scripts in benchmarks/, as one table."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def add_parser(commands: Any) -> None:
    p = commands.add_parser("bench", help="time our kernels against torch (ratio = torch time / our time)")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--only", default=None, help="comma-separated suite names (conv, pooling, step)")
    p.add_argument("--out", default=str(BENCHMARKS / "results"))
    p.add_argument(
        "--device", choices=["cpu", "cuda"], default="cpu", help="cuda adds the torch CUDA suite (GPU machine)"
    )
    p.set_defaults(run=run)


def _suites() -> dict[str, Path]:
    return {p.stem.removeprefix("bench_"): p for p in sorted(BENCHMARKS.glob("bench_*.py"))}


def run(args: argparse.Namespace) -> int:
    suites = _suites()
    if not suites:
        raise SystemExit(f"no benchmark scripts in {BENCHMARKS}: bench runs from a checkout of the repository")
    if args.device != "cuda":
        suites.pop("cuda", None)  # the GPU suite only runs where asked for
    if args.only:
        suites = {k: v for k, v in suites.items() if k in args.only.split(",")}
    rows: list[dict] = []
    for name, path in suites.items():
        spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for row in module.run(args.repeats):
            rows.append({"suite": name, **row})
    print(f"{'suite':8} {'case':44} {'pass':18} {'torch ms':>9} {'ours ms':>9} {'ratio':>6}")
    for r in rows:
        print(
            f"{r['suite']:8} {str(r.get('case')):44} {str(r.get('pass')):18} {r['torch_ms']:9.3f} {r['ours_ms']:9.3f} {r['ratio']:6.2f}"
        )
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(rows, f, indent=1)
    return 0
