"""Devices: the seeds' idiom picks the CPU and runs; anything that needs CUDA says where CUDA lives."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt

NO_CUDA = "no CUDA backend.*reference.bridge.to_torch"


def test_seed_device_idiom_runs_unchanged():
    """Seed 003: device = torch.device('cuda' if torch.cuda.is_available() else 'cpu'); .to(device) everywhere."""
    device = mt.device("cuda" if mt.cuda.is_available() else "cpu")
    assert str(device) == "cpu" and repr(device) == repr(torch.device("cpu"))
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.BatchNorm1d(4), mt.nn.Dropout(0.1), mt.nn.Linear(4, 2))
    weight = model[0].weight
    assert model.to(device) is model and model[0].weight is weight  # same Parameters: optimizers keep working
    loss_fn = mt.nn.CrossEntropyLoss()
    assert loss_fn.to(device) is loss_fn
    datas = mt.randn(5, 3).to(device)
    targets = mt.tensor([0, 1, 1, 0, 1]).to(device)
    assert datas.device == device and targets.dtype == mt.int64
    loss = loss_fn(model(datas), targets)
    loss.backward()
    assert weight.grad is not None and weight.grad.device.type == "cpu"


def test_cuda_queries():
    assert mt.cuda.is_available() is False and torch.cuda.is_available() is False
    assert mt.cuda.device_count() == 0
    mt.cuda.manual_seed(0)  # accepted without a GPU, as torch's
    mt.cuda.manual_seed_all(0)
    for call in (mt.cuda.current_device, mt.cuda.synchronize, lambda: mt.cuda.set_device(0)):
        with pytest.raises(RuntimeError, match=NO_CUDA):
            call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: mt.nn.Linear(2, 2).cuda(),
        lambda: mt.nn.CrossEntropyLoss().cuda(),
        lambda: mt.randn(2).cuda(),
        lambda: mt.randn(2).to("cuda"),
        lambda: mt.randn(2).to(mt.device("cuda:0")),
        lambda: mt.randn(2).to(device="cuda"),
        lambda: mt.nn.Linear(2, 2).to("cuda"),
        lambda: mt.nn.Linear(2, 2).to(mt.device("cuda")),
        lambda: mt.nn.Linear(2, 2, device="cuda"),
        lambda: mt.nn.BatchNorm1d(2, device="cuda"),
        lambda: mt.zeros(2, device="cuda"),
        lambda: mt.randn(2, device=mt.device("cuda", 0)),
        lambda: mt.tensor([1.0], device="cuda"),
        lambda: mt.as_tensor([1.0], device="cuda"),
        lambda: mt.arange(3, device="cuda"),
        lambda: mt.full((2,), 1.0, device="cuda"),
        lambda: mt.zeros_like(mt.ones(2), device="cuda"),
        lambda: mt.linspace(0, 1, 3, device="cuda"),
    ],
)
def test_cuda_requests_raise_a_clear_error(call):
    with pytest.raises(RuntimeError, match=NO_CUDA):
        call()


def test_cpu_and_dtype_moves():
    t = mt.randn(2, 3)
    assert t.cpu() is t and t.to("cpu") is t and t.to(mt.device("cpu")) is t
    d = t.to(mt.float64)
    assert d.dtype == mt.float64
    np.testing.assert_array_equal(d.numpy(), t.numpy().astype(np.float64))
    model = mt.nn.Sequential(mt.nn.Linear(2, 2), mt.nn.BatchNorm1d(2))
    assert model.cpu() is model
    model.to("cpu", mt.float64)
    assert model[0].weight.dtype == mt.float64 and model[1].running_mean.dtype == mt.float64
    assert model[1].num_batches_tracked.dtype == mt.int64  # integer buffers keep their dtype, as in torch


def test_bridge_gives_the_gpu_path_a_torch_model():
    """What the error message promises: to_torch(model) is an ordinary torch model (movable with .to('cuda'))."""
    from reference.bridge import to_torch

    model = mt.nn.Sequential(mt.nn.Linear(3, 2), mt.nn.BatchNorm1d(2))
    twin = to_torch(model)
    assert isinstance(twin, torch.nn.Module)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    twin = twin.to(device)
    assert next(twin.parameters()).device.type == device.type


def test_default_device_is_used_by_the_factories():
    assert mt.get_default_device() == mt.device("cpu")
    try:
        mt.set_default_device("cuda")
        assert mt.get_default_device() == mt.device("cuda")
        with pytest.raises(RuntimeError, match=NO_CUDA):
            mt.ones(2)
        assert mt.ones(2, device="cpu").device == mt.device("cpu")  # an explicit device wins
    finally:
        mt.set_default_device(None)
    assert mt.ones(2).device == mt.device("cpu") and mt.tensor([1], device="cpu").tolist() == [1]


def test_python_types_as_dtypes_match_torch():
    import torch

    for kind in (float, int, bool):
        assert str(mt.zeros(2, dtype=kind).dtype) == str(torch.zeros(2, dtype=kind).dtype)
        assert str(mt.ones(2).to(kind).dtype) == str(torch.ones(2).to(kind).dtype)


def _loaded_cuda_modules(code: str, simulated: bool) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    if simulated:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root
    probe = (
        "import sys, minitorch_nn\n"
        + code
        + "\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'cupy' or m.startswith('numba.cuda')"
        " or m.startswith('minitorch_nn.kernels.cuda')))"
    )
    run = subprocess.run([sys.executable, "-c", probe], env=env, cwd=root, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("simulated", [False, True])
def test_importing_minitorch_loads_no_cuda_package(simulated):
    """The CUDA backend (numba.cuda, CuPy, kernels/cuda) loads on the first use of a 'cuda' device only."""
    assert _loaded_cuda_modules("", simulated) == "[]"
    loaded = _loaded_cuda_modules("print(minitorch_nn.cuda.is_available())", simulated)
    assert ("minitorch_nn.kernels.cuda" in loaded) == simulated
