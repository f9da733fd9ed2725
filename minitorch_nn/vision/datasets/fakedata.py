"""FakeData: random images, the same ones for the same index (each drawn after manual_seed(index + offset))."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import random
from ...autograd.types import int64
from ...factories import randint, randn
from .. import transforms
from .vision import VisionDataset


class FakeData(VisionDataset):
    """``size`` images of ``image_size`` (C, H, W) from ``randn``, labels from ``randint``, as torchvision's.

    The global generator's state is saved and restored around each draw, so reading samples does not
    disturb the caller's random stream.
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: tuple[int, int, int] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        random_offset: int = 0,
    ) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng_state = random.get_rng_state()
        random.manual_seed(index + self.random_offset)
        img = randn(*self.image_size)
        target = randint(0, self.num_classes, size=(1,), dtype=int64)[0]
        random.set_rng_state(rng_state)
        img = transforms.ToPILImage()(img)
        target = target.item()
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return self.size
