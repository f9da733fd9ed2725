"""The ReLU kernels' every branch: the Numba pass and the NumPy fallback (other dtypes, mixed dtypes,
a broadcast gradient) against the definition, with NaN, -0.0 and values at the kink."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch_nn.kernels.cpu.elementwise import relu_backward, relu_forward

CASES = [
    ("float32", "float32", (3, 4)),  # the kernel
    ("float64", "float64", (5,)),  # the kernel
    ("float32", "float64", (3, 4)),  # mixed dtypes: the fallback, in grad's dtype
    ("float64", "float32", (2, 3)),
    ("float16", "float16", (4,)),  # a dtype the kernel does not take
]


def _activation(shape: tuple[int, ...], dtype: str, rng: np.random.Generator) -> np.ndarray:
    y = rng.standard_normal(shape)
    y.flat[0], y.flat[1], y.flat[-1] = 0.0, np.nan, -0.0
    return np.maximum(y, 0, where=~np.isnan(y), out=y.copy()).astype(dtype)


@pytest.mark.parametrize(("grad_dtype", "y_dtype", "shape"), CASES)
def test_relu_backward_selects_the_gradient_where_the_output_is_positive(grad_dtype, y_dtype, shape):
    rng = np.random.default_rng(0)
    y = _activation(shape, y_dtype, rng)
    grad = rng.standard_normal(shape).astype(grad_dtype)
    grad.flat[0] = np.inf  # y = 0 there: torch's threshold_backward selects 0, it does not multiply
    out = relu_backward(grad, y)
    expected = np.where(~(y <= 0), grad, np.zeros((), grad_dtype))
    assert out.dtype == np.dtype(grad_dtype)
    np.testing.assert_array_equal(out, expected)


def test_relu_backward_with_a_broadcast_gradient_takes_the_fallback():
    rng = np.random.default_rng(1)
    y = _activation((3, 4), "float32", rng)
    grad = rng.standard_normal(4).astype(np.float32)
    out = relu_backward(grad, y)
    np.testing.assert_array_equal(out, np.where(~(y <= 0), np.broadcast_to(grad, y.shape), 0).astype(np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_relu_forward_keeps_nan_and_negative_zero(dtype):
    x = np.array([-1.5, 0.0, 2.0, -3.0, 4.0], dtype=dtype)
    out = relu_forward(x)
    assert out.dtype == x.dtype
    np.testing.assert_array_equal(out, np.array([0, 0, 2, 0, 4], dtype=dtype))
    if dtype.startswith("float"):
        special = relu_forward(np.array([np.nan, -0.0], dtype=dtype))
        assert np.isnan(special[0]) and special[1] == 0
