"""torch.autograd's user API against torch: autograd.grad, backward(inputs=), custom Functions on Tensors.

Each scenario is written once against the torch API and run in both engines; what it records (values,
gradients, grad_fn names, versions, the errors raised) must be the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import raised

LIBS = [torch, mt]


def _plain(value: Any) -> Any:
    """What a scenario recorded, as comparable Python data."""
    if isinstance(value, (torch.Tensor, mt.Tensor)):
        return (
            "tensor",
            str(value.dtype).replace("minitorch_nn", "torch"),
            np.asarray(value.detach().numpy()).tolist(),
        )
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def both(scenario: Any) -> None:
    """Run ``scenario(lib, record)`` in both engines; the two records must be equal."""
    records = []
    for lib in LIBS:
        record: list = []
        scenario(lib, record)
        records.append([_plain(r) for r in record])
    assert records[1] == records[0]


def _grad_scenario(lib: Any, record: list) -> None:
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(3), requires_grad=True)
    w = lib.tensor(rng.standard_normal(3), requires_grad=True)
    unused = lib.tensor(rng.standard_normal(2), requires_grad=True)
    h = x * w
    y = (h * h).sum()
    record.append(lib.autograd.grad(y, [x, w], retain_graph=True))
    record.append([x.grad, w.grad])  # autograd.grad accumulates nothing
    record.append(lib.autograd.grad(y, h, retain_graph=True))  # a non-leaf input
    g = lib.tensor(rng.standard_normal(3))
    record.append(lib.autograd.grad([h], [x], grad_outputs=[g], retain_graph=True))
    record.append(lib.autograd.grad(y, [x, unused], allow_unused=True, retain_graph=True))
    record.append(lib.autograd.grad(y, [unused, w], materialize_grads=True, retain_graph=True))
    record.append(raised(lambda: lib.autograd.grad(y, [unused], retain_graph=True)))
    record.append(raised(lambda: lib.autograd.grad(y, [x, unused], allow_unused=False, materialize_grads=True)))
    record.append(raised(lambda: lib.autograd.grad(y, [lib.ones(2)], retain_graph=True)))
    record.append(lib.autograd.grad(y, x))  # frees the graph
    record.append(raised(lambda: lib.autograd.grad(y, x)))


def test_autograd_grad_matches_torch():
    both(_grad_scenario)


def _hook_scenario(lib: Any, record: list) -> None:
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.clone()) or g * 2)
    other = lib.tensor([0.5, 0.5, 0.5], requires_grad=True)
    branch_calls = []
    z = other * 3
    z.register_hook(lambda g: branch_calls.append(1))
    y = (x * x).sum() + z.sum()
    record.append(lib.autograd.grad(y, x))  # the leaf's hook doubles what is returned
    record.append(seen)
    record.append(len(branch_calls))  # the branch to `other` is pruned: its hooks never run
    record.append(x.grad)


def test_autograd_grad_runs_leaf_hooks_and_prunes_the_rest():
    both(_hook_scenario)


def _backward_inputs_scenario(lib: Any, record: list) -> None:
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    h = x * 3
    z = (h * w).sum()
    z.backward(inputs=[h], retain_graph=True)
    record.append([h.grad, x.grad, w.grad])
    z.backward(inputs=[x, w], retain_graph=True)
    record.append([h.grad, x.grad, w.grad])  # h retains its grad from its first backward on
    lib.autograd.backward([z], [lib.tensor(2.0)], inputs=w)
    record.append([h.grad, x.grad, w.grad])
    record.append(raised(lambda: z.backward(inputs=[])))
    record.append(raised(lambda: lib.autograd.backward([z, h], [lib.tensor(1.0)])))


def test_backward_with_inputs_matches_torch():
    both(_backward_inputs_scenario)


def test_create_graph_names_what_is_missing():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    for call in (lambda: mt.autograd.grad(y, x, create_graph=True), lambda: y.backward(create_graph=True)):
        with pytest.raises(NotImplementedError, match="gradients of gradients"):
            call()


def _functions(lib: Any) -> dict:
    """Custom Functions as torch's tutorials and docs write them."""

    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    class ScaleAndShift(lib.autograd.Function):
        """Several outputs, a number argument, a keyword, an index output and grads left as None."""

        @staticmethod
        def forward(ctx, a, scale, b=None):
            ctx.scale = scale
            ctx.set_materialize_grads(False)
            index = lib.tensor([0, 1])
            ctx.mark_non_differentiable(index)
            return a * scale, a + b, index

        @staticmethod
        def backward(ctx, grad_scaled, grad_shifted, grad_index):
            ctx.received = (grad_scaled is None, grad_shifted is None, grad_index is None, ctx.needs_input_grad)
            g = None if grad_scaled is None else grad_scaled * ctx.scale
            if grad_shifted is not None:
                g = grad_shifted if g is None else g + grad_shifted
            return g, None, grad_shifted

    class DoubleInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a.mul_(2)
            ctx.mark_dirty(a)
            return a

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, grad):
            return grad * 2

    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    class TooFewGradients(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    class WithSetupContext(lib.autograd.Function):
        @staticmethod
        def forward(a, k):
            return a * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None

    class SavesInput(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a

    return {k: v for k, v in locals().items() if isinstance(v, type)}


def _custom_function_scenario(lib: Any, record: list) -> None:
    f = _functions(lib)
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal(4), requires_grad=True)
    y = f["LegendrePolynomial3"].apply(x)
    record += [y, y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()]
    y.backward(lib.tensor(rng.standard_normal(4)))
    record.append(x.grad)
    z = f["MyReLU"].apply(x * 2)
    record += [z.grad_fn.name(), z.grad_fn.next_functions[0][0].name()]
    z.backward(lib.tensor(rng.standard_normal(4)))
    record.append(x.grad)
    record.append(raised(lambda: z.sum().backward()))  # its saved tensors were freed

    a = lib.tensor(rng.standard_normal(2), requires_grad=True)
    b = lib.tensor(rng.standard_normal(2), requires_grad=True)
    scaled, shifted, index = f["ScaleAndShift"].apply(a, 3.0, b=b)
    record += [scaled, shifted, index, index.requires_grad, scaled.grad_fn is shifted.grad_fn]
    shifted.backward(lib.tensor(rng.standard_normal(2)))
    record += [a.grad, b.grad, shifted.grad_fn.received]

    c = a * 1
    d = f["DoubleInPlace"].apply(c)
    record += [d is c, c.grad_fn.name(), c._version]
    d.backward(lib.tensor(rng.standard_normal(2)))
    record.append(a.grad)
    record.append(raised(lambda: f["DoubleInPlace"].apply(lib.ones(2, requires_grad=True))))

    record.append(raised(lambda: f["TooFewGradients"].apply(a, b).sum().backward()))
    e = f["Identity"].apply(a)
    record += [e is a, e.grad_fn.name(), a.grad_fn]
    a.grad = None
    e.backward(lib.tensor([1.0, -1.0]))
    record.append(a.grad)

    a.grad = None
    f["WithSetupContext"].apply(a, 5.0).backward(lib.tensor([0.5, 2.0]))
    record.append(a.grad)
    with lib.no_grad():
        record.append(f["WithSetupContext"].apply(a, 2.0).requires_grad)

    s = lib.ones(2, requires_grad=True) * 1
    out = f["SavesInput"].apply(s)
    s.add_(1)
    record.append(raised(lambda: out.sum().backward())[0])  # the saved input changed in place


def test_custom_functions_match_torch():
    both(_custom_function_scenario)


def test_custom_function_gradient_passes_finite_differences():
    legendre = _functions(mt)["LegendrePolynomial3"]
    x = mt.tensor(np.random.default_rng(2).standard_normal(5), requires_grad=True)
    assert mt.autograd.gradcheck(legendre.apply, [x])


def test_tensor_type_and_format_match_torch():
    def scenario(lib: Any, record: list) -> None:
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        record.append(x.type())
        for dtype in (lib.float64, lib.int32, lib.bool, lib.float16, lib.uint8, lib.int8, lib.int16, lib.int64):
            record.append(lib.ones(2).type(dtype).type())
        for name in ("torch.DoubleTensor", "torch.IntTensor", "torch.LongTensor"):
            record.append(x.detach().type(name))
        record.append(x.type(lib.float32) is x)
        record.append(x.type(lib.float64).grad_fn.name())
        record.append(raised(lambda: x.type("torch.NoSuchTensor")))
        loss = lib.tensor(0.123456)
        record += [format(loss, "+.2f"), f"{loss:.3e}", format(lib.tensor(7), "04d"), format(lib.ones(2))]
        record.append(raised(lambda: format(lib.ones(2), ".2f")))

    both(scenario)


def test_accelerator_queries_match_cpu_torch():
    def scenario(lib: Any, record: list) -> None:
        record += [
            lib.accelerator.is_available(),
            lib.accelerator.current_accelerator(),
            lib.accelerator.device_count(),
        ]
        for call in (lib.accelerator.current_device_index, lib.accelerator.synchronize):
            record.append(raised(call))

    both(scenario)
