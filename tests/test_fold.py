"""Blocks against torch: unfold / fold and the pixel shuffles' errors, dtypes and hand-worked identities.

Values and gradients over the drawn argument space are in the registry
(reference/registry/fold.py); here the exact errors and the adjoint identities.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import compare_modules, raised


def _pair(shape: tuple, dtype: str = "float32") -> tuple:
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    return mt.tensor(x), torch.tensor(x)


def _same(name: str, shape: tuple, dtype: str, *args, **kwargs) -> None:
    xo, xt = _pair(shape, dtype)
    expected = raised(lambda: getattr(torch.nn.functional, name)(xt, *args, **kwargs))
    assert raised(lambda: getattr(mt.nn.functional, name)(xo, *args, **kwargs)) == expected
    if expected is None:
        yo, yt = (
            getattr(mt.nn.functional, name)(xo, *args, **kwargs),
            getattr(torch.nn.functional, name)(xt, *args, **kwargs),
        )
        assert str(yo.dtype) == str(yt.dtype)
        np.testing.assert_allclose(yo.numpy(), yt.numpy(), rtol=1e-6)


X = (1, 2, 4, 4)
UNFOLD_CASES = [
    (X, "float32", (2,), {}),
    ((2, 4, 4), "float32", (2,), {}),
    ((4, 4), "float32", (2,), {}),
    ((1, 1, 2, 4, 4), "float32", (2,), {}),
    (X, "float32", (5,), {}),
    (X, "float32", (0,), {}),
    (X, "float32", (2,), {"stride": 0}),
    (X, "float32", (2,), {"dilation": 0}),
    (X, "float32", (2,), {"padding": -1}),
    (X, "float32", (2,), {"stride": 0, "dilation": 0}),
    (X, "float32", (2,), {"stride": 0, "padding": -1}),
    (X, "float32", (2,), {"dilation": 0, "padding": -1}),
    (X, "float32", ((2, 2, 2),), {}),
    (X, "float32", ((2,),), {}),
    (X, "float32", (2,), {"dilation": 3}),
    (X, "float32", (2.0,), {}),
    (X, "float32", (2,), {"padding": 1.0}),
    (X, "int32", (2,), {}),
    (X, "bool", (2,), {}),
    ((0, 2, 4, 4), "float32", (2,), {}),
    ((1, 0, 4, 4), "float32", (2,), {}),
    ((1, 2, 0, 4), "float32", (2,), {}),
    ((2, 0, 4), "float32", (2,), {}),
    ((0, 4, 4), "float32", (2,), {}),
    (X, "float64", ((2, 3),), {"dilation": (1, 2), "padding": (1, 0), "stride": [2, 1]}),
]


@pytest.mark.parametrize(("shape", "dtype", "args", "kwargs"), UNFOLD_CASES)
def test_unfold_matches_torch(shape, dtype, args, kwargs):
    _same("unfold", shape, dtype, *args, **kwargs)


C = (1, 8, 9)
FOLD_CASES = [
    (C, "float32", ((4, 4), 2), {}),
    ((8, 9), "float32", ((4, 4), 2), {}),
    (C, "float32", ((4, 4), 3), {}),
    (C, "float32", ((4, 5), 2), {}),
    (C, "float32", ((4, 4), 2), {"stride": 2}),
    (C, "float32", (4, 2), {}),
    (C, "float32", ((4, 4), 0), {}),
    (C, "float32", ((0, 4), 2), {}),
    (C, "float32", ((4, 4), 2), {"stride": 0}),
    (C, "float32", ((4, 4), 2), {"dilation": 0}),
    (C, "float32", ((4, 4), 2), {"padding": -1}),
    (C, "float32", ((4, 4), 2), {"stride": 0, "dilation": 0}),
    (C, "float32", ((4, 4), 2), {"dilation": 0, "padding": -1}),
    (C, "float32", ((4, 4), 0), {"stride": 0}),
    ((1, 2, 3, 4), "float32", ((4, 4), 2), {}),
    ((8,), "float32", ((4, 4), 2), {}),
    (C, "float32", ((4, 4, 4), 2), {}),
    (C, "float32", ((4, 4), 2.0), {}),
    (C, "float32", ((4.0, 4), 2), {}),
    (C, "float32", ((4, 4), 2), {"stride": 1.0}),
    (C, "int32", ((4, 4), 2), {}),
    ((1, 8, 0), "float32", ((4, 4), 2), {}),
    ((0, 8, 9), "float32", ((4, 4), 2), {}),
    ((1, 0, 9), "float32", ((4, 4), 2), {}),
    ((0, 9), "float32", ((4, 4), 2), {}),
    ((1, 8, 4), "float32", ((1, 1), 2), {"padding": 1, "stride": 2}),
    ((2, 12, 6), "float64", ((3, 5), (2, 3)), {"dilation": (1, 2), "padding": [1, 0], "stride": (2, 1)}),
]


@pytest.mark.parametrize(("shape", "dtype", "args", "kwargs"), FOLD_CASES)
def test_fold_matches_torch(shape, dtype, args, kwargs):
    _same("fold", shape, dtype, *args, **kwargs)


def test_fold_of_bool_columns_is_their_or():
    x = np.random.default_rng(1).random((1, 4, 4)) > 0.5
    ours = mt.nn.functional.fold(mt.tensor(x), (3, 3), 2)
    theirs = torch.nn.functional.fold(torch.tensor(x), (3, 3), 2)
    assert str(ours.dtype) == str(theirs.dtype) == "torch.bool"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_fold_of_unfold_counts_the_blocks_covering_each_pixel():
    x = mt.ones((1, 1, 3, 3))
    counts = mt.nn.functional.fold(mt.nn.functional.unfold(x, 2), (3, 3), 2)
    np.testing.assert_array_equal(counts.numpy()[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_unfold_and_fold_are_adjoint():
    """<unfold(x), c> == <x, fold(c)> for any x and c: fold is unfold's transpose."""
    rng = np.random.default_rng(2)
    x, c = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((2, 3 * 2 * 3, 3 * 1))
    geometry = {"kernel_size": (2, 3), "dilation": (2, 1), "padding": (1, 0), "stride": (2, 3)}
    cols = mt.nn.functional.unfold(mt.tensor(x), **geometry).numpy()
    image = mt.nn.functional.fold(mt.tensor(c), (5, 4), **geometry).numpy()
    np.testing.assert_allclose((cols * c).sum(), (x * image).sum(), rtol=1e-12)


