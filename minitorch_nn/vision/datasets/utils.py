"""Download, checksum and extraction helpers, as ``torchvision.datasets.utils``.

Everything that lands on disk is written atomically: a download streams into a temporary file
beside its target and is renamed into place only once complete and (given an MD5) verified, and
an archive is checked member by member (no absolute path, no ``..``, no link leaving the target
folder) before anything is extracted, into a temporary folder that is moved into place at the end.
So an interrupted, truncated or tampered download leaves nothing half-written behind.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

USER_AGENT = "minitorch_nn.vision"
_CHUNK = 1024 * 32


def calculate_md5(fpath: str, chunk_size: int = 1024 * 1024) -> str:
    """The hex MD5 of a file, read in chunks."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: str, md5: str, **kwargs) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath: str, md5: str | None = None) -> bool:
    """True when ``fpath`` is a file and, given ``md5``, has that checksum."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def integrity_problem(fpath: str, md5: str | None = None) -> str | None:
    """None when ``fpath`` passes ``check_integrity``, else what is wrong with it, naming the file."""
    if not os.path.isfile(fpath):
        return f"{fpath} is missing"
    if md5 is not None and not check_md5(fpath, md5):
        return f"{fpath} does not have MD5 {md5}"
    return None


def integrity_problems(files: Iterable[tuple[str, str | None]]) -> Iterator[str]:
    """What is wrong with each ``(path, md5)``, lazily (``next(..., None)`` stops at the first problem, so the
    files after it are not read for their checksums)."""
    for fpath, md5 in files:
        problem = integrity_problem(fpath, md5)
        if problem is not None:
            yield problem


def _progress(done: int, total: int | None, name: str, stream: IO[str]) -> None:
    if total:
        width = 30
        filled = width * done // total
        stream.write(f"\r{name}: {100 * done // total:3d}%|{'#' * filled}{' ' * (width - filled)}| {done}/{total}")
    else:
        stream.write(f"\r{name}: {done} bytes")
    stream.flush()


def _urlretrieve(url: str, fpath: str) -> None:
    """Stream ``url`` into a temporary file beside ``fpath``, rename it into place when complete.

    A body shorter than its Content-Length raises http.client's IncompleteRead; the temporary file
    is removed on any error, so ``fpath`` only ever holds a whole download.
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    folder = os.path.dirname(fpath) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(fpath) + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=30) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length is not None else None
            done = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                _progress(done, total, os.path.basename(fpath), sys.stderr)
            sys.stderr.write("\n")
        os.replace(tmp, fpath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def download_url(url: str, root: str, filename: str | None = None, md5: str | None = None) -> None:
    """Download ``url`` into ``root/filename`` (default: the URL's basename), verifying ``md5``.

    A file already there with the right checksum is kept. A download whose checksum does not match
    is deleted and reported as an error naming the file.
    """
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print("Using downloaded and verified file: " + fpath)
        return
    print("Downloading " + url + " to " + fpath)
    _urlretrieve(url, fpath)
    problem = integrity_problem(fpath, md5)
    if problem is not None:
        os.remove(fpath)
        raise RuntimeError(f"File not found or corrupted: {problem}")


def _check_member_path(name: str, root: str, archive: str) -> None:
    target = os.path.realpath(os.path.join(root, name))
    if os.path.isabs(name) or os.path.commonpath([root, target]) != root:
        raise RuntimeError(f"Refusing to extract {archive}: member {name!r} would land outside {root}")


def _safe_tar_members(tar: tarfile.TarFile, root: str, archive: str) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        _check_member_path(member.name, root, archive)
        if member.issym() or member.islnk():
            link_base = os.path.dirname(member.name) if member.issym() else ""
            _check_member_path(os.path.join(link_base, member.linkname), root, archive)
        elif not (member.isfile() or member.isdir()):
            raise RuntimeError(f"Refusing to extract {archive}: member {member.name!r} is not a file or folder")
    return members


def _extract_into(from_path: str, to_path: str) -> None:
    """Extract the archive at ``from_path`` into the (empty) folder ``to_path``, refusing unsafe members."""
    root = os.path.realpath(to_path)
    if zipfile.is_zipfile(from_path):
        with zipfile.ZipFile(from_path) as archive:
            for name in archive.namelist():
                _check_member_path(name, root, from_path)
            archive.extractall(root)
        return
    try:
        with tarfile.open(from_path, "r:*") as tar:
            members = _safe_tar_members(tar, root, from_path)
            tar.extractall(root, members=members)
        return
    except tarfile.ReadError as error:
        if not from_path.endswith(".gz"):
            raise RuntimeError(f"{from_path} is not a tar, zip or gzip archive ({error})") from error
    # a lone gzip-compressed file
    name = os.path.basename(from_path)[: -len(".gz")]
    try:
        with gzip.open(from_path, "rb") as src, open(os.path.join(root, name), "wb") as dst:
            shutil.copyfileobj(src, dst)
    except (OSError, EOFError) as error:
        raise RuntimeError(f"{from_path} is a truncated or corrupted archive ({error})") from error


def extract_archive(from_path: str, to_path: str | None = None, remove_finished: bool = False) -> str:
    """Extract a .tar(.gz/.bz2/.xz), .zip or .gz archive into ``to_path`` (default: its folder).

    The members are extracted into a temporary folder inside ``to_path`` and moved into place only
    when the whole archive has been read, so a truncated archive leaves nothing behind.
    """
    if to_path is None:
        to_path = os.path.dirname(from_path)
    os.makedirs(to_path, exist_ok=True)
    staging = tempfile.mkdtemp(dir=to_path, prefix=".extract-")
    try:
        try:
            _extract_into(from_path, staging)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
            raise RuntimeError(f"{from_path} is a truncated or corrupted archive ({error})") from error
        for entry in os.listdir(staging):
            destination = os.path.join(to_path, entry)
            if os.path.isdir(destination) and not os.path.islink(destination):
                shutil.rmtree(destination)
            elif os.path.lexists(destination):
                os.remove(destination)
            os.replace(os.path.join(staging, entry), destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(
    url: str,
    download_root: str,
    extract_root: str | None = None,
    filename: str | None = None,
    md5: str | None = None,
    remove_finished: bool = False,
) -> None:
    """Download ``url`` (checksum verified) and extract it, as torchvision's function of that name."""
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f"Extracting {archive} to {extract_root}")
    extract_archive(archive, extract_root, remove_finished)


__all__ = [
    "calculate_md5",
    "check_integrity",
    "check_md5",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
    "integrity_problem",
    "integrity_problems",
]

URLError = urllib.error.URLError
