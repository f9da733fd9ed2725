"""kernels/cuda under Numba's CUDA simulator, against torch and the CPU kernels, at tiny shapes.

Run by tests/test_cuda_simulator.py in a subprocess with NUMBA_ENABLE_CUDASIM=1 (numba reads
it when it is first imported, so it cannot be switched on inside the main test process). The
simulator runs a Python thread per CUDA thread: shapes stay tiny, and every case still takes the
kernels through several blocks, several shared-memory tiles and a reduction tree.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812

assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run through tests/test_cuda_simulator.py"

from minitorch_nn.kernels.cpu import conv as cpu_conv  # noqa: E402
from minitorch_nn.kernels.cpu import pooling as cpu_pool  # noqa: E402
from minitorch_nn.kernels.cuda import conv, optim, pooling, softmax_cross_entropy  # noqa: E402

RNG = np.random.default_rng(0)


def _close(a, b, dtype):
    tol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# (N, C, O, groups, spatial, kernel, stride, padding, dilation): 1-d, 2-d and 3-d, viewed as 3-d
CONVS = [
    (1, 2, 3, 1, (1, 1, 6), (1, 1, 3), (1, 1, 2), (0, 0, 1), (1, 1, 1)),  # conv1d, strided, padded
    (2, 4, 2, 2, (1, 4, 5), (1, 2, 2), (1, 1, 2), (0, 1, 0), (1, 2, 1)),  # conv2d, groups, dilation
    (1, 1, 2, 1, (3, 3, 3), (2, 2, 2), (1, 1, 1), (1, 0, 1), (1, 1, 1)),  # conv3d
]


@pytest.mark.parametrize("case", CONVS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_forward_and_gradients_match_torch_and_the_cpu_kernels(case, dtype, monkeypatch):
    monkeypatch.setattr(conv, "TILE", 5)  # filters span several shared-memory tiles
    n, c, o, groups, spatial, ksize, stride, padding, dilation = case
    x = RNG.standard_normal((n, c) + spatial).astype(dtype)
    w = RNG.standard_normal((o, c // groups) + ksize).astype(dtype)
    b = RNG.standard_normal(o).astype(dtype)
    y = conv.conv_forward(x, w, b, stride, padding, dilation, groups)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = F.conv3d(tx, tw, tb, stride, padding, dilation, groups)
    _close(y, ty.detach().numpy(), dtype)
    _close(y, cpu_conv.conv_forward(x, w, b, stride, padding, dilation, groups), dtype)
    _close(conv.conv_forward(x, w, None, stride, padding, dilation, groups), y - b[:, None, None, None], dtype)
    gy = RNG.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = conv.conv_backward(x, w, gy, stride, padding, dilation, groups, True, True, True)
    _close(gx, tx.grad.numpy(), dtype)
    _close(gw, tw.grad.numpy(), dtype)
    _close(gb, tb.grad.numpy(), dtype)
    assert gx.dtype == gw.dtype == gb.dtype == dtype
    only_weight = conv.conv_backward(x, w, gy, stride, padding, dilation, groups, False, True, False)
    assert only_weight[0] is None and only_weight[2] is None
    _close(only_weight[1], gw, dtype)


def test_conv_with_empty_batch():
    x = np.zeros((0, 2, 1, 3, 3))
    w = RNG.standard_normal((2, 2, 1, 2, 2))
    y = conv.conv_forward(x, w, None, (1, 1, 1), (0, 0, 0), (1, 1, 1), 1)
    assert y.shape == (0, 2, 1, 2, 2)
    gx, gw, gb = conv.conv_backward(x, w, y, (1, 1, 1), (0, 0, 0), (1, 1, 1), 1, True, True, True)
    assert gx.shape == x.shape and not gw.any() and not gb.any()


def _windows(spatial, ks, ss, ps, ds, ceil_mode, count_include_pad=True):
    outs = [cpu_pool.output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(spatial, ks, ss, ps, ds)]
    tables = [
        cpu_pool.sliding_windows(n, o, k, s, p, d, count_include_pad)
        for n, o, k, s, p, d in zip(spatial, outs, ks, ss, ps, ds)
    ]
    return [cpu_pool.unit_window(1)] * (3 - len(tables)) + tables, outs


# (input shape, kernel, stride, padding, dilation, ceil_mode)
MAX_POOLS = [
    ((2, 1, 5, 5), (2, 2), (2, 2), (0, 0), (1, 1), True),  # ceil_mode keeps the partial last windows
    ((1, 2, 5, 4), (3, 2), (1, 2), (1, 1), (2, 1), False),  # padding, dilation, overlapping windows
    ((1, 1, 3, 3, 4), (2, 2, 3), (1, 2, 1), (1, 0, 1), (1, 1, 1), True),  # 3-d
]


@pytest.mark.parametrize("case", MAX_POOLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_pool_matches_torch_and_the_cpu_kernels(case, dtype):
    shape, ks, ss, ps, ds, ceil_mode = case
    nd = len(ks)
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype(dtype)  # distinct values: no ties
    tables, outs = _windows(shape[2:], ks, ss, ps, ds, ceil_mode)
    step = (1,) * (3 - nd) + ds
    y, idx = pooling.max_forward(pooling.planes(x, nd), *tables, step)
    pool = F.max_pool2d if nd == 2 else F.max_pool3d
    tx = torch.tensor(x, requires_grad=True)
    ty, tidx = pool(tx, ks, ss, ps, ds, ceil_mode=ceil_mode, return_indices=True)
    _close(y.reshape(ty.shape), ty.detach().numpy(), dtype)
    np.testing.assert_array_equal(idx.reshape(ty.shape), tidx.numpy())
    cy, cidx = cpu_pool.max_forward(cpu_pool.planes(x, nd), *tables, step)
    np.testing.assert_array_equal(idx, cidx)
    gy = RNG.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    plane = (1,) * (3 - nd) + shape[2:]
    gx = pooling.max_backward(gy.reshape(y.shape), idx, plane)
    _close(gx.reshape(shape), tx.grad.numpy(), dtype)


def test_max_pool_nan_wins_and_ties_keep_the_first():
    x = np.array([[[[1.0, 1.0], [np.nan, 0.0]]]])
    tables, _ = _windows((2, 2), (2, 2), (2, 2), (0, 0), (1, 1), False)
    y, idx = pooling.max_forward(pooling.planes(x, 2), *tables, (1, 1, 1))
    assert np.isnan(y).all() and idx.item() == 2
    y, idx = pooling.max_forward(pooling.planes(np.ones((1, 1, 2, 2)), 2), *tables, (1, 1, 1))
    assert idx.item() == 0


# (input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_POOLS = [
    ((1, 2, 5, 5), (2, 2), (2, 2), (1, 1), True, True, None),
    ((2, 1, 4, 5), (3, 2), (1, 2), (1, 0), False, False, None),
    ((1, 1, 4, 4), (2, 3), (2, 1), (0, 1), True, True, 5),
    ((1, 1, 3, 4, 3), (2, 2, 2), (1, 2, 2), (1, 1, 0), False, False, None),
]


@pytest.mark.parametrize("case", AVG_POOLS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_avg_pool_matches_torch_and_the_cpu_kernels(case, dtype):
    shape, ks, ss, ps, ceil_mode, count_include_pad, divisor = case
    nd = len(ks)
    x = RNG.standard_normal(shape).astype(dtype)
    tables, _ = _windows(shape[2:], ks, ss, ps, (1,) * nd, ceil_mode, count_include_pad)
    y = pooling.avg_forward(pooling.planes(x, nd), *tables, divisor or 0)
    pool = F.avg_pool2d if nd == 2 else F.avg_pool3d
    tx = torch.tensor(x, requires_grad=True)
    ty = pool(tx, ks, ss, ps, ceil_mode, count_include_pad, divisor)
    _close(y.reshape(ty.shape), ty.detach().numpy(), dtype)
    _close(y, cpu_pool.avg_forward(cpu_pool.planes(x, nd), *tables, divisor or 0), dtype)
    gy = RNG.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    plane = (1,) * (3 - nd) + shape[2:]
    gx = pooling.avg_backward(gy.reshape(y.shape), *tables, divisor or 0, plane)
    _close(gx.reshape(shape), tx.grad.numpy(), dtype)


def test_adaptive_windows_run_on_the_same_kernels():
    x = RNG.standard_normal((1, 2, 5, 7))
    tables = [cpu_pool.unit_window(1), cpu_pool.adaptive_windows(5, 3), cpu_pool.adaptive_windows(7, 3)]
    y = pooling.avg_forward(pooling.planes(x, 2), *tables, 0)
    _close(y.reshape(1, 2, 3, 3), F.adaptive_avg_pool2d(torch.tensor(x), 3).numpy(), np.float64)
    y, _ = pooling.max_forward(pooling.planes(x, 2), *tables, (1, 1, 1))
    _close(y.reshape(1, 2, 3, 3), F.adaptive_max_pool2d(torch.tensor(x), 3).numpy(), np.float64)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_matches_torch(weighted, reduction, dtype):
    n, c = 5, 7
    x = (RNG.standard_normal((n, c)) * 3).astype(dtype)
    t = np.array([0, 6, 3, -100, 3])
    w = RNG.uniform(0.5, 2, c).astype(dtype) if weighted else None
    loss, wt, lse = softmax_cross_entropy.forward(x, t, w, -100)
    tx = torch.tensor(x, requires_grad=True)
    tl = F.cross_entropy(tx, torch.tensor(t), None if w is None else torch.tensor(w), reduction=reduction)
    ours = {"none": loss, "sum": loss.sum(), "mean": loss.sum() / wt.sum()}[reduction]
    _close(ours, tl.detach().numpy(), dtype)
    upstream = RNG.standard_normal(tl.shape).astype(dtype)
    tl.backward(torch.tensor(upstream))
    rows = {"none": upstream, "sum": np.full(n, upstream), "mean": np.full(n, upstream / wt.sum())}[reduction]
    gx = softmax_cross_entropy.backward(x, t, lse, wt, rows.astype(dtype))
    _close(gx, tx.grad.numpy(), dtype)


def _torch_steps(make, params, grads):
    tp = [torch.tensor(p, requires_grad=True) for p in params]
    opt = make(tp)
    history = []
    for step_grads in grads:
        for p, g in zip(tp, step_grads):
            p.grad = torch.tensor(g)
        opt.step()
        history.append([p.detach().numpy().copy() for p in tp])
    return history


@pytest.mark.parametrize(
    "options",
    [
        dict(momentum=0.0, weight_decay=0.0),
        dict(momentum=0.9, dampening=0.1, weight_decay=0.01),
        dict(momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True),
    ],
)
def test_fused_sgd_matches_torch(options):
    params = [RNG.standard_normal(5), RNG.standard_normal((2, 3))]
    grads = [[RNG.standard_normal(p.shape) for p in params] for _ in range(3)]
    expected = _torch_steps(lambda tp: torch.optim.SGD(tp, lr=0.1, **options), params, grads)
    ours = [p.copy() for p in params]
    bufs = [np.zeros_like(p) for p in params] if options["momentum"] else [None, None]
    for step, step_grads in enumerate(grads):
        for p, g, b in zip(ours, step_grads, bufs):
            optim.sgd_(
                p,
                g,
                b,
                0.1,
                options["momentum"],
                options.get("dampening", 0),
                options["weight_decay"],
                options.get("maximize", False),
                options.get("nesterov", False),
                step == 0,
            )
        for p, e in zip(ours, expected[step]):
            _close(p, e, np.float64)


@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight_decay=0.1, amsgrad=True), dict(weight_decay=0.1, maximize=True, decoupled=True)],
)
def test_fused_adam_and_adamw_match_torch(options):
    decoupled = options.pop("decoupled", False)
    amsgrad, maximize, wd = (
        options.get("amsgrad", False),
        options.get("maximize", False),
        options.get("weight_decay", 0),
    )
    kind = torch.optim.AdamW if decoupled else torch.optim.Adam
    params = [RNG.standard_normal(4), RNG.standard_normal((3, 2)).astype(np.float32)]
    grads = [[RNG.standard_normal(p.shape).astype(p.dtype) for p in params] for _ in range(3)]
    expected = _torch_steps(lambda tp: kind(tp, lr=0.01, **({"weight_decay": 0} | options)), params, grads)
    ours = [p.copy() for p in params]
    state = [(np.zeros_like(p), np.zeros_like(p), np.zeros_like(p) if amsgrad else None) for p in params]
    for step, step_grads in enumerate(grads, start=1):
        for p, g, (m, v, vmax) in zip(ours, step_grads, state):
            optim.adam_(p, g, m, v, vmax, 0.01, 0.9, 0.999, 1e-8, wd, decoupled, maximize, step)
        for p, e in zip(ours, expected[step - 1]):
            _close(p, e, p.dtype)


@pytest.mark.parametrize(
    "options", [dict(), dict(momentum=0.5, centered=True, weight_decay=0.1), dict(centered=True, maximize=True)]
)
def test_fused_rmsprop_matches_torch(options):
    params = [RNG.standard_normal(4), RNG.standard_normal((2, 2))]
    grads = [[RNG.standard_normal(p.shape) for p in params] for _ in range(3)]
    expected = _torch_steps(lambda tp: torch.optim.RMSprop(tp, lr=0.01, **options), params, grads)
    ours = [p.copy() for p in params]
    momentum = options.get("momentum", 0)
    state = [
        (
            np.zeros_like(p),
            np.zeros_like(p) if options.get("centered") else None,
            np.zeros_like(p) if momentum else None,
        )
        for p in params
    ]
    for step, step_grads in enumerate(grads):
        for p, g, (sq, avg, buf) in zip(ours, step_grads, state):
            optim.rmsprop_(
                p,
                g,
                sq,
                avg,
                buf,
                0.01,
                0.99,
                1e-8,
                options.get("weight_decay", 0),
                momentum,
                options.get("maximize", False),
            )
        for p, e in zip(ours, expected[step]):
            _close(p, e, np.float64)


def test_fits_checks_dtype_shape_and_layout():
    p = np.zeros((2, 3))
    assert optim.fits(p, np.zeros((2, 3)), None)
    assert not optim.fits(p, np.zeros((2, 3), dtype=np.float32))
    assert optim.fits(p, np.zeros((3, 2)).T)  # any gradient layout
    assert not optim.fits(p, np.zeros((2, 3)), np.zeros((3, 2)).T)  # state is written in place
    assert not optim.fits(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64))
