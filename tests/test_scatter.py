"""The scatter family and the index reads beside it, case by case against torch.

Each case runs one call in both engines on the same arrays (float arrays become leaves that require
grad
index and mask arrays do not) and compares what comes back: the outputs' values, dtypes and
shapes, the grad_fn name, and every gradient under a random upstream gradient, or else the error's
type and message. The cases cover what the hypothesis draws of reference/registry leave out: torch's
errors (index dtype, bounds, shapes, dims), empty indices, 0-d tensors, integer tensors, ties and
zeros in the reductions (the shared gradient of amax/amin, the exclusive products of prod), the
deprecated ``reduce=`` of scatter, and in-place forms on non-leaves and on views.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import graph_signature

rng = np.random.default_rng(0)
CASES: list = []


def case(label, call, arrays, grads=None):
    CASES.append(pytest.param(call, arrays, grads, id=label))


def _run(lib, call, arrays, grads):
    tensors = []
    for a, g in zip(arrays, grads):
        t = torch.from_numpy(a.copy()) if lib is torch else mt.Tensor._make(a.copy())
        tensors.append(t.requires_grad_(True) if g else t)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = call(lib, *tensors)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e).__name__, str(e)
    outs = out if isinstance(out, tuple) else (out,)
    values = [(o.detach().numpy() if lib is torch else o._data) for o in outs]
    name = None if outs[0].grad_fn is None else outs[0].grad_fn.name()
    if not outs[0].requires_grad:
        return values, name, None
    upstream = np.random.default_rng(1).standard_normal(outs[0].shape)
    try:
        outs[0].backward(torch.from_numpy(upstream) if lib is torch else mt.Tensor._make(upstream))
    except Exception as e:  # noqa: BLE001
        return values, name, (type(e).__name__, str(e))
    return values, name, [None if t.grad is None else np.asarray(t.grad.numpy()) for t in tensors]


x = rng.standard_normal((3, 4))
src = rng.standard_normal((3, 4))
idx = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
idxu = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])  # unique per column
case("scatter src", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu, src])
case("scatter src dim1", lambda lib, x, i, s: lib.scatter(x, -1, i, s), [x, np.array([[3, 1], [0, 2], [1, 0]]), src])
case("scatter value", lambda lib, x, i: lib.scatter(x, 0, i, 2.5), [x, idx])
case("scatter value kw", lambda lib, x, i: lib.scatter(x, 0, i, value=2.5), [x, idx])
case("scatter small idx", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu[:, :2], src])
case("scatter_ nonleaf", lambda lib, x, i, s: (x * 1).scatter_(0, i, s), [x, idxu, src])
case("scatter_ reduce add", lambda lib, x, i, s: (x * 1).scatter_(0, i, s, reduce="add"), [x, idx, src[:2].copy()])
case("scatter_ reduce mul value", lambda lib, x, i: (x * 1).scatter_(0, i, 3.0, reduce="multiply"), [x, idx])
case("scatter reduce add oop", lambda lib, x, i, s: lib.scatter(x, 0, i, s, reduce="add"), [x, idx, src[:2].copy()])
case("scatter_ reduce bad", lambda lib, x, i, s: (x * 1).scatter_(0, i, s, reduce="max"), [x, idx, src[:2].copy()])
case("scatter_add", lambda lib, x, i, s: lib.scatter_add(x, 0, i, s), [x, idx, src[:2].copy()])
case("scatter_add_", lambda lib, x, i, s: (x * 1).scatter_add_(0, i, s), [x, idx, src[:2].copy()])
for r in ["sum", "prod", "mean", "amax", "amin"]:
    for inc in (True, False):
        case(
            f"scatter_reduce {r} {inc}",
            lambda lib, x, i, s, r=r, inc=inc: lib.scatter_reduce(x, 0, i, s, r, include_self=inc),
            [x, idx, src[:2].copy()],
        )
        case(
            f"scatter_reduce_ {r} {inc}",
            lambda lib, x, i, s, r=r, inc=inc: (x * 1).scatter_reduce_(1, i, s, reduce=r, include_self=inc),
            [x, idx, src[:2].copy()],
        )
xz = x.copy()
xz[0, 0] = 0
sz = src.copy()
sz[0, 1] = 0
sz[1, 0] = 0
sz[1, 1] = 0
for inc in (True, False):
    case(
        f"scatter_reduce prod zeros {inc}",
        lambda lib, x, i, s, inc=inc: lib.scatter_reduce(x, 0, i, s, "prod", include_self=inc),
        [xz, idx, sz[:2].copy()],
    )
xt = np.ones((3, 4))
st = np.ones((3, 4))
st[1, 2] = 2
for r in ["amax", "amin"]:
    for inc in (True, False):
        case(
            f"scatter_reduce ties {r} {inc}",
            lambda lib, x, i, s, r=r, inc=inc: lib.scatter_reduce(x, 0, i, s, r, include_self=inc),
            [xt, idx, st[:2].copy()],
        )
xi = np.array([[1, 2, 3], [4, 5, 6]])
si = np.array([[2, -7, 4], [1, 1, 1]])
for r in ["sum", "prod", "mean", "amax", "amin"]:
    case(
        f"scatter_reduce int {r}",
        lambda lib, x, i, s, r=r: lib.scatter_reduce(x, 0, i, s, r, include_self=False),
        [xi, np.array([[0, 0, 0], [0, 1, 0]]), si],
    )
    case(
        f"scatter_reduce int {r} T",
        lambda lib, x, i, s, r=r: lib.scatter_reduce(x, 0, i, s, r),
        [xi, np.array([[0, 0, 0], [0, 1, 0]]), si],
    )
z = np.array(2.0)
case("scatter 0d", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [z, np.array(0), np.array(5.0)])
case("scatter 0d idx1", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [z, np.array([0]), np.array([5.0])])
case("scatter_add 0d", lambda lib, x, i, s: lib.scatter_add(x, -1, i, s), [z, np.array([0, 0]), np.array([5.0, 1])])
case(
    "scatter_reduce 0d",
    lambda lib, x, i, s: lib.scatter_reduce(x, 0, i, s, "amax"),
    [z, np.array([0, 0]), np.array([5.0, 1])],
)
case("scatter empty", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, np.zeros((0, 4), dtype=np.int64), src])
case("scatter empty big", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, np.zeros((0, 5), dtype=np.int64), src])
# errors
case("err int32", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu.astype(np.int32), src])
case("err float idx", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu.astype(np.float64), src])
case("err oob", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu + 5, src])
case("err neg", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu - 1, src])
case("err dim", lambda lib, x, i, s: lib.scatter(x, 2, i, s), [x, idxu, src])
case("err dtype", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu, src.astype(np.float32)])
case("err ndim", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, idxu[0], src])
case("err big", lambda lib, x, i, s: lib.scatter(x, 0, i, s), [x, np.zeros((3, 5), dtype=np.int64), src])
case("err big val", lambda lib, x, i: lib.scatter(x, 0, i, 1.0), [x, np.zeros((3, 5), dtype=np.int64)])
case("err big src", lambda lib, x, i, s: lib.scatter(x, 1, i, s), [x, np.zeros((3, 4), dtype=np.int64), src[:, :2]])
case("err sr bad", lambda lib, x, i, s: lib.scatter_reduce(x, 0, i, s, "max"), [x, idxu, src])
case("gather", lambda lib, x, i: lib.gather(x, 0, i), [x, idx])
case("gather int32", lambda lib, x, i: lib.gather(x, 1, i), [x, idx.astype(np.int32)])
case("gather float", lambda lib, x, i: lib.gather(x, 1, i), [x, idx.astype(np.float64)])
case("gather oob", lambda lib, x, i: lib.gather(x, 0, i), [x, idx + 5])
case("gather neg", lambda lib, x, i: lib.gather(x, 0, i), [x, idx - 1])
case("gather big", lambda lib, x, i: lib.gather(x, 0, i), [x, np.zeros((3, 5), dtype=np.int64)])
case("gather ndim", lambda lib, x, i: lib.gather(x, 0, i), [x, idx[0]])
case("gather 0d", lambda lib, x, i: lib.gather(x, 0, i), [z, np.array([0, 0])])
case("gather empty", lambda lib, x, i: lib.gather(x, 0, i), [x, np.zeros((0, 5), dtype=np.int64)])

x = rng.standard_normal((3, 4))
s = rng.standard_normal((2, 4))
arr = np.array
i2 = np.array([0, 2])
idup = np.array([0, 0])
case("index_add", lambda lib, x, i, s: lib.index_add(x, 0, i, s, alpha=2), [x, idup, s])
case("index_add_ nonleaf", lambda lib, x, i, s: (x * 1).index_add_(1, i, s, alpha=-1.5), [x, idup, s.T.copy()[:3]])
case("index_add int32", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, idup.astype(np.int32), s])
case("index_add float", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, idup.astype(float), s])
case("index_add 2d", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, idup.reshape(1, 2), s])
case("index_add oob", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, arr([0, 5]), s])
case("index_add neg", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, arr([0, -1]), s])
case("index_add bad src", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, arr([0, 1]), np.ones((3, 4))])
case("index_add bad src2", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, arr([0, 1]), np.ones((2, 3))])
case("index_add bad src3", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, arr([0, 1]), np.ones((2, 4, 1))])
case("index_add dtype", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, arr([0, 1]), np.ones((2, 4), np.float32)])
case("index_add 0d", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [np.array(1.0), np.array(0), np.array(2.0)])
case(
    "index_add 0d bad",
    lambda lib, x, i, s: lib.index_add(x, 0, i, s),
    [np.array(1.0), np.array([0, 0]), np.array([2.0, 3])],
)
case("index_add empty", lambda lib, x, i, s: lib.index_add(x, 0, i, s), [x, np.zeros(0, np.int64), np.ones((0, 4))])
case(
    "index_add int alpha",
    lambda lib, x, i, s: lib.index_add(x, 0, i, s, alpha=2.5),
    [np.zeros(3, np.int64), arr([0]), arr([1])],
)
case("index_copy", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, i2, s])
case("index_copy_", lambda lib, x, i, s: (x * 1).index_copy_(-1, i, s), [x, i2, s.T.copy()[:3]])
case("index_copy oob", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, arr([0, 5]), s])
case("index_copy neg", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, arr([0, -1]), s])
case("index_copy int32", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, i2.astype(np.int32), s])
case("index_copy bad", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, i2, np.ones((3, 4))])
case("index_copy bad2", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, i2, np.ones((2, 3))])
case("index_copy dtype", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, i2, np.ones((2, 4), np.float32)])
case("index_copy 2d", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [x, i2.reshape(1, 2), s])
case("index_copy 0d", lambda lib, x, i, s: lib.index_copy(x, 0, i, s), [np.array(1.0), arr([0]), arr([2.0])])
case("index_fill", lambda lib, x, i: lib.index_fill(x, 1, i, -1.0), [x, arr([0, 0, -1])])
case("index_fill_", lambda lib, x, i: (x * 1).index_fill_(1, i, -1.0), [x, arr([0, 0, -1])])
case("index_fill t", lambda lib, x, i, v: lib.index_fill(x, 1, i, v * 2), [x, arr([0, 0, 3]), np.array(0.7)])
case("index_fill oob", lambda lib, x, i: lib.index_fill(x, 1, i, -1.0), [x, arr([0, 5])])
case("index_fill int32", lambda lib, x, i: lib.index_fill(x, 1, i, -1.0), [x, arr([0, 1], np.int32)])
case("index_fill 2d", lambda lib, x, i: lib.index_fill(x, 1, i, -1.0), [x, arr([[0, 1]])])
case("index_fill t1", lambda lib, x, i, v: lib.index_fill(x, 1, i, v), [x, arr([0]), np.ones(1)])
case("index_fill 0d", lambda lib, x, i: lib.index_fill(x, 0, i, 3.0), [np.array(1.0), arr([0])])
case("index_fill 0d idx", lambda lib, x, i: lib.index_fill(x, 1, i, 3.0), [x, np.array(1)])
for r in ["prod", "mean", "amax", "amin"]:
    for inc in (True, False):
        case(
            f"index_reduce {r} {inc}",
            lambda lib, x, i, s, r=r, inc=inc: lib.index_reduce(x, 0, i, s, r, include_self=inc),
            [x, arr([0, 0, 2]), rng.standard_normal((3, 4))],
        )
        case(
            f"index_reduce_ {r} {inc}",
            lambda lib, x, i, s, r=r, inc=inc: (x * 1).index_reduce_(1, i, s, r, include_self=inc),
            [x, arr([3, 1, 3]), rng.standard_normal((3, 3))],
        )
case("index_reduce bad", lambda lib, x, i, s: lib.index_reduce(x, 0, i, s, "sum"), [x, i2, s])
case("index_reduce oob", lambda lib, x, i, s: lib.index_reduce(x, 0, i, s, "prod"), [x, arr([0, 5]), s])
case(
    "index_reduce int mean",
    lambda lib, x, i, s: lib.index_reduce(x, 0, i, s, "mean"),
    [arr([1, 2, 3]), arr([0, 0, 1]), arr([2, -7, 4])],
)
case("put", lambda lib, x, i, s: lib.put(x, i, s), [x, arr([0, -1]), arr([1.0, 2.0])])
case("put acc", lambda lib, x, i, s: lib.put(x, i, s, accumulate=True), [x, arr([0, 0]), arr([1.0, 2.0])])
case("put 2d", lambda lib, x, i, s: lib.put(x, i, s), [x, arr([[0, 1]]), arr([[1.0], [2.0]])])
case("put_", lambda lib, x, i, s: (x * 1).put_(i, s, accumulate=True), [x, arr([[0, 11]]), arr([[1.0], [2.0]])])
case(
    "Tensor.put kw",
    lambda lib, x, i, s: x.put(index=i, source=s, accumulate=True),
    [x, arr([[0, 11]]), arr([[1.0], [2.0]])],
)
case("put size", lambda lib, x, i, s: lib.put(x, i, s), [x, arr([0, 1]), arr([1.0, 2, 3])])
case("put oob", lambda lib, x, i, s: lib.put(x, i, s), [x, arr([0, 12]), arr([1.0, 2])])
case("put dtype", lambda lib, x, i, s: lib.put(x, i, s), [x, arr([0, 1]), arr([1.0, 2], np.float32)])
case("put int32", lambda lib, x, i, s: lib.put(x, i, s), [x, arr([0, 1], np.int32), arr([1.0, 2])])
case("index_select int32", lambda lib, x, i: lib.index_select(x, 0, i), [x, arr([0, 1, 1], np.int32)])
case("index_select float", lambda lib, x, i: lib.index_select(x, 0, i), [x, arr([0.0, 1.0])])
case("index_select oob", lambda lib, x, i: lib.index_select(x, 0, i), [x, arr([0, 5])])
case("index_select negative", lambda lib, x, i: lib.index_select(x, 0, i), [x, arr([0, -1])])
case("index_select 2-d", lambda lib, x, i: lib.index_select(x, 0, i), [x, arr([[0, 1]])])
case("index_select 0-d index", lambda lib, x, i: x.index_select(-1, i), [x, np.array(1)])
case("index_select 0-d input", lambda lib, x, i: lib.index_select(x, 0, i), [np.array(3.0), arr([0])])
case("index_select 0-d input two", lambda lib, x, i: lib.index_select(x, 0, i), [np.array(3.0), arr([0, 0])])
case("index_select empty", lambda lib, x, i: lib.index_select(x, 1, i), [x, np.zeros(0, np.int64)])
case("take", lambda lib, x, i: lib.take(x, i), [x, arr([[0, -1], [11, 0]])])
case("take oob", lambda lib, x, i: lib.take(x, i), [x, arr([0, 12])])
case("take oob neg", lambda lib, x, i: lib.take(x, i), [x, arr([0, -13])])
case("take int32", lambda lib, x, i: lib.take(x, i), [x, arr([0, 1], np.int32)])
case("take 0d", lambda lib, x, i: lib.take(x, i), [np.array(1.0), np.array(0)])
case("take empty", lambda lib, x, i: lib.take(x, i), [np.zeros(0), arr([0])])
case("tad", lambda lib, x, i: lib.take_along_dim(x, i, 1), [x, arr([[0], [1], [3]])])
case("tad bcast", lambda lib, x, i: lib.take_along_dim(x, i, 0), [x, arr([[0], [2]])])
case("tad bcast2", lambda lib, x, i: lib.take_along_dim(x, i, dim=1), [x[:1].copy(), arr([[0], [0]])])
case("tad bad", lambda lib, x, i: lib.take_along_dim(x, i, 0), [x, arr([[0, 1, 2]])])
case("tad none", lambda lib, x, i: lib.take_along_dim(x, i), [x, arr([[0, 11], [3, 4]])])
case("tad none neg", lambda lib, x, i: lib.take_along_dim(x, i), [x, arr([[0, -1]])])
case("tad int32", lambda lib, x, i: lib.take_along_dim(x, i, 0), [x, arr([[0]], np.int32)])
case("tad ndim", lambda lib, x, i: lib.take_along_dim(x, i, 0), [x, arr([0])])
case("tad dim", lambda lib, x, i: lib.take_along_dim(x, i, 2), [x, arr([[0]])])
case("tad 0d", lambda lib, x, i: lib.take_along_dim(x, i, 0), [np.array(3.0), np.array(0)])
case("Tensor.tad", lambda lib, x, i: x.take_along_dim(i, -1), [x, arr([[0], [1], [3]])])
m = arr([True, False, True, False])
case("masked_select", lambda lib, x, m: lib.masked_select(x, m), [x, m])
case("masked_select bcast", lambda lib, x, m: lib.masked_select(x, m), [x[0].copy(), rng.random((3, 4)) > 0.5])
case("masked_select uint8", lambda lib, x, m: lib.masked_select(x, m), [x, m.astype(np.uint8)])
case("masked_select bad", lambda lib, x, m: lib.masked_select(x, m), [x, arr([True, False])])
case("masked_select 0d", lambda lib, x, m: lib.masked_select(x, m), [np.array(1.0), np.array(False)])
case("Tensor.masked_select", lambda lib, x, m: x.masked_select(m), [x, m])

x = rng.standard_normal((3, 4))
arr = np.array
v0 = np.array(1.5)
case("index_put", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 2]), v0])
case("index_put list", lambda lib, x, i, v: lib.index_put(x, [i], v), [x, arr([0, 2]), v0])
case(
    "index_put acc dup",
    lambda lib, x, i, v: lib.index_put(x, (i,), v, accumulate=True),
    [x, arr([0, 0, 2]), rng.standard_normal((3, 4))],
)
case("index_put dup nacc v0", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 0, 2]), v0])
case(
    "index_put 2 idx bcast",
    lambda lib, x, i, j, v: lib.index_put(x, (i, j), v),
    [x, arr([[0], [1]]), arr([0, 1, 3]), rng.standard_normal((1, 3))],
)
case(
    "index_put 2 idx bcast acc",
    lambda lib, x, i, j, v: lib.index_put(x, (i, j), v, accumulate=True),
    [x, arr([[0], [0]]), arr([0, 1, 3]), rng.standard_normal((2, 3))],
)
case(
    "index_put bool",
    lambda lib, x, m, v: lib.index_put(x, (m,), v),
    [x, arr([True, False, True]), rng.standard_normal(4)],
)
case("index_put bool2d", lambda lib, x, m, v: lib.index_put(x, (m,), v), [x, rng.random((3, 4)) > 0.5, v0])
case("index_put bool2d acc", lambda lib, x, m, v: lib.index_put(x, (m,), v, True), [x, rng.random((3, 4)) > 0.5, v0])
case(
    "index_put bool+int",
    lambda lib, x, m, i, v: lib.index_put(x, (m, i), v),
    [x, arr([True, False, True]), arr([1, 3]), rng.standard_normal(2)],
)
case("index_put neg", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, -1]), v0])
case("index_put 0d idx", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, np.array(1), rng.standard_normal(4)])
case("index_put 0d x", lambda lib, x, i, v: lib.index_put(x, (i,), v), [np.array(1.0), np.array(True), v0])
case("index_put int32", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 2], np.int32), v0])
case("index_put float", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0.0, 2]), v0])
case("index_put uint8", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([1, 0, 1], np.uint8), v0])
case("index_put dtype", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 2]), v0.astype(np.float32)])
case("index_put vshape", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 2]), np.ones(3)])
case("index_put vshape2", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 2]), np.ones((1, 2, 4))])
case("index_put vshape ok", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 2]), np.ones((2, 1))])
case("index_put oob", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, 5]), v0])
case("index_put oob2", lambda lib, x, i, j, v: lib.index_put(x, (i, j), v), [x, arr([0, 1]), arr([0, 7]), v0])
case("index_put oob neg", lambda lib, x, i, v: lib.index_put(x, (i,), v), [x, arr([0, -5]), v0])
case("index_put too many", lambda lib, x, i, v: lib.index_put(x, (i, i, i), v), [x, arr([0, 1]), v0])
case("index_put bcast bad", lambda lib, x, i, j, v: lib.index_put(x, (i, j), v), [x, arr([0, 1]), arr([0, 1, 2]), v0])
case("index_put mask bad", lambda lib, x, m, v: lib.index_put(x, (m,), v), [x, arr([True, False]), v0])
case("index_put empty tuple", lambda lib, x, v: lib.index_put(x, (), v), [x, v0])
case("index_put not tuple", lambda lib, x, i, v: lib.index_put(x, i, v), [x, arr([0]), v0])
case("Tensor.index_put not tuple", lambda lib, x, i, v: x.index_put(i, v), [x, arr([0]), v0])
case("index_put_ not tuple", lambda lib, x, i, v: (x * 1).index_put_(i, v), [x, arr([0]), v0])
case("torch.index_put_ not tuple", lambda lib, x, i, v: lib.index_put_(x * 1, i, v), [x, arr([0]), v0])
case("index_put list elem", lambda lib, x, v: lib.index_put(x, ([0],), v), [x, v0])
case("index_put_ list elem", lambda lib, x, v: (x * 1).index_put_(([0],), v), [x, v0])
case(
    "index_put_ nonleaf",
    lambda lib, x, i, v: (x * 1).index_put_((i,), v, accumulate=True),
    [x, arr([0, 0]), rng.standard_normal(4)],
)
case("index_put_ leaf", lambda lib, x, i, v: x.index_put_((i,), v), [x, arr([0, 0]), rng.standard_normal(4)])
case("torch.index_put_", lambda lib, x, i, v: lib.index_put_(x * 1, (i,), v), [x, arr([0, 2]), v0])
case(
    "index_put kw", lambda lib, x, i, v: lib.index_put(x, indices=(i,), values=v, accumulate=True), [x, arr([0, 2]), v0]
)
case("index_put int", lambda lib, x, i, v: lib.index_put(x, (i,), v), [arr([1, 2, 3]), arr([0, 2]), arr(7)])
m = arr([True, False, True, True])
case("masked_scatter", lambda lib, x, m, s: lib.masked_scatter(x, m, s), [x, m, rng.standard_normal((5, 3))])
case(
    "masked_scatter bcast self",
    lambda lib, x, m, s: lib.masked_scatter(x, m, s),
    [x[0].copy(), rng.random((3, 4)) > 0.5, rng.standard_normal(12)],
)
case("masked_scatter_", lambda lib, x, m, s: (x * 1).masked_scatter_(m, s), [x, m, rng.standard_normal((5, 3))])
case(
    "masked_scatter_ bcast self",
    lambda lib, x, m, s: (x * 1).masked_scatter_(m, s),
    [x[0].copy(), rng.random((3, 4)) > 0.5, rng.standard_normal(12)],
)
case("masked_scatter few", lambda lib, x, m, s: lib.masked_scatter(x, m, s), [x, m, rng.standard_normal(2)])
case(
    "masked_scatter uint8",
    lambda lib, x, m, s: lib.masked_scatter(x, m, s),
    [x, m.astype(np.uint8), rng.standard_normal(12)],
)
case(
    "masked_scatter dtype",
    lambda lib, x, m, s: lib.masked_scatter(x, m, s),
    [x, m, rng.standard_normal(12).astype(np.float32)],
)
case(
    "masked_scatter shape",
    lambda lib, x, m, s: lib.masked_scatter(x, m, s),
    [x, arr([True, False]), rng.standard_normal(12)],
)
case(
    "masked_scatter_ shape",
    lambda lib, x, m, s: (x * 1).masked_scatter_(m, s),
    [x, arr([True, False]), rng.standard_normal(12)],
)
case(
    "masked_scatter_ shape2",
    lambda lib, x, m, s: (x * 1).masked_scatter_(m, s),
    [x, np.ones((2, 3, 4), bool), rng.standard_normal(12)],
)
case(
    "masked_scatter 0d",
    lambda lib, x, m, s: lib.masked_scatter(x, m, s),
    [np.array(3.0), np.array(True), rng.standard_normal(2)],
)
case("masked_scatter kw", lambda lib, x, m, s: lib.masked_scatter(x, mask=m, source=s), [x, m, rng.standard_normal(12)])
for k, a in enumerate(
    [x, np.array(5.0), np.array(0.0), np.zeros((0, 3)), arr([True, False, True]), arr([[0, 1], [2, 0]])]
):
    case(f"nonzero {k}", lambda lib, a: lib.nonzero(a), [a])
    case(f"nonzero tuple {k}", lambda lib, a: lib.nonzero(a, as_tuple=True), [a])
    case(f"Tensor.nonzero tuple {k}", lambda lib, a: a.nonzero(as_tuple=True), [a])
    case(f"argwhere {k}", lambda lib, a: lib.argwhere(a), [a])
    case(f"Tensor.argwhere {k}", lambda lib, a: a.argwhere(), [a])
    case(f"where1 {k}", lambda lib, a: lib.where(a), [a])
case("nonzero nc", lambda lib, a: lib.nonzero(a.t()), [arr([[0, 1, 3], [2, 0, 0]])])
case("nonzero pos", lambda lib, a: lib.nonzero(a, True), [x])
case("where 2 args", lambda lib, a: lib.where(a > 0, a), [x])
case("select_scatter", lambda lib, x, s: lib.select_scatter(x, s, 0, -1), [x, rng.standard_normal(4)])
case("select_scatter d1", lambda lib, x, s: lib.select_scatter(x, s, dim=1, index=2), [x, rng.standard_normal(3)])
case("Tensor.select_scatter", lambda lib, x, s: x.select_scatter(s, 1, 2), [x, rng.standard_normal(3)])
case("select_scatter bad shape", lambda lib, x, s: lib.select_scatter(x, s, 0, 1), [x, np.ones(3)])
case("select_scatter bad idx", lambda lib, x, s: lib.select_scatter(x, s, 0, 3), [x, np.ones(4)])
case("select_scatter bad dim", lambda lib, x, s: lib.select_scatter(x, s, 2, 0), [x, np.ones(4)])
case("select_scatter dtype", lambda lib, x, s: lib.select_scatter(x, s, 0, 0), [x, np.ones(4, np.float32)])
case("select_scatter 0d src", lambda lib, x, s: lib.select_scatter(x, s, 0, 0), [np.zeros(3), np.array(1.0)])
case("slice_scatter", lambda lib, x, s: lib.slice_scatter(x, s, 1, 0, 4, 2), [x, rng.standard_normal((3, 2))])
case("slice_scatter default", lambda lib, x, s: lib.slice_scatter(x, s), [x, rng.standard_normal((3, 4))])
case("slice_scatter neg", lambda lib, x, s: lib.slice_scatter(x, s, 1, -2), [x, rng.standard_normal((3, 2))])
case("slice_scatter neg end", lambda lib, x, s: lib.slice_scatter(x, s, 1, None, -2), [x, rng.standard_normal((3, 2))])
case("slice_scatter clamp", lambda lib, x, s: lib.slice_scatter(x, s, 1, 3, 100), [x, rng.standard_normal((3, 1))])
case("slice_scatter clamp2", lambda lib, x, s: lib.slice_scatter(x, s, 1, -100, 100), [x, rng.standard_normal((3, 4))])
case("slice_scatter empty", lambda lib, x, s: lib.slice_scatter(x, s, 1, 3, 2), [x, np.ones((3, 0))])
case("slice_scatter bad", lambda lib, x, s: lib.slice_scatter(x, s, 1, 0, 2), [x, np.ones((3, 3))])
case("slice_scatter step0", lambda lib, x, s: lib.slice_scatter(x, s, 1, 0, 2, 0), [x, np.ones((3, 3))])
case(
    "slice_scatter kw",
    lambda lib, x, s: lib.slice_scatter(x, s, dim=-1, start=0, end=3, step=2),
    [x, rng.standard_normal((3, 2))],
)
case("slice_scatter 0d", lambda lib, x, s: lib.slice_scatter(x, s), [np.array(1.0), np.array(2.0)])
case("Tensor.slice_scatter", lambda lib, x, s: x.slice_scatter(s, 0, 1), [x, rng.standard_normal((2, 4))])
case("diagonal_scatter", lambda lib, x, s: lib.diagonal_scatter(x, s), [x, rng.standard_normal(3)])
case("diagonal_scatter off", lambda lib, x, s: lib.diagonal_scatter(x, s, 1), [x, rng.standard_normal(3)])
case("diagonal_scatter off-", lambda lib, x, s: lib.diagonal_scatter(x, s, -1), [x, rng.standard_normal(2)])
case("diagonal_scatter dims", lambda lib, x, s: lib.diagonal_scatter(x, s, 0, 1, 0), [x, rng.standard_normal(3)])
case("diagonal_scatter bad", lambda lib, x, s: lib.diagonal_scatter(x, s), [x, np.ones(2)])
case("diagonal_scatter same", lambda lib, x, s: lib.diagonal_scatter(x, s, 0, 1, 1), [x, np.ones(2)])
case("diagonal_scatter same neg", lambda lib, x, s: lib.diagonal_scatter(x, s, 0, 1, -1), [x, np.ones(2)])
case(
    "diagonal_scatter 3d",
    lambda lib, x, s: lib.diagonal_scatter(x, s, 1, 2, 0),
    [rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 2))],
)
case(
    "diagonal_scatter 3d b",
    lambda lib, x, s: lib.diagonal_scatter(x, s, -1, -1, 1),
    [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3))],
)
case("diagonal_scatter big off", lambda lib, x, s: lib.diagonal_scatter(x, s, 5), [x, np.ones(0)])
case("diagonal_scatter 1d", lambda lib, x, s: lib.diagonal_scatter(x, s), [np.ones(3), np.ones(0)])
case("diagonal_scatter kw", lambda lib, x, s: x.diagonal_scatter(s, offset=1, dim1=1, dim2=0), [x, np.ones(2)])
case("fill", lambda lib, x: lib.fill(x, 2), [x])
case("fill int", lambda lib, x: lib.fill(x, 2.7), [np.zeros(3, np.int64)])
case("fill t", lambda lib, x, v: lib.fill(x, v * 2), [x, np.array(1.5)])
case("fill t f32", lambda lib, x, v: lib.fill(x, v * 2), [x, np.array(1.5, np.float32)])
case("fill t1", lambda lib, x, v: lib.fill(x, v), [x, np.ones(1)])
case("fill kw", lambda lib, x: lib.fill(input=x, value=3), [x])
case("torch.fill_", lambda lib, x: lib.fill_(x * 1, -2), [x])
case("fill 0d", lambda lib, x: lib.fill(x, 3), [np.array(1.0)])

x = rng.standard_normal((3, 4))
m = np.array([True, False, True, False])
case("masked_fill", lambda lib, x, m: lib.masked_fill(x, m, 2.0), [x, m])
case("masked_fill bcast 2d", lambda lib, x, m: x.masked_fill(m, -1), [x, rng.random((3, 1)) > 0.5])
case("masked_fill uint8", lambda lib, x, m: x.masked_fill(m, -1), [x, m.astype(np.uint8)])
case("masked_fill float", lambda lib, x, m: x.masked_fill(m, -1), [x, m.astype(float)], [True, False])
case("masked_fill bad", lambda lib, x, m: x.masked_fill(m, -1), [x, np.array([True, False])])
case("masked_fill bigger mask", lambda lib, x, m: x.masked_fill(m, -1), [x[0].copy(), rng.random((3, 4)) > 0.5])
case("masked_fill tensor value", lambda lib, x, m, v: x.masked_fill(m, v * 2), [x, m, np.array(0.5)])
case("masked_fill tensor value f32", lambda lib, x, m, v: x.masked_fill(m, v * 2), [x, m, np.array(0.5, np.float32)])
case("masked_fill tensor value 1d", lambda lib, x, m, v: x.masked_fill(m, v), [x, m, np.ones(1)])
case("masked_fill_ tensor value", lambda lib, x, m, v: (x * 1).masked_fill_(m, v * 2), [x, m, np.array(0.5)])
case("masked_fill int", lambda lib, x, m: x.masked_fill(m, 2.7), [np.arange(4), m])
case("masked_fill 0d", lambda lib, x, m: x.masked_fill(m, 2.7), [np.array(1.0), np.array(True)])
case("masked_fill_ bigger mask", lambda lib, x, m: (x * 1).masked_fill_(m, -1), [x[0].copy(), rng.random((3, 4)) > 0.5])


@pytest.mark.parametrize("call, arrays, grads", CASES)
def test_matches_torch(call, arrays, grads):
    grads = grads or [a.dtype.kind == "f" for a in arrays]
    theirs, ours = _run(torch, call, arrays, grads), _run(mt, call, arrays, grads)
    if isinstance(theirs[0], str) or isinstance(ours[0], str):
        assert ours == theirs
        return
    assert len(ours[0]) == len(theirs[0])
    for o, t in zip(ours[0], theirs[0]):
        assert o.shape == t.shape and o.dtype == t.dtype
        np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-12)
    assert ours[1] == theirs[1]
    if theirs[2] is None or isinstance(theirs[2], tuple):
        assert ours[2] == theirs[2]
        return
    assert len(ours[2]) == len(theirs[2])
    for o, t in zip(ours[2], theirs[2]):
        assert (o is None) == (t is None)
        if t is not None:
            assert o.shape == t.shape
            np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-12)


def test_deprecated_reduce_warns_and_has_no_derivative():
    """scatter(..., reduce=) with a tensor src warns (torch warns once a process, so only ours is
    checked for it); both engines' nodes are NotImplemented and raise in backward."""
    with pytest.warns(UserWarning, match="The reduce argument of torch.scatter with Tensor src is deprecated"):
        mt.zeros(3).scatter_(0, mt.tensor([0]), mt.ones(1), reduce="add")
    for lib in (mt, torch):
        x = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = (x * 1).scatter_(0, lib.tensor([0, 0]), lib.ones(2, dtype=lib.float64), reduce="add")
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        assert y.tolist() == [2.0, 0.0, 0.0]
        with pytest.raises(RuntimeError, match=r"derivative for aten::scatter_ is not implemented"):
            y.sum().backward()
        y = lib.scatter(x, 0, lib.tensor([1]), 3.0, reduce="multiply")
        with pytest.raises(RuntimeError, match=r"derivative for aten::scatter is not implemented"):
            y.sum().backward()


