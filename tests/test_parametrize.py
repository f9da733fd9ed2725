"""nn.utils.parametrize, parametrizations.weight_norm / spectral_norm and the old weight_norm hook, against torch.

Each scenario is a function of the library (minitorch_nn or torch); its
values, gradients under random upstream gradients, state_dict keys, reprs,
warnings and error texts are compared. spectral_norm draws its starting
vectors u, v from the random generator: the scenarios copy torch's u and v
into ours after registration, so every later power iteration must agree.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt
from minitorch_nn.nn.utils.weight_norm import WeightNormInterface
from minitorch_nn.ops.decompositions import Solve
from minitorch_nn.ops.solvers import MatrixExp

LIBS = (mt, real_torch)


def arr(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def T(lib, a, requires_grad=False):
    return lib.tensor(np.asarray(a), requires_grad=requires_grad)


def np_of(t):
    return None if t is None else t.detach().numpy().copy()


def assert_same(a, b, tol=1e-6):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert np.shape(a) == np.shape(b), (np.shape(a), np.shape(b))
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            assert_same(x, y, tol)
    else:
        assert a == b, (a, b)


def compare(scenario, tol=1e-6):
    ours, theirs = (scenario(lib) for lib in LIBS)
    assert_same(ours, theirs, tol)


def linear(lib, out_features=3, in_features=3, seed=0, dtype=np.float32):
    m = lib.nn.Linear(in_features, out_features)
    if dtype == np.float64:
        m.double()
    with lib.no_grad():
        m.weight.copy_(T(lib, arr(out_features, in_features, seed=seed, dtype=dtype)))
        m.bias.copy_(T(lib, arr(out_features, seed=seed + 1, dtype=dtype)))
    return m


def symmetric(lib):
    class Symmetric(lib.nn.Module):
        """x -> x + x^T, with right inverse a -> a / 2 (for symmetric a)."""

        def forward(self, x):
            return x + x.transpose(0, 1)

        def right_inverse(self, a):
            return a / 2

    return Symmetric()


def scale_by(lib, factor):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return x * factor

    return Scale()


# ---- parametrize ---------------------------------------------------------------------------
def test_register_parametrization_names_repr_values_and_gradients():
    def scenario(lib):
        P = lib.nn.utils.parametrize
        m = linear(lib)
        original = m.weight
        P.register_parametrization(m, "weight", symmetric(lib))
        x = T(lib, arr(4, 3, seed=3))
        y = m(x)
        y.backward(T(lib, arr(4, 3, seed=4)))
        orig = m.parametrizations.weight.original
        return (
            repr(m),
            type(m).__name__,
            type(m).__bases__[0].__name__,
            list(m.state_dict()),
            [n for n, _ in m.named_parameters()],
            orig is original,
            np_of(orig),
            np_of(m.weight),
            m.weight.grad_fn.name(),
            np_of(y),
            np_of(orig.grad),
            P.is_parametrized(m),
            P.is_parametrized(m, "weight"),
            P.is_parametrized(m, "bias"),
            P.type_before_parametrizations(m).__name__,
            P.type_before_parametrizations(lib.nn.ReLU()).__name__,
            "weight" in m._parameters,
        )

    compare(scenario)


def test_assigning_the_parametrized_tensor_goes_through_right_inverse():
    def scenario(lib):
        m = linear(lib)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(lib))
        orig = m.parametrizations.weight.original
        a = arr(3, 3, seed=7)
        m.weight = T(lib, a + a.T)
        out = [np_of(orig), np_of(m.weight), m.parametrizations.weight.original is orig]
        lib.nn.utils.parametrize.register_parametrization(m, "bias", scale_by(lib, 2.0))
        with pytest.raises(RuntimeError) as e:
            m.bias = T(lib, [1.0, 2.0, 3.0])
        out.append(str(e.value))
        with pytest.raises(KeyError) as e:
            m.weight = lib.nn.Parameter(T(lib, a))
        out.append(str(e.value))
        return out

    compare(scenario)


def test_stacked_parametrizations_and_unsafe():
    def scenario(lib):
        P = lib.nn.utils.parametrize
        m = linear(lib)
        P.register_parametrization(m, "weight", symmetric(lib))
        P.register_parametrization(m, "weight", scale_by(lib, 3.0))
        out = [repr(m), np_of(m.weight), m.parametrizations.weight.unsafe]

        class Crop(lib.nn.Module):
            def forward(self, x):
                return x[:2]

        with pytest.raises(ValueError) as e:
            P.register_parametrization(m, "weight", Crop())
        out.append(str(e.value))
        P.register_parametrization(m, "weight", Crop(), unsafe=True)
        out += [tuple(m.weight.shape), m.parametrizations.weight.unsafe]
        return out

    compare(scenario)


def test_registration_errors_like_torch():
    def scenario(lib):
        P = lib.nn.utils.parametrize
        out = []

        class Crop(lib.nn.Module):
            def forward(self, x):
                return x[:2]

        class ToDouble(lib.nn.Module):
            def forward(self, x):
                return x.double()

        class NotATensor(lib.nn.Module):
            def forward(self, x):
                return 3

        class BadInverse(lib.nn.Module):
            def forward(self, x):
                return x

            def right_inverse(self, x):
                return x.double()

        for parametrization in (Crop(), ToDouble(), NotATensor(), BadInverse()):
            with pytest.raises(ValueError) as e:
                P.register_parametrization(linear(lib), "weight", parametrization)
            out.append(str(e.value).split("\n"))
        m = linear(lib)
        with pytest.raises(ValueError) as e:
            P.register_parametrization(m, "nothing", Crop())
        out.append(str(e.value))
        with pytest.raises(ValueError) as e:
            P.remove_parametrizations(m, "weight")
        out.append(str(e.value))
        with pytest.raises(ValueError) as e:
            P.ParametrizationList([], T(lib, [1.0]))
        out.append(str(e.value))
        return out

    compare(scenario)


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    def scenario(lib):
        P = lib.nn.utils.parametrize
        m = linear(lib)
        original = m.weight
        P.register_parametrization(m, "weight", symmetric(lib))
        P.register_parametrization(m, "bias", scale_by(lib, 2.0))
        P.remove_parametrizations(m, "weight", leave_parametrized=leave_parametrized)
        out = [type(m).__name__, repr(m), list(m.state_dict()), m.weight is original, np_of(m.weight)]
        P.remove_parametrizations(m, "bias", leave_parametrized=leave_parametrized)
        out += [type(m).__name__, repr(m), list(m.state_dict()), hasattr(m, "parametrizations"), np_of(m.bias)]
        out.append([n for n, _ in m.named_parameters()])
        return out

    compare(scenario)


def test_cached_computes_each_parametrized_tensor_once():
    def scenario(lib):
        P = lib.nn.utils.parametrize
        calls = []

        class Counting(lib.nn.Module):
            def forward(self, x):
                calls.append(1)
                return x * 2

        m = linear(lib)
        P.register_parametrization(m, "weight", Counting())
        start = len(calls)
        with P.cached():
            a = m.weight
            b = m.weight
            with P.cached():
                c = m.weight
        inside = len(calls) - start
        _ = m.weight
        return inside, len(calls) - start, a is b, b is c

    compare(scenario)


def test_buffer_parametrization_keeps_a_buffer():
    def scenario(lib):
        m = lib.nn.BatchNorm1d(3)
        lib.nn.utils.parametrize.register_parametrization(m, "running_var", scale_by(lib, 2.0))
        return list(m.state_dict()), [n for n, _ in m.named_buffers()], np_of(m.running_var)

    compare(scenario)


def test_pickling_raises_and_deepcopy_is_independent():
    def scenario(lib):
        m = linear(lib)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(lib))
        with pytest.raises(RuntimeError) as e:
            pickle.dumps(m)
        clone = copy.deepcopy(m)
        with lib.no_grad():
            clone.parametrizations.weight.original.mul_(0)
        return str(e.value), type(clone).__name__, np_of(clone.weight), np_of(m.weight), type(clone) is type(m)

    compare(scenario)


# ---- parametrizations.weight_norm -----------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "dim"), [((3, 4), 0), ((3, 4), 1), ((3, 4), None), ((2, 3, 4), 1), ((2, 3, 4), -1)])
def test_weight_norm_values_gradients_and_names(shape, dim, dtype):
    def scenario(lib):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(*shape, seed=11, dtype=dtype)))
        lib.nn.utils.parametrizations.weight_norm(m, dim=dim)
        g = m.parametrizations.weight.original0
        v = m.parametrizations.weight.original1
        w = m.weight
        w.backward(T(lib, arr(*shape, seed=12, dtype=dtype)))
        return (
            list(m.state_dict()),
            tuple(g.shape),
            np_of(g),
            np_of(w),
            w.grad_fn.name(),
            np_of(g.grad),
            np_of(v.grad),
            m.parametrizations.weight[0].dim,
        )

    compare(scenario, tol=1e-5 if dtype == np.float32 else 1e-10)


def test_weight_norm_loads_an_old_style_state_dict():
    def scenario(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            old = lib.nn.utils.weight_norm(linear(lib, seed=5))
        sd = old.state_dict()
        new = lib.nn.utils.parametrizations.weight_norm(linear(lib))
        result = new.load_state_dict(sd)
        return list(sd), repr(result), np_of(new.weight), np_of(new.parametrizations.weight.original0)

    compare(scenario)


def test_weight_norm_remove_keeps_the_weight():
    def scenario(lib):
        P = lib.nn.utils.parametrize
        m = lib.nn.utils.parametrizations.weight_norm(linear(lib))
        with pytest.raises(ValueError) as e:
            P.remove_parametrizations(m, "weight", leave_parametrized=False)
        P.remove_parametrizations(m, "weight")
        return str(e.value), list(m.state_dict()), np_of(m.weight), type(m.weight).__name__, m.weight.requires_grad

    compare(scenario)


# ---- parametrizations.spectral_norm ---------------------------------------------------------
def _copy_uv(ours, theirs, name="weight"):
    src = theirs.parametrizations[name][0]
    dst = ours.parametrizations[name][0]
    with mt.no_grad():
        dst._u.copy_(mt.tensor(src._u.numpy()))
        dst._v.copy_(mt.tensor(src._v.numpy()))


def _spectral_pair(make, **kwargs):
    modules = []
    for lib in LIBS:
        m = make(lib)
        lib.nn.utils.parametrizations.spectral_norm(m, **kwargs)
        modules.append(m)
    _copy_uv(*modules)
    return modules


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shape", "kwargs"),
    [((3, 4), {}), ((3, 4), {"n_power_iterations": 3}), ((2, 3, 4), {"dim": 1}), ((2, 3, 4), {"dim": -1, "eps": 1e-3})],
)
def test_spectral_norm_power_iteration_values_and_gradients(shape, kwargs, dtype):
    def make(lib):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(*shape, seed=21, dtype=dtype)))
        return m

    results = []
    for lib, m in zip(LIBS, _spectral_pair(make, **kwargs)):
        sn = m.parametrizations.weight[0]
        out = [list(m.state_dict()), sn.dim, sn.eps, sn.n_power_iterations]
        for _ in range(2):  # training: each access refines u and v in place
            w = m.weight
            w.backward(T(lib, arr(*shape, seed=22, dtype=dtype)))
            out += [np_of(w), w.grad_fn.name(), np_of(sn._u), np_of(sn._v)]
        out.append(np_of(m.parametrizations.weight.original.grad))
        original = m.parametrizations.weight.original
        original.grad = None
        (m.weight * 2 + m.weight).backward(T(lib, arr(*shape, seed=23, dtype=dtype)))
        out.append(np_of(original.grad))
        m.eval()
        u_before = np_of(sn._u)
        out += [np_of(m.weight), np_of(sn._u), u_before]
        results.append(out)
    assert_same(*results, tol=1e-5 if dtype == np.float32 else 1e-10)


def test_spectral_norm_of_a_linear_layer_in_training():
    ours, theirs = _spectral_pair(lambda lib: linear(lib, out_features=2, in_features=4))
    results = []
    for lib, m in ((mt, ours), (real_torch, theirs)):
        x = T(lib, arr(5, 4, seed=30))
        y = m(x)
        y.backward(T(lib, arr(5, 2, seed=31)))
        results.append([np_of(y), np_of(m.parametrizations.weight.original.grad), np_of(m.bias.grad), repr(m)])
    assert_same(*results, tol=1e-5)


def test_spectral_norm_one_dimensional_weight_and_errors():
    def scenario(lib):
        out = []
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(4, seed=40)))
        lib.nn.utils.parametrizations.spectral_norm(m)
        w = m.weight
        w.backward(T(lib, arr(4, seed=41)))
        out += [list(m.state_dict()), np_of(w), np_of(m.parametrizations.weight.original.grad)]
        for kwargs, error in (
            ({"dim": 2}, IndexError),
            ({"dim": -3}, IndexError),
            ({"n_power_iterations": 0}, ValueError),
            ({"name": "nothing"}, ValueError),
        ):
            with pytest.raises(error) as e:
                lib.nn.utils.parametrizations.spectral_norm(linear(lib), **kwargs)
            out.append(str(e.value))
        return out

    compare(scenario)


def test_spectral_norm_generator_draws_u_then_v():
    """u and v come from the random generator (normal, u first); with a torch-identical generator they agree."""
    m = linear(mt, out_features=2, in_features=4)
    mt.manual_seed(0)
    mt.nn.utils.parametrizations.spectral_norm(m)
    sn = m.parametrizations.weight[0]
    w = m.parametrizations.weight.original.detach().numpy()
    # after 15 + 1 iterations u and v are the top singular vectors of W, and sigma its top singular value
    u_svd, s, vt = np.linalg.svd(w)
    assert abs(abs(float(sn._u.numpy() @ u_svd[:, 0])) - 1) < 1e-4
    assert abs(abs(float(sn._v.numpy() @ vt[0])) - 1) < 1e-4
    np.testing.assert_allclose(m.weight.detach().numpy(), w / s[0], rtol=1e-4)


# ---- the old hook-based weight_norm ---------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, None])
def test_old_weight_norm_hook(dim):
    def scenario(lib):
        with pytest.warns(FutureWarning) as caught:
            m = lib.nn.utils.weight_norm(linear(lib, out_features=2, in_features=4), dim=dim)
        out = [str(caught[0].message), repr(m), list(m.state_dict()), tuple(m.weight_g.shape), m.weight.grad_fn.name()]
        with pytest.raises(RuntimeError) as e, warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            lib.nn.utils.weight_norm(m, dim=dim)
        out.append(str(e.value))
        with lib.no_grad():
            m.weight_v.mul_(2)
        x = T(lib, arr(5, 4, seed=50))
        y = m(x)  # the pre-hook recomputes weight from weight_g and weight_v
        y.backward(T(lib, arr(5, 2, seed=51)))
        out += [np_of(y), np_of(m.weight_g.grad), np_of(m.weight_v.grad)]
        lib.nn.utils.remove_weight_norm(m)
        out += [list(m.state_dict()), type(m.weight).__name__, np_of(m.weight), len(m._forward_pre_hooks)]
        with pytest.raises(ValueError) as e:
            lib.nn.utils.remove_weight_norm(m)
        out.append(str(e.value))
        return out

    compare(scenario, tol=1e-5)


def test_old_weight_norm_on_a_sequential_state_dict_order():
    def scenario(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            net = lib.nn.Sequential(OrderedDict(fc=lib.nn.utils.weight_norm(linear(lib), name="weight")))
        return list(net.state_dict()), [n for n, _ in net.named_parameters()]

    compare(scenario)


# ---- the old hook-based spectral_norm -------------------------------------------------------
def _old_spectral_pair(make, **kwargs):
    modules = [lib.nn.utils.spectral_norm(make(lib), **kwargs) for lib in LIBS]
    ours, theirs = modules
    with mt.no_grad():
        ours.weight_u.copy_(mt.tensor(theirs.weight_u.numpy()))
        ours.weight_v.copy_(mt.tensor(theirs.weight_v.numpy()))
    return modules


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "kwargs"), [((3, 4), {}), ((2, 3, 4), {"dim": 1, "n_power_iterations": 2})])
def test_old_spectral_norm_hook_values_gradients_and_buffers(shape, kwargs, dtype):
    def make(lib):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(*shape, seed=60, dtype=dtype)))
        m.forward = lambda x: x * m.weight.sum()
        return m

    results = []
    for lib, m in zip(LIBS, _old_spectral_pair(make, **kwargs)):
        sd = m.state_dict()
        out = [list(sd), dict(sd._metadata), [n for n, _ in m.named_parameters()], type(m.weight).__name__]
        for _ in range(2):
            y = m(T(lib, [1.0, 2.0]))
            y.backward(T(lib, [0.3, -0.7]))
            out += [np_of(y), np_of(m.weight), np_of(m.weight_u), np_of(m.weight_v)]
        out.append(np_of(m.weight_orig.grad))
        # two forwards before one backward: the first graph must not see the second call's u and v
        m.weight_orig.grad = None
        (m(T(lib, [1.0])) + m(T(lib, [2.0]))).backward(T(lib, [0.4]))
        out.append(np_of(m.weight_orig.grad))
        m.eval()
        m(T(lib, [1.0]))
        out += [np_of(m.weight), np_of(m.weight_u)]
        lib.nn.utils.remove_spectral_norm(m)
        out += [list(m.state_dict()), type(m.weight).__name__, np_of(m.weight)]
        results.append(out)
    assert_same(*results, tol=1e-5 if dtype == np.float32 else 1e-10)


def test_old_spectral_norm_errors_and_state_dict_round_trip():
    def scenario(lib):
        out = []
        m = lib.nn.utils.spectral_norm(linear(lib))
        for call, error in (
            (lambda: lib.nn.utils.spectral_norm(m), RuntimeError),
            (lambda: lib.nn.utils.spectral_norm(linear(lib), n_power_iterations=0), ValueError),
            (lambda: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2, bias=False), name="bias"), ValueError),
            (lambda: lib.nn.utils.remove_spectral_norm(linear(lib)), ValueError),
        ):
            with pytest.raises(error) as e:
                call()
            out.append(str(e.value))
        other = lib.nn.utils.spectral_norm(linear(lib, seed=9))
        out.append(repr(other.load_state_dict(m.state_dict())))
        out.append(np_of(other.weight_orig) - np_of(m.weight_orig))
        return out

    compare(scenario)


def test_old_spectral_norm_converts_a_version_0_checkpoint():
    def scenario(lib):
        # W^T W must be invertible for the conversion to be well defined: a tall W
        m = lib.nn.utils.spectral_norm(linear(lib, out_features=3, in_features=2))
        w = arr(3, 2, seed=70)
        u = arr(3, seed=71)
        u /= np.linalg.norm(u)
        old = OrderedDict(
            weight_orig=T(lib, w), weight=T(lib, w / 2.5), weight_u=T(lib, u), bias=T(lib, arr(3, seed=72))
        )
        result = m.load_state_dict(old)
        return repr(result), np_of(m.weight_v), np_of(m.weight_orig)

    compare(scenario, tol=1e-5)


# ---- parametrizations.orthogonal ------------------------------------------------------------
def _orthogonal_pair(shape, dtype, **kwargs):
    """Both libraries' modules with the same base (non-square bases are completed at random) and original."""
    modules = []
    for lib in LIBS:
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(*shape, seed=80, dtype=dtype)))
        lib.nn.utils.parametrizations.orthogonal(m, **kwargs)
        modules.append(m)
    ours, theirs = modules
    if hasattr(theirs.parametrizations.weight[0], "base"):
        ours.parametrizations.weight[0].base = mt.tensor(theirs.parametrizations.weight[0].base.numpy())
    # move away from the starting point, where the maps are the identity
    step = arr(*shape, seed=81, dtype=dtype) * 0.3
    for lib, m in zip(LIBS, modules):
        with lib.no_grad():
            m.parametrizations.weight.original.add_(T(lib, step))
    return modules


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_trivialization", [True, False])
@pytest.mark.parametrize("orthogonal_map", [None, "matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4), (2, 3, 3)])
def test_orthogonal_values_gradients_and_names(shape, orthogonal_map, use_trivialization, dtype):
    modules = _orthogonal_pair(shape, dtype, orthogonal_map=orthogonal_map, use_trivialization=use_trivialization)
    results = []
    for lib, m in zip(LIBS, modules):
        w = m.weight
        w.backward(T(lib, arr(*shape, seed=82, dtype=dtype)))
        orth = m.parametrizations.weight[0]
        results.append(
            [
                list(m.state_dict()),
                orth.orthogonal_map.name,
                np_of(w),
                w.grad_fn.name(),
                np_of(m.parametrizations.weight.original.grad),
            ]
        )
    assert_same(*results, tol=1e-4 if dtype == np.float32 else 1e-10)


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4)])
def test_orthogonal_at_registration_is_the_orthogonalised_weight(shape):
    """Square weights: the Q of their QR; the original starts at -I (torch's right inverse), base holds Q."""

    def scenario(lib):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(*shape, seed=83, dtype=np.float64)))
        lib.nn.utils.parametrizations.orthogonal(m)
        w = np_of(m.weight)
        tall = w if shape[0] >= shape[1] else w.T
        gram = tall.T @ tall
        out = [np_of(m.parametrizations.weight.original), np.abs(gram - np.eye(gram.shape[0])).max() < 1e-12]
        if shape[0] == shape[1]:
            out.append(w)
            q = arr(*shape, seed=84, dtype=np.float64)
            q, _ = np.linalg.qr(q)
            m.weight = T(lib, q)  # already orthogonal: kept as it is
            out.append(np_of(m.weight))
        return out

    compare(scenario, tol=1e-10)


