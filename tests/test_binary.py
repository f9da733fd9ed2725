"""Binary elementwise ops against torch where the registry cannot reach: integer and bool semantics
(fmod/remainder signs, division by zero, shifts, bitwise ops), result dtypes over a grid of operand
dtypes and kinds, comparisons and predicates, errors (type and message), 0-d and empty tensors."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
import minitorch_nn.nn.functional as mt_F
from reference import strategies as S

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]
INTEGERS = ["uint8", "int8", "int16", "int32", "int64"]


def _outcome(lib: Any, call: Any) -> Any:
    try:
        return ("ok", call(lib))
    except Exception as error:  # noqa: BLE001 - the error itself is what is compared
        return ("error", type(error).__name__, str(error))


def _plain(value: Any) -> Any:
    """A result as something comparable across the engines: (dtype, shape, values) for tensors."""
    if isinstance(value, (torch.Tensor, mt.Tensor)):
        array = value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value._data)
        return str(value.dtype).replace("torch.", ""), tuple(value.shape), array
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [_plain(v) for v in value]
    return value


def _equal(a: Any, b: Any) -> bool:
    """Exact for integers and bools; floats to a few ulps (NumPy's and torch's atan2 or log differ in
    the last bit), with NaNs and the signs of infinities and zeros equal."""
    if isinstance(a, np.ndarray):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind != "f":
            return bool(np.array_equal(a, b))
        rtol = 1e-6 if a.dtype == np.float32 else 1e-13
        same_zero_sign = np.array_equal(np.signbit(a[a == 0]), np.signbit(b[a == 0])) if (a == b).all() else True
        return bool(np.allclose(a, b, rtol=rtol, atol=0, equal_nan=True)) and same_zero_sign
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b


def assert_same(call: Any) -> None:
    """call(lib) gives the same values, dtype and shape in both engines, or the same error (type, text)."""
    ours, theirs = _outcome(mt, call), _outcome(torch, call)
    if theirs[0] == "error":
        assert ours == theirs
        return
    assert ours[0] == "ok", ours
    assert _equal(_plain(ours[1]), _plain(theirs[1])), (_plain(ours[1]), _plain(theirs[1]))


def _lib_dtype(lib: Any, name: str) -> Any:
    return getattr(lib, "bool" if name == "bool" else name)


def _tensor(lib: Any, values: Any, dtype: str) -> Any:
    return lib.tensor(values, dtype=_lib_dtype(lib, dtype))


# ---- fmod and remainder on integers and floats --------------------------------------------------

SIGNED = [-7, 7, -7, 7, 0, 6, -6]
DIVISORS = [2, -2, -2, 2, 3, -4, 4]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("op", ["fmod", "remainder"])
def test_modulo_signs_match_torch(op, dtype):
    """fmod takes the dividend's sign (C), remainder the divisor's (Python), for every sign pairing."""
    assert_same(lambda lib: getattr(lib, op)(_tensor(lib, SIGNED, dtype), _tensor(lib, DIVISORS, dtype)))
    assert_same(lambda lib: getattr(_tensor(lib, SIGNED, dtype), op)(-3))
    assert_same(lambda lib: getattr(lib, op)(_tensor(lib, SIGNED, dtype), 2.5))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.tensor([-7, 7, 5]) % lib.tensor([2, -2, 3]),
        lambda lib: lib.tensor([-7, 7, 5]) % 3,
        lambda lib: 5 % lib.tensor([2, -2, 3]),
        lambda lib: 5.5 % lib.tensor([2, -2, 3]),
        lambda lib: -7 % lib.tensor([2.0, -2.0]),
        lambda lib: lib.remainder(5, lib.tensor([2, -3])),
        lambda lib: lib.tensor([-7.5, 7.5, -0.0, 0.0]) % 2,
        lambda lib: lib.tensor([-7.5, 7.5, -0.0, 0.0]) % -2,
        lambda lib: lib.tensor([-7.5, 7.5, 3.0]).fmod(lib.tensor([2.0, -2.0, float("inf")])),
        lambda lib: lib.tensor([-5.0, 5.0]) % float("inf"),
        lambda lib: lib.tensor([5], dtype=lib.uint8) % 3,
        lambda lib: lib.tensor([5], dtype=lib.uint8).fmod(-1),
        lambda lib: lib.tensor([True, False]).fmod(1),
        lambda lib: lib.tensor([True, False]) % lib.tensor([True, True]),
        lambda lib: lib.tensor([True, False]).fmod(lib.tensor([True, True])),
        lambda lib: lib.tensor([-7, 7]).remainder_(3),
        lambda lib: lib.tensor([-7, 7]).fmod_(lib.tensor([3, -3])),
        lambda lib: lib.tensor([-7, 7]).remainder_(2.5),
        lambda lib: lib.tensor(-7) % lib.tensor(3),
        lambda lib: lib.zeros(0, 3) % 2,
        lambda lib: lib.fmod(lib.zeros(2, 0), lib.ones(1, 0)),
    ],
)
def test_modulo_cases_match_torch(call):
    assert_same(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.tensor([1, 2]) % 0,
        lambda lib: lib.tensor([1, 2]).fmod(0),
        lambda lib: lib.fmod(lib.tensor([1, 2]), lib.tensor([1, 0])),
        lambda lib: lib.remainder(lib.tensor([1, 2], dtype=lib.uint8), lib.tensor([0, 1], dtype=lib.uint8)),
        lambda lib: lib.tensor([True]) % 0,
        lambda lib: lib.tensor([1, 2]) // 0,
        lambda lib: lib.div(lib.tensor([1, 2]), 0, rounding_mode="trunc"),
        lambda lib: lib.div(lib.tensor([1, 2]), lib.tensor([0, 1]), rounding_mode="floor"),
        lambda lib: lib.tensor([-1, 0, 1]) / 0,
        lambda lib: lib.tensor([-1, 0, 1]) // 0.0,
        lambda lib: lib.tensor([-1, 0, 1]) % 0.0,
        lambda lib: lib.tensor([-1.0, 0.0, 1.0]).fmod(0),
        lambda lib: lib.tensor([-7, 7, -6]) // lib.tensor([2, -2, 4]),
        lambda lib: 7 // lib.tensor([2, -2]),
        lambda lib: lib.floor_divide(lib.tensor([-7.5, 7.5]), 2),
        lambda lib: lib.tensor([1.0, -1.0, 0.0, -0.0, 5.0], dtype=lib.float64) // 0.1,
        lambda lib: lib.tensor([1.0, -1.0, 0.0, -0.0, 5.0]) // lib.tensor([0.1, 0.1, -3.0, 3.0, -0.7]),
        lambda lib: lib.div(lib.tensor([1.0, -1.0, 7.0]), -0.1, rounding_mode="floor"),
        lambda lib: lib.tensor([1.0, float("inf"), float("nan")]) // lib.tensor([float("inf"), 2.0, 1.0]),
    ],
)
def test_division_by_zero_and_floor_division_match_torch(call):
    """Integer division by zero raises (NumPy would give 0 and a warning); float gives inf/nan."""
    assert_same(call)


def test_remainder_and_floor_divide_of_a_graph_have_no_derivative_as_in_torch():
    for lib in (mt, torch):
        x = lib.tensor([1.5, -2.5], requires_grad=True)
        for out, op in ((2 % x, "remainder"), (x // 2, "floor_divide"), (x // x, "floor_divide")):
            assert out.requires_grad
            assert out.grad_fn.name() == "torch::autograd::NotImplemented"
            with pytest.raises(RuntimeError, match=f"derivative for aten::{op} is not implemented"):
                out.sum().backward()


def test_fmod_and_remainder_node_names_and_edges():
    x = mt.tensor([1.5, -2.5], requires_grad=True)
    y = mt.tensor([0.7, 0.9], requires_grad=True)
    assert mt.fmod(x, 2).grad_fn.name() == "FmodBackward0"
    assert len(mt.fmod(x, 2).grad_fn.next_functions) == 1
    assert mt.fmod(x, y).grad_fn.name() == "FmodBackward1"
    assert mt.fmod(x, mt.tensor(2.0)).grad_fn.name() == "FmodBackward1"
    assert (x % 2).grad_fn.name() == "RemainderBackward0"
    assert (x % y).grad_fn.name() == "RemainderBackward1"


# ---- bitwise and shift ops ---------------------------------------------------------------------------

BITWISE_OPERATORS = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "lshift": lambda a, b: a << b,
    "rshift": lambda a, b: a >> b,
}


def _operand(lib: Any, dtype: str, kind: str) -> Any:
    """A tensor, a 0-d tensor or a Python number of this dtype (bool -> True, ints -> 3, floats -> 1.5)."""
    if kind == "scalar":
        return {"bool": True, "float32": 1.5, "float64": 1.5}.get(dtype, 3)
    values = {"bool": [True, False, True], "float32": [1.5, -2.0, 0.5], "float64": [1.5, -2.0, 0.5]}.get(
        dtype, [3, 1, 5] if dtype == "uint8" else [3, -1, 5]
    )
    return _tensor(lib, values if kind == "tensor" else values[0], dtype)


@pytest.mark.parametrize("op", sorted(BITWISE_OPERATORS))
@pytest.mark.parametrize("other", DTYPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_bitwise_operators_over_dtypes_match_torch(dtype, other, op):
    """Values and dtypes on bool and integer operands; torch's NotImplementedError for floats and
    (shifts) for two bools."""
    for kind_a, kind_b in (("tensor", "tensor"), ("tensor", "0d"), ("tensor", "scalar"), ("scalar", "tensor")):
        if (kind_a == "scalar" and dtype in ("float32", "int8")) or (kind_b == "scalar" and other in ("float32",)):
            continue  # a Python number has one kind per category; one representative each is enough
        assert_same(
            lambda lib: BITWISE_OPERATORS[op](_operand(lib, dtype, kind_a), _operand(lib, other, kind_b))  # noqa: B023
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_bitwise_functions_and_inplace_match_torch(dtype):
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"):
        assert_same(lambda lib: getattr(lib, name)(_operand(lib, dtype, "tensor"), _operand(lib, "int64", "0d")))  # noqa: B023
        assert_same(lambda lib: getattr(_operand(lib, dtype, "tensor"), name + "_")(_operand(lib, dtype, "tensor")))  # noqa: B023
        assert_same(lambda lib: getattr(_operand(lib, dtype, "tensor"), name + "_")(3))  # noqa: B023
    assert_same(lambda lib: lib.bitwise_not(_operand(lib, dtype, "tensor")))
    assert_same(lambda lib: _operand(lib, dtype, "tensor").bitwise_not_())
    assert_same(lambda lib: ~_operand(lib, dtype, "tensor"))
    assert_same(lambda lib: ~_operand(lib, dtype, "0d"))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.tensor([1, 2]).__iand__(3),
        lambda lib: lib.tensor([True, False]).__iand__(3),
        lambda lib: lib.tensor([True, False]).__ior__(True),
        lambda lib: lib.tensor([True]).bitwise_or_(lib.tensor([3])),
        lambda lib: lib.tensor([1, 2], dtype=lib.uint8).__ixor__(lib.tensor([1, 2], dtype=lib.int8)),
        lambda lib: lib.tensor([1, 2]).__ilshift__(2),
        lambda lib: lib.tensor([-8, 8]).__irshift__(1),
        lambda lib: lib.tensor([1.5]).__iand__(1),
        lambda lib: 3 & lib.tensor([1, 2]),
        lambda lib: True | lib.tensor([False, True]),
        lambda lib: 6 ^ lib.tensor([3], dtype=lib.int8),
        lambda lib: 1 << lib.tensor([0, 1, 62, 63, 64]),
        lambda lib: 1024 >> lib.tensor([1, 3, 70]),
        lambda lib: lib.zeros(0, dtype=lib.int64) & 1,
        lambda lib: lib.tensor(5) | lib.tensor([2, 8]),
    ],
)
def test_bitwise_cases_match_torch(call):
    assert_same(call)


@pytest.mark.parametrize("dtype", INTEGERS)
@pytest.mark.parametrize("direction", ["lshift", "rshift"])
def test_shift_amounts_out_of_range_match_torch(dtype, direction):
    """Shifts by a negative amount or by the width or more: 0, or the sign for right shifts of
    negatives (torch's definition; NumPy's result is the machine's)."""
    bits = np.dtype(dtype).itemsize * 8
    amounts = [0, 1, 3, bits - 2, bits - 1, bits, bits + 1, 100, -1, -bits]
    values = [1, 5, 100] if dtype == "uint8" else [1, -1, -8, 100, -100]
    for v in values:
        assert_same(
            lambda lib: BITWISE_OPERATORS[direction](  # noqa: B023
                _tensor(lib, [v] * len(amounts), dtype),  # noqa: B023
                _tensor(lib, [a % 256 if dtype == "uint8" else a for a in amounts], dtype),
            )
        )


def test_bitwise_errors_match_torch():
    for call in (
        lambda lib: lib.ones(2) & lib.ones(2),
        lambda lib: lib.ones(2, dtype=lib.float64) | 1,
        lambda lib: lib.tensor([1, 2]) ^ 1.5,
        lambda lib: lib.bitwise_not(lib.ones(2)),
        lambda lib: ~lib.ones(2),
        lambda lib: lib.ones(2) << 1,
        lambda lib: lib.tensor([1]) >> 1.5,
        lambda lib: lib.tensor([True]) << lib.tensor([True]),
        lambda lib: lib.tensor([True]) >> True,
        lambda lib: lib.tensor([1]) & None,
        lambda lib: lib.tensor([1]) << "a",
        lambda lib: lib.tensor([1]) % None,
        lambda lib: lib.tensor([1, 2, 3]) & lib.tensor([1, 2]),
    ):
        assert_same(call)


# ---- comparisons, logical ops and predicates ------------------------------------------------------------

COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal"]


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_match_torch(name):
    """torch.X and Tensor.X, with tensors, 0-d tensors and numbers, over dtypes; bool results."""
    for dtype, other in itertools.product(["bool", "uint8", "int64", "float32"], ["int64", "float64", "bool"]):
        for kind in ("tensor", "0d", "scalar"):
            assert_same(lambda lib: getattr(lib, name)(_operand(lib, dtype, "tensor"), _operand(lib, other, kind)))  # noqa: B023
            assert_same(lambda lib: getattr(_operand(lib, dtype, "tensor"), name)(_operand(lib, other, kind)))  # noqa: B023
    assert_same(lambda lib: getattr(lib, name)(lib.tensor([255, 0], dtype=lib.uint8), -1))  # -1 wraps to 255
    assert_same(lambda lib: getattr(lib, name)(lib.tensor([0, 1]), 0.5))
    assert_same(lambda lib: getattr(lib, name)(lib.zeros(0, 2), lib.zeros(1)))
    assert_same(lambda lib: getattr(lib, name)(lib.tensor(1.0), lib.tensor([1.0, 2.0])))
    assert_same(lambda lib: getattr(lib, name)(1, lib.tensor([1.0, 2.0])))


@pytest.mark.parametrize("name", COMPARISONS)
def test_inplace_comparisons_match_torch(name):
    """x.eq_(y) writes 1/0 in x's own dtype; in a graph, torch's node (EqBackward0 for a number, 1 for a
    tensor) with a zero gradient."""
    for dtype in ("float32", "int64", "bool"):
        assert_same(lambda lib: getattr(_operand(lib, dtype, "tensor"), name + "_")(1))  # noqa: B023
        assert_same(lambda lib: getattr(_operand(lib, dtype, "tensor"), name + "_")(0.5))  # noqa: B023
        assert_same(lambda lib: getattr(_operand(lib, dtype, "tensor"), name + "_")(_operand(lib, "float64", "tensor")))  # noqa: B023
    for lib in (mt, torch):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        other = lib.tensor([0.5, 1.0, 1.0], requires_grad=True)
        names = []
        for arg in (0.5, other):
            y = x * 1
            getattr(y, name + "_")(arg)
            names.append(y.grad_fn.name())
            (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
        assert other.grad.tolist() == [0.0, 0.0, 0.0]
        if lib is mt:
            ours = names
        else:
            assert ours == names


def test_comparison_operators_with_other_objects_match_torch():
    for call in (
        lambda lib: lib.tensor([1, 2]) == None,  # noqa: E711
        lambda lib: lib.tensor([1, 2]) != None,  # noqa: E711
        lambda lib: lib.tensor([1, 2]) == "a",
        lambda lib: 1 == lib.tensor([1, 2]),
        lambda lib: 1 < lib.tensor([1, 2]),
        lambda lib: 1.5 >= lib.tensor([1, 2]),
        lambda lib: lib.tensor([1, 2]) < None,
    ):
        assert_same(call)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_match_torch(name):
    for a, b in itertools.product(["bool", "int64", "float32", "uint8"], repeat=2):
        assert_same(lambda lib: getattr(lib, name)(_operand(lib, a, "tensor"), _operand(lib, b, "0d")))  # noqa: B023
        assert_same(lambda lib: getattr(_operand(lib, a, "tensor"), name)(_operand(lib, b, "tensor")))  # noqa: B023
        assert_same(lambda lib: getattr(_operand(lib, a, "tensor"), name + "_")(_operand(lib, b, "tensor")))  # noqa: B023
    assert_same(lambda lib: getattr(lib, name)(lib.tensor([1, 0]), 1))
    assert_same(lambda lib: getattr(lib.tensor([1, 0]), name)(True))
    assert_same(lambda lib: getattr(lib, name)(lib.ones(3), lib.ones(2)))
    assert_same(lambda lib: getattr(lib, name)(lib.zeros(0), lib.zeros(1)))


def test_logical_not_matches_torch():
    for dtype in DTYPES:
        assert_same(lambda lib: lib.logical_not(_operand(lib, dtype, "tensor")))  # noqa: B023
        assert_same(lambda lib: _operand(lib, dtype, "tensor").logical_not_())  # noqa: B023
        assert_same(lambda lib: _operand(lib, dtype, "0d").logical_not())  # noqa: B023


SPECIALS = [1.0, -0.0, float("inf"), -float("inf"), float("nan"), -3.5]


@pytest.mark.parametrize("name", ["isinf", "isposinf", "isneginf", "isnan", "isfinite", "isreal"])
def test_predicates_match_torch(name):
    for dtype in ("float32", "float64"):
        assert_same(lambda lib: getattr(lib, name)(_tensor(lib, SPECIALS, dtype)))  # noqa: B023
        assert_same(lambda lib: getattr(_tensor(lib, SPECIALS, dtype), name)())  # noqa: B023
    for dtype in ("bool", "uint8", "int32", "int64"):
        assert_same(lambda lib: getattr(lib, name)(_operand(lib, dtype, "tensor")))  # noqa: B023
    assert_same(lambda lib: getattr(lib, name)(lib.tensor(float("inf"))))
    assert_same(lambda lib: getattr(lib, name)(lib.zeros(0, 2)))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.isclose(lib.tensor(SPECIALS), lib.tensor(SPECIALS)),
        lambda lib: lib.isclose(lib.tensor(SPECIALS), lib.tensor(SPECIALS), equal_nan=True),
        lambda lib: lib.isclose(lib.tensor([1.0, 1.0, 1.0]), lib.tensor([1.0 + 1e-6, 1.01, 1.2]), rtol=0.05),
        lambda lib: lib.isclose(lib.tensor([1.0, 1.0, 1.0]), lib.tensor([1.0 + 1e-6, 1.01, 1.2]), rtol=0, atol=0.02),
        lambda lib: lib.isclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0 + 1e-9]), rtol=0, atol=0),
        lambda lib: lib.tensor([1.0, 1e10], dtype=lib.float64).isclose(
            lib.tensor([1.0 + 1e-6, 1e10 + 1], dtype=lib.float64)
        ),
        lambda lib: lib.isclose(lib.tensor([1, 5, 10]), lib.tensor([2, 5, 12]), rtol=0.1, atol=1),
        lambda lib: lib.isclose(lib.tensor([1, 5]), lib.tensor([2, 5])),
        lambda lib: lib.isclose(lib.tensor([True, False]), lib.tensor([True, True]), atol=1),
        lambda lib: lib.isclose(lib.ones(2, 1), lib.ones(3)),
        lambda lib: lib.isclose(lib.ones(3), lib.ones(2)),
        lambda lib: lib.isclose(lib.ones(2), lib.ones(2, dtype=lib.float64)),
        lambda lib: lib.isclose(lib.tensor([1, 2]), lib.ones(2)),
        lambda lib: lib.isclose(lib.ones(2), 1.0),
        lambda lib: lib.isclose(lib.ones(2), lib.ones(2), rtol=-1),
        lambda lib: lib.isclose(lib.ones(2), lib.ones(2), atol=-0.5),
        lambda lib: lib.allclose(lib.tensor(SPECIALS), lib.tensor(SPECIALS)),
        lambda lib: lib.allclose(lib.tensor(SPECIALS), lib.tensor(SPECIALS), equal_nan=True),
        lambda lib: lib.allclose(lib.ones(3), lib.ones(1) + 1e-7),
        lambda lib: lib.ones(3).allclose(lib.ones(1) + 1e-3),
        lambda lib: lib.allclose(lib.ones(3), lib.ones(2)),
        lambda lib: lib.allclose(lib.tensor([1, 2]), lib.tensor([1, 2])),
        lambda lib: lib.allclose(lib.ones(2), lib.ones(2, dtype=lib.float64)),
        lambda lib: lib.allclose(lib.ones(2), 1.0),
        lambda lib: lib.equal(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])),
        lambda lib: lib.equal(lib.tensor([1, 2]), lib.tensor([1, 2, 3])),
        lambda lib: lib.equal(lib.ones(3), lib.ones(1)),
        lambda lib: lib.equal(lib.tensor([float("nan")]), lib.tensor([float("nan")])),
        lambda lib: lib.tensor([1, 2]).equal(lib.tensor([1, 2])),
        lambda lib: lib.equal(lib.tensor([1, 2]), 1),
        lambda lib: lib.equal(lib.zeros(0), lib.zeros(0)),
    ],
)
def test_closeness_and_equality_match_torch(call):
    assert_same(call)


