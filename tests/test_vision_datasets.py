"""minitorch_nn.vision.datasets: torchvision's file formats and layouts, integrity checks and downloads.

Every dataset is written here in its real on-disk format (CIFAR's pickles, MNIST's IDX files,
class folders of PNGs). Downloads are served by an http.server on 127.0.0.1 in a thread that stops
by itself; nothing leaves this machine.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import io
import os
import pickle
import tarfile
import threading

import numpy as np
import pytest
from PIL import Image

import minitorch_nn as torch
import minitorch_nn.vision as torchvision
from minitorch_nn.vision.datasets import utils as dutils

NOT_FOUND = "Dataset not found or corrupted. You can use download=True to download it"


def md5_of(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# ---- CIFAR in its own format --------------------------------------------------------------------


def cifar_batch(n: int, seed: int, label_key: str = "labels", classes: int = 10) -> tuple[bytes, np.ndarray, list]:
    rng = np.random.RandomState(seed)
    data = rng.randint(0, 256, size=(n, 3072)).astype(np.uint8)
    labels = rng.randint(0, classes, size=n).tolist()
    return pickle.dumps({"data": data, label_key: labels, "batch_label": b"batch"}), data, labels


CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_cifar10(root: str, n_per_batch: int = 2) -> dict:
    """A tiny CIFAR-10 in cifar-10-batches-py; returns the file MD5s, the arrays and the archive bytes."""
    folder = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    files, md5s, arrays = {}, {}, {}
    for k, name in enumerate(
        ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
    ):
        blob, data, labels = cifar_batch(n_per_batch, k)
        files[name], md5s[name], arrays[name] = blob, md5_of(blob), (data, labels)
    meta = pickle.dumps({"label_names": CIFAR10_NAMES, "num_cases_per_batch": n_per_batch})
    files["batches.meta"], md5s["batches.meta"] = meta, md5_of(meta)
    for name, blob in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)
    return {"md5": md5s, "arrays": arrays, "files": files}


def tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, blob in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buffer.getvalue()


@pytest.fixture
def tiny_cifar10(monkeypatch):
    """CIFAR10 whose class attributes carry the MD5s of the tiny files the test writes."""

    def install(info: dict) -> None:
        md5 = info["md5"]
        monkeypatch.setattr(
            torchvision.datasets.CIFAR10,
            "train_list",
            [[f"data_batch_{i}", md5[f"data_batch_{i}"]] for i in range(1, 6)],
        )
        monkeypatch.setattr(torchvision.datasets.CIFAR10, "test_list", [["test_batch", md5["test_batch"]]])
        monkeypatch.setattr(
            torchvision.datasets.CIFAR10,
            "meta",
            {"filename": "batches.meta", "key": "label_names", "md5": md5["batches.meta"]},
        )

    return install


def test_cifar10_reads_the_pickles(tmp_path, tiny_cifar10):
    info = write_cifar10(str(tmp_path))
    tiny_cifar10(info)
    train = torchvision.datasets.CIFAR10(str(tmp_path), train=True)
    test = torchvision.datasets.CIFAR10(str(tmp_path), train=False)
    assert len(train) == 10 and len(test) == 2
    assert train.data.shape == (10, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.classes == CIFAR10_NAMES and train.class_to_idx["cat"] == 3
    data, labels = info["arrays"]["data_batch_2"]
    # the rows are the red, green, blue planes of 32x32, read as HWC
    expected = data[1].reshape(3, 32, 32).transpose(1, 2, 0)
    img, target = train[3]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), expected)
    assert target == labels[1] and isinstance(target, int)
    assert train.targets[:2] == info["arrays"]["data_batch_1"][1]
    assert test.targets == info["arrays"]["test_batch"][1]


def test_cifar10_transforms_and_repr(tmp_path, tiny_cifar10):
    tiny_cifar10(write_cifar10(str(tmp_path)))
    to_tensor = torchvision.transforms.ToTensor()
    ds = torchvision.datasets.CIFAR10(
        str(tmp_path), train=False, transform=to_tensor, target_transform=lambda t: t + 100
    )
    x, y = ds[0]
    assert x.shape == torch.Size([3, 32, 32]) and x.dtype == torch.float32
    np.testing.assert_allclose(x.numpy(), ds.data[0].transpose(2, 0, 1) / 255.0, rtol=1e-6)
    assert y == ds.targets[0] + 100
    text = repr(ds).splitlines()
    assert text[:5] == [
        "Dataset CIFAR10",
        "    Number of datapoints: 2",
        f"    Root location: {tmp_path}",
        "    Split: Test",
        "    StandardTransform",
    ]
    # torchvision indents only the first line of the (multi-line) transforms repr
    assert text[5] == "Transform: ToTensor()"
    assert text[6].startswith("Target transform: <function")


def test_cifar10_class_attributes_are_torchvisions():
    C = torchvision.datasets.CIFAR10
    assert C.base_folder == "cifar-10-batches-py"
    assert C.url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert C.filename == "cifar-10-python.tar.gz" and C.tgz_md5 == "c58f30108f718f92721af3b95e74349a"
    assert [name for name, _ in C.train_list] == [f"data_batch_{i}" for i in range(1, 6)]
    assert C.test_list == [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    assert C.meta == {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    D = torchvision.datasets.CIFAR100
    assert D.base_folder == "cifar-100-python" and D.train_list[0][0] == "train" and D.meta["key"] == "fine_label_names"


def test_cifar100_fine_labels(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    train, data, labels = cifar_batch(3, 7, label_key="fine_labels", classes=100)
    test, _, _ = cifar_batch(2, 8, label_key="fine_labels", classes=100)
    names = [f"c{i}" for i in range(100)]
    meta = pickle.dumps({"fine_label_names": names, "coarse_label_names": ["x"] * 20})
    for name, blob in [("train", train), ("test", test), ("meta", meta)]:
        (folder / name).write_bytes(blob)
    monkeypatch.setattr(torchvision.datasets.CIFAR100, "train_list", [["train", md5_of(train)]])
    monkeypatch.setattr(torchvision.datasets.CIFAR100, "test_list", [["test", md5_of(test)]])
    monkeypatch.setattr(
        torchvision.datasets.CIFAR100, "meta", {"filename": "meta", "key": "fine_label_names", "md5": md5_of(meta)}
    )
    ds = torchvision.datasets.CIFAR100(str(tmp_path))
    assert ds.targets == labels and ds.classes == names and len(ds) == 3
    np.testing.assert_array_equal(np.asarray(ds[2][0]), data[2].reshape(3, 32, 32).transpose(1, 2, 0))


def test_cifar10_missing_or_corrupted_file_is_named(tmp_path, tiny_cifar10):
    info = write_cifar10(str(tmp_path))
    tiny_cifar10(info)
    batch = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    batch.write_bytes(b"corrupted")
    with pytest.raises(RuntimeError, match=NOT_FOUND) as error:
        torchvision.datasets.CIFAR10(str(tmp_path))
    assert str(batch) in str(error.value) and "MD5" in str(error.value)
    batch.unlink()
    with pytest.raises(RuntimeError, match="data_batch_3 is missing"):
        torchvision.datasets.CIFAR10(str(tmp_path))
    with pytest.raises(RuntimeError, match=NOT_FOUND):
        torchvision.datasets.CIFAR10(str(tmp_path / "nowhere"))


def test_cifar10_corrupted_meta(tmp_path, tiny_cifar10):
    tiny_cifar10(write_cifar10(str(tmp_path)))
    (tmp_path / "cifar-10-batches-py" / "batches.meta").write_bytes(b"x")
    with pytest.raises(RuntimeError, match="Dataset metadata file not found or corrupted"):
        torchvision.datasets.CIFAR10(str(tmp_path))


# ---- downloads from a loopback server -------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[bytes, int | None]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path not in self.routes:
            self.send_error(404)
            return
        body, claimed_length = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(claimed_length if claimed_length is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(routes: dict[str, tuple[bytes, int | None]]):
    """An HTTP server on 127.0.0.1 (a free port) serving ``routes``; shut down on exit, and by a timer."""
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    watchdog = threading.Timer(60, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(5)


def cifar_archive(tmp_path) -> tuple[bytes, dict]:
    source = tmp_path / "source"
    info = write_cifar10(str(source))
    members = {f"cifar-10-batches-py/{name}": blob for name, blob in info["files"].items()}
    return tar_gz(members), info


def leftovers(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_cifar10_download_verifies_and_extracts(tmp_path, tiny_cifar10, capsys):
    archive, info = cifar_archive(tmp_path)
    tiny_cifar10(info)
    root = tmp_path / "data"
    with serve({"/cifar.tar.gz": (archive, None)}) as base:
        C = torchvision.datasets.CIFAR10
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(C, "url", base + "/cifar.tar.gz")
            mp.setattr(C, "tgz_md5", md5_of(archive))
            ds = C(str(root), train=True, download=True)
            assert len(ds) == 10 and ds.classes == CIFAR10_NAMES
            err = capsys.readouterr().err
            assert "100%" in err  # the progress bar reached the end
            # a second construction finds everything verified and downloads nothing
            C(str(root), train=False, download=True)
    assert (root / "cifar-10-python.tar.gz").read_bytes() == archive
    assert not [p for p in leftovers(root) if ".part" in p or ".extract-" in p]


def test_download_with_wrong_checksum_leaves_nothing(tmp_path, tiny_cifar10):
    archive, info = cifar_archive(tmp_path)
    tiny_cifar10(info)
    root = tmp_path / "data"
    with serve({"/cifar.tar.gz": (archive, None)}) as base:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(torchvision.datasets.CIFAR10, "url", base + "/cifar.tar.gz")
            mp.setattr(torchvision.datasets.CIFAR10, "tgz_md5", "0" * 32)
            with pytest.raises(RuntimeError, match="cifar-10-python.tar.gz does not have MD5 0000"):
                torchvision.datasets.CIFAR10(str(root), download=True)
    assert leftovers(root) == []


def test_truncated_download_leaves_nothing(tmp_path, tiny_cifar10):
    archive, info = cifar_archive(tmp_path)
    tiny_cifar10(info)
    root = tmp_path / "data"
    # the server promises the whole archive but sends half of it
    with serve({"/cifar.tar.gz": (archive[: len(archive) // 2], len(archive))}) as base:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(torchvision.datasets.CIFAR10, "url", base + "/cifar.tar.gz")
            mp.setattr(torchvision.datasets.CIFAR10, "tgz_md5", md5_of(archive))
            with pytest.raises(Exception, match="(?i)truncated|incomplete|IncompleteRead"):
                torchvision.datasets.CIFAR10(str(root), download=True)
    assert leftovers(root) == []


def test_truncated_archive_extracts_nothing(tmp_path):
    archive, _ = cifar_archive(tmp_path)
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(archive[: len(archive) // 2])
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="broken.tar.gz is a truncated or corrupted archive"):
        dutils.extract_archive(str(path), str(out))
    assert leftovers(out) == []


def test_path_traversal_member_is_refused(tmp_path):
    root = tmp_path / "root"
    with serve({"/evil.tar.gz": (evil := tar_gz({"ok.txt": b"fine", "../escaped.txt": b"bad"}), None)}) as base:
        with pytest.raises(RuntimeError, match=r"member '../escaped.txt' would land outside"):
            dutils.download_and_extract_archive(base + "/evil.tar.gz", str(root), md5=md5_of(evil))
    assert not (tmp_path / "escaped.txt").exists()
    assert not (root / "ok.txt").exists()  # nothing of a refused archive is extracted
    absolute = tmp_path / "abs.tar.gz"
    absolute.write_bytes(tar_gz({"/tmp/abs-escape.txt": b"bad"}))
    with pytest.raises(RuntimeError, match="would land outside"):
        dutils.extract_archive(str(absolute), str(root))


def test_symlink_member_leaving_root_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        link = tarfile.TarInfo("link")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../etc"
        tar.addfile(link)
    path = tmp_path / "link.tar.gz"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(RuntimeError, match="would land outside"):
        dutils.extract_archive(str(path), str(tmp_path / "out"))


def test_check_integrity_and_md5(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    assert dutils.calculate_md5(str(path)) == "900150983cd24fb0d6963f7d28e17f72"
    assert dutils.check_integrity(str(path)) and dutils.check_integrity(str(path), "900150983cd24fb0d6963f7d28e17f72")
    assert not dutils.check_integrity(str(path), "0" * 32)
    assert not dutils.check_integrity(str(tmp_path / "missing"))


# ---- MNIST family --------------------------------------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def mnist_files(seed: int, n: int = 3) -> dict[str, tuple[bytes, np.ndarray]]:
    rng = np.random.RandomState(seed)
    out = {}
    for prefix, count in [("train", n), ("t10k", 2)]:
        images = rng.randint(0, 256, size=(count, 28, 28)).astype(np.uint8)
        labels = rng.randint(0, 10, size=count).astype(np.uint8)
        out[f"{prefix}-images-idx3-ubyte"] = (idx_bytes(images), images)
        out[f"{prefix}-labels-idx1-ubyte"] = (idx_bytes(labels), labels)
    return out


@pytest.mark.parametrize("cls", ["MNIST", "FashionMNIST", "KMNIST"])
@pytest.mark.parametrize("compressed", [False, True])
def test_mnist_family_reads_raw_idx(tmp_path, cls, compressed):
    dataset_cls = getattr(torchvision.datasets, cls)
    raw = tmp_path / cls / "raw"
    raw.mkdir(parents=True)
    files = mnist_files(1)
    for name, (blob, _) in files.items():
        if compressed:
            (raw / (name + ".gz")).write_bytes(gzip.compress(blob))
        else:
            (raw / name).write_bytes(blob)
    train = dataset_cls(str(tmp_path), train=True)
    test = dataset_cls(str(tmp_path), train=False)
    assert train.data.dtype == torch.uint8 and train.data.shape == torch.Size([3, 28, 28])
    assert train.targets.dtype == torch.int64 and len(test) == 2
    np.testing.assert_array_equal(train.data.numpy(), files["train-images-idx3-ubyte"][1])
    np.testing.assert_array_equal(test.targets.numpy(), files["t10k-labels-idx1-ubyte"][1])
    img, target = train[1]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), files["train-images-idx3-ubyte"][1][1])
    assert target == int(files["train-labels-idx1-ubyte"][1][1]) and type(target) is int
    assert len(train.classes) == 10 and train.class_to_idx[train.classes[4]] == 4
    assert train.raw_folder == os.path.join(str(tmp_path), cls, "raw")


def test_mnist_class_attributes():
    M = torchvision.datasets.MNIST
    assert M.mirrors[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert [name for name, _ in M.resources] == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    assert M.classes[0] == "0 - zero" and M.training_file == "training.pt"
    assert torchvision.datasets.FashionMNIST.classes[-1] == "Ankle boot"
    assert torchvision.datasets.KMNIST.classes[:3] == ["o", "ki", "su"]


def test_mnist_missing_and_bad_files(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to download it"):
        torchvision.datasets.MNIST(str(tmp_path))
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, (blob, _) in mnist_files(2).items():
        (raw / name).write_bytes(blob if "t10k-images" not in name else b"\x01\x02\x03\x04")
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte is not an IDX file"):
        torchvision.datasets.MNIST(str(tmp_path), train=False)
    (raw / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(RuntimeError, match="missing: .*train-labels-idx1-ubyte"):
        torchvision.datasets.MNIST(str(tmp_path))


def test_mnist_download_tries_the_mirrors(tmp_path, monkeypatch, capsys):
    files = mnist_files(3)
    gz = {name: gzip.compress(blob) for name, (blob, _) in files.items()}
    resources = [(name + ".gz", md5_of(gz[name])) for name in files]
    monkeypatch.setattr(torchvision.datasets.MNIST, "resources", resources)
    with serve({f"/good/{name}.gz": (blob, None) for name, blob in gz.items()}) as base:
        monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [base + "/missing/", base + "/good/"])
        ds = torchvision.datasets.MNIST(str(tmp_path), train=True, download=True)
    assert "Failed to download (trying next)" in capsys.readouterr().out
    np.testing.assert_array_equal(ds.data.numpy(), files["train-images-idx3-ubyte"][1])
    raw = tmp_path / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(list(files) + [n + ".gz" for n in files])


def test_mnist_download_all_mirrors_fail(tmp_path, monkeypatch):
    with serve({}) as base:
        monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [base + "/a/", base + "/b/"])
        with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz"):
            torchvision.datasets.MNIST(str(tmp_path), download=True)
    assert [p for p in (tmp_path / "MNIST" / "raw").iterdir()] == []


# ---- folders and fake data -------------------------------------------------------------------------


def make_image_folder(root) -> dict:
    rng = np.random.RandomState(0)
    arrays = {}
    for cls in ["dog", "cat"]:
        (root / cls / "sub").mkdir(parents=True)
        for k, name in enumerate(["b.png", "a.PNG", "sub/c.bmp"]):
            array = rng.randint(0, 256, size=(4, 5, 3)).astype(np.uint8)
            Image.fromarray(array).save(root / cls / name)
            arrays[(cls, name)] = array
            del k
        (root / cls / "notes.txt").write_text("not an image")
    return arrays


def test_image_folder(tmp_path):
    arrays = make_image_folder(tmp_path)
    ds = torchvision.datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    names = [os.path.relpath(p, tmp_path) for p, _ in ds.samples]
    assert names == ["cat/a.PNG", "cat/b.png", "cat/sub/c.bmp", "dog/a.PNG", "dog/b.png", "dog/sub/c.bmp"]
    assert ds.targets == [0, 0, 0, 1, 1, 1] and ds.imgs is ds.samples
    img, target = ds[4]
    assert img.mode == "RGB" and target == 1
    np.testing.assert_array_equal(np.asarray(img), arrays[("dog", "b.png")])
    assert len(ds) == 6


def test_dataset_folder_loader_and_errors(tmp_path):
    make_image_folder(tmp_path)
    ds = torchvision.datasets.DatasetFolder(str(tmp_path), loader=lambda p: os.path.basename(p), extensions=(".txt",))
    assert [ds[i] for i in range(len(ds))] == [("notes.txt", 0), ("notes.txt", 1)]
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        FileNotFoundError, match="Found no valid file for the classes empty. Supported extensions are: .txt"
    ):
        torchvision.datasets.DatasetFolder(str(tmp_path), loader=open, extensions=(".txt",))
    ds = torchvision.datasets.DatasetFolder(str(tmp_path), loader=open, extensions=(".txt",), allow_empty=True)
    assert ds.classes == ["cat", "dog", "empty"]
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        torchvision.datasets.DatasetFolder(str(tmp_path), loader=open)
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        torchvision.datasets.ImageFolder(str(tmp_path / "empty"))


def test_fake_data_is_deterministic_and_leaves_the_generator_alone():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    ds = torchvision.datasets.FakeData(size=4, image_size=(3, 5, 6), num_classes=7, random_offset=2)
    img, target = ds[1]
    assert torch.equal(torch.rand(3), before)  # reading a sample did not move the stream
    assert img.size == (6, 5) and img.mode == "RGB" and 0 <= target < 7
    torch.manual_seed(3)  # index 1 + offset 2
    expected_img = torch.randn(3, 5, 6)
    expected_target = torch.randint(0, 7, size=(1,), dtype=torch.long)[0].item()
    assert target == expected_target
    np.testing.assert_array_equal(np.asarray(img), (expected_img.numpy() * 255).astype(np.uint8).transpose(1, 2, 0))
    np.testing.assert_array_equal(np.asarray(ds[1][0]), np.asarray(img))
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]
    assert len(ds) == 4
    assert repr(ds).splitlines() == ["Dataset FakeData", "    Number of datapoints: 4"]


def test_fake_data_through_a_dataloader():
    ds = torchvision.datasets.FakeData(size=5, image_size=(1, 4, 4), transform=torchvision.transforms.ToTensor())
    batches = list(torch.utils.data.DataLoader(ds, batch_size=2))
    assert [b[0].shape for b in batches] == [torch.Size([2, 1, 4, 4])] * 2 + [torch.Size([1, 1, 4, 4])]
    assert batches[0][1].dtype == torch.int64


def test_integrity_helpers_name_the_file_and_stop_at_the_first_problem(tmp_path, monkeypatch):
    good = tmp_path / "good.bin"
    good.write_bytes(b"abc")
    md5 = hashlib.md5(b"abc").hexdigest()
    assert dutils.integrity_problem(str(good), md5) is None and dutils.integrity_problem(str(good)) is None
    assert dutils.integrity_problem(str(good), "0" * 32) == f"{good} does not have MD5 {'0' * 32}"
    assert dutils.integrity_problem(str(tmp_path / "gone.bin")) == f"{tmp_path / 'gone.bin'} is missing"
    hashed = []
    monkeypatch.setattr(dutils, "check_md5", lambda path, md5: hashed.append(path) or False)
    files = [(str(tmp_path / "gone.bin"), md5), (str(good), md5)]
    assert next(dutils.integrity_problems(files)) == f"{tmp_path / 'gone.bin'} is missing"
    assert hashed == []  # the second file was never read
    assert list(dutils.integrity_problems(files))[1] == f"{good} does not have MD5 {md5}"