def test_orthogonal_errors_like_torch():
    def scenario(lib):
        out = []
        for kwargs, make in (
            ({}, lambda: lib.nn.Module()),
            ({"orthogonal_map": "qr"}, lambda: linear(lib)),
        ):
            with pytest.raises(ValueError) as e:
                lib.nn.utils.parametrizations.orthogonal(make(), **kwargs)
            out.append(str(e.value).replace("Module()", "M"))
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(T(lib, arr(3)))
        with pytest.raises(ValueError) as e:
            lib.nn.utils.parametrizations.orthogonal(m)
        out.append(str(e.value))
        m = lib.nn.utils.parametrizations.orthogonal(linear(lib), use_trivialization=False)
        with pytest.raises(NotImplementedError) as e:
            m.weight = T(lib, np.eye(3, dtype=np.float32))
        out.append(str(e.value))
        m = lib.nn.utils.parametrizations.orthogonal(linear(lib))
        with pytest.raises(ValueError) as e:
            m.weight = T(lib, np.eye(2, dtype=np.float32))
        out.append(str(e.value))
        return out

    compare(scenario)


def test_transfer_parametrizations_and_params_shares_the_originals():
    def scenario(lib):
        P = lib.nn.utils.parametrize
        src = linear(lib)
        P.register_parametrization(src, "weight", symmetric(lib))
        lib.nn.utils.parametrizations.weight_norm(src, name="bias", dim=None)
        dst = linear(lib, seed=8)
        out = [P.transfer_parametrizations_and_params(linear(lib), dst) is dst, type(dst).__name__]
        P.transfer_parametrizations_and_params(src, dst)
        out += [type(dst).__name__, repr(dst), list(dst.state_dict()), np_of(dst.weight), np_of(dst.bias)]
        out.append(dst.parametrizations.weight.original is src.parametrizations.weight.original)
        out.append(dst.parametrizations.bias.original1 is src.parametrizations.bias.original1)
        fresh = lib.nn.Module()
        P.transfer_parametrizations_and_params(src, fresh, "weight")
        out += [list(fresh.state_dict()), np_of(fresh.weight)]
        return out

    compare(scenario)


