"""DataLoader, TensorDataset, default_collate, random_split and the dataset loaders.

Batches are checked against orders worked out by hand and against torch's own
default_collate; the MNIST and CIFAR-10 readers read back tiny files written
here in those formats, and damaged files must raise errors naming the file.
"""

from __future__ import annotations

import collections
import gzip
import pickle
import struct

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate as torch_collate

import minitorch_nn as mt
from minitorch_nn.utils.data import DataLoader, Dataset, TensorDataset, default_collate, random_split
from minitorch_nn.utils.data import datasets as data


def batches(loader):
    return [[t.tolist() for t in batch] for batch in loader]


def test_batches_in_order_with_a_short_last_one():
    x = mt.arange(7) * 10
    y = mt.arange(7)
    loader = DataLoader(TensorDataset(x, y), batch_size=3)
    assert len(loader) == 3
    assert batches(loader) == [[[0, 10, 20], [0, 1, 2]], [[30, 40, 50], [3, 4, 5]], [[60], [6]]]


def test_drop_last_and_len():
    ds = TensorDataset(mt.arange(7))
    assert len(DataLoader(ds, batch_size=3, drop_last=True)) == 2
    assert batches(DataLoader(ds, batch_size=3, drop_last=True)) == [[[0, 1, 2]], [[3, 4, 5]]]
    assert len(DataLoader(ds, batch_size=7, drop_last=True)) == 1
    assert len(DataLoader(ds, batch_size=8, drop_last=True)) == 0 and batches(DataLoader(ds, 8, drop_last=True)) == []
    assert len(DataLoader(ds)) == 7  # batch_size defaults to 1, as torch's


def test_shuffle_is_a_permutation_reproducible_by_seed_and_new_each_epoch():
    ds = TensorDataset(mt.arange(50), mt.arange(50) * 2)

    def epoch(loader):
        seen = []
        for xb, yb in loader:
            np.testing.assert_array_equal(yb.numpy(), 2 * xb.numpy())  # pairs stay together
            seen += xb.tolist()
        return seen

    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=mt.Generator().manual_seed(3))
    first, second = epoch(loader), epoch(loader)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != list(range(50)) and first != second  # shuffled, and afresh each epoch
    twin = DataLoader(ds, batch_size=8, shuffle=True, generator=mt.Generator().manual_seed(3))
    assert epoch(twin) == first and epoch(twin) == second
    other = DataLoader(ds, batch_size=8, shuffle=True, generator=mt.Generator().manual_seed(4))
    assert epoch(other) != first
    mt.manual_seed(5)
    global_first = epoch(DataLoader(ds, batch_size=8, shuffle=True))
    mt.manual_seed(5)
    assert epoch(DataLoader(ds, batch_size=8, shuffle=True)) == global_first  # the global seed governs too


class Squares(Dataset):
    """A map-style dataset read sample by sample (the generic, non-TensorDataset path)."""

    def __getitem__(self, i):
        return {"x": mt.tensor([float(i), float(i * i)]), "label": i % 3, "weight": 0.5 * i, "name": f"s{i}"}

    def __len__(self):
        return 5


def test_generic_dataset_is_collated_field_by_field():
    out = list(DataLoader(Squares(), batch_size=2))
    assert len(out) == 3
    np.testing.assert_array_equal(out[1]["x"].numpy(), np.array([[2.0, 4.0], [3.0, 9.0]], dtype=np.float32))
    assert out[1]["label"].tolist() == [2, 0] and out[1]["label"].dtype == mt.int64
    assert out[2]["weight"].tolist() == [2.0] and out[2]["weight"].dtype == mt.float64
    assert list(out[0]["name"]) == ["s0", "s1"]


def test_sampler_and_no_batching():
    ds = TensorDataset(mt.arange(7))
    assert batches(DataLoader(ds, batch_size=3, sampler=[6, 0, 1, 2])) == [[[6, 0, 1]], [[2]]]
    samples = list(DataLoader(ds, batch_size=None))
    assert len(samples) == 7 and samples[4][0].item() == 4


