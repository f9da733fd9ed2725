"""torch.linalg's decompositions and solvers against torch: errors, dtypes, named results, the torch.X
and Tensor.X forms, empty inputs, singular inputs and the non-differentiable outputs."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import raised


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _dtype(t: Any) -> str:
    return str(t.dtype).split(".")[-1]


def _both(make: Any) -> tuple:
    """make(lib) in minitorch_nn and in torch."""
    return make(mt), make(torch)


def _same(ours: Any, theirs: Any, rtol: float = 1e-10, atol: float = 1e-10) -> None:
    assert tuple(ours.shape) == tuple(theirs.shape) and _dtype(ours) == _dtype(theirs)
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=rtol, atol=atol)


def test_errors_match_torch():
    def run(lib: Any) -> list:
        ns, ints, one = lib.ones(2, 3), lib.ones(3, 3, dtype=lib.int64), lib.ones(3)
        singular = lib.tensor([[1.0, 2.0], [2.0, 4.0]])
        batch_singular = lib.stack([lib.eye(2), singular])
        calls = [
            lambda: lib.linalg.det(ns),
            lambda: lib.linalg.det(one),
            lambda: lib.linalg.det(ints),
            lambda: lib.det(ns),
            lambda: lib.linalg.slogdet(ns),
            lambda: lib.logdet(ints),
            lambda: lib.linalg.inv(ns),
            lambda: lib.linalg.inv(ints),
            lambda: lib.linalg.inv(singular),
            lambda: lib.linalg.inv(batch_singular),
            lambda: lib.inverse(singular),
            lambda: lib.linalg.inv_ex(singular, check_errors=True),
            lambda: lib.linalg.solve(ns, lib.ones(2)),
            lambda: lib.linalg.solve(singular, lib.ones(2)),
            lambda: lib.linalg.solve(lib.eye(3), lib.ones(2, 2)),
            lambda: lib.linalg.solve(lib.eye(3), lib.ones(2)),
            lambda: lib.linalg.solve(lib.eye(3), lib.ones(2, 2), left=False),
            lambda: lib.linalg.solve(lib.eye(3), lib.ones(3), left=False),
            lambda: lib.linalg.solve(lib.ones(2, 3, 3), lib.ones(2, 3), left=False),
            lambda: lib.linalg.solve(lib.eye(3), lib.ones(())),
            lambda: lib.linalg.solve(ints, ints),
            lambda: lib.linalg.solve(lib.eye(3), lib.ones(3, dtype=lib.float64)),
            lambda: lib.linalg.cholesky(singular),
            lambda: lib.linalg.cholesky(-lib.eye(3)),
            lambda: lib.linalg.cholesky(lib.stack([lib.eye(3), -lib.eye(3)])),
            lambda: lib.linalg.cholesky(ns),
            lambda: lib.linalg.cholesky(ints),
            lambda: lib.linalg.qr(ns, mode="x"),
            lambda: lib.linalg.qr(ints),
            lambda: lib.linalg.qr(one),
            lambda: lib.linalg.svd(ints),
            lambda: lib.linalg.svd(one),
            lambda: lib.linalg.eigh(ns),
            lambda: lib.linalg.eigh(lib.eye(2), UPLO="X"),
            lambda: lib.linalg.eigvalsh(lib.eye(2), UPLO="l"),
            lambda: lib.linalg.eigvalsh(lib.eye(2), UPLO="u"),
            lambda: lib.linalg.eigvalsh(lib.eye(2), UPLO="LU"),
            lambda: lib.linalg.eigh(ints),
            lambda: lib.linalg.matrix_power(ns, 2),
            lambda: lib.linalg.matrix_power(ints, -1),
            lambda: lib.linalg.matrix_exp(ns),
            lambda: lib.linalg.matrix_exp(ints),
            lambda: lib.linalg.pinv(ints),
            lambda: lib.linalg.lstsq(ints, ints),
            lambda: lib.linalg.lstsq(ns, lib.ones(3, 1)),
            lambda: lib.linalg.lstsq(ns, lib.ones(2, 1), driver="x"),
            lambda: lib.linalg.matrix_rank(ints),
            lambda: lib.linalg.solve_triangular(ints, ints, upper=True),
            lambda: lib.linalg.solve_triangular(ns, ns, upper=True),
            lambda: lib.linalg.solve_triangular(lib.eye(3), lib.ones(2, 2), upper=True),
            lambda: lib.linalg.lu_factor(ints),
            lambda: lib.linalg.lu_factor(one),
            lambda: lib.linalg.lu_factor(lib.eye(2), pivot=False),
            lambda: lib.linalg.lu(ints),
            lambda: lib.linalg.lu(lib.eye(2), pivot=False),
            lambda: lib.linalg.lu_factor(lib.zeros(2, 2)),
            lambda: lib.linalg.lu_factor(lib.stack([lib.eye(2), lib.zeros(2, 2)])),
            lambda: lib.linalg.lu_factor_ex(lib.zeros(2, 2), check_errors=True),
            lambda: lib.linalg.lu_solve(lib.eye(3), lib.ones(3, dtype=lib.int32), lib.ones(2, 2)),
            lambda: lib.linalg.lu_solve(lib.eye(3), lib.ones(3, dtype=lib.int32), lib.ones(3, 2), left=False),
            lambda: lib.linalg.lu_solve(lib.ones(2, 3), lib.ones(2, dtype=lib.int32), lib.ones(2, 2)),
        ]
        return [raised(c) for c in calls]

    ours, theirs = run(mt), run(torch)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        assert o == t, i


def test_linalg_error_is_a_runtime_error():
    assert issubclass(mt.linalg.LinAlgError, RuntimeError)
    with pytest.raises(mt.linalg.LinAlgError):
        mt.linalg.inv(mt.zeros(2, 2))


def test_named_results_match_torch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3)) + 4 * np.eye(3)
    spd = a @ a.T
    tall = rng.standard_normal((4, 2))

    def results(lib: Any) -> list:
        x, s, t = lib.tensor(a), lib.tensor(spd), lib.tensor(tall)
        return [
            lib.linalg.slogdet(x),
            lib.slogdet(x),
            lib.linalg.inv_ex(x),
            lib.linalg.cholesky_ex(s),
            lib.linalg.qr(t),
            lib.qr(t),
            lib.linalg.svd(t),
            lib.svd(t),
            lib.linalg.eigh(s),
            lib.linalg.lstsq(t, lib.tensor(rng.standard_normal((4, 1)))),
            lib.triangular_solve(t[:3], x),
            lib.linalg.lu_factor(t),
            lib.linalg.lu_factor_ex(x),
            lib.linalg.lu(t),
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ours, theirs in zip(results(mt), results(torch)):
            assert type(ours).__name__ == type(theirs).__name__
            assert ours.fields == type(theirs)._fields if hasattr(type(theirs), "_fields") else True
            assert repr(ours).split("(")[0] == repr(theirs).split("(")[0]
            assert len(ours) == len(theirs)
    q, r = mt.linalg.qr(mt.tensor(tall))
    assert mt.linalg.qr(mt.tensor(tall)).Q.shape == q.shape and r.shape == (2, 2)
    assert mt.linalg.svd(mt.tensor(tall)).Vh.shape == (2, 2)
    assert mt.linalg.eigh(mt.tensor(spd)).eigenvectors.shape == (3, 3)


def test_torch_and_tensor_forms_and_grad_fn_names():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 3)) + 4 * np.eye(3)
    b = rng.standard_normal((2, 3, 2))
    names = {}

    def forms(lib: Any) -> list:
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        spd = x @ x.transpose(-2, -1)
        lower = lib.linalg.cholesky(spd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [
                lib.det(x),
                x.det(),
                lib.logdet(x),
                x.logdet(),
                x.slogdet()[1],
                lib.inverse(x),
                x.inverse(),
                lib.cholesky(spd),
                spd.cholesky(upper=True),
                lib.qr(y)[0],
                y.qr(some=False)[1],
                lib.svd(y)[1],
                y.svd(some=False)[0],
                lib.matrix_power(x, 2),
                x.matrix_power(3),
                lib.matrix_exp(x * 0.1),
                x.matrix_exp(),
                lib.pinverse(y),
                y.pinverse(),
                lib.cholesky_solve(y, lower),
                y.cholesky_solve(lower.transpose(-2, -1), upper=True),
                lib.triangular_solve(y, x)[0],
                y.triangular_solve(x, upper=False, transpose=True, unitriangular=True)[0],
                lib.linalg.matrix_power(x, 0),
                lib.linalg.matrix_power(x, 1),
                lib.linalg.matrix_power(x, -2),
            ]

    ours, theirs = forms(mt), forms(torch)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        names[i] = t.grad_fn.name()
        assert o.grad_fn.name() == t.grad_fn.name(), i
        _same(o, t, rtol=1e-9, atol=1e-9)


def test_torch_forms_gradients_match_torch():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((2, 3, 3)) + 4 * np.eye(3)
    b = rng.standard_normal((2, 3, 2))

    def grads(lib: Any) -> list:
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for form in (
                lambda x, y: lib.triangular_solve(y, x, upper=False, transpose=True)[0],
                lambda x, y: lib.triangular_solve(y, x, unitriangular=True)[0],
                lambda x, y: lib.cholesky(x @ x.transpose(-2, -1), upper=True),
                lambda x, y: lib.svd(y, some=False)[1],
                lambda x, y: lib.linalg.matrix_power(x, -3),
            ):
                x = lib.tensor(a, requires_grad=True)
                y = lib.tensor(b, requires_grad=True)
                result = form(x, y)
                upstream = np.random.default_rng(3).standard_normal(tuple(result.shape))
                result.backward(lib.tensor(upstream))
                out.append([x.grad, y.grad])
        return out

    for ours, theirs in zip(grads(mt), grads(torch)):
        for o, t in zip(ours, theirs):
            assert (o is None) == (t is None)
            if o is not None:
                _same(o, t, rtol=1e-9, atol=1e-9)


_WARNINGS_SCRIPT = """
import json, sys, warnings
lib = __import__(sys.argv[1])
a = lib.eye(3)
texts = []
for call in (lambda: lib.cholesky(a), lambda: lib.qr(a), lambda: lib.triangular_solve(a, a)):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        call()
    # torch's C++ warning ends with where it was raised: " (Triggered internally at ...)"
    texts.append([(x.category.__name__, str(x.message).split(" (Triggered internally")[0]) for x in w])
