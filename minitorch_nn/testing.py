"""torch.testing.assert_close: are two results the same, up to the rounding their dtype allows?

``actual`` and ``expected`` may be tensors, NumPy arrays (both), Python numbers, or sequences and
mappings of them (compared item by item, the failing item named). Tensors must agree in shape,
and unless told otherwise in dtype and device; then every element must satisfy
``|actual - expected| <= atol + rtol * |expected|`` (NaNs equal only with ``equal_nan``). The
default tolerances are torch's per dtype (float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7 both;
integers and bools: exact). A failure raises AssertionError with torch's message: how many
elements differ, and the greatest absolute and relative differences with their indices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .autograd.tensor import Tensor

_TOLERANCES = {  # dtype name -> (rtol, atol), torch's defaults
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


class _MismatchError(Exception):
    def __init__(self, exc_type: type[Exception], message: str) -> None:
        self.exc_type, self.message = exc_type, message


def _tolerances(*dtypes: np.dtype) -> tuple[float, float]:
    pairs = [_TOLERANCES.get(np.dtype(d).name, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(
    identifier: str, extra: str, abs_diff: Any, abs_idx: Any, atol: float, rel_diff: Any, rel_idx: Any, rtol: float
) -> str:
    equality = rtol == 0 and atol == 0
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    for kind, diff, idx, tol in (("absolute", abs_diff, abs_idx, atol), ("relative", rel_diff, rel_idx, rtol)):
        line = (
            f"{kind.title()} difference: {diff}"
            if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}"
        )
        msg += (line if equality else f"{line} (up to {tol} allowed)") + "\n"
    return msg.strip()


def _compare_numbers(actual: Any, expected: Any, rtol: Any, atol: Any, equal_nan: bool, check_dtype: bool) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _MismatchError(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    if rtol is None:
        rtol, atol = (0.0, 0.0) if all(isinstance(v, int) for v in (actual, expected)) else (1e-7, 1e-7)
    if actual == expected or (equal_nan and actual != actual and expected != expected):
        return
    abs_diff = abs(actual - expected)
    if abs_diff <= atol + rtol * abs(expected):
        return
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    extra = f"Expected {expected} but got {actual}."
    raise _MismatchError(
        AssertionError, _mismatch_message("Scalars", extra, abs_diff, None, atol, rel_diff, None, rtol)
    )


def _compare_tensors(
    actual: Tensor, expected: Tensor, rtol: Any, atol: Any, equal_nan: bool, checks: dict[str, bool]
) -> None:
    for attribute, check in (("shape", True), ("device", checks["device"]), ("dtype", checks["dtype"])):
        mine, theirs = getattr(actual, attribute), getattr(expected, attribute)
        if check and mine != theirs:
            message = f"The values for attribute '{attribute}' do not match: {mine} != {theirs}."
            raise _MismatchError(AssertionError, message)
    if checks["stride"] and actual.stride() != expected.stride():
        message = f"The values for attribute 'stride()' do not match: {actual.stride()} != {expected.stride()}."
        raise _MismatchError(AssertionError, message)
    a, e = actual._data, expected._data
    if rtol is None:
        rtol, atol = _tolerances(a.dtype, e.dtype)
    common = np.promote_types(a.dtype, e.dtype)
    a, e = a.astype(common), e.astype(common)
    if common.kind not in "fc":
        a, e = a.astype(np.int64), e.astype(np.int64)  # bools and integers differ as integers
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        diff = np.abs(a - e)
        matches = (a == e) | (diff <= atol + rtol * np.abs(e))
        if equal_nan and common.kind in "fc":
            matches |= np.isnan(a) & np.isnan(e)
        if matches.all():
            return
        if a.ndim == 0:
            extra = f"Expected {e.item()} but got {a.item()}."
            abs_diff = abs(a.item() - e.item())
            rel_diff = float("inf") if e.item() == 0 else abs_diff / abs(e.item())
            raise _MismatchError(
                AssertionError, _mismatch_message("Scalars", extra, abs_diff, None, atol, rel_diff, None, rtol)
            )
        total, wrong = matches.size, int(matches.size - matches.sum())
        extra = f"Mismatched elements: {wrong} / {total} ({wrong / total:.1%})"
        flat_diff, flat_matches = diff.ravel().copy(), matches.ravel()
        flat_diff[flat_matches] = 0
        float_type = common if common.kind in "fc" else np.dtype(np.float32)  # torch's int / int is float32
        rel = (flat_diff / np.abs(e.ravel())).astype(float_type)
        rel[flat_matches] = 0
        # torch.max picks the first greatest; a NaN counts as the greatest
        abs_at = int(np.argmax(np.where(np.isnan(flat_diff), np.inf, flat_diff)))
        rel_at = int(np.argmax(np.where(np.isnan(rel), np.inf, rel)))
        abs_idx, rel_idx = (tuple(int(i) for i in np.unravel_index(k, a.shape)) for k in (abs_at, rel_at))
        message = _mismatch_message(
            "Tensor-likes", extra, flat_diff[abs_at].item(), abs_idx, atol, rel[rel_at].item(), rel_idx, rtol
        )
        raise _MismatchError(AssertionError, message)


def _compare(actual: Any, expected: Any, path: str, options: dict[str, Any]) -> None:
    rtol, atol, equal_nan = options["rtol"], options["atol"], options["equal_nan"]
    if isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray):
        actual, expected = Tensor._make(actual), Tensor._make(expected)
    try:
        if isinstance(actual, Tensor) and isinstance(expected, Tensor):
            _compare_tensors(actual.detach(), expected.detach(), rtol, atol, equal_nan, options["checks"])
            return
        numbers = (bool, int, float, complex)
        if isinstance(actual, numbers) and isinstance(expected, numbers):
            _compare_numbers(actual, expected, rtol, atol, equal_nan, options["checks"]["dtype"])
            return
    except _MismatchError as failure:
        suffix = f"\n\nThe failure occurred for item {path}" if path else ""
        raise _MismatchError(failure.exc_type, failure.message + suffix) from None
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            raise _MismatchError(
                AssertionError,
                f"The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(set(expected) - set(actual), key=repr)}\n"
                f"Extra keys in the actual mapping: {sorted(set(actual) - set(expected), key=repr)}",
            )
        for key in expected:
            _compare(actual[key], expected[key], f"{path}[{key!r}]", options)
        return
    if isinstance(actual, Sequence) and isinstance(expected, Sequence) and not isinstance(actual, (str, bytes)):
        if len(actual) != len(expected):
            raise _MismatchError(
                AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, f"{path}[{i}]", options)
        return
    raise _MismatchError(
        TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}."
    )


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` are close (see the module docstring)."""
    if (rtol is None) != (atol is None):
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {'rtol' if rtol is None else 'atol'}."
        )
    checks = {"device": check_device, "dtype": check_dtype, "stride": check_stride}
    try:
        _compare(actual, expected, "", {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "checks": checks})
    except _MismatchError as failure:
        message = failure.message
        if failure.exc_type is AssertionError and msg is not None:
            message = msg(message) if callable(msg) else msg
        raise failure.exc_type(message) from None


__all__ = ["assert_close"]
