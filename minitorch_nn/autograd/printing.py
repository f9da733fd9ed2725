"""Tensor printing in torch's style: ``tensor([0.1005, 0.0263], grad_fn=<AddmmBackward0>)``.

The rules follow torch's ``_tensor_str``. One format serves every element of a
float tensor, chosen from its finite non-zero values: if all are whole numbers
they print as ``1.`` (scientific when max/min > 1000 or max > 1e8), otherwise
with ``precision`` decimals (scientific when max/min > 1000, max > 1e8 or
min < 1e-4). Every element is padded to one width; rows wrap at ``linewidth``;
tensors with more than ``threshold`` elements show ``edgeitems`` per side
around ``...``. Non-default dtypes (not float32, int64, bool) are named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

_DEFAULT_SUFFIX_DTYPES = {"float32", "int64", "bool"}


@dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """torch.set_printoptions: a profile ("default", "short", "full") then any explicit option."""
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, 1000, 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 1000, 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, math.inf, 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


class _Formatter:
    """One element format (and width) for a whole tensor."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        p = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not self.floating:
            self.max_width = max((len(str(v)) for v in flat.tolist()), default=1)
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size:
            magnitudes = np.abs(finite)
            lo, hi = float(magnitudes.min()), float(magnitudes.max())
            self.int_mode = bool(np.all(finite == np.ceil(finite)))
            if self.int_mode:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
                texts = [f"{v:.{p}e}" if self.sci_mode else f"{v:.0f}." for v in finite.tolist()]
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
                texts = [f"{v:.{p}e}" if self.sci_mode else f"{v:.{p}f}" for v in finite.tolist()]
            self.max_width = max(len(t) for t in texts)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def format(self, value: Any) -> str:
        p = PRINT_OPTS.precision
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{p}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{p}f}"
        return text.rjust(self.max_width)


def _summarized(array: np.ndarray) -> np.ndarray:
    """The elements that a summarised print shows (edgeitems per side of every dim)."""
    e = PRINT_OPTS.edgeitems
    if array.ndim == 0:
        return array
    if array.shape[0] > 2 * e:
        array = np.concatenate([array[:e], array[-e:]])
    if array.ndim == 1:
        return array
    return np.stack([_summarized(row) for row in array])


def _vector(array: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    e = PRINT_OPTS.edgeitems
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2))))
    if summarize and array.shape[0] > 2 * e:
        data = [fmt.format(v) for v in array[:e].tolist()] + [" ..."]
        data += [fmt.format(v) for v in array[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in array.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if array.ndim == 0:
        return fmt.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = array.shape[0]
    if summarize and n > 2 * e:
        rows = [_nested(array[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
        rows += [_nested(array[i], indent + 1, summarize, fmt) for i in range(n - e, n)]
    else:
        rows = [_nested(array[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(array: np.ndarray, indent: int) -> str:
    summarize = array.size > PRINT_OPTS.threshold
    values = array.astype(np.float32) if array.dtype == np.float16 else array
    fmt = _Formatter(_summarized(values) if summarize else values)
    return _nested(values, indent, summarize, fmt)


def format_tensor(array: np.ndarray, suffixes: list[str]) -> str:
    """The text torch prints for a tensor with these contents and suffixes (e.g. grad_fn=<...>)."""
    prefix = "tensor("
    indent = len(prefix)
    dtype_suffix = f"dtype=torch.{array.dtype.name}"
    head: list[str] = []
    if array.size == 0:
        if array.ndim != 1:
            head.append(f"size={tuple(array.shape)}")
        if array.dtype.name != "float32":
            head.append(dtype_suffix)
        body = "[]"
    else:
        if array.dtype.name not in _DEFAULT_SUFFIX_DTYPES:
            head.append(dtype_suffix)
        body = _body(array, indent)
    # torch names C++ nodes by their short class name (CopySlices, not torch::autograd::CopySlices)
    suffixes = [s.replace("<torch::autograd::", "<") for s in suffixes]
    text = prefix + body
    last_line = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in head + suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"
