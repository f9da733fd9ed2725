"""The cold path (kernels/cpu/jit.py): the NumPy paths that run while a kernel group compiles in
the background give the kernels' results and torch's; a step calls the kernels with the argument
types the groups declare; a process with an empty Numba cache trains, hands over to the compiled
kernels and leaves a cache from which the next process compiles nothing; a compile process that
fails, dies or cannot start leaves training going; Numba's cache has a writable home even where
the package folder and the user's cache folder are read-only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch_nn as mt
import minitorch_nn.nn.functional as F
from minitorch_nn.kernels.cpu import conv as conv_kernels
from minitorch_nn.kernels.cpu import jit
from minitorch_nn.kernels.cpu.workers import WORKERS

ROOT = Path(__file__).resolve().parents[1]


def _conv_pass(x: np.ndarray, w: np.ndarray, b: np.ndarray, gy: np.ndarray, padding: int) -> list[np.ndarray]:
    """[y, grad x, grad w, grad b] of conv2d under upstream gradient gy, in minitorch_nn."""
    xt, wt, bt = (mt.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xt, wt, bt, padding=padding)
    y.backward(mt.tensor(gy))
    return [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]


def _torch_conv_pass(x, w, b, gy, padding: int) -> list[np.ndarray]:
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = torch.nn.functional.conv2d(xt, wt, bt, padding=padding)
    y.backward(torch.tensor(gy))
    return [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]


CONV_CASES = {
    # (x shape, w shape, padding, forced layout / products, the kernel groups the kernel path uses)
    "wide": ((2, 1, 12, 12), (6, 1, 5, 5), 0, ("DIRECT_LAYOUT", "wide"), ("conv-wide-forward", "conv-wide-backward")),
    "batch-last": (
        (3, 6, 9, 9),
        (16, 6, 5, 5),
        1,
        ("DIRECT_LAYOUT", "batch_last"),
        ("conv-batch-last-forward", "conv-batch-last-backward"),
    ),
    "winograd-numpy-products": (
        (2, 4, 7, 6),
        (5, 4, 3, 3),
        1,
        ("WINOGRAD_PRODUCTS", "numpy"),
        ("conv-winograd-forward", "conv-winograd-backward"),
    ),
    "winograd F(4x4, 3x3)": (
        (2, 4, 9, 10),
        (5, 4, 3, 3),
        1,
        ("WINOGRAD43_MIN_CHANNELS", 1),
        ("conv-winograd43",),
    ),
    "winograd-our-products": (
        (2, 4, 7, 6),
        (5, 4, 3, 3),
        2,
        ("WINOGRAD_PRODUCTS", "ours"),
        ("conv-winograd-forward-gemm", "conv-winograd-backward-gemm"),
    ),
}


@pytest.mark.parametrize("case", list(CONV_CASES))
def test_conv_numpy_path_gives_the_kernel_path_and_torch(case, monkeypatch):
    xs, ws, padding, (switch, value), names = CONV_CASES[case]
    monkeypatch.setattr(conv_kernels, switch, value)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32)
    w = (rng.standard_normal(ws) / np.sqrt(np.prod(ws[1:]))).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32)
    out_shape = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=padding).shape
    gy = rng.standard_normal(out_shape).astype(np.float32)
    expected = _torch_conv_pass(x, w, b, gy, padding)
    with jit.forced("off"):
        fallback = _conv_pass(x, w, b, gy, padding)
        assert not any(jit.GROUPS[n].usable for n in names)  # the kernels were never allowed to run
    with jit.forced("inline"):
        kernel = _conv_pass(x, w, b, gy, padding)
        assert all(jit.GROUPS[n].usable for n in names)  # this very path ran its kernels
    for ours, numpy_path, theirs in zip(kernel, fallback, expected):
        assert ours.dtype == numpy_path.dtype == np.float32
        np.testing.assert_allclose(numpy_path, theirs, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(numpy_path, ours, rtol=1e-4, atol=1e-4)


POOL_CASES = {
    "max 2x2 tiling": (
        lambda lib, x: lib.nn.functional.max_pool2d(x, 2),
        ("pool-max-2x2-forward", "pool-max-backward"),
    ),
    "max 3, stride 1, padding 1": (
        lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 1, 1),
        ("pool-max-grid-forward", "pool-max-backward"),
    ),
    "max 3, stride 2, padding 1": (
        lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1),
        ("pool-max-forward", "pool-max-backward"),
    ),
    "avg 2": (lambda lib, x: lib.nn.functional.avg_pool2d(x, 2), ("pool-avg-2x2",)),
    "avg 3, stride 1": (
        lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 1),
        ("pool-avg-grid-forward", "pool-avg-grid-backward"),
    ),
    "avg 3, stride 2, padding 1, ceil": (
        lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
        ("pool-avg-forward", "pool-avg-backward"),
    ),
}


@pytest.mark.parametrize("case", list(POOL_CASES))
def test_pooling_numpy_path_gives_the_kernel_path_and_torch(case):
    call, names = POOL_CASES[case]
    rng = np.random.default_rng(1)
    # distinct values: no ties, so every path picks the same maximum
    x = rng.permutation(2 * 3 * 8 * 6).reshape(2, 3, 8, 6).astype(np.float32) / 7
    xt = torch.tensor(x, requires_grad=True)
    yt = call(torch, xt)
    gy = rng.standard_normal(yt.shape).astype(np.float32)
    yt.backward(torch.tensor(gy))
    results = {}
    for chosen in ("off", "inline"):
        with jit.forced(chosen):
            xm = mt.tensor(x, requires_grad=True)
            ym = call(mt, xm)
            ym.backward(mt.tensor(gy))
            results[chosen] = (ym.detach().numpy(), xm.grad.numpy())
            assert all(jit.GROUPS[n].usable for n in names) == (chosen == "inline")
    for y, gx in results.values():
        assert y.dtype == gx.dtype == np.float32
        np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    if case.startswith("max"):  # the same maxima, so the same values bit for bit
        np.testing.assert_array_equal(results["off"][0], results["inline"][0])
    if case == "max 2x2 tiling":  # and, without overlapping windows, the same gradient (no sums)
        np.testing.assert_array_equal(results["off"][1], results["inline"][1])


def test_max_pool_indices_are_the_same_on_both_paths():
    rng = np.random.default_rng(2)
    x = mt.tensor(rng.standard_normal((2, 2, 7, 7)).astype(np.float32))
    with jit.forced("off"):
        _, numpy_indices = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    with jit.forced("inline"):
        _, kernel_indices = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    _, torch_indices = torch.nn.functional.max_pool2d(torch.tensor(x.numpy()), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(numpy_indices.numpy(), kernel_indices.numpy())
    np.testing.assert_array_equal(numpy_indices.numpy(), torch_indices.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_numpy_path_is_the_kernel_bit_for_bit(dtype):
    x = np.array([-1.5, -0.0, 0.0, 2.0, np.nan, np.inf, -np.inf, 3.0], dtype=dtype)
    gy = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.nan, 7.0, -8.0], dtype=dtype)
    results = {}
    for chosen in ("off", "inline"):
        with jit.forced(chosen):
            xm = mt.tensor(x, requires_grad=True)
            y = F.relu(xm)
            y.backward(mt.tensor(gy))
            results[chosen] = (y.detach().numpy(), xm.grad.numpy())
            assert jit.GROUPS["relu"].usable == (chosen == "inline")
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.relu(xt)
    yt.backward(torch.tensor(gy))
    for y, gx in results.values():
        assert y.dtype == gx.dtype == dtype
        np.testing.assert_array_equal(y, yt.detach().numpy())
        np.testing.assert_array_equal(np.signbit(y), np.signbit(yt.detach().numpy()))  # -0.0 stays -0.0
        np.testing.assert_array_equal(gx, xt.grad.numpy())


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_sgd_numpy_path_is_the_kernel_bit_for_bit(dtype):
    rng = np.random.default_rng(3)
    start = rng.standard_normal((4, 5))
    grads = [rng.standard_normal((4, 5)) for _ in range(3)]
    results = {}
    for chosen in ("off", "inline"):
        with jit.forced(chosen):
            p = mt.nn.Parameter(mt.tensor(start, dtype=dtype))
            opt = mt.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
            for g in grads:
                p.grad = mt.tensor(g, dtype=dtype)
                opt.step()
            results[chosen] = p.detach().numpy().copy()
            assert jit.GROUPS["sgd"].usable == (chosen == "inline")
    np.testing.assert_array_equal(results["off"], results["inline"])


def test_worker_pool_runs_in_the_caller_until_its_kernels_are_compiled():
    mt.set_num_threads(2)
    import threading

    names = lambda _: threading.current_thread().name  # noqa: E731
    with jit.forced("off"):
        assert set(WORKERS.map(names, list(range(4)))) == {threading.current_thread().name}
    with jit.forced("inline"):
        ran_on = WORKERS.map(names, list(range(4)))
    assert len(set(ran_on)) == 2  # the caller and one pool thread


def _lenet_step(batch: int) -> None:
    from minitorch_nn.models import build

    mt.manual_seed(batch)
    model = build("lenet", mt, in_channels=1)
    opt = mt.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = mt.randn(batch, 1, 32, 32), mt.randint(0, 10, (batch,))
    for _ in range(2):  # the second step runs the momentum kernel
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_the_kernels_are_called_with_the_declared_argument_types(monkeypatch):
    """A training step (LeNet at batch 16 and 64: wide and batch-last), 3x3 convolutions (both
    Winograd variants), every pooling and ReLU in both dtypes add no signature to any grouped
    kernel beyond those its groups declare: the background compile is exactly what runs."""
    declared: dict = {}
    for group in jit.GROUPS.values():
        for kernel, signature in group.kernels:
            declared.setdefault(kernel, set()).add(signature)
    before = {kernel: set(kernel.overloads) for kernel in declared}
    mt.set_num_threads(2)
    with jit.forced("inline"):
        _lenet_step(16)
        _lenet_step(64)
        for products in ("ours", "numpy"):
            monkeypatch.setattr(conv_kernels, "WINOGRAD_PRODUCTS", products)
            x = mt.randn(2, 3, 6, 6, requires_grad=True)
            w = mt.randn(4, 3, 3, 3, requires_grad=True)
            F.conv2d(x, w, padding=1).sum().backward()
        for dtype in (mt.float32, mt.float64):
            x = mt.randn(2, 3, 8, 8, dtype=dtype, requires_grad=True)
            (F.max_pool2d(x, 2) + 0).sum().backward()
            (F.max_pool2d(x, 3, 1) + 0).sum().backward()
            (F.avg_pool2d(x, 3, 2) + 0).sum().backward()
            (F.max_pool2d(x, 3, 2, 1) + 0).sum().backward()
            (F.avg_pool2d(x, 2) + 0).sum().backward()
            (F.avg_pool2d(x, 3, 1) + 0).sum().backward()
            F.batch_norm(x, None, None, training=True).sum().backward()
            F.relu(x).sum().backward()
            p = mt.nn.Parameter(mt.randn(3, dtype=dtype))
            opt = mt.optim.SGD([p], lr=0.1, momentum=0.9)
            for _ in range(2):
                p.grad = mt.ones(3, dtype=dtype)
                opt.step()
    for kernel, signatures in declared.items():
        added = set(kernel.overloads) - before[kernel]
        assert added <= signatures, f"{kernel.__name__} was called with {added - signatures}"
        assert signatures <= set(kernel.overloads), f"{kernel.__name__} never ran with {signatures}"


# A fresh process: the default train's model and optimizer, LeNet at batch 16 on fixed data, two
# steps; then it waits for the background compile and runs two more. It reports its losses, the
# groups usable after each pair of steps and every function Numba compiled in this process.
CHILD = """
import json, sys
import numpy as np
import numba.core.event as event