def plain(value):
    """A batch from either engine as plain Python: tensors become (dtype name, nested list)."""
    if isinstance(value, (mt.Tensor, torch.Tensor)):
        return (str(value.dtype).split(".")[-1], value.tolist())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize(
    "samples",
    [
        [(1, 2.5, True), (3, -1.0, False)],
        [np.array([1.0, 2.0], dtype=np.float32), np.array([3.0, 4.0], dtype=np.float32)],
        [np.float32(1.5), np.float32(2.5)],
        [{"a": np.arange(3), "b": 7}, {"a": np.arange(3, 6), "b": 8}],
        [[np.int64(1), "x"], [np.int64(2), "y"]],
    ],
)
def test_default_collate_matches_torch(samples):
    assert plain(default_collate(samples)) == plain(torch_collate(samples))


def test_default_collate_tensors_and_namedtuples_and_ragged_rows():
    out = default_collate([Point(mt.tensor([1.0, 2.0]), 3), Point(mt.tensor([4.0, 5.0]), 6)])
    assert isinstance(out, Point)
    np.testing.assert_array_equal(out.x.numpy(), [[1.0, 2.0], [4.0, 5.0]])
    assert out.y.tolist() == [3, 6]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([(1, 2), (3,)])


def test_dataloader_argument_errors_as_torch():
    ds = TensorDataset(mt.arange(4))
    for kwargs, message in [
        ({"batch_size": 0}, "batch_size should be a positive integer value, but got batch_size=0"),
        ({"shuffle": True, "sampler": [0, 1]}, "sampler option is mutually exclusive with shuffle"),
        ({"batch_size": None, "drop_last": True}, "mutually exclusive with drop_last"),
    ]:
        with pytest.raises(ValueError, match=message):
            DataLoader(ds, **kwargs)
        with pytest.raises(ValueError, match=message):
            torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(4)), **kwargs)
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(mt.zeros(3), mt.zeros(4))


def test_random_split_partitions_by_counts_and_fractions():
    ds = TensorDataset(mt.arange(10))
    parts = random_split(ds, [3, 7], generator=mt.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    values = [p[i][0].item() for p in parts for i in range(len(p))]
    assert sorted(values) == list(range(10)) and values != list(range(10))
    again = random_split(ds, [3, 7], generator=mt.Generator().manual_seed(0))
    assert [again[0][i][0].item() for i in range(3)] == values[:3]
    # fractions: floor(10 * f) = 3, 3, 3 and the one left over goes to the first split (torch's rule)
    assert [len(p) for p in random_split(ds, [0.33, 0.33, 0.34])] == [4, 3, 3]
    assert [len(p) for p in torch.utils.data.random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
        random_split(ds, [3, 3])


def test_digits_are_real_normalised_and_split_the_same_way_every_time():
    train, test = data.digits(train=True), data.digits(train=False)
    assert (len(train), len(test)) == (1438, 359)
    x, y = train.tensors
    assert tuple(x.shape[1:]) == (1, 32, 32) and x.dtype == mt.float32 and y.dtype == mt.int64
    assert x.numpy().min() == -1.0 and x.numpy().max() == 1.0
    assert set(np.unique(y.numpy())) == set(range(10)) and set(np.unique(test.tensors[1].numpy())) == set(range(10))
    # together, train and test are scikit-learn's 1797 images (compared by their four corners, which
    # upsampling with aligned corners keeps), so the split neither drops nor repeats an image
    from sklearn.datasets import load_digits

    raw = load_digits().images
    small = np.concatenate([x.numpy(), test.tensors[0].numpy()])[:, 0, ::31, ::31]  # the four corners
    corners = np.stack([raw[:, 0, 0], raw[:, 0, 7], raw[:, 7, 0], raw[:, 7, 7]], 1) / 8 - 1
    assert sorted(map(tuple, small.reshape(-1, 4).round(4))) == sorted(map(tuple, corners.round(4)))
    np.testing.assert_array_equal(data.digits(train=False).tensors[1].numpy(), test.tensors[1].numpy())


def test_bilinear_resize_by_hand():
    image = np.array([[[0.0, 1.0], [2.0, 3.0]]])
    out = data.resize_bilinear(image, 3)
    # corners stay, edge midpoints average two pixels, the centre averages all four
    np.testing.assert_allclose(out[0], [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]])


def _write_idx(path, array, gz=False):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(raw)


def test_mnist_idx_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28))
    labels = np.array([3, 1, 4, 1, 5])
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels, gz=True)
    x, y = data.mnist(str(tmp_path), train=False).tensors
    assert tuple(x.shape) == (5, 1, 32, 32) and x.dtype == mt.float32
    np.testing.assert_array_equal(y.numpy(), labels)
    np.testing.assert_allclose(x.numpy()[:, 0, 2:30, 2:30], images / 127.5 - 1, rtol=1e-6, atol=1e-6)
    assert np.all(x.numpy()[:, 0, :2] == -1) and np.all(x.numpy()[:, 0, :, 30:] == -1)  # padding is background
    # torchvision's layout root/MNIST/raw is found too
    raw = tmp_path / "tv" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _write_idx(raw / "train-images-idx3-ubyte", images[:2])
    _write_idx(raw / "train-labels-idx1-ubyte", labels[:2])
    assert data.mnist(str(tmp_path / "tv")).tensors[1].tolist() == [3, 1]


