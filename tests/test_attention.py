"""F.scaled_dot_product_attention beyond the registry: dropout (torch's mask for the same seed, values
and gradients), fully masked rows, grad_fn names in float32 and float64, empty inputs, the errors torch
raises; the float64 backward by finite differences with dropout on."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch_nn as mt
from reference import strategies as S


def _error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _leaves(lib, arrays, dtype=np.float64, grad=True):
    return [
        lib.tensor(a.astype(dtype) if a.dtype.kind == "f" else a, requires_grad=grad and a.dtype.kind == "f")
        for a in arrays
    ]


def _run(lib, arrays, upstream, seed=0, dtype=np.float64, **kwargs):
    """Output and input gradients of one SDPA call (mask, if any, is the 4th array)."""
    lib.manual_seed(seed)
    tensors = _leaves(lib, arrays, dtype)
    mask = tensors[3] if len(tensors) > 3 else None
    out = lib.nn.functional.scaled_dot_product_attention(*tensors[:3], attn_mask=mask, **kwargs)
    out.backward(lib.tensor(upstream.astype(dtype)))
    grads = [None if t.grad is None else t.grad.numpy() for t in tensors]
    return out.detach().numpy(), grads, out.grad_fn.name()


@settings(deadline=None)
@given(
    shape=st.sampled_from([(3, 4), (2, 3, 4), (2, 2, 3, 4)]),
    p=st.sampled_from([0.2, 0.5, 1.0]),
    causal=st.booleans(),
    seed=S.seeds,
)
def test_dropout_is_torchs_mask_for_the_same_seed(shape, p, causal, seed):
    rng = np.random.default_rng(seed)
    arrays = [S.array(rng, shape), S.array(rng, shape[:-2] + (5, 4)), S.array(rng, shape[:-2] + (5, 3))]
    upstream = rng.standard_normal(shape[:-1] + (3,))
    ours = _run(mt, arrays, upstream, seed % 1000, dropout_p=p, is_causal=causal)
    theirs = _run(torch, arrays, upstream, seed % 1000, dropout_p=p, is_causal=causal)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    for g, h in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-12)
    assert ours[2] == theirs[2]


def test_dropout_backward_by_finite_differences():
    """Same seed on every evaluation, hence the same dropout mask: the function is smooth in q, k, v."""
    rng = np.random.default_rng(1)
    arrays = [S.array(rng, (2, 3, 4)), S.array(rng, (2, 5, 4)), S.array(rng, (2, 5, 3)), S.array(rng, (3, 5))]
    upstream = rng.standard_normal((2, 3, 3))

    def loss(values):
        mt.manual_seed(7)
        q, k, v, m = (mt.tensor(a) for a in values)
        out = mt.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m, dropout_p=0.3)
        return float((out.numpy() * upstream).sum())

    _, grads, _ = _run(mt, arrays, upstream, 7, dropout_p=0.3)
    eps = 1e-6
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("groups", [2, 3])
@pytest.mark.parametrize(("query_batch", "key_batch"), [(2, 2), (1, 2), (2, 1)])
def test_grouped_query_heads_gradients_as_torch(groups, query_batch, key_batch):
    """Each key/value head serves `groups` query heads: its gradient sums over them."""
    rng = np.random.default_rng(groups)
    arrays = [
        S.array(rng, (query_batch, 2 * groups, 3, 4)),
        S.array(rng, (key_batch, 2, 5, 4)),
        S.array(rng, (key_batch, 2, 5, 3)),
        S.array(rng, (1, 2 * groups, 3, 5)),
    ]
    upstream = rng.standard_normal((max(query_batch, key_batch), 2 * groups, 3, 3))
    ours = _run(mt, arrays, upstream, enable_gqa=True)
    theirs = _run(torch, arrays, upstream, enable_gqa=True)
    assert ours[2] == theirs[2]
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    for g, h in zip(ours[1], theirs[1]):
        assert g.shape == h.shape
        np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (1, 2, 3, 4)])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_rows_give_zeros_and_no_gradient_as_torch(shape, kind):
    rng = np.random.default_rng(0)
    allowed = rng.random((3, 5)) < 0.7
    allowed[1] = False
    allowed[0, 0] = allowed[2, 0] = True
    mask = allowed if kind == "bool" else np.where(allowed, rng.standard_normal((3, 5)), -np.inf)
    arrays = [S.array(rng, shape), S.array(rng, shape[:-2] + (5, 4)), S.array(rng, shape[:-2] + (5, 4))]
    upstream = rng.standard_normal(shape)
    for dtype in (np.float64, np.float32):
        ours = _run(mt, [*arrays, mask], upstream, dtype=dtype)
        theirs = _run(torch, [*arrays, mask], upstream, dtype=dtype)
        assert ours[2] == theirs[2]
        assert np.all(ours[0][..., 1, :] == 0)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
        for g, h in zip(ours[1], theirs[1]):
            if h is None:
                assert g is None
            else:
                np.testing.assert_allclose(g, h, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shapes", "kwargs"),
    [
        (((2, 3, 4), (2, 5, 4), (2, 5, 4)), {}),
        (((3, 4), (5, 4), (5, 4)), {}),
        (((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), {}),
        (((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6)), {}),
        (((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), {"dropout_p": 0.5}),
        (((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), {"is_causal": True, "scale": 0.3}),
        (((1, 4, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), {"enable_gqa": True}),
        (((1, 1, 2, 3, 4), (1, 1, 2, 5, 4), (1, 1, 2, 5, 4)), {}),
    ],
)
def test_grad_fn_name_is_torchs_cpu_dispatch(dtype, shapes, kwargs):
    names = []
    for lib in (mt, torch):
        lib.manual_seed(0)
        q, k, v = (lib.zeros(s, dtype=getattr(lib, np.dtype(dtype).name)) for s in shapes)
        q.requires_grad_()
        names.append(lib.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs).grad_fn.name())
    assert names[0] == names[1]


def test_a_float_mask_that_needs_grad_takes_the_math_path():
    for lib in (mt, torch):
        q, k, v = lib.randn(1, 2, 3, 4), lib.randn(1, 2, 5, 4), lib.randn(1, 2, 5, 4)
        mask = lib.zeros(3, 5, requires_grad=True)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        assert out.grad_fn.name() == "UnsafeViewBackward0"
        no_grad = lib.nn.functional.scaled_dot_product_attention(q, k, v)
        assert no_grad.grad_fn is None and not no_grad.requires_grad


def test_empty_query_and_keys():
    for shapes in [((2, 0, 4), (2, 5, 4), (2, 5, 3)), ((2, 3, 4), (2, 0, 4), (2, 0, 3))]:
        results = [
            lib.nn.functional.scaled_dot_product_attention(*(lib.ones(s) for s in shapes)).numpy()
            for lib in (mt, torch)
        ]
        assert results[0].shape == results[1].shape
        np.testing.assert_array_equal(results[0], results[1])


def test_default_scale_is_one_over_sqrt_of_the_head_dim():
    rng = np.random.default_rng(0)
    q, k, v = S.array(rng, (3, 4)), S.array(rng, (5, 4)), S.array(rng, (5, 2))
    scores = q @ k.T / 2.0
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    out = mt.nn.functional.scaled_dot_product_attention(mt.tensor(q), mt.tensor(k), mt.tensor(v))
    np.testing.assert_allclose(out.numpy(), weights @ v, rtol=1e-12)


@pytest.mark.parametrize(
    ("shapes", "mask", "kwargs"),
    [
        (((4,), (4,), (4,)), None, {}),
        (((2, 3, 4), (2, 5, 3), (2, 5, 4)), None, {}),
        (((2, 3, 4), (2, 5, 4), (2, 6, 4)), None, {}),
        (((2, 3, 4), (3, 5, 4), (3, 5, 4)), None, {}),
        (((1, 3, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)), None, {"enable_gqa": True}),
        (((2, 3, 4), (2, 5, 4), (2, 5, 4)), ((4, 5), "bool"), {}),
        (((2, 3, 4), (2, 5, 4), (2, 5, 4)), ((3, 5), "int64"), {}),
        (((2, 3, 4), (2, 5, 4), (2, 5, 4)), ((3, 5), "float64"), {}),
    ],
)
def test_errors_as_torch(shapes, mask, kwargs):
    errors = []
    for lib in (mt, torch):
        tensors = [lib.zeros(s) for s in shapes]
        attn_mask = None
        if mask is not None:
            attn_mask = lib.zeros(mask[0], dtype=getattr(lib, mask[1]))
        errors.append(_error(lib.nn.functional.scaled_dot_product_attention, *tensors, attn_mask=attn_mask, **kwargs))
    assert errors[0] is not None
    assert errors[0] == errors[1]


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (1, 2, 3, 4), (1, 1, 2, 3, 4)])
@pytest.mark.parametrize("kind", ["bool", "float", "float_grad"])
def test_explicit_mask_with_is_causal_as_torch(shape, kind):
    """The math path refuses the pair; the flash path (4-D, no grad on the mask) applies both masks."""
    rng = np.random.default_rng(0)
    arrays = [S.array(rng, shape), S.array(rng, shape[:-2] + (5, 4)), S.array(rng, shape[:-2] + (5, 4))]
    mask = rng.random((3, 5)) < 0.7 if kind == "bool" else S.array(rng, (3, 5))
    results = []
    for lib in (mt, torch):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in arrays)
        m = lib.tensor(mask, requires_grad=kind == "float_grad")
        fn = lib.nn.functional.scaled_dot_product_attention
        error = _error(fn, q, k, v, attn_mask=m, is_causal=True)
        if error is not None:
            results.append(error)
            continue
        out = fn(q, k, v, attn_mask=m, is_causal=True)
        out.backward(lib.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape))))
        results.append([out.detach().numpy(), q.grad.numpy(), k.grad.numpy(), v.grad.numpy()])
    if isinstance(results[1], tuple):
        assert results[0] == results[1]
    else:
        for a, b in zip(*results):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_mismatched_dtypes_as_torch():
    errors = []
    for lib in (mt, torch):
        q, k, v = lib.zeros(2, 3), lib.zeros(2, 3, dtype=lib.float64), lib.zeros(2, 3)
        errors.append(_error(lib.nn.functional.scaled_dot_product_attention, q, k, v))
    assert errors[0] is not None
    assert errors[0] == errors[1]


def test_flash_output_keeps_the_query_layout_as_torch():
    """torch's CPU flash kernel writes the output in the query's memory order; the math path is contiguous."""
    for make in (lambda lib: lib.randn(4, 2, 3, 5).permute(1, 2, 0, 3), lambda lib: lib.randn(2, 3, 4, 5)):
        layouts = []
        for lib in (mt, torch):
            q = make(lib).requires_grad_()
            out = lib.nn.functional.scaled_dot_product_attention(q, q, q)
            math_out = lib.nn.functional.scaled_dot_product_attention(q, q, q[..., :4])
            layouts.append((out.stride(), out.is_contiguous(), math_out.is_contiguous()))
        assert layouts[0] == layouts[1]
