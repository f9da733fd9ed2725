r"""Recurrent layers: one Function per layer-direction call, the time loop in forward, the
reverse time loop (backpropagation through time) in backward, each gate differentiated by hand.

Shapes: x is (T, B, I), the state h is (B, H) (or (B, P) for an LSTM with a projection), the
cell state c is (B, H). Gates are stacked along the last axis in torch's order (LSTM i, f, g, o;
GRU r, z, n), so ``weight_ih`` is (G*H, I) and ``weight_hh`` is (G*H, H).

Design. The input projections of all time steps do not depend on the state, so they are one
matrix product before the loop: $X = x W_{ih}^T + b_{ih}$ (T, B, G*H). Inside the loop only the
recurrent product $h W_{hh}^T$ remains. Backward mirrors it: the reverse loop produces the
gradients of the gate pre-activations ($dX_t$ of the input projection, $dU_t$ of the recurrent
product) and carries dh (and dc) back one step at a time, $dh_{t-1} = dU_t W_{hh} + \dots$; the
weight gradients need no loop, each is one product over all steps after it:

$$
dW_{hh} = \sum_t dU_t^T h_{t-1}, \qquad dW_{ih} = dX^T x, \qquad dx = dX\, W_{ih}, \qquad
db_{ih} = \sum dX, \quad db_{hh} = \sum dU.
$$

Each step, writing $\sigma$ for the sigmoid, $\odot$ for the elementwise product and primes for the next state:

RNN:

$$
\begin{aligned}
a &= X_t + h W_{hh}^T + b_{hh}, \qquad h' = \tanh(a) \text{ (or } \operatorname{relu}(a)), \\
da &= dh' \odot (1 - h'^2) \quad (\text{relu: } dh' \odot [h' > 0]), \qquad dh = da\, W_{hh}.
\end{aligned}
$$

LSTM:

$$
\begin{aligned}
[a_i\ a_f\ a_g\ a_o] &= X_t + h W_{hh}^T + b_{hh}, \qquad i, f, o = \sigma(a_i, a_f, a_o), \quad g = \tanh(a_g), \\
c' &= f \odot c + i \odot g, \qquad m = o \odot \tanh(c'), \\
h' &= m W_{hr}^T \text{ (projection) or } h' = m, \\
dm &= dh' W_{hr} \quad (\text{and } dW_{hr} \mathrel{+}= dh'^T m), \qquad
  dc' \mathrel{+}= dm \odot o \odot (1 - \tanh^2 c'), \\
do &= dm \odot \tanh(c'), \quad di = dc' \odot g, \quad dg = dc' \odot i, \quad df = dc' \odot c, \qquad
  dc = dc' \odot f, \\
da_{i,f,o} &= d\{i,f,o\} \odot s (1 - s) \text{ with } s = \sigma(a_{i,f,o}), \qquad da_g = dg \odot (1 - g^2), \\
dh &= da\, W_{hh}.
\end{aligned}
$$

GRU:

$$
\begin{aligned}
[x_r\ x_z\ x_n] &= X_t, \qquad [u_r\ u_z\ u_n] = h W_{hh}^T + b_{hh}, \\
r &= \sigma(x_r + u_r), \quad z = \sigma(x_z + u_z), \quad n = \tanh(x_n + r \odot u_n), \\
h' &= (1 - z) \odot n + z \odot h, \\
dn &= dh' \odot (1 - z), \qquad dz = dh' \odot (h - n), \qquad dh = dh' \odot z + dU\, W_{hh}, \text{ where} \\
da_n &= dn \odot (1 - n^2), \quad da_r = da_n \odot u_n \odot r (1 - r), \quad da_z = dz \odot z (1 - z), \\
dX_t &= [da_r\ da_z\ da_n] \quad \text{but} \quad dU = [da_r\ da_z\ da_n \odot r]
  \quad \text{(the reset gate scales } u_n \text{ only)}.
\end{aligned}
$$

Packed sequences. Sorted by decreasing length, the sequences still running at step t are the
first ``batch_sizes[t]`` rows, so a step updates only that prefix of the state and leaves the
other rows as they are: in forward order a finished sequence keeps its last state (its final
state is then read at its own length), and in reverse order a sequence that has not started
keeps its initial state. In backward, the untouched rows pass their gradient through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.cpu import recurrent as lstm_kernel
from ..kernels.cpu.matmul import matmul

__all__ = ["gru_cell", "lstm_cell", "rnn_relu_cell", "rnn_tanh_cell"]
TENSOR_METHODS: dict[str, Any] = {}

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


# ---- one step forward / backward of each cell, on the active rows ---------------------------------


def _step(mode: str, xp: np.ndarray, h: np.ndarray, c: np.ndarray | None, w_hh_t, b_hh, w_hr_t) -> tuple:
    """One step: (h', c', saved) from the input projection xp = X_t and the state (h, c).

    Takes the weights transposed (W_hh^T, W_hr^T), made contiguous once per call, not per step."""
    u = h @ w_hh_t
    if b_hh is not None:
        u += b_hh
    if mode == "GRU":
        hidden = h.shape[1]
        r = _sigmoid(xp[:, :hidden] + u[:, :hidden])
        z = _sigmoid(xp[:, hidden : 2 * hidden] + u[:, hidden : 2 * hidden])
        u_n = u[:, 2 * hidden :]
        n = np.tanh(xp[:, 2 * hidden :] + r * u_n)
        h_new = n + z * (h - n)
        return h_new, None, (h, r, z, n, u_n)
    a = xp + u
    if mode == "RNN_TANH":
        h_new = np.tanh(a)
        return h_new, None, (h, h_new)
    if mode == "RNN_RELU":
        h_new = np.maximum(a, 0)
        return h_new, None, (h, h_new)
    hidden = c.shape[1]
    i = _sigmoid(a[:, :hidden])
    f = _sigmoid(a[:, hidden : 2 * hidden])
    g = np.tanh(a[:, 2 * hidden : 3 * hidden])
    o = _sigmoid(a[:, 3 * hidden :])
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    m = o * tanh_c
    h_new = m @ w_hr_t if w_hr_t is not None else m
    return h_new, c_new, (h, c, i, f, g, o, tanh_c, m)


def _step_backward(mode: str, saved: tuple, dh_new: np.ndarray, dc_new: np.ndarray | None, w_hh, w_hr) -> tuple:
    """Gradients of one step: (dX_t, dU_t, dh, dc), dU_t the gradient of the recurrent product
    h W_hh^T + b_hh (equal to dX_t but for the GRU's n gate); the weight gradients are formed from
    the dU_t of all steps at once by the caller."""
    if mode == "GRU":
        h, r, z, n, u_n = saved
        dn = dh_new * (1 - z)
        da_z = dh_new * (h - n) * z * (1 - z)
        da_n = dn * (1 - n * n)
        da_r = da_n * u_n * r * (1 - r)
        dxp = np.concatenate([da_r, da_z, da_n], axis=1)
        du = np.concatenate([da_r, da_z, da_n * r], axis=1)
        return dxp, du, dh_new * z + du @ w_hh, None
    if mode in ("RNN_TANH", "RNN_RELU"):
        h, h_new = saved
        da = dh_new * (1 - h_new * h_new) if mode == "RNN_TANH" else dh_new * (h_new > 0)
        return da, da, da @ w_hh, None
    h, c, i, f, g, o, tanh_c, m = saved
    dm = dh_new @ w_hr if w_hr is not None else dh_new
    dc_new = dc_new + dm * o * (1 - tanh_c * tanh_c)
    da = np.concatenate(
        [dc_new * g * i * (1 - i), dc_new * c * f * (1 - f), dc_new * i * (1 - g * g), dm * tanh_c * o * (1 - o)],
        axis=1,
    )
    return da, da, da @ w_hh, dc_new * f


def end_steps(sizes: Sequence[int], reverse: bool) -> list[int]:
    """The steps after which some packed sequences hold their final state: forward, each step followed
    by fewer running sequences, and the last; reverse, the first step (t = 0), which all sequences reach."""
    if reverse:
        return [0]
    last = len(sizes) - 1
    return [t for t in range(last) if sizes[t + 1] < sizes[t]] + [last]


class RecurrentLayer(Function):
    """One layer, one direction, over all time steps: (output, $h_n$[, $c_n$]) from (x, $h_0$[, $c_0$]).

    Forward runs the time loop (see the module docstring for the per-gate math) and keeps each
    step's gates; backward runs the loop in reverse (backpropagation through time), carrying
    $dh_{t-1} = dU_t W_{hh}$ (+ the direct terms) back step by step. ``steps=True`` returns the output as T
    separate (B, H) arrays (the module stacks them, as torch's graph shows a stack on top for
    every case but its fused float32 LSTM). With ``batch_sizes`` (a packed input) the outputs are
    the layout of ``_packed_outputs`` instead.
    """

    node_name = "MkldnnRnnLayerBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        h0: np.ndarray,
        c0: np.ndarray | None,
        w_ih: np.ndarray,
        w_hh: np.ndarray,
        b_ih: np.ndarray | None,
        b_hh: np.ndarray | None,
        w_hr: np.ndarray | None,
        mode: str = "LSTM",
        reverse: bool = False,
        batch_sizes: tuple[int, ...] | None = None,
        steps: bool = False,
    ) -> tuple:
        seq_len, batch = x.shape[0], x.shape[1]
        xp = matmul(x.reshape(seq_len * batch, -1), w_ih.T).reshape(seq_len, batch, -1)
        if b_ih is not None:
            xp += b_ih
        sizes = batch_sizes if batch_sizes is not None else (batch,) * seq_len
        ctx.mode, ctx.steps, ctx.reverse, ctx.sizes, ctx.ends = mode, steps, reverse, sizes, None
        ctx.shapes = (x.shape, b_ih is not None, b_hh is not None)
        ctx.save_for_backward(x, w_ih, w_hh, w_hr)
        if mode == "LSTM" and w_hr is None:  # buffers and fused gate passes: kernels/cpu/recurrent.py
            states_h, states_c, gates, tanh_c = lstm_kernel.lstm_forward(xp, w_hh, b_hh, h0, c0, sizes, reverse)
            ctx.lstm = (states_h, states_c, gates, tanh_c)
            if batch_sizes is not None:
                c_after = lstm_kernel.step_outputs(states_c, reverse)
                return RecurrentLayer._packed_outputs(ctx, lstm_kernel.step_outputs(states_h, reverse), c_after)
            output = lstm_kernel.step_outputs(states_h, reverse).copy()
            h_n = states_h[0 if reverse else seq_len].copy()
            c_n = states_c[0 if reverse else seq_len].copy()
            outs = tuple(output) if steps else (output,)
            return (*outs, h_n, c_n)
        h, c = h0.copy(), (c0.copy() if c0 is not None else None)
        output = np.zeros((seq_len, batch, h0.shape[1]), dtype=x.dtype)
        order = range(seq_len - 1, -1, -1) if reverse else range(seq_len)
        w_hh_t = np.ascontiguousarray(w_hh.T)
        w_hr_t = np.ascontiguousarray(w_hr.T) if w_hr is not None else None
        saved = []
        packed_c = batch_sizes is not None and c is not None
        c_after = np.zeros((seq_len, batch, c.shape[1]), dtype=x.dtype) if packed_c else None
        for t in order:
            n = sizes[t]
            h_new, c_new, step_saved = _step(
                mode, xp[t, :n], h[:n], c[:n] if c is not None else None, w_hh_t, b_hh, w_hr_t
            )
            saved.append((t, n, step_saved))
            if c_after is not None:
                c_after[t, :n] = c_new
            h = h.copy() if n < batch else h_new
            h[:n] = h_new
            if c is not None:
                c = c.copy() if n < batch else c_new
                c[:n] = c_new
            output[t, :n] = h_new
        ctx.steps_saved, ctx.lstm = saved, None
        if batch_sizes is not None:
            return RecurrentLayer._packed_outputs(ctx, output, c_after)
        outs = tuple(output) if steps else (output,)
        return (*outs, h, c) if c is not None else (*outs, h)

    @staticmethod
    def backward(ctx: Any, *grads_out: np.ndarray) -> tuple:
        x, w_ih, w_hh, w_hr = ctx.saved_tensors
        mode = ctx.mode
        x_shape, has_b_ih, has_b_hh = ctx.shapes
        seq_len, batch = x_shape[0], x_shape[1]
        dc_at: dict[int, np.ndarray] = {}  # packed: the gradient of c after step t, from the c_n pieces
        if ctx.ends is not None:
            d_output = np.zeros((seq_len, batch, grads_out[0].shape[-1]), dtype=x.dtype)
            for t, n in enumerate(ctx.sizes):
                d_output[t, :n] = grads_out[t]
            rest = [np.zeros((batch, d_output.shape[-1]), dtype=x.dtype)]
            if mode == "LSTM":
                rest.append(np.zeros((batch, w_hh.shape[0] // 4), dtype=x.dtype))
                dc_at = dict(zip(ctx.ends, grads_out[seq_len:]))
        elif ctx.steps:
            d_output = np.stack(grads_out[:seq_len])
            rest = grads_out[seq_len:]
        else:
            d_output, rest = grads_out[0], grads_out[1:]
        if ctx.lstm is not None:
            states_h, states_c, gates, tanh_c = ctx.lstm
            dxp, dh, dc = lstm_kernel.lstm_backward(
                states_c, gates, tanh_c, w_hh, d_output, rest[0], rest[1], ctx.sizes, ctx.reverse, dc_at
            )
            return RecurrentLayer._weight_gradients(
                ctx, x, w_ih, dxp, dxp, lstm_kernel.step_inputs(states_h, ctx.reverse), dh, dc, None
            )
        dh = rest[0].copy()
        dc = rest[1].copy() if mode == "LSTM" else None
        gate_width = w_ih.shape[0]
        dxp = np.zeros((seq_len, batch, gate_width), dtype=x.dtype)
        du = np.zeros_like(dxp) if mode == "GRU" else dxp
        h_prev = np.zeros((seq_len, batch, w_hh.shape[1]), dtype=x.dtype)
        if w_hr is not None:  # the projection's input m_t and output gradient dh'_t, for dW_hr
            m_all = np.zeros((seq_len, batch, w_hr.shape[1]), dtype=x.dtype)
            dh_all = np.zeros((seq_len, batch, w_hr.shape[0]), dtype=x.dtype)
        for t, n, step_saved in reversed(ctx.steps_saved):
            if t in dc_at:
                dc[:n] += dc_at[t]
            dh_new = dh[:n] + d_output[t, :n]
            dxp[t, :n], du_t, dh_prev, dc_prev = _step_backward(
                mode, step_saved, dh_new, dc[:n] if dc is not None else None, w_hh, w_hr
            )
            if mode == "GRU":
                du[t, :n] = du_t
            h_prev[t, :n] = step_saved[0]
            if w_hr is not None:
                m_all[t, :n], dh_all[t, :n] = step_saved[-1], dh_new
            dh[:n] = dh_prev
            if dc is not None:
                dc[:n] = dc_prev
        dw_hr = None
        if w_hr is not None:
            dw_hr = matmul(dh_all.reshape(seq_len * batch, -1).T, m_all.reshape(seq_len * batch, -1))
        return RecurrentLayer._weight_gradients(ctx, x, w_ih, dxp, du, h_prev, dh, dc, dw_hr)

    @staticmethod
    def _packed_outputs(ctx: Any, h_after: np.ndarray, c_after: np.ndarray | None) -> tuple:
        """A packed layer's outputs as torch's step-by-step graph holds them: each step's new state of the
        running rows, h_t[:n_t] (their concatenation is the packed output), then, for an LSTM, c after each
        step where sequences end (``end_steps``), from which the module assembles c_n as torch does."""
        sizes = ctx.sizes
        ctx.ends = end_steps(sizes, ctx.reverse)
        h_steps = tuple(h_after[t, :n].copy() for t, n in enumerate(sizes))
        if c_after is None:
            return h_steps
        return (*h_steps, *(c_after[t, : sizes[t]].copy() for t in ctx.ends))

    @staticmethod
    def _weight_gradients(ctx: Any, x, w_ih, dxp, du, h_prev, dh, dc, dw_hr) -> tuple:
        """The gradients that need no loop, one product over all steps each: dx = dX W_ih,
        dW_ih = dX^T x, dW_hh = dU^T h_prev, db_ih = sum dX, db_hh = sum dU. Rows of finished (or not
        yet started) sequences have dX = dU = 0, so they add nothing."""
        x_shape, has_b_ih, has_b_hh = ctx.shapes
        rows = x_shape[0] * x_shape[1]
        flat_dxp, flat_du = dxp.reshape(rows, -1), du.reshape(rows, -1)
        needs = ctx.needs_input_grad
        dx = matmul(flat_dxp, w_ih).reshape(x_shape) if needs[0] else None
        dw_ih = matmul(flat_dxp.T, x.reshape(rows, -1)) if needs[3] else None
        dw_hh = matmul(flat_du.T, h_prev.reshape(rows, -1)) if needs[4] else None
        db_ih = flat_dxp.sum(axis=0) if has_b_ih else None
        db_hh = flat_du.sum(axis=0) if has_b_hh else None
        return dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh, dw_hr


class _Cell(Function):
    """One step of a cell on a batch: h' (RNN, GRU) or (h', c') (LSTM) from x (B, I) and the state.

    The same step math as the layers (module docstring) with $T = 1$: forward saves the gates,
    backward differentiates each gate by hand.
    """

    mode = "LSTM"

    @classmethod
    def forward(cls, ctx: Any, x, h, c, w_ih, w_hh, b_ih, b_hh) -> Any:
        xp = x @ w_ih.T
        if b_ih is not None:
            xp += b_ih
        h_new, c_new, saved = _step(cls.mode, xp, h, c, w_hh.T, b_hh, None)
        ctx.step_saved, ctx.has_bias = saved, (b_ih is not None, b_hh is not None)
        ctx.save_for_backward(x, w_ih, w_hh)
        return (h_new, c_new) if c_new is not None else h_new

    @classmethod
    def backward(cls, ctx: Any, dh_new: np.ndarray, dc_new: np.ndarray | None = None) -> tuple:
        x, w_ih, w_hh = ctx.saved_tensors
        dxp, du, dh, dc = _step_backward(cls.mode, ctx.step_saved, dh_new, dc_new, w_hh, None)
        has_b_ih, has_b_hh = ctx.has_bias
        return (
            dxp @ w_ih,
            dh,
            dc,
            dxp.T @ x,
            du.T @ ctx.step_saved[0],
            dxp.sum(axis=0) if has_b_ih else None,
            du.sum(axis=0) if has_b_hh else None,
        )


class LSTMCellStep(_Cell):
    """LSTM cell step (torch's fused LSTM cell node name)."""

    node_name = "ThnnFusedLstmCellBackward0"
    mode = "LSTM"


class GRUCellStep(_Cell):
    r"""GRU cell step: $h' = n + z \odot (h - n)$ ends in an add, the node torch's CPU graph shows."""

    node_name = "AddBackward0"
    mode = "GRU"


class RNNTanhCellStep(_Cell):
    r"""$h' = \tanh(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})$: the last op is the tanh, whose node torch shows."""

    node_name = "TanhBackward0"
    mode = "RNN_TANH"


class RNNReluCellStep(_Cell):
    r"""$h' = \operatorname{relu}(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})$: the last op is the relu, whose node
    torch shows.
    """

    node_name = "ReluBackward0"
    mode = "RNN_RELU"


CELLS = {"LSTM": LSTMCellStep, "GRU": GRUCellStep, "RNN_TANH": RNNTanhCellStep, "RNN_RELU": RNNReluCellStep}


def rnn_tanh_cell(
    input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None, b_hh: Tensor | None = None
) -> Tensor:
    """torch.rnn_tanh_cell: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return RNNTanhCellStep.apply(input, hx, None, w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(
    input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None, b_hh: Tensor | None = None
) -> Tensor:
    """torch.rnn_relu_cell: h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return RNNReluCellStep.apply(input, hx, None, w_ih, w_hh, b_ih, b_hh)


def gru_cell(
    input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None, b_hh: Tensor | None = None
) -> Tensor:
    """torch.gru_cell: one GRU step (gates r, z, n)."""
    return GRUCellStep.apply(input, hx, None, w_ih, w_hh, b_ih, b_hh)


def lstm_cell(
    input: Tensor,
    hx: Sequence[Tensor],
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """torch.lstm_cell: one LSTM step, (h', c') from hx = (h, c)."""
    return LSTMCellStep.apply(input, hx[0], hx[1], w_ih, w_hh, b_ih, b_hh)


class TransposeInPlace(Function):
    r"""$y = x^{\top}$ over axes ``dim0`` and ``dim1``;  $dx = dy^{\top}$ over the same two axes (a swap is its own inverse).

    torch's step-by-step recurrent path makes its stacked output batch-major with an in-place
    ``transpose_``, which its graph names TransposeBackward1. The stacked output here is a fresh
    array that nothing else holds, so the swap is a new tensor over the same memory under that name."""

    node_name = "TransposeBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
        ctx.dims = (dim0, dim1)
        return np.swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.swapaxes(grad, *ctx.dims), None, None


def transpose_in_place(output: Tensor, dim0: int, dim1: int) -> Tensor:
    """``output.transpose_(dim0, dim1)`` as torch's recurrent modules apply it to their stacked output."""
    return TransposeInPlace.apply(output, dim0, dim1)


# ---- packing: padded (T, B, *) <-> packed (sum of lengths, *) ---------------------------------------


def _packed_rows(batch_sizes: np.ndarray) -> np.ndarray:
    """Flat indices t * B + b of the padded positions the packed rows hold, in packed order."""
    batch = int(batch_sizes[0]) if len(batch_sizes) else 0
    return np.concatenate([t * batch + np.arange(n) for t, n in enumerate(batch_sizes)]).astype(np.int64)


class PackPadded(Function):
    r"""$\mathrm{data} = \mathrm{padded.reshape}(T B, \dots)[\mathrm{rows}]$ (a gather);  backward scatters the rows
    back into zeros.
    """

    node_name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx: Any, padded: np.ndarray, batch_sizes: np.ndarray) -> np.ndarray:
        rows = _packed_rows(batch_sizes)
        ctx.rows, ctx.shape = rows, padded.shape
        return padded.reshape(-1, *padded.shape[2:])[rows]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        shape = ctx.shape
        out = np.zeros((shape[0] * shape[1], *shape[2:]), dtype=grad.dtype)
        out[ctx.rows] = grad
        return out.reshape(shape), None


class PadPacked(Function):
    r"""$\mathrm{padded.reshape}(T B, \dots)[\mathrm{rows}] = \mathrm{data}$, zeros (or padding_value) elsewhere;
    backward gathers: $d\mathrm{data} = d\mathrm{padded}[\mathrm{rows}]$.
    """

    node_name = "PadPackedSequenceBackward0"

    @staticmethod
    def forward(
        ctx: Any, data: np.ndarray, batch_sizes: np.ndarray, total_length: int, padding_value: float
    ) -> np.ndarray:
        batch = int(batch_sizes[0])
        rows = _packed_rows(batch_sizes)
        out = np.full((total_length * batch, *data.shape[1:]), padding_value, dtype=data.dtype)
        out[rows] = data
        ctx.rows = rows
        return out.reshape(total_length, batch, *data.shape[1:])

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(-1, *grad.shape[2:])[ctx.rows], None, None, None


class PadSequence(Function):
    r"""$\mathrm{out}[b, :\mathrm{len}_b] = \mathrm{seq}_b$ (or its last $\mathrm{len}_b$ steps with padding on the
    left), padding elsewhere, time-major (T, B, *) unless batch_first; backward hands each sequence its own slice of the
    gradient.
    """

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Any, *sequences: np.ndarray, padding_value: float, left: bool, batch_first: bool) -> np.ndarray:
        lengths = [s.shape[0] for s in sequences]
        longest = max(lengths)
        trailing = sequences[0].shape[1:]
        for s in sequences[1:]:  # torch's own check: trailing sizes must agree (broadcasting message)
            for dim, (a, b) in enumerate(zip(s.shape[1:], trailing, strict=False)):
                if a != b:
                    raise RuntimeError(
                        f"The size of tensor a ({b}) must match the size of tensor b ({a}) "
                        f"at non-singleton dimension {dim + 1}"
                    )
        dtype = np.result_type(*sequences)
        out = np.full((len(sequences), longest, *trailing), padding_value, dtype=dtype)
        for b, s in enumerate(sequences):
            if left:
                out[b, longest - s.shape[0] :] = s
            else:
                out[b, : s.shape[0]] = s
        ctx.lengths, ctx.left, ctx.batch_first = lengths, left, batch_first
        return out if batch_first else np.ascontiguousarray(out.swapaxes(0, 1))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        grad = grad if ctx.batch_first else grad.swapaxes(0, 1)
        longest = grad.shape[1]
        return tuple(grad[b, longest - n :] if ctx.left else grad[b, :n] for b, n in enumerate(ctx.lengths))


# torch reports these copies into a padded buffer by the C++ node's full name
for _function in (PadPacked, PadSequence):
    _function._node_class.name = lambda self: "torch::autograd::CopySlices"  # type: ignore[method-assign]
