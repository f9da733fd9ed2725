"""Padding: F.pad with modes constant, reflect, replicate and circular.

Every mode is a gather: output position i along a padded dim reads input
position src(i), with (n the input size, lo the padding in front):

    constant   src(i) = i - lo, or the fill value where that falls outside [0, n)
    reflect    i - lo mirrored at the edges without repeating them (-1 -> 1, n -> n - 2)
    replicate  i - lo clamped to [0, n - 1]
    circular   (i - lo) mod n

So the backward is the matching scatter-add: each input position receives the
sum of the upstream gradient over every output position that read it (an edge
pixel under replicate collects the whole border; the fill value gets nothing).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _source_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        return np.where(i >= n, period - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n  # circular


class _GatherPad(Function):
    """Pad by gathering along each of the last k dims (k = len(pad) // 2)."""

    mode = ""

    @staticmethod
    def _indices(shape: tuple[int, ...], pad: tuple[int, ...], mode: str) -> list[tuple[int, np.ndarray]]:
        out = []
        for j in range(len(pad) // 2):
            axis = len(shape) - 1 - j
            out.append((axis, _source_index(shape[axis], pad[2 * j], pad[2 * j + 1], mode)))
        return out

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, pad: tuple[int, ...]) -> np.ndarray:
        ctx.indices = cls._indices(x.shape, pad, cls.mode)
        ctx.shape = x.shape
        for axis, index in ctx.indices:
            x = np.take(x, index, axis=axis)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        for axis, index in reversed(ctx.indices):
            moved = np.moveaxis(grad, axis, 0)
            acc = np.zeros((ctx.shape[axis],) + moved.shape[1:], dtype=grad.dtype)
            np.add.at(acc, index, moved)
            grad = np.moveaxis(acc, 0, axis)
        return grad, None


class ConstantPad(Function):
    """Pad with a constant (negative pads crop). Backward: the upstream gradient's centre."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, pad: tuple[int, ...], value: float) -> np.ndarray:
        out_shape = list(x.shape)
        src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        for j in range(len(pad) // 2):
            axis = x.ndim - 1 - j
            lo, hi = pad[2 * j], pad[2 * j + 1]
            n = x.shape[axis]
            out_shape[axis] = n + lo + hi
            if out_shape[axis] < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            src[axis] = slice(max(0, -lo), n - max(0, -hi))
            dst[axis] = slice(max(0, lo), out_shape[axis] - max(0, hi))
        out = np.full(out_shape, value, dtype=x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        ctx.shape, ctx.src, ctx.dst = x.shape, tuple(src), tuple(dst)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        g = np.zeros(ctx.shape, dtype=grad.dtype)
        g[ctx.src] = grad[ctx.dst]
        return g, None, None


def _gather_class(mode: str, name: str) -> type[Function]:
    return type(f"_{mode.title()}Pad{name}", (_GatherPad,), {"mode": mode, "node_name": name})


_NODES = {
    (mode, k): _gather_class(mode, f"{prefix}Pad{k}DBackward0")
    for mode, prefix in (("reflect", "Reflection"), ("replicate", "Replication"))
    for k in (1, 2, 3)
}
# torch pads circularly with in-place slice copies, whose node is CopySlices
_CIRCULAR = _gather_class("circular", "CopySlices")
_CIRCULAR._node_class.name = lambda self: "torch::autograd::CopySlices"  # torch's name() of that node


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """torch.nn.functional.pad: ``pad`` lists (front, back) pairs starting from the last dim."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got padding "
            f"length {len(pad)} and input of dimension {input.dim()}"
        )
    if mode == "constant":
        return ConstantPad.apply(input, pad, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.")
    shape = tuple(input.shape)
    for j in range(k):
        axis, lo, hi = input.dim() - 1 - j, pad[2 * j], pad[2 * j + 1]
        too_big = (lo >= shape[axis] or hi >= shape[axis]) if mode == "reflect" else False
        if mode == "circular":
            too_big = lo > shape[axis] or hi > shape[axis]
        if too_big or min(lo, hi) < 0 or (mode == "replicate" and shape[axis] == 0):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                f"padding ({lo}, {hi}) at dimension {axis} of input {list(shape)}"
            )
    return (_CIRCULAR if mode == "circular" else _NODES[(mode, k)]).apply(input, pad)


__all__: list[str] = []

TENSOR_METHODS: dict = {}
