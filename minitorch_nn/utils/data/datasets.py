"""Datasets that need no download: scikit-learn's handwritten digits, and loaders for
MNIST IDX files and CIFAR-10 python batches in a local folder.

- ``digits()``: the 1797 real 8x8 scans that ship inside scikit-learn (16 grey
  levels), upsampled bilinearly to 32x32 so the seed LeNet runs on them
  unchanged, scaled to [-1, 1], with a fixed seeded 80/20 train/test split.
- ``mnist(root)``: ``train-images-idx3-ubyte`` / ``train-labels-idx1-ubyte`` and
  the ``t10k-`` pair (each optionally ``.gz``), in ``root`` or in torchvision's
  ``root/MNIST/raw``; 28x28 images padded to 32x32 as in the LeNet paper.
- ``cifar10(root)``: ``data_batch_1..5`` and ``test_batch`` (the python pickles),
  in ``root`` or ``root/cifar-10-batches-py``.

Every loader returns a TensorDataset of float32 images (N, C, 32, 32) and int64
labels. A missing folder or file, a wrong magic number or a file cut short
raises ``DatasetError`` naming the file.
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
    """scikit-learn's 1797 digits as (N, 1, size, size) float32 in [-1, 1].

    The split is a fixed permutation drawn from ``seed``: the same images are in
    the test set on every call and every machine; train and test never overlap.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise DatasetError("the digits dataset needs scikit-learn: pip install scikit-learn") from error
    data = load_digits()
    images = data.images.astype(np.float32) / 16.0  # 0..16 grey levels -> [0, 1]
    images = resize_bilinear(images, size) * 2 - 1
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    chosen = np.sort(order[n_test:] if train else order[:n_test])
    x = images[chosen][:, None, :, :].astype(np.float32)
    y = data.target[chosen].astype(np.int64)
    return TensorDataset(Tensor._make(np.ascontiguousarray(x)), Tensor._make(y))


def resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """(N, h, w) -> (N, size, size) by bilinear interpolation with aligned corners.

    Output pixel (i, j) samples the input at (i (h-1)/(size-1), j (w-1)/(size-1)),
    a weighted mean of its four neighbours, so corners map to corners exactly.
    """
    h, w = images.shape[1:]
    ys, xs = np.linspace(0, h - 1, size), np.linspace(0, w - 1, size)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    wy, wx = (ys - y0)[None, :, None], (xs - x0)[None, None, :]
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


def _find_folder(root: str, *subfolders: str) -> str:
    """``root`` itself, or the first of its ``subfolders`` (torchvision's layout) that exists."""
    if not os.path.isdir(root):
        raise DatasetError(f"{root}: no such folder")
    for sub in subfolders:
        if os.path.isdir(os.path.join(root, sub)):
            return os.path.join(root, sub)
    return root


def _read_bytes(path: str) -> tuple[str, bytes]:
    """The bytes of ``path`` (or of ``path``.gz, decompressed), and which file was read."""
    if not os.path.exists(path):
        if not os.path.exists(path + ".gz"):
            raise DatasetError(f"{path}: no such file (nor {os.path.basename(path)}.gz)")
        path += ".gz"
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return path, f.read()
        with open(path, "rb") as f:
            return path, f.read()
    except (OSError, EOFError) as error:  # a .gz cut short, or not gzip at all
        raise DatasetError(f"{path}: cannot be read ({error})") from error


def read_idx(path: str) -> np.ndarray:
    """An IDX file (MNIST's format) as a uint8 array.

    Layout: magic ``00 00 08 <ndim>`` (08: unsigned bytes), then ``ndim``
    big-endian uint32 sizes, then the data, row-major.
    """
    path, raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        magic = raw[:4].hex() if raw else "empty file"
        raise DatasetError(
            f"{path}: wrong magic number {magic}: not an IDX file of unsigned bytes "
            "(000008 then the number of dimensions expected: 00000803 for images, 00000801 for labels)"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path}: truncated: the header needs {header} bytes, the file has {len(raw)}")
    shape = struct.unpack(">" + "I" * ndim, raw[4:header])
    count = int(np.prod(shape))
    if len(raw) - header < count:
        raise DatasetError(f"{path}: truncated: {len(raw) - header} bytes of data, {count} expected for shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=header).reshape(shape).copy()


def mnist(root: str, train: bool = True) -> TensorDataset:
    """MNIST from its IDX files, scaled to [-1, 1] and padded to (N, 1, 32, 32) for LeNet."""
    folder = _find_folder(root, os.path.join("MNIST", "raw"))
    prefix = "train" if train else "t10k"
    images_path = os.path.join(folder, f"{prefix}-images-idx3-ubyte")
    labels_path = os.path.join(folder, f"{prefix}-labels-idx1-ubyte")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3:
        raise DatasetError(f"{images_path}: expected 3 dimensions (n, rows, columns), found shape {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise DatasetError(f"{labels_path}: expected {len(images)} labels, found shape {labels.shape}")
    x = images.astype(np.float32) / 127.5 - 1
    x = np.pad(x, ((0, 0), (2, 2), (2, 2)), constant_values=-1)[:, None]  # 28x28 -> 32x32 background
    return TensorDataset(Tensor._make(np.ascontiguousarray(x)), Tensor._make(labels.astype(np.int64)))


def cifar10(root: str, train: bool = True) -> TensorDataset:
    """CIFAR-10 from its python pickle batches, as (N, 3, 32, 32) float32 in [-1, 1].

    Each batch is a pickled dict with ``b"data"``: (n, 3072) uint8 rows (1024 red,
    then green, then blue values, each 32x32 row-major) and ``b"labels"``: n ints.
    """
    folder = _find_folder(root, "cifar-10-batches-py")
    names = [f"data_batch_{i}" for i in range(1, 6)] if train else ["test_batch"]
    xs, ys = [], []
    for name in names:
        path, raw = _read_bytes(os.path.join(folder, name))
        try:
            batch = pickle.loads(raw, encoding="bytes")
            data, labels = batch[b"data"], batch[b"labels"]
        except Exception as error:  # cut short, not a pickle, or a pickle of something else
            raise DatasetError(
                f"{path}: not a CIFAR-10 python batch ({type(error).__name__}: {error}); truncated or another format?"
            ) from error
        data = np.asarray(data, dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
            raise DatasetError(f"{path}: expected (n, 3072) images and n labels, got {data.shape} and {len(labels)}")
        xs.append(data.reshape(-1, 3, 32, 32))
        ys.append(np.asarray(labels, dtype=np.int64))
    x = np.concatenate(xs).astype(np.float32) / 127.5 - 1
    return TensorDataset(Tensor._make(x), Tensor._make(np.concatenate(ys)))