def test_grad_fn_names():
    x = mt.zeros((1, 4, 2, 2), requires_grad=True)
    assert mt.nn.functional.unfold(x, 1).grad_fn.name() == "Im2ColBackward0"
    assert mt.nn.functional.fold(x.reshape(1, 4, 4), (2, 2), 1).grad_fn.name() == "Col2ImBackward0"
    assert mt.pixel_shuffle(x, 2).grad_fn.name() == "PixelShuffleBackward0"
    assert mt.pixel_unshuffle(x, 2).grad_fn.name() == "PixelUnshuffleBackward0"


PIXEL_CASES = [
    ("pixel_shuffle", (1, 8, 2, 3), "float32", 2),
    ("pixel_shuffle", (8, 2, 3), "float32", 2),
    ("pixel_shuffle", (2, 3, 8, 2, 3), "float32", 2),
    ("pixel_shuffle", (8, 2), "float32", 2),
    ("pixel_shuffle", (1, 6, 2, 3), "float32", 2),
    ("pixel_shuffle", (1, 8, 2, 3), "float32", 0),
    ("pixel_shuffle", (1, 8, 2, 3), "float32", -1),
    ("pixel_shuffle", (1, 8, 2, 3), "int32", 2),
    ("pixel_shuffle", (1, 8, 2, 3), "float32", 2.0),
    ("pixel_unshuffle", (1, 2, 4, 6), "float32", 2),
    ("pixel_unshuffle", (2, 4, 6), "float32", 2),
    ("pixel_unshuffle", (1, 2, 5, 6), "float32", 2),
    ("pixel_unshuffle", (1, 2, 4, 5), "float32", 2),
    ("pixel_unshuffle", (4, 6), "float32", 2),
    ("pixel_unshuffle", (1, 2, 4, 6), "float32", 0),
    ("pixel_unshuffle", (1, 2, 4, 6), "bool", 2),
    ("pixel_unshuffle", (0, 2, 4, 6), "float32", 2),
]


@pytest.mark.parametrize(("name", "shape", "dtype", "factor"), PIXEL_CASES)
def test_pixel_shuffles_match_torch(name, shape, dtype, factor):
    _same(name, shape, dtype, factor)
    xo, xt = _pair(shape, dtype)
    assert raised(lambda: getattr(mt, name)(xo, factor)) == raised(lambda: getattr(torch, name)(xt, factor))


def test_pixel_shuffle_by_hand():
    x = mt.tensor(np.arange(4.0).reshape(1, 4, 1, 1))
    np.testing.assert_array_equal(mt.pixel_shuffle(x, 2).numpy(), [[[[0.0, 1.0], [2.0, 3.0]]]])
    np.testing.assert_array_equal(mt.pixel_unshuffle(mt.pixel_shuffle(x, 2), 2).numpy(), x.numpy())


# ---- modules ------------------------------------------------------------------------------

BLOCK_MODULES = [
    (lambda nn: nn.Fold((4, 5), 2), (1, 8, 12)),
    (lambda nn: nn.Fold(4, (2, 3), dilation=2, padding=1, stride=(1, 2)), (12, 4)),
    (lambda nn: nn.Unfold(2), (1, 2, 3, 4)),
    (lambda nn: nn.Unfold((2, 3), 1, (0, 1), 2), (2, 4, 5)),
    (lambda nn: nn.PixelShuffle(2), (1, 8, 2, 3)),
    (lambda nn: nn.PixelUnshuffle(3), (2, 1, 3, 6)),
]


@pytest.mark.parametrize(("make", "shape"), BLOCK_MODULES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_block_modules_match_torch(make, shape, dtype):
    ours, theirs = make(mt.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    report = compare_modules(ours, theirs, [x], dtype, seed=1)
    assert report.ok, str(report)
