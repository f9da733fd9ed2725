r"""Sampling into tensors: normal_, uniform_, bernoulli_, random_, exponential_, cauchy_, log_normal_,
geometric_, and the functions bernoulli, multinomial, normal.

Every draw goes through ``minitorch_nn.random`` and reproduces torch's CPU numbers for the
same seed (that module's docstring lists the transforms). In-place samplers write in the
tensor's memory order, as torch's serial kernels do. Their values are constants: inside a
graph the write is a node (torch's NormalBackward0, UniformBackward0, ...) passing zero
gradient to the overwritten values; a leaf that requires grad refuses them in grad mode.

``torch.normal(mean, std)`` with tensors draws standard normals into the broadcast
shape and then computes ``z * std`` and ``+ mean`` as two separate ops (torch's
``output.mul_(std).add_(mean)``), each rounded to the output dtype.

``multinomial`` without replacement (or for one sample) is torch's exponential-race
(Gumbel-max) trick: $q \sim \operatorname{Exp}(1)$ per category, then the largest $p / q$ win. With
replacement: the float cumulative sums of each row, divided by their total, searched
with one double uniform per sample.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import random
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tensor import Tensor
from ..autograd.types import default_float, to_numpy_dtype
from ..autograd.views import check_inplace
from ..random import Generator
from .arithmetic import _write_result
from .utils import _TENSOR_TYPES, check_broadcasts_into


def _type_name(np_dtype: np.dtype) -> str:
    return _TENSOR_TYPES.get(np.dtype(np_dtype).name, np.dtype(np_dtype).name)


def _require_float(t: Tensor, kernel: str) -> None:
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(t._data.dtype)}'")


class _Sampled(Function):
    r"""x.normal_() and friends inside a graph: y = draws, a constant, so $\partial L / \partial x = 0$ (torch's
    NormalBackward0, ...).
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, values: np.ndarray) -> np.ndarray:
        return values

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.zeros_like(grad), None


_NODES = {
    name: type(f"{name}Node", (_Sampled,), {"node_name": name})
    for name in (
        "NormalBackward0",
        "UniformBackward0",
        "BernoulliBackward1",
        "BernoulliBackward2",
        "ExponentialBackward0",
        "RandomBackward0",
        "RandomBackward1",
        "RandomBackward2",
        "CauchyBackward0",
        "LogNormalBackward0",
        "GeometricBackward0",
    )
}


def _write(self: Tensor, values: np.ndarray, node_name: str) -> Tensor:
    """Write ``values`` (flat, in draw order) into self's memory order; bump the version. Inside a graph
    (self requires grad) the write is recorded as a node giving self's old value zero gradient."""
    axes = random.memory_axes(self._data)
    if is_grad_enabled() and self.requires_grad:
        laid_out = np.empty(self._data.shape, dtype=self._data.dtype)
        laid_out.transpose(axes)[...] = values.reshape([self._data.shape[a] for a in axes])
        return _write_result(self, _NODES[node_name].apply(self, Tensor._make(laid_out)), self)
    target = self._data.transpose(axes)
    target[...] = values.reshape(target.shape)
    self._version_counter.value += 1
    return self


def _is_contiguous(t: Tensor) -> bool:
    return bool(t._data.flags.c_contiguous)


# ---- in-place samplers ---------------------------------------------------------------------------------
def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2)."""
    _require_float(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    check_inplace(self)
    n = self._data.size
    values = random.normal(n, self._data.dtype, mean, std, _is_contiguous(self), generator)
    return _write(self, values, "NormalBackward0")


def uniform_(
    self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Generator | None = None, **kwargs: Any
) -> Tensor:
    """Fill with U[from, to) (``from`` is also accepted by keyword, as torch spells it)."""
    from_ = kwargs.pop("from", from_)
    if kwargs:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if self._data.dtype.kind != "f":
        raise NotImplementedError(f"\"check_uniform_bounds\" not implemented for '{_type_name(self._data.dtype)}'")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}")
    check_inplace(self)
    return _write(self, random.uniform(self._data.size, self._data.dtype, from_, to, generator), "UniformBackward0")


def _check_probability(p: float) -> None:
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Each element 1 with probability p (a float, or a tensor broadcast to self's shape), else 0."""
    check_inplace(self)
    if isinstance(p, Tensor):
        _require_float(p, "bernoulli_tensor_cpu_p_")
        check_broadcasts_into(p._data.shape, self._data.shape)
        # p is read in the order self is written
        probs = np.broadcast_to(p._data, self._data.shape).transpose(random.memory_axes(self._data))
        node = "BernoulliBackward1"
    else:
        _check_probability(p)
        probs = np.full(self._data.size, float(p), dtype=np.float64)
        node = "BernoulliBackward2"
    return _write(self, random.bernoulli(probs, generator).astype(self._data.dtype), node)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None) -> Tensor:
    """Draws of Bernoulli(input) (input: probabilities), or of Bernoulli(p) in input's shape and dtype."""
    out = Tensor._make(np.empty(input._data.shape, dtype=input._data.dtype))  # contiguous, as torch's
    if p is not None:
        return bernoulli_(out, p, generator=generator)
    _require_float(input, "bernoulli_tensor_cpu_p_")
    if input._data.size and not ((input._data >= 0) & (input._data <= 1)).all():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  "
            "If so, please report an enhancement request to PyTorch.)"
        )
    return bernoulli_(out, input, generator=generator)