# ---- the hand-written backwards against finite differences (no torch) ----------------------------
def _finite_difference_check(fn, inputs, seed):
    """<dL/dx, e> from backward against the central difference of L = <fn(x), g>, in float64."""
    tensors = [mt.tensor(a, requires_grad=True) for a in inputs]
    out = fn(*tensors)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(mt.tensor(g))
    h = 1e-6
    for i, a in enumerate(inputs):
        direction = np.random.default_rng(seed + i + 1).standard_normal(a.shape)
        plus = [b if j != i else b + h * direction for j, b in enumerate(inputs)]
        minus = [b if j != i else b - h * direction for j, b in enumerate(inputs)]
        numeric = (np.sum(fn(*map(mt.tensor, plus)).numpy() * g) - np.sum(fn(*map(mt.tensor, minus)).numpy() * g)) / (
            2 * h
        )
        np.testing.assert_allclose(np.sum(tensors[i].grad.numpy() * direction), numeric, rtol=1e-6, atol=1e-8)


def test_hand_written_backwards_match_finite_differences():
    a = arr(2, 3, 3, seed=90, dtype=np.float64)
    _finite_difference_check(MatrixExp.apply, [a * 2], seed=91)  # norm > 1/2: the squaring branch too
    m = arr(3, 3, seed=92, dtype=np.float64) + 3 * np.eye(3)
    _finite_difference_check(
        lambda m, b: Solve.apply(m, b, True, False), [m, arr(3, 2, seed=93, dtype=np.float64)], seed=94
    )
    v = arr(3, 4, seed=95, dtype=np.float64)
    for dim, g_shape in ((0, (3, 1)), (1, (1, 4))):
        g = np.abs(arr(*g_shape, seed=96, dtype=np.float64)) + 0.5
        _finite_difference_check(lambda v, g, dim=dim: WeightNormInterface.apply(v, g, dim), [v, g], seed=97)