compiled = []


class Compiles(event.Listener):
    def on_start(self, e):
        pass

    def on_end(self, e):
        function = e.data["dispatcher"].py_func
        compiled.append(f"{function.__module__}.{function.__qualname__}")


event.register("numba:compile", Compiles())
import minitorch_nn as mt
from minitorch_nn.kernels.cpu import jit
from minitorch_nn.models import build

mt.set_num_threads(2)
mt.manual_seed(0)
model = build("lenet", mt, in_channels=1)
opt = mt.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
rng = np.random.default_rng(0)
x = mt.tensor(rng.standard_normal((16, 1, 32, 32)).astype(np.float32))
y = mt.tensor(rng.integers(0, 10, 16))
losses = []


def step():
    loss = mt.nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())


usable = lambda: sorted(n for n, g in jit.GROUPS.items() if g.usable)
step(); step()
early = usable()
answered = jit.wait_for_compiles(float(sys.argv[1]))
step(); step()
print(json.dumps({"losses": losses, "early": early, "late": usable(), "answered": answered, "compiled": compiled}))
"""

LENET_GROUPS = {
    "conv-wide-forward",
    "conv-wide-backward",
    "pool-max-2x2-forward",
    "pool-max-backward",
    "relu",
    "sgd",
    "workers",
}


def _child(cache: Path, timeout: float = 300) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), MINITORCH_COMPILE="background", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(timeout)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def _reference_losses() -> list[float]:
    """The same four steps in this process, kernels compiled inline."""
    from minitorch_nn.models import build

    mt.set_num_threads(2)
    mt.manual_seed(0)
    model = build("lenet", mt, in_channels=1)
    opt = mt.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    rng = np.random.default_rng(0)
    x = mt.tensor(rng.standard_normal((16, 1, 32, 32)).astype(np.float32))
    y = mt.tensor(rng.integers(0, 10, 16))
    losses = []
    with jit.forced("inline"):
        for _ in range(4):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses


def test_a_process_with_an_empty_cache_trains_then_hands_over_and_the_next_compiles_nothing(tmp_path):
    cold = _child(tmp_path)
    # the first steps ran on NumPy (nothing of the step was in the cache) ...
    assert not LENET_GROUPS & set(cold["early"])
    # ... the compile process answered, and the next steps loaded its kernels
    assert cold["answered"] and LENET_GROUPS <= set(cold["late"])
    # the training process compiled only the random kernels of the weights' initialisation (they
    # have no NumPy twin: torch's streams bit for bit); every kernel of the step came from the background
    assert cold["compiled"] and all(name.startswith("minitorch_nn.kernels.cpu.random.") for name in cold["compiled"])
    reference = _reference_losses()
    np.testing.assert_allclose(cold["losses"], reference, rtol=1e-4)
    assert cold["losses"][-1] < cold["losses"][0]
    warm = _child(tmp_path)
    assert LENET_GROUPS <= set(warm["early"])  # straight from the cache, from the first step
    assert warm["compiled"] == []  # the declared signatures are the ones the step calls
    np.testing.assert_allclose(warm["losses"], reference, rtol=1e-4)


class _Compiler(jit._Compiler):
    """A compile process that runs ``code`` instead of compiling."""

    def __init__(self, code: str | None) -> None:
        super().__init__()
        self.code = code

    def command(self) -> list[str]:
        return ["/nonexistent/python"] if self.code is None else [sys.executable, "-c", self.code]


def _run_with_compiler(monkeypatch, code: str | None) -> tuple[list[str], list[np.ndarray]]:
    """ReLU forward and backward in background mode on an empty cache (simulated), the compile
    process replaced by ``code``: before its answer, after it. The warnings raised, and the results."""
    monkeypatch.setattr(jit, "_COMPILER", _Compiler(code))
    monkeypatch.setattr(jit, "_load", lambda kernel, signature: False)  # nothing in the cache
    monkeypatch.setattr(jit, "_warned", set())
    x = np.array([-1.0, 2.0, -0.0, 3.0], np.float32)
    results = []
    with warnings.catch_warnings(record=True) as caught, jit.forced("background"):
        warnings.simplefilter("always")
        group = jit.GROUPS["relu"]
        results.append(F.relu(mt.tensor(x)).numpy())
        assert jit.wait_for_compiles(60)
        results.append(F.relu(mt.tensor(x)).numpy())
        assert group.usable  # given up on the background: the kernel compiles (or loads) here
    return [str(w.message) for w in caught], results


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("import sys; sys.exit(3)", "exited (code 3)"),
        ("import sys; name = sys.stdin.readline().strip(); print('failed', name, 'LoweringError: boom')", "boom"),
        # a process that exits cleanly without answering (as an idle one does): asked again, then given up
        ("import sys; sys.stdin.readline()", "exited (code 0)"),
        (None, "could not start"),
    ],
)
def test_a_failed_background_compile_leaves_training_going(monkeypatch, code, said):
    messages, results = _run_with_compiler(monkeypatch, code)
    assert any(said in m for m in messages), messages
    for y in results:
        np.testing.assert_array_equal(y, np.array([0.0, 2.0, -0.0, 3.0], np.float32))


def test_compile_processes_take_turns(monkeypatch, tmp_path):
    """While another compile process holds the user's lock, a new one answers nothing; then it does."""
    import fcntl
    import tempfile
    import time

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    compiler = jit._Compiler()
    path = os.path.join(tempfile.gettempdir(), f"minitorch_nn-compile-{os.getuid()}.lock")
    with jit.forced("background"), open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            assert compiler.request("relu")
            pid = str(compiler.process.pid)
            deadline = time.monotonic() + 300
            # until the process blocks on the lock (Linux lists a blocked waiter with "->" in
            # /proc/locks) or, were the lock not taken, answers
            while not any(
                "->" in line and pid in line.split() for line in Path("/proc/locks").read_text().splitlines()
            ):
                compiler.poll()
                assert compiler.waiting == ["relu"] and time.monotonic() < deadline
                time.sleep(0.05)
            time.sleep(0.5)
            compiler.poll()
            assert compiler.waiting == ["relu"]
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
        deadline = time.monotonic() + 300
        while compiler.waiting and time.monotonic() < deadline:
            compiler.poll()
            time.sleep(0.05)
        assert not compiler.waiting and jit.GROUPS["relu"].state == "done"
        compiler._reap()
    assert list(tmp_path.rglob("elementwise._relu_forward-*.nbi"))


