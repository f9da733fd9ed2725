"""Tensor printing in torch's style: ``tensor([0.1005, 0.0263], grad_fn=<AddmmBackward0>)``.

torch picks one format for all elements of a float tensor: whole numbers print
as ``1.``, a wide range of magnitudes switches to scientific ``1.2653e-02``,
anything else prints with 4 decimals. Long tensors are summarised with ``...``.
"""

from __future__ import annotations

import numpy as np

_DEFAULT_SUFFIX_DTYPES = {"float32", "int64", "bool"}
PRECISION = 4
LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3


def _float_formatter(array: np.ndarray):
    finite = array[np.isfinite(array)]
    nonzero = np.abs(finite[finite != 0]).astype(np.float64)
    if finite.size == 0 or np.all(finite == np.round(finite)):
        width = max((len(f"{v:.0f}") for v in finite), default=1)
        if nonzero.size and (nonzero.max() > 1e8):
            return lambda v: f"{v:.{PRECISION}e}"
        return lambda v: (f"{v:.0f}." if np.isfinite(v) else str(v).replace("inf", "inf")).rjust(width + 1)
    if nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1e8 or nonzero.min() < 1e-4):
        return lambda v: f"{v:.{PRECISION}e}"
    return lambda v: f"{v:.{PRECISION}f}"


def format_tensor(array: np.ndarray, suffixes: list[str]) -> str:
    """The text torch prints for a tensor with these contents and suffixes."""
    prefix = "tensor("
    if array.dtype.name not in _DEFAULT_SUFFIX_DTYPES:
        suffixes = [f"dtype=torch.{array.dtype.name}"] + list(suffixes)
    if array.size == 0 and array.ndim == 1:
        body = "[]"
    else:
        summarise = array.size > THRESHOLD
        if array.dtype.kind == "f":
            fmt = _float_formatter(_summary_values(array) if summarise else array)
            # every element gets the same width, as torch aligns them
            sample = _summary_values(array) if summarise else array.ravel()
            width = max((len(fmt(v)) for v in sample), default=1)
            formatter = {"float_kind": lambda v: fmt(v).rjust(width)}
        else:
            formatter = None
        body = np.array2string(
            array,
            separator=", ",
            prefix=prefix,
            formatter=formatter,
            threshold=THRESHOLD,
            edgeitems=EDGEITEMS,
            max_line_width=LINEWIDTH,
        )
        if array.dtype.kind == "b":
            body = body.replace("True", "True").replace("False", "False")
    text = prefix + body
    if suffixes:
        text += ", " + ", ".join(suffixes)
    return text + ")"


def _summary_values(array: np.ndarray) -> np.ndarray:
    flat = array.ravel()
    return np.concatenate([flat[:EDGEITEMS], flat[-EDGEITEMS:]])
