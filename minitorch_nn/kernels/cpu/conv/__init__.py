# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""Convolution kernels: which algorithm runs a convolution, chosen by dtype and shape.

    y[n, o, z] = sum_{c, k} w[o, c, k] x_padded[n, c, z*stride + k*dilation] + bias[o]

Four algorithms, one file each (each file opens with its math):

- ``winograd43.py``: Winograd F(4x4, 3x3), for the same 3x3 convolutions with 16 or more channels
  in and out on maps of 64 outputs or more: 4x fewer multiplies than a direct product.
- ``winograd.py``: Winograd F(2x2, 3x3), for float32 2-d 3x3 kernels with stride 1, no
  dilation or groups and padding <= 2 (wide ones on maps of 100 outputs or more, ones with fewer
  than 16 input channels on maps under 144 outputs): 2.25x fewer multiplies than a direct product.
- ``direct.py``: shifted-row GEMMs for every other float32 stride-1 convolution, the batch-last
  layout or per-sample wide rows, whichever gives the longer runs (``_use_wide``).
- ``im2col.py``: everything else (stride > 1, and all of float64, the checking dtype): a strided
  copy into a column matrix and NumPy's matmul, no compile time.

All of them see 5-d arrays (N, C, D, H, W) and 3-tuples (``ops/conv.py`` views conv1d and conv2d
as 3-d). The module-level switches below force a choice (the tests and benchmarks use them to
run every path over the whole argument space). Before any of them, kernel taps that read only
zero padding are cut off (``_live_taps``: a 3x3 kernel on a 1x1 map is a 1x1 kernel), and wide
3x3 convolutions on small maps skip Winograd (WINOGRAD_MIN_OUTPUT). ``describe_path`` names the
path a shape takes, for the benchmark tables; the GEMM tile is the CPU's (gemm.py, cpu_info.py).
A float32 path whose Numba kernels are not compiled yet runs as im2col meanwhile (the kernel
groups at the end of this file, ``../jit.py``).
"""

from __future__ import annotations

import functools

import numpy as np
from numba import types

from .. import gemm
from ..gemm import shifted_gemm_nt
from ..jit import KernelGroup, array
from . import direct, im2col, winograd, winograd43
from .common import _sample_blocks, output_size
from .direct import _padded_and_output, _wide_run
from .im2col import fold, unfold

# 3x3 convolutions with at least this C_in * C_out use Winograd F(2x2, 3x3)...
WINOGRAD_MIN_CHANNELS = 1
# ...unless they are wide (C_in * C_out >= WINOGRAD_WIDE) on a small map (fewer than
# WINOGRAD_MIN_OUTPUT outputs per sample), as ResNet's and VGG's last stages on CIFAR: there the
# 2x2 tiles of a 8x8 or smaller map are few and mostly padding, and the direct path ran 1.3-2.8x
# faster (64 channels at 8x8 ... 512 at 1x1, forward+backward, batch 64); from 16x16 up
# Winograd ran 2x faster than direct.
WINOGRAD_WIDE = 64 * 64
WINOGRAD_MIN_OUTPUT = 100
# ...and narrow inputs (fewer than WINOGRAD_MIN_IN_CHANNELS channels, as an RGB stem: VGG's
# first conv) on maps of WINOGRAD_NARROW_OUTPUT outputs or more per sample skip it too: the 16
# products are then (O, C) @ (C, tiles) with C of 3 to 8, memory-bound, and the direct wide path
# ran 1.6-2.8x faster forward+backward (3 and 8 channels at 12x12 ... 32x32); from 16 channels up
# Winograd was faster again.
WINOGRAD_MIN_IN_CHANNELS = 16
WINOGRAD_NARROW_OUTPUT = 144

# Winograd convolutions with at least this many input and output channels take F(4x4, 3x3)
# (winograd43.py): 36 products per 16 outputs instead of 64. With fewer channels the products are
# too small a share of the time for that to pay for its larger transforms (and its rounding, ~3
# bits more than F(2x2, 3x3)'s).
WINOGRAD43_MIN_CHANNELS = 16
# ...and at least this many outputs per sample: on an 8x8 map its forward ran 1.5x faster than the
# direct path and its weight gradient 1.4x (256 channels, batch 64); on a 4x4 map (one tile a
# sample) no faster.
WINOGRAD43_MIN_OUTPUT = 64

# Layout of the stride-1 direct path: "auto" picks by shape (``_use_wide``); the tests force
# "wide" or "batch_last" to check both over the whole argument space.
DIRECT_LAYOUT = "auto"

# A sample's wide run at least this long is long enough for the GEMM kernels on its own.
WIDE_MIN_RUN = 256

# Where Winograd's 16 products run: on our register-tiled GEMM (gemm.py, "ours") or NumPy's
# matmul ("numpy"); the tests force each in turn. "auto" is NumPy: on an AMD EPYC (Zen 5) ours
# matched OpenBLAS's AVX-512 kernels and beat its Haswell ones, but on an Intel Xeon (AVX-512)
# OpenBLAS's SkylakeX kernels ran them 1.4-2.7x faster (64 to 512 channels), and under AVX2
# emulation its Haswell kernels 1.1-2.6x faster than our 4 x 16 tile.
WINOGRAD_PRODUCTS = "auto"


def conv_forward(x, weight, bias, stride, padding, dilation, groups) -> np.ndarray:
    """y (N, O, *osize) = conv(x (N, C, D, H, W), weight (O, C/g, kd, kh, kw)) + bias."""
    crop = _live_taps(x.shape[2:], weight.shape[2:], tuple(stride), tuple(padding), tuple(dilation))
    if crop is not None:  # taps that read only padding dropped (see _live_taps)
        weight, padding = weight[(slice(None), slice(None), *crop[0])], crop[1]
    if x.dtype == np.float32:  # the Numba paths are for float32 only (see im2col.py)
        if _winograd43_fits(x, weight, stride, padding, dilation, groups) and (
            _WINOGRAD43.usable or _WINOGRAD43.ready()
        ):
            return winograd43.forward(x, weight, bias, padding)
        if _winograd_fits(x, weight, stride, padding, dilation, groups):
            ours = _products_on_our_gemm()
            group = _WINOGRAD_FORWARD[ours]
            if group.usable or group.ready():
                return winograd.forward(x, weight, bias, padding, ours)
        elif all(s == 1 for s in stride):
            blocks = _sample_blocks(x.shape[0])
            if _use_wide(x.shape[1:], weight.shape[2:], padding, dilation, blocks[-1][1] - blocks[-1][0]):
                if _WIDE_FORWARD.usable or _WIDE_FORWARD.ready():
                    return direct.forward_wide(x, weight, bias, padding, dilation, groups)
            elif _BATCH_LAST_FORWARD.usable or _BATCH_LAST_FORWARD.ready():
                return direct.forward_batch_last(x, weight, bias, padding, dilation, groups, blocks)
    return im2col.forward(x, weight, bias, stride, padding, dilation, groups)


def conv_backward(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight, need_bias=False):
    """(grad x, grad weight, grad bias) of ``conv_forward`` for upstream gradient gout (N, O, *osize).

    A gradient not asked for is None; grad bias is only computed alongside one of the others.
    """
    crop = _live_taps(x.shape[2:], weight.shape[2:], tuple(stride), tuple(padding), tuple(dilation))
    if crop is not None:  # the dropped taps read only padding: their weight gradient is zero
        taps = (slice(None), slice(None), *crop[0])
        gx, gw_live, gb = conv_backward(
            x,
            np.ascontiguousarray(weight[taps]),
            gout,
            stride,
            crop[1],
            dilation,
            groups,
            need_input,
            need_weight,
            need_bias,
        )
        gw = None
        if gw_live is not None:
            gw = np.zeros(weight.shape, gw_live.dtype)
            gw[taps] = gw_live
        return gx, gw, gb
    if x.dtype == np.float32:
        if _winograd43_fits(x, weight, stride, padding, dilation, groups) and (
            _WINOGRAD43.usable or _WINOGRAD43.ready()
        ):
            gx = winograd43.backward_input(x.shape, weight, gout, padding) if need_input else None
            gw = gb = None
            if need_weight or need_bias:
                gw, gb = winograd43.backward_weight(x, gout, padding, need_bias)
            return gx, (gw if need_weight else None), gb
        if _winograd_fits(x, weight, stride, padding, dilation, groups):
            ours = _products_on_our_gemm()
            group = _WINOGRAD_BACKWARD[ours]
            if group.usable or group.ready():
                return winograd.backward(x, weight, gout, padding, need_input, need_weight, need_bias, ours)
        elif all(s == 1 for s in stride):
            needs = (need_input, need_weight, need_bias)
            blocks = _sample_blocks(x.shape[0])
            if _use_wide(x.shape[1:], weight.shape[2:], padding, dilation, blocks[-1][1] - blocks[-1][0]):
                if _WIDE_BACKWARD.usable or _WIDE_BACKWARD.ready():
                    return direct.backward_wide(x, weight, gout, padding, dilation, groups, *needs)
            elif _BATCH_LAST_BACKWARD.usable or _BATCH_LAST_BACKWARD.ready():
                return direct.backward_batch_last(x, weight, gout, padding, dilation, groups, *needs, blocks)
    gx, gw = im2col.backward(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight)
    gb = gout.sum(axis=(0, 2, 3, 4)) if need_bias else None
    return gx, gw, gb


@functools.lru_cache(maxsize=256)
def _live_taps(size: tuple, ksize: tuple, stride: tuple, padding: tuple, dilation: tuple):
    """(tap slices, padding) of the taps that read the input for some output, or None if all do.

    On a map smaller than the kernel's reach (ResNet's last stage on CIFAR: 3x3 kernels, padding
    1, 1x1 maps) most taps read only zero padding; the convolution with those taps dropped, and
    the padding shrunk by as many, is the same, at a ninth of the work there. Only where the cut
    keeps the padding symmetric and the output size (so every path and shape rule still applies).
    """
    cut, pads = [], []
    for n, k, s, p, d in zip(size, ksize, stride, padding, dilation):
        out = (n + 2 * p - d * (k - 1) - 1) // s + 1
        live = [t for t in range(k) if any(0 <= j * s - p + t * d < n for j in range(out))]
        if not live:
            return None
        lo, hi = live[0], live[-1] + 1
        new_p = p - lo * d
        if new_p < 0 or (n + 2 * new_p - d * (hi - lo - 1) - 1) // s + 1 != out:
            lo, hi, new_p = 0, k, p
        cut.append(slice(lo, hi))
        pads.append(new_p)
    if all(c.stop - c.start == k for c, k in zip(cut, ksize)):
        return None
    return tuple(cut), tuple(pads)


def _winograd_shape(x, weight, stride, padding, dilation, groups) -> bool:
    """A 2-d 3x3 convolution, stride 1, no dilation or groups, padding <= 2: the Winograd algorithms' case."""
    return (
        weight.shape[2:] == (1, 3, 3)
        and x.shape[2] == 1
        and groups == 1
        and all(s == 1 for s in stride)
        and all(d == 1 for d in dilation)
        and padding[1] <= 2
        and padding[2] <= 2
    )