# ---- where, maximum/minimum, clamp with tensors -------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.where(lib.tensor([True, False]), lib.tensor([1, 2]), 1.5),
        lambda lib: lib.where(lib.tensor([True, False]), lib.tensor([1, 2]), lib.tensor([0.5, 0.5], dtype=lib.float64)),
        lambda lib: lib.where(lib.tensor([True, False]), lib.tensor(1.0), lib.tensor([3, 4])),
        lambda lib: lib.where(lib.tensor([1, 0], dtype=lib.uint8), lib.tensor([1.0, 2.0]), 0.0),
        lambda lib: lib.where(lib.tensor([1, 0]), lib.tensor([1.0, 2.0]), 0.0),
        lambda lib: lib.where(lib.tensor([1.0, 0.0]), lib.tensor([1.0, 2.0]), 0.0),
        lambda lib: lib.where(lib.ones(3, dtype=lib.bool), lib.ones(3), lib.ones(2)),
        lambda lib: lib.where(lib.ones(2, dtype=lib.bool), lib.ones(3), lib.ones(3)),
        lambda lib: lib.where(lib.ones(2, dtype=lib.bool), lib.ones(3, 1), lib.ones(4)),
        lambda lib: lib.where(lib.tensor(True), lib.ones(3), lib.ones(2)),
        lambda lib: lib.where(lib.zeros(0, dtype=lib.bool), lib.ones(1), 0),
        lambda lib: lib.maximum(lib.tensor([float("nan"), 1.0, 2.0]), lib.tensor([1.0, float("nan"), 3.0])),
        lambda lib: lib.minimum(lib.tensor([float("nan"), 1.0, 2.0]), lib.tensor([1.0, float("nan"), 3.0])),
        lambda lib: lib.fmax(
            lib.tensor([float("nan"), 1.0, float("nan")]), lib.tensor([1.0, float("nan"), float("nan")])
        ),
        lambda lib: lib.fmin(lib.tensor([float("nan"), 1.0, 2.0]), lib.tensor([1.0, float("nan"), 3.0])),
        lambda lib: lib.maximum(lib.tensor([1, 5]), lib.tensor([2.5, 2.5])),
        lambda lib: lib.minimum(lib.tensor([True, False]), lib.tensor([True, True])),
        lambda lib: lib.fmax(lib.tensor([1, 5]), lib.tensor([3], dtype=lib.uint8)),
        lambda lib: lib.maximum(lib.ones(2), 1.0),
        lambda lib: lib.ones(2).minimum(1),
        lambda lib: lib.fmin(lib.ones(2), 1.0),
        lambda lib: lib.clamp(lib.tensor([1, 5]), 2.5),
        lambda lib: lib.clamp(lib.tensor([1, 5]), max=3.5),
        lambda lib: lib.clamp(lib.tensor([True, False]), 0),
        lambda lib: lib.clamp(lib.tensor([1, 5]), lib.tensor([2.0, 2.0])),
        lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), lib.tensor([2.0, 2.0], dtype=lib.float64)),
        lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), min=lib.tensor(2.0, dtype=lib.float64)),
        lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), lib.zeros(3, 1), lib.tensor([3.0, 3.0])),
        lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), lib.tensor([4.0]), lib.tensor([2.0])),
        lambda lib: lib.clamp(lib.ones(2), lib.zeros(3)),
        lambda lib: lib.clamp(lib.ones(2), lib.zeros(2), 1.0),
        lambda lib: lib.clamp(lib.ones(2), None, None),
        lambda lib: lib.clamp_min(lib.tensor([1, 5]), 2.5),
        lambda lib: lib.clamp_max(lib.tensor([1.0, 5.0]), lib.tensor([2.0, 2.0], dtype=lib.float64)),
        lambda lib: lib.ones(2).clamp_(lib.zeros(2, 1)),
        lambda lib: lib.tensor([1, 5]).clamp_(lib.tensor([2, 2])),
        lambda lib: lib.tensor([1, 5]).clamp_(lib.tensor([2.0, 2.0])),
        lambda lib: lib.tensor([1, 5]).clamp_(0.5),
        lambda lib: lib.tensor([1, 5], dtype=lib.int32).clamp_min_(0.5),
        lambda lib: lib.tensor([1, 5], dtype=lib.uint8).clip_(max=1.5),
        lambda lib: lib.tensor([True]).clamp_(1),
        lambda lib: lib.tensor([1, 5]).clamp_(2, 3),
        lambda lib: lib.zeros(0, 2).clamp(lib.zeros(1)),
    ],
)
def test_selection_and_clamp_cases_match_torch(call):
    assert_same(call)


