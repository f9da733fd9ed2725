"""`minitorch-nn explain`: the autograd graph of a model's loss, and a step-by-step trace of backward.

The graph picture (SVG, and with ``--html`` one self-contained page) shows each node's output
shape and, on each edge, the shape and norm of the gradient that flowed along it in the traced
backward; in the page a click on a node shows its Function's docstring (the derivation of its
backward, its ``$...$`` and ``$$...$$`` rendered by KaTeX) and the gradients it received and sent.
KaTeX ships as package data (cli/assets/katex) and is inlined into the page, its fonts as data: URIs,
so the page needs no network and no file beside it. ``--op NAME`` explains one registry op instead:
its derivation (as LaTeX source), then its check against torch on the spot.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.resources
import inspect
import json
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import minitorch_nn

from ..models import CHANNELS, MODELS, build
from . import INSTALL_TORCH
from .check import draw_samples


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "explain",
        description=__doc__.split("\n\n")[0],
        help="print the grad_fn graph of a model's loss and trace its backward pass",
    )
    p.add_argument("--model", choices=MODELS, default="lenet")
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--svg", default=None, help="where to write the graph picture (default runs/explain/<model>.svg)")
    p.add_argument(
        "--html",
        nargs="?",
        const="",
        default=None,
        help="also write one self-contained page of the graph, nodes clickable (default runs/explain/<model>.html)",
    )
    p.add_argument(
        "--op",
        default=None,
        metavar="NAME",
        help="explain one registry op instead (e.g. conv2d): its derivation and its check against torch",
    )
    p.add_argument("--samples", type=int, default=3, help="with --op: random samples per dtype (default 3)")
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


@dataclass
class Flow:
    """What the traced backward sent through one node: the gradients it received and those it sent."""

    received: list[np.ndarray | None] = field(default_factory=list)
    sent: list[np.ndarray | None] = field(default_factory=list)

    def output_shapes(self) -> list[tuple[int, ...]]:
        return [tuple(g.shape) for g in self.received if g is not None]


def graph_nodes(root: Any) -> tuple[list[Any], dict[int, int]]:
    """The nodes reachable from ``root`` breadth first, and the level of each (a node sits where first reached)."""
    levels: dict[int, int] = {}
    order: list[Any] = []
    queue = [(root, 0)]
    while queue:
        node, depth = queue.pop(0)
        if id(node) in levels:
            continue
        levels[id(node)] = depth
        order.append(node)
        queue += [(n, depth + 1) for n, _ in node.next_functions if n is not None]
    return order, levels


def traced_backward(loss: Any) -> dict[int, Flow]:
    """Run ``loss.backward()`` with a post-hook on every node, keeping the gradients each one received and sent."""
    flows: dict[int, Flow] = {}
    order, _ = graph_nodes(loss.grad_fn)

    def recorder(node: Any) -> Any:
        def hook(grad_inputs: tuple, grad_outputs: tuple) -> None:
            flow = flows.setdefault(id(node), Flow())
            flow.received = [None if g is None else np.array(g._data) for g in grad_outputs]
            flow.sent = [None if g is None else np.array(g._data) for g in grad_inputs]

        return hook

    for node in order:
        node.register_hook(recorder(node))
    loss.backward()
    return flows


def norm(a: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def edge_label(grad: np.ndarray | None) -> str:
    return "" if grad is None else f"{list(grad.shape)} |g|={norm(grad):.3g}"


def node_shape(node: Any, flows: dict[int, Flow]) -> str:
    """The output shape(s) of a node, from the gradient it received (the same shape as its output)."""
    flow = flows.get(id(node))
    shapes = flow.output_shapes() if flow else []
    if not shapes:
        shapes = [tuple(shape) for shape, _ in getattr(node, "_output_meta", ())]
    return ", ".join(str(list(s)) for s in shapes)


def write_svg(root: Any, path: str, names: dict[int, str], flows: dict[int, Flow] | None = None) -> None:
    """A layered drawing: the loss node on top, each next_functions edge one level down.

    Arrows point the way gradients flow in backward (from the loss towards the
    leaves); AccumulateGrad nodes, which fill a parameter's .grad, are green. With
    ``flows`` (from ``traced_backward``) each node shows its output shape and each
    edge the shape and norm of the gradient sent along it.
    """
    with open(path, "w") as f:
        f.write(svg_text(root, names, flows or {}) + "\n")


def svg_text(root: Any, names: dict[int, str], flows: dict[int, Flow]) -> str:
    order, levels = graph_nodes(root)
    rows: dict[int, list[Any]] = {}
    for n in order:
        rows.setdefault(levels[id(n)], []).append(n)
    labels = {id(n): html.escape(node_label(n, names).replace("torch::autograd::", "")) for n in order}
    shapes = {id(n): html.escape(node_shape(n, flows)) for n in order}
    widest = max(len(v) for v in list(labels.values()) + list(shapes.values()))
    box = int(7.3 * widest) + 16
    step_x, step_y = box + 24, 84
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
        sent = flows[id(n)].sent if id(n) in flows else []
        for k, (m, _) in enumerate(n.next_functions):
            if m is None:
                continue
            x2, y2 = pos[id(m)]
            parts.append(
                f'<line x1="{x}" y1="{y + 18}" x2="{x2}" y2="{y2 - 18}" stroke="#888" marker-end="url(#arrow)"/>'
            )
            label = edge_label(sent[k] if k < len(sent) else None)
            if label:
                mx, my = (
                    x + (x2 - x) * 3 // 5,
                    y + 18 + (y2 - y - 36) * 3 // 5,
                )  # nearer the target: fanned-out labels spread
                parts.append(
                    f'<text class="edge" x="{mx}" y="{my}" text-anchor="middle" font-size="10" fill="#a33">'
                    f"{html.escape(label)}</text>"
                )
    for i, n in enumerate(order):
        x, y = pos[id(n)]
        leaf = getattr(n, "variable", None) is not None
        fill, stroke = ("#e6f5e6", "#393") if leaf else ("#eef", "#449")
        parts.append(f'<g class="node" data-node="{i}" style="cursor:pointer">')
        parts.append(
            f'<rect x="{x - box // 2}" y="{y - 18}" width="{box}" height="36" rx="5" fill="{fill}" stroke="{stroke}"/>'
        )
        parts.append(
            f'<text class="node" x="{x}" y="{y - 2}" text-anchor="middle">{labels[id(n)]}'
            f'<tspan x="{x}" dy="14" fill="#555">{shapes[id(n)]}</tspan></text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def array_summary(a: np.ndarray | None) -> dict[str, Any] | None:
    """Shape, norm, range and the first values of one gradient, for the page."""
    if a is None:
        return None
    flat = a.reshape(-1)
    return {
        "shape": list(a.shape),
        "norm": norm(a),
        "min": float(flat.min()) if flat.size else None,
        "max": float(flat.max()) if flat.size else None,
        "mean": float(flat.mean()) if flat.size else None,
        "first": [float(v) for v in flat[:6]],
    }


def node_details(node: Any, names: dict[int, str], flows: dict[int, Flow]) -> dict[str, Any]:
    """What the page shows for a click on a node: its Function's derivation and the gradients through it."""
    function = getattr(node, "_function", None)
    if function is not None:
        family = sys.modules.get(function.__module__)
        title = f"{function.__module__}.{function.__name__}"
        derivation = inspect.getdoc(function) or ""
        family_doc = inspect.cleandoc(getattr(family, "__doc__", "") or "")
    else:
        title, derivation = "AccumulateGrad", "Adds the gradient it receives into the leaf's .grad."
        family_doc = ""
    flow = flows.get(id(node), Flow())
    targets = [node_label(m, names) if m is not None else None for m, _ in node.next_functions]
    return {
        "label": node_label(node, names),
        "function": title,
        "derivation": derivation,
        "family": family_doc,
        "received": [array_summary(g) for g in flow.received],
        "sent": [
            {"to": t, **(array_summary(g) or {})} if g is not None else None
            for t, g in zip(targets, flow.sent + [None] * (len(targets) - len(flow.sent)))
        ],
    }


