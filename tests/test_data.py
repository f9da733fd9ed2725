"""DataLoader, TensorDataset and the dataset loaders (tiny files written here, read back)."""

from __future__ import annotations

import gzip
import pickle
import struct

import numpy as np
import pytest

import minitorch_nn as mt
from minitorch_nn.utils.data import DataLoader, TensorDataset
from minitorch_nn.utils.data import datasets as data


def test_dataloader_batches_cover_the_dataset_once():
    x = mt.arange(10).view(10, 1)
    y = mt.arange(10) * 2
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True, generator=mt.Generator().manual_seed(3))
    seen = []
    for xb, yb in loader:
        np.testing.assert_array_equal(yb.numpy(), xb.numpy()[:, 0] * 2)
        seen += xb.numpy()[:, 0].tolist()
    assert sorted(seen) == list(range(10)) and len(loader) == 3
    again = [
        xb.numpy()[:, 0].tolist()
        for xb, _ in DataLoader(
            TensorDataset(x, y), batch_size=4, shuffle=True, generator=mt.Generator().manual_seed(3)
        )
    ]
    first = [xb.numpy()[:, 0].tolist() for xb, _ in loader]
    assert len(again) == len(first)


def test_shuffle_is_reproducible_and_drop_last():
    ds = TensorDataset(mt.arange(7))

    def order(seed):
        return [
            b[0].tolist()
            for b in DataLoader(ds, batch_size=3, shuffle=True, generator=mt.Generator().manual_seed(seed))
        ]

    assert order(1) == order(1)
    assert [len(b[0]) for b in DataLoader(ds, batch_size=3, drop_last=True)] == [3, 3]
    assert [b[0].tolist() for b in DataLoader(ds, batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]


def test_digits_are_real_and_split():
    train, test = data.digits(train=True), data.digits(train=False)
    assert len(train) + len(test) == 1797
    assert tuple(train.tensors[0].shape[1:]) == (1, 32, 32)
    assert set(np.unique(train.tensors[1].numpy())) == set(range(10))


def _write_idx(path, array, gz=False):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    (gzip.open if gz else open)(path, "wb").write(raw)


def test_mnist_idx_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28))
    labels = np.array([3, 1, 4, 1, 5])
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels, gz=True)
    ds = data.mnist(str(tmp_path), train=False)
    x, y = ds.tensors
    assert tuple(x.shape) == (5, 1, 32, 32)
    np.testing.assert_array_equal(y.numpy(), labels)
    np.testing.assert_allclose(x.numpy()[:, 0, 2:30, 2:30], images / 127.5 - 1, rtol=1e-5, atol=1e-6)


def test_idx_errors_name_the_file(tmp_path):
    bad = tmp_path / "train-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x09\x03" + b"\x00" * 12)
    with pytest.raises(data.DatasetError, match="train-images-idx3-ubyte.*magic"):
        data.read_idx(str(bad))
    _write_idx(bad, np.zeros((4, 2, 2)))
    bad.write_bytes(bad.read_bytes()[:-3])
    with pytest.raises(data.DatasetError, match="train-images-idx3-ubyte: truncated"):
        data.read_idx(str(bad))
    with pytest.raises(data.DatasetError, match="no such folder"):
        data.mnist(str(tmp_path / "missing"))


def test_cifar_batches_round_trip_and_errors(tmp_path):
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(3, 3072)).astype(np.uint8)
    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"data": pixels, b"labels": [7, 0, 2]}))
    x, y = data.cifar10(str(tmp_path), train=False).tensors
    assert tuple(x.shape) == (3, 3, 32, 32)
    np.testing.assert_allclose(x.numpy().reshape(3, -1), pixels / 127.5 - 1, rtol=1e-5, atol=1e-6)
    assert y.tolist() == [7, 0, 2]
    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"data": pixels, b"labels": [7, 0, 2]})[:50])
    with pytest.raises(data.DatasetError, match="test_batch"):
        data.cifar10(str(tmp_path), train=False)
