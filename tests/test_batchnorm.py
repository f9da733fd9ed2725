"""BatchNorm1d/2d/3d and F.batch_norm against torch: outputs, gradients, running statistics, state, errors.

The generic registry tests (tests/test_op_registry.py, entries in
reference/registry/normalization.py) check F.batch_norm's output and input
gradients and finite differences; here we check what they cannot: the
running statistics updated in place, several training steps of the modules
with every constructor argument drawn, train/eval switching, state_dict.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference.bridge import copy_weights_from_torch, tensor_to_torch
from reference.compare import make_inputs
from reference.registry.normalization import batch_norm_call, batch_norm_samples

CLASSES = {1: "BatchNorm1d", 2: "BatchNorm2d", 3: "BatchNorm3d"}
TIGHT = dict(rtol=1e-10, atol=1e-10)


def _shape(kind: int, n: int, c: int, rng: np.random.Generator) -> tuple[int, ...]:
    if kind == 1:
        return (n, c) if rng.random() < 0.5 else (n, c, int(rng.integers(1, 4)))
    return (n, c) + tuple(int(s) for s in rng.integers(1, 4, size=kind))


@given(
    kind=st.sampled_from([1, 2, 3]),
    c=st.integers(1, 4),
    n=st.integers(2, 4),
    eps=st.sampled_from([1e-5, 1e-3, 0.1]),
    momentum=st.sampled_from([0.1, None, 0.5, 1.0]),
    affine=st.booleans(),
    track=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_module_steps_match_torch(kind, c, n, eps, momentum, affine, track, seed):
    """Three training steps then an eval step: outputs, all gradients and all buffers equal torch's."""
    rng = np.random.default_rng(seed)
    kwargs = dict(eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
    theirs = getattr(torch.nn, CLASSES[kind])(c, **kwargs).double()
    ours = getattr(mt.nn, CLASSES[kind])(c, **kwargs).double()
    if affine:  # non-trivial gamma and beta
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(rng.uniform(0.5, 2, size=c)))
            theirs.bias.copy_(torch.from_numpy(rng.normal(size=c)))
    copy_weights_from_torch(ours, theirs)
    for step in range(4):
        if step == 3:
            ours.eval(), theirs.eval()
        shape = _shape(kind, n, c, rng)
        x = rng.normal(0.3, 2.0, size=shape)
        upstream = rng.normal(size=shape)
        xo, xt = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yo, yt = ours(xo), theirs(xt)
        assert yo.grad_fn.name() == yt.grad_fn.name() == "NativeBatchNormBackward0"
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), **TIGHT)
        yo.backward(mt.tensor(upstream))
        yt.backward(torch.tensor(upstream))
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), **TIGHT)
        for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), **TIGHT, err_msg=name)
            p.grad, q.grad = None, None
        state_o, state_t = ours.state_dict(), theirs.state_dict()
        assert list(state_o) == list(state_t)
        for key in state_t:
            assert state_o[key].dtype == mt.int64 if key.endswith("num_batches_tracked") else True
            np.testing.assert_allclose(state_o[key].numpy(), state_t[key].numpy(), **TIGHT, err_msg=key)


@given(data=st.data())
def test_functional_updates_running_stats_in_place_as_torch(data):
    """F.batch_norm's in-place running-statistics update (momentum, unbiased variance) equals torch's."""
    sample = data.draw(batch_norm_samples(training=True))
    sample.kwargs["use_running"] = True
    for dtype, tol in ((np.float64, TIGHT), (np.float32, dict(rtol=1e-5, atol=1e-6))):
        ours = make_inputs(mt, sample, dtype)
        theirs = make_inputs(torch, sample, dtype)
        version = ours[3]._version
        batch_norm_call(mt, *ours, **sample.kwargs)
        batch_norm_call(torch, *theirs, **sample.kwargs)
        for o, t in zip(ours[3:], theirs[3:]):
            np.testing.assert_allclose(o.numpy(), t.numpy(), **tol)
        assert ours[3]._version == version + 1