KATEX_FILES = ("katex.min.js", "auto-render.min.js", "katex.min.css")
# one @font-face source list of katex.min.css: its woff2 (kept, inlined) then the woff and ttf it does not ship
_FONT_SOURCES = re.compile(r'url\(fonts/([\w-]+\.woff2)\) format\("woff2"\)(?:,url\([^)]*\) format\("\w+"\))*')


def katex_assets() -> str:
    """KaTeX's script, auto-render and stylesheet as inline elements, fonts as data: URIs; "" when missing.

    The stylesheet names each font three times (woff2, woff, ttf); only the woff2 files are vendored
    and every browser that runs KaTeX reads them, so each source list becomes its one woff2, inlined.
    """
    folder = importlib.resources.files("minitorch_nn.cli").joinpath("assets").joinpath("katex")
    try:
        script, auto_render, css = (folder.joinpath(name).read_text(encoding="utf-8") for name in KATEX_FILES)

        def inline_font(match: re.Match) -> str:
            font = base64.b64encode(folder.joinpath("fonts").joinpath(match.group(1)).read_bytes()).decode("ascii")
            return f'url(data:font/woff2;base64,{font}) format("woff2")'

        css = _FONT_SOURCES.sub(inline_font, css)
    except OSError:
        return ""
    return f"<style>{css}</style>\n<script>{script}</script>\n<script>{auto_render}</script>"


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>autograd graph: {title}</title>
<style>
body {{ font-family: sans-serif; margin: 0; display: flex; height: 100vh; }}
#graph {{ flex: 3; overflow: auto; border-right: 1px solid #ccc; }}
#details {{ flex: 2; overflow: auto; padding: 0 1em; }}
pre, .math {{ white-space: pre-wrap; background: #f6f6f6; padding: .5em; }}
.math {{ font-family: sans-serif; line-height: 1.5; }}
g.node.selected rect {{ stroke-width: 3; }}
table {{ border-collapse: collapse; font-size: 12px; }} td, th {{ border: 1px solid #ddd; padding: 2px 6px; }}
</style>
{katex}
</head><body>
<div id="graph">{svg}</div>
<div id="details"><h2>{title}</h2><p>{loss}</p>
<p>Click a node: its Function's derivation and the gradients that flowed through it in backward.
Edges are labelled with the shape and norm of the gradient sent along them.</p></div>
<script id="nodes" type="application/json">{data}</script>
<script>
const nodes = JSON.parse(document.getElementById("nodes").textContent);
const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({{"&": "&amp;", "<": "&lt;", ">": "&gt;"}})[c]);
// the docstring as text, its $...$ and $$...$$ rendered by KaTeX; without KaTeX, the LaTeX source in a <pre>
const hasKatex = typeof renderMathInElement === "function";
const delimiters = [{{ left: "$$", right: "$$", display: true }}, {{ left: "$", right: "$", display: false }}];
function mathBlock(text) {{
  return hasKatex ? '<div class="math">' + esc(text) + "</div>" : "<pre>" + esc(text) + "</pre>";
}}
const num = (v) => (v === null || v === undefined ? "" : Number(v).toPrecision(4));
function rows(list, withTarget) {{
  let out = "<table><tr><th>#</th>" + (withTarget ? "<th>to</th>" : "") +
    "<th>shape</th><th>norm</th><th>min</th><th>max</th><th>mean</th><th>first values</th></tr>";
  list.forEach((g, i) => {{
    if (!g) return;
    out += "<tr><td>" + i + "</td>" + (withTarget ? "<td>" + esc(g.to) + "</td>" : "") +
      "<td>[" + g.shape.join(", ") + "]</td><td>" + num(g.norm) + "</td><td>" + num(g.min) + "</td><td>" +
      num(g.max) + "</td><td>" + num(g.mean) + "</td><td>" + g.first.map(num).join(" ") + "</td></tr>";
  }});
  return out + "</table>";
}}
function show(i) {{
  const n = nodes[i];
  document.querySelectorAll("g.node").forEach((g) => g.classList.toggle("selected", g.dataset.node == i));
  document.getElementById("details").innerHTML =
    "<h2>" + esc(n.label) + "</h2><p><code>" + esc(n.function) + "</code></p>" +
    "<h3>derivation</h3>" + mathBlock(n.derivation) +
    (hasKatex ? "" : '<p class="note">(KaTeX was not found with minitorch_nn, so the math is shown as its ' +
      "LaTeX source)</p>") +
    (n.family ? "<details><summary>its family's notes</summary>" + mathBlock(n.family) + "</details>" : "") +
    "<h3>gradients received (one per output)</h3>" + rows(n.received, false) +
    "<h3>gradients sent (one per input)</h3>" + rows(n.sent, true);
  if (hasKatex) {{
    document.querySelectorAll("#details .math").forEach((el) => renderMathInElement(el, {{ delimiters, throwOnError: false }}));
  }}
}}
document.querySelectorAll("g.node").forEach((g) => g.addEventListener("click", () => show(Number(g.dataset.node))));
</script>
</body></html>
"""


def html_page(root: Any, names: dict[int, str], flows: dict[int, Flow], title: str, loss_text: str) -> str:
    """One self-contained page: the SVG inline, each node's details as JSON, KaTeX and a few lines of script."""
    order, _ = graph_nodes(root)
    data = json.dumps([node_details(n, names, flows) for n in order]).replace("</", "<\\/")
    return PAGE.format(
        title=html.escape(title),
        svg=svg_text(root, names, flows),
        data=data,
        loss=html.escape(loss_text),
        katex=katex_assets(),
    )


def explain_op(name: str, samples: int) -> int:
    """Print one registry op's derivation, then run its check against torch on ``samples`` samples per dtype."""
    try:
        import torch  # noqa: F401

        from reference.compare import DEFAULT_TOLERANCES, compare, make_inputs
        from reference.registry import all_ops

    except ImportError as error:
        raise SystemExit(f"explain --op needs torch and hypothesis ({error}): {INSTALL_TORCH}") from error
    ops = {info.name: info for info in all_ops()}
    if name not in ops:
        raise SystemExit(f"unknown op {name}; known: {', '.join(ops)}")
    info = ops[name]
    drawn = draw_samples(info.sample(), samples, 0)
    function = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sample in drawn:
            out = info.call(minitorch_nn, *make_inputs(minitorch_nn, sample, np.float64), **sample.kwargs)
            outs = out if isinstance(out, (tuple, list)) else (out,)
            nodes = [o.grad_fn for o in outs if getattr(o, "grad_fn", None) is not None]
            if nodes:
                function = getattr(nodes[0], "_function", None)
                node_name = nodes[0].name()
                break
    if function is None:
        print(f"{name}: no differentiable output, so no backward to derive")
    else:
        family = sys.modules[function.__module__]
        path = function.__module__.replace(".", "/") + ".py"
        print(f"{name}: its output's grad_fn is {node_name}, the node of {function.__name__} in {path}\n")
        print(inspect.getdoc(function) or "")
        print(f"\n--- {path} ---\n")
        print(inspect.cleandoc(family.__doc__ or ""))
    print(f"\nagainst torch on {len(drawn)} random samples per dtype (seed 0), under a random upstream gradient:")
    failures = 0
    for dtype in (np.float64, np.float32):
        rtol, atol = (info.tolerances or DEFAULT_TOLERANCES).get(np.dtype(dtype), DEFAULT_TOLERANCES[np.dtype(dtype)])
        worst: dict[str, list] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for sample in drawn:
                for e in compare(info.call, sample, dtype, info.tolerances).errors:
                    w = worst.setdefault(e.label, [0.0, 0.0, True])
                    w[0], w[1], w[2] = max(w[0], e.max_abs), max(w[1], e.max_rel), w[2] and e.ok
        ok = all(w[2] for w in worst.values())
        failures += not ok
        cells = "  ".join(f"{k} abs {w[0]:.1e} rel {w[1]:.1e}{'' if w[2] else ' FAIL'}" for k, w in worst.items())
        print(f"  {np.dtype(dtype).name:8} rtol/atol {rtol:g}/{atol:g}  {'ok' if ok else 'FAIL'}  {cells}")
    return 1 if failures else 0


def run(args: argparse.Namespace) -> int:
    if args.op:
        return explain_op(args.op, args.samples)
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
    root = loss.grad_fn
    with lib.autograd.trace(dict(model.named_parameters())) as t:
        flows = traced_backward(loss)
    svg = args.svg or os.path.join("runs", "explain", f"{args.model}.svg")
    os.makedirs(os.path.dirname(svg) or ".", exist_ok=True)
    write_svg(root, svg, names, flows)
    print(f"\n(graph picture: {svg})")
    if args.html is not None:
        page = args.html or os.path.join("runs", "explain", f"{args.model}.html")
        os.makedirs(os.path.dirname(page) or ".", exist_ok=True)
        with open(page, "w") as f:
            f.write(html_page(root, names, flows, f"{args.model} loss", f"loss = {loss}"))
        print(f"(the clickable page: {page})")
    print("\nbackward pass, node by node in the order the engine runs them:")
    print(t.format())
    return 0
