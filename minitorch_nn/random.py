"""torch's CPU random number generator: same seed, same numbers, bit for bit.

torch's CPU generator is a 32-bit Mersenne Twister (mt19937) seeded with the standard
``init_genrand`` from the low 32 bits of the seed. NumPy's ``MT19937`` with its legacy
seeding is that same engine and hands out the raw 32-bit words fast (``random_raw``), so
a ``Generator`` wraps one and adds what torch keeps beside it: the initial seed and one
cached normal (``normal_y``). Each distribution then applies torch's transforms:

- 32-bit draws ``r`` by default; a 64-bit draw is two words, ``(first << 32) | second``.
- uniform float32: ``(r & (2^24 - 1)) * 2^-24``; float64: ``(r64 & (2^53 - 1)) * 2^-53``;
  then ``x * (to - from) + from`` in the tensor's dtype, fused (one rounding); a value
  that rounds up to ``to`` is replaced by ``from``, keeping the range half-open.
- normal, contiguous float32/float64 of 16 or more elements: all uniforms first, then
  Box-Muller on blocks of 16 (cos from the first 8, sin into the last 8); a partial last
  block is redone from 16 fresh uniforms over the last 16 elements. float32 uses the
  AVX2 kernel's Cephes log/sincos (see ``kernels/cpu/random.py``).
- normal otherwise (fewer than 16, non-contiguous): doubles u1, u2 give
  ``r cos(2 pi u1)`` now and cache ``r sin(2 pi u1)`` for the next scalar draw, with
  ``r = sqrt(-2 log1p(-u2))``; then ``z * std + mean`` fused, in double.
- integers in [low, high): ``r % range + low``, with a 64-bit draw once range >= 2^28.
- bernoulli(p) and dropout: ``u < p``, u a double uniform for a float p or a float64
  tensor of p, a float uniform for a float32 tensor (torch's CPU dropout is
  ``bernoulli_(1 - p)`` then a division, so its masks match too).
- exponential(lambda): ``-1 / lambda * log1p(-u)``, u a double uniform.
- cauchy: ``median + sigma tan(pi (u - 1/2))``; geometric: ``ceil(log u / log1p(-p))``;
  log_normal: ``exp`` of scalar-path normals.
- randperm(n): a forward Fisher-Yates (swap i with i + r % (n - i)); the inside-out
  variant with 64-bit draws once n >= (2^32 - 1) / 20.

Tensors are filled in memory order (TensorIterator's order). The state is torch's
5056-byte ``CPUGeneratorImplState`` (``get_state``/``set_state``/``get_rng_state``).

These were worked out against torch 2.13 on an Intel AVX512 CPU. Known differences:
on a CPU without AVX2 torch fills float32 normals with another kernel (libm's logf and
sincos), which this does not follow; multinomial without replacement orders the
zero-weight categories (ties) differently once it must return them; NumPy's engine is
seeded through its private ``MT19937._legacy_seeding`` (init_genrand).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from .autograd.tensor import Tensor
from .autograd.types import device as _device
from .kernels.cpu import random as kernels

_STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState)
_MT_N = 624
_DEFAULT_SEED = 67280421310721  # a fresh torch.Generator's seed
_INT64_RANGE_BITS = 1 << 28  # from this range on, randint draws 64 bits
_DIGITS = {np.dtype(np.float16): 24, np.dtype(np.float32): 24, np.dtype(np.float64): 53}  # float16 draws as float32


def _seed_to_uint64(seed: Any) -> int:
    value = int(seed)
    if not -(2**63) <= value < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return value % 2**64


class Generator:
    """An independent stream, torch's ``torch.Generator``: ``Generator().manual_seed(0)``."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = _device(device)
        self._engine = np.random.MT19937()
        self._seed_engine(_DEFAULT_SEED)

    def _seed_engine(self, seed: int) -> None:
        self._engine._legacy_seeding(seed & 0xFFFFFFFF)  # init_genrand, as torch's mt19937
        self._initial_seed = seed
        self._fresh = True  # seeded and not drawn from: torch's state then reads next = 0
        self._next_double_normal: float | None = None
        self._next_float_normal: float | None = None

    def manual_seed(self, seed: int) -> Generator:
        if isinstance(seed, (bool, float)):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._seed_engine(_seed_to_uint64(seed))
        return self

    def initial_seed(self) -> int:
        return self._initial_seed

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the new seed."""
        value = int.from_bytes(os.urandom(8), "little")
        self._seed_engine(value)
        return value

    # ---- raw words --------------------------------------------------------------------------------
    def _random32(self, n: int) -> np.ndarray:
        """n 32-bit words (as uint64)."""
        if n == 0:
            return np.zeros(0, dtype=np.uint64)
        self._fresh = False
        return self._engine.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        """n 64-bit values, each two words: (first << 32) | second."""
        words = self._random32(2 * n)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    # ---- state ------------------------------------------------------------------------------------
    def get_state(self) -> Tensor:
        """torch's ByteTensor layout: initial seed, left, seeded, next, the 624 words, the cached normals."""
        engine = self._engine.state["state"]
        pos = int(engine["pos"])
        left, nxt = (1, 0 if self._fresh else _MT_N) if pos == _MT_N else (_MT_N + 1 - pos, pos)
        raw = np.zeros(_STATE_SIZE, dtype=np.uint8)
        raw[0:8] = np.array([self._initial_seed], dtype=np.uint64).view(np.uint8)
        raw[8:16] = np.array([left, 1], dtype=np.int32).view(np.uint8)
        raw[16:24] = np.array([nxt], dtype=np.uint64).view(np.uint8)
        raw[24:5016] = engine["key"].astype(np.uint64).view(np.uint8)
        if self._next_double_normal is not None:
            raw[5024:5032] = np.array([self._next_double_normal], dtype=np.float64).view(np.uint8)
            raw[5040:5044] = np.array([1], dtype=np.int32).view(np.uint8)
        if self._next_float_normal is not None:
            raw[5044:5048] = np.array([self._next_float_normal], dtype=np.float32).view(np.uint8)
            raw[5048] = 1
        return Tensor._make(raw)

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        raw = new_state._data
        if raw.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if raw.size != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input RNG state size to be "
                f"{raw.size}"
            )
        raw = np.ascontiguousarray(raw.reshape(-1))
        left, _seeded = raw[8:16].view(np.int32)
        nxt = int(raw[16:24].view(np.uint64)[0])
        key = raw[24:5016].view(np.uint64).astype(np.uint32)
        pos = _MT_N if left == 1 else nxt
        self._engine.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._initial_seed = int(raw[0:8].view(np.uint64)[0])
        self._fresh = left == 1 and nxt == 0
        normal_valid = raw[5040:5044].view(np.int32)[0]
        self._next_double_normal = float(raw[5024:5032].view(np.float64)[0]) if normal_valid else None
        self._next_float_normal = float(raw[5044:5048].view(np.float32)[0]) if raw[5048] else None
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()
default_generator.seed()  # torch seeds its default generator from entropy at start-up


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