print(json.dumps(texts))
"""


def test_deprecation_warnings_match_torch():
    """torch warns once per process: each library runs in a fresh one."""

    def caught(name: str) -> list:
        done = subprocess.run(
            [sys.executable, "-c", _WARNINGS_SCRIPT, name], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert caught("minitorch_nn") == caught("torch")


def test_float32_and_float64_results_keep_the_dtype():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 3)) + 4 * np.eye(3)
    for dtype in (np.float32, np.float64):
        for call in (
            lambda lib, x: lib.linalg.det(x),
            lambda lib, x: lib.linalg.inv(x),
            lambda lib, x: lib.linalg.slogdet(x).sign,
            lambda lib, x: lib.linalg.eigvalsh(x @ x.T),
            lambda lib, x: lib.linalg.svd(x).S,
            lambda lib, x: lib.linalg.qr(x).R,
            lambda lib, x: lib.linalg.pinv(x),
            lambda lib, x: lib.linalg.matrix_exp(x * 0.1),
            lambda lib, x: lib.linalg.inv_ex(x).info,
            lambda lib, x: lib.linalg.cholesky_ex(x @ x.T).info,
            lambda lib, x: lib.linalg.matrix_rank(x),
            lambda lib, x: lib.linalg.lstsq(x, x).rank,
        ):
            ours = call(mt, mt.tensor(a.astype(dtype)))
            theirs = call(torch, torch.tensor(a.astype(dtype)))
            _same(ours, theirs, rtol=1e-5, atol=1e-5)


def test_integer_matrix_power_stays_integer():
    ints = [[1, 2], [3, 4]]
    _same(mt.linalg.matrix_power(mt.tensor(ints), 3), torch.linalg.matrix_power(torch.tensor(ints), 3))
    _same(mt.linalg.matrix_power(mt.tensor(ints), 0), torch.linalg.matrix_power(torch.tensor(ints), 0))


def test_empty_matrices_match_torch():
    for call in (
        lambda lib: lib.linalg.det(lib.ones(0, 0)),
        lambda lib: lib.linalg.det(lib.ones(2, 0, 0)),
        lambda lib: lib.linalg.inv(lib.ones(0, 0)),
        lambda lib: lib.linalg.slogdet(lib.ones(0, 0)).logabsdet,
        lambda lib: lib.linalg.eigh(lib.ones(0, 0)).eigenvalues,
        lambda lib: lib.linalg.svd(lib.ones(0, 3)).U,
        lambda lib: lib.linalg.svd(lib.ones(0, 3)).Vh,
        lambda lib: lib.linalg.qr(lib.ones(0, 3)).R,
        lambda lib: lib.linalg.solve(lib.ones(0, 0), lib.ones(0, 2)),
        lambda lib: lib.linalg.inv(lib.ones(0, 2, 2)),
    ):
        _same(*_both(call))


def test_singular_inputs_as_torch_returns_them():
    singular = [[1.0, 2.0], [2.0, 4.0]]
    for call in (
        lambda lib: lib.linalg.det(lib.tensor(singular)),
        lambda lib: lib.linalg.slogdet(lib.tensor(singular)).sign,
        lambda lib: lib.linalg.slogdet(lib.tensor(singular)).logabsdet,
        lambda lib: lib.logdet(lib.tensor(singular)),
        lambda lib: lib.logdet(lib.tensor([[0.0, 1.0], [1.0, 0.0]])),  # det < 0: nan
        lambda lib: lib.linalg.inv_ex(lib.tensor(singular)).info,
        lambda lib: lib.linalg.inv_ex(lib.stack([lib.eye(2), lib.tensor(singular)])).info,
        lambda lib: lib.linalg.cholesky_ex(lib.stack([lib.eye(3), -lib.eye(3)])).info,
        lambda lib: lib.linalg.matrix_rank(lib.tensor(singular)),
        lambda lib: lib.linalg.pinv(lib.tensor(singular)),
        lambda lib: lib.linalg.pinv(lib.tensor(singular), hermitian=True),
        lambda lib: lib.linalg.solve_triangular(lib.zeros(2, 2), lib.ones(2, 2), upper=True),
        lambda lib: lib.linalg.lu_factor_ex(lib.tensor(singular)).LU,
        lambda lib: lib.linalg.lu_factor_ex(lib.stack([lib.eye(2), lib.tensor(singular), lib.zeros(2, 2)])).info,
        lambda lib: lib.linalg.lu_factor_ex(lib.zeros(3, 3)).pivots,
        lambda lib: lib.linalg.lu(lib.tensor(singular)).U,
    ):
        _same(*_both(call), rtol=1e-6, atol=1e-7)


def test_matrix_rank_and_pinv_tolerances_match_torch():
    rng = np.random.default_rng(5)
    u, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a = (u * np.array([3.0, 1.0, 0.1, 1e-20])) @ u.T
    for kwargs in ({}, {"atol": 0.5}, {"rtol": 0.01}, {"atol": 0.05, "rtol": 0.5}, {"hermitian": True}, {"atol": 2.0}):
        _same(*_both(lambda lib, kw=kwargs: lib.linalg.matrix_rank(lib.tensor(a), **kw)))
        _same(*_both(lambda lib, kw=kwargs: lib.linalg.pinv(lib.tensor(a), **kw)), rtol=1e-8, atol=1e-8)
    _same(*_both(lambda lib: lib.linalg.matrix_rank(lib.tensor(a), tol=0.05)))
    _same(*_both(lambda lib: lib.pinverse(lib.tensor(a), rcond=0.01)), rtol=1e-8, atol=1e-8)
    assert not mt.linalg.matrix_rank(mt.tensor(a, requires_grad=True)).requires_grad


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape", [((4, 2), (4, 3)), ((2, 3, 2), (2, 3, 1)), ((3, 2), (3,)), ((2, 4), (2, 1))])
def test_lstsq_outputs_as_torch_returns_them_on_cpu(driver, shape):
    a_shape, b_shape = shape
    if driver == "gels" and a_shape[-2] < a_shape[-1]:
        return  # gels needs full column rank... of a wide A, torch solves the minimum-norm problem by QR of A^T
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    ours = mt.linalg.lstsq(mt.tensor(a), mt.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for o, t in zip(ours, theirs):
        _same(o, t, rtol=1e-9, atol=1e-9)
    assert ours.singular_values.grad_fn is None and not ours.rank.requires_grad


def test_non_differentiable_outputs():
    a = mt.tensor(np.eye(3) * 2.0, requires_grad=True)
    assert not mt.linalg.inv_ex(a).info.requires_grad
    assert not mt.linalg.cholesky_ex(a).info.requires_grad
    assert mt.linalg.inv_ex(a).info.dtype == mt.int32
    sign, logabsdet = mt.linalg.slogdet(a)
    (sign * 3 + logabsdet).backward()
    np.testing.assert_allclose(a.grad.numpy(), np.eye(3) * 0.5)  # the sign adds nothing


def test_qr_backward_errors_match_torch():
    def run(lib: Any) -> list:
        a = lib.tensor(np.random.default_rng(7).standard_normal((3, 2)), requires_grad=True)
        return [
            raised(lambda: lib.linalg.qr(a, mode="r")[1].sum().backward()),
            raised(lambda: lib.linalg.qr(a, mode="complete")[0].sum().backward()),
        ]

    assert run(mt) == run(torch)
    q, r = mt.linalg.qr(mt.ones(3, 2), mode="r")
    assert q.shape == (0,) and r.shape == (2, 2)


def test_svd_with_repeated_singular_values_as_torch():
    """Repeated singular values: the gradient of S alone is defined (U diag(gS) Vh), that of U is not
    (its formula divides by s_i^2 - s_j^2 = 0): torch's inf / nan, ours the same."""
    a = np.diag([2.0, 2.0, 1.0])

    def grads(lib: Any) -> list:
        x = lib.tensor(a, requires_grad=True)
        lib.linalg.svd(x).S.sum().backward()
        y = lib.tensor(a, requires_grad=True)
        lib.linalg.svd(y).U.sum().backward()
        return [x.grad, y.grad]

    (ours_s, ours_u), (theirs_s, theirs_u) = grads(mt), grads(torch)
    _same(ours_s, theirs_s)
    assert not np.all(np.isfinite(ours_u.numpy())) and not np.all(np.isfinite(theirs_u.numpy()))