def _outputs_per_sample(x, padding) -> int:
    return (x.shape[3] + 2 * padding[1] - 2) * (x.shape[4] + 2 * padding[2] - 2)


def _winograd_fits(x, weight, stride, padding, dilation, groups) -> bool:
    """F(2x2, 3x3): the Winograd shape with enough channels, and neither wide on a small map nor
    narrow on a big one."""
    return (
        _winograd_shape(x, weight, stride, padding, dilation, groups)
        and x.shape[1] * weight.shape[0] >= WINOGRAD_MIN_CHANNELS
        and (x.shape[1] * weight.shape[0] < WINOGRAD_WIDE or _outputs_per_sample(x, padding) >= WINOGRAD_MIN_OUTPUT)
        and (x.shape[1] >= WINOGRAD_MIN_IN_CHANNELS or _outputs_per_sample(x, padding) < WINOGRAD_NARROW_OUTPUT)
    )


def _winograd43_fits(x, weight, stride, padding, dilation, groups) -> bool:
    """F(4x4, 3x3): the Winograd shape, at least WINOGRAD43_MIN_CHANNELS in and out, at least
    WINOGRAD43_MIN_OUTPUT outputs per sample."""
    return (
        _winograd_shape(x, weight, stride, padding, dilation, groups)
        and min(x.shape[1], weight.shape[0]) >= WINOGRAD43_MIN_CHANNELS
        and _outputs_per_sample(x, padding) >= WINOGRAD43_MIN_OUTPUT
    )