def test_clamp_tensor_node_names_match_torch():
    for lib in (mt, torch):
        x = lib.tensor([0.5, -2.0, 3.0], requires_grad=True)
        lo, hi = lib.tensor([0.0, 0.0, 0.0]), lib.tensor([1.0, 1.0, 1.0])
        got = [
            lib.clamp(x, lo, hi).grad_fn.name(),
            lib.clamp(x, min=lo).grad_fn.name(),
            x.clamp_min(lo).grad_fn.name(),
            x.clamp_max(hi).grad_fn.name(),
            lib.clamp(x, 0.0, 1.0).grad_fn.name(),
            x.clamp_min(0.0).grad_fn.name(),
        ]
        if lib is mt:
            ours = got
        else:
            assert ours == got


# ---- the float ops' dtypes and errors --------------------------------------------------------------------

FLOAT_OPS = {
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "arctan2": lambda lib, a, b: a.arctan2(b),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "logaddexp2": lambda lib, a, b: a.logaddexp2(b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b),
    "float_power": lambda lib, a, b: lib.float_power(a, b),
    "fmax": lambda lib, a, b: lib.fmax(a, b),
    "fmin": lambda lib, a, b: a.fmin(b),
    "lerp": lambda lib, a, b: lib.lerp(a, b, 0.25),
    "lerp_tensor": lambda lib, a, b: lib.lerp(a, b, lib.full_like(a, 0.25)),
}


