"""Profile: where the time of one training step goes, per op, for the seed LeNet and CIFAR models.

Run ``python benchmarks/profile_step.py`` from the repository root (add
``--quick`` for fewer repeats). Writes benchmarks/results/profile.md.

The step is the one the seeds train with: ``zero_grad``, forward,
``CrossEntropyLoss``, ``backward``, ``SGD(lr=0.01, momentum=0.9).step()``,
float32, both engines on ``THREADS`` threads (``minitorch_nn.set_num_threads``
and ``torch.set_num_threads``).

Method
------
1. Phase totals, both engines, no instrumentation. Each phase (zero_grad,
   forward, loss, backward, optimizer step) is timed with ``perf_counter``
   around the call; torch's CPU ops are synchronous, so this is honest for
   torch too. Median over the repeated steps, after warm-up steps (Numba
   compilation and torch's lazy initialisation are excluded).

2. Per-op split, our engine only, by wrapping from this script (minitorch_nn
   is not modified). Nothing is wrapped until the warm-up steps have run, so
   Numba compiles every kernel against the real NumPy first. Wrapped are:

   - ``Function.apply`` (autograd/function.py): the whole forward call of a
     Function, keyed by the Function class ("total").
   - each Function subclass's static ``forward`` and ``backward``: the op's own
     body, i.e. kernels, NumPy/BLAS and the Python lines of the body ("body").
   - ``engine._call_backward`` (engine.py): the whole backward call of a node,
     keyed by torch's node name (``AddmmBackward0``...), and
     ``engine._accumulate`` (the ``AccumulateGrad`` sink).
   - every Numba dispatcher held by a ``minitorch_nn`` module ("numba": time
     spent in compiled kernels, counted on the main thread only).
   - NumPy's explicit allocators ``np.empty/zeros/ones/full`` and their
     ``*_like`` forms, called from Python on the main thread ("alloc").

   From these: autograd overhead = total - body (what ``apply`` or the engine
   does around the body: graph node, input checks, wrapping results in
   Tensors, gradient shape checks); body = numba + alloc + other, where
   "other" is NumPy/BLAS calls and the Python lines of the body. Per phase,
   "outside ops" = phase time - sum of the op totals: module ``__call__``,
   ``nn.functional`` argument checks and the engine's graph walk; zero_grad
   and the optimizer step run no Functions, so they are outside ops entirely.
   Python overhead = autograd overhead + outside ops (the share of the step
   not spent in op bodies).

   Limits (stated, not hidden): allocations made implicitly (results of
   ufuncs, ``a @ b``, copies, arrays allocated inside Numba kernels) are in
   "other"/"numba", not "alloc"; the conv kernels run blocks of the batch on
   Python worker threads, whose Numba time is not counted as "numba" (it
   would add up per thread and exceed wall time) but stays, as wall time
   waited, in "other". The wrappers cost about a microsecond per call, so the
   instrumented step is a little slower than the plain one; both are shown.

Every number is the median over the repeated steps of that quantity (so the
columns need not add up exactly).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THREADS = 2
CASES = (("lenet", 1), ("lenet", 64), ("lenet", 256), ("cifar", 1), ("cifar", 64), ("cifar", 256))
PHASES = ("zero_grad", "forward", "loss", "backward", "step")
ALLOCATORS = ("empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like")
MAIN_THREAD = threading.main_thread().ident


def code_version() -> str:
    """The commit measured, and the files under minitorch_nn/ that differ from it (work in progress)."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return run.stdout.rstrip() if run.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "minitorch_nn").splitlines()
    files = ", ".join(line[3:] for line in dirty if line.endswith(".py"))
    return f"Code: commit {commit}" + (f", with uncommitted changes in {files}." if files else ".")


# ---------------------------------------------------------------------------
# the training step, split into phases
# ---------------------------------------------------------------------------
VISION_MODELS = ("resnet18", "vgg11")


def _vision_model(lib: Any, name: str) -> Any:
    """ResNet-18 / VGG-11 (num_classes=10) for ``lib``: ours from minitorch_nn.vision.models, torch's the
    twin of benchmarks/bench_models.py with our seeded weights (same numbers in both engines)."""
    import minitorch_nn as mt
    from benchmarks.bench_models import _torch_twin
    from minitorch_nn.vision import models
    from reference.bridge import state_dict_to_torch

    mt.manual_seed(0)
    ours = getattr(models, name)(num_classes=10)
    if lib is mt:
        return ours
    twin = _torch_twin(name)
    twin.load_state_dict(state_dict_to_torch(ours.state_dict()), strict=True)
    return twin


