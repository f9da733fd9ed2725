"""`minitorch-nn explain`: the autograd graph of a model's loss, and a step-by-step trace of backward."""

from __future__ import annotations

import argparse
import html
import os
from typing import Any

import minitorch_nn

from ..models import CHANNELS, MODELS, build


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "explain",
        description=__doc__.split("\n\n")[0],
        help="print the grad_fn graph of a model's loss and trace its backward pass",
    )
    p.add_argument("--model", choices=MODELS, default="lenet")
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--svg", default=None, help="where to write the graph picture (default runs/explain/<model>.svg)")
    p.set_defaults(run=run)


def node_label(node: Any, names: dict[int, str]) -> str:
    """The node's torch name; an AccumulateGrad also names the parameter whose .grad it fills."""
    leaf = getattr(node, "variable", None)
    if leaf is not None:
        return f"{node.name()} ({names.get(id(leaf), 'leaf')})"
    return node.name()


def graph_lines(node: Any, names: dict[int, str], depth: int = 0, seen: set | None = None) -> list[str]:
    """The grad_fn tree, indented, with shared nodes shown once."""
    seen = set() if seen is None else seen
    if node is None:
        return []
    label = node_label(node, names)
    if id(node) in seen:
        return ["  " * depth + label + " (shown above)"]
    seen.add(id(node))
    lines = ["  " * depth + label]
    for nxt, _ in node.next_functions:
        lines += graph_lines(nxt, names, depth + 1, seen)
    return lines


def write_svg(root: Any, path: str, names: dict[int, str]) -> None:
    """A layered drawing: the loss node on top, each next_functions edge one level down.

    Arrows point the way gradients flow in backward (from the loss towards the
    leaves); AccumulateGrad nodes, which fill a parameter's .grad, are green.
    """
    levels: dict[int, int] = {}
    order: list[Any] = []
    queue = [(root, 0)]
    while queue:  # breadth first: a node sits on the level where it is first reached
        node, depth = queue.pop(0)
        if id(node) in levels:
            continue
        levels[id(node)] = depth
        order.append(node)
        queue += [(n, depth + 1) for n, _ in node.next_functions if n is not None]
    rows: dict[int, list[Any]] = {}
    for n in order:
        rows.setdefault(levels[id(n)], []).append(n)
    labels = {id(n): html.escape(node_label(n, names).replace("torch::autograd::", "")) for n in order}
    box = int(7.3 * max(len(v) for v in labels.values())) + 16
    step_x, step_y = box + 24, 64
    pos = {
        id(n): (12 + box // 2 + i * step_x, 30 + depth * step_y) for depth, ns in rows.items() for i, n in enumerate(ns)
    }
    width = step_x * max(len(v) for v in rows.values()) + 12
    height = step_y * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="monospace" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>',
    ]
    for n in order:
        x, y = pos[id(n)]
        for m, _ in n.next_functions:
            if m is not None:
                x2, y2 = pos[id(m)]
                parts.append(
                    f'<line x1="{x}" y1="{y + 12}" x2="{x2}" y2="{y2 - 12}" stroke="#888" marker-end="url(#arrow)"/>'
                )
    for n in order:
        x, y = pos[id(n)]
        leaf = getattr(n, "variable", None) is not None
        fill, stroke = ("#e6f5e6", "#393") if leaf else ("#eef", "#449")
        parts.append(
            f'<rect x="{x - box // 2}" y="{y - 12}" width="{box}" height="24" rx="5" fill="{fill}" stroke="{stroke}"/>'
        )
        parts.append(f'<text x="{x}" y="{y + 4}" text-anchor="middle">{labels[id(n)]}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def run(args: argparse.Namespace) -> int:
    lib = minitorch_nn
    lib.manual_seed(0)
    channels = CHANNELS[args.model]
    model = build(args.model, lib, in_channels=channels)
    x = lib.randn(args.batch_size, channels, 32, 32)
    target = lib.randint(0, 10, (args.batch_size,))
    loss = lib.nn.CrossEntropyLoss()(model(x), target)
    print(f"loss = {loss}\n\nautograd graph (loss.grad_fn and its next_functions):")
    names = {id(p): k for k, p in model.named_parameters()}
    print("\n".join(graph_lines(loss.grad_fn, names)))
    svg = args.svg or os.path.join("runs", "explain", f"{args.model}.svg")
    os.makedirs(os.path.dirname(svg) or ".", exist_ok=True)
    write_svg(loss.grad_fn, svg, names)
    print(f"\n(graph picture: {svg})\n\nbackward pass, node by node in the order the engine runs them:")
    with lib.autograd.trace(dict(model.named_parameters())) as t:
        loss.backward()
    print(t.format())
    return 0