def _products_on_our_gemm() -> bool:
    """Our GEMM for the Winograd products? Only where forced (see WINOGRAD_PRODUCTS)."""
    return WINOGRAD_PRODUCTS == "ours"


def _use_wide(shape: tuple, ksize: tuple, padding: tuple, dilation: tuple, block: int) -> bool:
    """Per-sample wide rows when they are long (>= WIDE_MIN_RUN) or longer than the batch-last rows."""
    return _use_wide_for(shape, tuple(ksize), tuple(padding), tuple(dilation), block, DIRECT_LAYOUT)


@functools.lru_cache(maxsize=256)
def _use_wide_for(shape: tuple, ksize: tuple, padding: tuple, dilation: tuple, block: int, layout: str) -> bool:
    # cached, as the plans: the same few shapes come every step, and this is ~2 us of Python
    if layout != "auto":
        return layout == "wide"
    padded, osize = _padded_and_output(shape, ksize, padding, dilation)
    L = _wide_run(padded, osize)
    return L >= WIDE_MIN_RUN or L >= osize[2] * block


# The Numba kernels of each float32 path, with the argument types direct.py and winograd.py pass
# them (C-contiguous float32 arrays, int64 offset tables and scalars; tests/test_compile_paths.py
# checks that a step calls nothing else).
_F1, _F3, _F4, _F5 = (array(types.float32, n) for n in (1, 3, 4, 5))
_I1, _I2 = array(types.int64, 1), array(types.int64, 2)
_INT, _BOOL = types.int64, types.boolean
# the NN kernel of this process's tile (gemm.shifted_gemm_nn is its Python wrapper)
_GEMM_NN = (gemm.nn_kernel(gemm.PATH), (_F3, _F1, _I2, _F1, _I2, _I2, _INT, _BOOL))
_GEMM_NT = (shifted_gemm_nt, (_F1, _I2, _F1, _I2, _I2, _INT, _F3))
_TO_BATCH_LAST = (direct.to_batch_last, (_F5, _I1, _INT, _INT, _F5))
_FROM_BATCH_LAST = (direct.from_batch_last, (_F5, _I1, _F1, _INT, _F5))
_WINOGRAD_INPUT = (winograd.winograd_input, (_F4, _INT, _INT, _INT, _INT, _INT, _INT, _F3))
_WINOGRAD_OUTPUT = (winograd.winograd_output, (_F3, _F1, _INT, _INT, _INT, _INT, _F4))
_WINOGRAD43_INPUT = (winograd43.winograd43_input, (_F4, _INT, _INT, _INT, _INT, _INT, _INT, _F3))
_WINOGRAD43_OUTPUT = (winograd43.winograd43_output, (_F3, _F1, _INT, _INT, _INT, _INT, _F4))
_WINOGRAD43_OUTPUT_GRAD = (winograd43.winograd43_output_grad, (_F4, _INT, _INT, _INT, _INT, _F3, _F1))
_WINOGRAD_OUTPUT_GRAD = (winograd.winograd_output_grad, (_F4, _INT, _INT, _INT, _INT, _F3, _F1))