def random_(self: Tensor, *args: Any, generator: Generator | None = None, **kwargs: Any) -> Tensor:
    """``random_()``: the dtype's full range; ``random_(to)``: [0, to); ``random_(from, to)``: [from, to)."""
    bounds = list(args)
    if "from" in kwargs:
        bounds = [kwargs.pop("from"), *bounds]
    if "to" in kwargs:
        bounds.append(kwargs.pop("to"))
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    check_inplace(self)
    np_dtype = self._data.dtype
    n = self._data.size
    if not bounds:
        return _write(self, random.full_range_integers(n, np_dtype, generator), "RandomBackward2")
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    if high is None:
        high = _dtype_max(np_dtype) + 1
    check_integer_range(int(low), int(high), np_dtype)
    node = "RandomBackward1" if len(bounds) == 1 else "RandomBackward0"
    return _write(self, random.integers(n, int(low), int(high), np_dtype, generator), node)


def _dtype_max(np_dtype: np.dtype) -> int:
    if np_dtype == np.bool_:
        return 1
    if np_dtype.kind == "f":
        return 1 << (np.finfo(np_dtype).nmant + 1)
    return int(np.iinfo(np_dtype).max)


_C_TYPE_NAMES = {
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short",
    "int32": "int",
    "int64": "long",
    "bool": "bool",
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
}


