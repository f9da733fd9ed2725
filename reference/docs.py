"""The documentation site's generated pages, written from the code at build time so they cannot drift.

mkdocs.yml names this file under ``hooks:``; MkDocs then calls ``on_config`` (the navigation, one
entry per op family found in minitorch_nn/ops/) and ``on_files`` (the pages themselves, added as
generated files: nothing generated is committed). Each op-family page holds the module docstring,
every Function's docstring (forward and derivation; ``$...$`` and ``$$...$$`` in a docstring are
LaTeX, rendered by KaTeX), its source, and the registry's check against torch: every registered op
whose output node is one of the family's Functions, run by ``reference.compare`` on a few seeded
samples per dtype, with the largest error over outputs and input gradients.

    python -m reference.docs OUT_DIR   # writes the generated pages as files, to read them without MkDocs
"""

from __future__ import annotations

import argparse
import functools
import html
import importlib
import inspect
import io
import os
import pkgutil
import re
import sys
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import minitorch_nn
import minitorch_nn.ops
from minitorch_nn.autograd.function import Function

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_PER_OP = 2  # seeded draws per dtype: the check's numbers, not its proof (the test suite draws many more)
SEED = 0
NOT_FAMILIES = {"utils", "return_types"}  # helpers in ops/ that define no op
DTYPES = (np.float64, np.float32)


@dataclass
class OpCheck:
    """One registry op checked against torch: the Function behind its output and its largest errors."""

    name: str
    function: type | None
    max_abs: dict[str, float]  # dtype name -> largest abs error over outputs and gradients
    ok: bool
    note: str = ""


# ---- docstrings as Markdown ----------------------------------------------------------------------

_PROTECTED = re.compile(r"(\$\$.*?\$\$|\$[^$\n]+\$|``.*?``|`[^`\n]*`)", re.S)


def docstring_markdown(text: str | None) -> str:
    """A docstring as Markdown: LaTeX, code spans and indented blocks kept, emphasis characters escaped elsewhere.

    An indented block after a blank line (a docstring's formula or command block) stays a code
    block, as written, unless it is marked as ``$$ ... $$`` math.
    """
    if not text:
        return ""
    lines = inspect.cleandoc(text).splitlines()
    out: list[str] = []
    prose: list[str] = []
    in_block = False
    for i, line in enumerate(lines):
        starts_block = line.startswith("    ") and (i == 0 or not lines[i - 1].strip() or in_block)
        in_block = starts_block or (in_block and not line.strip())
        if in_block and line.strip():
            if prose:
                out.append(_escape_prose("\n".join(prose)))
                prose = []
            out.append(line)
        else:
            prose.append(line)
    if prose:
        out.append(_escape_prose("\n".join(prose)))
    md = "\n".join(out)
    # a $$ block on its own lines: blank lines around it so Markdown treats it as a block
    return re.sub(r"\n[ \t]*(\$\$.*?\$\$)[ \t]*(\n|$)", r"\n\n\1\n\n", md, flags=re.S)


# Python-Markdown has no backslash escape for < and >: they become entities, so "a < b" stays text, not a tag
_PROSE_ESCAPES = {"*": "\\*", "<": "&lt;", ">": "&gt;"}


def _escape_prose(text: str) -> str:
    pieces = _PROTECTED.split(text)
    # a * between two non-blanks is a product (s*p, x**2), not the *emphasis* a docstring may use
    return "".join(
        piece if i % 2 else re.sub(r"(?<=\S)\*(?=\S)|[<>]", lambda m: _PROSE_ESCAPES[m.group(0)], piece)
        for i, piece in enumerate(pieces)
    )


# ---- the op families -----------------------------------------------------------------------------


@functools.cache
def families() -> list[str]:
    """The op-family modules of minitorch_nn/ops, in file-name order: those that define Functions, and
    those that compose their public ops from other families' Functions (instancenorm, ...)."""
    names = [m.name for m in pkgutil.iter_modules(minitorch_nn.ops.__path__)]
    return sorted(n for n in names if n not in NOT_FAMILIES and (functions_of(n) or _public_names(n)))


