"""save/load (state_dicts, whole modules, optimizer states), fault cases, torch interop, to_torch/from_torch."""

from __future__ import annotations

import io
import os
import pathlib
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
import minitorch_nn.nn.functional as F
from minitorch_nn.serialization import SerializationError
from reference import bridge
from reference.bridge import copy_weights_from_torch


class SeedNet(mt.nn.Module):
    """Seed 003's shape of model: a Sequential of conv/pool/BN/dropout, then a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.features = mt.nn.Sequential(
            mt.nn.Conv2d(3, 4, 3, padding=1),
            mt.nn.BatchNorm2d(4),
            mt.nn.ReLU(),
            mt.nn.MaxPool2d(2),
            mt.nn.Dropout(0.25),
        )
        self.head = mt.nn.Linear(4 * 2 * 2, 5)
        self.scale = mt.nn.Parameter(mt.tensor([1.5]))
        self.flat = 16

    def forward(self, x):
        x = self.features(x)
        x = x.view(-1, self.flat)
        return F.relu(self.head(x)) * self.scale


def _trained_net(seed: int = 0) -> SeedNet:
    mt.manual_seed(seed)
    net = SeedNet()
    net(mt.randn(4, 3, 4, 4))  # moves the BatchNorm running statistics off their initial values
    net.eval()
    return net


def _x(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(2, 3, 4, 4)).astype(np.float32)


def _out(model, x):
    with mt.no_grad():
        return model(mt.tensor(x)).numpy()


def _assert_same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert sa[k].dtype == sb[k].dtype
        np.testing.assert_array_equal(sa[k].numpy(), sb[k].numpy(), err_msg=k)


@pytest.mark.parametrize("kind", ["str", "path", "buffer"])
def test_state_dict_round_trip(tmp_path, kind):
    net = _trained_net()
    target = {"str": str(tmp_path / "net.pth"), "path": tmp_path / "net.pth", "buffer": io.BytesIO()}[kind]
    mt.save(net.state_dict(), target)
    if kind == "buffer":
        target.seek(0)
    state = mt.load(target)
    assert isinstance(state, OrderedDict)
    assert state._metadata == net.state_dict()._metadata
    assert state["features.1.num_batches_tracked"].dtype == mt.int64
    fresh = SeedNet().eval()
    assert not np.array_equal(_out(fresh, _x()), _out(net, _x()))
    fresh.load_state_dict(state)
    _assert_same_state(fresh, net)
    np.testing.assert_array_equal(_out(fresh, _x()), _out(net, _x()))


def test_whole_module_round_trip_the_seed_way(tmp_path):
    """Seed 003: save(net, path); load(path, map_location=device('cpu')) gives a working model."""
    net = _trained_net()
    path = str(tmp_path / "cifar_19.pth")
    mt.save(net, path)
    loaded = mt.load(path, map_location=mt.device("cpu"))
    assert type(loaded) is SeedNet and loaded is not net
    assert not loaded.training and repr(loaded) == repr(net)
    _assert_same_state(loaded, net)
    np.testing.assert_array_equal(_out(loaded, _x()), _out(net, _x()))
    # still trainable: parameters are leaves that need grad
    loaded.train()
    loaded(mt.tensor(_x())).sum().backward()
    assert all(p.grad is not None for p in loaded.parameters())


def test_shared_arrays_stay_shared_and_containers_survive(tmp_path):
    t = mt.randn(3, 2)
    obj = {"a": t, "b": [t, (1, "x", 2.5, None)], "c": {"nested": mt.arange(4)}, "d": mt.tensor(3.0)}
    mt.save(obj, tmp_path / "obj.pt")
    back = mt.load(tmp_path / "obj.pt")
    assert back["b"][1] == (1, "x", 2.5, None)
    np.testing.assert_array_equal(back["a"].numpy(), t.numpy())
    assert back["a"]._data is back["b"][0]._data  # written once, shared again
    assert back["c"]["nested"].dtype == mt.int64 and back["d"].shape == ()
    with zipfile_of(tmp_path / "obj.pt") as z:  # the format: a pickle plus one .npy per array
        names = z.namelist()
    assert "minitorch/data.pkl" in names and sum(n.endswith(".npy") for n in names) == 3


def zipfile_of(path):
    import zipfile

    return zipfile.ZipFile(path)


@pytest.mark.parametrize(
    "map_location",
    ["cpu", mt.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage, None],
    ids=["str", "device", "dict", "callable", "none"],
)
def test_map_location_to_cpu(tmp_path, map_location):
    net = _trained_net()
    mt.save(net.state_dict(), tmp_path / "n.pth")
    state = mt.load(tmp_path / "n.pth", map_location=map_location)
    np.testing.assert_array_equal(state["head.weight"].numpy(), net.head.weight.detach().numpy())


@pytest.mark.parametrize("map_location", ["cuda", "cuda:0", mt.device("cuda"), {"cpu": "cuda:0"}])
def test_map_location_to_cuda_says_where_cuda_lives(tmp_path, map_location):
    mt.save({"w": mt.ones(2)}, tmp_path / "n.pth")
    with pytest.raises(RuntimeError, match="no CUDA backend.*to_torch"):
        mt.load(tmp_path / "n.pth", map_location=map_location)


def test_weights_only_levels(tmp_path):
    net = _trained_net()
    mt.save(net, tmp_path / "m.pth")
    with pytest.raises(SerializationError, match="m.pth.*SeedNet.*weights_only=False"):
        mt.load(tmp_path / "m.pth", weights_only=True)
    assert isinstance(mt.load(tmp_path / "m.pth", weights_only=False), SeedNet)
    mt.save({"f": np.random.default_rng}, tmp_path / "f.pth")  # a function: not a weight, not a module
    with pytest.raises(SerializationError, match="f.pth.*default_rng"):
        mt.load(tmp_path / "f.pth")
    mt.save(net.state_dict(), tmp_path / "s.pth")
    assert list(mt.load(tmp_path / "s.pth", weights_only=True)) == list(net.state_dict())


class _Explodes:
    def __reduce__(self):
        raise RuntimeError("simulated crash while pickling")


def test_crash_mid_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "net.pth"
    net = _trained_net()
    mt.save(net.state_dict(), path)
    before = path.read_bytes()

    # 1. the pickle fails
    with pytest.raises(RuntimeError, match="simulated crash"):
        mt.save({"w": mt.ones(3), "bad": _Explodes()}, path)
    # 2. the disk "fills up" half-way through writing the array entries
    real_write = np.lib.format.write_array
    calls = {"n": 0}

    def failing_write(fp, array, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            fp.write(b"\0" * 7)
            raise OSError(28, "No space left on device")
        return real_write(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="No space left"):
        mt.save(SeedNet().state_dict(), path)
    monkeypatch.undo()
    assert calls["n"] == 3
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.pth"]  # no temporary file left behind
    fresh = SeedNet().eval()
    fresh.load_state_dict(mt.load(path))
    np.testing.assert_array_equal(_out(fresh, _x()), _out(net, _x()))


def _write(path: pathlib.Path, data: bytes) -> pathlib.Path:
    path.write_bytes(data)
    return path


def test_truncated_corrupted_and_foreign_files_raise_a_clear_error_naming_the_file(tmp_path):
    good = tmp_path / "good.pth"
    mt.save(_trained_net().state_dict(), good)
    raw = good.read_bytes()
    array_at = raw.index(b"\x93NUMPY") + 200  # inside an array's bytes
    corrupted = bytearray(raw)
    corrupted[array_at] ^= 0xFF
    torch_file = tmp_path / "torch_saved.pth"
    torch.save(torch.nn.Linear(2, 2).state_dict(), torch_file)
    cases = {
        _write(tmp_path / "truncated.pth", raw[: len(raw) // 2]): "truncated or corrupted",
        _write(tmp_path / "corrupted.pth", bytes(corrupted)): "corrupted.*CRC",
        _write(tmp_path / "notes.txt", "这不是模型 not a model\n".encode()): "text file",
        _write(tmp_path / "empty.pth", b""): "empty",
        _write(tmp_path / "plain.pkl", pickle.dumps({"a": 1}, protocol=2)): "plain pickle",
        torch_file: "written by torch.save.*load_torch_state_dict",
    }
    for path, reason in cases.items():
        with pytest.raises(SerializationError, match=reason) as info:
            mt.load(path)
        assert str(path) in str(info.value)
        assert isinstance(info.value, RuntimeError)
    with pytest.raises(SerializationError, match="<BytesIO object>: cannot load"):
        mt.load(io.BytesIO(raw[:100]))


def _load_error(model, state):
    try:
        model.load_state_dict(state)
    except RuntimeError as e:
        return str(e)
    return None


def test_load_state_dict_with_other_keys_or_shapes_gives_torch_errors():
    def pair(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))

    ours, theirs = pair(mt), pair(torch)
    mutations = [
        lambda s: s.pop("1.running_var"),
        lambda s: s.__setitem__("extra.weight", s["0.weight"]),
        lambda s: s.__setitem__("2.weight", s["2.weight"][:1]),
        lambda s: (s.pop("0.bias"), s.__setitem__("9.bias", s["2.bias"])),
    ]
    for mutate in mutations:
        so, st_ = ours.state_dict(), theirs.state_dict()
        mutate(so)
        mutate(st_)
        assert _load_error(ours, so) == _load_error(theirs, st_) is not None


def test_torch_saved_state_dict_loads_here_and_back(tmp_path):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(64, 5),
    )
    theirs(torch.randn(4, 3, 4, 4))
    theirs.eval()
    torch.save(theirs.state_dict(), tmp_path / "x.pth")
    ours = mt.nn.Sequential(
        mt.nn.Conv2d(3, 4, 3, padding=1), mt.nn.BatchNorm2d(4), mt.nn.ReLU(), mt.nn.Flatten(), mt.nn.Linear(64, 5)
    ).eval()
    ours.load_state_dict(bridge.load_torch_state_dict(tmp_path / "x.pth"))
    x = _x()
    np.testing.assert_allclose(_out(ours, x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ours[1].num_batches_tracked.item() == 1
    # and back: a file torch reads into a fresh torch model
    with mt.no_grad():
        ours[4].bias.add_(1.0)
    bridge.save_torch_state_dict(ours, tmp_path / "y.pth")
    fresh = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(64, 5),
    ).eval()
    fresh.load_state_dict(torch.load(tmp_path / "y.pth"))
    np.testing.assert_allclose(_out(ours, x), fresh(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def _standard_modules(lib):
    nn = lib.nn
    return [
        (nn.Linear(6, 3), (4, 6)),
        (nn.Linear(6, 3, bias=False), (4, 6)),
        (nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=1, groups=2, padding_mode="reflect"), (2, 2, 9)),
        (nn.Conv2d(2, 3, (2, 3), stride=(1, 2), padding="same" if False else 1, bias=False), (1, 2, 5, 6)),
        (nn.Conv3d(2, 2, 2, padding=1, dilation=2, padding_mode="circular"), (1, 2, 4, 4, 4)),
        (nn.MaxPool1d(2, stride=1, padding=1, dilation=2, ceil_mode=True), (2, 3, 7)),
        (nn.MaxPool2d(2), (1, 2, 4, 6)),
        (nn.MaxPool3d(2, stride=1), (1, 1, 3, 3, 3)),
        (nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), (2, 2, 7)),
        (nn.AvgPool2d(2, ceil_mode=True, divisor_override=3), (1, 2, 5, 5)),
        (nn.AvgPool3d(2), (1, 1, 4, 4, 4)),
        (nn.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 7)),
        (nn.ReLU(), (3, 4)),
        (nn.Sigmoid(), (3, 4)),
        (nn.Tanh(), (3, 4)),
        (nn.LeakyReLU(0.2), (3, 4)),
        (nn.ELU(0.5), (3, 4)),
        (nn.GELU(approximate="tanh"), (3, 4)),
        (nn.Softmax(dim=0), (3, 4)),
        (nn.LogSoftmax(dim=1), (3, 4)),
        (nn.Flatten(), (2, 3, 4)),
        (nn.Unflatten(1, (2, 2)), (3, 4)),
        (nn.BatchNorm1d(4, eps=1e-3, momentum=None), (5, 4)),
        (nn.BatchNorm2d(2, affine=False), (3, 2, 2, 2)),
        (nn.BatchNorm3d(2, track_running_stats=False), (3, 2, 2, 2, 2)),
        (nn.Dropout(0.3), (3, 4)),
        (nn.Dropout2d(0.3), (2, 3, 2, 2)),
        (nn.Identity(), (2, 2)),
        (nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2)), (5, 4)),
        (nn.Sequential(OrderedDict([("fc", nn.Linear(4, 3)), ("act", nn.Tanh())])), (5, 4)),
        (nn.Sequential(nn.ModuleList([nn.Linear(4, 3), nn.ReLU()])[0], nn.ModuleDict({"a": nn.Tanh()})["a"]), (5, 4)),
    ]


@pytest.mark.parametrize("index", range(len(_standard_modules(mt))))
def test_to_torch_from_torch_round_trip_gives_equal_outputs(index):
    rng = np.random.default_rng(index)
    ours, shape = _standard_modules(mt)[index]
    if any(isinstance(m, mt.nn.modules.batchnorm._BatchNorm) for m in ours.modules()):
        ours(mt.tensor(rng.normal(size=shape).astype(np.float32)))  # running statistics off their defaults
    ours.eval()
    theirs = bridge.to_torch(ours)
    assert type(theirs).__name__ == type(ours).__name__ and repr(theirs) == repr(ours)
    assert not theirs.training
    x = rng.normal(size=shape).astype(np.float32)
    expected = _out(ours, x)
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    back = bridge.from_torch(theirs)
    assert type(back) is type(ours)
    _assert_same_state(back, ours)
    np.testing.assert_array_equal(_out(back, x), expected)


def test_containers_and_lazy_linear_convert():
    lazy = mt.nn.LazyLinear(3)
    assert type(bridge.to_torch(lazy)).__name__ == "LazyLinear"
    lazy(mt.randn(2, 5))
    twin = bridge.to_torch(lazy)
    assert type(twin) is torch.nn.Linear and twin.in_features == 5
    np.testing.assert_array_equal(twin.weight.detach().numpy(), lazy.weight.detach().numpy())
    holder = mt.nn.ModuleList([mt.nn.Linear(2, 2), mt.nn.ModuleDict({"a": mt.nn.Linear(2, 1), "b": mt.nn.ReLU()})])
    twin = bridge.to_torch(holder)
    assert type(twin) is torch.nn.ModuleList and type(twin[1]) is torch.nn.ModuleDict
    assert repr(twin) == repr(holder)
    back = bridge.from_torch(twin)
    assert type(back) is mt.nn.ModuleList
    _assert_same_state(back, holder)


def test_from_torch_of_torch_built_modules_and_train_flag():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Tanh()).double()
    ours = bridge.from_torch(theirs)
    assert ours.training and ours[0].weight.dtype == mt.float64
    x = np.random.default_rng(0).normal(size=(6, 3))
    np.testing.assert_allclose(_out(ours, x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[1].running_mean.numpy(), theirs[1].running_mean.numpy(), rtol=1e-12)


def test_user_defined_module_trains_on_torch_and_comes_back():
    """The production path: convert, take torch SGD steps, convert back; same forward code in both."""
    net = _trained_net()
    net.train()
    theirs = bridge.to_torch(net)
    assert type(theirs).__name__ == "SeedNet" and isinstance(theirs, torch.nn.Module)
    assert [n for n, _ in theirs.named_parameters()] == [n for n, _ in net.named_parameters()]
    opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    x = torch.tensor(_x())
    for _ in range(2):
        opt.zero_grad()
        theirs(x).square().mean().backward()
        opt.step()
    back = bridge.from_torch(theirs.eval())
    assert type(back) is SeedNet
    np.testing.assert_allclose(_out(back, _x()), theirs(x).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(back.head.weight.detach().numpy(), net.head.weight.detach().numpy())


@given(n_in=st.integers(1, 5), n_hidden=st.integers(1, 5), seed=st.integers(0, 2**31 - 1))
def test_copied_weights_give_torch_outputs(n_in, n_hidden, seed):
    rng = np.random.default_rng(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(n_in, n_hidden), torch.nn.BatchNorm1d(n_hidden)).double().eval()
    ours = mt.nn.Sequential(mt.nn.Linear(n_in, n_hidden), mt.nn.BatchNorm1d(n_hidden)).double().eval()
    with torch.no_grad():
        theirs[1].running_mean.copy_(torch.from_numpy(rng.normal(size=n_hidden)))
        theirs[1].running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2, size=n_hidden)))
    copy_weights_from_torch(ours, theirs)
    buffer = io.BytesIO()
    mt.save(ours, buffer)
    buffer.seek(0)
    loaded = mt.load(buffer)
    x = rng.normal(size=(3, n_in))
    np.testing.assert_allclose(_out(loaded, x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
