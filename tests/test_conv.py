"""Conv1d/2d/3d modules and conv errors against torch (the ops are covered by reference/registry/conv.py)."""

from __future__ import annotations

import contextlib
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
import minitorch_nn.nn as nn
from minitorch_nn.kernels.cpu import conv as conv_kernels
from minitorch_nn.kernels.cpu import gemm
from minitorch_nn.kernels.cpu.conv import direct
from reference.compare import compare, compare_modules
from reference.registry import conv as conv_registry

MODULES = {1: (nn.Conv1d, torch.nn.Conv1d), 2: (nn.Conv2d, torch.nn.Conv2d), 3: (nn.Conv3d, torch.nn.Conv3d)}


def _copy_weights(ours, theirs, dtype) -> None:
    ours.weight.data = mt.tensor(theirs.weight.detach().numpy().astype(dtype))
    if theirs.bias is not None:
        ours.bias.data = mt.tensor(theirs.bias.detach().numpy().astype(dtype))
    theirs.to(torch.float64 if dtype == np.float64 else torch.float32)


@st.composite
def module_args(draw, d):
    groups = draw(st.sampled_from([1, 2]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3 if d < 3 else 2)) for _ in range(d))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    padding_kind = draw(st.sampled_from(["int", "same", "valid"]))
    stride = 1 if padding_kind == "same" else draw(st.integers(1, 2))
    padding = padding_kind if padding_kind != "int" else draw(st.integers(0, 1))
    kwargs = dict(
        stride=stride,
        padding=padding,
        dilation=draw(st.integers(1, 2)),
        groups=groups,
        bias=draw(st.booleans()),
        padding_mode=mode,
    )
    size = tuple(kwargs["dilation"] * (kk - 1) + 2 + draw(st.integers(0, 2)) for kk in k)
    return (c_in, c_out, k), kwargs, (draw(st.integers(1, 2)), c_in) + size, draw(st.integers(0, 2**16))


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data())
def test_module_matches_torch(d, dtype, data):
    args, kwargs, shape, seed = data.draw(module_args(d))
    ours_cls, theirs_cls = MODULES[d]
    torch.manual_seed(seed)
    theirs = theirs_cls(*args, **kwargs)
    ours = ours_cls(*args, **kwargs, dtype=mt.float64 if dtype == np.float64 else mt.float32)
    _copy_weights(ours, theirs, dtype)
    x = np.random.default_rng(seed).uniform(-2, 2, shape)
    report = compare_modules(ours, theirs, [x], dtype, seed=seed)
    assert report.ok, f"{args} {kwargs} {shape}: {report}"


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((1, 6, 5), {}),
        ((6, 16, (5, 3)), {"stride": 2, "padding": (1, 2), "dilation": 2, "groups": 2, "bias": False}),
        ((4, 4, 3), {"padding": "same", "groups": 4, "padding_mode": "reflect"}),
        ((2, 4, 3), {"padding": "valid", "padding_mode": "circular"}),
        ((2, 4, 1), {"stride": (1, 2, 1)}),
    ],
)
@pytest.mark.parametrize("d", [1, 2, 3])
def test_repr_and_parameters_match_torch(d, args, kwargs):
    if isinstance(args[2], tuple) and len(args[2]) != d:
        args = args[:2] + (args[2][0],)
    if isinstance(kwargs.get("stride"), tuple) and len(kwargs["stride"]) != d:
        kwargs = dict(kwargs, stride=kwargs["stride"][0])
    if isinstance(kwargs.get("padding"), tuple) and len(kwargs["padding"]) != d:
        kwargs = dict(kwargs, padding=kwargs["padding"][0])
    ours, theirs = MODULES[d][0](*args, **kwargs), MODULES[d][1](*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    assert list(ours.state_dict().keys()) == list(theirs.state_dict().keys())


def test_default_init_bounds():
    mt.manual_seed(0)
    conv = nn.Conv2d(3, 256, (5, 4), groups=1)
    bound = 1 / math.sqrt(3 * 5 * 4)
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    assert w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.5 * bound
    # uniform on [-bound, bound]: variance bound^2 / 3
    assert abs(w.var() - bound**2 / 3) < 0.15 * bound**2 / 3


def test_sharpening_kernel_seed_snippet():
    image = np.random.default_rng(0).random((1, 1, 9, 7)).astype(np.float32)
    outs = []
    for lib in (mt, torch):
        kernel = lib.ones(3, 3) / -9
        kernel[1][1] = 1
        conv = lib.nn.Conv2d(1, 1, (3, 3), 1, bias=False)
        conv.weight.data = kernel.view(1, 1, 3, 3)
        out = conv(lib.tensor(image))
        outs.append(out.data.squeeze(0).numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    assert outs[0].shape == (1, 7, 5)


def _raises_like_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(mt)
    assert _sorted_sets(str(ours.value).splitlines()[0]) == _sorted_sets(str(theirs.value).splitlines()[0])


def _sorted_sets(message: str) -> str:
    """torch prints Python sets, whose order depends on the hash seed: compare them sorted."""
    return re.sub(r"\{([^}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


def _t(lib, *shape, dtype=None):
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    return lib.tensor(a) if dtype is None else lib.tensor(a.astype(np.float64))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 2, 2), _t(lib, 4, 3, 3, 3)),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 3, 2, 2, 2, 2), _t(lib, 4, 3, 3, 3)),
        lambda lib: lib.nn.functional.conv1d(_t(lib, 2), _t(lib, 4, 3, 3)),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 4, 5, 5), _t(lib, 4, 3, 3, 3)),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 4, 5, 5), _t(lib, 4, 3, 3, 3), groups=2),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 6, 5, 5), _t(lib, 3, 3, 3, 3), groups=2),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), stride=2, padding="same"),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), padding="foo"),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), stride=0),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), padding=-1),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), dilation=0),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), groups=0),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), _t(lib, 3)),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3), stride=(1, 1, 1)),
        lambda lib: lib.nn.functional.conv3d(_t(lib, 1, 3, 5, 5, 5), _t(lib, 4, 3, 3, 3, 3), dilation=(1, 2)),
        lambda lib: lib.nn.functional.conv1d(_t(lib, 1, 3, 5), _t(lib, 4, 3, 3), padding=(1, 1)),
        lambda lib: lib.nn.functional.conv2d(_t(lib, 1, 3, 5, 5), _t(lib, 4, 3, 3, 3, dtype="d")),
        lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
        lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
        lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
        lambda lib: lib.nn.Conv2d(4, 4, 3, padding="foo"),
        lambda lib: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
        lambda lib: lib.nn.Conv2d(4, 4, 3, padding_mode="foo"),
        lambda lib: lib.nn.Conv2d(4, 4, 3, padding_mode="reflect", padding=1)(_t(lib, 1, 4, 1, 1)),
        lambda lib: lib.nn.functional.pad(_t(lib, 1, 2, 3, 3), (3, 3), mode="reflect"),
        lambda lib: lib.nn.functional.pad(_t(lib, 1, 2, 3, 3), (3, 3, 1, 1), mode="reflect"),
        lambda lib: lib.nn.functional.pad(_t(lib, 1, 2, 3, 3), (1,)),
        lambda lib: lib.nn.functional.pad(_t(lib, 1, 2, 3, 3), (1, 1), mode="foo"),
        lambda lib: lib.nn.functional.pad(_t(lib, 1, 2, 3, 3), (1, 1) * 5),
        lambda lib: lib.nn.functional.pad(_t(lib, 1, 2, 3, 3), (1, 1), mode="reflect", value=2.0),
    ],
)
def test_errors_match_torch(call):
    _raises_like_torch(call)


