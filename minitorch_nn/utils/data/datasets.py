"""Datasets that need no download: scikit-learn's handwritten digits, and loaders for
MNIST IDX files and CIFAR-10 python batches in a local folder.

The digits (1797 real 8x8 scans shipped inside scikit-learn) are upsampled to
32x32 so the seed LeNet runs on them unchanged.
"""

from __future__ import annotations

import gzip
import os
import pickle
import struct

import numpy as np

from ...autograd.tensor import Tensor
from .dataset import TensorDataset


class DatasetError(RuntimeError):
    """A data file is missing, of another format, or cut short."""


def digits(train: bool = True, size: int = 32, test_fraction: float = 0.2, seed: int = 0) -> TensorDataset:
    """scikit-learn's 1797 digits as (N, 1, size, size) float32 in [-1, 1], with a fixed split."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise DatasetError("the digits dataset needs scikit-learn: pip install scikit-learn") from error
    data = load_digits()
    images = data.images.astype(np.float32) / 16.0  # 0..16 grey levels
    images = _resize_bilinear(images, size) * 2 - 1
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    chosen = order[n_test:] if train else order[:n_test]
    x = images[chosen][:, None, :, :].astype(np.float32)
    y = data.target[chosen].astype(np.int64)
    return TensorDataset(Tensor._make(np.ascontiguousarray(x)), Tensor._make(y))


def _resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """(N, h, w) -> (N, size, size) by bilinear interpolation with aligned corners."""
    h, w = images.shape[1:]
    ys, xs = np.linspace(0, h - 1, size), np.linspace(0, w - 1, size)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    wy, wx = (ys - y0)[None, :, None], (xs - x0)[None, None, :]
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


def _open(path: str) -> bytes:
    if not os.path.exists(path):
        if os.path.exists(path + ".gz"):
            path += ".gz"
        else:
            raise DatasetError(f"{path}: no such file")
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as error:
        raise DatasetError(f"{path}: cannot be read ({error})") from error


def read_idx(path: str) -> np.ndarray:
    """An IDX file (MNIST's format): magic 0x0000 08 <ndim>, big-endian sizes, then uint8 data."""
    raw = _open(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{path}: not an IDX file of unsigned bytes (wrong magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path}: truncated header")
    shape = struct.unpack(">" + "I" * ndim, raw[4:header])
    count = int(np.prod(shape))
    if len(raw) - header < count:
        raise DatasetError(f"{path}: truncated: {len(raw) - header} bytes of data, {count} expected for shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=header).reshape(shape)


def mnist(root: str, train: bool = True) -> TensorDataset:
    """MNIST from IDX files in ``root`` (optionally .gz), scaled to [-1, 1], padded to 32x32 for LeNet."""
    if not os.path.isdir(root):
        raise DatasetError(f"{root}: no such folder")
    prefix = "train" if train else "t10k"
    images = read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte"))
    if len(images) != len(labels):
        raise DatasetError(f"{root}: {len(images)} images but {len(labels)} labels")
    x = np.pad(images.astype(np.float32) / 127.5 - 1, ((0, 0), (2, 2), (2, 2)), constant_values=-1)[:, None]
    return TensorDataset(Tensor._make(np.ascontiguousarray(x)), Tensor._make(labels.astype(np.int64)))


def cifar10(root: str, train: bool = True) -> TensorDataset:
    """CIFAR-10 from its python pickle batches (data_batch_1..5, test_batch) in ``root``."""
    if not os.path.isdir(root):
        raise DatasetError(f"{root}: no such folder")
    names = [f"data_batch_{i}" for i in range(1, 6)] if train else ["test_batch"]
    xs, ys = [], []
    for name in names:
        path = os.path.join(root, name)
        raw = _open(path)
        try:
            batch = pickle.loads(raw, encoding="bytes")
            data, labels = batch[b"data"], batch[b"labels"]
        except Exception as error:  # a pickle cut short or of another shape
            raise DatasetError(f"{path}: not a CIFAR-10 python batch ({error})") from error
        data = np.asarray(data, dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
            raise DatasetError(f"{path}: expected (n, 3072) images and n labels, got {data.shape} and {len(labels)}")
        xs.append(data.reshape(-1, 3, 32, 32))
        ys.append(np.asarray(labels, dtype=np.int64))
    x = np.concatenate(xs).astype(np.float32) / 127.5 - 1
    return TensorDataset(Tensor._make(x), Tensor._make(np.concatenate(ys)))
