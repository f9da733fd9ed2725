"""minitorch_nn.vision.models and .ops against torchvision 0.28.0.

torchvision cannot be installed beside the CPU torch wheel of the test environment (its compiled
ops are built for CUDA torch), so what torchvision does is recorded once in
``tests/data/vision_models_golden.json`` by this file's ``__main__`` (run it with torchvision
importable; see ``_write_golden``), and the tests compare against that record:

- structure, for every builder (and a few non-default configurations): the number of state_dict
  entries, the parameter count, a SHA-256 of the ordered ``key:shape:dtype`` lines, and a SHA-256
  of ``repr(model)``;
- default initialisation, per parameter tensor: mean and std of torchvision's freshly built model
  (the RNG streams differ, so ours is compared statistically; constant tensors exactly);
- numerics of the small models: with the same seeded weights (built here by ``seeded_state`` in
  torchvision's key order, as torch tensors, and loaded strictly), the logits, and fingerprints
  ``sum(g * R)`` (R a fixed random tensor per name) of the input gradient, of every parameter's
  gradient and of every buffer after the pass, in float32 and float64, in eval mode and in
  train mode (BatchNorm batch statistics; dropout p=0), under a random upstream gradient.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch_nn as mt
import minitorch_nn.vision as torchvision
from minitorch_nn.vision.models import convnext as convnext_module
from minitorch_nn.vision.models import resnet, squeezenet
from minitorch_nn.vision.ops import Conv2dNormActivation, SqueezeExcitation, StochasticDepth, stochastic_depth
from reference import bridge

GOLDEN_PATH = Path(__file__).parent / "data" / "vision_models_golden.json"

# (label, builder, kwargs): every builder at its defaults, plus configurations that change the tree.
STRUCTURES = [(name, name, {}) for name in [
    "alexnet",
    "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
    "squeezenet1_0", "squeezenet1_1",
    "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
    "densenet121", "densenet161", "densenet169", "densenet201",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "efficientnet_b0", "convnext_tiny",
]] + [
    ("resnet50_dilated", "resnet50", {"replace_stride_with_dilation": [False, True, True], "num_classes": 7}),
    ("mobilenet_v2_half", "mobilenet_v2", {"width_mult": 0.5, "round_nearest": 4}),
    ("mobilenet_v3_large_tail", "mobilenet_v3_large", {"reduced_tail": True, "dilated": True, "width_mult": 0.75}),
    ("densenet_small", "DenseNet", {"growth_rate": 8, "block_config": (2, 3, 4, 2), "num_init_features": 16, "drop_rate": 0.1}),
    ("vgg11_no_init", "vgg11", {"init_weights": False, "num_classes": 3}),
]  # fmt: skip

# (label, builder, kwargs, input side): the models whose numerics are compared.
PARITY = [
    ("resnet18", "resnet18", {"num_classes": 10}, 32),
    ("vgg11_bn", "vgg11_bn", {"num_classes": 10, "dropout": 0.0}, 32),
    ("mobilenet_v3_small", "mobilenet_v3_small", {"num_classes": 10, "dropout": 0.0}, 32),
    ("squeezenet1_1", "squeezenet1_1", {"num_classes": 10, "dropout": 0.0}, 32),
    ("alexnet", "alexnet", {"num_classes": 10, "dropout": 0.0}, 64),
    ("mobilenet_v2", "mobilenet_v2", {"num_classes": 10, "dropout": 0.0, "width_mult": 0.5}, 32),
    ("shufflenet_v2_x0_5", "shufflenet_v2_x0_5", {"num_classes": 10}, 32),
    ("efficientnet_b0", "efficientnet_b0", {"num_classes": 10, "dropout": 0.0, "stochastic_depth_prob": 0.0}, 32),
    ("densenet_small", "DenseNet", {"num_classes": 10, "growth_rate": 8, "block_config": (2, 3, 4, 2)}, 32),
    ("resnext_small", "resnext50_32x4d", {"num_classes": 10, "groups": 32, "width_per_group": 4}, 32),
    ("convnext_tiny", "convnext_tiny", {"num_classes": 10, "stochastic_depth_prob": 0.0}, 32),
]

# (label, builder, kwargs): the default initialisation compared with torchvision's.
INITS = [
    ("resnet18", "resnet18", {}),
    ("resnet18_zero_init", "resnet18", {"zero_init_residual": True}),
    ("resnet50_zero_init", "resnet50", {"zero_init_residual": True}),
    ("vgg11_bn", "vgg11_bn", {"num_classes": 10}),
    ("alexnet", "alexnet", {"num_classes": 10}),
    ("squeezenet1_1", "squeezenet1_1", {}),
    ("mobilenet_v2", "mobilenet_v2", {}),
    ("mobilenet_v3_small", "mobilenet_v3_small", {}),
    ("densenet121", "densenet121", {}),
    ("shufflenet_v2_x1_0", "shufflenet_v2_x1_0", {}),
    ("efficientnet_b0", "efficientnet_b0", {}),
    ("convnext_tiny", "convnext_tiny", {}),
    ("convnext_tiny_layer_scale", "convnext_tiny", {"layer_scale": 0.5, "num_classes": 10}),
]


def _seed(name: str) -> np.random.RandomState:
    return np.random.RandomState(zlib.crc32(name.encode()))


def seeded_state(keys_shapes: list[tuple[str, tuple[int, ...]]]) -> dict[str, np.ndarray]:
    """Weights for a state_dict layout, the same in every engine: He-scaled convs / linears, BN near identity."""
    state = {}
    for key, shape in keys_shapes:
        rng = _seed(key)
        if key.endswith("num_batches_tracked"):
            state[key] = np.array(3, dtype=np.int64)
        elif key.endswith("running_var"):
            state[key] = (0.5 + rng.uniform(size=shape)).astype(np.float32)
        elif key.endswith("running_mean") or key.endswith("bias"):
            state[key] = (0.1 * rng.standard_normal(shape)).astype(np.float32)
        elif len(shape) == 1:  # a norm's scale
            state[key] = (1.0 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[1:]))
            state[key] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return state


def parity_input(side: int) -> np.ndarray:
    return _seed("input").standard_normal((2, 3, side, side))


def upstream(shape: tuple[int, ...]) -> np.ndarray:
    return _seed("upstream").standard_normal(shape)


def fingerprint_array(name: str, array: np.ndarray) -> list[float]:
    """``[sum(a * R), sum(|a * R|)]`` with R a fixed standard-normal tensor for ``name``: one number that any
    changed element moves, and the scale to judge the difference by."""
    weighted = np.asarray(array, dtype=np.float64) * _seed("fp:" + name).standard_normal(np.shape(array))
    return [float(weighted.sum()), float(np.abs(weighted).sum())]


def structure_record(model: object) -> dict[str, object]:
    state = model.state_dict()
    lines = "\n".join(f"{k}:{tuple(v.shape)}:{str(v.dtype).replace('torch.', '')}" for k, v in state.items())
    return {
        "entries": len(state),
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict_sha256": hashlib.sha256(lines.encode()).hexdigest(),
        "repr_sha256": hashlib.sha256(repr(model).encode()).hexdigest(),
    }


def init_record(model: object) -> dict[str, list[float]]:
    """Mean and std of the parameters big enough for statistics (or constant)."""
    out = {}
    for k, p in model.named_parameters():
        values = np.asarray(p.detach().numpy(), dtype=np.float64)
        if values.size >= 2000 or values.std() == 0:
            out[k] = [float(values.mean()), float(values.std()), int(values.size)]
    return out


def run_pass(lib: object, model: object, side: int, dtype: str, mode: str) -> dict[str, object]:
    """One forward / backward of ``model`` (engine ``lib``: torch or minitorch_nn) and its fingerprints."""
    model = model.to(getattr(lib, dtype))
    model.train(mode == "train")
    x = lib.tensor(parity_input(side).astype(dtype)).requires_grad_()
    y = model(x)
    (y * lib.tensor(upstream(tuple(y.shape)).astype(dtype))).sum().backward()
    record = {
        "output": np.asarray(y.detach().numpy(), dtype=np.float64).tolist(),
        "input_grad": fingerprint_array("input", x.grad.numpy()),
        "grads": {k: fingerprint_array(k, p.grad.numpy()) for k, p in model.named_parameters()},
        "buffers": {k: fingerprint_array(k, b.numpy()) for k, b in model.named_buffers()},
    }
    model.zero_grad(set_to_none=True)
    return record


@pytest.fixture(scope="module")
def golden() -> dict:
    with open(GOLDEN_PATH) as f:
        return json.load(f)


@pytest.fixture
def no_init(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the initialisers' random draws (the structure tests read no values; VGG's 100M weights cost seconds)."""
    for name in [
        "kaiming_uniform_",
        "kaiming_normal_",
        "trunc_normal_",
        "normal_",
        "uniform_",
        "constant_",
        "zeros_",
        "ones_",
    ]:
        monkeypatch.setattr(mt.nn.init, name, lambda tensor, *args, **kwargs: tensor)


