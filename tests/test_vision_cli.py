"""`minitorch-nn train --model resnet18 --dataset cifar10` and `minitorch-nn predict`, end to end on a tiny CIFAR-10.

The folder is written in the real format (pickled python batches); one short training run is shared by the
tests (module-scoped), then predict classifies PNGs with its checkpoint.
"""

from __future__ import annotations

import os
import pickle
import re

import numpy as np
import pytest
from PIL import Image

import minitorch_nn
from minitorch_nn.cli import main
from minitorch_nn.cli._vision import CIFAR10_CLASSES


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


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("vision_cli")
    data = str(root / "cifar-10-batches-py")
    write_tiny_cifar10(data)
    out = str(root / "run")
    argv = ["train", "--model", "resnet18", "--dataset", "cifar10", "--data-dir", str(root)]
    argv += ["--epochs", "1", "--limit", "32", "--batch-size", "8", "--tensorboard", "--out", out]
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
