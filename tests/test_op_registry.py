"""Every op in reference.registry against torch and against finite differences.

For each OpInfo, hypothesis draws shapes and every argument; we compare the
forward output, every input gradient (under a random upstream gradient) and
the grad_fn name with torch, in float64 (tight) and float32 (float32
tolerance), and check the float64 gradients by central differences without
torch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference.compare import compare, make_inputs
from reference.registry import all_ops

OPS = all_ops()
IDS = [info.name for info in OPS]


@pytest.mark.parametrize("info", OPS, ids=IDS)
@given(data=st.data())
def test_matches_torch_float64(info, data):
    sample = data.draw(info.sample(), label="sample")
    report = compare(info.call, sample, np.float64, info.tolerances)
    assert report.ok, f"{info.name} {sample}: {report}"


@pytest.mark.parametrize("info", OPS, ids=IDS)
@given(data=st.data())
def test_matches_torch_float32(info, data):
    sample = data.draw(info.sample(), label="sample")
    report = compare(info.call, sample, np.float32, info.tolerances)
    assert report.ok, f"{info.name} {sample}: {report}"


@pytest.mark.parametrize("info", OPS, ids=IDS)
@given(data=st.data())
def test_grad_fn_names_match_torch(info, data):
    sample = data.draw(info.sample(), label="sample")
    ours = info.call(mt, *make_inputs(mt, sample, np.float64), **sample.kwargs)
    theirs = info.call(torch, *make_inputs(torch, sample, np.float64), **sample.kwargs)
    ours = ours if isinstance(ours, (tuple, list)) else (ours,)
    theirs = theirs if isinstance(theirs, (tuple, list)) else (theirs,)
    for o, t in zip(ours, theirs):
        expected = None if t.grad_fn is None else t.grad_fn.name()
        got = None if o.grad_fn is None else o.grad_fn.name()
        assert got == expected


@pytest.mark.parametrize("info", [i for i in OPS if i.gradcheck], ids=[i.name for i in OPS if i.gradcheck])
@given(data=st.data())
def test_finite_differences(info, data):
    sample = data.draw(info.sample(), label="sample")
    inputs = make_inputs(mt, sample, np.float64)
    if not any(t.requires_grad for t in inputs):
        return
    assert mt.autograd.gradcheck(lambda *xs: info.call(mt, *xs, **sample.kwargs), inputs, seed=sample.seed)
