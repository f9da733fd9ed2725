"""`minitorch-nn train --model resnet18 --dataset cifar10` and `minitorch-nn predict`, end to end on a tiny CIFAR-10.

The folder is written in the real format (pickled python batches); one short training run is shared by the
tests (module-scoped), then predict classifies PNGs with its checkpoint. The same run on ``--engine torch``
(our model converted by reference.bridge) draws the same augmented batches and writes the same file format.
"""

from __future__ import annotations

import os
import pickle
import re

import numpy as np
import pytest
import torch
from PIL import Image

import minitorch_nn
from minitorch_nn.cli import _checkpoint, _vision, main
from minitorch_nn.cli._vision import CIFAR10_CLASSES
from reference.bridge import ConversionError, to_torch


def write_tiny_cifar10(folder: str) -> None:
    """Five training batches and the test batch, 8 random images each, and batches.meta."""
    os.makedirs(folder)
    rng = np.random.RandomState(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = rng.randint(0, 256, size=(8, 3072)).astype(np.uint8)
        batch = {b"data": images, b"labels": rng.randint(0, 10, size=8).tolist(), b"batch_label": name.encode()}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(batch, f)
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        pickle.dump({b"label_names": [c.encode() for c in CIFAR10_CLASSES]}, f)


TINY = ["--epochs", "1", "--limit", "8", "--batch-size", "4"]  # two steps


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("vision_cli")
    data = str(root / "cifar-10-batches-py")
    write_tiny_cifar10(data)
    out = str(root / "run")
    argv = ["train", "--model", "resnet18", "--dataset", "cifar10", "--data-dir", str(root)]
    argv += [*TINY, "--tensorboard", "--out", out]
    assert main(argv) == 0
    return {"root": str(root), "out": out, "checkpoint": os.path.join(out, "checkpoint.pth")}


def test_train_writes_checkpoint_with_arch_and_classes(trained: dict[str, str]) -> None:
    state = minitorch_nn.load(trained["checkpoint"])
    assert state["arch"] == "resnet18"
    assert state["classes"] == CIFAR10_CLASSES
    assert state["epoch"] == 1
    assert state["model"]["fc.weight"].shape == (10, 512)
    assert len(state["history"]["loss"]) == 1 and np.isfinite(state["history"]["loss"][0])


def test_train_writes_tensorboard_log(trained: dict[str, str]) -> None:
    log_dir = os.path.join(trained["out"], "tensorboard")
    events = [name for name in os.listdir(log_dir) if name.startswith("events.out.tfevents.")]
    assert len(events) == 1
    with open(os.path.join(log_dir, events[0]), "rb") as f:
        content = f.read()
    for tag in (b"loss/train", b"accuracy/test", b"learning_rate"):
        assert tag in content


def _write_png(path: str, seed: int) -> str:
    pixels = np.random.RandomState(seed).randint(0, 256, size=(40, 50, 3)).astype(np.uint8)  # resized to 32x32
    Image.fromarray(pixels).save(path)
    return path


def test_predict_prints_top5_per_image(trained: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    images = [_write_png(os.path.join(trained["root"], f"picture{i}.png"), i) for i in range(2)]
    capsys.readouterr()
    assert main(["predict", "--checkpoint", trained["checkpoint"], *images]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * 6
    for k, path in enumerate(images):
        assert lines[6 * k] == path
        rows = [re.fullmatch(r"  (\S+) +([0-9.]+)", line) for line in lines[6 * k + 1 : 6 * k + 6]]
        assert all(rows)
        names = [row.group(1) for row in rows]
        probabilities = [float(row.group(2)) for row in rows]
        assert len(set(names)) == 5 and set(names) <= set(CIFAR10_CLASSES)
        assert probabilities == sorted(probabilities, reverse=True)
        assert 0 < sum(probabilities) <= 1 + 5e-4  # each printed to 4 decimals


def test_predict_missing_checkpoint(tmp_path, trained: dict[str, str]) -> None:
    image = _write_png(str(tmp_path / "a.png"), 0)
    missing = str(tmp_path / "nothing.pth")
    with pytest.raises(SystemExit, match=f"no file at {re.escape(missing)}"):
        main(["predict", "--checkpoint", missing, image])


def test_predict_unreadable_image(tmp_path, trained: dict[str, str]) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture at all")
    with pytest.raises(SystemExit, match=f"{re.escape(str(broken))}: not an image Pillow can read"):
        main(["predict", "--checkpoint", trained["checkpoint"], str(broken)])
    with pytest.raises(SystemExit, match="not an image Pillow can read"):
        main(["predict", "--checkpoint", trained["checkpoint"], str(tmp_path / "absent.png")])


def test_predict_checkpoint_of_another_architecture(tmp_path, trained: dict[str, str]) -> None:
    image = _write_png(str(tmp_path / "a.png"), 0)
    state = minitorch_nn.load(trained["checkpoint"])
    relabelled = str(tmp_path / "vgg11.pth")
    minitorch_nn.save({**state, "arch": "vgg11"}, relabelled)  # resnet18 weights said to be a vgg11's
    names = r"not those of a vgg11: 22 missing key\(s\) \(classifier\.0\.bias, .*\), 122 unexpected \(bn1\.bias"
    with pytest.raises(SystemExit, match=names):
        main(["predict", "--checkpoint", relabelled, image])
    seed_model = str(tmp_path / "lenet.pth")
    minitorch_nn.save({**state, "arch": "lenet"}, seed_model)
    with pytest.raises(SystemExit, match="its model 'lenet' is not an image classifier predict runs"):
        main(["predict", "--checkpoint", seed_model, image])
    not_ours = str(tmp_path / "weights.pth")
    minitorch_nn.save(state["model"], not_ours)
    with pytest.raises(SystemExit, match="not a minitorch-nn train checkpoint"):
        main(["predict", "--checkpoint", not_ours, image])


def test_vision_model_needs_cifar10() -> None:
    with pytest.raises(SystemExit, match="--model vgg11 trains on --dataset cifar10"):
        main(["train", "--model", "vgg11", "--dataset", "digits", "--epochs", "1", "--limit", "8"])


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_the_torch_twin_of_a_vision_model_computes_ours(name: str) -> None:
    """What --engine torch trains: our seeded model through reference.bridge.to_torch (torchvision is absent)."""
    ours = _vision.build_for(name, 10, 0, minitorch_nn)
    twin = _vision.build_for(name, 10, 0, torch)
    assert list(twin.state_dict()) == list(ours.state_dict())  # torchvision's keys, which ours are
    assert type(twin).__name__ == type(ours).__name__ and isinstance(twin, torch.nn.Module)
    x = np.random.RandomState(1).randn(4, 3, 64, 64).astype(np.float32)  # 2x2 at the end: BN sees 16 values
    for mode in (True, False):  # batch statistics, then the running ones
        ours.train(mode)
        twin.train(mode)
        for model in (ours, twin):  # each engine draws its own dropout masks: compare without them
            for module in model.modules():
                if type(module).__name__ == "Dropout":
                    module.eval()
        with minitorch_nn.no_grad(), torch.no_grad():
            expected = ours(minitorch_nn.tensor(x)).numpy()
            got = twin(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max(), err_msg=str(mode))


def test_a_layer_the_bridge_cannot_convert_is_named() -> None:
    model = minitorch_nn.nn.Sequential(minitorch_nn.nn.Linear(2, 2), minitorch_nn.nn.Sequential(Opaque()))
    with pytest.raises(ConversionError, match=r"cannot convert 1\.0 \(.*\.Opaque\) to torch: it has no entry"):
        to_torch(model)


class Opaque(minitorch_nn.nn.Identity):
    """An engine layer the bridge does not know (named as if it lived in minitorch_nn.nn)."""


Opaque.__module__ = "minitorch_nn.nn.modules.opaque"


@pytest.fixture(scope="module")
def trained_on_torch(trained: dict[str, str]) -> str:
    out = os.path.join(trained["root"], "torch-run")
    argv = ["train", "--model", "resnet18", "--dataset", "cifar10", "--data-dir", trained["root"], "--engine", "torch"]
    assert main([*argv, *TINY, "--out", out]) == 0
    return os.path.join(out, "checkpoint.pth")


def test_torch_engine_trains_the_same_run_into_the_same_file(trained, trained_on_torch) -> None:
    ours, theirs = minitorch_nn.load(trained["checkpoint"]), minitorch_nn.load(trained_on_torch)
    assert theirs["arch"] == "resnet18" and list(theirs["model"]) == list(ours["model"])
    # the same weights, augmented batches and order: the two steps' losses agree to float32's conditioning
    np.testing.assert_allclose(theirs["history"]["loss"], ours["history"]["loss"], rtol=1e-4)


def test_predict_takes_the_torch_runs_checkpoint(trained_on_torch, tmp_path, capsys) -> None:
    image = _write_png(str(tmp_path / "a.png"), 3)
    capsys.readouterr()
    assert main(["predict", "--checkpoint", trained_on_torch, image]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == image and len(lines) == 6


def test_resume_crosses_engines_and_reads_old_torch_save_files(trained, tmp_path, capsys) -> None:
    argv = ["train", "--model", "resnet18", "--dataset", "cifar10", "--data-dir", trained["root"], "--engine", "torch"]
    argv += ["--epochs", "2", "--limit", "8", "--batch-size", "4", "--resume"]
    for name, write in (
        ("minitorch", lambda path: minitorch_nn.save(minitorch_nn.load(trained["checkpoint"]), path)),
        ("torch.save", lambda path: torch.save(_checkpoint.load(trained["checkpoint"], torch), path)),
    ):
        out = tmp_path / name
        out.mkdir()
        write(str(out / "checkpoint.pth"))  # the minitorch_nn run's epoch 1, continued on torch
        assert main([*argv, "--out", str(out)]) == 0, name
        assert "after epoch 1" in capsys.readouterr().out
        state = minitorch_nn.load(out / "checkpoint.pth")
        assert (
            state["epoch"] == 2
            and state["history"]["loss"][:1] == minitorch_nn.load(trained["checkpoint"])["history"]["loss"]
        )
