"""An LSTM layer (one direction, no projection) over all time steps: forward and backward through time.

What it computes: the math of ``ops/recurrent.py`` (its docstring derives each gate's gradient)
for the LSTM, from the input projections ``xp = x W_ih^T + b_ih`` of all steps, which the caller
computes as one product before the loop.

Why it is fast. A step is one small product ``h W_hh^T`` (B x H by H x 4H) and a few elementwise
passes over (B, 4H). In NumPy the passes are a dozen temporaries per step, and every product
allocates its result: at B = 32, H = 256 that result is 128 KiB, glibc's threshold for serving
an allocation by a fresh ``mmap``, so each step also pays the page faults of a new block (the
product alone took several times longer allocating than into a buffer). Here all
states, gates and gradients live in buffers allocated once per call; each product writes into
its slice (``out=``); the gate math works in place: forward, NumPy's SIMD exp and tanh over the
whole gate block (``_activate``) and one Numba pass for c'; backward, one Numba pass for the four
gate gradients and dc, with no temporaries.

Layout. The states are one (T + 1, B, H) array ``S`` indexed so that both directions read and
write contiguous rows: forward, step t reads ``S[t]`` and writes ``S[t + 1]``; reverse, it reads
``S[t + 1]`` and writes ``S[t]``. The output at step t is then ``S[1:]`` (forward) or ``S[:T]``
(reverse), and the states each step read, for ``dW_hh = sum_t dA_t^T h_{t-1}``, are the other
slice, so the weight gradients are single products over all steps with no reordering.

Threads: a step's rows (one per sequence) are independent, so each step is cut into one block of
rows per thread (the product and the gate passes of those rows), on the engine's worker pool.

Packed sequences: step t runs only the first ``sizes[t]`` rows (sequences sorted by length); the
other rows copy their state across, and in backward pass their gradient through unchanged.

When it is chosen: by ``ops.recurrent.RecurrentLayer`` for every LSTM without a projection; the
RNN, GRU and projected LSTM keep the NumPy step functions there.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .matmul import PARALLEL_WORK
from .workers import WORKERS, num_threads, single_thread_blas


def _activate(a: np.ndarray, hidden: int) -> None:
    """In place on the pre-activations a (n, 4H): i, f, o = sigmoid, g = tanh.

    NumPy's exp and tanh run SIMD loops over a whole block; a Numba loop calls the scalar libm
    functions (Numba has no SVML here), which made this pass several times slower (measurements
    in benchmarks/results/seq.md). sigmoid(u) = 1 / (1 + exp(-u)) in four in-place passes;
    exp(-u) overflows to inf for u < -88 (float32), giving exactly 0, so the warning is silenced."""
    for block in (a[:, : 2 * hidden], a[:, 3 * hidden :]):
        np.negative(block, out=block)
        np.exp(block, out=block)
        block += 1
        np.reciprocal(block, out=block)
    g = a[:, 2 * hidden : 3 * hidden]
    np.tanh(g, out=g)


@njit(cache=True, nogil=True)
def _cell(gates, c_prev, c_new):  # pragma: no cover - jitted
    """c' = f c + i g, one pass over (n, H)."""
    hidden = c_prev.shape[1]
    for b in range(gates.shape[0]):
        for j in range(hidden):
            c_new[b, j] = gates[b, hidden + j] * c_prev[b, j] + gates[b, j] * gates[b, 2 * hidden + j]


@njit(cache=True, nogil=True)
def _gates_backward(gates, c_prev, tanh_c, dh, d_out, dc, da):  # pragma: no cover - jitted
    """From dh' = dh + d_out and dc' (``dc`` on entry): the pre-activation gradients ``da`` (n, 4H) and
    dc = dc' f (``dc`` on exit), where dc' gains dh' o (1 - tanh(c')^2)."""
    hidden = c_prev.shape[1]
    one = gates.dtype.type(1)
    for b in range(gates.shape[0]):
        for j in range(hidden):
            i = gates[b, j]
            f = gates[b, hidden + j]
            g = gates[b, 2 * hidden + j]
            o = gates[b, 3 * hidden + j]
            t = tanh_c[b, j]
            dm = dh[b, j] + d_out[b, j]
            dcn = dc[b, j] + dm * o * (one - t * t)
            da[b, j] = dcn * g * i * (one - i)
            da[b, hidden + j] = dcn * c_prev[b, j] * f * (one - f)
            da[b, 2 * hidden + j] = dcn * i * (one - g * g)
            da[b, 3 * hidden + j] = dm * t * o * (one - o)
            dc[b, j] = dcn * f


