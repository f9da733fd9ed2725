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

``load`` also reads the files of ``torch.save`` (its zip format, PyTorch 1.6 and later) without
importing torch: ``<root>/data.pkl`` is unpickled by a restricted unpickler that maps torch's
rebuild functions (``torch._utils._rebuild_tensor_v2`` / ``_v3``, ``_rebuild_parameter``), its
storage classes and dtypes, ``OrderedDict`` and plain containers to ours and refuses every other
global, as torch.load's ``weights_only=True`` does, whatever ``weights_only`` says. Each storage
``<root>/data/<key>`` is read once as raw little-endian bytes (big-endian where ``<root>/byteorder``
says so) and every tensor is a strided NumPy view of it at its storage offset, size and stride, so
tensors that shared a storage in torch share memory here too.
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
from .autograd.types import Size, device
from .nn.parameter import Parameter

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


# ---- reading torch.save's zip format ---------------------------------------------------
# torch's storage classes and dtype names, as NumPy dtypes (bfloat16 and complex have no dtype here).
_TORCH_STORAGES = {
    "DoubleStorage": np.float64,
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
    "UntypedStorage": np.uint8,
}
_TORCH_DTYPES = {
    "float64": np.float64,
    "double": np.float64,
    "float32": np.float32,
    "float": np.float32,
    "float16": np.float16,
    "half": np.float16,
    "int64": np.int64,
    "long": np.int64,
    "int32": np.int32,
    "int": np.int32,
    "int16": np.int16,
    "short": np.int16,
    "int8": np.int8,
    "uint8": np.uint8,
    "bool": np.bool_,
}
_UNSUPPORTED_TORCH_TYPES = {
    "BFloat16Storage": "bfloat16",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
    "bfloat16": "bfloat16",
    "complex64": "complex64",
    "complex128": "complex128",
}
_TORCH_PLAIN_GLOBALS = {
    ("collections", "OrderedDict"),
    ("builtins", "dict"),
    ("builtins", "list"),
    ("builtins", "tuple"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "int"),
    ("builtins", "float"),
    ("builtins", "bool"),
    ("builtins", "str"),
    ("builtins", "bytes"),
    ("builtins", "slice"),
}


class _TorchStorageType:
    """What a torch storage class or dtype global unpickles to: the NumPy dtype it names."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)


class _TorchStorage:
    """One storage of the archive: its bytes (writable, shared by every tensor on it) and its dtype."""

    def __init__(self, raw: np.ndarray, dtype: np.dtype, key: str) -> None:
        self.raw, self.dtype, self.key = raw, dtype, key


def _torch_tensor(storage: _TorchStorage, offset: int, size: tuple, stride: tuple, dtype: np.dtype) -> Tensor:
    """The tensor ``storage[offset + sum(i_k * stride_k)]`` over ``size``, as a view of the storage's bytes."""
    itemsize = dtype.itemsize
    if storage.raw.size % itemsize:
        raise pickle.UnpicklingError(f"storage {storage.key} holds {storage.raw.size} bytes, not whole {dtype}s")
    elements = storage.raw.view(dtype)
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or any(s < 0 for s in stride):
        raise pickle.UnpicklingError(f"a tensor on storage {storage.key} has size {size} and stride {stride}")
    if 0 in size:
        return Tensor._make(np.empty(size, dtype=dtype))
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if offset < 0 or last >= elements.size:
        raise pickle.UnpicklingError(
            f"a tensor of size {size} at offset {offset} runs past storage {storage.key} "
            f"({elements.size} elements): the file is truncated or corrupted"
        )
    view = np.lib.stride_tricks.as_strided(
        elements[offset:], shape=size, strides=tuple(s * itemsize for s in stride), writeable=True
    )
    return Tensor._make(view)


def _rebuild_tensor_v2(
    storage: _TorchStorage,
    storage_offset: int,
    size: tuple,
    stride: tuple,
    requires_grad: bool,
    backward_hooks: Any,
    metadata: Any = None,
) -> Tensor:
    t = _torch_tensor(storage, storage_offset, size, stride, storage.dtype)
    t.requires_grad = bool(requires_grad) and t.dtype.is_floating_point
    return t


