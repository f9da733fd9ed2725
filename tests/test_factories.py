"""Creation functions against torch: values (bit for bit), dtypes, shapes and errors.

Every call is written once against the torch API and run with both libraries;
results must agree in dtype, shape and raw bits, errors in type and message.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt


def run(call):
    """call(lib) for both libraries: (ours, theirs), or both exceptions."""
    outcomes = []
    for lib in (mt, real_torch):
        try:
            outcomes.append(call(lib))
        except Exception as error:  # noqa: BLE001 - the errors are what is compared
            outcomes.append(error)
    return outcomes


def check(call):
    ours, theirs = run(call)
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), (ours, theirs)
        assert str(ours).split("\n")[0] == str(theirs).split("\n")[0]
        return
    assert not isinstance(ours, Exception), ours
    a, b = np.ascontiguousarray(ours.detach().numpy()), np.ascontiguousarray(theirs.detach().numpy())
    assert str(ours.dtype) == str(theirs.dtype)
    assert a.shape == b.shape
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), (a, b)
    assert ours.requires_grad == theirs.requires_grad


RANGES = [(0, 1, 40), (0, 1, 100), (-3.7, 5.1, 1000), (1e-3, 7, 17), (-1, 1, 2000), (2.5, -4.25, 77), (0, 10, 5)]
RANGES += [(3, 3, 4), (0, 1, 1), (5, 2, 2), (0, 1, 0)]
DTYPES = ["float32", "float64", "int64", "int32", "uint8", "int16"]


@pytest.mark.parametrize("start, end, steps", RANGES)
@pytest.mark.parametrize("dtype", [None, *DTYPES])
def test_linspace(start, end, steps, dtype):
    if dtype == "uint8" and min(start, end) < 0:
        return
    check(lambda lib: lib.linspace(start, end, steps, dtype=dtype and getattr(lib, dtype)))


@pytest.mark.parametrize("start, end, steps", RANGES)
@pytest.mark.parametrize("base", [10.0, 2.0, 0.5])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_logspace(start, end, steps, base, dtype):
    check(lambda lib: lib.logspace(start, end, steps, base=base, dtype=dtype and getattr(lib, dtype)))


def test_linspace_logspace_arguments():
    check(lambda lib: lib.linspace(0, 1, 5, requires_grad=True))
    check(lambda lib: lib.linspace(lib.tensor(0.5), lib.tensor(2.0), 7))
    check(lambda lib: lib.linspace(0, 1, -1))
    check(lambda lib: lib.logspace(0, 2, 3, 2))
    check(lambda lib: lib.logspace(0, 2, -3))
    check(lambda lib: lib.linspace(0, 1, 5, device="cpu"))


ARANGES = [
    (0, 1, 0.1),
    (0, 100, 0.37),
    (1, 0, -0.3),
    (0.1, 1000.3, 0.7),
    (-2.5, 2.5, 0.5),
    (0, 10000, 1.1),
    (0, 5, 1),
    (3, 40, 7),
    (10, 0, -3),
    (0.5, 3, 1),
    (0, 0, 1),
]


@pytest.mark.parametrize("start, end, step", ARANGES)
@pytest.mark.parametrize("dtype", [None, "float32", "float64", "int64", "int32"])
def test_arange_values_and_counts(start, end, step, dtype):
    check(lambda lib: lib.arange(start, end, step, dtype=dtype and getattr(lib, dtype)))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.arange(5),
        lambda lib: lib.arange(5.0),
        lambda lib: lib.arange(2, 9),
        lambda lib: lib.arange(5, dtype=lib.float64),
        lambda lib: lib.arange(lib.tensor(3)),
        lambda lib: lib.arange(0, 5, requires_grad=True),
        lambda lib: lib.arange(0.0, 5, requires_grad=True),
        lambda lib: lib.arange(0, 1, 0),
        lambda lib: lib.arange(0, -1, 1),
        lambda lib: lib.arange(0, 1, 0.1, dtype=lib.int64),
        lambda lib: lib.arange(float("nan")),
        lambda lib: lib.arange(0, float("inf")),
        lambda lib: lib.arange(0, 2.5, 1, dtype=lib.int64),
        lambda lib: lib.arange(-0.5, 2, 1, dtype=lib.int64),
        lambda lib: lib.arange(0, 2.5, 1, dtype=lib.int32),
    ],
)
def test_arange_forms_and_errors(call):
    check(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.full((2, 3), 1.5),
        lambda lib: lib.full((2,), 3),
        lambda lib: lib.full((2,), True),
        lambda lib: lib.full([2, 2], 3.0, dtype=lib.int64),
        lambda lib: lib.full((2,), 2.7, dtype=lib.int32),
        lambda lib: lib.full((2,), 1.5, dtype=lib.bool),
        lambda lib: lib.full((), 4.0),
        lambda lib: lib.full((0, 3), 4.0),
        lambda lib: lib.full((2,), 1.0, requires_grad=True),
        lambda lib: lib.full((2,), 300, dtype=lib.uint8),
        lambda lib: lib.full(2, 3.0),
        lambda lib: lib.full((-1,), 3.0),
        lambda lib: lib.full((2,), 1, requires_grad=True),
        lambda lib: lib.full((2,), 1.0, device="cpu"),
    ],
)
def test_full(call):
    check(call)


LIKE_INPUTS = [((3, 4), "float32"), ((2,), "int64"), ((), "float64"), ((0, 2), "bool")]


@pytest.mark.parametrize("shape, dtype", LIKE_INPUTS)
@pytest.mark.parametrize("name", ["zeros_like", "ones_like"])
@pytest.mark.parametrize("out_dtype", [None, "float64", "int32"])
def test_zeros_ones_like(shape, dtype, name, out_dtype):
    check(
        lambda lib: getattr(lib, name)(
            lib.zeros(shape, dtype=getattr(lib, dtype)), dtype=out_dtype and getattr(lib, out_dtype)
        )
    )


@pytest.mark.parametrize("shape, dtype", LIKE_INPUTS)
@pytest.mark.parametrize("value", [2.7, 3, True])
def test_full_like(shape, dtype, value):
    check(lambda lib: lib.full_like(lib.zeros(shape, dtype=getattr(lib, dtype)), value))
    check(lambda lib: lib.full_like(lib.zeros(shape, dtype=getattr(lib, dtype)), value, dtype=lib.float64))


def test_like_requires_grad_and_empty_like():
    check(lambda lib: lib.ones_like(lib.zeros(2), requires_grad=True))
    check(lambda lib: lib.zeros_like(lib.zeros(2, dtype=lib.int64), requires_grad=True))
    for dtype in ("float32", "int64"):
        ours = mt.empty_like(mt.zeros(3, 2, dtype=getattr(mt, dtype)))
        theirs = real_torch.empty_like(real_torch.zeros(3, 2, dtype=getattr(real_torch, dtype)))
        assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype)
    assert mt.empty_like(mt.zeros(2), dtype=mt.float64, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.eye(3),
        lambda lib: lib.eye(2, 4),
        lambda lib: lib.eye(4, 2, dtype=lib.int64),
        lambda lib: lib.eye(2, 3, dtype=lib.bool),
        lambda lib: lib.eye(0),
        lambda lib: lib.eye(3, requires_grad=True),
        lambda lib: lib.eye(-1),
        lambda lib: lib.eye(2, -1),
    ],
)
def test_eye(call):
    check(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.scalar_tensor(3),
        lambda lib: lib.scalar_tensor(2.5),
        lambda lib: lib.scalar_tensor(True),
        lambda lib: lib.scalar_tensor(2.5, dtype=lib.int64),
        lambda lib: lib.scalar_tensor(7, dtype=lib.float64, requires_grad=True),
    ],
)
def test_scalar_tensor(call):
    check(call)


@pytest.mark.parametrize("row, col", [(3, 4), (4, 3), (1, 1), (0, 3), (5, 5)])
@pytest.mark.parametrize("offset", [0, 1, -1, 3, -4])
@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_triangle_indices(row, col, offset, name):
    check(lambda lib: getattr(lib, name)(row, col, offset))
    check(lambda lib: getattr(lib, name)(row, col, offset=offset, dtype=lib.int32))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_triangle_indices_errors(name):
    check(lambda lib: getattr(lib, name)(-1, 4))
    check(lambda lib: getattr(lib, name)(3, -2))
    check(lambda lib: getattr(lib, name)(3, 3, dtype=lib.float32))


@pytest.mark.parametrize("size, stride", [((2, 3), (3, 1)), ((2, 3), (1, 2)), ((4,), (2,)), ((2, 0), (1, 1)), ((), ())])
def test_empty_strided(size, stride):
    ours = mt.empty_strided(size, stride)
    theirs = real_torch.empty_strided(size, stride)
    assert ours.shape == theirs.shape and ours.dtype == mt.float32
    assert tuple(s // 4 for s in ours._data.strides) == theirs.stride() or 0 in size
    ours = mt.empty_strided(size, stride, dtype=mt.float64, requires_grad=True)
    assert ours.dtype == mt.float64 and ours.requires_grad


def test_empty_strided_errors():
    check(lambda lib: lib.empty_strided((2, 3), (1,)))


def test_rand_size_errors():
    check(lambda lib: lib.rand(-1))
    check(lambda lib: lib.zeros(2, -3))
    check(lambda lib: lib.rand(2.5))
    assert mt.rand(()).shape == () and mt.randn(2, 0).shape == (2, 0)
