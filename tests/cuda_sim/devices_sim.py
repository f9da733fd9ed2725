"""'cuda' tensors on the simulated device (NUMBA_ENABLE_CUDASIM=1): plumbing, ops, backward, optimizers.

Run by tests/test_cuda_simulator.py in a subprocess. Here a 'cuda' tensor's storage is a tagged
NumPy array (kernels/backend.py) and the convolution, pooling and optimizer updates run our
numba.cuda kernels in Numba's simulator, so each result is compared with the CPU path and torch.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run through tests/test_cuda_simulator.py"

from strict_numpy import strict_conversions  # noqa: E402

import minitorch_nn as mt  # noqa: E402
from minitorch_nn.kernels import backend  # noqa: E402
from minitorch_nn.kernels.cuda import conv as cuda_conv  # noqa: E402
from minitorch_nn.kernels.cuda import optim as cuda_optim  # noqa: E402
from minitorch_nn.kernels.cuda import pooling as cuda_pooling  # noqa: E402
from minitorch_nn.kernels.cuda import softmax_cross_entropy as cuda_loss  # noqa: E402

F = mt.nn.functional
MIXED = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"


def test_cuda_queries():
    assert mt.cuda.is_available() and mt.cuda.device_count() == 1 and mt.cuda.is_initialized()
    assert mt.cuda.current_device() == 0 and mt.cuda.get_device_name() == "Numba CUDA simulator"
    mt.cuda.set_device(0)
    mt.cuda.synchronize()
    mt.cuda.manual_seed_all(0)
    mt.cuda.empty_cache()
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        mt.cuda.set_device(1)
    with pytest.raises(RuntimeError, match="not tracked under Numba's CUDA simulator"):
        mt.cuda.memory_allocated()
    assert mt.accelerator.is_available() and mt.accelerator.current_accelerator() == mt.device("cuda")
    device = mt.device("cuda" if mt.cuda.is_available() else "cpu")  # the seeds' idiom now picks the GPU
    assert device.type == "cuda"


def test_moves_between_devices():
    t = mt.randn(2, 3)
    g = t.to("cuda")
    assert g.device == mt.device("cuda", 0) and repr(g.device) == repr(torch.device("cuda", 0))
    assert g.is_cuda and not t.is_cuda and g.get_device() == 0 and t.get_device() == -1
    assert g.to("cuda") is g and g.cuda() is g and t.cpu() is t
    assert type(g._data) is backend.SimulatedCudaArray
    np.testing.assert_array_equal(g.cpu().numpy(), t.numpy())
    assert g.cpu().device.type == "cpu" and type(g.cpu()._data) is np.ndarray
    assert t.cuda(0).device == g.device and t.to(mt.device("cuda:0")).is_cuda and t.to(device="cuda").is_cuda
    d = t.to("cuda", mt.float64)
    assert d.is_cuda and d.dtype == mt.float64
    assert t.to(g).is_cuda and g.to(t).device.type == "cpu"  # to(other): other's device
    assert repr(g).endswith("device='cuda:0')") and str(g.sum()).startswith("tensor(")
    assert g.tolist() == t.tolist() and g[0, 1].item() == t[0, 1].item()
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu\(\)"):
        g.numpy()
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        t.to("cuda:1")


def test_factories_take_device_and_like_factories_follow_the_input():
    for made in (
        mt.zeros(2, device="cuda"),
        mt.ones(2, 3, device=mt.device("cuda")),
        mt.randn(2, device="cuda"),
        mt.rand(2, device="cuda:0"),
        mt.arange(3, device="cuda"),
        mt.full((2,), 1.5, device="cuda"),
        mt.linspace(0, 1, 3, device="cuda"),
        mt.tensor([1.0, 2.0], device="cuda"),
        mt.as_tensor(np.ones(2), device="cuda"),
    ):
        assert made.is_cuda, made
    g = mt.ones(2, device="cuda")
    assert mt.zeros_like(g).is_cuda and mt.randn_like(g).is_cuda and mt.full_like(g, 2).is_cuda
    assert not mt.zeros_like(g, device="cpu").is_cuda
    assert g.new_zeros(3).is_cuda and not mt.ones(1).new_zeros(3).is_cuda
    mt.manual_seed(0)
    a = mt.randn(4, device="cuda")
    mt.manual_seed(0)
    np.testing.assert_array_equal(a.cpu().numpy(), mt.randn(4).numpy())  # the CPU stream, copied
    try:
        mt.set_default_device("cuda")
        assert mt.ones(2).is_cuda and not mt.ones(2, device="cpu").is_cuda
    finally:
        mt.set_default_device(None)


def test_mixing_devices_raises_torchs_error():
    g, c = mt.ones(2, device="cuda"), mt.ones(2)
    for call in (lambda: g + c, lambda: c * g, lambda: mt.cat([g, c]), lambda: F.linear(g, mt.ones(3, 2))):
        with pytest.raises(RuntimeError, match=MIXED.replace("!", "")):
            call()
    assert (g + mt.tensor(2.0)).is_cuda  # a 0-d CPU tensor mixes, as a number does (torch too)
    assert (g * 3).is_cuda


def test_backward_through_a_move_and_on_the_device():
    x = mt.randn(3, 2, requires_grad=True)
    w = mt.randn(2, 4, device="cuda", requires_grad=True)
    y = x.cuda()
    assert y.grad_fn.name() == "ToCopyBackward0"
    loss = (y @ w).relu().sum()
    assert loss.is_cuda
    loss.backward()
    assert not x.grad.is_cuda and w.grad.is_cuda
    tx, tw = (
        torch.tensor(x.detach().numpy(), requires_grad=True),
        torch.tensor(w.detach().cpu().numpy(), requires_grad=True),
    )
    (tx @ tw).relu().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(w.grad.cpu().numpy(), tw.grad.numpy(), rtol=1e-5)


class _Spy:
    """Counts the calls of a kernel-module function (to see that an op reached kernels/cuda)."""

    def __init__(self, monkeypatch, module, name):
        self.calls = 0
        original = getattr(module, name)

        def spy(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)


CONVS = [
    ("conv1d", (1, 2, 5), (2, 2, 3), dict(stride=2, padding=1)),
    ("conv2d", (2, 2, 4, 4), (2, 1, 2, 2), dict(padding=1, dilation=(2, 1), groups=2)),
    ("conv3d", (1, 1, 3, 3, 3), (1, 1, 2, 2, 2), dict(stride=(1, 2, 1))),
]


@pytest.mark.parametrize("name, xshape, wshape, options", CONVS)
def test_convolutions_run_our_kernels_and_match_the_cpu_and_torch(name, xshape, wshape, options, monkeypatch):
    forward = _Spy(monkeypatch, cuda_conv, "conv_forward")
    backward = _Spy(monkeypatch, cuda_conv, "conv_backward")
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in (xshape, wshape, wshape[:1])]
    results = {}
    for device in ("cpu", "cuda"):
        x, w, b = (mt.tensor(a, device=device, requires_grad=True) for a in arrays)
        y = getattr(F, name)(x, w, b, **options)
        assert y.device.type == device and y.grad_fn.name() == "ConvolutionBackward0"
        gy = mt.tensor(np.cos(np.arange(y.numel())).reshape(y.shape), device=device)
        y.backward(gy)
        results[device] = [t.detach().cpu().numpy() for t in (y, x.grad, w.grad, b.grad)]
        assert x.grad.device.type == device
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in arrays)
    ty = getattr(torch.nn.functional, name)(tx, tw, tb, **options)
    ty.backward(torch.tensor(np.cos(np.arange(ty.numel())).reshape(ty.shape)))
    expected = [t.detach().numpy() for t in (ty, tx.grad, tw.grad, tb.grad)]
    for ours, cpu, ref in zip(results["cuda"], results["cpu"], expected):
        np.testing.assert_allclose(ours, cpu, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert forward.calls == 1 and backward.calls == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda x: F.max_pool2d(x, 2, ceil_mode=True),
        lambda x: F.max_pool2d(x, (2, 3), stride=1, padding=1, dilation=(1, 2)),
        lambda x: F.avg_pool2d(x, 2, padding=1, count_include_pad=False),
        lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
        lambda x: F.max_pool1d(x.flatten(2), 3, stride=2),
    ],
)
def test_poolings_run_our_kernels_and_match_the_cpu_and_torch(call, monkeypatch):
    spies = [_Spy(monkeypatch, cuda_pooling, n) for n in ("max_forward", "avg_forward")]
    x0 = np.random.default_rng(2).permutation(2 * 5 * 5).reshape(1, 2, 5, 5).astype(np.float64)  # no ties
    results = {}
    for device in ("cpu", "cuda"):
        x = mt.tensor(x0, device=device, requires_grad=True)
        y = call(x)
        y.backward(mt.tensor(np.sin(np.arange(y.numel())).reshape(y.shape), device=device))
        results[device] = (y.detach().cpu().numpy(), x.grad.cpu().numpy())
    tx = torch.tensor(x0, requires_grad=True)
    ty = call.__code__ and _torch_call(call, tx)
    ty.backward(torch.tensor(np.sin(np.arange(ty.numel())).reshape(ty.shape)))
    for ours, cpu, ref in zip(results["cuda"], results["cpu"], (ty.detach().numpy(), tx.grad.numpy())):
        np.testing.assert_allclose(ours, cpu, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert sum(s.calls for s in spies) == 1


def _torch_call(call, tx):
    """The same lambda with torch's functional in place of ours (the lambdas read the global F)."""
    globals()["F"] = torch.nn.functional
    try:
        return call(tx)
    finally:
        globals()["F"] = mt.nn.functional