def _by_rows(step, rows: int, work_per_row: int) -> None:
    """``step(lo, hi)`` over the rows [0, rows) of a time step, cut into one block per thread: the rows
    (sequences) of a step are independent, and each block is a product and a few passes on its rows.
    As for a product in matmul.py, a block has at least ``PARALLEL_WORK`` multiply-adds, else the
    hand-off costs more than the block saves."""
    threads = max(1, min(num_threads(), rows * work_per_row // PARALLEL_WORK))
    if threads <= 1:
        step(0, rows)
        return
    WORKERS.map(lambda span: step(*span), [(i * rows // threads, (i + 1) * rows // threads) for i in range(threads)])


def _indices(t: int, reverse: bool) -> tuple[int, int]:
    """(read, write) rows of ``S`` for step t (module docstring)."""
    return (t + 1, t) if reverse else (t, t + 1)


def lstm_forward(
    xp: np.ndarray,
    w_hh: np.ndarray,
    b_hh: np.ndarray | None,
    h0: np.ndarray,
    c0: np.ndarray,
    sizes: tuple[int, ...],
    reverse: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All steps of one direction: (S_h, S_c, gates, tanh_c), states laid out as the module docstring says.

    ``xp`` (T, B, 4H) is the input projection, changed in place (``b_hh`` is added to it once)."""
    seq_len, batch, gate_width = xp.shape
    hidden = gate_width // 4
    dtype = xp.dtype
    if b_hh is not None:
        xp += b_hh
    w_hh_t = np.ascontiguousarray(w_hh.T)
    states_h = np.empty((seq_len + 1, batch, hidden), dtype=dtype)
    states_c = np.empty((seq_len + 1, batch, hidden), dtype=dtype)
    gates = np.empty((seq_len, batch, gate_width), dtype=dtype)
    tanh_c = np.empty((seq_len, batch, hidden), dtype=dtype)
    first = seq_len if reverse else 0
    states_h[first], states_c[first] = h0, c0

    def step(t: int, read: int, write: int, lo: int, hi: int) -> None:
        a = gates[t, lo:hi]
        np.matmul(states_h[read, lo:hi], w_hh_t, out=a)
        a += xp[t, lo:hi]
        _activate(a, hidden)
        _cell(a, states_c[read, lo:hi], states_c[write, lo:hi])
        np.tanh(states_c[write, lo:hi], out=tanh_c[t, lo:hi])
        np.multiply(a[:, 3 * hidden :], tanh_c[t, lo:hi], out=states_h[write, lo:hi])

    with single_thread_blas(), np.errstate(over="ignore"):
        for t in range(seq_len - 1, -1, -1) if reverse else range(seq_len):
            read, write = _indices(t, reverse)
            n = sizes[t]
            _by_rows(lambda lo, hi, t=t, read=read, write=write: step(t, read, write, lo, hi), n, gate_width * hidden)
            if n < batch:  # finished (or not yet started) sequences keep their state
                states_h[write, n:] = states_h[read, n:]
                states_c[write, n:] = states_c[read, n:]
    return states_h, states_c, gates, tanh_c


def lstm_backward(
    states_c: np.ndarray,
    gates: np.ndarray,
    tanh_c: np.ndarray,
    w_hh: np.ndarray,
    d_output: np.ndarray,
    dh_n: np.ndarray,
    dc_n: np.ndarray,
    sizes: tuple[int, ...],
    reverse: bool,
    dc_at: dict[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reverse loop: (dA, dh0, dc0), dA (T, B, 4H) the pre-activation gradients of every step (zero
    on rows a step did not run), from the output's gradient (T, B, H) and the final states'; ``dc_at[t]``
    (the running rows') is a further gradient of c after step t (packed sequences' final cell states)."""
    seq_len, batch, gate_width = gates.shape
    packed = any(n < batch for n in sizes)
    d_gates = np.zeros_like(gates) if packed else np.empty_like(gates)
    dh = np.array(dh_n, dtype=gates.dtype, copy=True)
    dc = np.array(dc_n, dtype=gates.dtype, copy=True)
    d_output = np.ascontiguousarray(d_output, dtype=gates.dtype)

    def step(t: int, read: int, lo: int, hi: int) -> None:
        da = d_gates[t, lo:hi]
        args = (gates[t, lo:hi], states_c[read, lo:hi], tanh_c[t, lo:hi], dh[lo:hi], d_output[t, lo:hi], dc[lo:hi])
        _gates_backward(*args, da)
        np.matmul(da, w_hh, out=dh[lo:hi])

    with single_thread_blas():
        for t in range(seq_len) if reverse else range(seq_len - 1, -1, -1):
            read, _ = _indices(t, reverse)
            if dc_at and t in dc_at:
                dc[: sizes[t]] += dc_at[t]
            _by_rows(lambda lo, hi, t=t, read=read: step(t, read, lo, hi), sizes[t], gate_width * w_hh.shape[1])
    return d_gates, dh, dc


def step_inputs(states: np.ndarray, reverse: bool) -> np.ndarray:
    """The (T, B, H) states the steps read, in time order (module docstring)."""
    return states[1:] if reverse else states[:-1]


def step_outputs(states: np.ndarray, reverse: bool) -> np.ndarray:
    """The (T, B, H) states the steps wrote, in time order: the layer's output."""
    return states[:-1] if reverse else states[1:]
