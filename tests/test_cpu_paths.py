"""The kernel paths chosen by the CPU (kernels/cpu/cpu_info.py): detection, the override, and every
path forced on this CPU giving float32-exact results (integer-valued data) in the GEMM and the
convolutions that run on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from minitorch_nn.kernels.cpu import conv as conv_kernels
from minitorch_nn.kernels.cpu import cpu_info, gemm

PATHS = sorted(cpu_info.PATHS)


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    """Each kernel path forced for the test (as MINITORCH_CPU_PATH does at import)."""
    chosen = cpu_info.PATHS[request.param]
    monkeypatch.setattr(gemm, "PATH", chosen)
    return chosen


def test_vector_width_from_feature_strings():
    assert cpu_info.vector_bits("+avx,+avx2,+fma,-avx512f") == 256
    assert cpu_info.vector_bits("+avx2,+avx512f,+avx512bw") == 512
    assert cpu_info.vector_bits("+sse2,+sse4.2,-avx") == 128
    assert cpu_info.vector_bits(cpu_info.HASWELL_FEATURES) == 256
    assert cpu_info.isa_name(512) == "AVX-512" and cpu_info.isa_name(256) == "AVX2"


def test_override_picks_each_path_and_rejects_others(monkeypatch):
    for name in PATHS:
        monkeypatch.setenv(cpu_info.PATH_ENV, name)
        assert cpu_info.kernel_path() is cpu_info.PATHS[name]
    monkeypatch.setenv(cpu_info.PATH_ENV, "auto")
    assert cpu_info.kernel_path() is cpu_info.native_path()
    monkeypatch.setenv(cpu_info.PATH_ENV, "avx1024")
    with pytest.raises(ValueError, match="MINITORCH_CPU_PATH='avx1024': expected one of auto, avx512, avx2"):
        cpu_info.kernel_path()


def test_tiles_fit_the_registers():
    # sums + broadcast weights + loaded positions per tap, in vector registers of the path's width
    for name, registers, lanes in (("avx512", 32, 16), ("avx2", 16, 8)):
        p = cpu_info.PATHS[name]
        assert p.rows * p.run // lanes + p.rows + p.run // lanes <= registers


def test_cache_sizes_and_tap_block():
    caches = cpu_info.cache_sizes()
    assert caches["L1"] > 0 and caches["L2"] >= caches["L1"]
    assert gemm._tap_block(48 << 10) == 128 and gemm._tap_block(32 << 10) == 64 and gemm._tap_block(1 << 30) == 256
    assert gemm.TAP_BLOCK == gemm._tap_block(caches["L1"])


def test_emulated_avx2_target_takes_the_avx2_path():
    # a fresh process with Numba held to Haswell (what the benchmarks' --emulate avx2 sets): the
    # vector width comes from Numba's target, not from the CPU
    code = (
        "import json; from minitorch_nn.kernels.cpu import cpu_info as c, gemm as g; "
        "print(json.dumps([c.vector_bits(), c.kernel_path().name, g.PATH.run, c.describe()['isa']]))"
    )
    env = {k: v for k, v in os.environ.items() if k != cpu_info.PATH_ENV}
    env.update(cpu_info.AVX2_EMULATION_ENV)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == [256, "avx2", 16, "AVX2"]
    env[cpu_info.PATH_ENV] = "avx512"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1])[1:3] == ["avx512", 64]


@pytest.mark.parametrize("overwrite", [True, False])
@pytest.mark.parametrize(
    "groups, m, taps, n",
    [(1, 1, 3, 20), (1, 4, 5, 16), (1, 6, 7, 64), (2, 9, 300, 150), (1, 5, 4, 9), (1, 16, 25, 200)]
    # packed panels (PACK_MIN_ROWS rows, PACK_MIN_TAPS taps): a partial last tap block, rows
    # beyond the last tile, runs that end past a whole tile
    + [(1, gemm.PACK_MIN_ROWS + 2, gemm.PACK_MIN_TAPS + 3, 150), (2, gemm.PACK_MIN_ROWS + 1, gemm.PACK_MIN_TAPS, 70)],
)
def test_shifted_gemm_nn_is_exact_on_every_path(path, groups, m, taps, n, overwrite):
    # rows and runs that fill whole tiles, a partial last tile, fewer rows or positions than a
    # tile, more taps than a TAP_BLOCK, and packed panels; integer data: every path must give the exact sums
    rng = np.random.default_rng(m * n + taps)
    A = rng.integers(-3, 4, (groups, m, taps)).astype(np.float32)
    src = rng.integers(-3, 4, 4096).astype(np.float32)
    rows = rng.integers(0, 4096 - n - 40, (groups, taps)).astype(np.int64)
    drows = (np.arange(groups * m, dtype=np.int64) * n).reshape(groups, m)
    bases = np.array([[0, 0], [7, groups * m * n]], dtype=np.int64)
    dst = rng.integers(-3, 4, 2 * groups * m * n).astype(np.float32)
    want = (0 * dst if overwrite else dst).astype(np.float64)
    for sb, db in bases:
        for g in range(groups):
            gathered = np.stack([src[sb + r : sb + r + n] for r in rows[g]]).astype(np.float64)
            prod = A[g].astype(np.float64) @ gathered
            for i in range(m):
                want[db + drows[g, i] : db + drows[g, i] + n] += prod[i]
    gemm.shifted_gemm_nn(A, src, rows, dst, drows, bases, n, overwrite, path=path)
    np.testing.assert_array_equal(dst, want.astype(np.float32))


_PACKED_PRODUCT = """
import sys
import numpy as np
from minitorch_nn.kernels.cpu import gemm
m, taps, n = gemm.PACK_MIN_ROWS + 2, gemm.PACK_MIN_TAPS + 3, 150
rng = np.random.default_rng(0)
A = rng.integers(-3, 4, (1, m, taps)).astype(np.float32)
src = rng.integers(-3, 4, 4096).astype(np.float32)
rows = rng.integers(0, 4096 - n, (1, taps)).astype(np.int64)
drows = (np.arange(m, dtype=np.int64) * n).reshape(1, m)
want = (A[0].astype(np.float64) @ np.stack([src[r : r + n] for r in rows[0]])).reshape(-1).astype(np.float32)
for path in sys.argv[1:]:
    dst = np.zeros(m * n, np.float32)
    gemm.shifted_gemm_nn(A, src, rows, dst, drows, np.zeros((1, 2), np.int64), n, True, path=gemm.cpu_info.PATHS[path])
    print(path, bool(np.array_equal(dst, want)))
