"""out= against torch: every function of ops/out.py's list, its rules (no graph, dtype casts,
resizing with torch's warning, tuple outs and their named tuples)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.ops.out import OUT_FUNCTIONS
from reference.compare import raised

RNG = np.random.default_rng(0)
X = RNG.uniform(0.1, 0.9, (3, 4))
Y = RNG.uniform(0.1, 0.9, (3, 4))
V = RNG.uniform(0.1, 0.9, 4)
UNARY = (
    "abs acos asin asinh atan atanh ceil cos cosh deg2rad erf erfc erfinv exp exp2 expm1 fix floor frac log "
    "log10 log1p log2 logit nan_to_num neg negative rad2deg reciprocal round rsqrt sgn sigmoid sign signbit sin "
    "sinc sinh sqrt square tan tanh trunc msort tril triu nonzero diag"
).split()
BINARY = (
    "add sub subtract mul multiply div divide pow maximum minimum eq ne lt le gt ge logical_and logical_or logical_xor "
    "atan2 copysign float_power floor_divide fmax fmin fmod greater greater_equal hypot less less_equal logaddexp "
    "logaddexp2 not_equal remainder xlogy"
).split()
REDUCE = "amax amin all any cumsum cumprod logcumsumexp logsumexp mean nanmean prod std var sum".split()
PAIRS = "aminmax cummax cummin max min mode sort".split()
STACKS = "cat concat stack hstack vstack dstack column_stack row_stack".split()


def _bound(function: Any, *args: Any, **kwargs: Any) -> Any:
    return lambda out: function(*args, **kwargs, out=out)


def calls(lib: Any) -> dict[str, Any]:
    """name -> a call of it with out given (a factory of the out tensor(s) comes from torch's result)."""
    x, y, v = lib.tensor(X), lib.tensor(Y), lib.tensor(V)
    table: dict[str, Any] = {}
    for name in UNARY:
        table[name] = _bound(getattr(lib, name), x)
    table["acosh"] = lambda out: lib.acosh(x + 1, out=out)
    table["logical_not"] = lambda out: lib.logical_not(x > 0.5, out=out)
    for name in ("isneginf", "isposinf"):
        table[name] = _bound(getattr(lib, name), x)
    n = lib.tensor([[3, 5], [6, 12]])
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"):
        table[name] = _bound(getattr(lib, name), n, lib.tensor([[1, 2], [3, 1]]))
    table["bitwise_not"] = _bound(lib.bitwise_not, n)
    for name in BINARY:
        table[name] = _bound(getattr(lib, name), x, y)
    for name in REDUCE:
        table[name] = _bound(getattr(lib, name), x, 1)
    for name in PAIRS:
        table[name] = _bound(getattr(lib, name), x, dim=1) if name == "aminmax" else _bound(getattr(lib, name), x, 1)
    for name in STACKS:
        table[name] = _bound(getattr(lib, name), [x, y])
    table.update(
        {
            "norm": lambda out: lib.norm(x, 2, 1, out=out),
            "kthvalue": lambda out: lib.kthvalue(x, 2, 1, out=out),
            "topk": lambda out: lib.topk(x, 2, out=out),
            "outer": lambda out: lib.outer(v, v, out=out),
            "dot": lambda out: lib.dot(v, v, out=out),
            "mm": lambda out: lib.mm(x, x.t(), out=out),
            "bmm": lambda out: lib.bmm(x[None], x.t()[None], out=out),
            "matmul": lambda out: lib.matmul(x, v, out=out),
            "mv": lambda out: lib.mv(x, v, out=out),
            "addmv": lambda out: lib.addmv(v[:3], x, v, out=out),
            "addr": lambda out: lib.addr(x, v[:3], v, out=out),
            "baddbmm": lambda out: lib.baddbmm(x[None, :, :3], x[None], x.t()[None, :, :3], out=out),
            "addbmm": lambda out: lib.addbmm(x[:, :3], x[None], x.t()[None, :, :3], out=out),
            "ger": lambda out: lib.ger(v, v, out=out),
            "inner": lambda out: lib.inner(x, y, out=out),
            "kron": lambda out: lib.kron(x[:2, :2], y[:2, :2], out=out),
            "vdot": lambda out: lib.vdot(v, v, out=out),
            "lerp": lambda out: lib.lerp(x, y, 0.3, out=out),
            "addmm": lambda out: lib.addmm(v[:3, None], x, x.t(), out=out),
            "clamp": lambda out: lib.clamp(x, min=0.3, out=out),
            "clip": lambda out: lib.clip(x, max=0.6, out=out),
            "gather": lambda out: lib.gather(x, 1, lib.tensor([[0], [2], [1]]), out=out),
            "index_select": lambda out: lib.index_select(x, 1, lib.tensor([3, 0]), out=out),
            "masked_select": lambda out: lib.masked_select(x, x > 0.5, out=out),
            "take_along_dim": lambda out: lib.take_along_dim(x, lib.tensor([[1], [0], [3]]), 1, out=out),
            "narrow_copy": lambda out: lib.narrow_copy(x, 1, 1, 2, out=out),
            "where": lambda out: lib.where(x > 0.5, x, y, out=out),
            "arange": lambda out: lib.arange(5, out=out),
            "eye": lambda out: lib.eye(3, out=out),
            "full": lambda out: lib.full((2, 3), 1.5, out=out),
            "linspace": lambda out: lib.linspace(0, 1, 5, out=out),
            "logspace": lambda out: lib.logspace(0, 2, 3, out=out),
            "ones": lambda out: lib.ones(2, 3, out=out),
            "zeros": lambda out: lib.zeros(2, 3, out=out),
        }
    )
    return table


def _empty_like(lib: Any, result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(lib.empty(0, dtype=getattr(lib, str(r.dtype).split(".")[-1])) for r in result)
    return lib.empty(0, dtype=getattr(lib, str(result.dtype).split(".")[-1]))


def test_every_listed_function_is_covered():
    assert sorted(calls(mt)) == sorted(OUT_FUNCTIONS)


@pytest.mark.parametrize("name", OUT_FUNCTIONS)
def test_writes_into_out_as_torch_does(name):
    theirs_call, ours_call = calls(torch)[name], calls(mt)[name]
    probe = theirs_call(None)  # torch accepts out= for it (None: allocate)
    their_out, our_out = _empty_like(torch, probe), _empty_like(mt, probe)
    theirs, ours = theirs_call(their_out), ours_call(our_out)
    pairs = list(zip(ours, theirs)) if isinstance(theirs, tuple) else [(ours, theirs)]
    outs = list(our_out) if isinstance(our_out, tuple) else [our_out]
    if isinstance(theirs, tuple):
        assert type(ours).__name__ == type(theirs).__name__ or (type(ours) is tuple and type(theirs) is tuple)
    for (o, t), given in zip(pairs, outs):
        assert o is given  # the out tensor itself comes back
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1] and o.shape == t.shape
        np.testing.assert_allclose(o.numpy().astype(np.float64), t.numpy().astype(np.float64), rtol=1e-6)


def test_rules_match_torch():
    def run(lib: Any) -> list:
        x = lib.ones(3, requires_grad=True)
        record = [raised(lambda: lib.add(x, 1, out=lib.empty(3)))]
        record.append(raised(lambda: lib.sin(lib.ones(3), out=lib.ones(3, requires_grad=True))))
        record.append(raised(lambda: lib.add(lib.ones(3), 1, out=lib.empty(3, dtype=lib.long))))
        record.append(raised(lambda: lib.mul(lib.ones(3), 2, out=lib.empty(3, dtype=lib.bool))))
        record.append(lib.add(lib.ones(3, dtype=lib.long), 1, out=lib.empty(3)).tolist())  # int -> float casts
        with lib.no_grad():
            record.append(lib.add(x, 1, out=lib.empty(3)).tolist())
        out = lib.zeros(2)
        version = out._version
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.add(lib.ones(3), 2, out=out)
            lib.add(lib.ones(2), 2, out=lib.empty(0))  # no elements: resized without a word
        record.append(
            [out.tolist(), out._version - version > 0, [str(w.message).split(" (Triggered")[0] for w in caught]]
        )
        values, indices = lib.empty(3), lib.empty(3, dtype=lib.long)
        result = lib.sort(lib.tensor([3.0, 1.0, 2.0]), out=(values, indices))
        record.append(
            [repr(result).startswith("torch.return_types.sort_out("), result.values is values, indices.tolist()]
        )
        return record

    assert run(mt) == run(torch)
