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
    p.add_argument(
        "--model", choices=["lenet", "cifar", "mlp"], default=None, help="walk one training step's graphs instead"
    )
    p.add_argument("--rtol", type=float, default=1e-4, help="tolerance of the --model walk (float32)")
    p.set_defaults(run=run)


def _nodes_in_order(root: Any) -> list[Any]:
    """Depth-first order from the loss node: the same order in both engines when the graphs match."""
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(n for n, _ in reversed(node.next_functions))
    return order


def _record_gradients(nodes: list[Any]) -> dict[int, list[Any]]:
    """Hook every node; store the gradients it receives (its outputs' gradients) as arrays."""
    received: dict[int, list[Any]] = {}
    for node in nodes:

        def hook(grad_inputs: Any, grad_outputs: Any, key: int = id(node)) -> None:
            received[key] = [
                None if g is None else np.array(g.detach().cpu().numpy() if hasattr(g, "cpu") else g.numpy())
                for g in grad_outputs
            ]

        node.register_hook(hook)
    return received


def check_model(name: str, rtol: float) -> int:
    """One training step of model ``name`` in both engines from the same weights; first diverging node."""
    import torch

    import minitorch_nn as mt
    from reference.bridge import copy_weights_from_torch

    from ..models import build

    channels = 3 if name == "cifar" else 1
    theirs, ours = build(name, torch, channels), build(name, mt, channels)
    copy_weights_from_torch(ours, theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, channels, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 4)
    losses, orders, grads = [], [], []
    for lib, model in ((mt, ours), (torch, theirs)):
        loss = lib.nn.CrossEntropyLoss()(model(lib.tensor(x)), lib.tensor(y))
        nodes = _nodes_in_order(loss.grad_fn)
        received = _record_gradients(nodes)
        loss.backward()
        losses.append(loss.item())
        orders.append(nodes)
        grads.append(received)
    print(f"loss: minitorch {losses[0]:.6f}, torch {losses[1]:.6f}")
    if [n.name() for n in orders[0]] != [n.name() for n in orders[1]]:
        print("the two graphs differ in shape or node names; compare with `minitorch-nn explain`")
        return 1
    for i, (o, t) in enumerate(zip(*orders)):
        for k, (a, b) in enumerate(zip(grads[0].get(id(o), []), grads[1].get(id(t), []))):
            if a is None or b is None:
                continue
            err = np.abs(a - b)
            bound = rtol * np.abs(b) + rtol * max(np.abs(b).max(), 1e-30)
            if np.any(err > bound):
                worst = np.unravel_index(int(np.argmax(err)), err.shape)
                print(
                    f"first divergence at node {i} {o.name()} (gradient {k}): worst element {tuple(int(v) for v in worst)}, "
                    f"ours {a[worst]:.6g} torch {b[worst]:.6g}, abs error {err[worst]:.3g}"
                )
                return 1
    print(f"{len(orders[0])} nodes walked side by side: no gradient diverges beyond rtol {rtol:g}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.model:
        try:
            return check_model(args.model, args.rtol)
        except ImportError as error:
            raise SystemExit(f"check needs torch ({error}): pip install 'minitorch-nn[test]'") from error
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