@pytest.mark.parametrize(
    "write",
    [
        lambda lib, x: x.scatter_(0, lib.tensor([[1, 0]]), x[:1] * 2),
        lambda lib, x: x.scatter_add_(1, lib.tensor([[0], [0]]), x[:, :1] * 2),
        lambda lib, x: x.scatter_reduce_(1, lib.tensor([[1], [0]]), x[:, 1:] * 3, "amax", include_self=False),
        lambda lib, x: x.index_put_((lib.tensor([1, 1]),), x[0] * 2, accumulate=True),
        lambda lib, x: x.masked_scatter_(lib.tensor([True, False]), x[[1, 0]] * 2),
        lambda lib, x: x.index_add_(0, lib.tensor([1, 1]), x * 2, alpha=0.5),
        lambda lib, x: x.index_fill_(1, lib.tensor([0]), -1.0),
        lambda lib, x: x.put_(lib.tensor([3, 0]), x[0] * 2),
    ],
)
@pytest.mark.parametrize("where", ["nonleaf", "view"])
def test_in_place_writes_build_torchs_graph(write, where):
    """An in-place write on a non-leaf, or on a view of one (CopySlices on the base), builds torch's
    whole graph and gives torch's gradients; on a leaf that requires grad it is refused."""
    results = []
    for lib in (mt, torch):
        leaf = lib.tensor([[0.5, -1.0], [2.0, 1.5], [0.25, -0.75]], dtype=lib.float64, requires_grad=True)
        base = leaf * 1
        target = base[1:] if where == "view" else base[:2] * 1
        write(lib, target)
        g = np.random.default_rng(2).standard_normal(tuple(base.shape))
        base.backward(torch.from_numpy(g) if lib is torch else mt.tensor(g))
        results.append((graph_signature(base.grad_fn), base.detach().numpy().copy(), leaf.grad.numpy().copy()))
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            write(lib, lib.zeros(2, 2, dtype=lib.float64, requires_grad=True))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-12, atol=1e-15)


def test_tensor_index_is_not_provided():
    """torch.Tensor.index binds functorch first-class dims (Dim objects), which minitorch_nn has not;
    aten's index op is x[tensors] (IndexBackward0), covered above and in tests/test_indexing.py."""
    assert not hasattr(mt.Tensor, "index")
