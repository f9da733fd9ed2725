"""nn.DataParallel and nn.parallel.data_parallel against torch on a machine with no accelerator.

torch's DataParallel then keeps no devices and runs the wrapped module on the
inputs as they are; the functional form raises. Seed 004 names
``nn.parallel.data_parallel(module, inputs, device_ids, output_device, dim, module_kwargs)``.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt

LIBS = (mt, real_torch)


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def T(lib, a, requires_grad=False):
    return lib.tensor(np.asarray(a, dtype=np.float32), requires_grad=requires_grad)


def np_of(t):
    return None if t is None else t.detach().numpy().copy()


def linear(lib, seed=0):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(T(lib, arr(2, 3, seed=seed)))
        m.bias.copy_(T(lib, arr(2, seed=seed + 1)))
    return m


def assert_same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b, (a, b)


def compare(scenario):
    ours, theirs = (scenario(lib) for lib in LIBS)
    assert_same(ours, theirs)


def test_dataparallel_on_cpu_wraps_the_module():
    def scenario(lib):
        nn = lib.nn
        m = linear(lib)
        out = []
        for kwargs in ({}, {"device_ids": [0]}, {"device_ids": [1, 2], "output_device": 1, "dim": 1}):
            dp = nn.DataParallel(m, **kwargs)
            x = T(lib, arr(4, 3, seed=2), requires_grad=True)
            y = dp(x)
            y.backward(T(lib, arr(4, 2, seed=3)))
            out += [repr(dp), list(dp.state_dict()), dp.device_ids, dp.module is m, np_of(y), np_of(x.grad)]
            out.append([n for n, _ in dp.named_parameters()])
            out.append(hasattr(dp, "output_device"))
        m.zero_grad()
        return out

    compare(scenario)


def test_data_parallel_function_raises_like_torch():
    def scenario(lib):
        out = []
        for args in ((linear(lib), T(lib, arr(2, 3))), (linear(lib), (T(lib, arr(2, 3)),), [0])):
            with pytest.raises(RuntimeError) as e:
                lib.nn.parallel.data_parallel(*args)
            out.append(str(e.value))
        return out

    compare(scenario)


def test_data_parallel_with_all_arguments_from_seed_004():
    def scenario(lib):
        with pytest.raises(RuntimeError) as e:
            lib.nn.parallel.data_parallel(linear(lib), T(lib, arr(2, 3)), [0], 0, 0, {})
        return str(e.value)

    compare(scenario)


def test_dataparallel_kwargs_state_dict_round_trip_and_signatures():
    def scenario(lib):
        class Scale(lib.nn.Module):
            def forward(self, x, *, factor=1.0):
                return x * factor

        dp = lib.nn.DataParallel(Scale())
        out = [np_of(dp(T(lib, [1.0, 2.0]), factor=3.0))]
        wrapped = lib.nn.DataParallel(linear(lib))
        wrapped.load_state_dict(lib.nn.DataParallel(linear(lib, seed=5)).state_dict())
        out.append(np_of(wrapped.module.weight))
        out.append(str(inspect.signature(lib.nn.DataParallel.__init__)).split(" ->")[0].count("="))
        out.append(list(inspect.signature(lib.nn.parallel.data_parallel).parameters))
        out.append(isinstance(dp, lib.nn.Module))
        return out

    compare(scenario)