def test_torch_svd_compute_uv_false():
    rng = np.random.default_rng(8)
    a = rng.standard_normal((2, 4, 3))
    ours = mt.svd(mt.tensor(a, requires_grad=True), compute_uv=False)
    theirs = torch.svd(torch.tensor(a, requires_grad=True), compute_uv=False)
    for o, t in zip(ours, theirs):
        _same(o, t)
    assert not ours.U.requires_grad and ours.S.grad_fn.name() == theirs.S.grad_fn.name()
    assert mt.svd(mt.tensor(a)).V.shape == (2, 3, 3) and mt.svd(mt.tensor(a), some=False).U.shape == (2, 4, 4)


def test_eigh_and_cholesky_read_one_triangle():
    rng = np.random.default_rng(9)
    base = rng.standard_normal((3, 3))
    spd = base @ base.T + 3 * np.eye(3)
    junk = spd + np.triu(rng.standard_normal((3, 3)), 1)  # the upper triangle is never read with 'L'
    for call in (
        lambda lib: lib.linalg.eigvalsh(lib.tensor(junk)),
        lambda lib: lib.linalg.eigvalsh(lib.tensor(junk.T), UPLO="U"),
        lambda lib: lib.linalg.cholesky(lib.tensor(junk)),
        lambda lib: lib.linalg.cholesky(lib.tensor(junk), upper=True),
    ):
        _same(*_both(call))


