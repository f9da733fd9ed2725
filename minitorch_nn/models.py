"""The seed models, written once against the torch API.

Each builder takes the torch-like module it should use (``minitorch_nn`` or
``torch``) and returns a model class, so the torch twins in
``reference/models.py`` are the very same code.
"""

from __future__ import annotations

from typing import Any


def lenet(torch: Any) -> type:
    """Seeds 000-002: LeNet with num_flat_features (input 1x32x32)."""
    nn = torch.nn
    F = torch.nn.functional  # noqa: N806  (the seeds call it F)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

        def num_flat_features(self, x: Any) -> int:
            num_features = 1
            for s in x.size()[1:]:
                num_features *= s
            return num_features

    return Net


def cifar(torch: Any, in_channels: int = 3) -> type:
    """Seed 003: the CIFAR-10 Sequential model (input 3x32x32)."""
    nn = torch.nn

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cifar = nn.Sequential(
                nn.Conv2d(in_channels, 6, (5, 5)),
                nn.MaxPool2d(2),
                nn.ReLU(True),
                nn.Conv2d(6, 16, (5, 5)),
                nn.MaxPool2d(2),
                nn.ReLU(True),
                nn.Flatten(),
                nn.Linear(400, 120),
                nn.ReLU(True),
                nn.Linear(120, 84),
                nn.ReLU(True),
                nn.Linear(84, 10),
            )

        def forward(self, input: Any) -> Any:
            return self.cifar(input)

    return Model


def lenet_sequential(torch: Any, in_channels: int = 3) -> type:
    """Seed 004: LeNet written with ``features`` and ``classifier`` Sequentials (input 3x32x32).

    The notes give the second convolution a 6x6 kernel, which leaves 16x4x4
    features where ``view(-1, 16 * 5 * 5)`` needs 16x5x5 (their code fails on a
    32x32 input); the kernel is 5 here, as in the LeNet it reimplements.
    """
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, 6, 5),
                nn.ReLU(),
                nn.MaxPool2d(2, 2),
                nn.Conv2d(6, 16, 5),
                nn.ReLU(),
                nn.MaxPool2d(2, 2),
            )
            self.classifier = nn.Sequential(
                nn.Linear(16 * 5 * 5, 120),
                nn.ReLU(),
                nn.Linear(120, 84),
                nn.ReLU(),
                nn.Linear(84, 10),
            )

        def forward(self, x: Any) -> Any:
            x = self.features(x)
            x = x.view(-1, 16 * 5 * 5)
            return self.classifier(x)

    return Net


def mlp(torch: Any, in_features: int = 32 * 32, hidden: int = 128) -> type:
    """A two-layer perceptron on flattened images."""
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.Sequential(nn.Flatten(), nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, 10))

        def forward(self, x: Any) -> Any:
            return self.layers(x)

    return MLP


MODELS = ("lenet", "cifar", "lenet-seq", "mlp")
CHANNELS = {"lenet": 1, "cifar": 3, "lenet-seq": 3, "mlp": 1}  # the input each seed model was written for


def build(name: str, torch: Any, in_channels: int = 1) -> Any:
    """An instance of model ``name`` (one of ``MODELS``) built with ``torch`` for ``in_channels`` images."""
    if name == "lenet":
        if in_channels != 1:
            raise ValueError("the seed LeNet takes 1-channel images; use --model cifar or lenet-seq for 3-channel data")
        return lenet(torch)()
    if name == "cifar":
        return cifar(torch, in_channels)()
    if name == "lenet-seq":
        return lenet_sequential(torch, in_channels)()
    if name == "mlp":
        return mlp(torch, in_channels * 32 * 32)()
    raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}")