def check_integer_range(low: int, high: int, np_dtype: np.dtype) -> None:
    """torch's random_(from, to) checks: from < to, both inside what the dtype holds (floats: a warning
    outside +-2^digits, where consecutive integers stop being representable)."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    np_dtype = np.dtype(np_dtype)
    name = _C_TYPE_NAMES[np_dtype.name]
    if np_dtype.kind == "f":
        digits = np.finfo(np_dtype).nmant + 1
        for label, value in (("from", low), ("to - 1", high - 1)):
            if not -(2**digits) <= value <= 2**digits:
                warnings.warn(
                    f"{label} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations {name} can "
                    "support discrete uniform distribution only within this range. This warning will become an error "
                    "in version 1.7 release, please fix the code in advance",
                    UserWarning,
                    stacklevel=3,
                )
        return
    lowest = 0 if np_dtype == np.bool_ else int(np.iinfo(np_dtype).min)
    if not lowest <= low <= _dtype_max(np_dtype):
        raise RuntimeError(f"from is out of bounds for {name}")
    if not lowest <= high - 1 <= _dtype_max(np_dtype):
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    """Fill with Exp(lambd): density lambd * exp(-lambd x)."""
    if self._data.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a floating point "
            f"but you specified {_type_name(self._data.dtype)}"
        )
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    check_inplace(self)
    values = random.exponential(self._data.size, lambd, generator)
    return _write(self, values.astype(self._data.dtype), "ExponentialBackward0")


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    """Fill with Cauchy(median, sigma): density 1 / (pi sigma (1 + ((x - median) / sigma)^2))."""
    if self._data.dtype.kind != "f":
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a floating point but you "
            f"specified {_C_TYPE_NAMES[self._data.dtype.name]}{' int' if self._data.dtype == np.int64 else ''}"
        )
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    check_inplace(self)
    values = random.cauchy(self._data.size, median, sigma, generator)
    return _write(self, values.astype(self._data.dtype), "CauchyBackward0")


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Generator | None = None) -> Tensor:
    """Fill with exp(N(mean, std^2))."""
    _require_float(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    check_inplace(self)
    values = random.log_normal(self._data.size, mean, std, generator)
    return _write(self, values.astype(self._data.dtype), "LogNormalBackward0")


def geometric_(self: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to and including the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    check_inplace(self)
    values = random.geometric(self._data.size, p, generator)
    return _write(self, values.astype(self._data.dtype), "GeometricBackward0")


# ---- sampling functions --------------------------------------------------------------------------------
def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Generator | None = None
) -> Tensor:
    """Indices drawn from the categories of each row of ``input`` (weights, need not sum to 1)."""
    probs = input._data
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {_type_name(probs.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_categories = probs.shape[-1]
    if not replacement and num_samples > n_categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rows = probs.reshape(-1, n_categories)
    out_shape = (*probs.shape[:-1], num_samples)
    if not replacement or num_samples == 1:
        if not (np.isfinite(rows) & (rows >= 0)).all() or np.isnan(rows).any():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = random.exponential(rows.size, 1.0, generator).astype(probs.dtype).reshape(rows.shape)
        race = rows / q
        if num_samples == 1:
            result = np.argmax(race, axis=1)[:, None]
        else:
            result = np.argsort(-race, axis=1, kind="stable")[:, :num_samples]
        return Tensor._make(result.astype(np.int64).reshape(out_shape))
    result = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        if (row < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
        if not np.isfinite(row).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
        cumulative = np.cumsum(row, dtype=row.dtype)  # sequential, in the row's dtype
        total = cumulative[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cumulative = cumulative / total
        cumulative[-1] = 1
        u = random.uniform(num_samples, np.float64, 0.0, 1.0, generator)
        result[i] = np.searchsorted(cumulative.astype(np.float64), u, side="left")
    return Tensor._make(result.reshape(out_shape))


def _standard_normal_like(shape: tuple[int, ...], np_dtype: np.dtype, std: float, generator: Any) -> np.ndarray:
    n = int(np.prod(shape))
    return random.normal(n, np_dtype, 0.0, std, True, generator).reshape(shape)


def _check_std_tensor(std: Tensor) -> None:
    if std._data.size and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """N(mean, std^2) samples: ``mean`` and ``std`` each a tensor or a float (with ``size`` when both are floats)."""
    from_tensors = isinstance(mean, Tensor) or isinstance(std, Tensor)
    if not from_tensors:
        if size is None:
            raise TypeError("normal() missing required argument 'size' when mean and std are floats")
        return _normal_factory(float(mean), float(std), size, generator, dtype, requires_grad)
    if isinstance(std, Tensor):
        _check_std_tensor(std)
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if isinstance(mean, Tensor):
        _require_float(mean, "normal_kernel_cpu")
        out_dtype = mean._data.dtype
    else:
        _require_float(std, "normal_kernel_cpu")
        out_dtype = std._data.dtype
    mean_shape = mean._data.shape if isinstance(mean, Tensor) else ()
    std_shape = std._data.shape if isinstance(std, Tensor) else ()
    shape = _infer_size(mean_shape, std_shape)
    if isinstance(std, Tensor):
        values = _standard_normal_like(shape, out_dtype, 1.0, generator)
        values = (values * std._data).astype(out_dtype, copy=False)
    else:
        values = _standard_normal_like(shape, out_dtype, float(std), generator)
    mean_array = mean._data if isinstance(mean, Tensor) else np.asarray(mean, dtype=out_dtype)
    values = (values + mean_array).astype(out_dtype, copy=False)
    return Tensor._make(np.ascontiguousarray(values))


def _infer_size(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape of a and b, with torch's message when they do not broadcast."""
    ndim = max(len(a), len(b))
    shape = []
    for i in range(ndim):
        size_a = a[i - ndim + len(a)] if i - ndim + len(a) >= 0 else 1
        size_b = b[i - ndim + len(b)] if i - ndim + len(b) >= 0 else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(
                f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at non-singleton "
                f"dimension {i}"
            )
        shape.append(size_a if size_b == 1 else size_b)
    return tuple(shape)


def _normal_factory(mean: float, std: float, size: Any, generator: Any, dtype: Any, requires_grad: bool) -> Tensor:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    np_dtype = to_numpy_dtype(dtype) or default_float()
    n = int(np.prod(shape))
    t = Tensor._make(random.normal(n, np_dtype, mean, std, True, generator).reshape(shape))
    if requires_grad:
        t.requires_grad = True
    return t


def _bernoulli_method(self: Tensor, p: float | None = None, *, generator: Generator | None = None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def _multinomial_method(
    self: Tensor, num_samples: int, replacement: bool = False, *, generator: Generator | None = None
) -> Tensor:
    return multinomial(self, num_samples, replacement, generator=generator)


__all__ = ["bernoulli", "multinomial", "normal"]

TENSOR_METHODS: dict = {
    "normal_": normal_,
    "uniform_": uniform_,
    "bernoulli_": bernoulli_,
    "bernoulli": _bernoulli_method,
    "random_": random_,
    "exponential_": exponential_,
    "cauchy_": cauchy_,
    "log_normal_": log_normal_,
    "geometric_": geometric_,
    "multinomial": _multinomial_method,
}
