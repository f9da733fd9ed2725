"""save / load: state_dicts, whole modules, optimizer states, tensors, nested containers.

File format (version 1): an uncompressed zip archive, the same layout idea as
``torch.save``'s since PyTorch 1.6::

    minitorch/version        b"1"  (marks the file as ours; names the format version)
    minitorch/data.pkl       a pickle of the object; every array in it is a
                             persistent id ("ndarray", "<key>") instead of bytes
    minitorch/data/<key>.npy one NumPy .npy file per array (dtype, shape, raw data)

Why this format:
- Arrays live in standard ``.npy`` entries that any tool can open
  (``unzip -l``, ``numpy.load``) and are read with ``allow_pickle=False``;
  the pickle holds only the structure (dict keys, module attributes, class names).
- Every zip entry carries a CRC-32 that is checked on reading, so a corrupted
  file is detected instead of silently loading wrong weights; a truncated
  file lacks the zip's central directory and is detected at once.
- Arrays shared by several tensors (a parameter and its state_dict entry)
  are written once and come back shared.

Loading is restricted by ``weights_only``: ``True`` admits only tensors,
parameters, NumPy arrays and plain containers; the default ``None`` also
admits Module and Optimizer classes (so ``load(path)`` of a whole model works
as the seeds expect: the class must be importable, as with torch); ``False``
admits any importable class (only for files you trust: unpickling can run code).

Saving to a path is atomic: the archive is written to a temporary file in the
same directory, flushed and fsynced, then renamed over the target with
``os.replace``, so a crash mid-save leaves the previous file intact. A file
that is truncated, corrupted or not ours (a text file, a ``torch.save`` file)
raises ``SerializationError`` naming the file.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from .autograd.tensor import Tensor, raise_no_cuda
from .autograd.types import device

FORMAT_VERSION = b"1"
_ROOT = "minitorch/"
_VERSION_ENTRY = _ROOT + "version"
_PICKLE_ENTRY = _ROOT + "data.pkl"
_DATA_DIR = _ROOT + "data/"

FileLike = str | os.PathLike | IO[bytes]
MapLocation = None | str | device | dict | Callable[..., Any]


class SerializationError(RuntimeError):
    """A file that ``load`` cannot read: truncated, corrupted, or not written by ``save``."""


# ---- saving ---------------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    """Pickles the structure; each ndarray becomes a persistent id, its bytes an .npy entry."""

    def __init__(self, file: IO[bytes], protocol: int) -> None:
        super().__init__(file, protocol)
        self.arrays: dict[int, tuple[str, np.ndarray]] = {}

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            entry = self.arrays.get(id(obj))
            if entry is None:
                entry = (str(len(self.arrays)), obj)
                self.arrays[id(obj)] = entry  # keeps obj alive, so ids stay unique
            return ("ndarray", entry[0])
        return None


def _write_archive(obj: Any, stream: IO[bytes], protocol: int) -> None:
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, protocol)
    pickler.dump(obj)
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(_VERSION_ENTRY, FORMAT_VERSION)
        archive.writestr(_PICKLE_ENTRY, buffer.getvalue())
        for key, array in pickler.arrays.values():
            with archive.open(_DATA_DIR + key + ".npy", "w", force_zip64=array.nbytes > 2**30) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2, **kwargs: Any) -> None:
    """Write ``obj`` (tensors, state_dicts, modules, optimizer states, containers) to ``f``.

    ``f`` is a path (str or PathLike; written atomically) or a binary file
    object opened for writing. The extra keyword arguments of ``torch.save``
    (``_use_new_zipfile_serialization``, ...) are accepted and ignored.
    """
    protocol = max(int(pickle_protocol), 2)
    if not isinstance(f, (str, os.PathLike)):
        if not hasattr(f, "write"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
        _write_archive(obj, f, protocol)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            _write_archive(obj, stream, protocol)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        # the target still holds its previous contents (or does not exist); drop the half-written copy
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- loading --------------------------------------------------------------------------
_SAFE_GLOBALS = {
    ("collections", "OrderedDict"),
    ("builtins", "dict"),
    ("builtins", "list"),
    ("builtins", "tuple"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "int"),
    ("builtins", "float"),
    ("builtins", "complex"),
    ("builtins", "bool"),
    ("builtins", "str"),
    ("builtins", "bytes"),
    ("builtins", "slice"),
    ("builtins", "object"),
    ("copyreg", "_reconstructor"),
    ("minitorch_nn.autograd.tensor", "_rebuild_tensor"),
    ("minitorch_nn.autograd.types", "_dtype_by_name"),
    ("minitorch_nn.autograd.types", "Size"),
    ("minitorch_nn.autograd.types", "device"),
    ("numpy", "dtype"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "scalar"),
}

_PY2_NAMES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


def _allowed(module: str, name: str, found: Any, weights_only: bool | None) -> bool:
    module = _PY2_NAMES.get(module, module)  # protocol 2 writes Python 2's module names
    if (module, name) in _SAFE_GLOBALS or module == "numpy.dtypes":
        return True
    if not isinstance(found, type):
        return False
    from .nn.modules.module import Module
    from .optim.optimizer import Optimizer

    if issubclass(found, Tensor):
        return True
    return weights_only is None and issubclass(found, (Module, Optimizer))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile, weights_only: bool | None, name: str) -> None:
        super().__init__(file)
        self.archive, self.weights_only, self.name = archive, weights_only, name

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        if self.weights_only is False or _allowed(module, name, found, self.weights_only):
            return found
        if self.weights_only:
            allowed = "weights_only=True admits only tensors and plain containers"
        else:
            allowed = "the default weights_only=None admits tensors, containers and Module/Optimizer classes"
        raise pickle.UnpicklingError(
            f"{module}.{name} is not allowed: {allowed}. If you trust the file, load it with weights_only=False."
        )

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == "ndarray"):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        with self.archive.open(_DATA_DIR + str(pid[1]) + ".npy") as entry:
            return np.lib.format.read_array(io.BytesIO(entry.read()), allow_pickle=False)


def _file_name(f: Any) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return str(getattr(f, "name", f"<{type(f).__name__} object>"))


def _diagnose(head: bytes) -> str:
    """Say what a file that is not our zip archive looks like."""
    if not head:
        return "the file is empty"
    if head.startswith(b"PK"):
        return "the zip archive is truncated or corrupted"
    if head[:1] == b"\x80":
        return "it is a plain pickle (perhaps a legacy torch.save file), not a minitorch_nn archive"
    try:
        head.decode("utf-8")
        return "it is a text file, not a minitorch_nn archive"
    except UnicodeDecodeError:
        return "it is not a minitorch_nn archive (no zip signature)"


def _check_ours(archive: zipfile.ZipFile, name: str) -> None:
    names = archive.namelist()
    if _VERSION_ENTRY not in names or _PICKLE_ENTRY not in names:
        if any(n.endswith("/data.pkl") for n in names):
            raise SerializationError(
                f"{name}: this file was written by torch.save (PyTorch), not by minitorch_nn.save. Load it with "
                "torch.load, or with reference.bridge.load_torch_state_dict(path) for a state_dict."
            )
        raise SerializationError(f"{name}: a zip archive, but not one written by minitorch_nn.save")
    version = archive.read(_VERSION_ENTRY).strip()
    if version != FORMAT_VERSION:
        raise SerializationError(
            f"{name}: written in format version {version.decode(errors='replace')}, this version reads "
            f"{FORMAT_VERSION.decode()}"
        )


def _check_map_location(map_location: MapLocation) -> Callable[[Tensor], Tensor] | None:
    """Validate ``map_location``; a callable comes back to be applied to every loaded tensor."""
    if map_location is None:
        return None
    if callable(map_location) and not isinstance(map_location, (str, device)):
        return lambda t: _apply_callable(map_location, t)
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if device(target).type != "cpu":
            raise_no_cuda()
    return None


def _apply_callable(fn: Callable[..., Any], t: Tensor) -> Tensor:
    result = fn(t, "cpu")  # torch calls map_location(storage, location)
    if isinstance(result, Tensor) and result is not t:
        t._data = result._data
    return t


def load(
    f: FileLike,
    map_location: MapLocation = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Read an object written by ``save`` from a path or a binary file object.

    ``map_location`` may be ``'cpu'``, ``device('cpu')``, a dict of location
    renames or a callable ``(tensor, location) -> tensor``; a CUDA target raises
    the no-CUDA error (this engine computes on the CPU). See the module
    docstring for ``weights_only``.
    """
    remap = _check_map_location(map_location)
    name = _file_name(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as stream:
            obj = _load_stream(stream, name, weights_only)
    else:
        obj = _load_stream(f, name, weights_only)
    if remap is not None:
        for t in _tensors_in(obj):
            remap(t)
    return obj


def _load_stream(stream: IO[bytes], name: str, weights_only: bool | None) -> Any:
    if not stream.seekable():
        stream = io.BytesIO(stream.read())
    start = stream.tell()
    head = stream.read(16)
    stream.seek(start)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SerializationError(f"{name}: cannot load: {_diagnose(head)} ({exc})") from None
    with archive:
        _check_ours(archive, name)
        try:
            with archive.open(_PICKLE_ENTRY) as entry:
                data = io.BytesIO(entry.read())
            return _Unpickler(data, archive, weights_only, name).load()
        except (zipfile.BadZipFile, KeyError, EOFError, ValueError, OSError) as exc:
            raise SerializationError(f"{name}: the archive is corrupted ({exc})") from None
        except pickle.UnpicklingError as exc:
            raise SerializationError(f"{name}: cannot unpickle: {exc}") from None


def _tensors_in(obj: Any, seen: set[int] | None = None) -> list[Tensor]:
    """Every tensor reachable through containers and module/optimizer attributes."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, dict):
        items = list(obj.keys()) + list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        items = list(vars(obj).values())
    else:
        return []
    out: list[Tensor] = []
    for item in items:
        out.extend(_tensors_in(item, seen))
    return out


__all__ = ["load", "save"]