def _ours(builder: str, **kwargs: object) -> mt.nn.Module:
    return getattr(torchvision.models, builder)(**kwargs)


# --- structure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("label,builder,kwargs", STRUCTURES, ids=[s[0] for s in STRUCTURES])
def test_state_dict_keys_shapes_and_repr_match_torchvision(golden, no_init, label, builder, kwargs):
    assert structure_record(_ours(builder, **kwargs)) == golden["structure"][label]


def test_attribute_names_follow_torchvision(no_init):
    r18 = _ours("resnet18")
    assert [name for name, _ in r18.named_children()] == [
        "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc",
    ]  # fmt: skip
    assert isinstance(r18.layer2[0], resnet.BasicBlock) and r18.layer2[0].downsample is not None
    assert isinstance(_ours("resnet50").layer1[0], resnet.Bottleneck)
    for builder in ["alexnet", "vgg11", "mobilenet_v3_small", "efficientnet_b0"]:
        assert [n for n, _ in _ours(builder).named_children()] == ["features", "avgpool", "classifier"]
    assert [n for n, _ in _ours("mobilenet_v2").named_children()] == ["features", "classifier"]
    assert isinstance(_ours("squeezenet1_0").features[3], squeezenet.Fire)
    assert isinstance(_ours("mobilenet_v2").features[0], Conv2dNormActivation)
    assert isinstance(_ours("mobilenet_v3_small").features[1].block[1], SqueezeExcitation)
    assert _ours("mobilenet_v2").last_channel == 1280
    convnext = _ours("convnext_tiny")
    assert [n for n, _ in convnext.named_children()] == ["features", "avgpool", "classifier"]
    assert isinstance(convnext.features[1][0], convnext_module.CNBlock)
    assert isinstance(convnext.features[0][1], convnext_module.LayerNorm2d)
    assert (
        repr(convnext_module.CNBlockConfig(96, 192, 3))
        == "CNBlockConfig(input_channels=96, out_channels=192, num_layers=3)"
    )