def _public_names(family: str) -> list[str]:
    return list(getattr(importlib.import_module(f"minitorch_nn.ops.{family}"), "__all__", []))


def functions_of(family: str) -> list[type]:
    """The Function subclasses a family module defines, in source order."""
    module = importlib.import_module(f"minitorch_nn.ops.{family}")
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Function) and obj.__module__ == module.__name__
    ]
    return list(dict.fromkeys(found))  # module order is definition order; an alias is listed once


def anchor(cls: type) -> str:
    return cls.__name__.lower()


def family_of(cls: type) -> str:
    return cls.__module__.rsplit(".", 1)[-1]


def page_of(cls: type, fallback: str) -> str:
    """The family page a Function is shown on: its own module's, or, for a node outside ops/ (autograd's
    view replay, CopySlices), the page of the registry family whose op ends in it."""
    own = family_of(cls)
    return own if own in families() else fallback


def _output_function(info: Any, sample: Any) -> type | None:
    """The Function whose node made the op's first differentiable output."""
    from reference.compare import make_inputs

    out = info.call(minitorch_nn, *make_inputs(minitorch_nn, sample, np.float64), **sample.kwargs)
    for o in out if isinstance(out, (tuple, list)) else (out,):
        node = getattr(o, "grad_fn", None)
        if node is not None:
            return getattr(node, "_function", None)
    return None


def check_op(info: Any) -> OpCheck:
    """``info`` against torch on SAMPLES_PER_OP seeded samples per dtype (reference.compare)."""
    from minitorch_nn.cli.check import draw_samples
    from reference.compare import compare

    samples = draw_samples(info.sample(), SAMPLES_PER_OP, SEED)
    function = None
    max_abs: dict[str, float] = {}
    ok = True
    note = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sample in samples:
            if function is None:
                function = _output_function(info, sample)
            for dtype in DTYPES:
                report = compare(info.call, sample, dtype, info.tolerances)
                name = np.dtype(dtype).name
                worst = max((e.max_abs for e in report.errors), default=0.0)
                max_abs[name] = max(max_abs.get(name, 0.0), worst)
                ok = ok and report.ok
                if not report.ok and not note:
                    note = str(report)
    return OpCheck(info.name, function, max_abs, ok, note)


def check_registry() -> dict[str, list[OpCheck]]:
    """Every registry op checked, grouped by the family of the Function behind it (its registry family if none)."""
    from reference.registry import FAMILIES

    grouped: dict[str, list[OpCheck]] = {}
    for registry_family in FAMILIES:
        module = importlib.import_module(f"reference.registry.{registry_family}")
        for info in module.OPS:
            result = check_op(info)
            family = page_of(result.function, registry_family) if result.function is not None else registry_family
            grouped.setdefault(family, []).append(result)
    return grouped


def _function_link(cls: type, from_family: str) -> str:
    here = page_of(cls, from_family)
    return f"#{anchor(cls)}" if here == from_family else f"{here}.md#{anchor(cls)}"


def _error_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1e}"


