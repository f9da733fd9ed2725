"""Registry entries: convolution (F.conv1d/2d/3d), transposed convolution and padding (F.pad, every mode).

The strategies draw batch (from 1), groups (1, 2, or depthwise: groups ==
in_channels), channels per group, kernel (from 1x1 up to the whole padded
input), stride (up to larger than the kernel), padding (int, tuple, 'same',
'valid'), dilation and bias on/off, with non-contiguous inputs; 3-d shapes stay
tiny so the generic tests stay fast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import BenchCase, OpInfo


@st.composite
def _conv(draw: Any, d: int) -> Sample:
    n = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["plain", "grouped", "depthwise"]))
    groups = {"plain": 1, "grouped": 2, "depthwise": draw(st.integers(1, 3))}[mode]
    cg = 1 if mode == "depthwise" else draw(st.integers(1, 2))
    og = draw(st.integers(1, 2))
    max_k = 3 if d < 3 else 2
    kernel = tuple(draw(st.integers(1, max_k)) for _ in range(d))
    dilation = tuple(draw(st.sampled_from([1, 1, 2])) for _ in range(d))
    padding_kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    stride = (1,) * d if padding_kind == "same" else tuple(draw(st.integers(1, 4)) for _ in range(d))
    if padding_kind == "int":
        padding: Any = draw(st.integers(0, 2))
        pads = (padding,) * d
    elif padding_kind == "tuple":
        pads = tuple(draw(st.integers(0, 2)) for _ in range(d))
        padding = pads
    else:
        padding, pads = padding_kind, (0,) * d
    extra = 3 if d < 3 else 1
    # spatial size: at least the dilated kernel minus padding (kernel == padded input possible)
    size = tuple(
        max(1, dl * (k - 1) + 1 - 2 * p) + draw(st.integers(0, extra)) for k, dl, p in zip(kernel, dilation, pads)
    )
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, (n, groups * cg) + size)
    w = S.array(rng, (groups * og, cg) + kernel)
    inputs = (x, w)
    if draw(st.booleans()):
        inputs += (S.array(rng, (groups * og,)),)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    if draw(st.booleans()):  # scalar forms of the arguments
        kwargs["stride"] = stride[0] if len(set(stride)) == 1 else stride
        kwargs["dilation"] = dilation[0] if len(set(dilation)) == 1 else dilation
    return S.sample(inputs, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _conv_direct(draw: Any, d: int) -> Sample:
    """Stride-1 conv{d}d: the direct path, with channels for every register tile of its GEMMs.

    Groups 1, 2 or depthwise; output channels per group 1..9 cover the 4-, 2- and 1-row
    tiles of ``shifted_gemm_nn`` and the 4x4 tile of ``shifted_gemm_nt``; taps (C/g * kernel)
    up to 5*16 cover the 4-tap steps and their remainders. Kernel, dilation and padding per
    dim (depth too). 2-d 3x3 kernels without groups or dilation take the Winograd path, whose
    padding (0..2) and odd sizes are drawn here too.
    """
    n = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["plain", "grouped", "depthwise"]))
    groups = {"plain": 1, "grouped": 2, "depthwise": draw(st.integers(1, 4))}[mode]
    cg = 1 if mode == "depthwise" else draw(st.integers(1, 5))
    og = draw(st.integers(1, 9))
    kernel = tuple(draw(st.integers(1, 4 if d < 3 else 2)) for _ in range(d))
    dilation = tuple(draw(st.sampled_from([1, 1, 2])) for _ in range(d))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(d))
    size = tuple(
        max(1, dl * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4 if d < 3 else 2))
        for k, dl, p in zip(kernel, dilation, padding)
    )
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    inputs = (S.array(rng, (n, groups * cg) + size), S.array(rng, (groups * og, cg) + kernel))
    if draw(st.booleans()):
        inputs += (S.array(rng, (groups * og,)),)
    kwargs = {"stride": 1, "padding": padding, "dilation": dilation, "groups": groups}
    return S.sample(inputs, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _conv_winograd(draw: Any) -> Sample:
    """3x3, stride 1, padding 0..2, odd and even sizes: the Winograd F(2x2, 3x3) path."""
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    padding = draw(st.integers(0, 2))
    size = (draw(st.integers(max(1, 3 - 2 * padding), 8)), draw(st.integers(max(1, 3 - 2 * padding), 8)))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    inputs = (S.array(rng, (n, c) + size), S.array(rng, (o, c, 3, 3)))
    if draw(st.booleans()):
        inputs += (S.array(rng, (o,)),)
    return S.sample(inputs, {"padding": padding}, noncontiguous=draw(st.booleans()), seed=seed)


def _conv_call(d: int):
    def call(lib: Any, x: Any, w: Any, *bias: Any, **kwargs: Any) -> Any:
        f = getattr(lib.nn.functional, f"conv{d}d")
        return f(x, w, bias[0] if bias else None, **kwargs)

    return call


@st.composite
def _unbatched(draw: Any) -> Sample:
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    c, o, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    size = (k + draw(st.integers(0, 3)), k + draw(st.integers(0, 3)))
    kwargs = {"stride": draw(st.integers(1, 2)), "padding": draw(st.integers(0, 1))}
    return S.sample((S.array(rng, (c,) + size), S.array(rng, (o, c, k, k))), kwargs, seed=seed)


@st.composite
def _pad(draw: Any, mode: str) -> Sample:
    k = draw(st.integers(1, 3))
    ndim = draw(st.sampled_from([k + 1, k + 2])) if mode != "constant" else draw(st.integers(k, 4))
    shape = tuple(draw(st.integers(2, 4)) for _ in range(ndim))
    pads = []
    for j in range(k):
        n = shape[ndim - 1 - j]
        top = n - 1 if mode == "reflect" else (n if mode == "circular" else 3)
        low = -1 if mode == "constant" else 0
        pads += [draw(st.integers(low, top)), draw(st.integers(low, top))]
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    kwargs: dict = {"pad": tuple(pads), "mode": mode}
    if mode == "constant":
        kwargs["value"] = draw(st.sampled_from([0.0, 1.5, -2.0]))
    return S.sample((S.array(rng, shape),), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _conv_transpose(draw: Any, d: int) -> Sample:
    """conv_transpose{d}d: groups 1/2/depthwise, stride up to 3, padding, output_padding below stride or
    dilation, dilation 1/2, bias on/off, batched or unbatched, scalar or tuple arguments."""
    n = draw(st.integers(1, 2))
    groups = draw(st.sampled_from([1, 2]))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3 if d < 3 else 2)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.sampled_from([1, 1, 2])) for _ in range(d))
    output_padding = tuple(draw(st.integers(0, max(s, dl) - 1)) for s, dl in zip(stride, dilation))
    size = tuple(draw(st.integers(1, 4 if d < 3 else 2)) for _ in range(d))
    # padding at most what keeps every output size positive
    padding = tuple(
        draw(st.integers(0, max(0, ((n_ - 1) * s + dl * (k - 1) + op) // 2)))
        for n_, s, dl, k, op in zip(size, stride, dilation, kernel, output_padding)
    )
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = (groups * cg,) + size
    if draw(st.booleans()):
        shape = (n,) + shape
    inputs = (S.array(rng, shape), S.array(rng, (groups * cg, og) + kernel))
    if draw(st.booleans()):
        inputs += (S.array(rng, (groups * og,)),)
    kwargs: dict = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups}
    kwargs["dilation"] = dilation
    if draw(st.booleans()):  # scalar forms where the entries agree
        for key in ("stride", "padding", "output_padding", "dilation"):
            if len(set(kwargs[key])) == 1:
                kwargs[key] = kwargs[key][0]
    return S.sample(inputs, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _conv_transpose_call(d: int, top_level: bool = False):
    def call(lib: Any, x: Any, w: Any, *bias: Any, **kwargs: Any) -> Any:
        f = getattr(lib if top_level else lib.nn.functional, f"conv_transpose{d}d")
        return f(x, w, bias[0] if bias else None, **kwargs)

    return call


def _listed(value: Any, d: int) -> list[int]:
    return [value] * d if isinstance(value, int) else list(value)


def _transposed_convolution_call(lib: Any, x: Any, w: Any, *bias: Any, **kw: Any) -> Any:
    """torch.convolution(transposed=True), every geometry argument spelled out per spatial dim."""
    d = w.dim() - 2
    geometry = [_listed(kw[k], d) for k in ("stride", "padding", "dilation")]
    return lib.convolution(
        x, w, bias[0] if bias else None, *geometry, True, _listed(kw["output_padding"], d), kw["groups"]
    )


def _bench(label: str, n: int, c: int, size: int, o: int, k: int, padding: int) -> BenchCase:
    def make(rng: np.random.Generator) -> Sample:
        x = rng.standard_normal((n, c, size, size))
        w = rng.standard_normal((o, c, k, k)) / np.sqrt(c * k * k)
        b = rng.standard_normal((o,))
        return Sample((x, w, b), {"stride": 1, "padding": padding, "dilation": 1, "groups": 1})

    return BenchCase(label, make)


BENCH = (
    _bench("LeNet conv1 (64, 1x32x32 -> 6, k5)", 64, 1, 32, 6, 5, 0),
    _bench("LeNet conv2 (64, 6x14x14 -> 16, k5)", 64, 6, 14, 16, 5, 0),
    _bench("CIFAR conv (64, 64x32x32 -> 64, k3, p1)", 64, 64, 32, 64, 3, 1),
)

OPS = [
    OpInfo("conv1d", _conv_call(1), lambda: _conv(1)),
    OpInfo("conv2d", _conv_call(2), lambda: _conv(2), bench=BENCH),
    OpInfo("conv3d", _conv_call(3), lambda: _conv(3)),
    OpInfo("conv2d_tiles", _conv_call(2), lambda: _conv_direct(2)),
    OpInfo("conv2d_winograd", _conv_call(2), _conv_winograd),
    OpInfo("conv2d_unbatched", lambda lib, x, w, **kw: lib.nn.functional.conv2d(x, w, **kw), _unbatched),
    OpInfo("torch.conv2d", lambda lib, x, w, **kw: lib.conv2d(x, w, **kw), _unbatched),
    OpInfo("conv_transpose1d", _conv_transpose_call(1), lambda: _conv_transpose(1)),
    OpInfo("conv_transpose2d", _conv_transpose_call(2), lambda: _conv_transpose(2)),
    OpInfo("conv_transpose3d", _conv_transpose_call(3), lambda: _conv_transpose(3)),
    OpInfo("torch.conv_transpose2d", _conv_transpose_call(2, True), lambda: _conv_transpose(2)),
    OpInfo(
        "convolution_transposed",
        _transposed_convolution_call,
        lambda: st.sampled_from([1, 2]).flatmap(_conv_transpose).filter(lambda s: s.inputs[0].ndim == s.inputs[1].ndim),
    ),
] + [
    OpInfo(f"pad_{mode}", lambda lib, x, **kw: lib.nn.functional.pad(x, **kw), (lambda m=mode: _pad(m)))
    for mode in ("constant", "reflect", "replicate", "circular")
]