# --- initialisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("label,builder,kwargs", INITS, ids=[s[0] for s in INITS])
def test_default_initialisation_matches_torchvision(golden, label, builder, kwargs):
    mt.manual_seed(0)
    ours = init_record(_ours(builder, **kwargs))
    theirs = golden["init"][label]
    assert ours.keys() == theirs.keys()
    for key, (mean, std, n) in theirs.items():
        got_mean, got_std, got_n = ours[key]
        assert got_n == n
        if std == 0:  # constant_ / zeros_ / ones_: exact
            assert (got_mean, got_std) == (mean, 0.0), key
        else:  # a fresh draw: the std within sampling error (~1/sqrt(2n)), the mean within 5 std errors
            assert abs(got_std - std) <= 5 * std / np.sqrt(2 * n) + 1e-3 * std, key
            assert abs(got_mean - mean) <= 5 * std / np.sqrt(n) * 2, key


def test_zero_init_residual_zeroes_the_last_norm_of_each_block():
    r18 = _ours("resnet18", zero_init_residual=True)
    assert all(float(abs(b.bn2.weight).sum()) == 0 for layer in [r18.layer1, r18.layer4] for b in layer)
    assert float(abs(r18.layer1[0].bn1.weight - 1).sum()) == 0


# --- numerics -----------------------------------------------------------------------------------------