def family_page(family: str, checks: list[OpCheck]) -> str:
    """One op family: what it computes, its check against torch, every Function with derivation and code."""
    module = importlib.import_module(f"minitorch_nn.ops.{family}")
    lines = [f"# {family}", "", f"`minitorch_nn/ops/{family}.py`", ""]
    used = kernels_used(family)
    if used:
        links = ", ".join(f"[{k.rsplit('.', 1)[-1]}](../{kernel_page_path(k)})" for k in used)
        lines += [f"Its array work runs in the kernels: {links}.", ""]
    lines += [docstring_markdown(module.__doc__), ""]
    lines += ["## Checked against torch", ""]
    if checks:
        lines += [
            f"Each registered op run here and in torch on {SAMPLES_PER_OP} seeded samples (seed {SEED}) per dtype, "
            "under the same random upstream gradient: the largest absolute error over the outputs and every "
            "input gradient (`reference.compare`, computed when this page was built).",
            "",
            "| op | Function (grad_fn) | float64 | float32 | within tolerance |",
            "|---|---|---:|---:|---|",
        ]
        for c in checks:
            fn = (
                "(none: no differentiable output)"
                if c.function is None
                else f"[`{c.function.__name__}`]({_function_link(c.function, family)})"
            )
            lines.append(
                f"| `{c.name}` | {fn} | {_error_cell(c.max_abs.get('float64'))} | "
                f"{_error_cell(c.max_abs.get('float32'))} | {'yes' if c.ok else 'NO: ' + html.escape(c.note)} |"
            )
    else:
        lines.append("No registry op ends in this family's Functions (they run inside the ops of other families).")
    lines += ["", "## Functions: forward, backward and derivation", ""]
    # Functions built by a factory at import time are reached through the registry only
    built = [c.function for c in checks if c.function is not None and page_of(c.function, family) == family]
    for cls in dict.fromkeys(functions_of(family) + built):
        node = getattr(cls, "node_name", None) or ""
        lines += [f"### {cls.__name__} {{ #{anchor(cls)} }}", ""]
        if node:
            lines += [f"grad_fn: `{node}`", ""]
        lines += [
            docstring_markdown(inspect.getdoc(cls)),
            "",
        ]  # a subclass that only renames its node inherits the derivation
        lines += _source_block("code", cls)
    return "\n".join(lines) + "\n"


def _source_block(title: str, obj: Any) -> list[str]:
    """A folded listing of ``obj``'s source (none for a class built at import time, which has no source of its own)."""
    try:
        source = inspect.getsource(obj)
    except OSError:
        return [f"(built at import time in `{obj.__module__}`; see that file)", ""]
    lines = [f'??? note "{title}"', "", "    ```python"]
    lines += ["    " + line if line.strip() else "" for line in source.rstrip().splitlines()]
    return lines + ["    ```", ""]


# ---- the kernels ---------------------------------------------------------------------------------


def kernel_modules() -> list[str]:
    """The modules under minitorch_nn/kernels/cpu (a package split into one file per algorithm included)."""
    import minitorch_nn.kernels.cpu as cpu

    found = pkgutil.walk_packages(cpu.__path__, cpu.__name__ + ".")
    return sorted(m.name for m in found)


def kernel_page_path(dotted: str) -> str:
    return "kernels/" + dotted.removeprefix("minitorch_nn.kernels.cpu.").replace(".", "/") + ".md"


def kernels_used(family: str) -> list[str]:
    """The kernel modules an op family imports (``from ..kernels.cpu import conv as kernels``), and the
    CPU modules of the kernel-table entries it reaches through the device switch
    (``backend_of(x).conv.conv_forward``: kernels/backend.py's CPU table names kernels/cpu/conv)."""
    from minitorch_nn.kernels import backend

    module = importlib.import_module(f"minitorch_nn.ops.{family}")
    names = {v.__name__ for v in vars(module).values() if inspect.ismodule(v)}
    for entry in set(re.findall(r"backend_of\([^)]*\)\.(\w+)", inspect.getsource(module))):
        kernel = getattr(backend.CPU, entry, None)
        if inspect.ismodule(kernel) and entry != "xp":
            names.add(kernel.__name__)
        elif callable(kernel) and not isinstance(kernel, type):  # a kernel function; device_type is a str
            names.add(kernel.__module__)
    return sorted(n for n in names if n.startswith("minitorch_nn.kernels.cpu."))


def kernel_page(dotted: str) -> str:
    """One kernel module: its docstring, its public functions with their first docstring line, the source."""
    module = importlib.import_module(dotted)
    lines = [
        f"# {dotted.removeprefix('minitorch_nn.kernels.cpu.')}",
        "",
        f"`{Path(inspect.getfile(module)).resolve().relative_to(ROOT)}`",
    ]
    lines += ["", docstring_markdown(module.__doc__), "", "## Functions", ""]
    for name, obj in vars(module).items():
        func = getattr(obj, "py_func", obj)  # a Numba dispatcher keeps the Python function it compiles
        if name.startswith("_") or not inspect.isfunction(func) or func.__module__ != dotted:
            continue
        summary = (inspect.getdoc(func) or "").split("\n\n")[0].replace("\n", " ")
        lines.append(f"- `{name}`: {docstring_markdown(summary)}")
    lines += [""]
    lines += _source_block("the whole file", module)
    return "\n".join(lines)