def _positive_operand(lib: Any, dtype: str, kind: str) -> Any:
    if kind == "scalar":
        return {"bool": True, "float32": 1.5, "float64": 1.5}.get(dtype, 3)
    values = {"bool": [True, False, True], "float32": [1.5, 2.0, 0.5], "float64": [1.5, 2.0, 0.5]}.get(dtype, [3, 1, 5])
    return _tensor(lib, values if kind == "tensor" else values[0], dtype)


@pytest.mark.parametrize("name", sorted(FLOAT_OPS))
def test_float_ops_dtypes_and_errors_match_torch(name):
    """Integer and bool operands (float32 results, or torch's NotImplementedError), mixed float widths,
    0-d tensors and Python numbers (torch's TypeError where only tensors are accepted)."""
    op = FLOAT_OPS[name]
    for a, b in itertools.product(DTYPES, repeat=2):
        for kind in ("tensor", "0d", "scalar"):
            assert_same(lambda lib: op(lib, _positive_operand(lib, a, "tensor"), _positive_operand(lib, b, kind)))  # noqa: B023
    assert_same(lambda lib: op(lib, lib.zeros(0, 2), lib.ones(1)))
    assert_same(lambda lib: op(lib, lib.tensor(0.5), lib.tensor(2.0)))
    assert_same(lambda lib: op(lib, lib.ones(3), lib.ones(2)))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.xlogy(lib.tensor([0.0, 0.0, 0.0, 2.0]), lib.tensor([float("nan"), 0.0, -1.0, 0.0])),
        lambda lib: lib.xlogy(2, lib.tensor([1, 2])),
        lambda lib: lib.xlogy(lib.tensor([0.0, 1.0]), 0),
        lambda lib: lib.copysign(lib.tensor([1.0, -2.0, 0.0]), lib.tensor([-0.0, 0.0, -1.0])),
        lambda lib: lib.copysign(lib.tensor([3, -4]), -1),
        lambda lib: lib.float_power(lib.tensor([-8.0, 4.0]), 1 / 3),
        lambda lib: lib.float_power(2, lib.tensor([1, 2])),
        lambda lib: lib.ones(2).float_power_(2),
        lambda lib: lib.ones(2, dtype=lib.float64).float_power_(2),
        lambda lib: lib.float_power(lib.tensor([True, False]), 2),
        lambda lib: lib.lerp(lib.ones(2), 1.0, 0.5),
        lambda lib: lib.lerp(lib.ones(2), lib.ones(2), lib.ones(2, dtype=lib.float64)),
        lambda lib: lib.lerp(lib.ones(2), lib.ones(3, 1), lib.ones(4)),
        lambda lib: lib.ones(2).lerp_(lib.ones(3, 2), 0.5),
        lambda lib: lib.atan2(lib.tensor([0.0, -0.0, 1.0]), lib.tensor([-0.0, -1.0, 0.0])),
        lambda lib: lib.atan2(2, lib.ones(2)),
        lambda lib: lib.tensor([1, 2]).atan2_(lib.tensor([1, 2])),
        lambda lib: lib.tensor([1.0, 2.0]).atan2_(lib.tensor([1, 2])),
        lambda lib: lib.hypot(lib.tensor([3.0, float("inf")]), lib.tensor([4.0, float("nan")])),
        lambda lib: lib.logaddexp(lib.tensor([1000.0, -1000.0]), lib.tensor([1000.0, -1000.0])),
        lambda lib: lib.logaddexp2(lib.tensor([-float("inf")]), lib.tensor([-float("inf")])),
    ],
)
def test_float_op_cases_match_torch(call):
    assert_same(call)


