"""The op registry on the simulated device: each op of the notes' models' families on 'cuda' tensors
gives the CPU's outputs and gradients (NUMBA_ENABLE_CUDASIM=1, run by tests/test_cuda_simulator.py).

The CPU run is the reference (the registry tests it against torch); here the inputs live on the
device, so every op's device plumbing (the dispatch of Function.apply, adopted outputs, gradients
on the device, the kernel table) runs, and the convolutions and poolings run our CUDA kernels.
Two samples per op (one per convolution), float64.
"""

from __future__ import annotations

import importlib
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run through tests/test_cuda_simulator.py"

from strict_numpy import strict_conversions  # noqa: E402

import minitorch_nn as mt  # noqa: E402
from minitorch_nn.kernels import backend  # noqa: E402
from reference.compare import noncontiguous_copy, upstream_for  # noqa: E402

FAMILIES = (
    "arithmetic",
    "comparison",
    "unary",
    "binary",
    "activation",
    "reduction",
    "shape",
    "matmul",
    "products",
    "loss",
    "likelihood_loss",
    "indexing",
    "normalization",
    "pooling",
    "conv",
)
CASES = [info for family in FAMILIES for info in importlib.import_module(f"reference.registry.{family}").OPS]
# the convolutions run our kernels in the simulator (a Python thread per CUDA thread): one sample each
# (tests/cuda_sim/kernels_sim.py and devices_sim.py cover their arguments)
EXAMPLES = {info.name: 1 for info in importlib.import_module("reference.registry.conv").OPS}


def _inputs(sample, device):
    cuda = backend.cuda_backend()
    backend.DEVICE_IN_USE[0] = True  # adopt keeps the layout; to_device would mark this, but copies
    tensors = []
    for a, needs_grad in zip(sample.inputs, sample.grad_flags()):
        arr = a.copy()
        if sample.noncontiguous:
            arr = noncontiguous_copy(arr)
        t = mt.Tensor._make(backend.adopt(arr, cuda) if device == "cuda" else arr)
        if needs_grad:
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def _run(info, sample, device, upstream):
    mt.manual_seed(sample.seed)
    inputs = _inputs(sample, device)
    out = info.call(mt, *inputs, **sample.kwargs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    for o in outs:
        assert o.device.type == device, f"an output on {o.device}"
    pairs = [(o, g) for o, g in zip(outs, upstream or ()) if o.requires_grad]
    if pairs:
        grads = [mt.tensor(g, dtype=o.dtype, device=device) for o, g in pairs]
        mt.autograd.backward([o for o, _ in pairs], grads)
    for t in inputs:
        assert t.grad is None or t.grad.device.type == device, f"a gradient on {t.grad.device}"
    host = [backend.host_view(o._data) for o in outs]
    return host, [None if t.grad is None else backend.host_view(t.grad._data) for t in inputs]


@pytest.mark.parametrize("info", CASES, ids=lambda info: info.name)
def test_op_on_the_device_equals_the_cpu(info, monkeypatch):
    strict_conversions(monkeypatch)  # as CuPy, no np.asarray of a device array in the ops

    @settings(
        max_examples=EXAMPLES.get(info.name, 2),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(info.sample())
    def check(sample):
        cpu_out, _ = _run(info, sample, "cpu", None)
        upstream = upstream_for(cpu_out, sample.seed)
        cpu_out, cpu_grads = _run(info, sample, "cpu", upstream)
        out, grads = _run(info, sample, "cuda", upstream)
        for ours, ref in zip(out + grads, cpu_out + cpu_grads):
            assert (ours is None) == (ref is None)
            if ref is not None:
                assert ours.dtype == ref.dtype and ours.shape == ref.shape
                np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12, equal_nan=True)

    check()
