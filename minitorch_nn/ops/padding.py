r"""Padding: F.pad with modes constant, reflect, replicate and circular.

Every mode is a gather: output position i along a padded dim reads input
position src(i), with (n the input size, lo the padding in front):

$$
\begin{aligned}
&\text{constant:}  && \operatorname{src}(i) = i - \mathrm{lo} \text{ (the fill value outside } [0, n)), \\
&\text{reflect:}   && i - \mathrm{lo} \text{ mirrored at the edges without repeating them } (-1 \to 1,\ n \to n - 2), \\
&\text{replicate:} && i - \mathrm{lo} \text{ clamped to } [0, n - 1], \\
&\text{circular:}  && (i - \mathrm{lo}) \bmod n.
\end{aligned}
$$

So the backward is the matching scatter-add: each input position receives the
sum of the upstream gradient over every output position that read it (an edge
pixel under replicate collects the whole border; the fill value gets nothing):
$\partial L / \partial x[j] = \sum_{i:\ \operatorname{src}(i) = j} \partial L / \partial y[i]$.

Negative pads crop. Constant, reflect and replicate index the original input
($i - \mathrm{lo}$ with $\mathrm{lo} < 0$ starts inside it); circular, as torch, crops first and
then wraps around the cropped size $n' = n - \mathrm{crop\_lo} - \mathrm{crop\_hi}$.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _source_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    if mode == "circular":
        start, kept = max(0, -lo), n - max(0, -lo) - max(0, -hi)
        i = np.arange(-max(0, lo), kept + max(0, hi))
        return start + (i % kept if kept > 0 else i[:0])
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        return np.where(i >= n, period - i, i)
    return np.clip(i, 0, n - 1)  # replicate


class _GatherPad(Function):
    r"""Pad by gathering along each of the last k dims (k = len(pad) // 2).

    Forward: $y = x[\dots, \operatorname{src}(i)]$ along each padded axis in turn. Backward: the
    adjoint of a gather is a scatter-add,
    $\partial L / \partial x[j] = \sum_{i:\ \operatorname{src}(i) = j} \partial L / \partial y[i]$, applied axis by axis
    in the reverse order.
    """

    mode = ""

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, pad: tuple[int, ...]) -> np.ndarray:
        ctx.indices = [
            (x.ndim - 1 - j, _source_index(x.shape[x.ndim - 1 - j], pad[2 * j], pad[2 * j + 1], cls.mode))
            for j in range(len(pad) // 2)
        ]
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
    r"""Pad with a constant (negative pads crop).

    Forward: y = value everywhere, then $y[\mathrm{dst}] = x[\mathrm{src}]$ with dst the centre
    (shifted by the positive pads) and src what survives the crops. Only the
    copied entries depend on x, each with derivative 1:
    $\partial L / \partial x[\mathrm{src}] = \partial L / \partial y[\mathrm{dst}]$,
    zero for the cropped entries (the fill value is a constant).
    """

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, pad: tuple[int, ...], value: Any) -> np.ndarray:
        out_shape = list(x.shape)
        src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        for j in range(len(pad) // 2):
            axis = x.ndim - 1 - j
            lo, hi = pad[2 * j], pad[2 * j + 1]
            n = x.shape[axis]
            # torch narrows the front crop, then the back crop: each must leave a length >= 0
            if n - max(0, -lo) < 0 or n - max(0, -lo) - max(0, -hi) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            out_shape[axis] = n + lo + hi
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

_SUPPORTED = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def _is_int_tensor(p: Any) -> bool:
    return isinstance(p, Tensor) and p.dim() == 0 and p._data.dtype.kind in "iu"


def _int_pads(pad: Any, fname: str) -> tuple[int, ...]:
    for pos, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)) and not _is_int_tensor(p):
            raise TypeError(
                f"{fname}(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                f"{type(p).__name__} at pos {pos}"
            )
    return tuple(int(p) for p in pad)


def constant_pad_nd(input: Tensor, pad: Any, value: float = 0) -> Tensor:
    """torch.constant_pad_nd: pad (or, with negative pads, crop) the last len(pad) // 2 dims with ``value``."""
    pad = _int_pads(pad, "constant_pad_nd")
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) > 2 * input.dim():
        raise RuntimeError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(pad)}while the input has {input.dim()}dimensions."
        )
    return ConstantPad.apply(input, pad, value)


def _check_gather_pad(input: Tensor, pad: tuple[int, ...], mode: str, k: int) -> None:
    """torch's checks of reflect / replicate / circular padding, in torch's order."""
    shape = tuple(input.shape)
    if mode != "circular":
        if input._data.dtype == np.bool_:
            name = "reflection" if mode == "reflect" else "replication"
            raise NotImplementedError(f"\"{name}_pad{k}d\" not implemented for 'Bool'")
        if any(n == 0 for n in shape[1:]):
            raise RuntimeError(
                f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero "
                f"dimensions for input, but got: {list(shape)}"
            )
    for j in range(k):
        axis, lo, hi = input.dim() - 1 - j, pad[2 * j], pad[2 * j + 1]
        n = shape[axis]
        if mode == "circular":
            if lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if n + lo + hi < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
            continue
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding input dimension, but "
                f"got: padding ({lo}, {hi}) at dimension {axis} of input {list(shape)}"
            )
        out = n + lo + hi
        if k == 1 and out < 1:
            raise RuntimeError(f"input (W: {n}) is too small. Calculated output W: {out}")
        if out < 0:
            bad = list(shape)
            bad[axis] = out
            raise RuntimeError(f"Trying to create tensor with negative dimension {out}: {bad}")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """torch.nn.functional.pad: ``pad`` lists (front, back) pairs starting from the last dim."""
    pad = _int_pads(pad, "pad")
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
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n{_SUPPORTED}"
        )
    _check_gather_pad(input, pad, mode, k)
    return (_CIRCULAR if mode == "circular" else _NODES[(mode, k)]).apply(input, pad)


__all__ = ["constant_pad_nd"]

TENSOR_METHODS: dict = {}