# ---- type promotion over a grid of dtypes and operand kinds -----------------------------------------------

PROMOTING_OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / b,
    "remainder": lambda a, b: a % b,
    "maximum": lambda a, b: (torch if torch.is_tensor(a) or torch.is_tensor(b) else mt).maximum(a, b),
    "fmod": lambda a, b: (torch if torch.is_tensor(a) or torch.is_tensor(b) else mt).fmod(a, b),
    "floor_divide": lambda a, b: a // b,
    "eq": lambda a, b: a == b,
    "where": lambda a, b: (torch if torch.is_tensor(a) or torch.is_tensor(b) else mt).where(a > 0, a, b),
}
KINDS = ["tensor", "0d", "scalar"]


def _grid_operand(lib: Any, dtype: str, kind: str) -> Any:
    """Nonzero values (so division and remainder are defined for every dtype)."""
    if kind == "scalar":
        return {"bool": True, "float32": 2.5, "float64": 2.5}.get(dtype, 3)
    values = [True, True] if dtype == "bool" else ([3, 1] if dtype.startswith("u") or "int" in dtype else [1.5, -2.5])
    return _tensor(lib, values if kind == "tensor" else values[0], dtype)


@pytest.mark.parametrize("name", sorted(PROMOTING_OPS))
def test_type_promotion_grid_matches_torch(name):
    """Every pair of (bool, uint8, int8, ..., float64) x (tensor, 0-d tensor, number): the same
    result dtype and values as torch, or its error (bool subtraction)."""
    op = PROMOTING_OPS[name]
    for (a, ka), (b, kb) in itertools.product(itertools.product(DTYPES, KINDS), repeat=2):
        if ka == "scalar" and (kb == "scalar" or name in ("maximum", "where")):
            continue
        if kb == "scalar" and name == "maximum":
            continue
        assert_same(lambda lib: op(_grid_operand(lib, a, ka), _grid_operand(lib, b, kb)))  # noqa: B023


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.ones(3, dtype=lib.uint8) + 300,
        lambda lib: lib.ones(3, dtype=lib.int8) + (-200),
        lambda lib: lib.ones(3, dtype=lib.int16) * 70000,
        lambda lib: lib.tensor([1, 2]) + 2.5,
        lambda lib: lib.tensor([1, 2], dtype=lib.uint8) + lib.tensor([1, 2], dtype=lib.int8),
        lambda lib: lib.tensor([True]) + lib.tensor([True]),
        lambda lib: lib.tensor([True]) * 2.5,
        lambda lib: lib.tensor(2.5, dtype=lib.float64) * lib.tensor([1, 2], dtype=lib.int32),
        lambda lib: lib.tensor(2, dtype=lib.int64) * lib.tensor([1, 2], dtype=lib.int8),
        lambda lib: lib.tensor([1.0]) + lib.tensor([1], dtype=lib.int64),
        lambda lib: lib.tensor(1.5, dtype=lib.float64) + lib.tensor(2, dtype=lib.int32),
    ],
)
def test_promotion_cases_match_torch(call):
    assert_same(call)


