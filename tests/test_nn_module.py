"""Module, Parameter and the containers against torch: registration, iteration order,
state_dict / load_state_dict (and their error texts), repr text, modes, casting, pickling.

Each scenario is written once as a function of the library (``lib`` is
minitorch_nn or torch) and its observable results are compared.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt

LIBS = (mt, real_torch)


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def T(lib, a):
    return lib.tensor(np.asarray(a, dtype=np.float32))


def net_class(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)
            self.act = nn.ReLU(inplace=True)
            self.register_buffer("running", T(lib, [1.0, 2.0]))
            self.register_buffer("scratch", T(lib, [0.0]), persistent=False)
            self.block = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Sequential(nn.Flatten(), nn.Sigmoid()))
            self.scale = nn.Parameter(T(lib, [0.5]))
            self.heads = nn.ModuleList([nn.Linear(3, 2), nn.Linear(3, 2)])
            self.fc2 = nn.Linear(3, 2, bias=False)

        def forward(self, x):
            return self.fc2(self.block(self.act(self.fc1(x)))) * self.scale

    return Net


def perceptron_classes(lib):
    """Seed 004: a hand-written Linear with Parameters and a Perceptron of two of them."""
    nn = lib.nn

    class Linear(nn.Module):
        def __init__(self, in_features, out_features):
            super().__init__()
            self.w = nn.Parameter(T(lib, arr(out_features, in_features, seed=1)))
            self.b = nn.Parameter(T(lib, arr(out_features, 1, seed=2)))

        def forward(self, x):
            return (self.w).mm(x) + self.b

    class Perceptron(nn.Module):
        def __init__(self, in_features, hidden_features, out_features):
            super().__init__()
            self.layer1 = Linear(in_features, hidden_features)
            self.layer2 = Linear(hidden_features, out_features)

        def forward(self, x):
            return self.layer2(self.layer1(x))

    return Linear, Perceptron


def both(fn):
    return [fn(lib) for lib in LIBS]


# ---- registration and iteration ------------------------------------------------------------
def test_named_parameters_buffers_children_modules_equal_torch():
    def names(lib):
        net = net_class(lib)()
        return (
            [n for n, _ in net.named_parameters()],
            [tuple(p.shape) for p in net.parameters()],
            [n for n, _ in net.named_buffers()],
            [n for n, _ in net.named_children()],
            [n for n, _ in net.named_modules()],
            [type(m).__name__ for m in net.modules()],
            [n for n, _ in net.named_parameters(prefix="model", recurse=True)],
            [n for n, _ in net.named_parameters(recurse=False)],
            list(net.state_dict().keys()),
            list(net.state_dict(prefix="net.").keys()),
        )

    ours, theirs = both(names)
    assert ours == theirs


def test_shared_module_and_parameter_are_yielded_once():
    def names(lib):
        nn = lib.nn
        shared = nn.Linear(2, 2)
        seq = nn.Sequential(shared, nn.ReLU(), shared)
        seq.extra = nn.Parameter(T(lib, [1.0]))
        seq.alias = seq.extra
        return (
            [n for n, _ in seq.named_parameters()],
            [n for n, _ in seq.named_parameters(remove_duplicate=False)],
            [n for n, _ in seq.named_modules()],
            [n for n, _ in seq.named_modules(remove_duplicate=False)],
            list(seq.state_dict()),
        )

    ours, theirs = both(names)
    assert ours == theirs


def test_setattr_routes_parameters_modules_buffers_and_none():
    for lib in LIBS:
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(T(lib, [1.0, 2.0]))
        m.sub = lib.nn.Linear(1, 1)
        m.register_buffer("buf", T(lib, [3.0]))
        m.plain = 5
        assert "w" in m._parameters and "sub" in m._modules and "buf" in m._buffers
        assert "plain" in m.__dict__ and m.plain == 5
        m.w = None
        assert m.w is None and "w" in m._parameters
        m.buf = T(lib, [4.0])
        assert float(m.buf) == 4.0
        del m.sub
        assert "sub" not in m._modules and not hasattr(m, "sub")
        # re-assigning a name as another kind moves it between registries
        m.buf2 = lib.nn.Parameter(T(lib, [1.0]))
        m.buf2 = None
        assert "buf2" in m._parameters


@pytest.mark.parametrize(
    "action",
    [
        lambda lib, m: setattr(m, "w", T(lib, [1.0])),
        lambda lib, m: setattr(m, "w", 3),
        lambda lib, m: setattr(m, "sub", 3),
        lambda lib, m: setattr(m, "buf", "x"),
        lambda lib, m: m.register_parameter("a.b", None),
        lambda lib, m: m.register_parameter("", None),
        lambda lib, m: m.register_parameter("x", T(lib, [1.0])),
        lambda lib, m: m.register_parameter("plain", None),
        lambda lib, m: m.register_buffer("a.b", None),
        lambda lib, m: m.register_buffer("y", 3),
        lambda lib, m: m.register_buffer("w", None),
        lambda lib, m: m.add_module("q", 3),
        lambda lib, m: m.add_module("a.b", lib.nn.ReLU()),
        lambda lib, m: m.add_module("", lib.nn.ReLU()),
        lambda lib, m: m.missing_attribute,
        lambda lib, m: m.get_submodule("sub.nothing"),
        lambda lib, m: m.get_submodule("w"),
        lambda lib, m: m.get_parameter("sub.nothing"),
        lambda lib, m: m.get_parameter("buf"),
        lambda lib, m: m.train(1),
        lambda lib, m: m.register_parameter("nonleaf", lib.nn.Parameter(T(lib, [1.0])) * 2),
    ],
)
def test_registration_errors_equal_torch(action):
    errors = []
    for lib in LIBS:
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(T(lib, [1.0]))
        m.sub = lib.nn.Linear(1, 1)
        m.register_buffer("buf", T(lib, [1.0]))
        m.plain = 1
        with pytest.raises(Exception) as info:
            action(lib, m)
        errors.append((type(info.value).__name__, str(info.value)))
    assert errors[0] == errors[1]


def test_assign_before_init_raises_like_torch():
    errors = []
    for lib in LIBS:

        class Bad(lib.nn.Module):
            def __init__(self, lib=lib):
                self.fc = lib.nn.Linear(1, 1)

        with pytest.raises(AttributeError) as info:
            Bad()
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_get_submodule_get_parameter_get_buffer():
    for lib in LIBS:
        net = net_class(lib)()
        assert net.get_submodule("block.2.0") is net.block[2][0]
        assert net.get_submodule("") is net
        assert net.get_parameter("heads.1.weight") is net.heads[1].weight
        assert net.get_buffer("running") is net.running


def test_dir_lists_registered_names_and_hides_indices():
    for lib in LIBS:
        net = net_class(lib)()
        names = dir(net)
        assert {"fc1", "scale", "running", "block", "forward", "training"} <= set(names)
        assert names == sorted(names)
        assert "0" not in dir(net.block)


# ---- modes, grads, apply, casting ----------------------------------------------------------
def test_train_eval_flags_reach_every_submodule():
    for lib in LIBS:
        net = net_class(lib)()
        assert net.training and all(m.training for m in net.modules())
        assert net.eval() is net
        assert not any(m.training for m in net.modules())
        net.block.train()
        assert net.block[2][1].training and not net.fc1.training
        net.train(True)
        assert all(m.training for m in net.modules())


def test_zero_grad_and_requires_grad_():
    x = arr(5, 4, seed=3)
    for lib in LIBS:
        net = net_class(lib)()
        net(lib.tensor(x)).sum().backward()
        grad = net.fc1.weight.grad
        assert grad is not None and np.any(grad.numpy() != 0)
        net.zero_grad(set_to_none=False)
        assert net.fc1.weight.grad is grad and np.all(grad.numpy() == 0)
        net.zero_grad()
        assert all(p.grad is None for p in net.parameters())
        assert net.requires_grad_(False) is net
        assert not any(p.requires_grad for p in net.parameters())


def test_apply_visits_children_before_parent():
    ours, theirs = both(
        lambda lib: (lambda seen: (net_class(lib)().apply(lambda m: seen.append(type(m).__name__)), seen)[1])([])
    )
    assert ours == theirs


@pytest.mark.parametrize("cast", ["double", "float", "half", "to_float64", "to_kw", "type_double"])
def test_dtype_casting_keeps_parameter_objects(cast):
    results = []
    for lib in LIBS:
        net = net_class(lib)()
        weight = net.fc1.weight
        net.fc1.weight.grad = lib.tensor(np.ones((3, 4), dtype=np.float32))
        out = {
            "double": lambda net, lib: net.double(),
            "float": lambda net, lib: net.double().float(),
            "half": lambda net, lib: net.half(),
            "to_float64": lambda net, lib: net.to(lib.float64),
            "to_kw": lambda net, lib: net.to(device="cpu", dtype=lib.float64),
            "type_double": lambda net, lib: net.type(lib.float64),
        }[cast](net, lib)
        assert out is net and net.fc1.weight is weight and isinstance(weight, lib.nn.Parameter)
        results.append(
            (
                [str(p.dtype) for p in net.parameters()],
                [str(b.dtype) for b in net.buffers()],
                str(weight.grad.dtype),
                weight.requires_grad,
            )
        )
    assert results[0] == results[1]


def test_to_integer_dtype_raises_like_torch():
    errors = []
    for lib in LIBS:
        with pytest.raises(TypeError) as info:
            lib.nn.Linear(2, 2).to(lib.int64)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_cuda_raises_with_a_pointer_to_torch():
    lin = mt.nn.Linear(2, 2)
    assert lin.cpu() is lin and lin.to("cpu") is lin
    for call in (lambda: lin.cuda(), lambda: lin.to("cuda"), lambda: lin.to(mt.device("cuda", 0))):
        with pytest.raises(RuntimeError, match="CPU only"):
            call()


# ---- state_dict ------------------------------------------------------------------------------
def test_state_dict_shares_storage_and_keep_vars():
    net = net_class(mt)()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not isinstance(sd["fc1.weight"], mt.nn.Parameter) and not sd["fc1.weight"].requires_grad
    assert sd["fc1.weight"]._data is net.fc1.weight._data
    assert net.state_dict(keep_vars=True)["fc1.weight"] is net.fc1.weight
    assert "scratch" not in sd and "running" in sd


def test_load_state_dict_copies_in_place_from_torch():
    ours, theirs = net_class(mt)(), net_class(real_torch)()
    weight, storage = ours.fc1.weight, ours.fc1.weight._data
    from reference.bridge import copy_weights_from_torch

    copy_weights_from_torch(ours, theirs)
    assert ours.fc1.weight is weight and ours.fc1.weight._data is storage
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[name].numpy(), value.numpy())
    x = arr(3, 4, seed=4)
    np.testing.assert_allclose(
        ours(mt.tensor(x)).detach().numpy(), theirs(real_torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def _mangled_state(lib, mutation):
    net = net_class(lib)()
    sd = net.state_dict()
    if mutation == "missing":
        del sd["fc1.bias"], sd["heads.1.weight"]
    elif mutation == "unexpected":
        sd["fc3.weight"] = T(lib, [1.0])
        sd["extra"] = T(lib, [1.0])
    elif mutation == "both":
        del sd["running"]
        sd["block.9.weight"] = T(lib, [1.0])
    elif mutation == "size":
        sd["fc1.weight"] = T(lib, np.zeros((5, 4)))
        sd["heads.0.bias"] = T(lib, np.zeros(3))
    elif mutation == "size_and_missing":
        sd["fc1.weight"] = T(lib, np.zeros((5, 4)))
        del sd["fc2.weight"]
    return net, sd


@pytest.mark.parametrize("mutation", ["missing", "unexpected", "both", "size", "size_and_missing"])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_and_result_equal_torch(mutation, strict):
    outcomes = []
    for lib in LIBS:
        net, sd = _mangled_state(lib, mutation)
        try:
            result = net.load_state_dict(sd, strict=strict)
            outcomes.append(("ok", repr(result), list(result.missing_keys), list(result.unexpected_keys)))
        except RuntimeError as e:
            outcomes.append(("error", str(e)))
    assert outcomes[0] == outcomes[1]


def test_load_state_dict_error_text_names_the_class():
    net, sd = _mangled_state(mt, "both")
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "running". \n'
        '\tUnexpected key(s) in state_dict: "block.9.weight". '
    )
    assert repr(net.load_state_dict(net.state_dict())) == "<All keys matched successfully>"


def test_load_state_dict_rejects_non_mapping_like_torch():
    errors = []
    for lib in LIBS:
        with pytest.raises(TypeError) as info:
            lib.nn.Linear(1, 1).load_state_dict([1, 2])
        errors.append(str(info.value))
    assert errors[0] == errors[1]


# ---- calling and hooks -----------------------------------------------------------------------
def test_forward_hooks_and_pre_hooks():
    calls = []
    lin = mt.nn.Linear(2, 2)
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(args[0].numpy().copy()) or out * 0)
    x = mt.tensor([[1.0, 2.0]])
    out = lin(x)
    np.testing.assert_array_equal(calls[0], [[2.0, 4.0]])
    assert np.all(out.detach().numpy() == 0)
    h1.remove()
    h2.remove()
    assert np.any(lin(x).detach().numpy() != 0)


def test_full_backward_hook_sees_torch_gradients():
    rng = np.random.default_rng(5)
    x, g = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    seen = []
    for lib in LIBS:
        lin = lib.nn.Linear(4, 2).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(np.arange(8.0).reshape(2, 4) / 10)) if lib is real_torch else None
        if lib is mt:
            lin.weight._data[...] = np.arange(8.0).reshape(2, 4) / 10
        record = {}

        def hook(module, grad_input, grad_output, record=record):
            record["in"] = [None if t is None else t.numpy().copy() for t in grad_input]
            record["out"] = [t.numpy().copy() for t in grad_output]
            return (grad_input[0] * 3,)

        lin.register_full_backward_hook(hook)
        xs = lib.tensor(x, requires_grad=True)
        out = lin(xs)
        out.backward(lib.tensor(g))
        seen.append((out.grad_fn.name(), record, xs.grad.numpy().copy()))
    (n1, r1, gx1), (n2, r2, gx2) = seen
    assert n1 == n2 == "BackwardHookFunctionBackward"
    np.testing.assert_allclose(r1["out"][0], r2["out"][0])
    np.testing.assert_allclose(r1["in"][0], r2["in"][0])
    np.testing.assert_allclose(gx1, gx2)
    np.testing.assert_allclose(gx1, 3 * g @ (np.arange(8.0).reshape(2, 4) / 10))


def test_missing_forward_raises_like_torch():
    errors = []
    for lib in LIBS:
        with pytest.raises(NotImplementedError) as info:
            lib.nn.Module()(1)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_seed_perceptron_matches_torch():
    x = arr(3, 5, seed=6)
    results = []
    for lib in LIBS:
        _, Perceptron = perceptron_classes(lib)
        p = Perceptron(3, 4, 1)
        out = p(lib.tensor(x))
        out.backward(lib.tensor(arr(1, 5, seed=7)))
        results.append(
            (
                [n for n, _ in p.named_parameters()],
                out.detach().numpy(),
                [q.grad.numpy() for q in p.parameters()],
                repr(p),
            )
        )
    (n1, o1, g1, r1), (n2, o2, g2, r2) = results
    assert n1 == n2 == ["layer1.w", "layer1.b", "layer2.w", "layer2.b"]
    np.testing.assert_allclose(o1, o2, rtol=1e-5, atol=1e-6)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert r1 == r2


# ---- repr --------------------------------------------------------------------------------------
REPR_CASES = {
    "linear": lambda lib: lib.nn.Linear(400, 120),
    "linear_nobias": lambda lib: lib.nn.Linear(3, 4, bias=False),
    "relu": lambda lib: lib.nn.ReLU(),
    "relu_inplace": lambda lib: lib.nn.ReLU(True),
    "flatten": lambda lib: lib.nn.Flatten(),
    "flatten_args": lambda lib: lib.nn.Flatten(0, 2),
    "unflatten": lambda lib: lib.nn.Unflatten(1, (2, 3)),
    "softmax": lambda lib: lib.nn.Softmax(dim=1),
    "softmax_none": lambda lib: lib.nn.Softmax(),
    "log_softmax": lambda lib: lib.nn.LogSoftmax(0),
    "leaky": lambda lib: lib.nn.LeakyReLU(0.2, True),
    "gelu": lambda lib: lib.nn.GELU("tanh"),
    "elu": lambda lib: lib.nn.ELU(),
    "sigmoid_tanh": lambda lib: lib.nn.Sequential(lib.nn.Sigmoid(), lib.nn.Tanh()),
    "net": lambda lib: net_class(lib)(),
    "empty_seq": lambda lib: lib.nn.Sequential(),
    "empty_list": lambda lib: lib.nn.ModuleList(),
    "module": lambda lib: lib.nn.Module(),
    "module_list_runs": lambda lib: lib.nn.ModuleList(
        [lib.nn.Linear(2, 2)] * 2 + [lib.nn.ReLU()] * 3 + [lib.nn.Linear(2, 3)]
    ),
    "module_dict": lambda lib: lib.nn.ModuleDict({"a": lib.nn.ReLU(), "b": lib.nn.Sequential(lib.nn.Linear(1, 2))}),
    "param_list": lambda lib: lib.nn.ParameterList([lib.nn.Parameter(T(lib, np.zeros((2, 3)))), T(lib, np.zeros(2))]),
    "param_dict": lambda lib: lib.nn.ParameterDict({"a": lib.nn.Parameter(T(lib, np.zeros((2, 3))))}),
    "ordered_seq": lambda lib: lib.nn.Sequential(OrderedDict(conv=lib.nn.Identity(), act=lib.nn.ReLU())),
    "lazy": lambda lib: lib.nn.LazyLinear(5),
    "cifar": lambda lib: lib.nn.Sequential(
        lib.nn.Flatten(),
        lib.nn.Linear(400, 120),
        lib.nn.ReLU(True),
        lib.nn.Linear(120, 84),
        lib.nn.ReLU(True),
        lib.nn.Linear(84, 10),
    ),
}


@pytest.mark.parametrize("case", list(REPR_CASES))
def test_repr_equals_torch(case):
    ours, theirs = both(lambda lib: repr(REPR_CASES[case](lib)))
    assert ours == theirs


def test_parameter_repr_class_and_storage():
    for lib in LIBS:
        t = T(lib, [1.0, 2.0])
        p = lib.nn.Parameter(t)
        assert isinstance(p, lib.Tensor) and p.requires_grad and p.is_leaf
        with lib.no_grad():
            p.mul_(2) if lib is real_torch else None
        if lib is mt:
            p._data *= 2
        assert float(t.numpy()[0]) == 2.0  # same storage
        assert type(p.data) is lib.Tensor
    assert repr(mt.nn.Parameter(T(mt, [1.0, 2.0]))) == repr(real_torch.nn.Parameter(T(real_torch, [1.0, 2.0])))
    assert repr(mt.nn.Parameter(T(mt, [1.5]), requires_grad=False)) == repr(
        real_torch.nn.Parameter(T(real_torch, [1.5]), requires_grad=False)
    )
    assert repr(mt.nn.Parameter()) == repr(real_torch.nn.Parameter())


# ---- containers ----------------------------------------------------------------------------------
def test_sequential_indexing_slicing_len_and_mutation():
    def probe(lib):
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid())
        out = [len(seq), type(seq[0]).__name__, type(seq[-1]).__name__, repr(seq[1:3]), repr(seq[::2])]
        seq[1] = nn.Tanh()
        seq.append(nn.Identity())
        seq.insert(0, nn.Flatten())
        seq.extend([nn.ReLU()])
        out += [repr(seq), type(seq.pop(2)).__name__, repr(seq)]
        del seq[0]
        del seq[1:3]
        out += [repr(seq), [type(m).__name__ for m in seq], repr(seq + nn.Sequential(nn.ReLU()))]
        try:
            seq[10]
        except IndexError as e:
            out.append(str(e))
        return out

    ours, theirs = both(probe)
    assert ours == theirs


def test_sequential_forward_chains_modules():
    x = arr(2, 3, seed=8)
    outs = []
    for lib in LIBS:
        lib.manual_seed(0)
        seq = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Identity())
        with lib.no_grad():
            if lib is mt:
                seq[0].weight._data[...] = arr(2, 3, seed=9)
                seq[0].bias._data[...] = arr(2, seed=10)
            else:
                seq[0].weight.copy_(real_torch.tensor(arr(2, 3, seed=9)))
                seq[0].bias.copy_(real_torch.tensor(arr(2, seed=10)))
        outs.append(seq(lib.tensor(x)).detach().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)
    np.testing.assert_allclose(outs[0], x @ arr(2, 3, seed=9).T + arr(2, seed=10), rtol=1e-6)


def test_module_list_and_dict_api():
    def probe(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
        ml.append(nn.Tanh())
        ml.extend([nn.Sigmoid()])
        ml.insert(1, nn.Identity())
        ml += [nn.Flatten()]
        out = [len(ml), [type(m).__name__ for m in ml], repr(ml[1:3]), type(ml[-1]).__name__]
        out.append([type(m).__name__ for m in ml + nn.ModuleList([nn.ReLU()])])
        del ml[0]
        out += [repr(ml), type(ml.pop(0)).__name__, [n for n, _ in ml.named_children()]]
        md = nn.ModuleDict({"a": nn.ReLU()})
        md["b"] = nn.Linear(2, 2)
        md.update([("c", nn.Tanh())])
        out += [list(md.keys()), "b" in md, len(md), type(md.pop("a")).__name__, list(md)]
        out.append([n for n, _ in md.named_parameters()])
        pl = nn.ParameterList([nn.Parameter(T(lib, [1.0]))])
        pl.append(T(lib, [2.0, 3.0]))
        out += [len(pl), [type(p).__name__ for p in pl], [n for n, _ in pl.named_parameters()]]
        return out

    ours, theirs = both(probe)
    assert ours == theirs
    seq = mt.nn.ModuleList([mt.nn.ReLU(), mt.nn.Tanh()])
    assert seq.index(seq[1]) == 1


# ---- pickling and copying ----------------------------------------------------------------------
PickledNet = net_class(mt)  # pickle finds classes by their module-level name
PickledNet.__qualname__ = "PickledNet"


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_whole_module_round_trip(how):
    net = PickledNet()
    net.eval()
    clone = pickle.loads(pickle.dumps(net)) if how == "pickle" else copy.deepcopy(net)
    assert type(clone) is PickledNet and repr(clone) == repr(net)
    assert not clone.training
    assert list(clone.state_dict()) == list(net.state_dict())
    for (_, p), (_, q) in zip(net.named_parameters(), clone.named_parameters()):
        assert type(q) is mt.nn.Parameter and q.requires_grad
        assert q._data is not p._data
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    assert "scratch" in clone._non_persistent_buffers_set
    x = mt.tensor(arr(2, 4, seed=11))
    np.testing.assert_array_equal(clone(x).detach().numpy(), net(x).detach().numpy())


def test_parameter_pickle_and_deepcopy_keep_class():
    p = mt.nn.Parameter(T(mt, [1.0, 2.0]))
    for q in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert type(q) is mt.nn.Parameter and q.requires_grad
        np.testing.assert_array_equal(q.detach().numpy(), [1.0, 2.0])


# ---- activation modules and their functional forms ----------------------------------------------
ACTIVATIONS = {
    "relu": lambda lib, x: lib.nn.ReLU()(x),
    "relu_inplace": lambda lib, x: lib.nn.ReLU(inplace=True)(x * 1.0),
    "f_relu_inplace": lambda lib, x: lib.nn.functional.relu(x * 1.0, inplace=True),
    "leaky_relu_inplace": lambda lib, x: lib.nn.LeakyReLU(0.2, inplace=True)(x * 1.0),
    "f_leaky_relu_zero_slope": lambda lib, x: lib.nn.functional.leaky_relu_(x * 1.0, 0.0),
    "elu_inplace": lambda lib, x: lib.nn.ELU(0.5, inplace=True)(x * 1.0),
    "f_elu_": lambda lib, x: lib.nn.functional.elu_(x * 1.0),
    "sigmoid": lambda lib, x: lib.nn.Sigmoid()(x),
    "tanh": lambda lib, x: lib.nn.Tanh()(x),
    "softmax": lambda lib, x: lib.nn.Softmax(dim=1)(x),
    "log_softmax": lambda lib, x: lib.nn.LogSoftmax(dim=-1)(x),
    "f_softmax_dim0": lambda lib, x: lib.nn.functional.softmax(x, dim=0),
    "flatten": lambda lib, x: lib.nn.Flatten(0)(x),
    "unflatten": lambda lib, x: lib.nn.Unflatten(1, (2, 2))(x),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_modules_match_torch(name):
    from reference import strategies as S
    from reference.compare import compare

    rng = np.random.default_rng(12)
    sample = S.sample((S.away_from(rng, (3, 4)),), seed=12)
    report = compare(ACTIVATIONS[name], sample, np.float64)
    assert report.ok, str(report)
    ours = ACTIVATIONS[name](mt, mt.tensor(sample.inputs[0], requires_grad=True))
    theirs = ACTIVATIONS[name](real_torch, real_torch.tensor(sample.inputs[0], requires_grad=True))
    assert ours.grad_fn.name() == theirs.grad_fn.name()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.nn.functional.leaky_relu_(x * 1.0, -0.1),
        lambda lib, x: lib.nn.functional.elu_(x * 1.0, -1.0),
        lambda lib, x: lib.nn.functional.elu_(x),
        lambda lib, x: lib.nn.functional.leaky_relu(x, inplace=True),
    ],
)
def test_inplace_leaky_relu_and_elu_refuse_as_torch(call):
    # a negative slope: forward runs, backward cannot recover the gradient from the output alone;
    # a leaf that requires grad cannot be written in place at all
    errors = []
    for lib in (mt, real_torch):
        x = lib.tensor(np.array([-1.0, 2.0, -0.5]), requires_grad=True)
        try:
            y = call(lib, x)
            y.backward(lib.tensor(np.array([0.3, -1.0, 2.0])))
        except RuntimeError as error:
            errors.append(str(error))
    assert len(errors) == 2 and errors[0] == errors[1]