def test_a_numba_without_the_cache_internals_compiles_in_the_process(monkeypatch):
    """``_load`` reads Numba's internals; where they differ, the kernels compile at their call."""

    def broken(kernel, signature):
        raise AttributeError("'CPUDispatcher' object has no attribute '_cache'")

    monkeypatch.setattr(jit, "_load", broken)
    monkeypatch.setattr(jit, "_warned", set())
    monkeypatch.setattr(jit, "_COMPILER", jit._Compiler())
    with jit.forced("background"), pytest.warns(RuntimeWarning, match="cannot read Numba's cache ahead of a call"):
        y = F.relu(mt.tensor(np.array([-1.0, 2.0], np.float32))).numpy()
        assert jit.GROUPS["relu"].usable and jit._COMPILER.process is None  # no compile process
    np.testing.assert_array_equal(y, [0.0, 2.0])


def test_an_unknown_mode_warns_and_compiles_in_the_background(monkeypatch):
    monkeypatch.setenv(jit.MODE_VARIABLE, "eager")
    monkeypatch.setattr(jit, "_warned", set())
    with pytest.warns(RuntimeWarning, match="'eager' is not one of background, inline, off"):
        assert jit.mode() == "background"
    with pytest.raises(ValueError, match="mode must be one of"):
        with jit.forced("eager"):
            pass