def test_idx_errors_name_the_file(tmp_path):
    bad = tmp_path / "train-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x09\x03" + b"\x00" * 12)
    with pytest.raises(data.DatasetError, match=r"train-images-idx3-ubyte: wrong magic number 00000903"):
        data.read_idx(str(bad))
    labels = tmp_path / "t10k-labels-idx1-ubyte"
    labels.write_bytes(b"\x08\x00\x00\x01" + b"\x00" * 8)  # bytes swapped: a little-endian writer
    with pytest.raises(data.DatasetError, match=r"t10k-labels-idx1-ubyte: wrong magic number 08000001.*00000801"):
        data.read_idx(str(labels))
    _write_idx(bad, np.zeros((4, 2, 2)))
    bad.write_bytes(bad.read_bytes()[:-3])
    with pytest.raises(data.DatasetError, match=r"train-images-idx3-ubyte: truncated: 13 bytes of data, 16 expected"):
        data.read_idx(str(bad))
    bad.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(data.DatasetError, match="train-images-idx3-ubyte: truncated: the header needs 16 bytes"):
        data.read_idx(str(bad))
    with pytest.raises(data.DatasetError, match="missing: no such folder"):
        data.mnist(str(tmp_path / "missing"))
    with pytest.raises(data.DatasetError, match="t10k-images-idx3-ubyte: no such file"):
        data.mnist(str(tmp_path), train=False)
    gz = tmp_path / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x09" + b"\x01" * 9)[:-6])
    with pytest.raises(data.DatasetError, match="t10k-images-idx3-ubyte.gz: cannot be read"):
        data.read_idx(str(tmp_path / "t10k-images-idx3-ubyte"))


def _cifar_batch(pixels, labels):
    return pickle.dumps({b"batch_label": b"testing", b"data": pixels, b"labels": labels})


def test_cifar_batches_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(3, 3072)).astype(np.uint8)
    (tmp_path / "test_batch").write_bytes(_cifar_batch(pixels, [7, 0, 2]))
    x, y = data.cifar10(str(tmp_path), train=False).tensors
    assert tuple(x.shape) == (3, 3, 32, 32) and x.dtype == mt.float32
    # channel planes of 1024 values each, rows of 32: pixel (c, r, k) is data[c * 1024 + r * 32 + k]
    assert x.numpy()[1, 2, 5, 7] == pytest.approx(pixels[1, 2 * 1024 + 5 * 32 + 7] / 127.5 - 1)
    np.testing.assert_allclose(x.numpy().reshape(3, -1), pixels / 127.5 - 1, rtol=1e-6, atol=1e-6)
    assert y.tolist() == [7, 0, 2]
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(_cifar_batch(pixels[:1], [i]))
    assert data.cifar10(str(tmp_path)).tensors[1].tolist() == [1, 2, 3, 4, 5]


def test_cifar_errors_name_the_file(tmp_path):
    pixels = np.zeros((3, 3072), dtype=np.uint8)
    (tmp_path / "test_batch").write_bytes(_cifar_batch(pixels, [7, 0, 2])[:50])
    with pytest.raises(data.DatasetError, match="test_batch: not a CIFAR-10 python batch"):
        data.cifar10(str(tmp_path), train=False)
    (tmp_path / "test_batch").write_bytes(_cifar_batch(pixels[:, :100], [7, 0, 2]))
    with pytest.raises(data.DatasetError, match=r"test_batch: expected \(n, 3072\) images"):
        data.cifar10(str(tmp_path), train=False)
    with pytest.raises(data.DatasetError, match="data_batch_1: no such file"):
        data.cifar10(str(tmp_path), train=True)
    with pytest.raises(data.DatasetError, match="nowhere: no such folder"):
        data.cifar10(str(tmp_path / "nowhere"))