def test_mse_and_l1_loss_promote_as_torch():
    """float32 input with int64 and float64 targets: torch's dtypes, values and gradients; a bool target
    (mse_loss promotes it, l1_loss refuses bool subtraction) and two integer tensors (torch's errors)."""
    results = {}
    for lib, F in ((torch, torch.nn.functional), (mt, mt_F)):
        x = lib.tensor([0.5, 1.5, -1.0], requires_grad=True)
        rows = []
        for target in (lib.tensor([1, 2, 3]), lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)):
            for loss in (F.mse_loss, F.l1_loss):
                for reduction in ("mean", "none"):
                    out = loss(x, target, reduction=reduction)
                    out.sum().backward()
                    rows.append(
                        (
                            str(out.dtype).replace("torch.", ""),
                            np.round(out.detach().numpy(), 5).tolist(),
                            x.grad.tolist(),
                        )
                    )
                    x.grad = None
        results[lib.__name__] = rows
    assert results["minitorch_nn"] == results["torch"]
    for loss in ("mse_loss", "l1_loss"):
        functional = lambda lib: torch.nn.functional if lib is torch else mt_F  # noqa: E731
        assert_same(lambda lib: getattr(functional(lib), loss)(lib.tensor([1, 2]), lib.tensor([1, 2])))  # noqa: B023
        assert_same(lambda lib: getattr(functional(lib), loss)(lib.tensor([0.5, 2.0]), lib.tensor([True, False])))  # noqa: B023


