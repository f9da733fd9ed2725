"""Special functions against torch over wide ranges (large, tiny, negative arguments, poles, inf and
NaN), against mpmath where torch itself is inexact (its trigamma), and their dtypes and errors."""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
import torch

import minitorch_nn as mt

_RNG = np.random.default_rng(0)
_WIDE = np.concatenate(
    [
        _RNG.uniform(-20, 20, 400),
        10 ** _RNG.uniform(-300, 300, 100),
        -(10 ** _RNG.uniform(-5, 5, 100)),
        _RNG.uniform(20, 40, 50),
        [0.0, -0.0, -1.0, -2.0, 1.0, 2.0, 0.5, -0.5, np.inf, -np.inf, np.nan, 1e-320],
    ]
)


def _ulps(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    # below 1e-290 a value may underflow in torch where ours keeps it (i0e, zeta tails): absolute there
    return np.where(same, 0, np.abs(ours - theirs) / np.maximum(np.spacing(np.abs(theirs)), 1e-290))


@pytest.mark.parametrize(
    "name, call, max_ulps",
    [
        ("lgamma", lambda lib, x: lib.lgamma(x), 4),
        ("i0", lambda lib, x: lib.special.i0(x), 32),
        ("i0e", lambda lib, x: lib.special.i0e(x), 32),
        ("i1", lambda lib, x: lib.special.i1(x), 32),
        ("i1e", lambda lib, x: lib.special.i1e(x), 32),
        ("erfcx", lambda lib, x: lib.special.erfcx(x), 1024),  # e^(x^2) near x = -26 amplifies torch's error
        ("log_ndtr", lambda lib, x: lib.special.log_ndtr(x), 64),
    ],
)
def test_wide_range_matches_torch(name: str, call: Any, max_ulps: float) -> None:
    with np.errstate(all="ignore"):
        ours = call(mt, mt.tensor(_WIDE)).numpy()
    theirs = call(torch, torch.tensor(_WIDE)).numpy()
    assert np.array_equal(np.isfinite(ours), np.isfinite(theirs))
    assert _ulps(ours, theirs).max() <= max_ulps, name


def test_digamma_and_trigamma_against_mpmath() -> None:
    mpmath.mp.dps = 30
    points = [-4.652897829524662, -0.3, 1e-5, 1.4283104906970445, 7.7, 123.4, 1e8]
    x = mt.tensor(points, dtype=mt.float64)
    digamma, trigamma = mt.digamma(x).numpy(), mt.polygamma(1, x).numpy()
    for i, p in enumerate(points):
        assert digamma[i] == pytest.approx(float(mpmath.digamma(p)), rel=1e-13, abs=1e-15)
        assert trigamma[i] == pytest.approx(float(mpmath.polygamma(1, p)), rel=1e-14)
    for n in (2, 3, 5):
        assert mt.polygamma(n, mt.tensor([0.3, 2.5, 40.0], dtype=mt.float64)).numpy() == pytest.approx(
            [float(mpmath.polygamma(n, p)) for p in (0.3, 2.5, 40.0)], rel=1e-13
        )


def test_poles_and_edges_match_torch() -> None:
    edges = [0.0, -0.0, -1.0, -3.0, np.inf, -np.inf, np.nan, 1e-300, -2.5]
    for call in (
        lambda lib, x: lib.lgamma(x),
        lambda lib, x: lib.digamma(x),
        lambda lib, x: lib.polygamma(2, x),
        lambda lib, x: lib.special.entr(x),
        lambda lib, x: lib.special.ndtri(x),
        lambda lib, x: lib.special.zeta(3.0, x),
    ):
        ours = call(mt, mt.tensor(edges, dtype=mt.float64)).numpy()
        theirs = call(torch, torch.tensor(edges, dtype=torch.float64)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_ndtri_tails() -> None:
    p = np.concatenate([10 ** _RNG.uniform(-300, -1, 200), 1 - 10 ** _RNG.uniform(-16, -1, 100), [0.0, 1.0, 0.5]])
    ours = mt.special.ndtri(mt.tensor(p)).numpy()
    theirs = torch.special.ndtri(torch.tensor(p)).numpy()
    assert _ulps(ours, theirs).max() <= 8


def test_zeta_matches_torch() -> None:
    s = _RNG.uniform(1.01, 8, 300)
    q = np.concatenate([_RNG.uniform(0.01, 30, 200), -_RNG.uniform(0.1, 5, 100)])
    s[200:] = np.round(s[200:])  # negative q: only integer s is real
    ours = mt.special.zeta(mt.tensor(s), mt.tensor(q)).numpy()
    theirs = torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


CASES = {
    "lgamma_int": lambda lib: lib.lgamma(lib.tensor([1, 2, 5])),
    "digamma_bool": lambda lib: lib.digamma(lib.tensor([True, False])),
    "i0_int_method": lambda lib: lib.tensor([0, 1, 2]).i0(),
    "mvlgamma_int": lambda lib: lib.mvlgamma(lib.tensor([3, 4]), 2),
    "mvlgamma_p0": lambda lib: lib.mvlgamma(lib.tensor([3.0]), 0),
    "polygamma_negative": lambda lib: lib.polygamma(-1, lib.tensor([1.0])),
    "polygamma_inplace_int": lambda lib: lib.tensor([1, 2]).polygamma_(1),
    "lgamma_inplace_int": lambda lib: lib.tensor([1, 2]).lgamma_(),
    "xlog1py_zero": lambda lib: lib.special.xlog1py(lib.tensor([0.0, 0.0, 2.0]), lib.tensor([-1.0, np.nan, 1.0])),
    "xlog1py_scalar": lambda lib: lib.special.xlog1py(2, lib.tensor([1.0])),
    "xlog1py_ints": lambda lib: lib.special.xlog1py(lib.tensor([2]), lib.tensor([1])),
    "zeta_ints": lambda lib: lib.special.zeta(lib.tensor([2]), lib.tensor([1])),
    "empty": lambda lib: lib.special.i1e(lib.ones(0, 3)),
    "float32": lambda lib: lib.special.erfcx(lib.tensor([0.5, 3.0])).dtype,
}


def _plain(fn: Any, lib: Any) -> Any:
    try:
        out = fn(lib)
    except Exception as e:  # noqa: BLE001  (the error itself is compared)
        return (type(e).__name__, str(e))
    if isinstance(out, (torch.Tensor, mt.Tensor)):
        return (str(out.dtype), tuple(out.shape), np.round(out.detach().numpy().astype(np.float64), 5).tolist())
    return str(out)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dtypes_and_errors_match_torch(name: str) -> None:
    assert repr(_plain(CASES[name], mt)) == repr(_plain(CASES[name], torch))


def test_zeta_has_no_derivative_in_s() -> None:
    s = mt.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        mt.special.zeta(s, mt.tensor([1.5])).sum().backward()


def test_special_namespace_is_torchs() -> None:
    names = [n for n in mt.special.__all__]
    assert all(hasattr(torch.special, n) for n in names)
    x = mt.tensor([[0.5, -1.0, 2.0]])
    assert mt.special.softmax(x, 1).tolist()[0] == pytest.approx(
        torch.special.softmax(torch.tensor(x.tolist()), 1).tolist()[0]
    )
    assert mt.special.logsumexp(x, 1).item() == pytest.approx(
        torch.special.logsumexp(torch.tensor(x.tolist()), 1).item()
    )


def test_igamma_against_mpmath_and_torch_edges() -> None:
    mpmath.mp.dps = 30
    a = [49.50475797358994, 25.051664747047344, 0.5, 3.0, 1e-3]
    x = [36.66001293840573, 25.942588213098844, 2.0, 0.1, 500.0]
    lower = mt.igamma(mt.tensor(a, dtype=mt.float64), mt.tensor(x, dtype=mt.float64)).numpy()
    upper = mt.special.gammaincc(mt.tensor(a, dtype=mt.float64), mt.tensor(x, dtype=mt.float64)).numpy()
    for i in range(len(a)):
        assert lower[i] == pytest.approx(float(mpmath.gammainc(a[i], 0, x[i], regularized=True)), rel=1e-12)
        assert upper[i] == pytest.approx(float(mpmath.gammainc(a[i], x[i], mpmath.inf, regularized=True)), rel=1e-12)
    edges_a = [0.0, 0.0, 1.0, np.inf, 2.0, -1.0, 1.0, np.nan, np.inf]
    edges_x = [1.0, 0.0, 0.0, 1.0, np.inf, 1.0, -1.0, 1.0, np.inf]
    for lib_fn in ("igamma", "igammac"):
        ours = getattr(mt, lib_fn)(mt.tensor(edges_a), mt.tensor(edges_x)).numpy()
        theirs = getattr(torch, lib_fn)(torch.tensor(edges_a), torch.tensor(edges_x)).numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_igamma_errors_and_no_derivative_in_a() -> None:
    for lib in (mt, torch):
        with pytest.raises(NotImplementedError, match="\"igamma_cpu\" not implemented for 'Long'"):
            lib.igamma(lib.tensor([2]), lib.tensor([1]))
        with pytest.raises(NotImplementedError, match="\"nextafter_cpu\" not implemented for 'Long'"):
            lib.nextafter(lib.tensor([2]), lib.tensor([1]))
        a = lib.tensor([2.0], requires_grad=True)
        with pytest.raises(NotImplementedError, match="the derivative for 'igammac: input' is not implemented."):
            lib.igammac(a, lib.tensor([1.0])).sum().backward()


def test_nextafter_matches_torch() -> None:
    x, y = [1.0, 0.0, -1.0, 2.0], [2.0, -1.0, -1.0, float("inf")]
    for dtype in ("float32", "float64"):
        ours = mt.nextafter(mt.tensor(x, dtype=getattr(mt, dtype)), mt.tensor(y, dtype=getattr(mt, dtype))).numpy()
        theirs = torch.nextafter(
            torch.tensor(x, dtype=getattr(torch, dtype)), torch.tensor(y, dtype=getattr(torch, dtype))
        )
        np.testing.assert_array_equal(ours, theirs.numpy())