def _assert_fingerprint(got: list[float], want: list[float], tol: float, what: str, scale: float = 0.0) -> None:
    """Within ``tol`` of the fingerprint's own magnitude, or of ``scale`` (the pass's largest gradient
    fingerprint): a conv bias ahead of a train-mode BatchNorm has a true gradient of 0, so both engines
    give rounding noise there."""
    bound = tol * max(want[1], 1e-4 * scale)
    assert abs(got[0] - want[0]) <= bound, f"{what}: {got} vs torchvision {want}"


def _assert_pass(got: dict, want: dict, dtype: str, tol: float | None = None) -> None:
    if tol is None:
        tol = 2e-4 if dtype == "float32" else 1e-7
    out, ref = np.array(got["output"]), np.array(want["output"])
    np.testing.assert_allclose(out, ref, rtol=tol * 10, atol=tol * 10 * np.abs(ref).max())
    _assert_fingerprint(got["input_grad"], want["input_grad"], tol, "input grad")
    assert got["grads"].keys() == want["grads"].keys()  # the order is the structure test's
    scale = max(fp[1] for fp in want["grads"].values())
    for key, fp in want["grads"].items():
        _assert_fingerprint(got["grads"][key], fp, tol, f"grad of {key}", scale)
    assert got["buffers"].keys() == want["buffers"].keys()
    for key, fp in want["buffers"].items():
        _assert_fingerprint(got["buffers"][key], fp, tol, f"buffer {key}")


def _seeded_model(builder: str, kwargs: dict) -> mt.nn.Module:
    """Our model holding seeded weights, handed over as a torch state_dict (torch tensors) through the bridge."""
    model = _ours(builder, **kwargs)
    layout = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    torch_state = {k: torch.from_numpy(a) for k, a in seeded_state(layout).items()}
    model.load_state_dict(bridge.state_dict_from_torch(torch_state), strict=True)
    return model


# float32 in train mode is left out: at the last stages the maps are 1x1, so BatchNorm normalises over the
# batch's 2 values, which amplifies rounding (torch's float32 logits there differ from its own float64 ones
# by about 1%); float64 train checks the same graph, to 1e-7 for the same reason. The big-classifier
# models (VGG, AlexNet: 100M / 60M weights) and ResNeXt run one pass each to keep the suite fast
# (train-mode BatchNorm is covered by the others).
ALL_PASSES = [("float32", "eval"), ("float64", "eval"), ("float64", "train")]
FEW_PASSES = {
    "vgg11_bn": [("float32", "eval")],
    "alexnet": [("float64", "eval")],
    "resnext_small": [("float64", "eval")],
    "convnext_tiny": [("float32", "eval"), ("float64", "eval")],  # no BatchNorm or dropout: train is eval
}
# (label, builder, kwargs): train mode at stochastic_depth_prob > 0, float64, drawn after manual_seed(0).
STOCHASTIC_DEPTH_RUNS = [
    ("efficientnet_b0_sd", "efficientnet_b0", {"num_classes": 10, "dropout": 0.0}),
    ("convnext_tiny_sd", "convnext_tiny", {"num_classes": 10, "stochastic_depth_prob": 0.5}),
]
PARITY_CASES = [(*case, *run) for case in PARITY for run in FEW_PASSES.get(case[0], ALL_PASSES)]


@pytest.mark.parametrize(
    "label,builder,kwargs,side,dtype,mode", PARITY_CASES, ids=[f"{c[0]}-{c[4]}-{c[5]}" for c in PARITY_CASES]
)
def test_logits_and_every_gradient_match_torchvision(golden, no_init, label, builder, kwargs, side, dtype, mode):
    model = _seeded_model(builder, kwargs)
    _assert_pass(run_pass(mt, model, side, dtype, mode), golden["parity"][label][f"{dtype}_{mode}"], dtype)


