"""`minitorch-nn check`: every registered op against torch, one row each; exit 1 on any failure."""

from __future__ import annotations

import argparse
import warnings
from typing import Any

import numpy as np


def add_parser(commands: Any) -> None:
    p = commands.add_parser("check", help="compare every op with torch: max abs/rel error of output and gradients")
    p.add_argument("--only", default=None, help="comma-separated op names")
    p.add_argument("--samples", type=int, default=3, help="random samples per op and dtype")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import torch  # noqa: F401
        from hypothesis.errors import NonInteractiveExampleWarning

        from reference.compare import DEFAULT_TOLERANCES, compare
        from reference.registry import all_ops
    except ImportError as error:
        raise SystemExit(f"check needs torch and hypothesis ({error}): pip install 'minitorch-nn[test]'") from error
    ops = all_ops()
    if args.only:
        wanted = set(args.only.split(","))
        ops = [o for o in ops if o.name in wanted]
    print(f"{'op':34} {'dtype':8} {'worst':22} {'abs err':>10} {'rel err':>10}  result")
    failures = 0
    for info in ops:
        for dtype in (np.float64, np.float32):
            worst_abs, worst_rel, label, ok = 0.0, 0.0, "-", True
            for _ in range(args.samples):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
                    warnings.simplefilter("ignore", UserWarning)
                    sample = info.sample().example()
                report = compare(info.call, sample, dtype, info.tolerances)
                ok &= report.ok
                w = report.worst()
                if w and w.max_abs >= worst_abs:
                    worst_abs, worst_rel, label = w.max_abs, w.max_rel, w.label
            failures += not ok
            rtol, atol = (info.tolerances or DEFAULT_TOLERANCES).get(
                np.dtype(dtype), DEFAULT_TOLERANCES[np.dtype(dtype)]
            )
            print(
                f"{info.name:34} {np.dtype(dtype).name:8} {label:22} {worst_abs:10.2e} {worst_rel:10.2e}  {'ok' if ok else 'FAIL'} (rtol {rtol:g})"
            )
    print(f"{len(ops) * 2 - failures} passed, {failures} failed")
    return 1 if failures else 0