def test_solve_vector_and_broadcast_shapes_match_torch():
    rng = np.random.default_rng(10)
    a = rng.standard_normal((2, 3, 3)) + 4 * np.eye(3)
    for b_shape, left in (((3,), True), ((2, 3), True), ((3, 2), True), ((1, 3, 2), True), ((4, 3), False)):
        b = rng.standard_normal(b_shape)
        _same(*_both(lambda lib, b=b, left=left: lib.linalg.solve(lib.tensor(a), lib.tensor(b), left=left)))


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_gradient_on_a_symmetric_input_as_torch(uplo):
    """Called on A itself (not on a symmetrized copy): the gradient torch returns, not only its symmetric part."""
    rng = np.random.default_rng(11)
    u, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a = (u * np.array([-1.0, 0.5, 1.3, 2.4])) @ u.T
    upstream_w, upstream_v = rng.standard_normal(4), rng.standard_normal((4, 4))

    def grad(lib: Any) -> Any:
        x = lib.tensor(a, requires_grad=True)
        w, v = lib.linalg.eigh(x, UPLO=uplo)
        v = v * lib.sign(v[:1, :])
        lib.autograd.backward([w, v], [lib.tensor(upstream_w), lib.tensor(upstream_v)])
        return x.grad

    _same(*_both(grad), rtol=1e-9, atol=1e-9)