def test_conv_backward_graph_names():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    names = []
    for lib in (mt, torch):
        t = lib.tensor(x, requires_grad=True)
        w = lib.tensor(np.ones((4, 3, 2, 2)) * 0.5, requires_grad=True)
        y = lib.nn.functional.conv2d(t, w, padding="same")
        inner = y.grad_fn.next_functions[0][0]
        names.append((y.grad_fn.name(), inner.name(), [type(n).__name__ for n, _ in y.grad_fn.next_functions]))
    assert names[0] == names[1]


# ---- the two layouts of the stride-1 direct path --------------------------------------------


@contextlib.contextmanager
def _kernel_choice(name: str, value: str):
    """conv_kernels.<name> (DIRECT_LAYOUT, WINOGRAD_PRODUCTS) set to value for the block."""
    before = getattr(conv_kernels, name)
    setattr(conv_kernels, name, value)
    try:
        yield
    finally:
        setattr(conv_kernels, name, before)


def _direct_layout(layout: str):
    return _kernel_choice("DIRECT_LAYOUT", layout)


def _winograd_products(where: str):
    return _kernel_choice("WINOGRAD_PRODUCTS", where)


def _exact_conv_matches_torch(shapes: tuple, choice: tuple[str, str], seed: int, **kwargs) -> None:
    """conv2d of small-integer inputs, weights and upstream gradient (every sum exact in float32,
    whatever its order): output and the three gradients equal torch's, under the kernel ``choice``
    (a ``_kernel_choice`` name and value)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.integers(-2, 3, shape).astype(np.float32) for shape in shapes]
    results = []
    for lib in (mt, torch):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        with _kernel_choice(*choice):
            y = lib.nn.functional.conv2d(x, w, b, **kwargs)
            upstream = np.random.default_rng(seed + 1).integers(-2, 3, tuple(y.shape)).astype(np.float32)
            y.backward(lib.tensor(upstream))
        results.append([t.detach().numpy() for t in (y, x.grad, w.grad, b.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("layout", ["wide", "batch_last"])
@pytest.mark.parametrize("d", [1, 2, 3])
@given(data=st.data())
def test_direct_layouts_match_torch(layout, d, data):
    # float32 stride-1 convolutions take the direct path (3x3 ones without groups or dilation take
    # Winograd); "auto" picks its layout by shape, so each layout is forced here: output and the
    # gradients of input, weight and bias against torch under a random upstream gradient
    sample = data.draw(conv_registry._conv_direct(d), label="sample")
    with _direct_layout(layout):
        report = compare(conv_registry._conv_call(d), sample, np.float32, None)
    assert report.ok, f"conv{d}d {layout} {sample}: {report}"


@pytest.mark.parametrize("layout", ["wide", "batch_last"])
@pytest.mark.parametrize(
    "batch, channels, size, kwargs",
    [
        (10, 12, (9, 17), {}),  # 300 taps: two tap blocks; runs of 149 (wide) and 65 (batch-last)
        (10, 11, (12, 15), {"padding": (2, 1), "dilation": (1, 2)}),
        (2, 3, (30, 19), {"groups": 3, "padding": 1}),
    ],
)
def test_direct_path_register_tiles_and_tap_blocks_match_torch(layout, batch, channels, size, kwargs):
    # the GEMM's 4 x 64 register tiles over runs with a partial last tile, and more taps than one
    # TAP_BLOCK (gemm.py), in both layouts, with exact integer data
    groups = kwargs.get("groups", 1)
    shapes = ((batch, channels) + size, (12, channels // groups, 5, 5), (12,))
    _exact_conv_matches_torch(shapes, ("DIRECT_LAYOUT", layout), batch + channels, stride=1, **kwargs)
    assert channels // groups * 25 > gemm.TAP_BLOCK or groups > 1


@pytest.mark.parametrize(
    "batch, per, kwargs",
    [(65, 16, {}), (7, 2, {"padding": 1}), (5, 3, {"groups": 2, "dilation": (2, 1)}), (3, 1, {})],
)
def test_batch_last_sub_blocks_match_torch(batch, per, kwargs, monkeypatch):
    # each worker's block runs in batch-last sub-blocks of at most BATCH_LAST_MAX_BLOCK samples, a
    # last one shorter; grad weight and bias sum over the sub-blocks: exact integer data vs torch
    monkeypatch.setattr(direct, "BATCH_LAST_MAX_BLOCK", per)
    groups = kwargs.get("groups", 1)
    shapes = ((batch, 4, 9, 8), (6, 4 // groups, 5, 5), (6,))
    _exact_conv_matches_torch(shapes, ("DIRECT_LAYOUT", "batch_last"), batch + per, stride=1, **kwargs)


@pytest.mark.parametrize("where", ["ours", "numpy"])
@given(data=st.data())
def test_winograd_products_on_either_gemm_match_torch(where, data):
    # the 16 Winograd products run on our register-tiled GEMM (rows padded to an odd number of
    # cache lines) or on NumPy's matmul, chosen by CPU ("auto"); each is forced here: output and
    # the gradients of input, weight and bias against torch under a random upstream gradient
    sample = data.draw(conv_registry._conv_winograd(), label="sample")
    with _winograd_products(where):
        report = compare(conv_registry._conv_call(2), sample, np.float32, None)
    assert report.ok, f"{where} {sample}: {report}"


@pytest.mark.parametrize("where", ["ours", "numpy"])
def test_winograd_products_at_a_cifar_like_shape_match_torch(where):
    # many tiles per sample (rows of V past a cache line, 272 long) and two samples a block; exact
    # integer data, so both paths must give torch's numbers exactly
    _exact_conv_matches_torch(((3, 8, 32, 30), (12, 8, 3, 3), (12,)), ("WINOGRAD_PRODUCTS", where), 3, padding=1)


@contextlib.contextmanager
def _winograd43_everywhere():
    """F(4x4, 3x3) for every Winograd-shaped convolution, whatever its channels and map size."""
    with _kernel_choice("WINOGRAD43_MIN_CHANNELS", 1), _kernel_choice("WINOGRAD43_MIN_OUTPUT", 1):
        yield


@given(data=st.data())
def test_winograd43_matches_torch(data):
    # F(4x4, 3x3) forward and backward on random data: output and the gradients of input, weight
    # and bias against torch under a random upstream gradient
    sample = data.draw(conv_registry._conv_winograd(), label="sample")
    with _winograd43_everywhere():
        report = compare(conv_registry._conv_call(2), sample, np.float32, None)
    assert report.ok, f"{sample}: {report}"


@pytest.mark.parametrize(
    "shapes, padding",
    [
        (((3, 8, 32, 30), (12, 8, 3, 3), (12,)), 1),  # CIFAR-like: 8 x 8 tiles a sample, a cropped last column
        (((2, 5, 7, 9), (4, 5, 3, 3), (4,)), 0),  # partial tiles in both directions
        (((1, 3, 5, 6), (3, 3, 3, 3), (3,)), 2),
        (((5, 4, 4, 4), (6, 4, 3, 3), (6,)), 1),  # one tile a sample: blocks of several samples
        (((1, 2, 2, 3), (2, 2, 3, 3), (2,)), 1),  # smaller than one tile
    ],
)
def test_winograd43_exact_at_odd_shapes(shapes, padding, monkeypatch):
    # integer data: with U made from 24 G and the division by 576 last, every step is exact, so the
    # output and the three gradients must equal torch's; all three passes did run on F(4x4, 3x3)
    from minitorch_nn.kernels.cpu.conv import winograd43

    calls = []
    for name in ("forward", "backward_input", "backward_weight"):
        real = getattr(winograd43, name)
        monkeypatch.setattr(winograd43, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    with _winograd43_everywhere():
        _exact_conv_matches_torch(shapes, ("WINOGRAD_PRODUCTS", "numpy"), sum(shapes[0]), padding=padding)
    assert calls == ["forward", "backward_input", "backward_weight"]


@pytest.mark.parametrize("channels, size", [(16, 8), (64, 8), (64, 32)])
def test_winograd43_at_its_default_shapes(channels, size):
    # the shapes the dispatch gives F(4x4, 3x3) on its own: enough channels and outputs (where a wide
    # convolution's map is too small for F(2x2, 3x3)); exact integer data
    assert conv_kernels.describe_path((2, channels, size, size), (channels, channels, 3, 3), 1, 1, 1, 1).startswith(
        "winograd F(4x4"
    )
    shapes = ((2, channels, size, size), (channels, channels, 3, 3), (channels,))
    _exact_conv_matches_torch(shapes, ("WINOGRAD_PRODUCTS", "numpy"), channels + size, padding=1)


@pytest.mark.parametrize(
    "shapes, kwargs",
    [
        (((9, 5, 9, 11), (7, 5, 3, 3), (7,)), {"stride": 2, "padding": 1}),  # ResNet's stride-2 3x3
        (((9, 5, 9, 11), (7, 5, 1, 1), (7,)), {"stride": 2}),  # its 1x1 stride-2 downsample
        (((5, 3, 13, 12), (4, 3, 7, 7), (4,)), {"stride": 2, "padding": 3}),  # its 7x7 stem
    ],
)
def test_im2col_blocks_of_two_samples_match_torch(monkeypatch, shapes, kwargs):
    # the im2col path cuts the batch into blocks and sums their partial weight gradients; here
    # two samples a block (a short last one at odd batches), exact integer data against torch
    monkeypatch.setattr(conv_kernels.im2col, "_blocks", lambda n, *_: [(i, min(n, i + 2)) for i in range(0, n, 2)])
    _exact_conv_matches_torch(shapes, ("DIRECT_LAYOUT", "auto"), 5, **kwargs)


def test_narrow_3x3_on_a_big_map_takes_the_direct_path_and_matches_torch():
    # fewer than WINOGRAD_MIN_IN_CHANNELS input channels on a map of WINOGRAD_NARROW_OUTPUT outputs
    # or more (an RGB stem) runs direct, not Winograd; 16 channels there, or a small map, stay Winograd
    assert conv_kernels.describe_path((2, 3, 12, 12), (5, 3, 3, 3), 1, 1, 1, 1).startswith("direct")
    assert conv_kernels.describe_path((2, 3, 11, 10), (5, 3, 3, 3), 1, 1, 1, 1).startswith("winograd")
    assert conv_kernels.describe_path((2, 16, 32, 32), (5, 16, 3, 3), 1, 1, 1, 1).startswith("winograd")
    # the registry's Winograd samples (sides <= 8, padding <= 2) stay under the narrow rule's size
    assert (8 + 2 * 2 - 2) ** 2 < conv_kernels.WINOGRAD_NARROW_OUTPUT
    _exact_conv_matches_torch(((2, 3, 12, 13), (5, 3, 3, 3), (5,)), ("DIRECT_LAYOUT", "auto"), 7, padding=1)


@pytest.mark.parametrize("batch", [1, 64, 256])
def test_layout_rule_at_the_seed_lenet_convolutions(batch):
    # conv1 (1x32x32, k5): a sample's wide run is 892 long, always wide; conv2 (6x14x14, k5): 136,
    # shorter than the batch-last run 10 * B once a block holds more than 13 samples
    block = -(-batch // 2)
    assert conv_kernels._use_wide((1, 1, 32, 32), (1, 5, 5), (0, 0, 0), (1, 1, 1), block)
    assert conv_kernels._use_wide((6, 1, 14, 14), (1, 5, 5), (0, 0, 0), (1, 1, 1), block) == (batch == 1)


def test_argument_cache_keeps_the_checks():
    """F.conv2d remembers checked arguments by shapes, dtypes and raw arguments (ops/conv.py):
    a cached call gives the same result, and a call that differs only in dtype is still checked."""
    rng = np.random.default_rng(0)
    x = mt.tensor(rng.standard_normal((2, 3, 8, 8)).astype(np.float32))
    w = mt.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    first = mt.nn.functional.conv2d(x, w, padding=1, stride=2).numpy()
    again = mt.nn.functional.conv2d(x, w, padding=1, stride=2).numpy()
    np.testing.assert_array_equal(first, again)
    want = torch.nn.functional.conv2d(torch.from_numpy(x.numpy()), torch.from_numpy(w.numpy()), padding=1, stride=2)
    np.testing.assert_allclose(again, want.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        mt.nn.functional.conv2d(x.double(), w, padding=1, stride=2)