def _small_lenet():
    """The seed LeNet's layers in its order (minitorch_nn/models.py's lenet: conv, relu, 2x2 max-pool
    twice, view, three linears), at sizes the simulator runs in seconds (the full one takes minutes)."""
    nn = mt.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 2, 3)
            self.conv2 = nn.Conv2d(2, 3, 3)
            self.fc1 = nn.Linear(3, 5)
            self.fc2 = nn.Linear(5, 4)
            self.fc3 = nn.Linear(4, 3)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, 3)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return Net()


def _lenet_step_results(device, make_optimizer, dtype, steps=2):
    mt.manual_seed(0)
    model = _small_lenet().to(device, dtype)
    optimizer = make_optimizer(model.parameters())
    mt.manual_seed(1)
    x, target = mt.randn(2, 1, 10, 10, dtype=dtype).to(device), mt.tensor([2, 0]).to(device)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(p.is_cuda == (device == "cuda") for p in model.parameters())
    return losses, [p.detach().cpu().numpy() for p in model.parameters()]


@pytest.mark.parametrize(
    "make_optimizer, fused, dtype, tol",
    [
        (lambda p: mt.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), "sgd_", mt.float32, 1e-5),
        # float64: Adam's first steps are about lr * sign(g), so float32 rounding of a gradient near 0
        # (summed in another order by the device's kernels) may flip a whole step
        (lambda p: mt.optim.Adam(p, lr=1e-3), "adam_", mt.float64, 1e-10),
    ],
)
def test_lenet_training_steps_match_the_cpu(make_optimizer, fused, dtype, tol, monkeypatch):
    """Two training steps of the LeNet layers at batch 2: the same losses and weights as on the CPU."""
    spy = _Spy(monkeypatch, cuda_optim, fused)
    strict_conversions(monkeypatch)  # as CuPy, no np.asarray of a device array in the ops
    cpu_losses, cpu_weights = _lenet_step_results("cpu", make_optimizer, dtype)
    losses, weights = _lenet_step_results("cuda", make_optimizer, dtype)
    np.testing.assert_allclose(losses, cpu_losses, rtol=tol)
    for ours, cpu in zip(weights, cpu_weights):
        np.testing.assert_allclose(ours, cpu, rtol=10 * tol, atol=tol)
    assert spy.calls == 2 * 10  # the fused update ran for every parameter at every step