def test_cross_errors_dtypes_and_default_dim_match_torch():
    def run(lib: Any) -> list:
        calls = [
            lambda: lib.linalg.cross(lib.ones(2, 2), lib.ones(2, 2)),
            lambda: lib.linalg.cross(lib.ones(3, 3), lib.ones(3, 3), dim=3),
            lambda: lib.linalg.cross(lib.ones(3, 3), lib.ones(3)),
            lambda: lib.linalg.cross(lib.ones(3, 3), lib.ones(2, 3)),
            lambda: lib.linalg.cross(lib.ones(3, 2), lib.ones(3, 2), dim=1),
            lambda: lib.cross(lib.ones(2, 2), lib.ones(2, 2)),
            lambda: lib.linalg.cross(lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3)),
            lambda: lib.linalg.cross(lib.ones(2, 3), lib.ones(2, 3, dtype=lib.float64)),
        ]
        return [raised(c) for c in calls]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(mt) == run(torch)
        ints = [[1, 2, 3], [4, 5, 6]]
        for call in (
            lambda lib: lib.linalg.cross(lib.tensor(ints), lib.tensor([[1, 0, 2]])),
            lambda lib: lib.cross(lib.ones(2, 3, 4), lib.arange(24.0).reshape(2, 3, 4)),
            lambda lib: lib.tensor(ints).cross(lib.tensor(ints[::-1]), dim=1),
        ):
            _same(*_both(call))


