"""The torchvision models of ``minitorch-nn train`` and ``predict``: builders, CIFAR-10's classes and transforms.

The CIFAR-10 loader of ``utils.data.datasets`` gives (N, 3, 32, 32) images in [-1, 1]; the models here are
trained as torchvision's CIFAR recipes train them instead: pixels in [0, 1], then RandomCrop(32, padding=4)
and RandomHorizontalFlip per training image, then Normalize by CIFAR-10's channel mean and std.

Every engine path starts from the same model: minitorch_nn builds it under the run's seed (torchvision's
initialisation), and ``--engine torch`` converts that model with ``reference.bridge.to_torch`` (the same
modules, names and weights, so the state_dict keys are torchvision's), since torchvision itself is not
installed here. The augmentation draws from minitorch_nn's generator, reseeded from (seed, epoch) at every
epoch, so both engines, every process of a ``--nproc`` run and a resumed run see the same augmented batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minitorch_nn

from ..autograd.tensor import Tensor
from ..vision import models as vision_models
from ..vision import transforms as T

VISION_MODELS = ("vgg11", "vgg16", "resnet18", "mobilenet_v2")
INPUT_SIZE = 32  # CIFAR-10's side; predict resizes every picture to it
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)


def build_vision(name: str, num_classes: int) -> Any:
    return getattr(vision_models, name)(num_classes=num_classes)


def build_for(name: str, num_classes: int, seed: int, lib: Any) -> Any:
    """Model ``name`` built by minitorch_nn under ``seed``, converted to torch's twin when ``lib`` is torch.

    A model the bridge cannot convert is a SystemExit naming the submodule that has no torch twin.
    """
    minitorch_nn.manual_seed(seed)
    model = build_vision(name, num_classes)
    if lib is minitorch_nn:
        return model
    from reference.bridge import ConversionError, to_torch

    try:
        return to_torch(model)
    except ConversionError as error:
        raise SystemExit(f"--model {name} --engine torch: {error}") from error


def has_batchnorm(model: Any) -> bool:
    return any("BatchNorm" in type(m).__name__ for m in model.modules())


def seed_epoch(seed: int, epoch: int, lib: Any) -> None:
    """Seed the epoch's augmentation (minitorch_nn's generator) and dropout (``lib``'s): a stream apart from
    the loader's shuffling, which is seeded with ``seed * 100_003 + epoch``."""
    value = seed * 100_003 + epoch + 7_777_777
    minitorch_nn.manual_seed(value)
    if lib is not minitorch_nn:
        lib.manual_seed(value)


def train_transform() -> Any:
    return T.Compose(
        [T.RandomCrop(INPUT_SIZE, padding=4), T.RandomHorizontalFlip(), T.Normalize(CIFAR10_MEAN, CIFAR10_STD)]
    )


def test_transform() -> Any:
    """For a PIL picture: resize to the training side, to a [0, 1] tensor, normalized as in training."""
    return T.Compose([T.Resize((INPUT_SIZE, INPUT_SIZE)), T.ToTensor(), T.Normalize(CIFAR10_MEAN, CIFAR10_STD)])


def augment_batch(x: Tensor, transform: Any) -> Tensor:
    """``transform`` on each image of a batch in [-1, 1] (the loader's range), first brought back to [0, 1]."""
    unit = (x + 1) / 2
    return minitorch_nn.stack([transform(image) for image in unit])


def normalize_array(x: np.ndarray) -> np.ndarray:
    """The test images of the loader, [-1, 1], as Normalize(mean, std) of [0, 1] pixels gives them."""
    mean = np.asarray(CIFAR10_MEAN, dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.asarray(CIFAR10_STD, dtype=np.float32).reshape(1, 3, 1, 1)
    return (((x + 1) / 2 - mean) / std).astype(np.float32)
