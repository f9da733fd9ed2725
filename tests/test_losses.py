"""Loss modules and errors against torch (the functional forms are covered by the registry)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import Sample, compare


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.MSELoss(),
        lambda nn: nn.L1Loss(reduction="sum"),
        lambda nn: nn.NLLLoss(ignore_index=1),
        lambda nn: nn.CrossEntropyLoss(),
        lambda nn: nn.CrossEntropyLoss(reduction="none", label_smoothing=0.1),
    ],
)
def test_loss_module_repr_and_state_dict(make):
    ours, theirs = make(mt.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_weighted_loss_keeps_weight_as_buffer():
    w = np.array([0.5, 1.0, 2.0], dtype=np.float32)
    ours, theirs = mt.nn.CrossEntropyLoss(weight=mt.tensor(w)), torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    t = np.array([0, 2, 1, 2])
    np.testing.assert_allclose(
        ours(mt.tensor(x), mt.tensor(t)).item(), theirs(torch.tensor(x), torch.tensor(t)).item(), rtol=1e-6
    )


def _error(lib, call):
    with pytest.raises(Exception) as info:
        call(lib)
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        # a Float target where class indices are expected (seed 004's "label must be a LongTensor")
        lambda lib: lib.nn.CrossEntropyLoss()(lib.zeros(3, 4), lib.tensor([0.0, 1.0, 2.0])),
        lambda lib: lib.nn.CrossEntropyLoss()(lib.zeros(3, 4), lib.tensor([0, 1])),
        lambda lib: lib.nn.CrossEntropyLoss()(lib.zeros(3, 4), lib.tensor([0, 1, 5])),
        lambda lib: lib.nn.functional.nll_loss(lib.zeros(3, 4), lib.zeros(3, 5, dtype=lib.int64)),
        lambda lib: lib.nn.functional.mse_loss(lib.zeros(3), lib.zeros(3), reduction="avg"),
    ],
)
def test_errors_match_torch(call):
    assert _error(mt, call) == _error(torch, call)


def test_cross_entropy_is_stable_for_huge_logits():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6)) * 1e4
    t = np.array([0, 5, 2, 3])
    for dtype in (np.float32, np.float64):
        report = compare(
            lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), Sample((x, t), {}, (True, False)), dtype
        )
        assert report.ok, report
        out = mt.nn.functional.cross_entropy(mt.tensor(x.astype(dtype), requires_grad=True), mt.tensor(t))
        assert np.isfinite(out.item())


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    """Worked by hand: d/dx mean CE = (softmax(x) - onehot(t)) / N."""
    x = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    t = np.array([1, 2])
    xt = mt.tensor(x, requires_grad=True)
    mt.nn.functional.cross_entropy(xt, mt.tensor(t)).backward()
    s = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    onehot = np.eye(3)[t]
    np.testing.assert_allclose(xt.grad.numpy(), (s - onehot) / 2, rtol=1e-12)


def test_legacy_size_average_and_reduce():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    for kwargs in ({"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}):
        with pytest.warns(UserWarning):
            ours = mt.nn.MSELoss(**kwargs)(mt.tensor(a), mt.tensor(b))
        with pytest.warns(UserWarning):
            theirs = torch.nn.MSELoss(**kwargs)(torch.tensor(a), torch.tensor(b))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
