"""Registry entries: ctc_loss (blank, every reduction, zero_infinity, lengths as tuples or tensors, padded and
concatenated targets, batched and unbatched), on log_softmax of drawn logits as CTC is used."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import BenchCase, OpInfo


@st.composite
def _ctc(draw: Any) -> Any:
    steps, batch, classes = draw(st.integers(1, 6)), draw(st.integers(1, 3)), draw(st.integers(2, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    blank = draw(st.sampled_from([0, classes - 1]))
    zero_infinity = draw(st.booleans())
    unbatched = batch == 1 and draw(st.booleans())
    input_lengths = rng.integers(1, steps + 1, size=batch)
    input_lengths[0] = steps
    labels = [c for c in range(classes) if c != blank]
    # a target fits in t steps when its length plus its repeats is at most t; longer ones (loss = inf)
    # only under zero_infinity, where torch zeroes them
    most = (input_lengths + 1) // 2 + (2 if zero_infinity else 0)
    target_lengths = np.array([rng.integers(0, m + 1) for m in most])
    width = int(target_lengths.max(initial=0)) + draw(st.integers(0, 1))
    targets = rng.choice(labels, size=(batch, max(width, 1)))
    concatenated = draw(st.booleans())
    if concatenated:
        targets = np.concatenate([targets[n, : target_lengths[n]] for n in range(batch)])
    logits = rng.normal(0, 1.5, size=(steps, batch, classes))
    if unbatched:
        logits, targets = logits[:, 0], targets.reshape(-1)[: target_lengths[0]]
    kwargs = {
        "blank": int(blank),
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "zero_infinity": zero_infinity,
        "lengths_as_tensors": draw(st.booleans()),
    }
    inputs = (logits, np.asarray(targets), input_lengths, target_lengths)
    # torch's CPU kernel reads a strided 1-D (concatenated) target as if it were contiguous, so only
    # padded targets are drawn non-contiguous
    noncontiguous = not concatenated and not unbatched and draw(st.booleans())
    return S.sample(inputs, kwargs, (True, False, False, False), noncontiguous=noncontiguous, seed=seed)


def _ctc_call(
    lib: Any, logits: Any, targets: Any, input_lengths: Any, target_lengths: Any, lengths_as_tensors: bool, **kw: Any
) -> Any:
    if not lengths_as_tensors:
        input_lengths, target_lengths = tuple(input_lengths.tolist()), tuple(target_lengths.tolist())
    return lib.nn.functional.ctc_loss(logits.log_softmax(-1), targets, input_lengths, target_lengths, **kw)


def _torch_ctc_call(
    lib: Any,
    logits: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    lengths_as_tensors: bool,
    blank: int,
    reduction: str,
    zero_infinity: bool,
) -> Any:
    enum = {"none": 0, "mean": 1, "sum": 2}[reduction]
    return lib.ctc_loss(logits.log_softmax(-1), targets, input_lengths, target_lengths, blank, enum, zero_infinity)


def _speech_batch(rng: np.random.Generator) -> Any:
    """50 frames, 16 utterances, 20 classes, 10 labels each (blank 0)."""
    steps, batch, classes, labels = 50, 16, 20, 10
    inputs = (
        rng.standard_normal((steps, batch, classes)),
        rng.integers(1, classes, size=(batch, labels)),
        np.full(batch, steps),
        np.full(batch, labels),
    )
    kwargs = {"blank": 0, "reduction": "mean", "zero_infinity": False, "lengths_as_tensors": True}
    return S.sample(inputs, kwargs, (True, False, False, False))


OPS = [
    OpInfo("ctc_loss", _ctc_call, _ctc, bench=(BenchCase("CTCLoss (50, 16, 20), 10 labels", _speech_batch),)),
    OpInfo("torch.ctc_loss", _torch_ctc_call, _ctc),
]
