"""When the Numba kernels are compiled: in a background process at first use, NumPy meanwhile.

Why. Compiling the kernels of one LeNet training step takes Numba 3-11 s (LLVM at -O3, one
core), loading them from its on-disk cache 0.05 s. A new user's first ``minitorch-nn train``
would spend most of its first minute compiling. Every kernel entry point that has a Numba
kernel also has a NumPy path that needs no compile (im2col + BLAS for convolutions, window
gathers for pooling, ``np.where`` for ReLU, NumPy's arithmetic for SGD, the calling thread alone
for the worker pool); the two agree to float32 rounding, and the tests check both against
torch. So:

- A ``KernelGroup`` names the Numba kernels one path needs, each with the one argument-type
  signature its callers pass (C-contiguous arrays, int64, bool: the callers make their arrays
  contiguous, so one compile serves every call).
- The entry point asks ``group.usable or group.ready()`` and runs NumPy while it is False. The
  first ``ready()`` loads the group from Numba's cache; on a miss it asks a compile process
  (one per session, started on the first miss: ``python -c ... serve()``) to compile the group,
  and reports False until that process answers ``done``; then it loads the group from the cache
  the other process filled, and from then on ``usable`` is a plain attribute read.
- A process, not a thread: compiling holds the GIL (a thread would take turns with the
  training), and on a 2-core machine it gets the other core. It compiles the groups in the
  order they were asked for, and exits after ``IDLE_EXIT_S`` without a request. A user's compile
  processes take turns (a file lock): a second run started while the first one's kernels still
  compile waits for them and then finds them in the cache, instead of compiling them again beside.
- If the compile process cannot start, fails or dies, or the cache it filled cannot be read
  here, the group is compiled in this process at its next call (what Numba does anyway), with
  one warning: training goes on either way.

``MINITORCH_COMPILE`` in the environment chooses: ``background`` (the default, above),
``inline`` (compile in this process at first call: the kernel always runs; the test suite and
the benchmarks use it, and a run is then bit-for-bit the same whether or not the cache was
warm) or ``off`` (never compile: the NumPy paths only).

Where the cache is. Numba caches next to the source (``__pycache__``) or, where that is not
writable (an installed read-only site-packages), in the user's cache folder; where neither is
writable, importing a ``cache=True`` function fails. ``ensure_cache_location`` (called before any
kernel is defined) then points ``NUMBA_CACHE_DIR`` at a folder in the temporary directory, and
the compile process inherits it, so both always use the same cache.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator

import numba
from numba import types
from numba.core import sigutils
from numba.core.compiler_lock import global_compiler_lock
from numba.misc.appdirs import AppDirs

try:
    import fcntl
except ImportError:  # not POSIX (see _one_compile_at_a_time)
    fcntl = None

MODE_VARIABLE = "MINITORCH_COMPILE"
MODES = ("background", "inline", "off")
# The compile process exits after this long without a request (it holds ~150 MiB of LLVM).
IDLE_EXIT_S = 5.0
# A compile process that exits cleanly (idle) just as a request was sent is started again, this often.
RESTARTS = 3

_NEW, _WAITING, _DONE, _FAILED = "new", "waiting", "done", "failed"

GROUPS: dict[str, KernelGroup] = {}

_override: str | None = None  # set by ``forced`` (tests)
_lock = threading.Lock()
_warned: set[str] = set()


def array(dtype: types.Type, ndim: int) -> types.Array:
    """The Numba type of a C-contiguous, writable ndim-array of ``dtype`` (what callers pass)."""
    return types.Array(dtype, ndim, "C")


def mode() -> str:
    """background, inline or off (``MINITORCH_COMPILE``; see the module docstring)."""
    if _override is not None:
        return _override
    value = os.environ.get(MODE_VARIABLE, "background")
    if value not in MODES:
        _warn_once(f"{MODE_VARIABLE}={value!r} is not one of {', '.join(MODES)}: using background")
        return "background"
    return value


class KernelGroup:
    """The Numba kernels one path needs, each with the argument types its callers pass.

    An entry point runs the kernels only when ``group.usable or group.ready()`` (the attribute
    first: once True it stays True, and reading it costs nothing), else its NumPy path.
    """

    __slots__ = ("name", "kernels", "usable", "state")

    def __init__(self, name: str, kernels: list[tuple[numba.core.dispatcher.Dispatcher, tuple]]) -> None:
        if name in GROUPS:
            raise ValueError(f"kernel group {name!r} is defined twice")
        self.name = name
        self.kernels = tuple((kernel, tuple(signature)) for kernel, signature in kernels)
        self.usable = False
        self.state = _NEW
        GROUPS[name] = self

    def __repr__(self) -> str:
        return f"KernelGroup({self.name!r}, usable={self.usable}, state={self.state!r})"

    def ready(self) -> bool:
        """May the kernels run now without waiting for a compile? (False: take the NumPy path.)"""
        if self.usable:
            return True
        with _lock:
            self.usable = self._advance()
        return self.usable

    def _advance(self) -> bool:
        chosen = mode()
        if chosen == "inline":
            return True
        if chosen == "off":
            return False
        if self.state == _NEW:
            if self.load():
                return True
            if not _COMPILER.request(self.name):
                _warn_once("could not start the background compile process: compiling the kernels in this process")
                return True
            self.state = _WAITING
        if self.state == _WAITING:
            _COMPILER.poll()
        if self.state == _DONE:
            if not self.load():
                _warn_once(f"the kernels {self.name} compiled in the background are not in this process's cache")
            return True
        if self.state == _FAILED:
            return True  # the compiler process said why (a warning); the dispatcher compiles here
        return False

    def load(self) -> bool:
        """Load every kernel of the group from Numba's cache (those that are there): all of them?

        True also where the cache cannot be read this way (``_load`` reads Numba's internals): the
        dispatcher then compiles or loads each kernel at its first call, as Numba does by itself.
        """
        try:
            return all([_load(kernel, signature) for kernel, signature in self.kernels])
        except Exception as error:  # noqa: BLE001  (another Numba version: fall back to its own path)
            _warn_once(f"cannot read Numba's cache ahead of a call ({type(error).__name__}: {error}): compiling here")
            return True

    def compile(self) -> None:
        """Compile (or load) every kernel of the group, saving to the cache: the compile process's job."""
        for kernel, signature in self.kernels:
            kernel.compile(signature)


def _load(kernel, signature: tuple) -> bool:
    """Load ``kernel`` for ``signature`` from Numba's on-disk cache if it is there; never compile.

    Numba's ``Dispatcher.compile`` does this first and compiles on a miss; this is its first half.
    """
    with global_compiler_lock:
        args, _ = sigutils.normalize_signature(signature)
        if tuple(args) in kernel.overloads:
            return True
        cres = kernel._cache.load_overload(signature, kernel.targetctx)
        if cres is None:
            return False
        kernel._cache_hits[signature] += 1
        if not cres.objectmode:
            kernel.targetctx.insert_user_function(cres.entry_point, cres.fndesc, [cres.library])
        kernel.add_overload(cres)
        return True


class _Compiler:
    """The client side of the compile process: requests by name on its stdin, answers on its stdout."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.waiting: list[str] = []
        self.buffer = b""
        self.restarts = 0

    def request(self, name: str) -> bool:
        """Ask for group ``name`` (starting the process if needed): sent?"""
        for _ in range(2):  # once more with a new process if this one has just exited
            if self.process is None and not self._start():
                return False
            try:
                self.process.stdin.write(name.encode() + b"\n")
                self.process.stdin.flush()
            except OSError:
                self._reap()
                continue
            self.waiting.append(name)
            return True
        return False

    def command(self) -> list[str]:
        """The compile process: this Python, importing the very package this process imported
        (Numba's cache is keyed on the source files' paths)."""
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        code = f"import sys; sys.path.insert(0, {root!r}); import minitorch_nn.kernels.cpu.jit as jit, minitorch_nn"
        return [sys.executable, "-c", code + "; jit.serve()"]  # importing minitorch_nn defines every group

    def _start(self) -> bool:
        if not sys.executable:
            return False
        env = dict(os.environ)
        env[MODE_VARIABLE] = "inline"
        if numba.config.CACHE_DIR:
            env["NUMBA_CACHE_DIR"] = numba.config.CACHE_DIR
        try:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        except OSError:
            self.process = None
            return False
        os.set_blocking(self.process.stdout.fileno(), False)
        self.buffer = b""
        # reaps it when it exits (idle), so no zombie waits for the next poll, which may never come
        threading.Thread(target=self.process.wait, name="minitorch-compile-reaper", daemon=True).start()
        return True

    def poll(self) -> None:
        """Read the process's answers so far (without waiting) and mark those groups done or failed."""
        if self.process is None:
            return
        try:
            chunk = os.read(self.process.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._exited()
            return
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            word, _, rest = line.decode(errors="replace").partition(" ")
            name, _, reason = rest.partition(" ")
            if word not in ("done", "failed") or name not in self.waiting:
                continue  # not an answer (something else printed)
            self.waiting.remove(name)
            GROUPS[name].state = _DONE if word == "done" else _FAILED
            if word == "failed":
                _warn_once(f"the background compile of {name} failed ({reason}): compiling it in this process")

    def _exited(self) -> None:
        """The process closed its stdout: an idle exit (ask again), or a failure (compile here)."""
        code = self._reap()
        pending, self.waiting = self.waiting, []
        if code == 0 and self.restarts < RESTARTS:
            self.restarts += 1
            if all(self.request(name) for name in pending):
                return
        for name in pending + self.waiting:
            GROUPS[name].state = _FAILED
        self.waiting = []
        if pending:
            _warn_once(f"the background compile process exited (code {code}): compiling the kernels in this process")

    def _reap(self) -> int | None:
        process, self.process = self.process, None
        if process is None:
            return None
        for pipe in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        try:
            return process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def forget(self) -> None:
        """After a fork, in the child: the compile process is the parent's; ask again when needed."""
        self.process, self.buffer, self.restarts = None, b"", 0
        for name in self.waiting:
            GROUPS[name].state = _NEW
        self.waiting = []


_COMPILER = _Compiler()


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    _COMPILER.forget()


os.register_at_fork(after_in_child=_after_fork)


def _user() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.getlogin()


@contextlib.contextmanager
def _one_compile_at_a_time() -> Iterator[None]:
    """Hold the user's compile lock (a file lock): a second compile process (a second run started
    while the first one's kernels still compile) waits, then finds them in the cache."""
    if fcntl is None:  # not a POSIX system: no lock, at worst the same kernels compile twice
        yield
        return
    with open(os.path.join(tempfile.gettempdir(), f"minitorch_nn-compile-{_user()}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def serve() -> None:
    """The compile process: for each group name read from stdin, compile it into the cache and
    answer ``done NAME`` (or ``failed NAME reason``) on stdout; exit at EOF or when idle.
    The groups are those of the modules already imported (the process imports minitorch_nn first)."""
    fd, buffer = sys.stdin.fileno(), b""
    while True:
        if b"\n" not in buffer:
            readable, _, _ = select.select([fd], [], [], IDLE_EXIT_S)
            chunk = os.read(fd, 4096) if readable else b""
            if not chunk:
                return  # EOF (the parent is gone) or idle: every request read has been answered
            buffer += chunk
            continue
        line, buffer = buffer.split(b"\n", 1)
        name = line.decode().strip()
        try:
            with _one_compile_at_a_time():
                GROUPS[name].compile()  # loads what another process compiled meanwhile
            answer = f"done {name}"
        except Exception as error:  # noqa: BLE001  (reported to the parent, which compiles it itself)
            answer = f"failed {name} " + f"{type(error).__name__}: {error}".replace("\n", " ")[:500]
        with contextlib.suppress(OSError):  # the parent is gone: go on, the cache is for its next run
            os.write(sys.stdout.fileno(), answer.encode() + b"\n")


def wait_for_compiles(timeout: float | None = None) -> bool:
    """Wait until the compile process has answered every request (or ``timeout`` seconds): all answered?

    For programs that want the compiled kernels from here on (benchmarks, ``tests``); training
    never needs to wait.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _lock:
            _COMPILER.poll()
            if not _COMPILER.waiting:
                return True
        if deadline is not None and time.monotonic() > deadline:
            return False
        time.sleep(0.02)


@contextlib.contextmanager
def forced(chosen: str) -> Iterator[None]:
    """Run the block as if ``MINITORCH_COMPILE`` were ``chosen`` (tests: ``forced("off")`` runs the
    NumPy paths); every group's state is restored after."""
    global _override
    if chosen not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {chosen!r}")
    saved = {name: (group.usable, group.state) for name, group in GROUPS.items()}
    previous, _override = _override, chosen
    for group in GROUPS.values():
        group.usable, group.state = False, _NEW
    try:
        yield
    finally:
        _override = previous
        for name, group in GROUPS.items():
            group.usable, group.state = saved.get(name, (False, _NEW))


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        warnings.warn(f"minitorch_nn: {message}", RuntimeWarning, stacklevel=4)


def _writable(folder: str) -> bool:
    """Can Numba cache in ``folder``? (its own test: create it, then a temporary file in it)"""
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
        return True
    except OSError:
        return False


def ensure_cache_location() -> None:
    """Point Numba's cache at a temporary folder where it has nowhere else to write (see the docstring)."""
    if numba.config.CACHE_DIR:
        return  # NUMBA_CACHE_DIR is set: Numba uses it
    here = os.path.dirname(os.path.abspath(__file__))
    folders = [os.path.join(here, "__pycache__"), os.path.join(here, "conv", "__pycache__")]
    if all(_writable(f) for f in folders) or _writable(AppDirs(appname="numba", appauthor=False).user_cache_dir):
        return
    fallback = os.path.join(tempfile.gettempdir(), f"minitorch_nn-numba-cache-{_user()}")
    numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"] = fallback