"""


def test_tiles_cached_by_one_process_per_path_load_together(tmp_path):
    # one process per path fills an empty Numba cache with its tile; a third loads both: each
    # caller must run its own tile (the factories' closures once shared a compiled name, and the
    # 4 x 64 products of the third process came out wrong)
    env = {k: v for k, v in os.environ.items() if k != cpu_info.PATH_ENV}
    env.update(NUMBA_CACHE_DIR=str(tmp_path), MINITORCH_COMPILE="inline")
    outputs = []
    for paths in (["avx2"], ["avx512"], ["avx2", "avx512"]):
        run = subprocess.run([sys.executable, "-c", _PACKED_PRODUCT, *paths], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        outputs += run.stdout.split()
    assert outputs == ["avx2", "True", "avx512", "True", "avx2", "True", "avx512", "True"]


def _exact_conv(x, w, b, padding):
    """torch's float64 conv2d of integer data, its gradients under an integer upstream gradient."""
    xt, wt, bt = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    y = torch.nn.functional.conv2d(xt, wt, bt, padding=padding)
    g = np.random.default_rng(1).integers(-2, 3, y.shape).astype(np.float32)
    y.backward(torch.tensor(g, dtype=torch.float64))
    return g, [t.detach().numpy().astype(np.float32) for t in (y, xt.grad, wt.grad, bt.grad)]


_LENET2 = (((3, 6, 14, 14), (16, 6, 5, 5)), 0)  # LeNet conv2: 16 rows = 4 tiles, runs of 136 / 30
_K3 = (((4, 5, 12, 21), (6, 5, 3, 3)), 1)  # 3x3: Winograd, or direct when forced
_TWO_BLOCKS = (((2, 13, 9, 9), (5, 13, 5, 5)), 2)  # 325 taps: two tap blocks; 5 rows = a tile and one


