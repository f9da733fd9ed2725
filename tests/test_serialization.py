"""save/load (state_dicts, whole modules, optimizer states), fault cases, torch interop, to_torch/from_torch."""

from __future__ import annotations

import io
import os
import pathlib
import pickle
import zipfile
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
    torch_raw = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2).state_dict(), torch_raw)
    torch_raw = torch_raw.getvalue()
    cases = {
        _write(tmp_path / "truncated.pth", raw[: len(raw) // 2]): "truncated or corrupted",
        _write(tmp_path / "corrupted.pth", bytes(corrupted)): "corrupted.*CRC",
        _write(tmp_path / "notes.txt", "这不是模型 not a model\n".encode()): "text file",
        _write(tmp_path / "empty.pth", b""): "empty",
        _write(tmp_path / "plain.pkl", pickle.dumps({"a": 1}, protocol=2)): "plain pickle",
        _write(tmp_path / "torch_truncated.pth", torch_raw[: len(torch_raw) - 300]): "truncated or corrupted",
        _write(tmp_path / "other.zip", _zip({"readme.txt": b"hello"})): "not one written by minitorch_nn.save",
    }
    for path, reason in cases.items():
        with pytest.raises(SerializationError, match=reason) as info:
            mt.load(path)
        assert str(path) in str(info.value)
        assert isinstance(info.value, RuntimeError)
    with pytest.raises(SerializationError, match="<BytesIO object>: cannot load"):
        mt.load(io.BytesIO(raw[:100]))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ---- torch.save's own files, read without torch ------------------------------------------------


def _torch_file(obj, path):
    torch.save(obj, path)
    return path


def _assert_same(ours, theirs):
    assert isinstance(ours, mt.Tensor), type(ours)
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


TORCH_DTYPES = [torch.float32, torch.float64, torch.float16, torch.int64, torch.int32, torch.int16, torch.int8]


def test_torch_saved_tensors_of_every_dtype_load_exactly(tmp_path):
    torch.manual_seed(0)
    state = OrderedDict((str(d), (torch.randn(3, 4) * 50).to(d)) for d in TORCH_DTYPES)
    state["uint8"] = torch.randint(0, 256, (5,), dtype=torch.uint8)
    state["bool"] = torch.rand(2, 3) > 0.5
    state["scalar"] = torch.tensor(2.5, dtype=torch.float64)
    state["empty"] = torch.zeros(0, 3)
    loaded = mt.load(_torch_file(state, tmp_path / "dtypes.pth"))
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(state)
    for key, value in state.items():
        _assert_same(loaded[key], value)
    assert not any(t.requires_grad for t in loaded.values())


def test_torch_saved_views_keep_offset_stride_and_shared_storage(tmp_path):
    torch.manual_seed(0)
    base = torch.randn(4, 6, dtype=torch.float64)
    views = {
        "base": base,
        "transposed": base.t(),
        "offset_slice": base[1:, 2:5],
        "strided": base[::2, ::3],
        "expanded": base[:, :1].expand(4, 3),
        "flat_tail": base.view(-1)[7:19],
        "other": torch.arange(5),
    }
    loaded = mt.load(_torch_file(views, tmp_path / "views.pth"))
    for key, value in views.items():
        _assert_same(loaded[key], value)
    assert loaded["transposed"].stride() == (1, 6) and not loaded["transposed"].is_contiguous()
    # ordinary ops run on the strided views
    np.testing.assert_allclose((loaded["transposed"] * 2).sum(0).numpy(), (base.t() * 2).sum(0).numpy())
    strided = views["strided"]
    np.testing.assert_allclose((loaded["strided"] @ loaded["strided"].t()).numpy(), (strided @ strided.t()).numpy())
    # one storage in torch, one memory here: a write through one is seen through the others, as after torch.load
    with mt.no_grad():
        loaded["base"][1, 2] = 100.0
    assert loaded["offset_slice"][0, 0].item() == 100.0 and loaded["transposed"][2, 1].item() == 100.0
    assert loaded["other"][4].item() == 4


def test_torch_saved_parameters_and_nested_containers(tmp_path):
    torch.manual_seed(0)
    obj = {
        "weight": torch.nn.Parameter(torch.randn(2, 3)),
        "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False),
        "grad_tensor": torch.randn(3, requires_grad=True),
        "meta": {"epoch": 3, "lr": 0.1, "name": "run", "sizes": (1, 2), "tags": ["a"]},
        "shape": torch.Size([2, 3]),
    }
    loaded = mt.load(_torch_file(obj, tmp_path / "params.pth"), map_location="cpu")
    assert isinstance(loaded["weight"], mt.nn.Parameter) and loaded["weight"].requires_grad
    assert isinstance(loaded["frozen"], mt.nn.Parameter) and not loaded["frozen"].requires_grad
    assert loaded["grad_tensor"].requires_grad and loaded["grad_tensor"].is_leaf
    _assert_same(loaded["weight"].detach(), obj["weight"].detach())
    assert loaded["meta"] == obj["meta"]
    assert loaded["shape"] == (2, 3) and isinstance(loaded["shape"], mt.Size)


def test_torch_model_state_dict_loads_strictly_with_equal_logits(tmp_path):
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
    path = _torch_file(theirs.state_dict(), tmp_path / "model.pth")
    state = mt.load(path, weights_only=True)
    ours = mt.nn.Sequential(
        mt.nn.Conv2d(3, 4, 3, padding=1), mt.nn.BatchNorm2d(4), mt.nn.ReLU(), mt.nn.Flatten(), mt.nn.Linear(64, 5)
    ).eval()
    ours.load_state_dict(state, strict=True)
    x = _x()
    np.testing.assert_allclose(_out(ours, x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    for key, value in theirs.state_dict().items():  # the weights themselves: bit for bit
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy())
    assert ours[1].num_batches_tracked.item() == 1
    assert state._metadata[""]["version"] == 1  # torch's state_dict metadata comes along


def test_big_endian_torch_files_are_byte_swapped(tmp_path):
    values = torch.arange(6, dtype=torch.float64).reshape(2, 3) / 7
    raw = io.BytesIO()
    torch.save({"v": values, "i": torch.arange(4, dtype=torch.int32)}, raw)
    with zipfile.ZipFile(raw) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    root = next(n for n in entries if n.endswith("/data.pkl"))[: -len("data.pkl")]
    entries[root + "byteorder"] = b"big"
    for name in entries:
        if name.startswith(root + "data/"):
            item = 8 if len(entries[name]) == 48 else 4
            entries[name] = np.frombuffer(entries[name], f"<u{item}").astype(f">u{item}").tobytes()
    loaded = mt.load(io.BytesIO(_zip(entries)))
    _assert_same(loaded["v"], values)
    _assert_same(loaded["i"], torch.arange(4, dtype=torch.int32))


class _NotATensor:
    def __init__(self) -> None:
        self.x = 1


def test_torch_files_with_other_globals_or_dtypes_are_refused(tmp_path):
    path = _torch_file({"obj": _NotATensor()}, tmp_path / "object.pth")
    with pytest.raises(SerializationError, match=r"object.pth.*global .*_NotATensor is refused.*weights_only=True"):
        mt.load(path, weights_only=False)
    # a hand-made data.pkl that would run a command: refused before anything is called
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Evil(str(marker)), protocol=2)
    evil = _write(tmp_path / "evil.pth", _zip({"archive/data.pkl": payload, "archive/version": b"3\n"}))
    with pytest.raises(SerializationError, match=r"evil.pth.*global (posix|os)\.system is refused"):
        mt.load(evil)
    assert not marker.exists()
    bf16 = _torch_file({"w": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "bf16.pth")
    with pytest.raises(SerializationError, match="bfloat16 tensors, a dtype minitorch_nn does not have"):
        mt.load(bf16)
    whole = _torch_file(torch.nn.Linear(2, 2), tmp_path / "module.pth")
    with pytest.raises(SerializationError, match="torch.nn.modules.linear.Linear is refused.*save a state_dict"):
        mt.load(whole)


class _Evil:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


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
