"""The likelihood, margin, CTC and distance losses as modules, their errors, warnings and target dtypes, vs torch.

The functional forms (every reduction and hyper-parameter, gradients, grad_fn names, finite differences)
are covered by reference/registry/{likelihood_loss,margin_loss,ctc,distance}.py.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt

rng = np.random.default_rng(0)
X34 = rng.uniform(0.1, 0.9, size=(3, 4))
Y34 = rng.uniform(0.0, 1.0, size=(3, 4))
Z34 = rng.standard_normal((3, 4))
SIGNS3 = np.array([1.0, -1.0, 1.0])
CLASSES3 = np.array([1, 0, 3])
LABELS34 = np.array([[1, 0, -1, 2], [3, -1, 0, 0], [0, 1, 2, 3]])
LOGITS = rng.standard_normal((6, 2, 5))


def _t(lib, a, grad=False):
    t = lib.tensor(a)
    return t.requires_grad_(True) if grad else t


# (module factory, call(lib, module) -> loss; the first tensor argument is the one we compare the gradient of)
MODULE_CASES = {
    "BCELoss": (lambda nn: nn.BCELoss(), lambda lib, m, x: m(x, _t(lib, Y34)), X34),
    "BCELoss_weight": (
        lambda nn: nn.BCELoss(weight=_t(mt if nn is mt.nn else torch, np.array([0.5, 1.0, 2.0, 1.5]))),
        lambda lib, m, x: m(x, _t(lib, Y34)),
        X34,
    ),
    "BCEWithLogitsLoss": (
        lambda nn: nn.BCEWithLogitsLoss(reduction="sum", pos_weight=(mt if nn is mt.nn else torch).tensor([2.0] * 4)),
        lambda lib, m, x: m(x, _t(lib, Y34)),
        Z34,
    ),
    "SmoothL1Loss": (lambda nn: nn.SmoothL1Loss(beta=0.5), lambda lib, m, x: m(x, _t(lib, Z34 * 0.3)), X34),
    "HuberLoss": (lambda nn: nn.HuberLoss(delta=0.3, reduction="none"), lambda lib, m, x: m(x, _t(lib, Z34)), X34),
    "KLDivLoss": (
        lambda nn: nn.KLDivLoss(reduction="batchmean", log_target=True),
        lambda lib, m, x: m(x, _t(lib, np.log(Y34 + 0.1))),
        np.log(X34),
    ),
    "PoissonNLLLoss": (lambda nn: nn.PoissonNLLLoss(full=True), lambda lib, m, x: m(x, _t(lib, Y34 * 4)), Z34),
    "GaussianNLLLoss": (
        lambda nn: nn.GaussianNLLLoss(full=True, eps=1e-3),
        lambda lib, m, x: m(x, _t(lib, Y34), _t(lib, X34[:, :1])),
        Z34,
    ),
    "GaussianNLLLoss_float_var": (
        lambda nn: nn.GaussianNLLLoss(reduction="sum"),
        lambda lib, m, x: m(x, _t(lib, Y34), 0.7),
        Z34,
    ),
    "SoftMarginLoss": (lambda nn: nn.SoftMarginLoss(), lambda lib, m, x: m(x, _t(lib, np.sign(Z34))), Z34),
    "MultiLabelSoftMarginLoss": (lambda nn: nn.MultiLabelSoftMarginLoss(), lambda lib, m, x: m(x, _t(lib, Y34)), Z34),
    "MultiLabelMarginLoss": (
        lambda nn: nn.MultiLabelMarginLoss(reduction="sum"),
        lambda lib, m, x: m(x, _t(lib, LABELS34)),
        Z34,
    ),
    "MultiMarginLoss": (
        lambda nn: nn.MultiMarginLoss(p=2, margin=0.7),
        lambda lib, m, x: m(x, _t(lib, CLASSES3)),
        Z34,
    ),
    "MarginRankingLoss": (
        lambda nn: nn.MarginRankingLoss(margin=0.2),
        lambda lib, m, x: m(x, _t(lib, Z34[1]), _t(lib, np.array([1.0, -1.0, 1.0, -1.0]))),
        Z34[0],
    ),
    "HingeEmbeddingLoss": (
        lambda nn: nn.HingeEmbeddingLoss(margin=0.5),
        lambda lib, m, x: m(x, _t(lib, np.sign(Y34 - 0.5))),
        Z34,
    ),
    "CosineEmbeddingLoss": (
        lambda nn: nn.CosineEmbeddingLoss(margin=0.1),
        lambda lib, m, x: m(x, _t(lib, Y34), _t(lib, SIGNS3)),
        Z34,
    ),
    "TripletMarginLoss": (
        lambda nn: nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True),
        lambda lib, m, x: m(x, _t(lib, Y34), _t(lib, X34)),
        Z34,
    ),
    "TripletMarginWithDistanceLoss": (
        lambda nn: nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True),
        lambda lib, m, x: m(x, _t(lib, Y34), _t(lib, X34)),
        Z34,
    ),
    "CTCLoss": (
        lambda nn: nn.CTCLoss(blank=4, zero_infinity=True),
        lambda lib, m, x: m(x.log_softmax(2), _t(lib, np.array([[1, 2, 2], [3, 1, 0]])), (6, 5), (3, 2)),
        LOGITS,
    ),
    "CosineSimilarity": (lambda nn: nn.CosineSimilarity(dim=0, eps=1e-3), lambda lib, m, x: m(x, _t(lib, Y34)), Z34),
    # norms below eps: torch clamps them under no_grad, so the gradient keeps d||x||/dx (not the true 0)
    "CosineSimilarity_clamped": (
        lambda nn: nn.CosineSimilarity(dim=1, eps=0.5),
        lambda lib, m, x: m(x, _t(lib, Y34)),
        Z34 * 0.1,
    ),
    "PairwiseDistance": (
        lambda nn: nn.PairwiseDistance(p=3.0, keepdim=True),
        lambda lib, m, x: m(x, _t(lib, Y34)),
        Z34,
    ),
}


@pytest.mark.parametrize("name", list(MODULE_CASES))
def test_module_matches_torch(name):
    make, call, x = MODULE_CASES[name]
    results = []
    for lib in (mt, torch):
        module = make(lib.nn)
        inp = _t(lib, x, grad=True)
        out = call(lib, module, inp)
        upstream = np.random.default_rng(1).standard_normal(tuple(out.shape))
        out.backward(lib.tensor(upstream))
        results.append((repr(module), list(module.state_dict()), out.detach().numpy(), inp.grad.numpy()))
        results[-1] += (out.grad_fn.name(),)
    (r1, s1, o1, g1, n1), (r2, s2, o2, g2, n2) = results
    assert r1 == r2 and s1 == s2 and n1 == n2
    np.testing.assert_allclose(o1, o2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-12)


LEGACY = ["BCELoss", "SmoothL1Loss", "KLDivLoss", "SoftMarginLoss", "MultiMarginLoss", "TripletMarginLoss"]


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("legacy", [{"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}])
def test_legacy_size_average_and_reduce(name, legacy):
    reductions = []
    for lib in (mt, torch):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            module = getattr(lib.nn, name)(**legacy)
        reductions.append(module.reduction)
    assert reductions[0] == reductions[1]


ALL_REDUCING = [n for n in MODULE_CASES if not n.startswith(("CosineSimilarity", "PairwiseDistance", "BCELoss_"))]


@pytest.mark.parametrize("name", ALL_REDUCING)
def test_bad_reduction_errors_like_torch(name):
    make, call, x = MODULE_CASES[name]
    outcomes = []
    for lib in (mt, torch):
        module = make(lib.nn)
        module.reduction = "avg"
        with pytest.raises(Exception) as info:
            call(lib, module, _t(lib, x))
        outcomes.append((type(info.value), str(info.value)))
    assert outcomes[0] == outcomes[1]


def _error(lib, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            call(lib, lib.nn.functional)
    return type(info.value), str(info.value)


def _z(lib, *shape, dtype=None):
    return lib.zeros(*shape, dtype=dtype or lib.float32)


ERRORS = {
    "bce_target_size": lambda lib, fn: fn.binary_cross_entropy(_z(lib, 3, 4) + 0.5, _z(lib, 3, 1)),
    "bce_int_target": lambda lib, fn: fn.binary_cross_entropy(_z(lib, 3) + 0.5, lib.tensor([1, 0, 1])),
    "bce_input_range": lambda lib, fn: fn.binary_cross_entropy(_z(lib, 3) + 1.5, _z(lib, 3)),
    "bce_weight_grad": lambda lib, fn: fn.binary_cross_entropy_with_logits(
        _z(lib, 3), _z(lib, 3), weight=lib.ones(3, requires_grad=True)
    ),
    "bce_logits_size": lambda lib, fn: fn.binary_cross_entropy_with_logits(_z(lib, 3, 4), _z(lib, 4)),
    "kl_bad_reduction": lambda lib, fn: fn.kl_div(_z(lib, 3), _z(lib, 3), reduction="avg"),
    "poisson_bad_reduction": lambda lib, fn: fn.poisson_nll_loss(_z(lib, 3), _z(lib, 3), reduction="avg"),
    "gaussian_var_size": lambda lib, fn: fn.gaussian_nll_loss(_z(lib, 3, 4), _z(lib, 3, 4), lib.ones(2, 4)),
    "gaussian_var_negative": lambda lib, fn: fn.gaussian_nll_loss(_z(lib, 3), _z(lib, 3), -lib.ones(3)),
    "gaussian_float_var_negative": lambda lib, fn: fn.gaussian_nll_loss(_z(lib, 3), _z(lib, 3), -1.0),
    "gaussian_bad_reduction": lambda lib, fn: fn.gaussian_nll_loss(_z(lib, 3), _z(lib, 3), lib.ones(3), reduction="x"),
    "smooth_l1_beta": lambda lib, fn: fn.smooth_l1_loss(_z(lib, 3), _z(lib, 3), beta=-1.0),
    "smooth_l1_shapes": lambda lib, fn: fn.smooth_l1_loss(_z(lib, 3, 4), _z(lib, 3)),
    "huber_delta": lambda lib, fn: fn.huber_loss(_z(lib, 3), _z(lib, 3), delta=0.0),
    "huber_weight_size": lambda lib, fn: fn.huber_loss(_z(lib, 3), _z(lib, 3), weight=lib.ones(2)),
    "soft_margin_shapes": lambda lib, fn: fn.soft_margin_loss(_z(lib, 3, 4), _z(lib, 3)),
    "soft_margin_target_grad": lambda lib, fn: fn.soft_margin_loss(_z(lib, 3), lib.ones(3, requires_grad=True)),
    "multilabel_soft_shapes": lambda lib, fn: fn.multilabel_soft_margin_loss(_z(lib, 3, 4), _z(lib, 3)),
    "multi_margin_p": lambda lib, fn: fn.multi_margin_loss(_z(lib, 3, 4), lib.tensor([0, 1, 2]), p=3),
    "multi_margin_range": lambda lib, fn: fn.multi_margin_loss(_z(lib, 3, 4), lib.tensor([0, 1, 4])),
    "multi_margin_negative": lambda lib, fn: fn.multi_margin_loss(_z(lib, 3, 4), lib.tensor([0, -1, 2])),
    "multi_margin_size": lambda lib, fn: fn.multi_margin_loss(_z(lib, 3, 4), lib.tensor([0, 1])),
    "multi_margin_weight": lambda lib, fn: fn.multi_margin_loss(
        _z(lib, 3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(3)
    ),
    "multi_margin_weight_grad": lambda lib, fn: fn.multi_margin_loss(
        _z(lib, 3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(4, requires_grad=True)
    ),
    "bce_weight_requires_grad": lambda lib, fn: fn.binary_cross_entropy(
        _z(lib, 3) + 0.5, _z(lib, 3), weight=lib.ones(3, requires_grad=True)
    ),
    "multi_margin_int32_target": lambda lib, fn: fn.multi_margin_loss(_z(lib, 3, 4), lib.tensor([0, 1, 2]).int()),
    "multilabel_margin_int32": lambda lib, fn: fn.multilabel_margin_loss(_z(lib, 3, 4), lib.zeros(3, 4).int()),
    "cosine_embedding_2d_target": lambda lib, fn: fn.cosine_embedding_loss(
        _z(lib, 3, 4), _z(lib, 3, 4), lib.ones(3, 1)
    ),
    "cosine_embedding_0d_target": lambda lib, fn: fn.cosine_embedding_loss(_z(lib, 3, 4), _z(lib, 3, 4), lib.ones(())),
    "cosine_embedding_widths": lambda lib, fn: fn.cosine_embedding_loss(_z(lib, 3, 4), _z(lib, 3, 5), lib.ones(3)),
    "ranking_target_shape": lambda lib, fn: fn.margin_ranking_loss(_z(lib, 3), _z(lib, 3), _z(lib, 4)),
    "multilabel_margin_size": lambda lib, fn: fn.multilabel_margin_loss(_z(lib, 3, 4), lib.tensor([0, 1, 2])),
    "multilabel_margin_range": lambda lib, fn: fn.multilabel_margin_loss(_z(lib, 1, 4), lib.tensor([[0, 1, 2, 5]])),
    "ranking_dims": lambda lib, fn: fn.margin_ranking_loss(_z(lib, 3), _z(lib, 3, 1), _z(lib, 3)),
    "ranking_shapes": lambda lib, fn: fn.margin_ranking_loss(_z(lib, 3), _z(lib, 4), _z(lib, 3)),
    "hinge_shapes": lambda lib, fn: fn.hinge_embedding_loss(_z(lib, 3, 4), lib.ones(3)),
    "cosine_embedding_shapes": lambda lib, fn: fn.cosine_embedding_loss(_z(lib, 3, 4), _z(lib, 3, 4), lib.ones(4)),
    "cosine_embedding_dims": lambda lib, fn: fn.cosine_embedding_loss(_z(lib, 3, 4), _z(lib, 4), lib.ones(3)),
    "triplet_dims": lambda lib, fn: fn.triplet_margin_loss(_z(lib, 3, 4), _z(lib, 3, 4), _z(lib, 4)),
    "triplet_shapes": lambda lib, fn: fn.triplet_margin_loss(_z(lib, 3, 4), _z(lib, 3, 4), _z(lib, 3, 5)),
    "triplet_distance_margin": lambda lib, fn: fn.triplet_margin_with_distance_loss(
        _z(lib, 3, 4), _z(lib, 3, 4), _z(lib, 3, 4), margin=0.0
    ),
    "triplet_module_margin": lambda lib, fn: lib.nn.TripletMarginLoss(margin=-1.0),
    "multi_margin_module_p": lambda lib, fn: lib.nn.MultiMarginLoss(p=3),
    "cosine_similarity_dim": lambda lib, fn: fn.cosine_similarity(_z(lib, 3, 4), _z(lib, 3, 4), dim=2),
    "cosine_similarity_shapes": lambda lib, fn: fn.cosine_similarity(_z(lib, 3, 4), _z(lib, 3, 5)),
    "cosine_similarity_int": lambda lib, fn: fn.cosine_similarity(
        lib.ones(3, 4, dtype=lib.int64), lib.ones(3, 4, dtype=lib.int64)
    ),
    "pairwise_shapes": lambda lib, fn: fn.pairwise_distance(_z(lib, 3, 4), _z(lib, 2, 4)),
    "normalize_dim": lambda lib, fn: fn.normalize(_z(lib, 3, 4), dim=-3),
    "one_hot_dtype": lambda lib, fn: fn.one_hot(lib.tensor([1, 2], dtype=lib.int32)),
    "one_hot_float": lambda lib, fn: fn.one_hot(lib.tensor([1.0, 2.0])),
    "one_hot_negative": lambda lib, fn: fn.one_hot(lib.tensor([-1, 2])),
    "one_hot_too_big": lambda lib, fn: fn.one_hot(lib.tensor([1, 5]), 3),
    "one_hot_empty": lambda lib, fn: fn.one_hot(lib.tensor([], dtype=lib.int64)),
    "ctc_batch": lambda lib, fn: fn.ctc_loss(_z(lib, 5, 2, 4), lib.tensor([[1, 2, 3]]), (5, 4), (3, 2)),
    "ctc_input_length": lambda lib, fn: fn.ctc_loss(_z(lib, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]), (6, 4), (2, 2)),
    "ctc_target_length": lambda lib, fn: fn.ctc_loss(_z(lib, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]), (5, 4), (2, 3)),
    "ctc_lengths_size": lambda lib, fn: fn.ctc_loss(_z(lib, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]), (5, 4, 3), (2, 2)),
    "ctc_blank": lambda lib, fn: fn.ctc_loss(_z(lib, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]), (5, 4), (2, 2), blank=4),
    "ctc_reduction": lambda lib, fn: fn.ctc_loss(
        _z(lib, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]), (5, 4), (2, 2), reduction="avg"
    ),
    "ctc_concatenated": lambda lib, fn: fn.ctc_loss(_z(lib, 5, 2, 4), lib.tensor([1, 2, 3]), (5, 4), (2, 2)),
    "ctc_float_lengths": lambda lib, fn: fn.ctc_loss(
        _z(lib, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5.0, 4.0]), lib.tensor([2, 2])
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    assert _error(mt, ERRORS[name]) == _error(torch, ERRORS[name])


def _warning_texts(lib, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(lib, lib.nn.functional)
    return [str(w.message) for w in caught]


WARNINGS = {
    "kl_div_mean": lambda lib, fn: fn.kl_div(_z(lib, 3), _z(lib, 3) + 0.5),
    "kl_div_batchmean_is_quiet": lambda lib, fn: fn.kl_div(_z(lib, 3), _z(lib, 3) + 0.5, reduction="batchmean"),
    "smooth_l1_target_size": lambda lib, fn: fn.smooth_l1_loss(_z(lib, 3, 4), _z(lib, 4)),
    "huber_target_size": lambda lib, fn: fn.huber_loss(_z(lib, 3, 4), _z(lib, 1, 4)),
    "legacy_bce": lambda lib, fn: fn.binary_cross_entropy(_z(lib, 3) + 0.5, _z(lib, 3), size_average=False),
}


@pytest.mark.parametrize("name", list(WARNINGS))
def test_warnings_match_torch(name):
    assert _warning_texts(mt, WARNINGS[name]) == _warning_texts(torch, WARNINGS[name])


TARGET_DTYPES = {
    # integer targets where torch takes them (promoted with the float input)
    "margin_ranking_int_target": lambda lib, x: lib.nn.functional.margin_ranking_loss(
        x[0], x[1], lib.tensor([1, -1, 1, -1])
    ),
    "hinge_int_target": lambda lib, x: lib.nn.functional.hinge_embedding_loss(x, lib.tensor([[1, -1, 1, -1]] * 3)),
    "cosine_embedding_int_target": lambda lib, x: lib.nn.functional.cosine_embedding_loss(
        x, x.flip(0), lib.tensor([1, -1, 1])
    ),
    "soft_margin_int_target": lambda lib, x: lib.nn.functional.soft_margin_loss(x, lib.tensor([[1, -1, 1, -1]] * 3)),
    "poisson_int_target": lambda lib, x: lib.nn.functional.poisson_nll_loss(x, lib.tensor([[0, 1, 2, 5]] * 3)),
    "kl_div_float64_target": lambda lib, x: lib.nn.functional.kl_div(x, lib.tensor(Y34), reduction="sum"),
    "ctc_int32_targets": lambda lib, x: lib.nn.functional.ctc_loss(
        x.reshape(3, 1, 4).log_softmax(2),
        lib.tensor([[1, 2]], dtype=lib.int32),
        lib.tensor([3], dtype=lib.int32),
        lib.tensor([2], dtype=lib.int32),
    ),
    "pairwise_int_inputs": lambda lib, x: lib.nn.functional.pairwise_distance(
        lib.tensor([[1, 2, 3]]), lib.tensor([[0, 2, 5]])
    ),
}


@pytest.mark.parametrize("name", list(TARGET_DTYPES))
def test_target_dtypes_match_torch(name):
    outputs = []
    for lib in (mt, torch):
        x = lib.tensor(Z34.astype(np.float32), requires_grad=True)
        out = TARGET_DTYPES[name](lib, x)
        if out.requires_grad:
            out.sum().backward()
        outputs.append((str(out.dtype), out.detach().numpy(), None if x.grad is None else x.grad.numpy()))
    assert outputs[0][0] == outputs[1][0]
    np.testing.assert_allclose(outputs[0][1], outputs[1][1], rtol=1e-5, atol=1e-6)
    if outputs[1][2] is not None:
        np.testing.assert_allclose(outputs[0][2], outputs[1][2], rtol=1e-5, atol=1e-6)


TORCH_NAMESPACE = {
    # torch.X forms take at::Reduction's integers
    "kl_div": lambda lib, x, y: lib.kl_div(x, y, 2, log_target=False),
    "binary_cross_entropy_with_logits": lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y, None, None, 0),
    "poisson_nll_loss": lambda lib, x, y: lib.poisson_nll_loss(x, y, False, True, 1e-8, 1),
    "hinge_embedding_loss": lambda lib, x, y: lib.hinge_embedding_loss(x, (y > 0.5).double() * 2 - 1, 0.5, 2),
    "cosine_embedding_loss": lambda lib, x, y: lib.cosine_embedding_loss(x, y, lib.tensor(SIGNS3), 0.1, 0),
    "triplet_margin_loss": lambda lib, x, y: lib.triplet_margin_loss(x, y, y * 2, 1.0, 2.0, 1e-6, True, 1),
    "cosine_similarity": lambda lib, x, y: lib.cosine_similarity(x, y, 0, 1e-8),
    "pairwise_distance": lambda lib, x, y: lib.pairwise_distance(x, y, 1.0, 1e-6, True),
}


@pytest.mark.parametrize("name", list(TORCH_NAMESPACE))
def test_torch_namespace_forms(name):
    outputs = []
    for lib in (mt, torch):
        x = lib.tensor(X34, requires_grad=True)
        out = TORCH_NAMESPACE[name](lib, x, lib.tensor(Y34))
        out.sum().backward()
        outputs.append((out.detach().numpy(), x.grad.numpy(), out.grad_fn.name()))
    assert outputs[0][2] == outputs[1][2]
    np.testing.assert_allclose(outputs[0][0], outputs[1][0], rtol=1e-10)
    np.testing.assert_allclose(outputs[0][1], outputs[1][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3)])
@pytest.mark.parametrize("num_classes", [-1, 6])
def test_one_hot_matches_torch(shape, num_classes):
    values = np.random.default_rng(3).integers(0, 5, size=shape)
    if not values.size and num_classes == -1:
        return  # an error case, in ERRORS
    ours = mt.nn.functional.one_hot(mt.tensor(values), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(values), num_classes)
    assert ours.dtype == mt.int64 and tuple(ours.shape) == tuple(theirs.shape) and not ours.requires_grad
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_ctc_infinite_loss_gives_nan_gradient_unless_zero_infinity():
    results = []
    for lib in (mt, torch):
        per_mode = []
        for zero_infinity in (False, True):
            x = lib.tensor(LOGITS, requires_grad=True)
            loss = lib.nn.functional.ctc_loss(
                x.log_softmax(2),
                lib.tensor([[1, 2, 2], [3, 1, 0]]),
                (2, 5),
                (3, 2),
                reduction="sum",
                zero_infinity=zero_infinity,
            )
            loss.backward()
            per_mode.append((loss.item(), x.grad.numpy()))
        results.append(per_mode)
    for (loss_mt, grad_mt), (loss_torch, grad_torch) in zip(*results):
        assert (math.isinf(loss_mt) and math.isinf(loss_torch)) or math.isclose(loss_mt, loss_torch, rel_tol=1e-10)
        np.testing.assert_allclose(grad_mt, grad_torch, rtol=1e-10, atol=1e-12)  # nan where torch has nan


def test_ctc_gradient_on_log_probs_is_torchs_logit_form():
    """Directly on log_probs, torch's (and our) gradient is exp(lp) - gamma, not the true -gamma."""
    lp_values = torch.tensor(LOGITS).log_softmax(2).numpy()
    grads = []
    for lib in (mt, torch):
        lp = lib.tensor(lp_values, requires_grad=True)
        lib.nn.functional.ctc_loss(lp, lib.tensor([[1, 2], [3, 3]]), (6, 4), (2, 2), reduction="sum").backward()
        grads.append(lp.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)
    assert np.allclose(grads[0][:, 0].sum(-1), 0)  # exp(lp) and gamma each sum to 1 per step