def test_efficientnet_stochastic_depth_draws_as_torchvision(golden, no_init):
    """Train mode with stochastic_depth_prob=0.2: the per-sample drops come from torch's generator stream,
    drawn in torchvision's order, so with the same seed the same samples are dropped."""
    model = _seeded_model("efficientnet_b0", {"num_classes": 10, "dropout": 0.0})
    mt.manual_seed(0)
    got = run_pass(mt, model, 32, "float64", "train")
    # 1e-5: train-mode BatchNorm over 1x1 maps is ill-conditioned (see PASSES); one sample drawn differently
    # would change the logits by O(1).
    _assert_pass(got, golden["parity"]["efficientnet_b0_sd"]["float64_train"], "float64", tol=1e-5)


def test_convnext_stochastic_depth_draws_as_torchvision(golden, no_init):
    """The drop probability rises linearly over convnext_tiny's 18 blocks (0 for the first, 0.1 for the last by
    default); at 0.5, with the same seed, the same samples' branches are dropped, so logits and gradients agree."""
    default = _ours("convnext_tiny")
    assert [b.stochastic_depth.p for b in default.features[1]] == [0.0, 0.1 / 17, 0.2 / 17]
    assert default.features[7][2].stochastic_depth.p == 0.1
    model = _seeded_model("convnext_tiny", {"num_classes": 10, "stochastic_depth_prob": 0.5})
    mt.manual_seed(0)
    got = run_pass(mt, model, 32, "float64", "train")
    _assert_pass(got, golden["parity"]["convnext_tiny_sd"]["float64_train"], "float64")


# --- weights= / pretrained= -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": "IMAGENET1K_V1"},
        {"weights": "DEFAULT"},
        {"weights": "ResNet18_Weights.IMAGENET1K_V1"},
        {"weights": torchvision.models.ResNet18_Weights.IMAGENET1K_V1},
        {"weights": torchvision.models.ResNet18_Weights.DEFAULT},
        {"pretrained": True},
    ],
)
def test_downloadable_weights_are_refused_with_their_url_and_the_file_route(no_init, kwargs):
    with pytest.raises(ValueError, match="cannot be downloaded: minitorch_nn downloads no weights") as info:
        _ours("resnet18", **kwargs)
    message = str(info.value)
    assert "https://download.pytorch.org/models/resnet18-f37072fd.pth" in message
    assert "torch.hub.load_state_dict_from_url(" in message
    assert "resnet18(weights='resnet18-f37072fd.pth')" in message


def test_weights_enums_name_torchvisions_checkpoints():
    models = torchvision.models
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert list(models.ResNet50_Weights.__members__) == ["IMAGENET1K_V1", "IMAGENET1K_V2", "DEFAULT"]
    assert models.ConvNeXt_Tiny_Weights.DEFAULT.url == "https://download.pytorch.org/models/convnext_tiny-983f1562.pth"
    assert models.VGG16_Weights.IMAGENET1K_FEATURES.meta["num_classes"] is None
    assert repr(models.MobileNet_V3_Small_Weights.DEFAULT) == "MobileNet_V3_Small_Weights.IMAGENET1K_V1"
    assert models.ResNet18_Weights.verify("DEFAULT") is models.ResNet18_Weights.IMAGENET1K_V1
    # every builder has its enum, whose parameter count is the one our model has at 1000 classes
    from minitorch_nn.vision.models._weights import WEIGHTS_BY_ARCH

    assert {label for label, builder, kwargs in STRUCTURES if not kwargs} == set(WEIGHTS_BY_ARCH)
    assert models.SqueezeNet1_1_Weights.DEFAULT.meta["num_params"] == 1235496
    with pytest.raises(ValueError, match="has no torchvision checkpoint of that name.*IMAGENET1K_V1, DEFAULT"):
        _ours("resnet18", weights="IMAGENET1K_V9")
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received ResNet34_Weights"):
        _ours("resnet18", weights=models.ResNet34_Weights.DEFAULT)


