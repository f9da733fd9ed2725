"""F.embedding_bag and nn.EmbeddingBag against torch: every mode, offsets and 2-D bags, padding,
per-sample weights, the module's repr, init and from_pretrained, errors; finite differences without torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import raised

RNG = np.random.default_rng(0)
W = RNG.standard_normal((6, 3))
INDICES = [1, 2, 4, 5, 4, 3, 2, 0]
OFFSETS = [0, 3, 3, 5]  # bags [1 2 4] [] [5 4] [3 2 0]: an empty one included


def _run(lib: Any, dtype: str, mode: str, **kw: Any) -> list:
    w = lib.tensor(W.astype(dtype), requires_grad=True)
    weights = kw.pop("per_sample_weights", None)
    if weights is not None:
        weights = lib.tensor(np.asarray(weights, dtype=dtype), requires_grad=True)
    two_d = kw.pop("two_d", False)
    x = lib.tensor(INDICES).view(2, 4) if two_d else lib.tensor(INDICES)
    offsets = None if two_d else lib.tensor(OFFSETS + ([len(INDICES)] if kw.get("include_last_offset") else []))
    y = lib.nn.functional.embedding_bag(x, w, offsets, mode=mode, per_sample_weights=weights, **kw)
    upstream = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(dtype)
    y.backward(lib.tensor(upstream))
    out = [y.detach().numpy(), w.grad.numpy(), y.grad_fn.name()]
    if weights is not None:
        out.append(weights.grad.numpy())
    return out


CASES = [
    ("sum", {}),
    ("sum", {"padding_idx": 2}),
    ("sum", {"include_last_offset": True}),
    ("sum", {"two_d": True, "per_sample_weights": RNG.random((2, 4)), "padding_idx": 3}),
    ("sum", {"per_sample_weights": RNG.random(8)}),
    ("mean", {}),
    ("mean", {"padding_idx": -1}),
    ("mean", {"include_last_offset": True, "padding_idx": 4}),
    ("mean", {"two_d": True}),
    ("max", {}),
    ("max", {"padding_idx": 2}),
    ("max", {"include_last_offset": True}),
    ("max", {"two_d": True}),
]


@pytest.mark.parametrize(("mode", "kw"), CASES, ids=[f"{m}-{sorted(k)}" for m, k in CASES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_torch(mode, kw, dtype):
    ours, theirs = _run(mt, dtype, mode, **dict(kw)), _run(torch, dtype, mode, **dict(kw))
    rtol = 1e-12 if dtype == "float64" else 1e-5
    for o, t in zip(ours, theirs):
        if isinstance(t, str):
            assert o == t
        else:
            assert o.dtype == t.dtype
            np.testing.assert_allclose(o, t, rtol=rtol, atol=1e-12 if dtype == "float64" else 1e-6)


def test_max_takes_the_first_of_tied_rows_as_torch():
    def run(lib: Any) -> list:
        w = lib.tensor([[1.0, 5.0], [3.0, 2.0], [3.0, 7.0]], requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor([0, 1, 2, 1]), w, lib.tensor([0]), mode="max")
        y.backward(lib.tensor([[1.0, 2.0]]))
        return [y.tolist(), w.grad.tolist()]

    assert run(mt) == run(torch)


def test_scale_grad_by_freq_divides_by_the_index_count():
    # worked by hand: index 3 occurs twice (gradient (1 + 1) / 2), index 1 once
    w = mt.zeros(5, 1, requires_grad=True)
    y = mt.nn.functional.embedding_bag(mt.tensor([3, 3, 1]), w, mt.tensor([0, 2]), mode="sum", scale_grad_by_freq=True)
    y.backward(mt.tensor([[1.0], [10.0]]))
    assert w.grad.view(-1).tolist() == [0.0, 10.0, 0.0, 1.0, 0.0]
    tw = torch.zeros(5, 1, requires_grad=True)
    ty = torch.nn.functional.embedding_bag(
        torch.tensor([3, 3, 1]), tw, torch.tensor([0, 2]), mode="sum", scale_grad_by_freq=True
    )
    ty.backward(torch.tensor([[1.0], [10.0]]))
    assert tw.grad.view(-1).tolist() == w.grad.view(-1).tolist()
    # mean: each occurrence's share of its bag (1/2 and 1/3), then divided by the count (index 0: twice)
    w = mt.zeros(3, 1, requires_grad=True)
    y = mt.nn.functional.embedding_bag(mt.tensor([0, 1, 0, 2, 2]), w, mt.tensor([0, 2]), scale_grad_by_freq=True)
    y.backward(mt.tensor([[6.0], [12.0]]))
    np.testing.assert_allclose(w.grad.view(-1).numpy(), [(3 + 4) / 2, 3, (4 + 4) / 2])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_finite_differences(mode):
    w = mt.tensor(np.random.default_rng(2).standard_normal((6, 3)), requires_grad=True)
    p = mt.tensor(np.random.default_rng(3).random(8), requires_grad=True)
    x, off = mt.tensor(INDICES), mt.tensor(OFFSETS)
    if mode == "sum":
        fn = lambda w, p: mt.nn.functional.embedding_bag(x, w, off, mode="sum", per_sample_weights=p, padding_idx=2)  # noqa: E731
        assert mt.autograd.gradcheck(fn, [w, p])
    else:
        assert mt.autograd.gradcheck(lambda w: mt.nn.functional.embedding_bag(x, w, off, mode=mode), [w])


def test_module_matches_torch():
    def run(lib: Any) -> list:
        out = [repr(lib.nn.EmbeddingBag(6, 3)), repr(lib.nn.EmbeddingBag(6, 3, mode="max", padding_idx=-2))]
        out.append(repr(lib.nn.EmbeddingBag(6, 3, max_norm=1.0, norm_type=1, scale_grad_by_freq=True, mode="sum")))
        lib.manual_seed(0)
        bag = lib.nn.EmbeddingBag(5, 2, padding_idx=1)
        out += [list(bag.state_dict()), np.round(bag.weight.detach().numpy(), 6).tolist()]
        out.append(np.round(bag(lib.tensor([[0, 1, 2]])).detach().numpy(), 6).tolist())
        frozen = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(W), mode="sum", include_last_offset=True)
        out += [
            frozen.weight.requires_grad,
            np.round(frozen(lib.tensor([0, 1, 5]), lib.tensor([0, 2, 3])).numpy(), 6).tolist(),
        ]
        capped = lib.nn.EmbeddingBag(4, 2, max_norm=0.5)
        with lib.no_grad():
            capped.weight.copy_(lib.tensor([[3.0, 4.0], [0.1, 0.1], [1.0, 0.0], [0.0, 2.0]]))
        capped(lib.tensor([[0, 2]]))
        out.append(np.round(capped.weight.detach().numpy(), 5).tolist())  # rows 0 and 2 renormed in place
        return out

    assert run(mt) == run(torch)


def test_errors_match_torch():
    def run(lib: Any) -> list:
        F, w = lib.nn.functional, lib.randn(6, 3)
        x = lib.tensor([1, 2])
        calls = [
            lambda: F.embedding_bag(x, w, lib.tensor([0]), mode="mean", per_sample_weights=lib.rand(2)),
            lambda: F.embedding_bag(x, w),
            lambda: F.embedding_bag(x.view(1, 2), w, lib.tensor([0])),
            lambda: F.embedding_bag(x, w, lib.tensor([1])),
            lambda: F.embedding_bag(x, w, lib.tensor([0]), mode="foo"),
            lambda: F.embedding_bag(x, w, lib.tensor([0, 3])),
            lambda: F.embedding_bag(lib.tensor([1.0, 2.0]), w, lib.tensor([0])),
            lambda: F.embedding_bag(lib.tensor([7]), w, lib.tensor([0])),
            lambda: F.embedding_bag(lib.tensor([1]), lib.randn(3, 2), lib.tensor([0]), padding_idx=5),
            lambda: F.embedding_bag(lib.tensor([[[1]]]), lib.randn(3, 2)),
            lambda: F.embedding_bag(lib.tensor([1]), lib.randn(3, 2, 1), lib.tensor([0])),
            lambda: F.embedding_bag(x, w, lib.tensor([0]), per_sample_weights=lib.rand(3), mode="sum"),
            lambda: F.embedding_bag(x.view(1, 2), w, mode="sum", per_sample_weights=lib.rand(1, 2, dtype=lib.float64)),
            lambda: lib.nn.EmbeddingBag(3, 2, padding_idx=3),
        ]
        return [raised(c) for c in calls]

    ours, theirs = run(mt), run(torch)
    for o, t in zip(ours, theirs):
        o = (o[0], o[1].replace("minitorch_nn.autograd.tensor.Tensor", "torch.Tensor")) if o else o
        assert o == t