# ---- broadcasting, ragged lists and in-place casts: torch's errors -------------------------------------------

BROADCASTING_CALLS = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: lib.sub(a, b),
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "floor_divide": lambda lib, a, b: a // b,
    "pow": lambda lib, a, b: a**b,
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "remainder": lambda lib, a, b: a % b,
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "lerp": lambda lib, a, b: lib.lerp(a, b, 0.5),
    "fmax": lambda lib, a, b: lib.fmax(a, b),
    "fmin": lambda lib, a, b: lib.fmin(a, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "logaddexp2": lambda lib, a, b: lib.logaddexp2(a, b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b),
    "float_power": lambda lib, a, b: lib.float_power(a, b),
    "bitwise_and": lambda lib, a, b: a.long() & b.long(),
    "bitwise_or": lambda lib, a, b: lib.bitwise_or(a.long(), b.long()),
    "bitwise_xor": lambda lib, a, b: a.long() ^ b.long(),
    "lshift": lambda lib, a, b: a.long() << b.long(),
    "rshift": lambda lib, a, b: a.long() >> b.long(),
    "eq": lambda lib, a, b: a == b,
    "ne": lambda lib, a, b: lib.ne(a, b),
    "lt": lambda lib, a, b: a < b,
    "le": lambda lib, a, b: lib.le(a, b),
    "gt": lambda lib, a, b: a > b,
    "ge": lambda lib, a, b: lib.greater_equal(a, b),
    "logical_and": lambda lib, a, b: lib.logical_and(a, b),
    "logical_or": lambda lib, a, b: lib.logical_or(a, b),
    "logical_xor": lambda lib, a, b: lib.logical_xor(a, b),
    "isclose": lambda lib, a, b: lib.isclose(a, b),
    "clamp": lambda lib, a, b: lib.clamp(a, b),
    "where": lambda lib, a, b: lib.where(a > 0, a, b),
}
MISMATCHED = [((3,), (2,)), ((2, 3), (4, 3)), ((2, 3), (2, 4)), ((5, 1, 3), (2, 1)), ((2,), (3, 4))]


@pytest.mark.parametrize("name", sorted(BROADCASTING_CALLS))
def test_shapes_that_do_not_broadcast_raise_torchs_error(name):
    call = BROADCASTING_CALLS[name]
    for sa, sb in MISMATCHED:
        assert_same(lambda lib: call(lib, lib.ones(sa), lib.ones(sb) + 1))  # noqa: B023