def test_weights_none_and_pretrained_false_build_a_random_model_and_params_match_the_enum(golden, no_init):
    assert isinstance(_ours("squeezenet1_1", weights=None, progress=False), squeezenet.SqueezeNet)
    assert isinstance(_ours("squeezenet1_1", pretrained=False), squeezenet.SqueezeNet)
    meta = torchvision.models.SqueezeNet1_1_Weights.DEFAULT.meta
    assert golden["structure"]["squeezenet1_1"]["parameters"] == meta["num_params"]


def test_weights_from_a_state_dict_or_a_saved_file(no_init, tmp_path):
    source = _seeded_model("squeezenet1_1", {"num_classes": 4})
    x = mt.tensor(parity_input(32).astype("float32"))
    want = source.eval()(x).detach().numpy()
    path = tmp_path / "squeeze.pt"
    mt.save(source.state_dict(), path)
    for weights in [source.state_dict(), path, str(path)]:
        model = _ours("squeezenet1_1", num_classes=4, weights=weights).eval()
        np.testing.assert_array_equal(model(x).detach().numpy(), want)


def test_a_torch_save_file_passed_as_weights_gives_torchvisions_logits(golden, no_init, tmp_path):
    """The file torch.save wrote, read by minitorch_nn.load (no torch involved), loaded strictly."""
    layout = [(k, tuple(v.shape)) for k, v in _ours("resnet18", num_classes=10).state_dict().items()]
    path = tmp_path / "resnet18-f37072fd.pth"
    torch.save({k: torch.from_numpy(a) for k, a in seeded_state(layout).items()}, path)
    model = _ours("resnet18", num_classes=10, weights=str(path))
    _assert_pass(run_pass(mt, model, 32, "float32", "eval"), golden["parity"]["resnet18"]["float32_eval"], "float32")


def test_densenet_loads_torchvisions_legacy_checkpoint_keys(no_init, tmp_path):
    """torchvision's published DenseNet files name ``denselayer1.norm.1.weight`` what the model calls
    ``denselayer1.norm1.weight`` and have no num_batches_tracked; the builders rename those keys as
    torchvision's loader does, and count 0 batches as torch's BatchNorm does for such a file."""
    layout = [(k, tuple(v.shape)) for k, v in _ours("densenet121").state_dict().items()]
    state = seeded_state(layout)
    legacy = {
        re.sub(r"(denselayer\d+\.(?:norm|relu|conv))([12])\.", r"\1.\2.", k): torch.from_numpy(a)
        for k, a in state.items()
        if not k.endswith("num_batches_tracked")
    }
    assert "features.denseblock1.denselayer1.norm.1.weight" in legacy
    path = tmp_path / "densenet121-a639ec97.pth"
    torch.save(legacy, path)
    model = _ours("densenet121", weights=path)
    assert list(model.state_dict()) == [k for k, _ in layout]
    for key, value in model.state_dict().items():
        want = 0 if key.endswith("num_batches_tracked") else state[key]
        np.testing.assert_array_equal(value.numpy(), want, err_msg=key)


def test_weights_of_another_architecture_or_a_non_state_dict_file_fail_clearly(no_init, tmp_path):
    with pytest.raises(
        RuntimeError, match="(?s)squeezenet1_1: the weights in the given state_dict do not fit.*Missing key"
    ):
        _ours("squeezenet1_1", weights=_ours("alexnet").state_dict())
    with pytest.raises(RuntimeError, match="size mismatch for classifier.1.weight"):
        _ours("squeezenet1_1", num_classes=3, weights=_ours("squeezenet1_1").state_dict())
    other = tmp_path / "alexnet.pth"
    torch.save({k: torch.zeros(v.shape) for k, v in _ours("alexnet").state_dict().items()}, other)
    with pytest.raises(
        RuntimeError, match=r"(?s)the weights in '.*alexnet.pth' do not fit.*Unexpected key\(s\).*features.10"
    ):
        _ours("squeezenet1_1", weights=other)
    path = tmp_path / "list.pt"
    mt.save([mt.zeros(2)], path)
    with pytest.raises(ValueError, match="does not hold a state_dict"):
        _ours("squeezenet1_1", weights=path)
    with pytest.raises(FileNotFoundError, match="squeezenet1_1: no state_dict file at '.*missing.pth'"):
        _ours("squeezenet1_1", weights=tmp_path / "missing.pth")
    broken = tmp_path / "broken.pth"
    broken.write_bytes(other.read_bytes()[:5000])
    with pytest.raises(RuntimeError, match="broken.pth: cannot load"):
        _ours("squeezenet1_1", weights=broken)


