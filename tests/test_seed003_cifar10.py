"""Seed 003's CIFAR-10 program as written, with only its imports pointed at this project (examples/seed003_cifar10.py).

The program (the notes' appendix "cifa10 案例" and its "模型测试") trains the LeNet-like model for
20 epochs on ``../asset/cifa10`` with ``download=True``, logs to ``../logs`` with SummaryWriter,
saves the whole model each epoch under ``../model``, then classifies ``../asset/cat.jpeg`` with the
last checkpoint loaded with ``map_location``. The test builds that directory tree around a working
folder: a tiny CIFAR-10 in torchvision's format (so download=True finds it verified and fetches
nothing) and a JPEG.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import types

import numpy as np
from PIL import Image

import minitorch_nn.vision as torchvision
from tests.test_tensorboard import events

# the program, verbatim but for its four import lines, as a user runs it
PROGRAM_FILE = os.path.join(os.path.dirname(__file__), os.pardir, "examples", "seed003_cifar10.py")
IMPORTS = """\
import minitorch_nn as torch
import minitorch_nn.vision as torchvision
from minitorch_nn.utils.tensorboard import SummaryWriter
from PIL import Image
"""


CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_tiny_cifar10(folder: str, monkeypatch) -> None:
    """Six batches of 8 images (the classes as flat colours plus noise) and the meta pickle, their MD5s registered."""
    os.makedirs(folder)
    rng = np.random.RandomState(0)
    md5 = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.randint(0, 10, size=8)
        images = (labels[:, None] * 25 + rng.randint(0, 20, size=(8, 3072))).astype(np.uint8)
        blob = pickle.dumps({"data": images, "labels": labels.tolist(), "batch_label": name})
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)
        md5[name] = hashlib.md5(blob).hexdigest()
    meta = pickle.dumps({"label_names": CLASSES, "num_cases_per_batch": 8})
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        f.write(meta)
    C = torchvision.datasets.CIFAR10
    monkeypatch.setattr(C, "train_list", [[f"data_batch_{i}", md5[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(C, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(
        C, "meta", {"filename": "batches.meta", "key": "label_names", "md5": hashlib.md5(meta).hexdigest()}
    )
    # download=True must find the files verified: any request would fail loudly
    monkeypatch.setattr(C, "url", "http://127.0.0.1:9/unreachable.tar.gz")


def scalar_tags(log_dir: str) -> list[tuple[str, int]]:
    """(tag, step) of every scalar in the run, read from the TFRecord/protobuf bytes."""
    return [(v[1][0].decode(), e["step"]) for e in events(log_dir) if "values" in e for v in e["values"]]


def test_seed003_program_runs_as_written(tmp_path, monkeypatch, capsys):
    work = tmp_path / "notebook"
    work.mkdir()
    (tmp_path / "model").mkdir()
    write_tiny_cifar10(str(tmp_path / "asset" / "cifa10" / "cifar-10-batches-py"), monkeypatch)
    cat = np.zeros((40, 50, 3), np.uint8)
    cat[..., 0] = 90
    Image.fromarray(cat).save(tmp_path / "asset" / "cat.jpeg")
    monkeypatch.chdir(work)

    # run as a script's __main__ would be: a module of its own, so torch.save can pickle its Model class
    module = types.ModuleType("seed003")
    monkeypatch.setitem(sys.modules, "seed003", module)
    with open(PROGRAM_FILE, encoding="utf-8") as f:
        program = f.read()
    assert IMPORTS in program  # only the imports differ from the notes
    exec(compile(program, "seed003_cifar10.py", "exec"), module.__dict__)
    namespace = module.__dict__

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "--------------epoch 0 ----------------"
    losses = [float(line.split("loss: ")[1]) for line in out if line.startswith("epoch: ") and "loss" in line]
    accuracies = [float(line.split("accuracy: ")[1]) for line in out if "accuracy" in line]
    assert len(losses) == 20 and len(accuracies) == 20
    assert losses[-1] < losses[0]  # Adam fits the 40 training images
    assert out[-1] in CLASSES
    assert sorted(os.listdir(tmp_path / "model")) == sorted(f"cifar_{i}.pth" for i in range(20))
    tags = scalar_tags(str(tmp_path / "logs"))
    assert tags[:2] == [("train loss", 0), ("test accuracy", 0)] and tags[-1] == ("test accuracy", 19)
    assert len(namespace["trainImages"]) == 40 and len(namespace["testImages"]) == 8
    # the checkpoint it loaded is the model it trained
    assert namespace["cifarNet"].cifar[0].weight.shape == (6, 3, 5, 5)