# ---- the other generated pages -------------------------------------------------------------------


def module_page(title: str, dotted: str, intro: str = "") -> str:
    """A module's docstring, then its source."""
    module = importlib.import_module(dotted)
    path = dotted.replace(".", "/") + ".py"
    lines = [f"# {title}", "", f"`{path}`", "", intro, "", docstring_markdown(module.__doc__), ""]
    lines += _source_block("the whole file", module)
    return "\n".join(lines)


def api_page(checks: dict[str, list[OpCheck]]) -> str:
    """Which of torch's Core ATen ops minitorch_nn exposes, place by place, and the registry's size."""
    from reference.core_aten import _places, public_core_ops

    core = public_core_ops()
    rows = []
    covered = places = 0
    for name, theirs in sorted(core.items()):
        ours = _places(False, name)
        places += len(theirs)
        covered += sum(p in ours for p in theirs)
        cells = ", ".join(p if p in ours else f"~~{p}~~" for p in theirs)
        rows.append(f"| `{name}` | {cells} |")
    registered = sum(len(v) for v in checks.values())
    lines = [
        "# API coverage",
        "",
        "PyTorch's Core ATen op set (`reference/core_aten.py`: the `torch.ops.aten` packets tagged core) is what every "
        f"torch program lowers to. Of its {len(core)} public ops, exposed in {places} places (`torch.X`, "
        f"`Tensor.X`, `F.X`), minitorch_nn has **{covered}** of the places; a struck-out place is missing.",
        "",
        f"The op registry (`reference/registry/`) holds **{registered}** ops, each tested against torch "
        "(forward, every gradient, grad_fn names, finite differences); see the op-family pages for their errors.",
        "",
        "| Core ATen op | places |",
        "|---|---|",
        *rows,
        "",
    ]
    return "\n".join(lines)


