"""Torch twins of the seed models: the same definitions as minitorch_nn.models, built with torch.

``lenet()`` is seeds 000-002's ``Net`` (with num_flat_features, 1x32x32 input),
``cifar()`` seed 003's CIFAR-10 Sequential ``Model``, ``lenet_sequential()`` seed
004's ``Net`` with ``features``/``classifier`` (3x32x32), ``mlp()`` a two-layer
perceptron. Copy weights across with ``reference.bridge``.
"""

from __future__ import annotations

import torch

from minitorch_nn import models


def lenet() -> torch.nn.Module:
    return models.lenet(torch)()


def cifar() -> torch.nn.Module:
    return models.cifar(torch)()


def lenet_sequential() -> torch.nn.Module:
    return models.lenet_sequential(torch)()


def mlp() -> torch.nn.Module:
    return models.mlp(torch)()