_WIDE_FORWARD = KernelGroup("conv-wide-forward", [_GEMM_NN, (direct.wide_to_output, (_F3, _INT, _INT, _F1, _INT, _F5))])
_WIDE_BACKWARD = KernelGroup(
    "conv-wide-backward", [_GEMM_NN, _GEMM_NT, (direct.grad_to_wide, (_F5, _INT, _INT, _INT, _INT, _F3, _F1))]
)
_BATCH_LAST_FORWARD = KernelGroup("conv-batch-last-forward", [_GEMM_NN, _TO_BATCH_LAST, _FROM_BATCH_LAST])
_BATCH_LAST_BACKWARD = KernelGroup(
    "conv-batch-last-backward",
    [_GEMM_NN, _GEMM_NT, _TO_BATCH_LAST, _FROM_BATCH_LAST, (direct.grad_to_batch_last, (_F5, _INT, _INT, _F5, _F1))],
)
_WINOGRAD43 = KernelGroup("conv-winograd43", [_WINOGRAD43_INPUT, _WINOGRAD43_OUTPUT, _WINOGRAD43_OUTPUT_GRAD])
# indexed by ``ours``: the 16 products on our GEMM, or on NumPy's matmul
_WINOGRAD_FORWARD = (
    KernelGroup("conv-winograd-forward", [_WINOGRAD_INPUT, _WINOGRAD_OUTPUT]),
    KernelGroup("conv-winograd-forward-gemm", [_WINOGRAD_INPUT, _WINOGRAD_OUTPUT, _GEMM_NN]),
)
_WINOGRAD_BACKWARD = (
    KernelGroup("conv-winograd-backward", [_WINOGRAD_INPUT, _WINOGRAD_OUTPUT, _WINOGRAD_OUTPUT_GRAD]),
    KernelGroup(
        "conv-winograd-backward-gemm", [_WINOGRAD_INPUT, _WINOGRAD_OUTPUT, _WINOGRAD_OUTPUT_GRAD, _GEMM_NN, _GEMM_NT]
    ),
)