def cli_page() -> str:
    """Every subcommand's --help, as argparse prints it."""
    from minitorch_nn import cli

    parser = argparse.ArgumentParser(prog="minitorch-nn", description=cli.__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    from minitorch_nn.cli import bench, check, explain, predict, train

    for module in (train, predict, check, bench, explain):
        module.add_parser(commands)
    lines = ["# The command line", "", "`minitorch-nn` (or `python -m minitorch_nn`):", ""]
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; the page should not depend on it
    try:
        for name, sub in commands.choices.items():
            lines += [f"## {name}", "", "```text", sub.format_help().rstrip(), "```", ""]
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(lines)


def benchmark_pages() -> dict[str, str]:
    """benchmarks/results/*.md as pages (their numbers are written by the benchmarks themselves)."""
    results = ROOT / "benchmarks" / "results"
    pages = {}
    for md in sorted(results.glob("*.md")):
        pages[f"benchmarks/{md.name}"] = md.read_text()
    index = [
        "# Benchmarks",
        "",
        "Written by the scripts in `benchmarks/` (each page says its machine and command).",
        "",
    ]
    for md in sorted(results.glob("*.md")):
        title = md.read_text().splitlines()[0].lstrip("# ").strip()
        index.append(f"- [{title}]({md.name})")
    for png in sorted(results.glob("*.png")):
        index += ["", f"![{png.stem}]({png.name})"]
    pages["benchmarks/index.md"] = "\n".join(index) + "\n"
    return pages


def lenet_graph_svg() -> str:
    """The seed LeNet's loss graph as `minitorch-nn explain` draws it, shapes and gradient norms included."""
    from minitorch_nn.cli.explain import svg_text, traced_backward
    from minitorch_nn.models import build

    minitorch_nn.manual_seed(0)
    model = build("lenet", minitorch_nn, in_channels=1)
    x = minitorch_nn.randn(2, 1, 32, 32)
    target = minitorch_nn.randint(0, 10, (2,))
    loss = minitorch_nn.nn.CrossEntropyLoss()(model(x), target)
    names = {id(p): k for k, p in model.named_parameters()}
    flows = traced_backward(loss)
    return svg_text(loss.grad_fn, names, flows) + "\n"


TENSORS_INTRO = """Every op on tensors that require grad runs a `Function`'s forward on NumPy arrays and records
a node (the output's `grad_fn`) holding what its backward needs; the nodes, linked by
`next_functions`, are the graph `loss.backward()` walks. The Tensor itself is in
`minitorch_nn/autograd/tensor.py`.

The seed LeNet's loss for a batch of two, as `minitorch-nn explain` draws it: each node with its
output's shape, each edge with the shape and norm of the gradient that flowed along it in backward,
the green leaves filling the parameters' `.grad` ([the engine](engine.md) runs them in order;
`minitorch-nn explain --html` makes the same picture clickable).

![the seed LeNet's autograd graph](lenet-graph.svg)
"""


@functools.lru_cache(maxsize=1)
def generated_pages() -> dict[str, str]:
    """Every generated page: path under docs/ -> Markdown (and the one generated picture)."""
    checks = check_registry()
    pages = {
        "tensors.md": module_page("Tensors and graphs", "minitorch_nn.autograd.function", TENSORS_INTRO),
        "lenet-graph.svg": lenet_graph_svg(),
        "engine.md": module_page("The engine", "minitorch_nn.autograd.engine"),
        "api.md": api_page(checks),
        "cli.md": cli_page(),
    }
    for family in families():
        pages[f"ops/{family}.md"] = family_page(family, checks.get(family, []))
    for dotted in kernel_modules():
        pages[kernel_page_path(dotted)] = kernel_page(dotted)
    pages.update(benchmark_pages())
    return pages


KATEX = ROOT / "minitorch_nn" / "cli" / "assets" / "katex"  # the one vendored KaTeX, package data of the CLI


def binary_files() -> dict[str, Path]:
    """Files copied as they are: the benchmark charts, and KaTeX (served as assets/katex/, as mkdocs.yml names it)."""
    files = {f"benchmarks/{p.name}": p for p in sorted((ROOT / "benchmarks" / "results").glob("*.png"))}
    files.update(
        {f"assets/katex/{p.relative_to(KATEX).as_posix()}": p for p in sorted(KATEX.rglob("*")) if p.is_file()}
    )
    return files


def navigation() -> list:
    return [
        {"Home": "index.md"},
        {"Tensors and graphs": "tensors.md"},
        {"The engine": "engine.md"},
        {"Op families": [{family: f"ops/{family}.md"} for family in families()]},
        {"Kernels": [{d.removeprefix("minitorch_nn.kernels.cpu."): kernel_page_path(d)} for d in kernel_modules()]},
        {"What runs": "supported.md"},
        {"API coverage": "api.md"},
        {"Saving and loading": "saving.md"},
        {"Performance": "performance.md"},
        {"Benchmarks": ["benchmarks/index.md", *[f"benchmarks/{p}" for p in _benchmark_names()]]},
        {"Using the command": "commands.md"},
        {"Command line": "cli.md"},
    ]


def _benchmark_names() -> list[str]:
    return [p.name for p in sorted((ROOT / "benchmarks" / "results").glob("*.md"))]


# ---- MkDocs hooks --------------------------------------------------------------------------------


def on_config(config: Any) -> Any:
    config["nav"] = navigation()
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    # MkDocs loads this file as a module of its own; the package's copy holds the cache (one generation per process)
    canonical = importlib.import_module("reference.docs")
    with redirect_stdout(io.StringIO()):  # numba and hypothesis chatter stays out of the build log
        pages = canonical.generated_pages()
    for path, text in pages.items():
        files.append(File.generated(config, path, content=text))
    for path, source in binary_files().items():
        files.append(File.generated(config, path, abs_src_path=str(source)))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write the site's generated pages as files")
    parser.add_argument("out", help="folder to write them into")
    args = parser.parse_args(argv)
    for path, text in generated_pages().items():
        target = Path(args.out) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    print(f"wrote the generated pages under {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