@pytest.mark.parametrize(
    "data",
    [
        [[1, 2], [3]],
        [[1], [2, 3]],
        [[1, 2], 3],
        [1, [2]],
        [1.0, [2.0]],
        [True, [False]],
        [[1, 2], [3, 4], [5]],
        [[[1], [2]], [[3], [4, 5]]],
        [[1, 2], (3,)],
        [[1], []],
        [[1, 2], [3, 4]],
    ],
)
def test_ragged_lists_raise_torchs_error(data):
    assert_same(lambda lib: lib.tensor(data))
    assert_same(lambda lib: lib.tensor(data, dtype=lib.float32))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.arange(3).add_(1.5),
        lambda lib: lib.arange(3).mul_(lib.ones(3)),
        lambda lib: lib.arange(3).div_(2),
        lambda lib: lib.ones(3, dtype=lib.bool).add_(1),
        lambda lib: lib.ones(3, dtype=lib.int32).add_(lib.ones(3, dtype=lib.int64)),
        lambda lib: lib.ones(3, dtype=lib.uint8).add_(lib.ones(3, dtype=lib.int8)),
        lambda lib: lib.ones(3, dtype=lib.int16).sub_(lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.ones(3, dtype=lib.int8).mul_(True),
        lambda lib: lib.ones(3).add_(lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.ones(3).add_(lib.ones(2, 3)),
        lambda lib: lib.ones(3, dtype=lib.uint8).remainder_(1.5),
        lambda lib: lib.ones(3, dtype=lib.int32).fmod_(lib.ones(3)),
        lambda lib: lib.ones(3, dtype=lib.int64).hypot_(lib.ones(3)),
        lambda lib: lib.ones(3, dtype=lib.int64).copysign_(-1),
        lambda lib: lib.ones(3, dtype=lib.int64).xlogy_(2),
    ],
)
def test_inplace_results_that_cannot_be_cast_raise_torchs_error(call):
    assert_same(call)


def test_zero_dim_and_empty_tensors_match_torch():
    for name, call in BROADCASTING_CALLS.items():
        if name in ("isclose",):
            continue
        assert_same(lambda lib: call(lib, lib.tensor(1.5), lib.tensor(0.5)))  # noqa: B023
        assert_same(lambda lib: call(lib, lib.ones(0, 3), lib.ones(3)))  # noqa: B023
        assert_same(lambda lib: call(lib, lib.tensor(2.0), lib.ones(2, 0)))  # noqa: B023


def test_python_number_with_non_tensor_first_operand():
    assert math.isclose(float(mt.remainder(7, mt.tensor(3))), 1.0)
    assert_same(lambda lib: lib.bitwise_and(3, lib.tensor([1, 2])))
    assert_same(lambda lib: lib.bitwise_left_shift(1, lib.tensor([1, 2])))


ONE_OVERLOAD_OPS = ["atan2", "hypot", "fmax", "fmin", "logaddexp", "logaddexp2", "maximum", "minimum"]
ONE_OVERLOAD_OPS += ["isclose", "allclose", "equal", "logical_and", "logical_or", "logical_xor", "fmod", "copysign"]


@pytest.mark.parametrize("name", ONE_OVERLOAD_OPS + ["lerp"])
def test_number_operands_where_torch_takes_tensors_raise_its_error(name):
    def call(lib: Any, first: Any, second: Any) -> Any:
        return lib.lerp(first, second, 0.5) if name == "lerp" else getattr(lib, name)(first, second)

    assert_same(lambda lib: call(lib, 2, lib.ones(2)))
    assert_same(lambda lib: call(lib, lib.ones(2), 2.5))
    if name != "lerp":  # (Tensor.lerp's parser message names the overloads without self)
        assert_same(lambda lib: getattr(lib.ones(2), name)(1.5))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.clamp_(lib.tensor([1.0, 5.0]), 2, 3),
        lambda lib: lib.clip_(lib.tensor([1.0, 5.0]), max=3),
        lambda lib: lib.clamp_min_(lib.tensor([1.0, 5.0]), lib.tensor([2.0, 2.0])),
        lambda lib: lib.clamp_max_(lib.tensor([1, 5]), 0.5),
        lambda lib: lib.xlogy_(lib.tensor([1.0, 0.0]), 2.0),
    ],
)
def test_inplace_functions_in_the_namespace_match_torch(call):
    assert_same(call)


INTEGER_OPS = {
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "remainder": lambda lib, a, b: a % b,
    "floor_divide": lambda lib, a, b: a // b,
    "trunc_divide": lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
    "and": lambda lib, a, b: a & b,
    "or": lambda lib, a, b: a | b,
    "xor": lambda lib, a, b: a ^ b,
    "lshift": lambda lib, a, b: a << b,
    "rshift": lambda lib, a, b: a >> b,
    "add": lambda lib, a, b: a + b,
    "mul": lambda lib, a, b: a * b,
}


@given(
    dtype=st.sampled_from(INTEGERS),
    other_dtype=st.sampled_from(INTEGERS),
    name=st.sampled_from(sorted(INTEGER_OPS)),
    shapes=S.broadcastable_shapes(2, max_dims=3),
    seed=S.seeds,
)
def test_integer_ops_on_drawn_values_match_torch(dtype, other_dtype, name, shapes, seed):
    """Drawn integers of every width and sign (divisors nonzero; shift amounts from -2 to the width + 2):
    values wrap and round exactly as torch's do."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    a = rng.integers(info.min, int(info.max) + 1, size=shapes[0], dtype=np.int64).astype(dtype)
    if name in ("lshift", "rshift"):
        b = rng.integers(-2, np.dtype(other_dtype).itemsize * 8 + 3, size=shapes[1]).astype(other_dtype)
    else:
        other = np.iinfo(other_dtype)
        b = rng.integers(max(other.min, -50), min(int(other.max), 50) + 1, size=shapes[1]).astype(other_dtype)
        if name not in ("and", "or", "xor", "add", "mul"):
            b = np.where(b == 0, np.asarray(1, other_dtype), b)
    assert_same(lambda lib: INTEGER_OPS[name](lib, lib.from_numpy(a.copy()), lib.from_numpy(np.asarray(b).copy())))
