"""Pooling modules and errors against torch (the functional forms are covered by the registry)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.MaxPool2d(2),
        lambda nn: nn.MaxPool2d((2, 2)),
        lambda nn: nn.MaxPool1d(3, stride=1, padding=1, return_indices=True, ceil_mode=True),
        lambda nn: nn.MaxPool3d(2, dilation=2),
        lambda nn: nn.AvgPool2d(2, 2),
        lambda nn: nn.AvgPool1d(3, padding=1),
        lambda nn: nn.AvgPool3d(2, ceil_mode=True, count_include_pad=False, divisor_override=3),
        lambda nn: nn.AdaptiveAvgPool2d((2, 3)),
    ],
)
def test_repr_and_no_parameters(make):
    ours, theirs = make(mt.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.parameters()) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.max_pool2d(lib.randn(1, 1, 4, 4), 3, padding=2),
        lambda lib: lib.nn.functional.max_pool2d(lib.randn(1, 1, 4, 4), 3, padding=2, dilation=2),
        lambda lib: lib.nn.functional.max_pool2d(lib.randn(1, 1, 2, 2), 3),
        lambda lib: lib.nn.functional.max_pool2d(lib.randn(4, 4), 2),
        lambda lib: lib.nn.functional.avg_pool2d(lib.randn(1, 1, 4, 4), 3, padding=2),
    ],
)
def test_errors_match_torch(call):
    def error(lib):
        with pytest.raises(Exception) as info:
            call(lib)
        return type(info.value), str(info.value)

    assert error(mt) == error(torch)


def test_seed_snippets_and_unbatched_input():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    ours = mt.nn.functional.max_pool2d(mt.nn.functional.relu(mt.tensor(x)), (2, 2))
    theirs = torch.nn.functional.max_pool2d(torch.nn.functional.relu(torch.tensor(x)), (2, 2))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(
        mt.nn.AvgPool2d(2, 2)(mt.tensor(x[0])).numpy(), torch.nn.AvgPool2d(2, 2)(torch.tensor(x[0])).numpy()
    )


def test_max_pool_gradient_goes_to_the_argmax_by_hand():
    x = mt.tensor(np.array([[[[1.0, 5.0], [3.0, 2.0]]]]), requires_grad=True)
    mt.nn.functional.max_pool2d(x, 2).backward(mt.tensor(np.array([[[[0.7]]]])))
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, 0.7], [0.0, 0.0]]]])
