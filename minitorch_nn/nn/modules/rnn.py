"""Recurrent modules: RNN, LSTM, GRU (stacked, bidirectional, packed inputs) and their cells.

Each (layer, direction) is one call of ``ops.recurrent.RecurrentLayer``, whose backward is the
hand-written backpropagation through time (derived in that file). The module only arranges the
calls: layer k reads the (concatenated) outputs of layer k-1, dropout sits between layers in
training, and the final states of all (layer, direction) pairs are stacked in torch's order
(index ``layer * num_directions + direction``).

Parameters are registered, named and initialised as torch's: for each layer, for each
direction, ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (and
``weight_hr_l{k}`` with a projection), ``_reverse`` appended for the backward direction; all of
them ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) drawn in that order.

A ``PackedSequence`` input is unpacked to a padded (T, B, *) array and run with its
``batch_sizes``: a step updates only the sequences still running, so each sequence's final
state is the state at its own length. The packed output and final states are then assembled
from the layer's per-step states as torch's step-by-step path assembles them (concatenations
and slices), so the graph around the layers reads as torch's (tests/test_rnn_graph_parity.py).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from ...autograd.tensor import Tensor, raise_no_cuda
from ...ops import recurrent
from ...ops.indexing import cat, index_select, stack
from .. import functional as F
from .. import init
from .linear import _empty_parameter, _factory_dtype
from .module import Module

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase", "PackedSequence"]

_PackedSequenceBase = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """Sequences of different lengths packed time step by time step (torch.nn.utils.rnn.PackedSequence).

    ``data`` stacks, for t = 0, 1, ..., the rows of the ``batch_sizes[t]`` sequences still running
    at step t (sorted by decreasing length); ``sorted_indices`` gives the original position of
    each sorted sequence and ``unsorted_indices`` its inverse (None when the input was sorted).
    """

    __slots__ = ()

    def __new__(
        cls,
        data: Any,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)) as torch accepts
            data, batch_sizes = data[0], data[1]
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        raise_no_cuda()

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype=np.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=np.float32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: output[permutation[i]] = i."""
    if permutation is None:
        return None
    inverse = np.empty_like(permutation._data)
    inverse[permutation._data] = np.arange(permutation._data.size, dtype=inverse.dtype)
    return Tensor._make(inverse)