@pytest.mark.parametrize(
    "choice, case",
    [
        (choice, case)
        for choice in (("DIRECT_LAYOUT", "wide"), ("DIRECT_LAYOUT", "batch_last"))
        for case in (_LENET2, _K3, _TWO_BLOCKS)
    ]
    + [(("WINOGRAD_PRODUCTS", "ours"), _K3)],
)
def test_convolutions_are_exact_on_every_path(path, choice, case, monkeypatch):
    (xs, ws), padding = case
    rng = np.random.default_rng(sum(xs))
    x = rng.integers(-2, 3, xs).astype(np.float32)
    w = rng.integers(-2, 3, ws).astype(np.float32)
    b = rng.integers(-2, 3, ws[:1]).astype(np.float32)
    g, want = _exact_conv(x, w, b, padding)
    monkeypatch.setattr(conv_kernels, choice[0], choice[1])
    if choice[0] == "DIRECT_LAYOUT":
        monkeypatch.setattr(conv_kernels, "WINOGRAD_MIN_CHANNELS", 1 << 30)  # keep 3x3 on the direct path
    args = ((1, 1, 1), (0, padding, padding), (1, 1, 1), 1)
    y = conv_kernels.conv_forward(x[:, :, None], w[:, :, None], b, *args)
    gx, gw, gb = conv_kernels.conv_backward(x[:, :, None], w[:, :, None], g[:, :, None], *args, True, True, True)
    for got, expected in zip((y[:, :, 0], gx[:, :, 0], gw[:, :, 0], gb), want):
        np.testing.assert_array_equal(got, expected)


def test_benchmark_path_names_follow_the_dispatch(monkeypatch):
    from minitorch_nn.kernels.cpu import pooling

    monkeypatch.setattr(gemm, "PATH", cpu_info.PATHS["avx2"])
    describe = conv_kernels.describe_path
    assert describe((64, 1, 32, 32), (6, 1, 5, 5), 1, 0, 1, 1) == "direct wide, tile 4x16"
    assert describe((64, 64, 32, 32), (64, 64, 3, 3), 1, 1, 1, 1) == "winograd F(4x4, 3x3), products on BLAS"
    assert describe((64, 8, 10, 10), (64, 8, 3, 3), 1, 1, 1, 1) == "winograd, products on BLAS"  # few channels
    assert describe((64, 64, 8, 8), (64, 64, 3, 3), 1, (1, 1), 1, 1) == "winograd F(4x4, 3x3), products on BLAS"
    # a wide 3x3 convolution on a map too small for either Winograd: the direct path
    assert describe((64, 512, 4, 4), (512, 512, 3, 3), 1, (1, 1), 1, 1).startswith("direct ")
    assert describe((64, 3, 32, 32), (64, 3, 7, 7), 2, 3, 1, 1) == "im2col, BLAS"
    assert describe((2, 4, 9, 9), (4, 4, 5, 5), 1, 0, 1, 1, np.float64) == "im2col, BLAS"
    assert pooling.describe_path("max", (64, 6, 28, 28), 2).startswith("max 2x2 tiling")
    assert pooling.describe_path("max", (2, 2, 32, 32), 3, 2, 1) == "max grid, 1 thread"
    assert pooling.describe_path("avg", (2, 2, 4, 4), 3, 2, 1) == "avg windows, 1 thread"


