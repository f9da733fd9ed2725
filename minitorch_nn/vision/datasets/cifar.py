"""CIFAR10 / CIFAR100 from the python pickles in torchvision's layout (``root/cifar-10-batches-py``)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from .utils import download_and_extract_archive, integrity_problem, integrity_problems
from .vision import VisionDataset

NOT_FOUND = "Dataset not found or corrupted. You can use download=True to download it"


class CIFAR10(VisionDataset):
    """CIFAR-10: ``.data`` is a uint8 (N, 32, 32, 3) array, ``.targets`` a list of ints.

    Each batch file is a pickle of ``{"data": (N, 3072) uint8, "labels": [...]}`` (CIFAR-100:
    ``"fine_labels"``), the 3072 bytes being the red, green then blue 32x32 planes; every file's MD5
    is checked before anything is read.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

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
        problem = self._integrity_problem()
        if problem is not None:
            raise RuntimeError(f"{NOT_FOUND} ({problem})")
        downloaded_list = self.train_list if self.train else self.test_list
        data: list[np.ndarray] = []
        self.targets: list[int] = []
        for file_name, _ in downloaded_list:
            with open(os.path.join(self.root, self.base_folder, file_name), "rb") as f:
                entry = pickle.load(f, encoding="latin1")
            data.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self._load_meta()

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if integrity_problem(path, self.meta["md5"]) is not None:
            raise RuntimeError(
                f"Dataset metadata file not found or corrupted. You can use download=True to download it ({path})"
            )
        with open(path, "rb") as infile:
            data = pickle.load(infile, encoding="latin1")
        self.classes = data[self.meta["key"]]
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _integrity_problem(self) -> str | None:
        """None when every batch file is there with its MD5, else which file is missing or corrupted."""
        files = (
            (os.path.join(self.root, self.base_folder, name), md5) for name, md5 in self.train_list + self.test_list
        )
        return next(integrity_problems(files), None)

    def _check_integrity(self) -> bool:
        return self._integrity_problem() is None

    def download(self) -> None:
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """CIFAR-100: the same layout with one ``train`` and one ``test`` pickle and the fine labels."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
