"""The Tensor API family against torch: new_* factories, dtype shortcuts, metadata properties, errors,
integer and bool inputs of addcmul/diff/gcd/bincount/histc/heaviside/frexp, and the in-place aliases.

Each case is one call written against the torch API, run with both libraries: the results (values,
dtypes, shapes) or the raised error (type and message) must be the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt


def _result(fn: Any, lib: Any) -> Any:
    try:
        out = fn(lib)
    except Exception as e:  # noqa: BLE001  (the error itself is what is compared)
        return ("raised", type(e).__name__, str(e))
    return _plain(out)


def _plain(out: Any) -> Any:
    if isinstance(out, (torch.Tensor, mt.Tensor)):
        return ("tensor", str(out.dtype), tuple(out.shape), repr(out.detach().tolist()), out.requires_grad)
    if isinstance(out, (tuple, list)):
        return tuple(_plain(o) for o in out)
    if isinstance(out, (torch.dtype, mt.dtype, torch.Size, mt.Size)):
        return str(out)
    return out


CASES = {
    # new_* factories: the source's dtype by default, dtype/requires_grad keywords
    "new_zeros_int": lambda lib: lib.ones(2, dtype=lib.int32).new_zeros(2, 3),
    "new_zeros_tuple": lambda lib: lib.ones(2, dtype=lib.float64).new_zeros((2, 1)),
    "new_zeros_empty": lambda lib: lib.ones(2).new_zeros(0, 3),
    "new_ones_dtype": lambda lib: lib.ones(2).new_ones(3, dtype=lib.int64),
    "new_ones_requires_grad": lambda lib: lib.ones(2).new_ones(3, requires_grad=True),
    "new_ones_int_requires_grad": lambda lib: lib.ones(2, dtype=lib.int64).new_ones(3, requires_grad=True),
    "new_ones_negative": lambda lib: lib.ones(2).new_ones(-1),
    "new_full": lambda lib: lib.ones(2).new_full((2,), 3.5, dtype=lib.float64),
    "new_full_int": lambda lib: lib.ones(2, dtype=lib.int64).new_full((2, 2), 7),
    "new_full_bool": lambda lib: lib.ones(2, dtype=lib.bool).new_full((1,), 0),
    "new_empty_shape": lambda lib: (lib.ones(2, dtype=lib.int16).new_empty(2, 3).shape, lib.ones(1).new_empty(2).dtype),
    "new_tensor_source_dtype": lambda lib: lib.ones(2, dtype=lib.int64).new_tensor([1.7, 2]),
    "new_tensor_dtype": lambda lib: lib.ones(2).new_tensor([[1, 2]], dtype=lib.float64, requires_grad=True),
    "new_tensor_scalar": lambda lib: lib.ones(2, dtype=lib.float64).new_tensor(3),
    "new_empty_strided": lambda lib: (lambda t: (t.stride(), t.shape, t.dtype))(
        lib.ones(2, dtype=lib.int32).new_empty_strided((2, 3), (1, 2))
    ),
    "new_empty_strided_mismatch": lambda lib: lib.ones(2).new_empty_strided((2, 3), (1,)),
    # dtype shortcuts
    "byte": lambda lib: lib.tensor([1.5, 2.0, 255.0]).byte(),
    "char": lambda lib: lib.tensor([1.5, -2.0]).char(),
    "short": lambda lib: lib.tensor([True, False]).short(),
    "short_grad": lambda lib: lib.tensor([1.5], requires_grad=True).short(),
    # metadata
    "properties": lambda lib: (
        lambda t: (
            t.is_cpu,
            t.is_signed(),
            t.is_complex(),
            t.is_floating_point(),
            t.itemsize,
            t.nbytes,
            repr(t.layout),
            t.output_nr,
            t.is_inference(),
            t.is_meta,
            t.is_sparse,
            t.is_quantized,
            t.is_nested,
            t.get_device(),
        )
    )(lib.ones(3, 4, dtype=lib.float64)),
    "is_signed": lambda lib: [
        lib.is_signed(lib.ones(1, dtype=d)) for d in (lib.uint8, lib.int8, lib.bool, lib.float32)
    ],
    "functions": lambda lib: (
        lib.is_complex(lib.ones(1)),
        lib.is_floating_point(lib.ones(1, dtype=lib.int64)),
        lib.is_inference(lib.ones(1)),
        lib.get_device(lib.ones(1)),
    ),
    "nbytes_int16": lambda lib: (lib.ones(3, 5, dtype=lib.int16).nbytes, lib.ones(3, 5, dtype=lib.int16).itemsize),
    "output_nr": lambda lib: [t.output_nr for t in lib.ones(4, requires_grad=True).chunk(2)],
    "strided": lambda lib: (repr(lib.strided), lib.ones(1).layout == lib.strided),
    "storage_offset": lambda lib: (
        lib.ones(3, 4)[1:, 2:].storage_offset(),
        lib.ones(3).storage_offset(),
        lib.ones(3, 4).t()[2].storage_offset(),
        lib.ones(3, 4)[:, 1].storage_offset(),
    ),
    "is_nonzero": lambda lib: (
        lib.tensor([0.0]).is_nonzero(),
        lib.tensor(3).is_nonzero(),
        lib.is_nonzero(lib.tensor([True])),
    ),
    "is_nonzero_many": lambda lib: lib.tensor([0.0, 1]).is_nonzero(),
    "is_nonzero_empty": lambda lib: lib.tensor([]).is_nonzero(),
    "is_same_size": lambda lib: (
        lib.ones(2, 3).is_same_size(lib.zeros(2, 3)),
        lib.is_same_size(lib.ones(2), lib.ones(3)),
    ),
    # sum_to_size
    "sum_to_size": lambda lib: lib.arange(12.0).reshape(3, 4).sum_to_size(1, 4),
    "sum_to_size_drop_leading": lambda lib: lib.arange(12.0).reshape(3, 4).sum_to_size(4),
    "sum_to_size_same": lambda lib: lib.arange(12).reshape(3, 4).sum_to_size((3, 4)),
    "sum_to_size_error": lambda lib: lib.arange(12.0).reshape(3, 4).sum_to_size(2, 4),
    # diff
    "diff_int_prepend": lambda lib: lib.diff(
        lib.tensor([[1, 3, 6], [2, 2, 9]]), n=2, dim=1, prepend=lib.tensor([[0], [1]])
    ),
    "diff_bool": lambda lib: lib.tensor([True, False, False]).diff(),
    "diff_n0": lambda lib: lib.diff(lib.tensor([1.0, 4.0]), n=0, append=lib.tensor([2.0])),
    "diff_large_n": lambda lib: lib.diff(lib.tensor([1.0, 4.0, 9.0]), n=5),
    "diff_0d": lambda lib: lib.diff(lib.tensor(1.0)),
    "diff_negative_n": lambda lib: lib.diff(lib.tensor([1.0, 2.0]), n=-1),
    "diff_dim_out_of_range": lambda lib: lib.diff(lib.ones(2, 3), dim=2),
    # cross
    "cross_default_dim": lambda lib: lib.cross(lib.tensor([[1.0, 2, 3]]), lib.tensor([[4.0, 5, 7]]), dim=1),
    "cross_int": lambda lib: lib.cross(lib.tensor([1, 0, 0]), lib.tensor([0, 1, 0]), dim=0),
    "cross_length": lambda lib: lib.cross(lib.ones(2, 4), lib.ones(2, 4), dim=1),
    "linalg_cross": lambda lib: lib.linalg.cross(lib.ones(4, 3), lib.arange(3.0)),
    # dist
    "dist_norms": lambda lib: [
        lib.dist(lib.tensor([1.0, 2]), lib.tensor([3.0, -1]), p).item() for p in (0, 1, 2, 3, float("inf"))
    ],
    "dist_broadcast": lambda lib: lib.dist(lib.ones(2, 3), lib.zeros(3), 2),
    "dist_equal_grad": lambda lib: (lambda x: (lib.dist(x, x.detach()).backward(), x.grad)[1])(
        lib.ones(3, requires_grad=True)
    ),
    "dist_int": lambda lib: lib.dist(lib.tensor([1, 2]), lib.tensor([3, -1])),
    # renorm
    "renorm": lambda lib: lib.arange(6.0).reshape(2, 3).renorm(2, 0, 3),
    "renorm_1d": lambda lib: lib.ones(3).renorm(2, 0, 1.0),
    "renorm_int": lambda lib: lib.ones(3, 3, dtype=lib.int64).renorm(2, 0, 1.0),
    "renorm_dim": lambda lib: lib.ones(3, 3).renorm(2, 2, 1.0),
    "renorm_inplace": lambda lib: lib.arange(6.0).reshape(2, 3).renorm_(1, 1, 2.0),
    # fill_diagonal_
    "fill_diagonal_wrap": lambda lib: lib.zeros(7, 2).fill_diagonal_(1, wrap=True),
    "fill_diagonal_nowrap": lambda lib: lib.zeros(7, 2).fill_diagonal_(1),
    "fill_diagonal_wide": lambda lib: lib.zeros(2, 5, dtype=lib.int64).fill_diagonal_(3),
    "fill_diagonal_cube": lambda lib: lib.zeros(2, 2, 2).fill_diagonal_(1),
    "fill_diagonal_1d": lambda lib: lib.zeros(2).fill_diagonal_(1),
    "fill_diagonal_unequal": lambda lib: lib.zeros(2, 2, 3).fill_diagonal_(1),
    "fill_diagonal_leaf": lambda lib: lib.zeros(2, 2, requires_grad=True).fill_diagonal_(1),
    # gcd, lcm, heaviside
    "gcd": lambda lib: lib.gcd(lib.tensor([12, -6, 0, 7]), lib.tensor([8, 4, 0, -21])),
    "lcm": lambda lib: lib.tensor([12, -6, 0], dtype=lib.int32).lcm(lib.tensor([8, 4, 5], dtype=lib.int32)),
    "gcd_inplace": lambda lib: lib.tensor([12, 9]).gcd_(lib.tensor([8, 6])),
    "gcd_broadcast": lambda lib: lib.gcd(lib.tensor([[12], [9]]), lib.tensor([8, 6])),
    "gcd_float": lambda lib: lib.gcd(lib.tensor([12.0]), lib.tensor([8.0])),
    "heaviside": lambda lib: lib.heaviside(lib.tensor([-1.0, 0, 2]), lib.tensor([0.5])),
    "heaviside_int": lambda lib: lib.tensor([-1, 0, 2]).heaviside(lib.tensor([7])),
    "heaviside_dtypes": lambda lib: lib.heaviside(lib.tensor([-1.0, 0, 2]), lib.tensor([1])),
    "heaviside_inplace": lambda lib: lib.tensor([-1.0, 0, 2]).heaviside_(lib.tensor(0.25)),
    # ldexp, frexp
    "ldexp_ints": lambda lib: lib.ldexp(lib.tensor([1, 2]), lib.tensor([2, 3])),
    "ldexp_float64": lambda lib: lib.ldexp(lib.tensor([1.5], dtype=lib.float64), lib.tensor([-2])),
    "ldexp_inplace": lambda lib: lib.tensor([1.5, 3.0]).ldexp_(lib.tensor([1, -1])),
    "frexp": lambda lib: lib.frexp(lib.tensor([8.0, -0.3, 0, 1e-30])),
    "frexp_fields": lambda lib: (lambda r: (r.mantissa, r.exponent))(lib.tensor([5.0], dtype=lib.float64).frexp()),
    "frexp_int": lambda lib: lib.frexp(lib.tensor([8])),
    # bincount, histc
    "bincount": lambda lib: lib.bincount(lib.tensor([1, 1, 4]), minlength=7),
    "bincount_empty": lambda lib: lib.bincount(lib.tensor([], dtype=lib.int64)),
    "bincount_weights": lambda lib: lib.bincount(lib.tensor([1, 1, 4]), weights=lib.tensor([0.5, 1, 2])),
    "bincount_weights64": lambda lib: lib.tensor([0, 2]).bincount(lib.tensor([0.5, 1], dtype=lib.float64)),
    "bincount_int_weights": lambda lib: lib.bincount(lib.tensor([1, 1, 4]), weights=lib.tensor([1, 1, 2])),
    "bincount_uint8": lambda lib: lib.bincount(lib.tensor([3, 0], dtype=lib.uint8)),
    "bincount_negative": lambda lib: lib.bincount(lib.tensor([-1, 1])),
    "bincount_2d": lambda lib: lib.bincount(lib.tensor([[1]])),
    "bincount_float": lambda lib: lib.bincount(lib.tensor([1.0])),
    "bincount_minlength": lambda lib: lib.bincount(lib.tensor([1]), minlength=-1),
    "histc": lambda lib: lib.histc(lib.tensor([1.0, 2, 1, 7, 3]), bins=4, min=0, max=3),
    "histc_data_range": lambda lib: lib.tensor([1.0, 2, 1, 7], dtype=lib.float64).histc(bins=4),
    "histc_constant": lambda lib: lib.histc(lib.tensor([2.0, 2.0]), bins=4),
    "histc_int": lambda lib: lib.histc(lib.tensor([1, 2])),
    "histc_bins": lambda lib: lib.histc(lib.tensor([1.0]), bins=0),
    # addcmul, addcdiv
    "addcmul_broadcast": lambda lib: lib.addcmul(
        lib.tensor([1.0]), lib.tensor([2, 3]), lib.tensor([[1.0], [2]]), value=0.5
    ),
    "addcmul_int_float_value": lambda lib: lib.addcmul(lib.tensor([1]), lib.tensor([2, 3]), lib.tensor([1]), value=0.5),
    "addcmul_int": lambda lib: lib.addcmul(lib.tensor([1]), lib.tensor([2, 3]), lib.tensor([1]), value=2),
    "addcmul_shapes": lambda lib: lib.addcmul(lib.ones(2), lib.ones(3), lib.ones(1)),
    "addcdiv_int": lambda lib: lib.addcdiv(lib.tensor([1.0]), lib.tensor([2, 3]), lib.tensor([1])),
    "addcdiv_by_zero": lambda lib: lib.addcdiv(lib.tensor([1.0, 1.0]), lib.tensor([2.0, 0.0]), lib.tensor([0.0, 0.0])),
    "addcdiv_inplace_int_into": lambda lib: lib.tensor([1]).addcdiv_(lib.tensor([2.0]), lib.tensor([3.0])),
    "addcmul_inplace_broadcast": lambda lib: lib.ones(1).addcmul_(lib.ones(2), lib.ones(2)),
    # quantile, nanquantile, cov, corrcoef (values, NaN rows, errors)
    "quantile_nan_row": lambda lib: lib.quantile(lib.tensor([[1.0, float("nan")], [2.0, 3.0]]), 0.5, dim=1),
    "nanquantile_nan_row": lambda lib: lib.nanquantile(lib.tensor([[1.0, float("nan"), 5.0], [2.0, 3.0, 9.0]]), 0.4, 1),
    "nanquantile_all_nan": lambda lib: lib.nanquantile(lib.tensor([float("nan"), float("nan")]), 0.5),
    "quantile_0d": lambda lib: lib.quantile(lib.tensor(3.0), 0.2, dim=0, keepdim=True),
    "quantile_q_tensor_dim_none_keepdim": lambda lib: lib.quantile(
        lib.arange(6.0).reshape(2, 3), lib.tensor([0.1, 0.9]), keepdim=True
    ),
    "quantile_int": lambda lib: lib.quantile(lib.tensor([1, 2]), 0.5),
    "quantile_q_range": lambda lib: lib.quantile(lib.tensor([1.0, 2]), 1.5),
    "quantile_q_tensor_range": lambda lib: lib.quantile(lib.tensor([1.0, 2]), lib.tensor([-0.5])),
    "quantile_q_dtype": lambda lib: lib.quantile(lib.tensor([1.0, 2]), lib.tensor([0.5], dtype=lib.float64)),
    "quantile_q_2d": lambda lib: lib.quantile(lib.tensor([1.0, 2]), lib.tensor([[0.5]])),
    "quantile_interpolation": lambda lib: lib.quantile(lib.tensor([1.0, 2]), 0.5, interpolation="x"),
    "quantile_empty": lambda lib: lib.quantile(lib.tensor([]), 0.5),
    "quantile_dim_range": lambda lib: lib.quantile(lib.ones(2, 3), 0.5, dim=2),
    "cov_int": lambda lib: (lambda c: (c.dtype, c.shape, (c * 1000).round()))(
        lib.cov(lib.tensor([[1, 2, 4], [0, 1, 1]]))
    ),
    "cov_1d_fweights": lambda lib: lib.tensor([1.0, 2, 4]).cov(fweights=lib.tensor([1, 0, 2])),
    "cov_3d": lambda lib: lib.cov(lib.ones(2, 2, 2)),
    "cov_float_fweights": lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1.0, 2, 3])),
    "cov_negative_aweights": lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1.0, -2, 3])),
    "cov_aweights_numel": lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1.0, 2])),
    "corrcoef_1d": lambda lib: lib.corrcoef(lib.tensor([1.0, 2.0, 4.0])),
    "histogram_range": lambda lib: lib.histogram(lib.tensor([0.1, 0.5, 0.5, 0.9, 2.0]), 4, range=(0.0, 1.0)),
    "histogram_edges_weight": lambda lib: lib.tensor([0.1, 0.5, 0.7], dtype=lib.float64).histogram(
        lib.tensor([0.0, 0.4, 1.0], dtype=lib.float64), weight=lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64)
    ),
    "histogram_density": lambda lib: lib.histogram(
        lib.tensor([0.0, 1.0, 1.0, 3.0], dtype=lib.float64), 3, density=True
    ),
    "histogram_constant": lambda lib: lib.histogram(lib.tensor([2.0, 2.0]), 2),
    "histogram_empty": lambda lib: lib.histogram(lib.tensor([]), 2),
    "histogram_int": lambda lib: lib.histogram(lib.tensor([1, 2]), 2),
    "histogram_bins": lambda lib: lib.histogram(lib.tensor([1.0]), 0),
    # in-place aliases
    "absolute": lambda lib: (lib.absolute(lib.tensor([-1, 2])), lib.tensor([-1.5]).absolute_()),
    "negative_": lambda lib: (lib.tensor([-1, 2]).negative_(), lib.negative_(lib.tensor([1.5]))),
    "sign_": lambda lib: lib.tensor([-3.0, 0, 2]).sign_(),
    "divide_": lambda lib: lib.tensor([1.0, 3]).divide_(2, rounding_mode="floor"),
    "true_divide_int": lambda lib: lib.tensor([1, 2]).true_divide_(2),
    "multiply_": lambda lib: lib.tensor([1, 2]).multiply_(lib.tensor([3, 4])),
    "subtract_alpha": lambda lib: lib.tensor([1.0, 2]).subtract_(lib.tensor([3.0, 4]), alpha=0.5),
    "subtract_bool": lambda lib: lib.tensor([True]).subtract_(lib.tensor([True])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name: str) -> None:
    fn = CASES[name]
    assert _result(fn, mt) == _result(fn, torch)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, x: lib.addcmul(x, x, x),
        lambda lib, x: (x * 1).addcdiv_(x, x + 3),
        lambda lib, x: lib.diff(x, 2),
        lambda lib, x: lib.dist(x, x * 0),
        lambda lib, x: x.reshape(1, 3).renorm(2, 0, 0.5),
        lambda lib, x: (x * 1).reshape(3, 1).fill_diagonal_(0.0),
        lambda lib, x: (x * 1).absolute_(),
        lambda lib, x: (x * 1).divide_(2),
        lambda lib, x: x.sum_to_size(1),
        lambda lib, x: lib.ldexp(x, lib.tensor([1, 2, 3])),
        lambda lib, x: lib.cross(x, x.flip(0), dim=0),
    ],
)
def test_grad_fn_names(make: Any) -> None:
    names = []
    for lib in (torch, mt):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        names.append(make(lib, x).grad_fn.name())
    assert names[0] == names[1]


def test_non_differentiable_outputs() -> None:
    x = mt.tensor([1.0, -2.0], requires_grad=True)
    assert not mt.heaviside(x, mt.tensor([0.5])).requires_grad
    mantissa, exponent = mt.frexp(x.detach())
    assert exponent.dtype == mt.int32 and not mantissa.requires_grad
    assert not mt.histc(x.detach()).requires_grad


def test_new_tensor_copies() -> None:
    source = mt.ones(2)
    data = np.arange(3.0)
    t = source.new_tensor(data)
    data[0] = 9
    assert t.tolist() == [0.0, 1.0, 2.0] and t.is_leaf