def test_bench_summary_describes_the_cpu():
    from minitorch_nn.cli import bench

    info = bench.machine(2, "cpu")
    text = bench.summary(info, [{"ratio": 1.5}, {"ratio": 0.5}])
    assert info["cpu"] in text and "2 threads for both engines" in text
    assert cpu_info.isa_name() in text and f"kernel path {cpu_info.kernel_path().name}" in text
    assert "NumPy BLAS:" in text and f"torch {torch.__version__}:" in text and "1 of 2 cases" in text
    assert list(bench.SUITES[:4]) == ["conv", "pooling", "step", "models"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "xs, ws, stride, padding, dilation, cut",
    [
        ((3, 5, 1, 1), (4, 5, 3, 3), 1, 1, 1, True),  # ResNet's last stage on CIFAR: only the centre tap is live
        ((3, 4, 2, 2), (6, 4, 3, 3), 2, 1, 1, True),  # stride 2 onto 1x1: taps 1..2 live, the cut is one-sided
        ((2, 3, 1, 3), (2, 3, 5, 5), 1, 2, 1, True),  # rows cut, columns kept
        ((2, 3, 2, 2), (2, 3, 3, 3), 1, 2, 2, True),  # dilation 2: only the centre tap reaches the input
        ((2, 3, 4, 4), (2, 3, 3, 3), 1, 1, 1, False),  # every tap reads the input somewhere: nothing cut
    ],
)
def test_taps_that_read_only_padding_are_dropped_exactly(xs, ws, stride, padding, dilation, cut, dtype):
    import minitorch_nn as mt

    rng = np.random.default_rng(sum(xs) + sum(ws))
    x, w, b = (rng.integers(-2, 3, s).astype(dtype) for s in (xs, ws, ws[:1]))
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = torch.nn.functional.conv2d(*tensors, stride=stride, padding=padding, dilation=dilation)
    g = rng.integers(-2, 3, tuple(y.shape)).astype(dtype)
    y.backward(torch.tensor(g))
    ours = [mt.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = mt.nn.functional.conv2d(*ours, stride=stride, padding=padding, dilation=dilation)
    out.backward(mt.tensor(g))
    np.testing.assert_array_equal(out.detach().numpy(), y.detach().numpy())
    for mine, theirs in zip(ours, tensors):
        np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())
    live = conv_kernels._live_taps(
        (1,) + xs[2:], (1,) + ws[2:], (1, stride, stride), (0, padding, padding), (1, dilation, dilation)
    )
    assert (live is not None) == cut


# LLVM's names for an AVX-512 Xeon (which Intel tunes to prefer 256-bit vectors) and AVX2's Haswell
_AVX512_TARGET = {"NUMBA_CPU_NAME": "icelake-server", "NUMBA_CPU_FEATURES": cpu_info.HASWELL_FEATURES.split(",-")[0]}
_AVX512_TARGET["NUMBA_CPU_FEATURES"] += ",+avx512f,+avx512bw,+avx512cd,+avx512dq,+avx512vl,+evex512"


@pytest.mark.parametrize(
    "target, register, lanes",
    [
        (_AVX512_TARGET, "zmm", 16),
        ({k: cpu_info.AVX2_EMULATION_ENV[k] for k in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")}, "ymm", 8),
    ],
)
def test_kernels_compile_to_the_targets_full_vector_width(target, register, lanes, tmp_path):
    # compiled (never run) in a fresh process for each target, so this holds on any x86 CPU: the
    # tile's and the NT kernel's multiply-adds use the widest registers (on an Intel AVX-512 core
    # LLVM would pick ymm without the kernels' "prefer-vector-width" attribute)
    code = (
        "import json, re; from minitorch_nn.kernels.cpu import gemm, cpu_info; "
        "from minitorch_nn.kernels.cpu.conv import _GEMM_NN, _GEMM_NT\n"
        "counts = {}\n"
        "for kernel, signature in (_GEMM_NN, _GEMM_NT):\n"
        "    kernel.compile(signature)\n"
        "tile = gemm._tile4x64 if cpu_info.native_path().run == 64 else gemm._tile4x16\n"
        "for name, kernel in (('tile', tile), ('nt', gemm._nt_tile4)):\n"
        "    asm = kernel.inspect_asm(kernel.signatures[0])\n"
        "    fmas = [line for line in asm.splitlines() if 'vfmadd' in line]\n"
        "    counts[name] = [len(fmas), sum('zmm' in f for f in fmas), sum('ymm' in f for f in fmas)]\n"
        "print(json.dumps([cpu_info.native_path().run, counts]))"
    )
    env = {k: v for k, v in os.environ.items() if k != cpu_info.PATH_ENV}
    env.update(target, NUMBA_CACHE_DIR=str(tmp_path), MINITORCH_COMPILE="inline")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    run, counts = json.loads(out.stdout.splitlines()[-1])
    assert run == cpu_info.PATHS["avx512" if register == "zmm" else "avx2"].run
    for name, (fmas, zmm, ymm) in counts.items():
        # the vector loops are wide (the rest: scalar remainders on xmm, the final reductions)
        assert fmas > 0 and (zmm > ymm if register == "zmm" else zmm == 0 < ymm), (name, fmas, zmm, ymm)