def test_gaussian_nll_clamped_variance_gradient_passes_through_like_torch():
    """torch clamps var at eps in place under no_grad: the gradient is d/dv at the clamped v, not 0."""
    var_values = np.array([[0.0], [0.5], [1e-9]])
    grads = []
    for lib in (mt, torch):
        var = lib.tensor(var_values, requires_grad=True)
        lib.nn.functional.gaussian_nll_loss(lib.tensor(Z34), lib.tensor(Y34), var, eps=0.1).backward()
        grads.append(var.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


EMPTY = {
    "binary_cross_entropy": lambda lib, x, r: lib.nn.functional.binary_cross_entropy(x.sigmoid(), x * 0, reduction=r),
    "binary_cross_entropy_with_logits": lambda lib, x, r: lib.nn.functional.binary_cross_entropy_with_logits(
        x, x * 0, reduction=r
    ),
    "kl_div": lambda lib, x, r: lib.nn.functional.kl_div(x, x.exp(), reduction=r),
    "poisson_nll_loss": lambda lib, x, r: lib.nn.functional.poisson_nll_loss(x, x * 0, reduction=r),
    "gaussian_nll_loss": lambda lib, x, r: lib.nn.functional.gaussian_nll_loss(x, x * 0, x.exp(), reduction=r),
    "smooth_l1_loss": lambda lib, x, r: lib.nn.functional.smooth_l1_loss(x, x * 0, reduction=r),
    "huber_loss": lambda lib, x, r: lib.nn.functional.huber_loss(x, x * 0, reduction=r),
    "soft_margin_loss": lambda lib, x, r: lib.nn.functional.soft_margin_loss(x, x.detach() * 0, reduction=r),
    "hinge_embedding_loss": lambda lib, x, r: lib.nn.functional.hinge_embedding_loss(x, x * 0 + 1, reduction=r),
    "margin_ranking_loss": lambda lib, x, r: lib.nn.functional.margin_ranking_loss(x, x * 2, x * 0 + 1, reduction=r),
}


@pytest.mark.parametrize("name", list(EMPTY))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(0,), (2, 0)])
def test_empty_inputs_match_torch(name, reduction, shape):
    outputs = []
    for lib in (mt, torch):
        x = lib.zeros(*shape, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = EMPTY[name](lib, x, reduction)
        out.sum().backward()
        outputs.append((tuple(out.shape), out.detach().numpy(), x.grad.numpy()))
    assert outputs[0][0] == outputs[1][0]
    np.testing.assert_array_equal(outputs[0][1], outputs[1][1])  # nan (an empty mean) where torch has nan
    np.testing.assert_array_equal(outputs[0][2], outputs[1][2])
