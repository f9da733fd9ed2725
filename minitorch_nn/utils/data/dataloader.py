"""DataLoader: batches of a dataset, optionally shuffled by a seedable generator.

A TensorDataset is batched by slicing its tensors with the batch's indices
(one fancy-index per tensor); any other dataset is read sample by sample and
collated by ``default_collate`` (tensors and numbers are stacked, tuples and
dicts are collated field by field), as torch does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ...autograd.tensor import Tensor
from ...random import Generator, rng
from .dataset import Dataset, TensorDataset


def default_collate(samples: list[Any]) -> Any:
    first = samples[0]
    if isinstance(first, Tensor):
        return Tensor._make(np.stack([s._data for s in samples]))
    if isinstance(first, (int, np.integer)) and not isinstance(first, bool):
        return Tensor._make(np.asarray(samples, dtype=np.int64))
    if isinstance(first, (float, np.floating)):
        return Tensor._make(np.asarray(samples, dtype=np.float64))
    if isinstance(first, np.ndarray):
        return Tensor._make(np.stack(samples))
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (tuple, list)):
        return [default_collate(list(field)) for field in zip(*samples)]
    return samples


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``."""

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        *,
        drop_last: bool = False,
        generator: Generator | None = None,
        collate_fn: Any = None,
        num_workers: int = 0,
        **kwargs: Any,
    ) -> None:
        if batch_size is not None and batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, bool(shuffle)
        self.drop_last, self.generator = drop_last, generator
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        return rng(self.generator).permutation(n) if self.shuffle else np.arange(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        for b in range(len(self)):
            idx = order[b * self.batch_size : (b + 1) * self.batch_size]
            if isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate:
                yield [Tensor._make(t._data[idx]) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])