# --- argument checks (torchvision's messages) -------------------------------------------------------------


def test_constructor_argument_errors(no_init):
    with pytest.raises(ValueError, match="The parameter 'groups' expected value 32 but got 16 instead."):
        _ours("resnext50_32x4d", groups=16)
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        _ours("resnet18", groups=2)
    with pytest.raises(NotImplementedError, match="Dilation > 1 not supported in BasicBlock"):
        _ours("resnet18", replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None or a 3-element tuple"):
        _ours("resnet50", replace_stride_with_dilation=[True])
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version 2_0: 1_0 or 1_1 expected"):
        squeezenet.SqueezeNet("2_0")
    with pytest.raises(ValueError, match="inverted_residual_setting should be non-empty or a 4-element list"):
        _ours("mobilenet_v2", inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(ValueError, match="The inverted_residual_setting should not be empty"):
        torchvision.models.MobileNetV3([], 1024)
    with pytest.raises(TypeError, match="should be List\\[InvertedResidualConfig\\]"):
        torchvision.models.MobileNetV3([[1, 2]], 1024)
    with pytest.raises(ValueError, match="expected stages_repeats as list of 3 positive ints"):
        torchvision.models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])
    with pytest.raises(ValueError, match="If stride == 1 then inp should be equal to oup // 2 << 1"):
        torchvision.models.shufflenetv2.InvertedResidual(24, 48, 1)
    with pytest.raises(TypeError, match="should be List\\[MBConvConfig\\]"):
        torchvision.models.EfficientNet([1], 0.2)
    with pytest.raises(ValueError, match="The block_setting should not be empty"):
        torchvision.models.ConvNeXt([])
    with pytest.raises(TypeError, match="The block_setting should be List\\[CNBlockConfig\\]"):
        torchvision.models.ConvNeXt([(96, None, 3)])


# --- ops --------------------------------------------------------------------------------------------------


def test_conv2d_norm_activation_reprs_match_torchvision(golden):
    blocks = {
        "default": Conv2dNormActivation(3, 8),
        "no_norm": Conv2dNormActivation(3, 8, kernel_size=5, norm_layer=None, activation_layer=mt.nn.SiLU),
        "dilated": Conv2dNormActivation(4, 4, kernel_size=(3, 5), dilation=2, groups=4, inplace=None),
        "no_activation": Conv2dNormActivation(3, 6, stride=2, activation_layer=None, bias=True),
        "se": SqueezeExcitation(16, 4),
        "sd": StochasticDepth(0.25, "row"),
    }
    assert {k: repr(v) for k, v in blocks.items()} == golden["ops_repr"]
    assert blocks["default"].out_channels == 8