def test_running_var_uses_unbiased_variance_by_hand():
    # eps must be positive in training; 1e-300 vanishes next to var in float64
    x = mt.tensor([[1.0], [3.0]], dtype=mt.float64)  # mean 2, biased var 1, unbiased var 2
    rm, rv = mt.zeros(1, dtype=mt.float64), mt.ones(1, dtype=mt.float64)
    y = mt.nn.functional.batch_norm(x, rm, rv, training=True, momentum=0.5, eps=1e-300)
    np.testing.assert_allclose(y.numpy(), [[-1.0], [1.0]])
    np.testing.assert_allclose(rm.numpy(), [1.0])  # 0.5 * 0 + 0.5 * 2
    np.testing.assert_allclose(rv.numpy(), [1.5])  # 0.5 * 1 + 0.5 * 2


def test_backward_by_hand_through_batch_statistics():
    """Two values per channel: xhat = -1, +1 whatever x is, so dL/dx = 0 for any upstream of equal sum."""
    x = mt.tensor([[0.0], [2.0]], requires_grad=True)
    y = mt.nn.functional.batch_norm(x, None, None, training=True, eps=1e-300)
    y.backward(mt.tensor([[3.0], [-5.0]]))
    # M = 2, g = (3, -5), xhat = (-1, 1): (2 g - sum g - xhat * sum(g xhat)) / 2 * inv_std(=1)
    # = ((6, -10) - (-2) - (-1, 1) * (-8)) / 2 = ((8, -8) - (8, -8)) / 2 = 0
    np.testing.assert_allclose(x.grad.numpy(), [[0.0], [0.0]], atol=1e-12)
    x.grad = None
    w = mt.tensor([2.0], dtype=mt.float64, requires_grad=True)
    x3 = mt.tensor([[0.0], [1.0], [5.0]], dtype=mt.float64, requires_grad=True)
    y = mt.nn.functional.batch_norm(x3, None, None, w, None, training=True, eps=1e-300)
    g = np.array([[1.0], [-2.0], [0.5]])
    y.backward(mt.tensor(g))
    xv = np.array([0.0, 1.0, 5.0])
    xhat = (xv - xv.mean()) / xv.std()
    expected = 2.0 / xv.std() / 3 * (3 * g[:, 0] - g.sum() - xhat * (g[:, 0] * xhat).sum())
    np.testing.assert_allclose(x3.grad.numpy()[:, 0], expected, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), [(g[:, 0] * xhat).sum()], rtol=1e-12)


def test_momentum_none_is_a_cumulative_average():
    bn = mt.nn.BatchNorm1d(2, momentum=None)
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(4, 2)) for _ in range(3)]
    for b in batches:
        bn(mt.tensor(b, dtype=mt.float32))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([b.mean(0) for b in batches], 0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-5)
    assert bn.num_batches_tracked.item() == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"eps": 1e-3, "momentum": None},
        {"affine": False},
        {"track_running_stats": False},
        {"affine": False, "track_running_stats": False, "momentum": 0.2},
        {"bias": False},
    ],
)
@pytest.mark.parametrize("name", ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"])
def test_repr_parameters_and_state_dict_as_torch(name, kwargs):
    ours, theirs = getattr(mt.nn, name)(3, **kwargs), getattr(torch.nn, name)(3, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(p.shape)) for k, p in ours.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in theirs.named_parameters()
    ]
    so, st_ = ours.state_dict(), theirs.state_dict()
    assert list(so) == list(st_)
    for key in st_:
        assert str(so[key].dtype) == str(st_[key].dtype)
        assert tuple(so[key].shape) == tuple(st_[key].shape)
        np.testing.assert_array_equal(so[key].numpy(), st_[key].numpy())


def test_reset_running_stats_and_parameters():
    bn = mt.nn.BatchNorm1d(3)
    bn(mt.randn(5, 3) * 3 + 1)
    with mt.no_grad():
        bn.weight.mul_(3.0)
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(3))
    assert bn.num_batches_tracked.item() == 0
    assert not np.all(bn.weight.detach().numpy() == 1)
    bn.reset_parameters()
    np.testing.assert_array_equal(bn.weight.detach().numpy(), np.ones(3))
    np.testing.assert_array_equal(bn.bias.detach().numpy(), np.zeros(3))


