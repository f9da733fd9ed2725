"""The layering of minitorch_nn (DESIGN.md, "Layers of the code"): imports point one way.

The import graph is read from the source with ``ast``, as ../shared/tools/import_cycles.py reads it:
every ``import`` and ``from ... import`` statement, those inside functions too (a function-level import
hides a cycle, it does not remove it), except those under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "minitorch_nn"
LAYERS = ("kernels", "autograd", "ops", "nn")  # bottom up: none may import one above it
ABOVE_ALL = ("optim", "vision", "utils", "cli")  # the API objects and tools, above every layer


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, name: str) -> list[str]:
    """Every module name an import statement in this file names (resolved when relative)."""
    tree = ast.parse(path.read_text())
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(n) for b in node.body for n in ast.walk(b))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found += [base] + [f"{base}.{a.name}" for a in node.names]
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """(edges among the package's own modules, every imported name per module)."""
    paths = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    named = {m: imports(p, m) for m, p in paths.items()}
    edges = {m: {n for n in names if n in paths and n != m and not m.startswith(n + ".")} for m, names in named.items()}
    return edges, named


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def test_no_import_cycles() -> None:
    edges, _ = import_graph()
    found = cycles(edges)
    assert not found, "import cycles: " + "; ".join(" <-> ".join(group) for group in found)


def test_cycle_finder_sees_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_layers_import_down_only() -> None:
    """kernels know nothing of Tensor or autograd, autograd nothing of ops, ops nothing of nn (the
    package's top-level helpers, such as minitorch_nn.random, sit beside the layers)."""
    edges, _ = import_graph()
    upward = []
    for m, targets in edges.items():
        layer = m.split(".")[1] if m.count(".") else ""
        if layer not in LAYERS:
            continue
        above = LAYERS[LAYERS.index(layer) + 1 :] + ABOVE_ALL
        upward += [f"{m} -> {t}" for t in sorted(targets) if t == "minitorch_nn" or t.split(".")[1] in above]
    assert not upward, "imports pointing up the layers: " + "; ".join(upward)


def test_no_torch_import() -> None:
    """The library never imports torch; only the CLI's torch comparisons (check, bench, train --engine
    torch) do, inside the function that needs it, so importing minitorch_nn.cli does not pull it in."""
    _, named = import_graph()
    tree_of = {module_name(p): ast.parse(p.read_text()) for p in PACKAGE.rglob("*.py")}
    offenders = []
    for m, names in named.items():
        torch_names = [n for n in names if n == "torch" or n.startswith("torch.")]
        if not torch_names:
            continue
        if not m.startswith("minitorch_nn.cli."):
            offenders.append(f"{m} imports {torch_names[0]}")
            continue
        for node in tree_of[m].body:  # module level only: the CLI imports torch inside functions
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                top = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n == "torch" or n.startswith("torch.") for n in top):
                    offenders.append(f"{m} imports torch at module level")
    assert not offenders, "; ".join(offenders)


def test_importing_the_package_loads_no_torch() -> None:
    code = (
        "import sys, minitorch_nn, minitorch_nn.nn, minitorch_nn.nn.functional, minitorch_nn.optim, "
        "minitorch_nn.vision, minitorch_nn.utils.tensorboard, minitorch_nn.cli; "
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    ).stdout
    assert out.strip() == "[]", out