def test_module_moves_parameters_buffers_and_gradients_in_place():
    model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.BatchNorm1d(4))
    weight = model[0].weight
    model(mt.randn(2, 3)).sum().backward()
    assert model.cuda() is model and model[0].weight is weight and weight.is_cuda and weight.grad.is_cuda
    assert model[1].running_mean.is_cuda and model[1].num_batches_tracked.is_cuda
    out = model(mt.randn(5, 3, device="cuda"))
    assert out.is_cuda and model[1].running_mean.is_cuda
    model.to("cpu")
    assert not weight.is_cuda and not model[1].running_var.is_cuda and model[0].weight is weight
    model.to("cuda", mt.float64)
    assert weight.is_cuda and weight.dtype == mt.float64
    with pytest.raises(RuntimeError, match="construct it without device="):
        mt.nn.Linear(2, 2, device="cuda")


@pytest.mark.parametrize("kind", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_optimizer_state_lives_with_the_parameters(kind):
    mt.manual_seed(0)
    p = mt.nn.Parameter(mt.randn(3, device="cuda"))
    twin = torch.nn.Parameter(torch.tensor(p.detach().cpu().numpy()))
    options = {"SGD": dict(momentum=0.9), "RMSprop": dict(momentum=0.5, centered=True)}.get(kind, {})
    optimizer = getattr(mt.optim, kind)([p], lr=0.1, **options)
    reference = getattr(torch.optim, kind)([twin], lr=0.1, **options)
    for _ in range(2):  # the second step uses the state
        for param, opt in ((p, optimizer), (twin, reference)):
            opt.zero_grad()
            (param * param).sum().backward()
            opt.step()
    arrays = [v for v in optimizer.state[p].values() if isinstance(v, mt.Tensor) and v.dim() > 0]
    assert arrays and all(v.is_cuda for v in arrays) and p.is_cuda
    np.testing.assert_allclose(p.detach().cpu().numpy(), twin.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_cpu_kernel_refuses_a_device_array():
    """What makes an op without a device path fail clearly: Numba's CPU kernels take no device array."""
    from minitorch_nn.kernels.cpu.optim import _sgd_momentum

    a = mt.ones(3, device="cuda")._data
    with pytest.raises(backend.DeviceArrayError, match="CPU"):
        _sgd_momentum(a, a, a, 0.1, 0.9, 1.0, 0.0, 1.0, False)


LOSS_CASES = [
    ((4, 5), (0, 3, -100, 4)),  # one ignored row
    ((2, 3, 2, 2), ((0, 2), (1, -100)) * 2),  # spatial: NllLoss2d
    ((5,), 2),  # unbatched
]


@pytest.mark.parametrize("shape, target", LOSS_CASES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_runs_our_log_softmax_and_nll_kernels(shape, target, reduction, weighted, smoothing, monkeypatch):
    spies = {name: _Spy(monkeypatch, cuda_loss, name) for name in cuda_loss.__all__ if "_" in name}
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    t = np.array(target, dtype=np.int64).reshape((shape[0],) + shape[2:] if len(shape) > 1 else ())
    w = rng.uniform(0.5, 2.0, shape[0] if len(shape) == 1 else shape[1]) if weighted else None
    options = dict(reduction=reduction, label_smoothing=smoothing, ignore_index=-100)
    results = []
    for device in ("cuda", "cpu"):
        xm = mt.tensor(x, device=device, requires_grad=True)
        wm = None if w is None else mt.tensor(w, device=device)
        loss = F.cross_entropy(xm, mt.tensor(t, device=device), wm, **options)
        upstream = rng.standard_normal(loss.shape)
        loss.backward(mt.tensor(upstream, device=device))
        assert loss.device.type == device and xm.grad.device.type == device
        results.append((loss, xm.grad.cpu().numpy(), upstream))
    xt = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(xt, torch.tensor(t), None if w is None else torch.tensor(w), **options)
    expected.backward(torch.tensor(results[0][2]))
    (gpu_loss, gpu_grad, _), (cpu_loss, _, _) = results
    np.testing.assert_allclose(gpu_loss.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gpu_grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert gpu_loss.grad_fn.name() == cpu_loss.grad_fn.name() == expected.grad_fn.name()
    if smoothing == 0.0:  # the graph torch builds: NllLoss(2d)Backward0 <- LogSoftmaxBackward0
        nll = gpu_loss.grad_fn
        assert nll.next_functions[0][0].name() == expected.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    assert {name: spy.calls for name, spy in spies.items()} == {
        "log_softmax_forward": 1,
        "log_softmax_backward": 1,
        "nll_forward": 1,
        "nll_backward": 1,
    }


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_log_softmax_on_the_device_runs_our_kernel_along_any_dim(dim, monkeypatch):
    spy = _Spy(monkeypatch, cuda_loss, "log_softmax_forward")
    x = np.random.default_rng(1).standard_normal((3, 4, 2)).astype(np.float32)
    xm, xt = mt.tensor(x, device="cuda", requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = F.log_softmax(xm, dim), torch.nn.functional.log_softmax(xt, dim)
    upstream = np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)
    y.backward(mt.tensor(upstream, device="cuda"))
    yt.backward(torch.tensor(upstream))
    np.testing.assert_allclose(y.detach().cpu().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xm.grad.cpu().numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert spy.calls == 1 and y.grad_fn.name() == yt.grad_fn.name() and y.dtype == mt.float32


def test_strict_conversions_refuse_a_device_array_as_cupy_does(monkeypatch):
    """The audit the registry and LeNet suites run under: an op's np.asarray of a device array raises."""
    from minitorch_nn.ops import reduction

    strict_conversions(monkeypatch)
    g = mt.randn(3, device="cuda")
    for convert in (reduction.np.asarray, reduction.np.ascontiguousarray, reduction.np.array):
        with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
            convert(g._data)
        with pytest.raises(TypeError, match="Implicit conversion"):
            convert([g._data])
    assert type(reduction.np.asarray([1.0, 2.0])) is np.ndarray  # host data converts as before
    assert g.sum().is_cuda and type(g.sum()._data) is backend.SimulatedCudaArray