def test_eval_without_running_stats_uses_batch_statistics():
    rng = np.random.default_rng(1)
    x = rng.normal(2, 3, size=(6, 3)).astype(np.float32)
    ours, theirs = mt.nn.BatchNorm1d(3, track_running_stats=False), torch.nn.BatchNorm1d(3, track_running_stats=False)
    ours.eval(), theirs.eval()
    out = ours(mt.tensor(x)).detach().numpy()
    np.testing.assert_allclose(out, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-6)


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 4)),
        lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(3)),
        lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 3, 4)),
        lambda lib: lib.nn.BatchNorm3d(3)(lib.randn(2, 3, 4, 4)),
        lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3)),
        lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3, 1)),
        lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 4)),
        lambda lib: lib.nn.BatchNorm2d(3).eval()(lib.randn(2, 2, 3, 3)),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(2), lib.ones(3), training=True),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(2), training=True),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, lib.ones(2), training=True),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, None, lib.ones(4), training=True),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, training=False),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3), momentum=None),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, training=True, eps=0.0),
        lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3), eps=-1.0),
        lambda lib: lib.nn.BatchNorm1d(3, eps=0)(lib.randn(4, 3)),
    ],
)
def test_errors_as_torch(call):
    ours, theirs = _error(lambda: call(mt)), _error(lambda: call(torch))
    assert theirs is not None
    assert ours is not None
    assert ours[0].__name__ == theirs[0].__name__
    assert ours[1] == theirs[1]


def _twin_models(p: float):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Dropout(p), torch.nn.Linear(6, 3)
    ).double()
    ours = mt.nn.Sequential(
        mt.nn.Linear(4, 6), mt.nn.BatchNorm1d(6), mt.nn.ReLU(), mt.nn.Dropout(p), mt.nn.Linear(6, 3)
    ).double()
    copy_weights_from_torch(ours, theirs)
    return ours, theirs


def test_train_eval_switching_with_batchnorm_and_dropout():
    """Eval: outputs equal torch's exactly. Train: BN statistics equal torch's, dropout keeps x/(1-p) or 0."""
    p = 0.5
    ours, theirs = _twin_models(p)
    rng = np.random.default_rng(3)
    for phase in ["train", "eval", "train", "eval"]:
        getattr(ours, phase)(), getattr(theirs, phase)()
        assert all(m.training == (phase == "train") for m in ours.modules())
        x = rng.normal(size=(32, 4))
        if phase == "eval":
            with mt.no_grad(), torch.no_grad():
                np.testing.assert_allclose(ours(mt.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), **TIGHT)
            continue
        mt.manual_seed(1)
        before_dropout = theirs[:3](torch.tensor(x)).detach().numpy()  # deterministic part, updates BN once
        ours_dropped = ours[:4](mt.tensor(x)).detach().numpy()
        kept = ours_dropped != 0
        np.testing.assert_allclose(ours_dropped[kept], before_dropout[kept] / (1 - p), rtol=1e-12)
        live = before_dropout != 0  # after ReLU some entries are 0 anyway
        frac = kept[live].mean()
        assert 0.3 < frac < 0.7  # ~1 - p of the live entries survive
        for key, value in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), **TIGHT, err_msg=key)


def test_seed_sequential_with_batchnorm2d_runs():
    net = mt.nn.Sequential()
    net.add_module("bn", mt.nn.BatchNorm2d(3))
    net.add_module("activation", mt.nn.ReLU())
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4)).astype(np.float32)
    theirs = torch.nn.Sequential(torch.nn.BatchNorm2d(3), torch.nn.ReLU())
    np.testing.assert_allclose(
        net(mt.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )
    assert tensor_to_torch(net.bn.running_mean).shape == (3,)
    np.testing.assert_allclose(net.bn.running_mean.numpy(), theirs[0].running_mean.numpy(), rtol=1e-5, atol=1e-7)