__all__ = ["conv_backward", "conv_forward", "fold", "output_size", "unfold"]


def describe_path(x_shape: tuple, w_shape: tuple, stride, padding, dilation, groups: int, dtype=np.float32) -> str:
    """Which algorithm (and GEMM tile) ``conv_forward`` takes for a 2-d convolution, for benchmark
    tables: "winograd, products on BLAS", "direct wide, tile 4x64", "im2col, BLAS", ..."""
    x5 = np.empty((x_shape[0], x_shape[1], 1) + tuple(x_shape[2:]), dtype)  # shapes only: never read
    w5 = np.empty((w_shape[0], w_shape[1], 1) + tuple(w_shape[2:]), dtype)
    st, pad, dil = (
        (first,) + ((v, v) if isinstance(v, int) else tuple(v))
        for first, v in ((1, stride), (0, padding), (1, dilation))
    )
    tile = f"tile {gemm.PATH.rows}x{gemm.PATH.run}"
    if x5.dtype == np.float32:
        if _winograd43_fits(x5, w5, st, pad, dil, groups):
            return "winograd F(4x4, 3x3), products on BLAS"
        if _winograd_fits(x5, w5, st, pad, dil, groups):
            return "winograd, products on " + (f"our GEMM {tile}" if _products_on_our_gemm() else "BLAS")
        if all(s == 1 for s in st):
            blocks = _sample_blocks(x5.shape[0])
            wide = _use_wide(x5.shape[1:], w5.shape[2:], pad, dil, blocks[-1][1] - blocks[-1][0])
            return f"direct {'wide' if wide else 'batch-last'}, {tile}"
    return "im2col, BLAS"
