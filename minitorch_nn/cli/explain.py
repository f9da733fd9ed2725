"""`minitorch-nn explain`: the autograd graph of a model's loss, and a step-by-step trace of backward."""

from __future__ import annotations

import argparse
from typing import Any

import minitorch_nn

from ..models import CHANNELS, MODELS, build


def add_parser(commands: Any) -> None:
    p = commands.add_parser("explain", help="print the grad_fn graph of a model's loss and trace its backward pass")
    p.add_argument("--model", choices=MODELS, default="lenet")
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--svg", default="graph.svg", help="where to write the graph picture")
    p.set_defaults(run=run)


def graph_lines(node: Any, depth: int = 0, seen: set | None = None) -> list[str]:
    """The grad_fn tree, indented, with shared nodes shown once."""
    seen = set() if seen is None else seen
    if node is None:
        return []
    label = node.name()
    if id(node) in seen:
        return ["  " * depth + label + " (shown above)"]
    seen.add(id(node))
    lines = ["  " * depth + label]
    for nxt, _ in node.next_functions:
        lines += graph_lines(nxt, depth + 1, seen)
    return lines


def write_svg(root: Any, path: str) -> None:
    """A layered drawing: the loss node on top, each next_functions edge one level down."""
    levels: dict[int, int] = {}
    order: list[Any] = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop(0)
        if id(node) in levels:
            continue
        levels[id(node)] = depth
        order.append(node)
        stack += [(n, depth + 1) for n, _ in node.next_functions if n is not None]
    rows: dict[int, list[Any]] = {}
    for n in order:
        rows.setdefault(levels[id(n)], []).append(n)
    pos = {}
    for depth, nodes in rows.items():
        for i, n in enumerate(nodes):
            pos[id(n)] = (110 + i * 230, 40 + depth * 70)
    width = 230 * max(len(v) for v in rows.values()) + 40
    height = 70 * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="12">'
    ]
    for n in order:
        x, y = pos[id(n)]
        for m, _ in n.next_functions:
            if m is not None:
                x2, y2 = pos[id(m)]
                parts.append(f'<line x1="{x}" y1="{y + 12}" x2="{x2}" y2="{y2 - 12}" stroke="#888"/>')
    for n in order:
        x, y = pos[id(n)]
        name = n.name().replace("torch::autograd::", "")
        parts.append(f'<rect x="{x - 105}" y="{y - 12}" width="210" height="24" rx="5" fill="#eef" stroke="#449"/>')
        parts.append(f'<text x="{x}" y="{y + 4}" text-anchor="middle">{name}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def run(args: argparse.Namespace) -> int:
    lib = minitorch_nn
    lib.manual_seed(0)
    channels = CHANNELS[args.model]
    model = build(args.model, lib, in_channels=channels)
    x = lib.randn(args.batch_size, channels, 32, 32)
    target = lib.randint(0, 10, (args.batch_size,))
    loss = lib.nn.CrossEntropyLoss()(model(x), target)
    print(f"loss = {loss}\n\nautograd graph (loss.grad_fn and its next_functions):")
    print("\n".join(graph_lines(loss.grad_fn)))
    write_svg(loss.grad_fn, args.svg)
    print(f"\n(graph picture: {args.svg})\n\nbackward pass, node by node in the order the engine runs them:")
    with lib.autograd.trace(dict(model.named_parameters())) as t:
        loss.backward()
    print(t.format())
    return 0