# ---- the module-level API (torch.manual_seed, torch.random.*) ----------------------------------------
def manual_seed(seed: int) -> Generator:
    """Seed the global generator (and return it, as torch does)."""
    return default_generator.manual_seed(int(seed))


def initial_seed() -> int:
    return default_generator.initial_seed()


def seed() -> int:
    return default_generator.seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Any = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str | None = None,
) -> Iterator[None]:
    """Run the block with the generator state saved before and restored after it."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ---- distributions on flat arrays (the ops and factories shape them) ----------------------------------
def memory_axes(array: np.ndarray) -> tuple[int, ...]:
    """The axes of ``array`` from slowest to fastest in memory: the order torch's serial kernels write."""
    if array.flags.c_contiguous or array.ndim < 2:
        return tuple(range(array.ndim))
    return tuple(sorted(range(array.ndim), key=lambda d: (-abs(array.strides[d]) if array.shape[d] > 1 else 0, d)))


def memory_order(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` whose C order is its memory order."""
    return array.transpose(memory_axes(array))


def uniform(n: int, np_dtype: np.dtype, low: float, high: float, generator: Generator | None = None) -> np.ndarray:
    """n draws of U[low, high) in ``np_dtype`` (float16: drawn as float32, then rounded, as torch's)."""
    gen = _gen(generator)
    np_dtype = np.dtype(np_dtype)
    digits = _DIGITS[np_dtype]
    compute = np.float64 if digits == 53 else np.float32
    x = np.empty(n, dtype=compute)
    if digits == 53:
        kernels.words_to_float64(gen._random32(2 * n), x)
    else:
        kernels.words_to_float32(gen._random32(n), x)
    scale, shift = compute(compute(high) - compute(low)), compute(low)
    if not (scale == 1 and shift == 0):
        kernels.fma_scale(x, scale, shift)
    values = x.astype(np_dtype, copy=False)
    values[values == np_dtype.type(high)] = np_dtype.type(low)  # a value rounded up to `to` becomes `from`
    return values


def _scalar_normals(n: int, gen: Generator) -> np.ndarray:
    """n standard normals from the scalar path (doubles), using and refilling the cached second value."""
    out = np.empty(n, dtype=np.float64)
    start = 0
    if n and gen._next_double_normal is not None:
        out[0] = gen._next_double_normal
        gen._next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = uniform(2 * pairs, np.float64, 0.0, 1.0, gen)
        both = np.empty(2 * pairs, dtype=np.float64)
        kernels.box_muller(u[0::2], u[1::2], both)
        out[start:] = both[: n - start]
        if (n - start) % 2:
            gen._next_double_normal = float(both[-1])
    return out


def normal(
    n: int,
    np_dtype: np.dtype,
    mean: float = 0.0,
    std: float = 1.0,
    contiguous: bool = True,
    generator: Generator | None = None,
) -> np.ndarray:
    """n draws of N(mean, std^2) in ``np_dtype``, by torch's block path or scalar path (see the docstring)."""
    gen = _gen(generator)
    np_dtype = np.dtype(np_dtype)
    if n >= 16 and contiguous and np_dtype in (np.float32, np.float64):
        data = uniform(n, np_dtype, 0.0, 1.0, gen)
        tail = uniform(16, np_dtype, 0.0, 1.0, gen) if n % 16 else np.zeros(0, dtype=np_dtype)
        fill = kernels.normal_fill_float32 if np_dtype == np.float32 else kernels.normal_fill_float64
        fill(data, tail, np_dtype.type(mean), np_dtype.type(std))
        return data
    z = _scalar_normals(n, gen)
    if not (mean == 0 and std == 1):
        kernels.fma_arrays(z, np.full(n, float(std)), np.full(n, float(mean)))
    return z.astype(np_dtype)


def integers(n: int, low: int, high: int, np_dtype: np.dtype, generator: Generator | None = None) -> np.ndarray:
    """n draws from [low, high): r % (high - low) + low, r of 64 bits once the range reaches 2^28."""
    gen = _gen(generator)
    span = high - low
    words = gen._random64(n) if span >= _INT64_RANGE_BITS else gen._random32(n)
    values = (words % np.uint64(span)).astype(np.int64) + np.int64(low)
    return values.astype(np_dtype)


def full_range_integers(n: int, np_dtype: np.dtype, generator: Generator | None = None) -> np.ndarray:
    """``random_()`` without bounds: r % (max + 1) for integers, r % (2^digits + 1) for floats, r & 1 for bool."""
    gen = _gen(generator)
    np_dtype = np.dtype(np_dtype)
    wide = np_dtype in (np.int64, np.float64)
    words = gen._random64(n) if wide else gen._random32(n)
    if np_dtype == np.bool_:
        return (words & np.uint64(1)).astype(np.bool_)
    if np_dtype.kind == "f":
        modulus = (1 << (np.finfo(np_dtype).nmant + 1)) + 1
    else:
        modulus = int(np.iinfo(np_dtype).max) + 1
    return (words % np.uint64(modulus)).astype(np_dtype)


def bernoulli(p: np.ndarray, generator: Generator | None = None) -> np.ndarray:
    """One draw per element of ``p`` (flat, in order): u < p, u a uniform of p's precision
    (double for float64 p and for a Python float, float32 otherwise)."""
    compute = np.float64 if p.dtype == np.float64 else np.float32
    return uniform(p.size, compute, 0.0, 1.0, generator) < p.astype(compute).reshape(-1)


def exponential(n: int, lambd: float, generator: Generator | None = None) -> np.ndarray:
    """n doubles of Exp(lambd): -1 / lambd * log1p(-u)."""
    u = uniform(n, np.float64, 0.0, 1.0, generator)
    return (-1.0 / lambd) * kernels.log1p_neg(u)


def cauchy(n: int, median: float, sigma: float, generator: Generator | None = None) -> np.ndarray:
    """n doubles of Cauchy(median, sigma): median + sigma * tan(pi * (u - 1/2))."""
    return kernels.cauchy(uniform(n, np.float64, 0.0, 1.0, generator), float(median), float(sigma))


def log_normal(n: int, mean: float, std: float, generator: Generator | None = None) -> np.ndarray:
    """n doubles exp(z), z ~ N(mean, std^2) from the scalar normal path (torch draws them one by one)."""
    return kernels.exp(normal(n, np.float64, mean, std, False, generator))


def geometric(n: int, p: float, generator: Generator | None = None) -> np.ndarray:
    """n doubles of Geometric(p) on 1, 2, ...: ceil(log(u) / log1p(-p))."""
    return kernels.geometric(uniform(n, np.float64, 0.0, 1.0, generator), float(p))


def permutation(n: int, generator: Generator | None = None) -> np.ndarray:
    """torch's randperm(n) as int64."""
    gen = _gen(generator)
    out = np.empty(n, dtype=np.int64)
    if n < (2**32 - 1) // 20:
        kernels.randperm_swaps(gen._random32(max(n - 1, 0)), out)
    else:
        kernels.randperm_inside_out(gen._random64(n), out)
    return out


class _Draws:
    """NumPy-style calls (``rng().random(shape)``, ...) drawing torch's numbers from one Generator."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator

    def random(self, shape: Any = ()) -> np.ndarray:
        """Double uniforms on [0, 1) (torch's 53-bit transform)."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return uniform(int(np.prod(shape)), np.float64, 0.0, 1.0, self.generator).reshape(shape)

    def permutation(self, n: int) -> np.ndarray:
        return permutation(n, self.generator)


def rng(generator: Generator | None = None) -> _Draws:
    """Draws from ``generator`` (or the global one) in NumPy's call style, for array-level code."""
    return _Draws(_gen(generator))


__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]