@pytest.mark.parametrize("mode", ["row", "batch"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_stochastic_depth_matches_torchvision(golden, mode, p):
    """Same seed, same draws: forward and gradient equal torchvision.ops.stochastic_depth's."""
    want = golden["stochastic_depth"][f"{mode}_{p}"]
    x = mt.tensor(_seed("sd").standard_normal((6, 2, 3))).requires_grad_()
    mt.manual_seed(0)
    y = stochastic_depth(x, p, mode, training=True)
    y.backward(mt.tensor(upstream((6, 2, 3))))
    np.testing.assert_allclose(y.detach().numpy(), np.array(want["output"]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), np.array(want["grad"]), rtol=1e-12, atol=1e-15)


def test_stochastic_depth_is_the_identity_in_eval_and_checks_its_arguments():
    x = mt.randn(4, 3)
    assert stochastic_depth(x, 0.5, "row", training=False) is x
    layer = StochasticDepth(0.5, "batch").eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but got 1.5"):
        stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row', but got col"):
        stochastic_depth(x, 0.5, "col")


# --- the golden record -------------------------------------------------------------------------------------


def _write_golden(only: set[str] | None = None) -> None:
    """Record torchvision's side. Needs torch and torchvision importable; torchvision 0.28.0's wheel beside
    the CPU torch works when its two op-registration modules are stubbed:
    ``TORCHVISION_SITE=/path/to/unpacked/wheel python tests/test_vision_models.py [LABEL ...]``; with labels,
    only those records are refreshed and the rest of the file is kept."""
    import types

    site = os.environ.get("TORCHVISION_SITE")
    if site:
        sys.path.insert(0, site)
        for name in ["torchvision._meta_registrations", "torchvision._autograd_registrations"]:
            sys.modules[name] = types.ModuleType(name)
    import torchvision as tv

    def wanted(label: str) -> bool:
        return only is None or label in only

    out: dict = {"structure": {}, "init": {}, "parity": {}, "ops_repr": {}, "stochastic_depth": {}}
    if only is not None:
        with open(GOLDEN_PATH) as f:
            out = json.load(f)
    for label, builder, kwargs in STRUCTURES:
        if wanted(label):
            out["structure"][label] = structure_record(getattr(tv.models, builder)(**kwargs))
    for label, builder, kwargs in INITS:
        if wanted(label):
            torch.manual_seed(0)
            out["init"][label] = init_record(getattr(tv.models, builder)(**kwargs))
    runs = [(label, builder, kwargs, side, None) for label, builder, kwargs, side in PARITY]
    runs += [(label, builder, kwargs, 32, 0) for label, builder, kwargs in STOCHASTIC_DEPTH_RUNS]
    for label, builder, kwargs, side, seed in runs:
        if not wanted(label):
            continue
        model = getattr(tv.models, builder)(**kwargs)
        layout = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
        state = {k: torch.from_numpy(a) for k, a in seeded_state(layout).items()}
        record = {}
        for dtype, mode in FEW_PASSES.get(label, ALL_PASSES) if seed is None else [("float64", "train")]:
            model.load_state_dict(state)
            if seed is not None:
                torch.manual_seed(seed)
            record[f"{dtype}_{mode}"] = run_pass(torch, model.float(), side, dtype, mode)
        out["parity"][label] = record
    if only is not None:
        _dump_golden(out)
        return
    ops = tv.ops
    out["ops_repr"] = {
        "default": repr(ops.Conv2dNormActivation(3, 8)),
        "no_norm": repr(ops.Conv2dNormActivation(3, 8, kernel_size=5, norm_layer=None, activation_layer=torch.nn.SiLU)),
        "dilated": repr(ops.Conv2dNormActivation(4, 4, kernel_size=(3, 5), dilation=2, groups=4, inplace=None)),
        "no_activation": repr(ops.Conv2dNormActivation(3, 6, stride=2, activation_layer=None, bias=True)),
        "se": repr(ops.SqueezeExcitation(16, 4)),
        "sd": repr(ops.StochasticDepth(0.25, "row")),
    }
    for mode in ["row", "batch"]:
        for p in [0.0, 0.3, 1.0]:
            x = torch.tensor(_seed("sd").standard_normal((6, 2, 3))).requires_grad_()
            torch.manual_seed(0)
            y = ops.stochastic_depth(x, p, mode, training=True)
            y.backward(torch.tensor(upstream((6, 2, 3))))
            out["stochastic_depth"][f"{mode}_{p}"] = {"output": y.detach().tolist(), "grad": x.grad.tolist()}
    _dump_golden(out)


def _dump_golden(out: dict) -> None:
    GOLDEN_PATH.parent.mkdir(exist_ok=True)
    with open(GOLDEN_PATH, "w") as f:
        json.dump(out, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    _write_golden(set(sys.argv[1:]) or None)
