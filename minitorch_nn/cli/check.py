"""`minitorch-nn check`: every registered op against torch, one row each; exit 1 on any failure.
With --model, one training step of a seed or text model in both engines, graphs walked side by side.

The op table draws seeded samples from each OpInfo's hypothesis strategy
(reference/registry/), runs them through ``reference.compare`` in float64 and
float32, and prints the largest absolute / relative error of every output and
every input gradient with the op's tolerance. torch is imported inside the
functions only (minitorch_nn itself never imports it).
"""

from __future__ import annotations

import argparse
import warnings
from typing import Any

import numpy as np

from ..models import CHANNELS, MODELS, TEXT_MODELS, build, build_text
from . import INSTALL_TORCH


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "check",
        description=__doc__.split("\n\n")[0],
        help="compare every op with torch: max abs/rel error of output and gradients",
    )
    p.add_argument("--only", default=None, help="comma-separated op names")
    p.add_argument("--samples", type=int, default=4, help="random samples per op (each run in float64 and float32)")
    p.add_argument("--seed", type=int, default=0, help="seed of the drawn samples (same seed, same samples)")
    p.add_argument(
        "--model", choices=MODELS + TEXT_MODELS, default=None, help="walk one training step's graphs instead"
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


def _as_array(g: Any) -> np.ndarray | None:
    return None if g is None else np.array(g.detach().cpu().numpy() if hasattr(g, "cpu") else g.numpy())


def _record_gradients(nodes: list[Any]) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Hook every node; keep, as arrays, the gradients it receives (its outputs' gradients) and the ones
    its backward sends on (one per entry of its ``next_functions``)."""
    received: dict[int, list[Any]] = {}
    sent: dict[int, list[Any]] = {}
    for node in nodes:

        def hook(grad_inputs: Any, grad_outputs: Any, key: int = id(node)) -> None:
            received[key] = [_as_array(g) for g in grad_outputs]
            sent[key] = [_as_array(g) for g in grad_inputs]

        node.register_hook(hook)
    return received, sent


def _divergence(ours: np.ndarray, theirs: np.ndarray, rtol: float) -> tuple[bool, tuple[int, ...], float, float]:
    """Whether ``ours`` strays from ``theirs`` beyond ``rtol`` (relative to each element and to the
    tensor's largest magnitude, so tiny entries do not fail on rounding), the worst element, and the
    largest absolute and relative (to the tensor's largest magnitude) errors."""
    err = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
    if err.size == 0:
        return False, (), 0.0, 0.0
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    scale = max(float(np.abs(theirs).max()), 1e-30)
    bound = rtol * np.abs(theirs) + rtol * scale
    return bool(np.any(err > bound)), tuple(int(v) for v in worst), float(err[worst]), float(err[worst]) / scale


TEXT_VOCAB, TEXT_TIME = 16, 16  # the --model walk of a text model: 16 characters, windows of 16


def _twin_models(name: str, batch: int) -> tuple[Any, Any, Any]:
    """Model ``name`` in both engines with torch's seeded weights, and ``loss(lib, model)``: one
    training step's loss on the same seeded batch (images and labels, or characters and the next ones)."""
    import torch

    import minitorch_nn as mt
    from reference.bridge import copy_weights_from_torch

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    if name in TEXT_MODELS:
        block = 2 * TEXT_TIME
        theirs, ours = build_text(name, torch, TEXT_VOCAB, block), build_text(name, mt, TEXT_VOCAB, block)
        x = rng.integers(0, TEXT_VOCAB, (batch, TEXT_TIME))
        y = rng.integers(0, TEXT_VOCAB, (batch, TEXT_TIME))

        def loss(lib: Any, model: Any) -> Any:
            logits = model(lib.tensor(x))
            return lib.nn.CrossEntropyLoss()(logits.reshape(-1, TEXT_VOCAB), lib.tensor(y).reshape(-1))

    else:
        channels = CHANNELS[name]
        theirs, ours = build(name, torch, channels), build(name, mt, channels)
        x = rng.standard_normal((batch, channels, 32, 32)).astype(np.float32)
        y = rng.integers(0, 10, batch)

        def loss(lib: Any, model: Any) -> Any:
            return lib.nn.CrossEntropyLoss()(model(lib.tensor(x)), lib.tensor(y))

    copy_weights_from_torch(ours, theirs)
    return ours, theirs, loss


def check_model(name: str, rtol: float, batch: int = 4) -> int:
    """One training step of model ``name`` (a seed model or a text model) in both engines from the same weights.

    Both graphs are walked in the same depth-first order from the loss node and
    their node names compared; every node gets a hook (``Node.register_hook`` in
    both engines) that keeps the gradients it receives and the ones its backward
    sends to each of its inputs. The first node whose received gradients agree
    with torch's but whose sent ones do not is the backward that went wrong: it
    is named with its position, the input it sent the wrong gradient to, and the
    largest absolute and relative errors. Then every parameter's ``.grad`` is
    compared, one SGD step is taken in both engines and the updated weights
    compared. Returns 1 at the first divergence, 0 when everything agrees.
    """
    import torch

    import minitorch_nn as mt

    ours, theirs, make_loss = _twin_models(name, batch)
    losses, orders, received, sent = [], [], [], []
    for lib, model in ((mt, ours), (torch, theirs)):
        loss = make_loss(lib, model)
        nodes = _nodes_in_order(loss.grad_fn)
        got, gave = _record_gradients(nodes)
        loss.backward()
        losses.append(loss.item())
        orders.append(nodes)
        received.append(got)
        sent.append(gave)
    print(f"{name}: one training step on a batch of {batch}, the same weights in both engines")
    print(f"loss: minitorch {losses[0]:.7f}, torch {losses[1]:.7f}")
    ours_names, their_names = [n.name() for n in orders[0]], [n.name() for n in orders[1]]
    if ours_names != their_names:
        at = next((i for i, (a, b) in enumerate(zip(ours_names, their_names)) if a != b), min(map(len, orders)))
        print(
            f"the graphs differ at node {at}: minitorch {ours_names[at : at + 1]}, torch {their_names[at : at + 1]} "
            "(see `minitorch-nn explain`)"
        )
        return 1
    names = {id(p): k for k, p in ours.named_parameters()}
    position = {id(node): i for i, node in enumerate(orders[0])}
    their_position = {id(node): i for i, node in enumerate(orders[1])}

    def label(node: Any) -> str:
        leaf = getattr(node, "variable", None)
        return f"AccumulateGrad ({names.get(id(leaf), '?')})" if leaf is not None else node.name()

    def sent_by_target(node: Any, gradients: list[Any], where: dict[int, int]) -> dict[tuple, Any]:
        """The gradients a node sent, keyed by (walk position of the input node, its output slot, repeat):
        the engines may order a node's inputs differently (torch's fused LSTM does), the walk does not."""
        keyed: dict[tuple, Any] = {}
        for (nxt, nr), g in zip(node.next_functions, gradients):
            if nxt is not None and g is not None:
                key = (where[id(nxt)], nr)
                repeat = sum(1 for k in keyed if k[:2] == key)
                keyed[(*key, repeat)] = g
        return keyed

    senders: dict[int, list[str]] = {}  # node -> the nodes whose backward sends it its gradient
    for i, node in enumerate(orders[0]):
        for nxt, _ in node.next_functions:
            if nxt is not None:
                senders.setdefault(id(nxt), []).append(f"node {i} {label(node)}")
    print(f"{'#':>3} {'node':34} {'received gradient':24} {'max abs err':>11} {'max rel err':>11}")
    first_received = None  # the first node that received a diverging gradient, if no backward is to blame
    for i, (o, t) in enumerate(zip(*orders)):
        received_ok = True
        for k, (a, b) in enumerate(zip(received[0].get(id(o), []), received[1].get(id(t), []))):
            if a is None or b is None:
                continue
            bad, worst, err, rel = _divergence(a, b, rtol)
            print(f"{i:3} {label(o):34} {f'grad[{k}] {list(a.shape)}':24} {err:11.2e} {rel:11.2e}")
            if bad:
                received_ok = False
                if first_received is None:
                    first_received = (i, o, k, worst, a, b, err, rel)
        if not received_ok:
            continue
        mine = sent_by_target(o, sent[0].get(id(o), []), position)
        other = sent_by_target(t, sent[1].get(id(t), []), their_position)
        for key in sorted(set(mine) & set(other)):
            a, b = mine[key], other[key]
            if a.shape != b.shape:
                bad, worst, err, rel = True, (), float("inf"), float("inf")
            else:
                bad, worst, err, rel = _divergence(a, b, rtol)
            if bad:
                target = orders[0][key[0]]
                print(
                    f"first divergence at node {i} {label(o)}: the gradients it receives agree with torch's, "
                    f"the gradient it sends to node {key[0]} {label(target)} does not: "
                    f"max abs error {err:.3g}, max rel error {rel:.3g} (rtol {rtol:g})"
                )
                if worst:
                    print(f"worst element {worst}: minitorch {a[worst]:.7g}, torch {b[worst]:.7g}")
                else:
                    print(f"shapes: minitorch {list(a.shape)}, torch {list(b.shape)}")
                print(f"look at {o.name()}'s backward")
                return 1
    if first_received is not None:
        i, o, k, worst, a, b, err, rel = first_received
        print(
            f"first divergence at node {i} {label(o)} (gradient {k}): worst element {worst}, "
            f"minitorch {a[worst]:.7g}, torch {b[worst]:.7g}, max abs error {err:.3g}, max rel error {rel:.3g} "
            f"(rtol {rtol:g})"
        )
        print(f"it was sent by {', '.join(senders.get(id(o), ['the loss']))}: look at that backward first")
        return 1
    print(f"{len(orders[0])} nodes walked side by side: no gradient diverges beyond rtol {rtol:g}")
    their_params = dict(theirs.named_parameters())
    for key, p in ours.named_parameters():
        q = their_params[key]
        if (p.grad is None) != (q.grad is None):
            print(
                f"{key}.grad: minitorch {'None' if p.grad is None else 'set'}, torch {'None' if q.grad is None else 'set'}"
            )
            return 1
        if p.grad is None:
            continue
        bad, worst, err, rel = _divergence(p.grad.numpy(), q.grad.numpy(), rtol)
        if bad:
            print(
                f"{key}.grad diverges: worst element {worst}, max abs error {err:.3g}, max rel error {rel:.3g} "
                f"(rtol {rtol:g})"
            )
            return 1
    print(f"every parameter's gradient agrees ({len(their_params)} parameters)")
    for lib, model in ((mt, ours), (torch, theirs)):
        lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9).step()
    for key, p in ours.named_parameters():
        bad, worst, err, _ = _divergence(p.detach().numpy(), their_params[key].detach().numpy(), rtol)
        if bad:
            print(f"after the SGD step, {key} diverges: worst element {worst}, abs error {err:.3g}")
            return 1
    print("after one SGD step (lr 0.1, momentum 0.9) every parameter still agrees")
    return 0


def draw_samples(strategy: Any, count: int, seed: int) -> list[Any]:
    """``count`` samples from a hypothesis strategy, the same ones for the same ``seed``."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    drawn: list[Any] = []

    @seeded(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(sample: Any) -> None:
        drawn.append(sample)

    collect()
    return drawn[:count]


def _cell(label: str, abs_err: float, rel_err: float) -> str:
    return f"{label} {abs_err:.1e}/{rel_err:.1e}"


def run(args: argparse.Namespace) -> int:
    if args.model:
        try:
            return check_model(args.model, args.rtol)
        except ImportError as error:
            raise SystemExit(f"check --model needs torch ({error}): {INSTALL_TORCH}") from error
    try:
        import torch  # noqa: F401

        from reference.compare import DEFAULT_TOLERANCES, compare
        from reference.registry import all_ops
    except ImportError as error:
        raise SystemExit(f"check needs torch and hypothesis ({error}): {INSTALL_TORCH}") from error
    ops = all_ops()
    if args.only:
        wanted = args.only.split(",")
        unknown = sorted(set(wanted) - {o.name for o in ops})
        if unknown:
            raise SystemExit(f"unknown op(s) {', '.join(unknown)}; known: {', '.join(o.name for o in ops)}")
        ops = [o for o in ops if o.name in wanted]
    print(
        f"every op against torch on {args.samples} random samples per dtype (seed {args.seed}); "
        "each cell: max abs / max rel error over the samples"
    )
    print(f"{'op':28} {'dtype':8} {'rtol/atol':15} {'result':6} output and gradient errors")
    failures = rows = 0
    for info in ops:
        samples = draw_samples(info.sample(), args.samples, args.seed)
        for dtype in (np.float64, np.float32):
            worst: dict[str, list[float]] = {}  # label -> [abs, rel, ok]
            crash = ""
            for sample in samples:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        report = compare(info.call, sample, dtype, info.tolerances)
                except Exception as error:  # a raising op is a failed row, not the end of the table
                    crash = f"  raised {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                    break
                for e in report.errors:
                    w = worst.setdefault(e.label, [0.0, 0.0, True])
                    w[0], w[1], w[2] = max(w[0], e.max_abs), max(w[1], e.max_rel), w[2] and e.ok
            ok = not crash and all(w[2] for w in worst.values())
            rows += 1
            failures += not ok
            rtol, atol = (info.tolerances or DEFAULT_TOLERANCES).get(
                np.dtype(dtype), DEFAULT_TOLERANCES[np.dtype(dtype)]
            )
            cells = "  ".join(_cell(k + ("" if w[2] else " FAIL"), w[0], w[1]) for k, w in worst.items()) + crash
            print(
                f"{info.name:28} {np.dtype(dtype).name:8} {f'{rtol:g}/{atol:g}':15} {'ok' if ok else 'FAIL':6} {cells}"
            )
    print(f"{rows - failures} passed, {failures} failed")
    return 1 if failures else 0