def _copy_package(site: Path) -> Path:
    """minitorch_nn copied as an installed package would be (outside the checkout, no caches)."""
    shutil.copytree(ROOT / "minitorch_nn", site / "minitorch_nn", ignore=shutil.ignore_patterns("__pycache__"))
    return site / "minitorch_nn"


INSTALLED_CHILD = """
import json
import numba, numba.core.event as event
import numpy as np
compiled = []
class Compiles(event.Listener):
    def on_start(self, e):
        pass
    def on_end(self, e):
        compiled.append(e.data["dispatcher"].py_func.__qualname__)
event.register("numba:compile", Compiles())
import minitorch_nn as mt
mt.relu(mt.tensor(np.array([-1.0, 2.0], np.float32)))
print(json.dumps({"file": mt.__file__, "cache_dir": numba.config.CACHE_DIR, "compiled": compiled}))
"""


def _installed_child(site: Path, **env: str) -> dict:
    full = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "PYTHONPATH")}
    full.update(env, PYTHONPATH=str(site), MINITORCH_COMPILE="inline")
    out = subprocess.run(
        [sys.executable, "-c", INSTALLED_CHILD], env=full, cwd=site, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_an_installed_package_caches_next_to_its_source(tmp_path):
    package = _copy_package(tmp_path / "site")
    first = _installed_child(tmp_path / "site")
    assert first["file"].startswith(str(package)) and first["cache_dir"] == ""
    assert "_relu_forward" in first["compiled"]
    assert list((package / "kernels" / "cpu" / "__pycache__").glob("elementwise._relu_forward-*.nbi"))
    assert _installed_child(tmp_path / "site")["compiled"] == []  # loaded from there


def test_read_only_cache_folders_fall_back_to_the_temporary_folder(tmp_path):
    package = _copy_package(tmp_path / "site")
    # nothing can be made where Numba would cache: the __pycache__ folders are files, and so is
    # the parent of the user's cache folder (root can write into read-only folders; not into a file)
    for folder in (package / "kernels" / "cpu", package / "kernels" / "cpu" / "conv"):
        (folder / "__pycache__").write_text("")
    (tmp_path / "not-a-folder").write_text("")
    env = {"XDG_CACHE_HOME": str(tmp_path / "not-a-folder" / "cache"), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    first = _installed_child(tmp_path / "site", **env)
    fallback = tmp_path / "tmp" / f"minitorch_nn-numba-cache-{os.getuid()}"
    assert first["cache_dir"] == str(fallback)
    assert "_relu_forward" in first["compiled"]
    assert list(fallback.rglob("elementwise._relu_forward-*.nbi"))
    assert _installed_child(tmp_path / "site", **env)["compiled"] == []


WARM_CHILD = """
import numpy as np
import minitorch_nn as mt
from minitorch_nn.kernels.cpu import jit
mt.relu(mt.tensor(np.array([-1.0, 2.0], np.float32)))
mt.set_num_threads(2)
from minitorch_nn.kernels.cpu.workers import WORKERS
WORKERS.map(abs, [1, 2])
print(jit.GROUPS["relu"].usable, jit.GROUPS["workers"].usable, jit.GROUPS["sgd"].usable)
"""


def test_warmup_fills_the_cache_the_next_process_loads_at_once(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT), MINITORCH_COMPILE="background")
    command = [sys.executable, "-m", "minitorch_nn", "warmup", "--only", "relu,workers"]
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "relu " in out.stdout and "workers" in out.stdout and str(tmp_path) in out.stdout
    warm = subprocess.run([sys.executable, "-c", WARM_CHILD], env=env, cwd=ROOT, capture_output=True, text=True)
    assert warm.stdout.split() == ["True", "True", "False"], warm.stderr  # loaded at the first call; sgd never ran
    bad = subprocess.run([*command[:-1], "relu,nope,pool"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown kernel group(s) nope, pool" in bad.stderr
