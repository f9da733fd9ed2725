"""MNIST, FashionMNIST and KMNIST from the raw IDX files in torchvision's layout (``root/<Class>/raw``).

An IDX file is a big-endian header (two zero bytes, a type code, the number of dims, one uint32
per dim) followed by the array; 0x08 is uint8, the only type these datasets use. The raw files may
be there decompressed (as torchvision leaves them after a download) or still gzip-compressed.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from ...autograd.tensor import Tensor
from ...factories import from_numpy
from .utils import URLError, download_and_extract_archive, integrity_problem
from .vision import VisionDataset

_IDX_TYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_raw(path: str) -> bytes:
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return f.read()
    with gzip.open(path + ".gz", "rb") as f:
        return f.read()


def read_sn3_pascalvincent_ndarray(path: str, strict: bool = True) -> np.ndarray:
    """Read an IDX file (or its ``.gz``) into a NumPy array of its own shape and dtype."""
    data = _read_raw(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path} is not an IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if strict and len(data) - header != expected:
        raise RuntimeError(f"{path} holds {len(data) - header} bytes of data where its header promises {expected}")
    array = np.frombuffer(data, dtype=dtype, count=int(np.prod(shape)), offset=header)
    return array.astype(dtype.newbyteorder("=")).reshape(shape)


def read_label_file(path: str) -> Tensor:
    x = read_sn3_pascalvincent_ndarray(path, strict=False)
    if x.dtype != np.uint8 or x.ndim != 1:
        raise RuntimeError(f"{path}: a label file holds a 1-d uint8 array, got {x.ndim}-d {x.dtype}")
    return from_numpy(x.astype(np.int64))


def read_image_file(path: str) -> Tensor:
    x = read_sn3_pascalvincent_ndarray(path, strict=False)
    if x.dtype != np.uint8 or x.ndim != 3:
        raise RuntimeError(f"{path}: an image file holds a 3-d uint8 array, got {x.ndim}-d {x.dtype}")
    return from_numpy(np.ascontiguousarray(x))


class MNIST(VisionDataset):
    """MNIST: ``.data`` a uint8 (N, 28, 28) tensor, ``.targets`` an int64 (N,) tensor."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        missing = self._missing_files()
        if missing:
            raise RuntimeError(
                f"Dataset not found. You can use download=True to download it (missing: {', '.join(missing)})"
            )
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {_class: i for i, _class in enumerate(self.classes)}

    def _missing_files(self) -> list[str]:
        """The raw files present neither decompressed nor gzip-compressed. Their MD5s (the .gz files') are
        checked at download: the decompressed files have no published checksum."""
        paths = [os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]) for url, _ in self.resources]
        return [path for path in paths if integrity_problem(path) and integrity_problem(path + ".gz")]

    def _check_exists(self) -> bool:
        return not self._missing_files()

    def _load_data(self) -> tuple[Tensor, Tensor]:
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        if data.shape[0] != targets.shape[0]:
            raise RuntimeError(f"{self.raw_folder}: {data.shape[0]} images but {targets.shape[0]} labels")
        return data, targets

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def download(self) -> None:
        """Fetch each resource from the first mirror that answers, its MD5 checked, then decompress it."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    print(f"Downloading {url}")
                    download_and_extract_archive(url, download_root=self.raw_folder, filename=filename, md5=md5)
                except (URLError, OSError) as error:
                    print(f"Failed to download (trying next):\n{error}")
                    errors.append(f"{url}: {error}")
                    continue
                break
            else:
                raise RuntimeError(f"Error downloading {filename}: " + "; ".join(errors))

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """Fashion-MNIST: MNIST's format with ten kinds of clothing."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: MNIST's format with ten cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