def _rebuild_tensor_v3(
    storage: _TorchStorage,
    storage_offset: int,
    size: tuple,
    stride: tuple,
    requires_grad: bool,
    backward_hooks: Any,
    dtype: _TorchStorageType,
    metadata: Any = None,
) -> Tensor:
    t = _torch_tensor(storage, storage_offset, size, stride, dtype.dtype)
    t.requires_grad = bool(requires_grad) and t.dtype.is_floating_point
    return t


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any, state: Any = None) -> Parameter:
    return Parameter(data, requires_grad)


_TORCH_REBUILDS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch", "Size"): Size,
    ("torch", "device"): device,
}


class _TorchUnpickler(pickle.Unpickler):
    """Unpickles torch's data.pkl with our rebuilds; any global outside the table above is refused."""

    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile, root: str, big_endian: bool) -> None:
        super().__init__(file)
        self.archive, self.root, self.big_endian = archive, root, big_endian
        self.storages: dict[str, _TorchStorage] = {}

    def find_class(self, module: str, name: str) -> Any:
        module = _PY2_NAMES.get(module, module)
        if (module, name) in _TORCH_REBUILDS:
            return _TORCH_REBUILDS[(module, name)]
        if (module, name) in _TORCH_PLAIN_GLOBALS:
            return super().find_class(module, name)
        if module == "torch" and name in _UNSUPPORTED_TORCH_TYPES:
            raise pickle.UnpicklingError(
                f"the file holds {_UNSUPPORTED_TORCH_TYPES[name]} tensors, a dtype minitorch_nn does not have; "
                "convert them in torch first (e.g. {k: v.float() for k, v in state_dict.items()})"
            )
        if module == "torch" and name in _TORCH_STORAGES:
            return _TorchStorageType(_TORCH_STORAGES[name])
        if module == "torch" and name in _TORCH_DTYPES:
            return _TorchStorageType(_TORCH_DTYPES[name])
        raise pickle.UnpicklingError(
            f"global {module}.{name} is refused: a torch.save file is read with only tensors, parameters, "
            "storages and plain containers allowed (as torch.load(weights_only=True)); save a state_dict "
            "rather than a whole module or other objects"
        )

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        _, storage_type, key, _location, _numel = pid
        if not isinstance(storage_type, _TorchStorageType):
            raise pickle.UnpicklingError(f"storage {key} has an unknown type {storage_type!r}")
        key = str(key)
        storage = self.storages.get(key)
        if storage is None:
            raw = np.frombuffer(bytearray(self.archive.read(self.root + "data/" + key)), dtype=np.uint8)
            if self.big_endian:
                swapped = raw.view(storage_type.dtype.newbyteorder(">")).astype(storage_type.dtype)
                raw = swapped.view(np.uint8)
            storage = self.storages[key] = _TorchStorage(raw, storage_type.dtype, key)
        return storage


def _torch_root(archive: zipfile.ZipFile) -> str | None:
    """The folder of a torch.save archive (``archive/``, or the file's stem), None for any other zip."""
    for entry in archive.namelist():
        if entry.endswith("/data.pkl") and entry.count("/") == 1:
            return entry[: -len("data.pkl")]
    return None


def _is_ours(archive: zipfile.ZipFile) -> bool:
    """Our archive: a ``minitorch/`` folder without torch's own entries (a torch file saved as minitorch.pth
    has that folder too, beside ``byteorder`` / ``.data/``)."""
    names = set(archive.namelist())
    torch_entries = {_ROOT + "byteorder", _ROOT + ".format_version", _ROOT + ".data/serialization_id"}
    return _PICKLE_ENTRY in names and not names & torch_entries


def _load_torch_archive(archive: zipfile.ZipFile, root: str, name: str) -> Any:
    names = set(archive.namelist())
    big_endian = False
    if root + "byteorder" in names:
        big_endian = archive.read(root + "byteorder").strip() == b"big"
    try:
        data = io.BytesIO(archive.read(root + "data.pkl"))
        return _TorchUnpickler(data, archive, root, big_endian).load()
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError, OSError) as exc:
        raise SerializationError(f"{name}: the torch.save archive is corrupted ({exc})") from None
    except pickle.UnpicklingError as exc:
        raise SerializationError(f"{name}: cannot load this torch.save file: {exc}") from None


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
        raise SerializationError(f"{name}: a zip archive, but not one written by minitorch_nn.save or torch.save")
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
    """Read an object written by ``save`` (or by ``torch.save``) from a path or a binary file object.

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
        root = _torch_root(archive)
        if root is not None and not _is_ours(archive):
            return _load_torch_archive(archive, root, name)
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
