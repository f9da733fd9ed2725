"""Same seed, same numbers: every random function against torch's CPU generator, bit for bit.

Each test seeds both libraries alike, draws, and compares the raw bits (``np.array_equal``
on the arrays, dtypes equal too), then draws once more from each to check that both
streams stand at the same position. Sizes cover torch's paths: below 16, exactly 16,
non-multiples of 16 (the normal fill redoes its last block), large fills, and
non-contiguous targets (the scalar paths).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt
from minitorch_nn import random as mt_random

SEEDS = [0, 1, 42, 2**32 + 7, 987654321]
SIZES = [0, 1, 2, 15, 16, 17, 31, 100, 1000]
FLOATS = [(mt.float32, real_torch.float32), (mt.float64, real_torch.float64)]


def same(ours, theirs) -> None:
    """Equal dtype, shape and bits (NaNs and signed zeros included)."""
    a = np.ascontiguousarray(ours.detach().numpy() if isinstance(ours, mt.Tensor) else ours)
    b = np.ascontiguousarray(theirs.detach().numpy() if isinstance(theirs, real_torch.Tensor) else theirs)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert np.array_equal(a.view(np.uint8) if a.size else a, b.view(np.uint8) if b.size else b), (a, b)


def seed_both(seed: int) -> None:
    mt.manual_seed(seed)
    real_torch.manual_seed(seed)


def same_position() -> None:
    """Both global streams at the same place: the next draws agree (a 32-bit and a double)."""
    same(mt.randint(0, 1000, (3,)), real_torch.randint(0, 1000, (3,)))
    same(mt.rand(2, dtype=mt.float64), real_torch.rand(2, dtype=real_torch.float64))


# ---- the engine ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS + [2**64 - 1, -1, -(2**63)])
def test_seeds_give_torchs_stream(seed):
    seed_both(seed)
    assert mt.initial_seed() == real_torch.initial_seed()
    same(mt.randint(0, 2**20, (700,)), real_torch.randint(0, 2**20, (700,)))  # crosses a twist (624 words)
    same_position()


def test_seed_errors_and_return_value():
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            mt.manual_seed(bad)
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            real_torch.manual_seed(bad)
    assert isinstance(mt.manual_seed(3), mt.Generator)
    for bad in (1.5, True):
        with pytest.raises(RuntimeError, match=f"manual_seed expected a long, but got {type(bad).__name__}"):
            mt.Generator().manual_seed(bad)
    assert mt.manual_seed(1.5).initial_seed() == real_torch.manual_seed(1.5).initial_seed() == 1


def test_seed_draws_fresh_seeds():
    first = mt.seed()
    assert mt.initial_seed() == first
    assert mt.seed() != first
    assert 0 <= first < 2**64
    assert mt.Generator().initial_seed() == real_torch.Generator().initial_seed()


# ---- uniform ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtypes", FLOATS)
def test_rand(seed, n, dtypes):
    seed_both(seed)
    same(mt.rand(n, dtype=dtypes[0]), real_torch.rand(n, dtype=dtypes[1]))
    same_position()


@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-0.3, 0.7), (-1 / math.sqrt(3), 1 / math.sqrt(3)), (2.5, 7.1), (3, 3)])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_uniform_(bounds, dtypes):
    seed_both(5)
    same(mt.empty(1000, dtype=dtypes[0]).uniform_(*bounds), real_torch.empty(1000, dtype=dtypes[1]).uniform_(*bounds))
    same_position()


def test_uniform_keyword_from_and_errors():
    seed_both(8)
    same(mt.empty(5).uniform_(**{"from": -2.0, "to": 2.0}), real_torch.empty(5).uniform_(**{"from": -2.0, "to": 2.0}))
    with pytest.raises(RuntimeError, match=r"uniform_ expects to return a \[from, to\) range, but found from=1 > to=0"):
        mt.empty(3).uniform_(1, 0)
    with pytest.raises(NotImplementedError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        mt.empty(3, dtype=mt.int64).uniform_()
    with pytest.raises(NotImplementedError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        mt.rand(2, dtype=mt.int64)


def test_uniform_non_contiguous_fills_in_memory_order():
    seed_both(4)
    ours, theirs = mt.zeros(6, 5), real_torch.zeros(6, 5)
    ours.t().uniform_(-1, 1)
    theirs.t().uniform_(-1, 1)
    same(ours, theirs)
    ours[:, 1].uniform_()
    theirs[:, 1].uniform_()
    same(ours, theirs)
    same_position()


# ---- normal ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES + [100_000])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_randn(seed, n, dtypes):
    seed_both(seed)
    same(mt.randn(n, dtype=dtypes[0]), real_torch.randn(n, dtype=dtypes[1]))
    same_position()


@pytest.mark.parametrize("shape", [(3, 5), (4, 4), (2, 3, 7), (10, 10, 10)])
@pytest.mark.parametrize("params", [(0.0, 1.0), (0.3, 2.7), (-5.0, 0.01), (1.0, 0.0)])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_normal_(shape, params, dtypes):
    seed_both(9)
    same(mt.empty(shape, dtype=dtypes[0]).normal_(*params), real_torch.empty(shape, dtype=dtypes[1]).normal_(*params))
    same_position()


@pytest.mark.parametrize("dtypes", FLOATS)
def test_normal_scalar_path_caches_its_second_value(dtypes):
    """Odd scalar-path draws leave a normal cached for the next one, in both libraries."""
    seed_both(13)
    for n in (3, 1, 5, 2, 7):
        same(mt.randn(n, dtype=dtypes[0]), real_torch.randn(n, dtype=dtypes[1]))
    # the block path neither uses nor clears the cache
    same(mt.randn(40, dtype=dtypes[0]), real_torch.randn(40, dtype=dtypes[1]))
    same(mt.randn(1, dtype=dtypes[0]), real_torch.randn(1, dtype=dtypes[1]))
    same_position()


@pytest.mark.parametrize("dtypes", FLOATS)
def test_normal_non_contiguous_uses_the_scalar_path(dtypes):
    seed_both(21)
    ours, theirs = mt.zeros(40, 3, dtype=dtypes[0]), real_torch.zeros(40, 3, dtype=dtypes[1])
    ours[:, 0].normal_(1.5, 3.0)
    theirs[:, 0].normal_(1.5, 3.0)
    ours.t().normal_()
    theirs.t().normal_()
    same(ours, theirs)
    same_position()


def test_normal_errors():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        mt.empty(3).normal_(0, -1)
    with pytest.raises(NotImplementedError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        mt.empty(3, dtype=mt.int64).normal_()
    with pytest.raises(NotImplementedError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        mt.randn(3, dtype=mt.int64)


# torch.normal overloads -------------------------------------------------------------------------------------
def _tensors(values, dtype):
    return mt.tensor(values, dtype=dtype[0]), real_torch.tensor(values, dtype=dtype[1])


@pytest.mark.parametrize("n", [1, 5, 16, 17, 100])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_normal_tensor_mean_tensor_std(n, dtypes):
    rng = np.random.default_rng(n)
    mean_m, mean_t = _tensors(rng.normal(size=n).tolist(), dtypes)
    std_m, std_t = _tensors(rng.uniform(0.1, 3, size=n).tolist(), dtypes)
    seed_both(n)
    same(mt.normal(mean_m, std_m), real_torch.normal(mean_t, std_t))
    same(mt.normal(mean_m, 2.5), real_torch.normal(mean_t, 2.5))
    same(mt.normal(mean_m), real_torch.normal(mean_t))
    same(mt.normal(-1.5, std_m), real_torch.normal(-1.5, std_t))
    same(mt.normal(mean=mean_m, std=std_m), real_torch.normal(mean=mean_t, std=std_t))
    same_position()


def test_normal_broadcasts_and_mixes_dtypes():
    seed_both(2)
    mean_m, mean_t = mt.zeros(4, 1), real_torch.zeros(4, 1)
    std_m, std_t = mt.ones(5, dtype=mt.float64) * 2, real_torch.ones(5, dtype=real_torch.float64) * 2
    same(mt.normal(mean_m, std_m), real_torch.normal(mean_t, std_t))
    same(mt.normal(mean_m.double(), std_m.float()), real_torch.normal(mean_t.double(), std_t.float()))
    same(mt.normal(0.5, std_m), real_torch.normal(0.5, std_t))
    same_position()


@pytest.mark.parametrize("size", [(3,), (4, 5), [17], (0,)])
def test_normal_floats_and_size(size):
    seed_both(6)
    same(mt.normal(1.0, 2.0, size), real_torch.normal(1.0, 2.0, size))
    same(
        mt.normal(1.0, 2.0, size=size, dtype=mt.float64),
        real_torch.normal(1.0, 2.0, size=size, dtype=real_torch.float64),
    )
    same_position()


def test_normal_overload_errors():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        mt.normal(0.0, -1.0, (3,))
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        mt.normal(mt.zeros(3), -1.0)
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        mt.normal(mt.zeros(3), mt.tensor([1.0, -1.0, 1.0]))
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\)"):
        mt.normal(mt.zeros(3), mt.ones(4))
    with pytest.raises(NotImplementedError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        mt.normal(mt.zeros(3, dtype=mt.int64), mt.ones(3))


# ---- integers --------------------------------------------------------------------------------------------
INT_DTYPES = [
    (mt.int64, real_torch.int64),
    (mt.int32, real_torch.int32),
    (mt.int16, real_torch.int16),
    (mt.int8, real_torch.int8),
    (mt.uint8, real_torch.uint8),
    (mt.float32, real_torch.float32),
    (mt.float64, real_torch.float64),
]


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("bounds", [(0, 10), (-5, 5), (3, 4), (0, 100), (-100, 27)])
@pytest.mark.parametrize("dtypes", INT_DTYPES)
def test_randint_small_ranges(seed, bounds, dtypes):
    if dtypes[0] == mt.uint8 and bounds[0] < 0:
        bounds = (0, bounds[1])
    seed_both(seed)
    same(mt.randint(*bounds, (17,), dtype=dtypes[0]), real_torch.randint(*bounds, (17,), dtype=dtypes[1]))
    same_position()


@pytest.mark.parametrize("high", [2**27, 2**28 - 1, 2**28, 2**31 - 1, 2**32, 2**40, 2**62])
def test_randint_switches_to_64_bits_at_2_to_28(high):
    seed_both(3)
    same(mt.randint(0, high, (50,)), real_torch.randint(0, high, (50,)))
    same(mt.randint(-high, high, (50,)), real_torch.randint(-high, high, (50,)))
    if high < 2**31:
        same(mt.randint(0, high, (50,), dtype=mt.int32), real_torch.randint(0, high, (50,), dtype=real_torch.int32))
    same_position()


def test_randint_signatures():
    seed_both(10)
    same(mt.randint(7, (2, 3)), real_torch.randint(7, (2, 3)))
    same(mt.randint(7, size=(4,)), real_torch.randint(7, size=(4,)))
    same(mt.randint(low=2, high=9, size=(5,)), real_torch.randint(low=2, high=9, size=(5,)))
    same(mt.randint(0, 2, (6,), dtype=mt.bool), real_torch.randint(0, 2, (6,), dtype=real_torch.bool))
    same(mt.randint(3, 5, (0, 2)), real_torch.randint(3, 5, (0, 2)))
    ours = mt.randint(0, 3, (2,), dtype=mt.float32, requires_grad=True)
    same(ours, real_torch.randint(0, 3, (2,), dtype=real_torch.float32, requires_grad=True))
    assert ours.requires_grad
    same_position()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda lib: lib.randint(5, 3, (2,)), "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
        (lambda lib: lib.randint(3, 3, (2,)), "random_ expects 'from' to be less than 'to', but got from=3 >= to=3"),
        (lambda lib: lib.randint(0, 300, (2,), dtype=lib.uint8), "to - 1 is out of bounds for unsigned char"),
        (lambda lib: lib.randint(-1, 3, (2,), dtype=lib.uint8), "from is out of bounds for unsigned char"),
        (lambda lib: lib.randint(0, 3, (2,), dtype=lib.bool), "to - 1 is out of bounds for bool"),
        (lambda lib: lib.randint(0, 2**40, (2,), dtype=lib.int32), "to - 1 is out of bounds for int"),
        (lambda lib: lib.randint(0, 3, (2,), requires_grad=True), "Only Tensors of floating point"),
    ],
)
def test_randint_errors_equal_torch(call, message):
    for lib in (mt, real_torch):
        with pytest.raises(RuntimeError, match=message):
            call(lib)
    with pytest.raises(TypeError):
        mt.randint(0, 3.5, (2,))


@pytest.mark.parametrize("dtypes", INT_DTYPES + [(mt.bool, real_torch.bool)])
def test_random_full_range(dtypes):
    seed_both(17)
    same(mt.empty(20, dtype=dtypes[0]).random_(), real_torch.empty(20, dtype=dtypes[1]).random_())
    same(mt.empty(20, dtype=dtypes[0]).random_(2), real_torch.empty(20, dtype=dtypes[1]).random_(2))
    same_position()


def test_random_from_to():
    seed_both(18)
    same(mt.empty(30, dtype=mt.int64).random_(-4, 9), real_torch.empty(30, dtype=real_torch.int64).random_(-4, 9))
    same(mt.empty(30).random_(0, 2**24), real_torch.empty(30).random_(0, 2**24))
    with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^24\), 2\^24\]"):
        mt.empty(3).random_(0, 2**30)
    with pytest.warns(UserWarning, match=r"from is out of bounds \[-\(2\^53\), 2\^53\]"):
        mt.empty(3, dtype=mt.float64).random_(-(2**60), 0)
    with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^24\), 2\^24\]"):
        real_torch.empty(3).random_(0, 2**30)
    with pytest.warns(UserWarning, match=r"from is out of bounds \[-\(2\^53\), 2\^53\]"):
        real_torch.empty(3, dtype=real_torch.float64).random_(-(2**60), 0)
    same(mt.empty(30, dtype=mt.int32).random_(5, None), real_torch.empty(30, dtype=real_torch.int32).random_(5, None))
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but got from=5 >= to=2"):
        mt.empty(3).random_(5, 2)
    same_position()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 5000])
def test_randperm(seed, n):
    seed_both(seed)
    same(mt.randperm(n), real_torch.randperm(n))
    same_position()


def test_randperm_dtypes_and_errors():
    seed_both(1)
    same(mt.randperm(10, dtype=mt.float32), real_torch.randperm(10, dtype=real_torch.float32))
    same(mt.randperm(10, dtype=mt.int32), real_torch.randperm(10, dtype=real_torch.int32))
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -1: \[-1\]"):
        mt.randperm(-1)
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8_t without overflow"):
        mt.randperm(300, dtype=mt.uint8)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        mt.randperm(4, requires_grad=True)
    same_position()


# ---- *_like ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(0,), (3,), (4, 5), (2, 3, 4)])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_like_factories(shape, dtypes):
    ours, theirs = mt.zeros(shape, dtype=dtypes[0]), real_torch.zeros(shape, dtype=dtypes[1])
    seed_both(31)
    same(mt.rand_like(ours), real_torch.rand_like(theirs))
    same(mt.randn_like(ours), real_torch.randn_like(theirs))
    same(mt.randint_like(ours, 7), real_torch.randint_like(theirs, 7))
    same(mt.randint_like(ours, -3, 7), real_torch.randint_like(theirs, -3, 7))
    same(mt.randint_like(ours, 9, dtype=mt.int64), real_torch.randint_like(theirs, 9, dtype=real_torch.int64))
    same(mt.rand_like(ours, dtype=mt.float64), real_torch.rand_like(theirs, dtype=real_torch.float64))
    same_position()


def test_like_errors():
    with pytest.raises(NotImplementedError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        mt.rand_like(mt.zeros(2, dtype=mt.int64))
    assert mt.randn_like(mt.zeros(2), requires_grad=True).requires_grad


# ---- bernoulli, exponential, multinomial ----------------------------------------------------------------
@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.77, 1.0])
@pytest.mark.parametrize("dtypes", FLOATS + [(mt.int64, real_torch.int64), (mt.bool, real_torch.bool)])
def test_bernoulli_scalar_p(p, dtypes):
    seed_both(41)
    same(mt.empty(33, dtype=dtypes[0]).bernoulli_(p), real_torch.empty(33, dtype=dtypes[1]).bernoulli_(p))
    same(
        mt.bernoulli(mt.zeros(4, 5, dtype=dtypes[0]), p),
        real_torch.bernoulli(real_torch.zeros(4, 5, dtype=dtypes[1]), p),
    )
    same_position()


@pytest.mark.parametrize("dtypes", FLOATS)
def test_bernoulli_tensor_p(dtypes):
    probs = np.random.default_rng(0).uniform(size=(6, 7)).tolist()
    p_m, p_t = _tensors(probs, dtypes)
    seed_both(43)
    same(mt.bernoulli(p_m), real_torch.bernoulli(p_t))
    same(p_m.bernoulli(), p_t.bernoulli())
    same(mt.bernoulli(p_m.t()), real_torch.bernoulli(p_t.t()))  # output in p's memory order
    same(mt.zeros(6, 7).bernoulli_(p_m), real_torch.zeros(6, 7).bernoulli_(p_t))
    same(mt.zeros(3, 6, 7).bernoulli_(p_m), real_torch.zeros(3, 6, 7).bernoulli_(p_t))  # broadcast p
    same(mt.zeros(6, 7, dtype=mt.bool).bernoulli_(p_m), real_torch.zeros(6, 7, dtype=real_torch.bool).bernoulli_(p_t))
    same_position()


def test_bernoulli_errors():
    for p in (1.5, -0.5):
        with pytest.raises(RuntimeError, match=f"bernoulli_ expects p to be in \\[0, 1\\], but got p={p}"):
            mt.empty(3).bernoulli_(p)
    with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1 to be true, but got false."):
        mt.bernoulli(mt.tensor([0.5, 1.5]))
    with pytest.raises(NotImplementedError, match="\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"):
        mt.bernoulli(mt.tensor([1, 0]))


@pytest.mark.parametrize("lambd", [1.0, 0.25, 7.5])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_exponential_(lambd, dtypes):
    seed_both(51)
    same(
        mt.empty(3, 40, dtype=dtypes[0]).exponential_(lambd),
        real_torch.empty(3, 40, dtype=dtypes[1]).exponential_(lambd),
    )
    same_position()


def test_exponential_errors():
    with pytest.raises(RuntimeError, match="exponential_ expects lambda > 0.0, but found lambda=-1"):
        mt.empty(3).exponential_(-1)
    with pytest.raises(RuntimeError, match="dtype must be a floating point but you specified Long"):
        mt.empty(3, dtype=mt.int64).exponential_()


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("num_samples", [1, 2, 5])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_multinomial(replacement, num_samples, dtypes):
    weights = np.random.default_rng(num_samples).uniform(0.1, 2.0, size=(4, 9)).tolist()
    w_m, w_t = _tensors(weights, dtypes)
    seed_both(61)
    same(mt.multinomial(w_m, num_samples, replacement), real_torch.multinomial(w_t, num_samples, replacement))
    same(mt.multinomial(w_m[1], num_samples, replacement), real_torch.multinomial(w_t[1], num_samples, replacement))
    same(w_m.multinomial(num_samples, replacement=replacement), w_t.multinomial(num_samples, replacement=replacement))
    same_position()


def test_multinomial_many_samples_with_replacement_and_zero_weights():
    w_m, w_t = _tensors([0.0, 1.0, 0.0, 3.0, 0.5], FLOATS[0])
    seed_both(62)
    same(mt.multinomial(w_m, 1000, True), real_torch.multinomial(w_t, 1000, True))
    same(mt.multinomial(w_m, 1), real_torch.multinomial(w_t, 1))
    same_position()


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.2, 0.8], 3), "cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"),
        (([0.2, 0.8], 0), "cannot sample n_sample <= 0 samples"),
        (([0.2, -0.8], 1), "probability tensor contains either `inf`, `nan` or element < 0"),
        (([0.2, -0.8], 2, True), "invalid multinomial distribution \\(encountering probability entry < 0\\)"),
        (([0.0, 0.0], 1), "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
        (([0.0, 0.0], 2, True), "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
        (([math.inf, 2.0], 2, True), "encountering probability entry = infinity or NaN"),
    ],
)
def test_multinomial_errors_equal_torch(args, message):
    for lib in (mt, real_torch):
        with pytest.raises(RuntimeError, match=message):
            lib.multinomial(lib.tensor(args[0]), *args[1:])
    with pytest.raises(RuntimeError, match="prob_dist must be 1 or 2 dim"):
        mt.multinomial(mt.ones(2, 2, 2), 1)
    with pytest.raises(RuntimeError, match="multinomial only supports floating-point dtypes for input, got: Long"):
        mt.multinomial(mt.tensor([1, 2]), 1)


# ---- dropout ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.04, 0.15, 0.5, 0.87])
@pytest.mark.parametrize("dtypes", FLOATS)
def test_dropout_masks_equal_torch(p, dtypes):
    x_t = real_torch.linspace(-3, 5, 300, dtype=dtypes[1]).reshape(3, 100)
    x_m = mt.tensor(x_t.numpy())
    seed_both(71)
    same(mt.nn.functional.dropout(x_m, p), real_torch.nn.functional.dropout(x_t, p))
    same(mt.nn.Dropout(p)(x_m), real_torch.nn.Dropout(p)(x_t))
    same(
        mt.nn.functional.dropout2d(x_m.reshape(3, 10, 5, 2), p),
        real_torch.nn.functional.dropout2d(x_t.reshape(3, 10, 5, 2), p),
    )
    same_position()


# ---- Generator objects, state, fork_rng -------------------------------------------------------------------
def test_generator_objects_are_independent_streams():
    g_m, g_t = mt.Generator().manual_seed(5), real_torch.Generator().manual_seed(5)
    seed_both(99)
    same(mt.randn(20, generator=g_m), real_torch.randn(20, generator=g_t))
    same(mt.rand(3, generator=g_m), real_torch.rand(3, generator=g_t))
    same(mt.randint(0, 9, (4,), generator=g_m), real_torch.randint(0, 9, (4,), generator=g_t))
    same(mt.randperm(12, generator=g_m), real_torch.randperm(12, generator=g_t))
    same(mt.normal(0.0, 1.0, (5,), generator=g_m), real_torch.normal(0.0, 1.0, (5,), generator=g_t))
    same(mt.normal(mt.zeros(5), generator=g_m), real_torch.normal(real_torch.zeros(5), generator=g_t))
    same(mt.empty(4).uniform_(generator=g_m), real_torch.empty(4).uniform_(generator=g_t))
    same(mt.empty(4).normal_(generator=g_m), real_torch.empty(4).normal_(generator=g_t))
    same(mt.empty(4).bernoulli_(0.3, generator=g_m), real_torch.empty(4).bernoulli_(0.3, generator=g_t))
    same(mt.empty(4).exponential_(generator=g_m), real_torch.empty(4).exponential_(generator=g_t))
    same(mt.empty(4).random_(0, 5, generator=g_m), real_torch.empty(4).random_(0, 5, generator=g_t))
    same(mt.multinomial(mt.ones(6), 3, generator=g_m), real_torch.multinomial(real_torch.ones(6), 3, generator=g_t))
    same(mt.rand_like(mt.zeros(3), generator=g_m), real_torch.rand_like(real_torch.zeros(3), generator=g_t))
    same_position()  # the global streams were not touched
    assert g_m.initial_seed() == g_t.initial_seed() == 5
    assert g_m.device == mt.device("cpu")


def test_get_state_is_torchs_byte_layout():
    draws = (lambda lib: None, lambda lib: lib.rand(3), lambda lib: lib.randn(3), lambda lib: lib.randn(700))
    for draw in (*draws, lambda lib: lib.rand(624), lambda lib: lib.rand(1248)):
        seed_both(123)
        draw(mt)
        draw(real_torch)
        same(mt.get_rng_state(), real_torch.get_rng_state())
    g_m, g_t = mt.Generator().manual_seed(7), real_torch.Generator().manual_seed(7)
    mt.randn(5, generator=g_m)
    real_torch.randn(5, generator=g_t)
    same(g_m.get_state(), g_t.get_state())


def test_set_state_replays_and_accepts_torchs_state():
    seed_both(11)
    mt.randn(3)
    saved = mt.get_rng_state()
    first = mt.randn(9)
    mt.set_rng_state(saved)
    same(mt.randn(9), first)  # the cached normal came back with the state
    # a state taken from torch itself continues torch's stream
    real_torch.randn(3)
    mt.set_rng_state(mt.tensor(real_torch.get_rng_state().numpy()))
    same_position()
    g = mt.Generator().set_state(mt.get_rng_state())
    same(mt.rand(4, generator=g), mt.rand(4))


def test_state_errors():
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056 but found the input RNG"):
        mt.set_rng_state(mt.zeros(10, dtype=mt.uint8))
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        mt.set_rng_state(mt.zeros(5056))
    with pytest.raises(TypeError, match="expected a torch.ByteTensor, but got list"):
        mt.set_rng_state([1, 2])


def test_fork_rng_restores_the_state():
    seed_both(5)
    with mt.random.fork_rng():
        mt.randn(50)
        mt.randn(3)
    with real_torch.random.fork_rng():
        real_torch.randn(50)
    same_position()
    with mt.random.fork_rng(enabled=False):
        mt.rand(2)
    real_torch.rand(2)
    same_position()
    mt.random.manual_seed(4)
    assert mt.random.initial_seed() == 4


# ---- initialisation of layers ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 1234])
def test_layer_initialisation_equals_torch(seed):
    seed_both(seed)
    lin_m, lin_t = mt.nn.Linear(20, 7), real_torch.nn.Linear(20, 7)
    conv_m, conv_t = mt.nn.Conv2d(3, 6, 5), real_torch.nn.Conv2d(3, 6, 5)
    small_m, small_t = mt.nn.Linear(3, 2, bias=False), real_torch.nn.Linear(3, 2, bias=False)
    for ours, theirs in ((lin_m, lin_t), (conv_m, conv_t), (small_m, small_t)):
        for (_, p_m), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
            same(p_m, p_t)
    same_position()


def test_data_shuffling_equals_torch():
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchDataset
    from torch.utils.data import random_split as torch_split

    from minitorch_nn.utils.data import DataLoader, TensorDataset, random_split

    data_m, data_t = TensorDataset(mt.arange(23)), TorchDataset(real_torch.arange(23))
    seed_both(3)
    for _ in range(2):  # two epochs
        for (b_m,), (b_t,) in zip(
            DataLoader(data_m, batch_size=5, shuffle=True), TorchLoader(data_t, batch_size=5, shuffle=True)
        ):
            same(b_m, b_t)
    g_m, g_t = mt.Generator().manual_seed(8), real_torch.Generator().manual_seed(8)
    loader_m = DataLoader(data_m, batch_size=4, shuffle=True, generator=g_m)
    loader_t = TorchLoader(data_t, batch_size=4, shuffle=True, generator=g_t)
    for (b_m,), (b_t,) in zip(loader_m, loader_t):
        same(b_m, b_t)
    for (b_m,), (b_t,) in zip(DataLoader(data_m, batch_size=6), TorchLoader(data_t, batch_size=6)):
        same(b_m, b_t)
    parts_m, parts_t = random_split(range(10), [3, 7]), torch_split(range(10), [3, 7])
    assert [list(p) for p in parts_m] == [list(p) for p in parts_t]
    parts_m = random_split(range(10), [0.5, 0.5], generator=mt.Generator().manual_seed(2))
    parts_t = torch_split(range(10), [0.5, 0.5], generator=real_torch.Generator().manual_seed(2))
    assert [list(p) for p in parts_m] == [list(p) for p in parts_t]
    same_position()


def test_memory_order_view():
    a = np.zeros((3, 4)).T
    assert mt_random.memory_order(a).flags.c_contiguous
    assert mt_random.memory_order(np.zeros((2, 3))).shape == (2, 3)


@pytest.mark.parametrize("dtypes", FLOATS)
def test_cauchy_log_normal_geometric(dtypes):
    seed_both(81)
    same(mt.empty(50, dtype=dtypes[0]).cauchy_(0.5, 2.0), real_torch.empty(50, dtype=dtypes[1]).cauchy_(0.5, 2.0))
    same(mt.empty(7, 5, dtype=dtypes[0]).log_normal_(), real_torch.empty(7, 5, dtype=dtypes[1]).log_normal_())
    same(mt.empty(3, dtype=dtypes[0]).log_normal_(0.2, 0.7), real_torch.empty(3, dtype=dtypes[1]).log_normal_(0.2, 0.7))
    same(mt.empty(40, dtype=dtypes[0]).geometric_(0.3), real_torch.empty(40, dtype=dtypes[1]).geometric_(0.3))
    same(mt.empty(9, dtype=mt.int64).geometric_(0.6), real_torch.empty(9, dtype=real_torch.int64).geometric_(0.6))
    same_position()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda lib: lib.empty(3).geometric_(1.5),
            RuntimeError,
            r"geometric_ expects p to be in \(0, 1\), but got p=1.5",
        ),
        (lambda lib: lib.empty(3).geometric_(0), RuntimeError, r"geometric_ expects p to be in \(0, 1\), but got p=0"),
        (lambda lib: lib.empty(3).log_normal_(0, -1), RuntimeError, "log_normal_ expects std > 0.0, but found std=-1"),
        (lambda lib: lib.empty(3, dtype=lib.int64).log_normal_(), NotImplementedError, '"log_normal_cpu" not impl'),
        (lambda lib: lib.empty(3).cauchy_(0, 0), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=0"),
        (lambda lib: lib.empty(3, dtype=lib.int64).cauchy_(), RuntimeError, "but you specified long int"),
    ],
)
def test_other_distribution_errors_equal_torch(call, error, message):
    for lib in (mt, real_torch):
        with pytest.raises(error, match=message):
            call(lib)


def test_in_place_samplers_refuse_leaves_that_require_grad():
    for method in ("normal_", "uniform_", "bernoulli_", "exponential_", "random_"):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            getattr(mt.zeros(3, requires_grad=True), method)()
    leaf = mt.zeros(3, requires_grad=True)
    with mt.no_grad():
        leaf.normal_()
    assert leaf.requires_grad and leaf.is_leaf and leaf._version == 1


@pytest.mark.parametrize(
    "dtypes, bounds",
    [
        (FLOATS[0], (1.0, 1 + 2**-20)),
        (FLOATS[1], (1.0, 1 + 2**-49)),
        ((mt.float16, real_torch.float16), (0.1, 0.2)),
        ((mt.float16, real_torch.float16), (-2.0, 3.0)),
    ],
)
def test_uniform_values_rounding_up_to_the_bound_become_from(dtypes, bounds):
    seed_both(3)
    ours = mt.empty(20000, dtype=dtypes[0]).uniform_(*bounds)
    same(ours, real_torch.empty(20000, dtype=dtypes[1]).uniform_(*bounds))
    assert (ours.numpy() < np.dtype(ours.numpy().dtype).type(bounds[1])).all()
    same(mt.rand(50, dtype=dtypes[0]), real_torch.rand(50, dtype=dtypes[1]))
    same(mt.empty(9, dtype=dtypes[0]).random_(), real_torch.empty(9, dtype=dtypes[1]).random_())
    same_position()


def test_numpy_style_draws_for_array_code():
    """``random.rng()``: the array-level access other kernels use (dropout's mask) draws torch's numbers."""
    seed_both(90)
    same(mt_random.rng().random((3, 4)), real_torch.rand(3, 4, dtype=real_torch.float64))
    same(mt_random.rng().random(5), real_torch.rand(5, dtype=real_torch.float64))
    same(mt_random.rng().permutation(9), real_torch.randperm(9))
    g_m, g_t = mt.Generator().manual_seed(1), real_torch.Generator().manual_seed(1)
    same(mt_random.rng(g_m).random(()), real_torch.rand((), dtype=real_torch.float64, generator=g_t))
    same_position()
    with pytest.raises(TypeError, match="expected a torch.Generator, but got int"):
        mt.rand(2, generator=5)


@pytest.mark.parametrize(
    "method, args",
    [
        ("normal_", ()),
        ("uniform_", (-1.0, 1.0)),
        ("bernoulli_", (0.5,)),
        ("bernoulli_", ("tensor",)),
        ("exponential_", ()),
        ("random_", ()),
        ("random_", (5,)),
        ("random_", (0, 5)),
        ("cauchy_", ()),
        ("log_normal_", ()),
        ("geometric_", (0.5,)),
    ],
)
def test_in_place_samplers_inside_a_graph_give_zero_gradient_like_torch(method, args):
    """A sampled tensor is a constant: its node (torch's NormalBackward0, ...) passes zero gradient on."""
    grads = []
    for lib in (mt, real_torch):
        lib.manual_seed(2)
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = x * 2
        call_args = tuple(lib.full((4,), 0.3) if a == "tensor" else a for a in args)
        out = getattr(y, method)(*call_args)
        assert out is y
        names = [y.grad_fn.name()]
        z = x * 3
        getattr(z[1:3], method)(*tuple(a[1:3] if isinstance(a, lib.Tensor) else a for a in call_args))
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0]) + z).sum().backward()
        grads.append((names, x.grad.numpy().copy(), y.detach().numpy().copy()))
    (names_m, grad_m, y_m), (names_t, grad_t, y_t) = grads
    assert names_m == names_t
    same(grad_m, grad_t)
    same(y_m, y_t)