class RNNBase(Module):
    """The stacked, optionally bidirectional recurrent network shared by RNN, LSTM and GRU."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        np_dtype = _factory_dtype(device, dtype)
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in recurrent.GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = recurrent.GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input_size)), ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, _empty_parameter(shape, np_dtype))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in registration order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Tensor]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (torch compacts weights for cuDNN here)."""

    def _layer_weights(self, layer: int, direction: int) -> tuple:
        suffix = "_reverse" if direction == 1 else ""

        def get(kind: str) -> Tensor | None:
            return getattr(self, f"{kind}_l{layer}{suffix}", None)

        return (get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), get("weight_hr"))

    # ---- argument checks, as torch's --------------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})"
            )
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(
        self, hx: Tensor, expected_hidden_size: tuple[int, int, int], msg: str = "Expected hidden size {}, got {}"
    ) -> None:
        if tuple(hx.size()) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Any, batch_sizes: Tensor | None) -> None:
        self.check_input(input, batch_sizes)
        expected = self.get_expected_hidden_size(input, batch_sizes)
        if self.mode == "LSTM":
            self.check_hidden_size(hidden[0], expected, "Expected hidden[0] size {}, got {}")
            cell_size = (expected[0], expected[1], self.hidden_size)
            self.check_hidden_size(hidden[1], cell_size, "Expected hidden[1] size {}, got {}")
        else:
            self.check_hidden_size(hidden, expected)

    @staticmethod
    def permute_hidden(hx: Any, permutation: Tensor | None) -> Any:
        if permutation is None:
            return hx
        if isinstance(hx, tuple):
            return tuple(index_select(h, 1, permutation) for h in hx)
        return index_select(hx, 1, permutation)

    # ---- forward -------------------------------------------------------------------------------
    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        is_lstm = self.mode == "LSTM"
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        packed = isinstance(input, PackedSequence)
        is_batched = True
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch = int(batch_sizes[0])
            sizes = tuple(int(n) for n in batch_sizes._data)
        else:
            batch_sizes, sorted_indices, unsorted_indices, sizes = None, None, None, None
            name = "LSTM" if is_lstm else ("GRU" if self.mode == "GRU" else "RNN")
            if input.dim() not in (2, 3):
                tail = "instead" if self.mode != "RNN_TANH" and self.mode != "RNN_RELU" else "tensor instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D {tail}")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            max_batch = input.size(0) if self.batch_first else input.size(1)
            data = input
        if hx is None:
            shape = (self.num_layers * num_directions, max_batch)
            h0 = Tensor._make(np.zeros((*shape, real_hidden), dtype=data._data.dtype))
            hx = (h0, Tensor._make(np.zeros((*shape, self.hidden_size), dtype=data._data.dtype))) if is_lstm else h0
        elif is_lstm:
            hx = self._check_lstm_state_dims(hx, is_batched, packed)
        elif not packed:
            if is_batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            if not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(data, hx, batch_sizes)

        if packed:
            output, hidden = self._run_packed_layers(data, hx, sizes, batch_sizes)
            result = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            return result, self.permute_hidden(hidden, unsorted_indices)
        fused = self._fused(data, sizes)
        if self.batch_first:
            # torch's fused LSTM reads a contiguous time-major copy (a CloneBackward0 in its graph)
            x = data.transpose(0, 1).contiguous() if fused else data.transpose(0, 1)
        else:
            x = data
        output, hidden = self._run_layers(x, hx, sizes, fused)
        if self.batch_first:
            # torch's RNN and GRU turn their output batch-major in place (TransposeBackward1 in its graph),
            # its LSTM out of place
            in_place = self.mode != "LSTM"
            output = recurrent.transpose_in_place(output, 0, 1) if in_place else output.transpose(0, 1)
        if not is_batched:
            output = output.squeeze(1 if not self.batch_first else 0)
            hidden = tuple(h.squeeze(1) for h in hidden) if is_lstm else hidden.squeeze(1)
        return output, hidden

    def _check_lstm_state_dims(self, hx: Any, is_batched: bool, packed: bool) -> Any:
        if packed:
            return hx
        if is_batched:
            if hx[0].dim() != 3 or hx[1].dim() != 3:
                raise RuntimeError(
                    "For batched 3-D input, hx and cx should "
                    f"also be 3-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                )
            return hx
        if hx[0].dim() != 2 or hx[1].dim() != 2:
            raise RuntimeError(
                "For unbatched 2-D input, hx and cx should "
                f"also be 2-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
            )
        return (hx[0].unsqueeze(1), hx[1].unsqueeze(1))

    def _fused(self, data: Tensor, sizes: tuple[int, ...] | None) -> bool:
        """Whether torch's CPU graph shows its fused (oneDNN) layer for this call: the float32 LSTM without a
        projection on a padded input. That layer returns the layer's output directly; every other path
        (torch's step-by-step one) stacks the per-step outputs."""
        return self.mode == "LSTM" and self.proj_size == 0 and data._data.dtype == np.float32 and sizes is None

    def _run_layers(self, x: Tensor, hx: Any, sizes: tuple[int, ...] | None, fused: bool) -> tuple[Tensor, Any]:
        is_lstm = self.mode == "LSTM"
        h0, c0 = hx if is_lstm else (hx, None)
        num_directions = 2 if self.bidirectional else 1
        steps = not fused
        seq_len = x.shape[0]
        h_n, c_n = [], []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                results = recurrent.RecurrentLayer.apply(
                    layer_input,
                    h0[index],
                    c0[index] if is_lstm else None,
                    *self._layer_weights(layer, direction),
                    mode=self.mode,
                    reverse=direction == 1,
                    batch_sizes=sizes,
                    steps=steps,
                )
                if steps:
                    outputs.append(stack(list(results[:seq_len])))
                    states = results[seq_len:]
                else:
                    outputs.append(results[0])
                    states = results[1:]
                h_n.append(states[0])
                if is_lstm:
                    c_n.append(states[1])
            layer_input = outputs[0] if num_directions == 1 else cat(outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        hidden = (stack(h_n), stack(c_n)) if is_lstm else stack(h_n)
        return layer_input, hidden

    def _run_packed_layers(self, data: Tensor, hx: Any, sizes: tuple[int, ...], batch_sizes: Tensor) -> tuple:
        """The layers on packed data, laid out as torch's step-by-step graph: each direction's packed
        output is the concatenation of its steps' new states (the running rows), the final h (and c) of
        the forward direction the concatenation of the rows finishing at each step, longest first (the
        last step's state whole, then slices of the earlier steps'), of the reverse direction the state
        after its last step, t = 0. Each layer reads its input padded (PadPacked)."""
        is_lstm = self.mode == "LSTM"
        h0, c0 = hx if is_lstm else (hx, None)
        num_directions = 2 if self.bidirectional else 1
        seq_len = len(sizes)
        h_n, c_n = [], []
        layer_input = data
        for layer in range(self.num_layers):
            padded = recurrent.PadPacked.apply(layer_input, batch_sizes._data, seq_len, 0.0)
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                results = recurrent.RecurrentLayer.apply(
                    padded,
                    h0[index],
                    c0[index] if is_lstm else None,
                    *self._layer_weights(layer, direction),
                    mode=self.mode,
                    reverse=direction == 1,
                    batch_sizes=sizes,
                    steps=True,
                )
                h_steps, c_ends = results[:seq_len], results[seq_len:]
                outputs.append(cat(list(h_steps), 0))
                if direction == 1:
                    h_n.append(h_steps[0])
                    if is_lstm:
                        c_n.append(c_ends[0])
                    continue
                ends = recurrent.end_steps(sizes, False)
                h_ends = [h_steps[t] for t in ends]
                h_n.append(_final_state(h_ends, ends, sizes))
                if is_lstm:
                    c_n.append(_final_state(list(c_ends), ends, sizes))
            layer_input = outputs[0] if num_directions == 1 else cat(outputs, 1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        hidden = (stack(h_n), stack(c_n)) if is_lstm else stack(h_n)
        return layer_input, hidden

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def _final_state(states: list[Tensor], ends: list[int], sizes: tuple[int, ...]) -> Tensor:
    """The final states of packed sequences from the states after each end step (``end_steps``): the
    last step's whole (the longest sequences), then the rows of each earlier end step's state whose
    sequences stop there (rows sizes[t + 1]:), later steps first, so rows stay in sorted order."""
    pieces = [states[-1]] + [states[j][sizes[ends[j] + 1] :] for j in range(len(ends) - 2, -1, -1)]
    return cat(pieces, 0)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        nonlinearity = self.nonlinearity
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """LSTM with gates i, f, g, o (and an optional projection h_t = W_hr (o * tanh(c_t)))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """GRU with gates r, z, n: h_t = (1 - z) n + z h_{t-1}."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ---- cells -------------------------------------------------------------------------------------


class RNNCellBase(Module):
    """weight_ih (chunks*H, I), weight_hh (chunks*H, H), bias_ih, bias_hh ~ U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        np_dtype = _factory_dtype(device, dtype)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = _empty_parameter((num_chunks * hidden_size, input_size), np_dtype)
        self.weight_hh = _empty_parameter((num_chunks * hidden_size, hidden_size), np_dtype)
        if bias:
            self.bias_ih = _empty_parameter((num_chunks * hidden_size,), np_dtype)
            self.bias_hh = _empty_parameter((num_chunks * hidden_size,), np_dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _check(self, name: str, input: Tensor, hx: Any) -> bool:
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for i, value in enumerate(hx if isinstance(hx, tuple) else (hx,)):
                if value.dim() not in (1, 2):
                    which = f"hx[{i}]" if isinstance(hx, tuple) else "hidden"
                    raise ValueError(f"{name}: Expected {which} to be 1D or 2D, got {value.dim()}D instead")
        return input.dim() == 2

    def _step(self, mode: str, input: Tensor, states: tuple[Tensor, ...]) -> Any:
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for i, state in enumerate(states):
            if input.size(0) != state.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden{i} batch size {state.size(0)}"
                )
            if state.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden{i} has inconsistent hidden_size: got {state.size(1)}, expected {self.hidden_size}"
                )
        if input.dtype != self.weight_ih.dtype:
            names = {np.dtype(np.float64): "Double", np.dtype(np.float32): "Float"}
            raise RuntimeError(
                "mat1 and mat2 must have the same dtype, but got "
                f"{names.get(input._data.dtype, input._data.dtype.name)} and "
                f"{names.get(self.weight_ih._data.dtype, self.weight_ih._data.dtype.name)}"
            )
        c = states[1] if len(states) > 1 else None
        return recurrent.CELLS[mode].apply(
            input, states[0], c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )

    def _zeros(self, input: Tensor) -> Tensor:
        return Tensor._make(np.zeros((input.size(0), self.hidden_size), dtype=input._data.dtype))


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu), one step."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        is_batched = self._check("RNNCell", input, hx)
        if not is_batched:
            input = input.unsqueeze(0)
        hx = self._zeros(input) if hx is None else (hx if is_batched else hx.unsqueeze(0))
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        ret = self._step("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", input, (hx,))
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from x and (h, c)."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        is_batched = self._check("LSTMCell", input, tuple(hx) if hx is not None else None)
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = (self._zeros(input), self._zeros(input))
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = self._step("LSTM", input, tuple(hx))
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) n + z h."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        is_batched = self._check("GRUCell", input, hx)
        if not is_batched:
            input = input.unsqueeze(0)
        hx = self._zeros(input) if hx is None else (hx if is_batched else hx.unsqueeze(0))
        ret = self._step("GRU", input, (hx,))
        return ret if is_batched else ret.squeeze(0)
