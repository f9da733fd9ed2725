"""Module API beyond the basics, against torch: hooks (kwargs, prepend, always_call, backward
pre-hooks, the global hooks), state_dict hooks, load_state_dict(assign=), set_submodule,
share_memory, the Sequential arithmetic and the ParameterDict dict methods
(DataParallel: tests/test_data_parallel.py).

Each scenario is a function of the library (minitorch_nn or torch); what it
records is compared between the two.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt

LIBS = (mt, real_torch)


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def T(lib, a, requires_grad=False):
    return lib.tensor(np.asarray(a, dtype=np.float32), requires_grad=requires_grad)


def np_of(t):
    return None if t is None else t.detach().numpy().copy()


def linear(lib, seed=0):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(T(lib, arr(2, 3, seed=seed)))
        m.bias.copy_(T(lib, arr(2, seed=seed + 1)))
    return m


def assert_same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b, (a, b)


def compare(scenario):
    ours, theirs = (scenario(lib) for lib in LIBS)
    assert_same(ours, theirs)


# ---- forward hooks ---------------------------------------------------------------------------
def test_forward_hooks_with_kwargs_prepend_and_order():
    def scenario(lib):
        class Scale(lib.nn.Module):
            def forward(self, x, *, factor=1.0):
                return x * factor

        log = []
        m = Scale()
        m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
        m.register_forward_pre_hook(
            lambda mod, args, kwargs: (args, {"factor": kwargs["factor"] * 2}), with_kwargs=True
        )
        m.register_forward_pre_hook(lambda mod, args: log.append("first") or None, prepend=True)
        m.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["factor"], with_kwargs=True)
        h = m.register_forward_hook(lambda mod, args, out: log.append("removed"))
        h.remove()
        m.register_forward_hook(lambda mod, args, out: log.append("post-first"), prepend=True)
        out = m(T(lib, [1.0, 2.0]), factor=3.0)
        return log, np_of(out)

    compare(scenario)


def test_forward_pre_hook_with_kwargs_bad_return_raises_like_torch():
    def scenario(lib):
        m = lib.nn.Identity()
        m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        with pytest.raises(RuntimeError) as e:
            m(T(lib, [1.0]))
        return str(e.value)

    compare(scenario)


def test_pre_hook_returning_a_single_value_replaces_args():
    def scenario(lib):
        m = lib.nn.Identity()
        m.register_forward_pre_hook(lambda mod, args: args[0] * 10)
        return np_of(m(T(lib, [1.0, 2.0])))

    compare(scenario)


def test_always_call_hook_runs_when_forward_raises_and_its_error_is_a_warning():
    def scenario(lib):
        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        log = []
        m = Boom()
        m.register_forward_hook(lambda mod, args, out: log.append(("always", out)), always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append("normal"))
        m.register_forward_hook(lambda mod, args, out: 1 / 0, always_call=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="boom"):
                m(T(lib, [1.0]))
        return log, [str(w.message) for w in caught]

    compare(scenario)


def test_always_call_hook_runs_once_when_forward_succeeds():
    def scenario(lib):
        log = []
        m = lib.nn.Identity()
        m.register_forward_hook(lambda mod, args, out: log.append("always"), always_call=True)
        m(T(lib, [1.0]))
        return log

    compare(scenario)


def test_global_forward_hooks_run_before_the_module_hooks_and_are_removable():
    def scenario(lib):
        mm = lib.nn.modules.module
        log = []
        m = lib.nn.Sequential(lib.nn.Identity())
        m.register_forward_pre_hook(lambda mod, args: log.append(("own-pre", type(mod).__name__)))
        h1 = mm.register_module_forward_pre_hook(lambda mod, args: log.append(("pre", type(mod).__name__)))
        h2 = mm.register_module_forward_hook(lambda mod, args, out: log.append(("post", type(mod).__name__)))
        h3 = mm.register_module_forward_hook(
            lambda mod, args, kwargs, out: log.append(("kw", sorted(kwargs))), with_kwargs=True
        )
        try:
            m(T(lib, [1.0]))
        finally:
            h1.remove()
            h2.remove()
            h3.remove()
        m(T(lib, [1.0]))
        return log

    compare(scenario)


# ---- backward hooks --------------------------------------------------------------------------
def test_full_backward_pre_hook_replaces_grad_output_and_full_hook_sees_it():
    def scenario(lib):
        m = linear(lib)
        seen = []
        m.register_full_backward_pre_hook(lambda mod, gout: (gout[0] * 3,))
        m.register_full_backward_hook(lambda mod, gin, gout: seen.append((np_of(gin[0]), np_of(gout[0]))))
        x = T(lib, arr(4, 3, seed=5), requires_grad=True)
        m(x).backward(T(lib, arr(4, 2, seed=6)))
        return seen, np_of(x.grad), np_of(m.weight.grad), m(x).grad_fn.name()

    compare(scenario)


def test_full_backward_hook_replaces_grad_input():
    def scenario(lib):
        m = lib.nn.Tanh()
        m.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * -2,))
        x = T(lib, arr(2, 3, seed=7), requires_grad=True)
        m(x).backward(T(lib, arr(2, 3, seed=8)))
        return np_of(x.grad)

    compare(scenario)


def test_backward_hooks_with_no_input_needing_grad_run_with_none():
    def scenario(lib):
        m = linear(lib)
        seen = []
        m.register_full_backward_hook(lambda mod, gin, gout: seen.append((gin, np_of(gout[0]))))
        with pytest.warns(UserWarning) as caught:
            m(T(lib, arr(4, 3, seed=5))).backward(T(lib, arr(4, 2, seed=6)))
        return seen, np_of(m.bias.grad), str(caught[0].message)

    compare(scenario)


def test_backward_hook_wrong_length_raises_like_torch():
    def scenario(lib):
        m = lib.nn.Tanh()
        m.register_full_backward_pre_hook(lambda mod, gout: (gout[0], gout[0]))
        x = T(lib, [0.5], requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            m(x).sum().backward()
        return str(e.value)

    compare(scenario)


def test_global_full_backward_hooks():
    def scenario(lib):
        mm = lib.nn.modules.module
        log = []
        h1 = mm.register_module_full_backward_pre_hook(lambda mod, gout: log.append(("pre", type(mod).__name__)))
        h2 = mm.register_module_full_backward_hook(
            lambda mod, gin, gout: log.append(("full", type(mod).__name__, np_of(gin[0])))
        )
        try:
            m = lib.nn.Sequential(lib.nn.Tanh(), lib.nn.Sigmoid())
            x = T(lib, arr(3, seed=9), requires_grad=True)
            m(x).backward(T(lib, arr(3, seed=10)))
        finally:
            h1.remove()
            h2.remove()
        return log

    compare(scenario)


# ---- state_dict hooks, load_state_dict ------------------------------------------------------
def test_state_dict_pre_and_post_hooks():
    def scenario(lib):
        log = []
        m = lib.nn.Sequential(linear(lib))
        m[0].register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))

        def post(mod, sd, prefix, local_metadata):
            log.append(("post", prefix, local_metadata))
            sd[prefix + "extra"] = T(lib, [1.0])

        m[0].register_state_dict_post_hook(post)
        sd = m.state_dict()
        return log, list(sd)

    compare(scenario)


def test_private_state_dict_hook_may_replace_and_public_must_return_none():
    def scenario(lib):
        m = linear(lib)
        m._register_state_dict_hook(lambda mod, sd, prefix, meta: OrderedDict(only=T(lib, [2.0])))
        keys = list(m.state_dict())
        m2 = linear(lib)

        def bad(mod, sd, prefix, meta):
            return {}

        m2.register_state_dict_post_hook(bad)
        with pytest.raises(RuntimeError) as e1:
            m2.state_dict()
        with pytest.raises(RuntimeError) as e2:
            m2._register_state_dict_hook(bad)
        return keys, str(e1.value), str(e2.value)

    compare(scenario)


def test_state_dict_positional_form_warns_like_torch():
    def scenario(lib):
        m = linear(lib)
        with pytest.warns(FutureWarning) as caught:
            sd = m.state_dict(None, "pre.")
        return list(sd), str(caught[0].message)

    compare(scenario)


def test_load_state_dict_pre_and_post_hooks():
    def scenario(lib):
        log = []
        m = lib.nn.Sequential(linear(lib))

        def pre(mod, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("pre", type(mod).__name__, prefix, sorted(sd), strict))

        def post(mod, keys):
            log.append(("post", type(mod).__name__, list(keys.missing_keys), list(keys.unexpected_keys)))
            keys.unexpected_keys.clear()

        m[0].register_load_state_dict_pre_hook(pre)
        m.register_load_state_dict_post_hook(post)
        sd = dict(linear(lib, seed=3).state_dict(prefix="0."))
        sd["0.junk"] = T(lib, [0.0])
        result = m.load_state_dict(sd)  # the post hook clears the unexpected key: no error
        return log, repr(result), np_of(m[0].weight)

    compare(scenario)


def test_load_state_dict_post_hook_returning_a_value_is_an_error():
    def scenario(lib):
        m = linear(lib)
        m.register_load_state_dict_post_hook(lambda mod, keys: 1)
        with pytest.raises(AssertionError) as e:
            m.load_state_dict(linear(lib).state_dict())
        return str(e.value)

    compare(scenario)


def test_load_state_dict_assign_takes_the_checkpoint_tensors():
    def scenario(lib):
        m = linear(lib)
        src = linear(lib, seed=4).double()
        sd = src.state_dict()
        m.weight.requires_grad_(False)
        result = m.load_state_dict(sd, assign=True)
        shares = m.bias.data_ptr() == sd["bias"].data_ptr()
        return (
            repr(result),
            type(m.weight).__name__,
            str(m.weight.dtype),
            m.weight.requires_grad,
            m.bias.requires_grad,
            shares,
            np_of(m.weight),
        )

    compare(scenario)


def test_load_state_dict_copy_keeps_dtype_and_identity():
    def scenario(lib):
        m = linear(lib)
        weight = m.weight
        m.load_state_dict(linear(lib, seed=4).double().state_dict())
        return m.weight is weight, str(m.weight.dtype), np_of(m.weight)

    compare(scenario)


def test_incompatible_keys_named_tuple():
    def scenario(lib):
        m = lib.nn.Sequential(linear(lib))
        sd = m.state_dict()
        del sd["0.bias"]
        sd["1.weight"] = T(lib, [1.0])
        keys = m.load_state_dict(sd, strict=False)
        missing, unexpected = keys
        return repr(keys), keys.missing_keys, keys.unexpected_keys, missing, unexpected, type(keys).__name__

    compare(scenario)


def test_size_mismatch_and_key_errors_text():
    def scenario(lib):
        m = lib.nn.Sequential(linear(lib))
        sd = {"0.weight": T(lib, arr(3, 3)), "0.extra": T(lib, [1.0])}
        with pytest.raises(RuntimeError) as e:
            m.load_state_dict(sd)
        with pytest.raises(RuntimeError) as e2:
            m.load_state_dict(sd, strict=False)  # shape mismatches are errors either way
        return str(e.value), str(e2.value)

    compare(scenario)


# ---- registration, lookup, bulk ---------------------------------------------------------------
def test_set_submodule_and_errors():
    def scenario(lib):
        nn = lib.nn
        m = nn.Sequential(OrderedDict(a=nn.Sequential(OrderedDict(b=nn.ReLU()))))
        m.set_submodule("a.b", nn.Tanh())
        m.set_submodule("a.c", nn.Sigmoid())
        out = [repr(m)]
        m.a.p = nn.Parameter(T(lib, [1.0]))
        for call in (
            lambda: m.set_submodule("", nn.ReLU()),
            lambda: m.set_submodule("a.b", 3),
            lambda: m.set_submodule("a.z", nn.ReLU(), strict=True),
            lambda: m.set_submodule("a.p", nn.ReLU()),
            lambda: m.set_submodule("x.y", nn.ReLU()),
        ):
            with pytest.raises((ValueError, AttributeError)) as e:
                call()
            out.append((type(e.value).__name__, str(e.value)))
        return out

    compare(scenario)


def test_lookup_error_texts():
    def scenario(lib):
        nn = lib.nn
        m = nn.Sequential(linear(lib), nn.BatchNorm1d(2))
        out = []
        for call in (
            lambda: m.get_submodule("5"),
            lambda: m.get_submodule("0.weight"),
            lambda: m.get_parameter("0.nothing"),
            lambda: m.get_parameter("1.running_mean"),
            lambda: m.get_buffer("0.weight"),
            lambda: m.get_buffer("1.nothing"),
        ):
            with pytest.raises(AttributeError) as e:
                call()
            out.append(str(e.value))
        out.append(tuple(m.get_buffer("1.num_batches_tracked").shape))
        return out

    compare(scenario)


def test_setattr_and_delattr_semantics():
    def scenario(lib):
        nn = lib.nn
        m = linear(lib)
        out = []
        for value in (T(lib, [1.0]), 3):
            with pytest.raises(TypeError) as e:
                m.weight = value
            out.append(str(e.value))
        m.bias = None
        out.append([n for n, _ in m.named_parameters()])
        m.sub = nn.ReLU()
        with pytest.raises(TypeError) as e:
            m.sub = 3
        out.append(str(e.value))
        m.sub = None
        out.append(list(m._modules))
        m.register_buffer("buf", T(lib, [1.0]))
        with pytest.raises(TypeError) as e:
            m.buf = 3
        out.append(str(e.value))
        del m.buf, m.sub
        out.append((list(m._buffers), list(m._modules), "buf" in dir(m)))
        m.weight = nn.Parameter(T(lib, [[1.0]]))
        m.extra = nn.Parameter(T(lib, [2.0]))
        out.append([n for n, _ in m.named_parameters()])
        return out

    compare(scenario)


def test_named_members_prefix_recurse_remove_duplicate():
    def scenario(lib):
        nn = lib.nn
        shared = linear(lib)
        m = nn.Sequential(shared, nn.ReLU(), shared)
        m.register_buffer("b", T(lib, [1.0]), persistent=False)
        return (
            [n for n, _ in m.named_parameters(prefix="net")],
            [n for n, _ in m.named_parameters(remove_duplicate=False)],
            [n for n, _ in m.named_parameters(recurse=False)],
            [n for n, _ in m.named_buffers(prefix="p", recurse=False)],
            [n for n, _ in m.named_modules(prefix="root")],
            [n for n, _ in m.named_modules(remove_duplicate=False)],
            [n for n, _ in m.named_children()],
            list(m.state_dict()),
            len(list(m.parameters())),
            len(list(m.children())),
        )

    compare(scenario)


def test_share_memory_zero_grad_and_type():
    def scenario(lib):
        m = linear(lib)
        same = m.share_memory() is m
        m(T(lib, arr(2, 3))).sum().backward()
        m.zero_grad(set_to_none=False)
        zeros = np_of(m.weight.grad)
        m.zero_grad()
        m.type(lib.float64)
        return same, zeros, m.weight.grad, str(m.weight.dtype), str(m.half().bias.dtype)

    compare(scenario)


# ---- containers --------------------------------------------------------------------------
def test_sequential_multiplication():
    def scenario(lib):
        nn = lib.nn
        seq = nn.Sequential(nn.ReLU(), nn.Tanh())
        doubled = seq * 2
        tripled = 3 * seq
        out = [repr(doubled), len(tripled), doubled[0] is doubled[2]]
        seq *= 2
        out.append(repr(seq))
        for bad in (0, 1.5):
            with pytest.raises((TypeError, ValueError)) as e:
                seq * bad
            out.append((type(e.value).__name__, str(e.value).replace("minitorch_nn", "torch")))
        with pytest.raises(ValueError) as e:
            seq *= -1
        out.append(str(e.value).replace("minitorch_nn", "torch"))
        return out

    compare(scenario)


def test_sequential_list_methods_and_reprs():
    def scenario(lib):
        nn = lib.nn
        named = nn.Sequential(OrderedDict(relu=nn.ReLU(), tanh=nn.Tanh()))
        named.append(nn.Sigmoid())
        seq = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        seq.insert(0, nn.Identity())
        seq.insert(-1, nn.LeakyReLU())
        seq.extend([nn.GELU()])
        popped = seq.pop(1)
        combined = seq + nn.Sequential(nn.ELU())
        del seq[0]
        return (
            repr(named),
            repr(seq),
            repr(popped),
            repr(combined),
            len(seq),
            repr(seq[1:3]),
            [type(m).__name__ for m in seq],
        )

    compare(scenario)


def test_parameter_dict_dict_methods():
    def scenario(lib):
        nn = lib.nn
        pd = nn.ParameterDict({"b": nn.Parameter(T(lib, [1.0])), "a": T(lib, [[2.0]])})
        out = [list(pd.keys()), repr(pd)]
        pd2 = nn.ParameterDict(OrderedDict(z=T(lib, [3.0]), y=T(lib, [4.0])))
        out.append(list(pd2.keys()))
        merged = pd | pd2
        out.append(list(merged.keys()))
        out.append(list((pd2 | pd).keys()))
        pd |= pd2
        out.append(list(reversed(pd)))
        out.append(list(pd.copy().keys()))
        out.append(np_of(pd.setdefault("new", T(lib, [5.0]))))
        k, v = pd.popitem()
        out.append((k, np_of(v), list(pd.keys())))
        out.append(list(pd.fromkeys(["p", "q"], T(lib, [0.0])).keys()))
        for bad in (5, [(1, 2, 3)], [5]):
            with pytest.raises((TypeError, ValueError)) as e:
                pd.update(bad)
            out.append((type(e.value).__name__, str(e.value)))
        return out

    compare(scenario)


def test_module_dict_update_errors():
    def scenario(lib):
        md = lib.nn.ModuleDict()
        out = []
        for bad in (5, [5], [("a",)]):
            with pytest.raises((TypeError, ValueError)) as e:
                md.update(bad)
            out.append((type(e.value).__name__, str(e.value)))
        return out

    compare(scenario)


def test_extra_state_round_trips_through_the_state_dict():
    def scenario(lib):
        class Counter(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = linear(lib)
                self.steps = 0

            def get_extra_state(self):
                return {"steps": self.steps}

            def set_extra_state(self, state):
                self.steps = state["steps"]

        a, b = Counter(), Counter()
        a.steps = 7
        sd = a.state_dict()
        out = [list(sd), sd["_extra_state"], repr(b.load_state_dict(sd)), b.steps]
        del sd["_extra_state"]
        out.append(repr(b.load_state_dict(sd, strict=False)))
        with pytest.raises(RuntimeError) as e:
            b.load_state_dict(sd)
        out.append(str(e.value))
        plain = lib.nn.Sequential(linear(lib))
        with pytest.raises(RuntimeError) as e:
            plain.load_state_dict({**plain.state_dict(), "_extra_state": 1})
        out.append(str(e.value))
        for call in (plain.get_extra_state, lambda: plain.set_extra_state(1)):
            with pytest.raises(RuntimeError) as e:
                call()
            out.append(str(e.value))
        return out

    compare(scenario)


def test_global_registration_hooks_see_and_may_replace_what_is_registered():
    def scenario(lib):
        mm = lib.nn.modules.module
        log = []

        def on_buffer(module, name, value):
            log.append(("buffer", type(module).__name__, name))
            return None if value is None else value * 2

        handles = [
            mm.register_module_buffer_registration_hook(on_buffer),
            mm.register_module_parameter_registration_hook(
                lambda module, name, value: log.append(("param", type(module).__name__, name))
            ),
            mm.register_module_module_registration_hook(
                lambda module, name, value: log.append(("module", type(module).__name__, name, type(value).__name__))
            ),
        ]
        try:
            m = lib.nn.Linear(2, 2)
            m.register_buffer("b", T(lib, [1.0]))
            m.b = T(lib, [3.0])
            m.child = lib.nn.ReLU()
            m.add_module("other", lib.nn.Tanh())
            m.weight = lib.nn.Parameter(T(lib, [[1.0]]))
        finally:
            for h in handles:
                h.remove()
        m.register_buffer("after", T(lib, [1.0]))
        return log, np_of(m.b), np_of(m.after)

    compare(scenario)


def test_to_empty_keeps_parameters_shapes_and_dtypes():
    def scenario(lib):
        m = lib.nn.Sequential(linear(lib), lib.nn.BatchNorm1d(2))
        weight = m[0].weight
        ptr = weight.data_ptr()
        out = [m.to_empty(device="cpu") is m, m[0].weight is weight, m[0].weight.data_ptr() != ptr]
        out += [(n, tuple(t.shape), str(t.dtype)) for n, t in m.state_dict().items()]
        top = lib.nn.Sequential(linear(lib))
        top.register_buffer("b", T(lib, [1.0]))
        inner_ptr = top[0].weight.data_ptr()
        top.to_empty(device=None, recurse=False)
        out.append(top[0].weight.data_ptr() == inner_ptr)
        return out

    compare(scenario)


def test_global_always_call_hook_runs_when_forward_raises():
    def scenario(lib):
        mm = lib.nn.modules.module
        log = []

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise KeyError("no")

        handles = [
            mm.register_module_forward_hook(lambda mod, args, out: log.append(("always", out)), always_call=True),
            mm.register_module_forward_hook(lambda mod, args, out: log.append("normal")),
        ]
        try:
            with pytest.raises(KeyError):
                Boom()(T(lib, [1.0]))
        finally:
            for h in handles:
                h.remove()
        return log

    compare(scenario)


# ---- the old (non-full) backward hooks ---------------------------------------------------------
def test_non_full_backward_hook_on_a_single_node_module():
    def scenario(lib):
        m = lib.nn.Tanh()
        seen = []

        def hook(mod, grad_input, grad_output):
            seen.append((type(mod).__name__, [np_of(g) for g in grad_input], [np_of(g) for g in grad_output]))
            return (grad_input[0] * 3,)

        m.register_backward_hook(hook)
        x = T(lib, arr(2, 3, seed=11), requires_grad=True)
        h = x * 1.0  # the input comes out of a node, so the hook's node is the module's only one: no warning
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = m(h)
        y.backward(T(lib, arr(2, 3, seed=12)))
        return seen, np_of(x.grad)

    compare(scenario)


def test_non_full_backward_hook_on_linear_warns_and_sees_the_addmm_node():
    def scenario(lib):
        m = linear(lib)
        seen = []
        m.register_backward_hook(
            lambda mod, gin, gout: seen.append(([None if g is None else np_of(g) for g in gin], np_of(gout[0])))
        )
        x = T(lib, arr(4, 3, seed=13), requires_grad=True)
        with pytest.warns(FutureWarning) as caught:
            y = m(x)
        y.backward(T(lib, arr(4, 2, seed=14)))
        return seen, str(caught[0].message)

    compare(scenario)


def test_mixing_full_and_non_full_backward_hooks_raises_like_torch():
    def scenario(lib):
        out = []
        a = lib.nn.Tanh()
        a.register_backward_hook(lambda *args: None)
        with pytest.raises(RuntimeError) as e:
            a.register_full_backward_hook(lambda *args: None)
        out.append(str(e.value))
        b = lib.nn.Tanh()
        b.register_full_backward_hook(lambda *args: None)
        with pytest.raises(RuntimeError) as e:
            b.register_backward_hook(lambda *args: None)
        out.append(str(e.value))
        mm = lib.nn.modules.module
        mm.register_module_full_backward_hook(lambda *args: None).remove()
        with pytest.raises(RuntimeError) as e:
            mm.register_module_backward_hook(lambda *args: None)
        out.append(str(e.value))
        return out

    compare(scenario)