def test_cond_orders_errors_and_singular_matrices_match_torch():
    rng = np.random.default_rng(12)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    singular = [[1.0, 2.0], [2.0, 4.0]]
    for p in (None, 2, -2, 1, -1, float("inf"), -float("inf"), "fro", "nuc"):
        _same(*_both(lambda lib, p=p: lib.linalg.cond(lib.tensor(a), p)), rtol=1e-9, atol=1e-9)
        _same(*_both(lambda lib, p=p: lib.linalg.cond(lib.zeros(2, 2, dtype=lib.float64), p)))
        _same(*_both(lambda lib, p=p: lib.linalg.cond(lib.ones(2, 0, 0), p)))
        if p not in (None, 2, -2, "nuc"):  # the others read the (infinite) inverse of a singular matrix
            _same(*_both(lambda lib, p=p: lib.linalg.cond(lib.tensor(singular), p)))

    def run(lib: Any) -> list:
        calls = [
            lambda: lib.linalg.cond(lib.ones(2, 3), 1),
            lambda: lib.linalg.cond(lib.ones(3), 1),
            lambda: lib.linalg.cond(lib.ones(3)),
            lambda: lib.linalg.cond(lib.ones(3, 3), 3),
            lambda: lib.linalg.cond(lib.ones(3, 3), "abc"),
            lambda: lib.linalg.cond(lib.ones(3, 3, dtype=lib.int64)),
        ]
        return [raised(c) for c in calls]

    assert run(mt) == run(torch)
