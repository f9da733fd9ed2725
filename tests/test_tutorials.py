"""PyTorch's beginner tutorial "Learning PyTorch with Examples", program by program, in both engines.

The tutorial fits y = sin(x) on [-pi, pi] with a cubic, seven times over: gradients by hand on
tensors, autograd, a custom autograd.Function (the Legendre polynomial P3), nn.Sequential with a
hand-written update, optim.RMSprop, a custom nn.Module and a dynamic graph. Each program below
follows the tutorial's code step for step (its APIs, its hyper-parameters, its iteration counts),
written once against the torch API and run with ``torch`` and with ``minitorch_nn`` after
``manual_seed(0)``: the same seed draws the same initial weights, so the two runs must end at the
same coefficients (up to float32 rounding, which differs in the order of the sums over 2000 points).
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt


def tensors_by_hand(torch: Any) -> list[float]:
    dtype, device = torch.float, torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), device=device, dtype=dtype)
    b = torch.randn((), device=device, dtype=dtype)
    c = torch.randn((), device=device, dtype=dtype)
    d = torch.randn((), device=device, dtype=dtype)
    learning_rate = 1e-6
    for _ in range(2000):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return [a.item(), b.item(), c.item(), d.item(), loss]


def with_autograd(torch: Any) -> list[float]:
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.randn((), dtype=dtype, requires_grad=True) for _ in range(4))
    learning_rate = 1e-6
    for _ in range(2000):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return [a.item(), b.item(), c.item(), d.item(), loss.item()]


def with_custom_function(torch: Any) -> list[float]:
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for _ in range(2000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return [a.item(), b.item(), c.item(), d.item(), loss.item()]


def with_nn(torch: Any) -> list[float]:
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    for _ in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    w = linear_layer.weight
    return [linear_layer.bias.item(), w[:, 0].item(), w[:, 1].item(), w[:, 2].item(), loss.item()]


def with_optim(torch: Any) -> list[float]:
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(2000):
        loss = loss_fn(model(xx), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    w = model[0].weight
    return [model[0].bias.item(), w[:, 0].item(), w[:, 1].item(), w[:, 2].item(), loss.item()]


def with_module(torch: Any) -> list[float]:
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for _ in range(2000):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model.string().startswith("y = ")
    return [model.a.item(), model.b.item(), model.c.item(), model.d.item(), loss.item()]


def dynamic_graph(torch: Any) -> list[float]:
    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, random.randint(4, 6)):  # the graph changes from one step to the next
                y = y + self.e * x**exp
            return y

    random.seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for _ in range(30000):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [model.a.item(), model.b.item(), model.c.item(), model.d.item(), model.e.item(), loss.item()]


PROGRAMS = [tensors_by_hand, with_autograd, with_custom_function, with_nn, with_optim, with_module, dynamic_graph]


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_tutorial_program_ends_where_torch_ends(program):
    results = []
    for lib in (torch, mt):
        lib.manual_seed(0)
        results.append(program(lib))
    theirs, ours = np.array(results[0]), np.array(results[1])
    assert np.all(np.isfinite(ours))
    # float32 sums over 2000 points round differently in the two engines; over 2000+ steps that
    # moves the coefficients in their 4th-5th significant digit, not more. RMSprop is the exception:
    # near the optimum its normalised steps amplify any rounding difference (in float64 too: the
    # two engines agree to 1e-15 at step 250 and part at the 3rd digit by step 1250), so its run is
    # held to the fit it reaches rather than to the path
    rtol = 3e-2 if program is with_optim else 2e-3
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=2e-4)
    assert ours[-1] < 1e4  # the fit converged somewhere sensible (sin on [-pi, pi] by a cubic)
