"""Registry entries: the one-step recurrent cells torch exposes as functions (torch.rnn_tanh_cell,
rnn_relu_cell, gru_cell), each a single Function with a hand-written backward (ops/recurrent.py).

lstm_cell is left to tests/test_rnn.py: its one fused node returns both h' and c', while torch's
CPU graph ends h' in a mul and c' in an add, so the harness's per-output name check cannot hold.
The layers (nn.RNN / LSTM / GRU) are modules and are compared in tests/test_rnn.py too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _cell(draw: Any, gates: int, relu: bool = False) -> Any:
    batch, inputs, hidden = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    bias = draw(st.booleans())
    shapes = [(batch, inputs), (batch, hidden), (gates * hidden, inputs), (gates * hidden, hidden)]
    shapes += [(gates * hidden,), (gates * hidden,)] if bias else []
    for _ in range(50):  # relu: redraw until the pre-activation is clear of the kink at 0
        arrays = [S.array(rng, shape) for shape in shapes]
        x, h, w_ih, w_hh, *b = arrays
        pre = x @ w_ih.T + h @ w_hh.T + (b[0] + b[1] if b else 0)
        if not relu or np.abs(pre).min() > 0.05:
            break
    return S.sample(tuple(arrays), {}, noncontiguous=draw(st.booleans()), seed=seed)


OPS: list[OpInfo] = [
    OpInfo("rnn_tanh_cell", lambda lib, *a: lib.rnn_tanh_cell(*a), lambda: _cell(1)),
    OpInfo("rnn_relu_cell", lambda lib, *a: lib.rnn_relu_cell(*a), lambda: _cell(1, relu=True)),
    OpInfo("gru_cell", lambda lib, *a: lib.gru_cell(*a), lambda: _cell(3)),
]
