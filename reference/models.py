"""Torch twins of the seed models: the same definitions as minitorch_nn.models, built with torch."""

from __future__ import annotations

import torch

from minitorch_nn import models


def lenet() -> torch.nn.Module:
    return models.lenet(torch)()


def cifar() -> torch.nn.Module:
    return models.cifar(torch)()


def mlp() -> torch.nn.Module:
    return models.mlp(torch)()
