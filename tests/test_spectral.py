"""Singular values and the spectral norms against torch: errors, dtypes, empty and batched inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import minitorch_nn as mt
from reference.compare import raised


def test_errors_match_torch():
    def run(lib: Any) -> list:
        calls = [
            lambda: lib.linalg.svdvals(lib.ones(3)),
            lambda: lib.linalg.svdvals(lib.ones(3, 3, dtype=lib.int64)),
            lambda: lib.linalg.matrix_norm(lib.ones(3, 3), 3),
            lambda: lib.linalg.matrix_norm(lib.ones(3, 3), "abc"),
            lambda: lib.norm(lib.ones(2, 3, 3), "nuc"),
            lambda: lib.norm(lib.ones(3, 3), "abc"),
            lambda: lib.linalg.matrix_norm(lib.ones(3), "nuc"),
            lambda: lib.linalg.matrix_norm(lib.ones(3, 3), 2, dim=(0, 0)),
        ]
        return [raised(c) for c in calls]

    assert run(mt) == run(torch)


def test_values_dtypes_and_shapes_match_torch():
    rng = np.random.default_rng(0)
    for shape in [(3, 5), (5, 3), (2, 4, 4), (2, 1, 3), (0, 3), (2, 0, 3)]:
        for dtype in (np.float32, np.float64):
            a = rng.standard_normal(shape).astype(dtype)
            ours, theirs = mt.linalg.svdvals(mt.tensor(a)), torch.linalg.svdvals(torch.tensor(a))
            assert ours.shape == theirs.shape and str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5 if dtype == np.float32 else 1e-12)
            if min(shape[-2:]) > 0:
                for ord in ("nuc", 2, -2):
                    got = mt.linalg.matrix_norm(mt.tensor(a), ord, dtype=mt.float64)
                    want = torch.linalg.matrix_norm(torch.tensor(a), ord, dtype=torch.float64)
                    assert got.dtype == mt.float64
                    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5)


def test_spectral_norm_of_a_diagonal_matrix_by_hand():
    a = mt.tensor([[3.0, 0.0], [0.0, -4.0]], requires_grad=True)
    mt.linalg.matrix_norm(a, 2).backward()
    assert a.grad.tolist() == [[0.0, 0.0], [0.0, -1.0]]  # d sigma_max / dA = u1 v1^T
    b = mt.tensor([[3.0, 0.0], [0.0, -4.0]], requires_grad=True)
    mt.norm(b, "nuc").backward()
    assert mt.norm(b, "nuc").item() == 7.0 and b.grad.tolist() == [[1.0, 0.0], [0.0, -1.0]]
