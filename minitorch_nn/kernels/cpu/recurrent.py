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
its slice (``out=``); the gate math works in place: forward, one NumPy SIMD tanh over the whole gate block (the i, f, o
columns of W_hh and of the input projections halved once per call, so it gives tanh(u/2) there)
and one Numba pass for sigmoid(u) = (1 + tanh(u/2)) / 2 and c'; backward, one Numba pass for the four
gate gradients and dc, with no temporaries.

Layout. The states are one (T + 1, B, H) array ``S`` indexed so that both directions read and
write contiguous rows: forward, step t reads ``S[t]`` and writes ``S[t + 1]``; reverse, it reads
``S[t + 1]`` and writes ``S[t]``. The output at step t is then ``S[1:]`` (forward) or ``S[:T]``
(reverse), and the states each step read, for ``dW_hh = sum_t dA_t^T h_{t-1}``, are the other
slice, so the weight gradients are single products over all steps with no reordering.

Threads: the rows (one per sequence) never read each other, so the batch is cut into one block of
rows per thread, each running the whole time loop of its rows on the engine's worker pool.

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


def _halve_sigmoid_columns(a: np.ndarray, hidden: int) -> None:
    """In place: the i, f and o columns of a (..., 4H) times 1/2, so that one tanh over the whole
    gate block gives tanh(u / 2) there (and tanh(u) for g); scaling by a power of two is exact."""
    a[..., : 2 * hidden] *= 0.5
    a[..., 3 * hidden :] *= 0.5


@njit(cache=True, nogil=True)
def _cell(gates, c_prev, c_new):  # pragma: no cover - jitted
    """On entry the gate block holds tanh(u/2) for i, f, o and tanh(u) for g (one NumPy SIMD tanh over
    the block); this pass turns i, f, o into sigmoid(u) = (1 + tanh(u/2)) / 2 (in place, kept for
    backward) and computes c' = f c + i g, one pass over (n, H). The identity avoids exp: NumPy's tanh
    is a SIMD loop, where four passes of exp, add and reciprocal cost several times as much (and a
    Numba loop would call the scalar libm functions, Numba having no SVML here)."""
    hidden = c_prev.shape[1]
    half = gates.dtype.type(0.5)
    for b in range(gates.shape[0]):
        for j in range(hidden):
            i = half + half * gates[b, j]
            f = half + half * gates[b, hidden + j]
            gates[b, j] = i
            gates[b, hidden + j] = f
            gates[b, 3 * hidden + j] = half + half * gates[b, 3 * hidden + j]
            c_new[b, j] = f * c_prev[b, j] + i * gates[b, 2 * hidden + j]


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


def _by_rows(loop, rows: int, work_per_row: int) -> None:
    """``loop(lo, hi)`` (all time steps of the rows [lo, hi)) over the batch, cut into one block of rows
    per thread: a sequence's recurrence never reads another row, so each block runs its whole time loop
    alone, with one hand-off per call rather than one per step (a per-step hand-off cost more than the
    step's halved product saved). As for a product in matmul.py, a block has at least ``PARALLEL_WORK``
    multiply-adds, else the hand-off costs more than the block saves."""
    threads = max(1, min(num_threads(), rows, rows * work_per_row // PARALLEL_WORK))
    if threads <= 1:
        loop(0, rows)
        return
    WORKERS.map(lambda span: loop(*span), [(i * rows // threads, (i + 1) * rows // threads) for i in range(threads)])


def _running(n: int, lo: int, hi: int) -> int:
    """The end of the rows of [lo, hi) that a step with ``n`` running sequences runs (the first n)."""
    return min(max(n, lo), hi)


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

    ``xp`` (T, B, 4H) is the input projection, changed in place (``b_hh`` added, i, f, o columns halved)."""
    seq_len, batch, gate_width = xp.shape
    hidden = gate_width // 4
    dtype = xp.dtype
    if b_hh is not None:
        xp += b_hh
    w_hh_t = np.array(w_hh.T, order="C")
    _halve_sigmoid_columns(xp, hidden)
    _halve_sigmoid_columns(w_hh_t, hidden)
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
        np.tanh(a, out=a)
        _cell(a, states_c[read, lo:hi], states_c[write, lo:hi])
        np.tanh(states_c[write, lo:hi], out=tanh_c[t, lo:hi])
        np.multiply(a[:, 3 * hidden :], tanh_c[t, lo:hi], out=states_h[write, lo:hi])

    def loop(lo: int, hi: int) -> None:
        for t in range(seq_len - 1, -1, -1) if reverse else range(seq_len):
            read, write = _indices(t, reverse)
            n = _running(sizes[t], lo, hi)
            if n > lo:
                step(t, read, write, lo, n)
            if n < hi:  # finished (or not yet started) sequences keep their state
                states_h[write, n:hi] = states_h[read, n:hi]
                states_c[write, n:hi] = states_c[read, n:hi]

    with single_thread_blas():
        _by_rows(loop, batch, seq_len * gate_width * hidden)
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

    def loop(lo: int, hi: int) -> None:
        for t in range(seq_len) if reverse else range(seq_len - 1, -1, -1):
            read, _ = _indices(t, reverse)
            n = _running(sizes[t], lo, hi)
            if dc_at and t in dc_at and n > lo:
                dc[lo:n] += dc_at[t][lo:n]
            if n > lo:
                step(t, read, lo, n)

    with single_thread_blas():
        _by_rows(loop, batch, seq_len * gate_width * w_hh.shape[1])
    return d_gates, dh, dc


def step_inputs(states: np.ndarray, reverse: bool) -> np.ndarray:
    """The (T, B, H) states the steps read, in time order (module docstring)."""
    return states[1:] if reverse else states[:-1]


def step_outputs(states: np.ndarray, reverse: bool) -> np.ndarray:
    """The (T, B, H) states the steps wrote, in time order: the layer's output."""
    return states[:-1] if reverse else states[1:]