def make_step(
    lib: Any, model_name: str, batch: int, mark: Callable[[str], None] = lambda phase: None
) -> Callable[[], dict[str, float]]:
    """A function running one training step of ``model_name`` and returning each phase's seconds.

    ``mark(phase)`` is called before each phase starts (outside its timing), so
    the profiler knows which phase an op call belongs to.
    """
    from minitorch_nn.models import CHANNELS, build

    lib.manual_seed(0)
    if model_name in VISION_MODELS:
        model, channels = _vision_model(lib, model_name), 3
    else:
        model, channels = build(model_name, lib, CHANNELS[model_name]), CHANNELS[model_name]
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    rng = np.random.default_rng(batch)
    x = lib.tensor(rng.standard_normal((batch, channels, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    clock = time.perf_counter

    def step() -> dict[str, float]:
        mark("zero_grad")
        t0 = clock()
        opt.zero_grad()
        t1 = clock()
        mark("forward")
        t2 = clock()
        out = model(x)
        t3 = clock()
        mark("loss")
        t4 = clock()
        loss = loss_fn(out, y)
        t5 = clock()
        mark("backward")
        t6 = clock()
        loss.backward()
        t7 = clock()
        mark("step")
        t8 = clock()
        opt.step()
        t9 = clock()
        return {"zero_grad": t1 - t0, "forward": t3 - t2, "loss": t5 - t4, "backward": t7 - t6, "step": t9 - t8}

    return step


def phase_medians(step: Callable[[], dict[str, float]], warmup: int, repeats: int) -> dict[str, float]:
    """Median milliseconds of each phase (and of the whole step) over ``repeats`` steps."""
    for _ in range(warmup):
        step()
    runs = [step() for _ in range(repeats)]
    out = {p: 1e3 * statistics.median(r[p] for r in runs) for p in PHASES}
    out["step total"] = 1e3 * statistics.median(sum(r.values()) for r in runs)
    return out


# ---------------------------------------------------------------------------
# the per-op recorder and the wrappers that feed it
# ---------------------------------------------------------------------------
class Recorder:
    """Seconds per (pass, op) and field, for the step being recorded.

    ``frames`` is the stack of op calls in progress; the body, Numba and
    allocation timers add their time to the innermost one.
    """

    def __init__(self) -> None:
        self.ops: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.frames: list[tuple[str, str]] = []
        self.busy = False  # inside a numba/alloc timer: do not time nested calls twice
        self.phase = ""

    def mark(self, phase: str) -> None:
        self.phase = phase

    def add(self, field: str, seconds: float) -> None:
        if self.frames:
            self.ops[self.frames[-1]][field] += seconds

    def op(self, key: tuple[str, str], run: Callable[[], Any]) -> Any:
        """Run one op call under ``key``, recording its total time; nested op time is moved out."""
        self.frames.append(key)
        start = time.perf_counter()
        try:
            return run()
        finally:
            elapsed = time.perf_counter() - start
            self.frames.pop()
            rec = self.ops[key]
            rec["total"] += elapsed
            rec["calls"] += 1
            if self.frames:  # an op called inside another: not the outer op's own time
                outer = self.ops[self.frames[-1]]
                outer["total"] -= elapsed
                outer["body"] -= elapsed


def instrument(rec: Recorder) -> Callable[[], None]:
    """Install the wrappers described in the module docstring; return a function that removes them."""
    import numba

    import minitorch_nn
    from minitorch_nn.autograd import engine
    from minitorch_nn.autograd.function import Function

    undo: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, new: Any) -> None:
        undo.append((owner, name, owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)))
        setattr(owner, name, new)

    def timed_leaf(fn: Callable, field: str) -> Callable:
        """Time calls of ``fn`` made on the main thread, outside another leaf timer, into ``field``."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if rec.busy or threading.get_ident() != MAIN_THREAD:
                return fn(*args, **kwargs)
            rec.busy = True
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                rec.add(field, time.perf_counter() - start)
                rec.busy = False

        return wrapper

    def timed_body(descriptor: Any) -> Any:
        """The same kind of method (static, class or plain) as ``descriptor``, timed into "body"."""
        fn = getattr(descriptor, "__func__", descriptor)

        def body(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                rec.add("body", time.perf_counter() - start)

        return type(descriptor)(body) if isinstance(descriptor, (staticmethod, classmethod)) else body

    # Function.apply: the forward call of every op
    original_apply = Function.__dict__["apply"].__func__

    def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
        return rec.op((rec.phase, cls.__name__), lambda: original_apply(cls, *args, **kwargs))

    patch(Function, "apply", classmethod(apply))

    # each Function's own forward/backward body
    pending = list(Function.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        for name in ("forward", "backward"):
            if name in cls.__dict__:
                patch(cls, name, timed_body(cls.__dict__[name]))

    # the engine's call of one node, and the AccumulateGrad sink
    call_backward, accumulate = engine._call_backward, engine._accumulate

    def engine_call(node: Any, grads: list) -> Any:
        return rec.op((rec.phase, node.name()), lambda: call_backward(node, grads))

    def engine_accumulate(node: Any, g: np.ndarray) -> None:
        def run() -> None:
            start = time.perf_counter()
            accumulate(node, g)
            rec.add("body", time.perf_counter() - start)  # the accumulation is the work itself

        rec.op((rec.phase, "AccumulateGrad"), run)

    patch(engine, "_call_backward", engine_call)
    patch(engine, "_accumulate", engine_accumulate)

    # Numba kernels, wherever a minitorch_nn module holds one
    for mod_name, module in list(sys.modules.items()):
        if module is None or not (mod_name == "minitorch_nn" or mod_name.startswith("minitorch_nn.")):
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, numba.core.registry.CPUDispatcher):
                patch(module, attr, timed_leaf(value, "numba"))

    # NumPy's explicit allocators
    for name in ALLOCATORS:
        patch(np, name, timed_leaf(getattr(np, name), "alloc"))

    assert minitorch_nn  # imported so that every minitorch_nn module is in sys.modules

    def remove() -> None:
        for owner, name, old in reversed(undo):
            setattr(owner, name, old)

    return remove


def profile_ops(
    lib: Any, model_name: str, batch: int, warmup: int, repeats: int
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Per-op rows and per-phase times (median ms over steps) of our engine, instrumented."""
    rec = Recorder()
    step = make_step(lib, model_name, batch, rec.mark)
    for _ in range(warmup):
        step()  # compile everything before NumPy's allocators are wrapped
    remove = instrument(rec)
    per_step: list[dict[tuple[str, str], dict[str, float]]] = []
    phases: list[dict[str, float]] = []
    try:
        step()
        for _ in range(repeats):
            rec.ops.clear()
            phases.append(step())
            per_step.append({k: dict(v) for k, v in rec.ops.items()})
    finally:
        remove()

    def med(key: tuple[str, str], value: Callable[[dict[str, float]], float]) -> float:
        """Median over the steps of ``value(fields of key in that step)``, in ms."""
        return 1e3 * statistics.median(value(defaultdict(float, s.get(key, {}))) for s in per_step)

    rows = []
    for key in dict.fromkeys(k for s in per_step for k in s):
        rows.append(
            {
                "phase": key[0],
                "op": key[1],
                "calls": round(med(key, lambda f: f["calls"]) / 1e3),
                "total": med(key, lambda f: f["total"]),
                "numba": med(key, lambda f: f["numba"]),
                "alloc": med(key, lambda f: f["alloc"]),
                "other": med(key, lambda f: f["body"] - f["numba"] - f["alloc"]),
                "overhead": med(key, lambda f: f["total"] - f["body"]),
            }
        )
    # each phase's time outside op calls: module/functional glue, the engine's graph walk, the optimizer
    for phase in PHASES:
        outside = [
            ph[phase] - sum(v["total"] for k, v in s.items() if k[0] == phase) for s, ph in zip(per_step, phases)
        ]
        rows.append(
            {"phase": phase, "op": "(outside ops)", "calls": 0, "total": 1e3 * statistics.median(outside)}
            | {"numba": 0.0, "alloc": 0.0, "other": 0.0, "overhead": 1e3 * statistics.median(outside)}
        )
    rows.sort(key=lambda r: -r["total"])
    instrumented = {p: 1e3 * statistics.median(r[p] for r in phases) for p in PHASES}
    instrumented["step total"] = 1e3 * statistics.median(sum(r.values()) for r in phases)
    return rows, instrumented


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
def repeats_for(batch: int, quick: bool) -> int:
    n = 60 if batch == 1 else 30 if batch <= 64 else 15
    return max(3, n // 4) if quick else n


def profile_case(model_name: str, batch: int, quick: bool) -> list[str]:
    """The markdown section of one (model, batch) case."""
    import torch

    import minitorch_nn as mt

    repeats, warmup, rounds = repeats_for(batch, quick), 3, 3
    if model_name in VISION_MODELS:  # seconds a step: a few steps, one round
        repeats, warmup, rounds = 3, 1, 1
    # phase totals, the two engines in interleaved rounds so both see the same machine load
    ours_step, torch_step = make_step(mt, model_name, batch), make_step(torch, model_name, batch)
    ours_rounds, torch_rounds = [], []
    for _ in range(rounds):
        torch_rounds.append(phase_medians(torch_step, warmup, repeats))
        ours_rounds.append(phase_medians(ours_step, warmup, repeats))
    plain = {k: statistics.median(r[k] for r in ours_rounds) for k in ours_rounds[0]}
    theirs = {k: statistics.median(r[k] for r in torch_rounds) for k in torch_rounds[0]}
    rows, instrumented = profile_ops(mt, model_name, batch, warmup, repeats)

    title = {"lenet": "Seed LeNet", "cifar": "Seed CIFAR Sequential", "resnet18": "ResNet-18", "vgg11": "VGG-11"}
    title = title[model_name]
    lines = [
        f"## {title}, batch {batch}",
        "",
        "| phase | torch ms | ours ms | ours instrumented ms |",
        "|---|---:|---:|---:|",
    ]
    for phase in (*PHASES, "step total"):
        lines.append(f"| {phase} | {theirs[phase]:.3f} | {plain[phase]:.3f} | {instrumented[phase]:.3f} |")
    step_ms = instrumented["step total"]
    lines += [
        "",
        "| phase | op | calls | total ms | share | numba ms | alloc ms | other body ms | Python overhead ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['phase']} | {r['op']} | {r['calls']} | {r['total']:.3f} | {100 * r['total'] / step_ms:.1f}% "
            f"| {r['numba']:.3f} | {r['alloc']:.3f} | {r['other']:.3f} | {r['overhead']:.3f} |"
        )
    overhead = sum(r["overhead"] for r in rows)
    alloc = sum(r["alloc"] for r in rows)
    lines += [
        "",
        f"Python overhead (autograd wrapper + outside ops): {overhead:.3f} ms = {100 * overhead / step_ms:.0f}% "
        f"of the instrumented step; explicit allocation: {alloc:.3f} ms = {100 * alloc / step_ms:.0f}%.",
        "",
    ]
    print("\n".join(lines), flush=True)
    return lines


def main() -> None:
    import torch

    import minitorch_nn as mt

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the repeats")
    parser.add_argument("--out", default=None, help="default benchmarks/results/profile.md (profile-models.md)")
    parser.add_argument(
        "--models", action="store_true", help="ResNet-18 and VGG-11 on CIFAR inputs at batch 64 instead of the seeds"
    )
    args = parser.parse_args()
    cases = tuple((m, 64) for m in VISION_MODELS) if args.models else CASES
    args.out = args.out or str(ROOT / "benchmarks" / "results" / ("profile-models.md" if args.models else "profile.md"))
    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    command = (
        "python benchmarks/profile_step.py" + (" --quick" if args.quick else "") + (" --models" if args.models else "")
    )
    load = os.getloadavg()[0]
    lines = [
        "# Where the training step's time goes ("
        + ("ResNet-18 and VGG-11, CIFAR inputs, batch 64" if args.models else "seed LeNet and CIFAR Sequential")
        + ")",
        "",
        f"Command: `{command}`. Machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"load average {load:.2f} at the start; Python {platform.python_version()}, NumPy {np.__version__}, "
        f"torch {torch.__version__}. Threads: ours {mt.get_num_threads()}, torch {torch.get_num_threads()}. "
        "float32; SGD lr 0.01 momentum 0.9; CrossEntropyLoss. " + code_version(),
        "",
        (
            "Every figure is a median over 3 steps after 1 warm-up step (one round: a step takes seconds). "
            if args.models
            else f"Every figure is a median over the repeated steps ({repeats_for(1, args.quick)} at batch 1, "
            f"{repeats_for(64, args.quick)} at 64, {repeats_for(256, args.quick)} at 256, after 3 warm-up "
            "steps; phase totals: median of 3 interleaved rounds). "
        )
        + "The per-op split (our engine) comes from wrappers "
        "installed by the script; see its docstring. Columns: *total* = the whole op call (Function.apply for a "
        "forward op, engine._call_backward for a backward node); *numba* = time in Numba kernels called on the "
        "main thread; *alloc* = explicit np.empty/zeros/ones/full(_like) calls; *other body* = the rest of the "
        "op's forward/backward body (NumPy/BLAS, Python lines of the body, waiting for the conv worker threads); "
        "*Python overhead* = total - body (autograd bookkeeping) and, for the *(outside ops)* rows, the phase's "
        "time outside any op call (module __call__, functional checks, the engine's graph walk, the optimizer "
        "loop). *share* = of the instrumented step.",
        "",
    ]
    for model_name, batch in cases:
        lines += profile_case(model_name, batch, args.quick)
    lines.append(
        f"Load average at the end: {os.getloadavg()[0]:.2f} (others share this machine; phase times vary with it)."
    )
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
