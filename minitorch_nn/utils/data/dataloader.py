"""DataLoader: a dataset in batches, optionally shuffled by a seedable generator.

Each epoch (each ``iter(loader)``) draws an order of the indices: ``0..n-1``
without shuffling; with it, torch's permutation for the same seed (its
RandomSampler's draws: a base seed, then ``randperm`` from ``generator`` or from a
Generator seeded off the global one), so the batches are torch's and successive
epochs of one loader differ. The order is cut into batches of ``batch_size`` (the last one
shorter unless ``drop_last``), and each batch's samples are merged by
``collate_fn``, by default ``default_collate``, which stacks as torch does.

A TensorDataset batch is gathered with one fancy index per tensor instead of
reading and stacking sample by sample: the same result, without a Python loop
over the batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ... import random
from ...autograd.tensor import Tensor
from ...random import Generator
from .dataset import Dataset, IterableDataset, TensorDataset


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``.

    tensors and NumPy arrays are stacked along a new first dimension; Python ints
    become an int64 tensor, floats a float64 tensor, bools a bool tensor, NumPy
    scalars a tensor of their dtype; strings are returned as they are; dicts are
    collated key by key and tuples/lists field by field (giving a list).
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor._make(np.stack([s._data for s in batch]))
    if isinstance(first, np.ndarray):
        return Tensor._make(np.stack(batch))
    if isinstance(first, np.generic):
        return Tensor._make(np.asarray(batch, dtype=first.dtype))
    if isinstance(first, bool):
        return Tensor._make(np.asarray(batch, dtype=np.bool_))
    if isinstance(first, int):
        return Tensor._make(np.asarray(batch, dtype=np.int64))
    if isinstance(first, float):
        return Tensor._make(np.asarray(batch, dtype=np.float64))
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple keeps its type
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if any(len(s) != len(first) for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {type(first)}"
    )


def default_convert(data: Any) -> Any:
    """What a DataLoader without batching does to each sample, as torch's: NumPy arrays and NumPy
    scalars become tensors (arrays of strings or objects stay as they are), dicts, namedtuples and
    lists are converted item by item, a plain tuple becomes a list; anything else is kept."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        return data if data.dtype.kind in "USO" else Tensor._make(np.asarray(data))
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def get_worker_info() -> None:
    """None: the DataLoader reads its data in the calling process, as torch's does with num_workers=0."""
    return None


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` (torch's signature; one process, no pinning).

    ``sampler`` may be any iterable of indices (mutually exclusive with
    ``shuffle``), ``batch_sampler`` any iterable of lists of indices (then it alone
    decides the batches); ``batch_size=None`` turns batching off and yields the
    samples one by one. ``num_workers`` and the other multiprocessing options are accepted
    and ignored: loading happens in the calling process.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Any = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        **kwargs: Any,
    ) -> None:
        if batch_size is not None and (isinstance(batch_size, bool) or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if isinstance(dataset, IterableDataset):
            # the stream decides the order: nothing may reorder it
            if shuffle not in {False, None}:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
                )
            for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value is not None:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, but got {name}={value}"
                    )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        self.batch_sampler = batch_sampler
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, bool(shuffle)
        self.sampler, self.drop_last, self.generator = sampler, drop_last, generator
        self.num_workers = num_workers
        # without batching, torch's default is to convert each sample (arrays to tensors), not to stack
        batching = batch_size is not None or batch_sampler is not None
        self.collate_fn = collate_fn or (default_collate if batching else default_convert)

    def _indices(self) -> Sequence[int]:
        # torch draws a base seed for its workers on every iteration, shuffled or not, then its
        # RandomSampler seeds a fresh Generator from the global one (unless given one) for randperm
        random.full_range_integers(1, np.dtype(np.int64), self.generator)
        if self.sampler is not None:
            return list(self.sampler)
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        generator = self.generator
        if generator is None:
            seed = int(random.full_range_integers(1, np.dtype(np.int64))[0])
            generator = Generator().manual_seed(seed)
        return random.permutation(n, generator)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)  # type: ignore[arg-type]
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _iter_stream(self) -> Iterator[Any]:
        random.full_range_integers(1, np.dtype(np.int64), self.generator)  # the workers' base seed
        if self.batch_size is None:
            for sample in self.dataset:  # type: ignore[attr-defined]
                yield self.collate_fn(sample)
            return
        batch: list[Any] = []
        for sample in self.dataset:  # type: ignore[attr-defined]
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream()
            return
        if self.batch_sampler is not None:
            random.full_range_integers(1, np.dtype(np.int64), self.generator)  # the workers' base seed
            for batch in self.batch_sampler:
                yield self.collate_fn([self.dataset[int(i)] for i in batch])
            return
        order = np.asarray(self._indices(), dtype=np.int64)
        if self.batch_size is None:
            for i in order:
                yield self.collate_fn(self.dataset[int(i)])
            return
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate
        for start in range(0, stop, self.batch_size):
            idx = order[start : start + self.batch_size]
            if fast:
                yield [Tensor._make(t._data[idx]) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])
