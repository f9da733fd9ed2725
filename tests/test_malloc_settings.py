"""The glibc malloc settings the engine makes at import (kernels/cpu/memory.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

from minitorch_nn.kernels.cpu import memory


def test_settings_apply_on_glibc_and_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("MINITORCH_KEEP_FREED_MEMORY", "0")
    assert memory.keep_freed_memory() is False
    monkeypatch.delenv("MINITORCH_KEEP_FREED_MEMORY")
    on_glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert memory.keep_freed_memory() is on_glibc


def test_import_sets_glibc_thresholds():
    # in a fresh interpreter (this project's machines run glibc): after the import an 8 MiB
    # array comes from the heap, not from its own mmap (mallinfo2's hblkhd: mmapped bytes)
    code = (
        "import ctypes, numpy as np, minitorch_nn\n"
        "libc = ctypes.CDLL('libc.so.6')\n"
        "class Info(ctypes.Structure):\n"
        "    _fields_ = [(n, ctypes.c_size_t) for n in "
        "('arena','ordblks','smblks','hblks','hblkhd','usmblks','fsmblks','uordblks','fordblks','keepcost')]\n"
        "libc.mallinfo2.restype = Info\n"
        "a = np.ones(1 << 21, np.float32); mapped = libc.mallinfo2().hblkhd; del a\n"
        "print(mapped)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout.split()[-1]) < (8 << 20)  # the 8 MiB array was not its own mmap
