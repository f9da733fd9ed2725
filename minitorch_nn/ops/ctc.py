r"""Connectionist temporal classification loss (Graves et al., 2006), in log space.

For one sample with log-probabilities $\mathrm{lp}[t, c]$ ($t < T$) and target $l_1, \dots, l_S$, the extended
target $l' = (\mathrm{blank}, l_1, \mathrm{blank}, l_2, \dots, l_S, \mathrm{blank})$ has $2S + 1$ states. A path may
stay on a state, step to the next, or skip a blank between two different labels.

Forward variables (log of the probability of every path prefix that ends in state s at t):

$$
\begin{aligned}
\alpha_0(0) &= \mathrm{lp}[0, \mathrm{blank}], \qquad \alpha_0(1) = \mathrm{lp}[0, l_1], \qquad
  \alpha_0(s > 1) = -\infty, \\
\alpha_t(s) &= \mathrm{lp}[t, l'_s]
  + \operatorname{logsumexp}\big(\alpha_{t-1}(s), \alpha_{t-1}(s-1), [\alpha_{t-1}(s-2)]\big),
\end{aligned}
$$

where the bracketed term counts only when $l'_s$ is not blank and $l'_s \ne l'_{s-2}$. The loss is
$\mathrm{nll} = -\operatorname{logsumexp}(\alpha_{T-1}(2S), \alpha_{T-1}(2S-1))$. Backward variables run the same
recursion from the end ($\beta_{T-1}(2S) = \mathrm{lp}[T-1, \mathrm{blank}]$,
$\beta_{T-1}(2S-1) = \mathrm{lp}[T-1, l_S]$, steps to $s+1$ and $s+2$), so
$\alpha_t(s) + \beta_t(s) - \mathrm{lp}[t, l'_s]$ is the log-probability of all paths through (t, s), and
$\alpha_t(s) + \beta_t(s) = \log(p \text{ through } (t, s)) + \mathrm{lp}[t, l'_s]$.

Gradient: $p = \sum_{\mathrm{paths}} \prod_t \exp(\mathrm{lp}[t, \mathrm{path}_t])$; a path through (t, s) contributes
once to $\partial p / \partial \mathrm{lp}[t, l'_s]$ per visit, so

$$
\frac{\partial\, \mathrm{nll}}{\partial\, \mathrm{lp}[t, c]}
  = -\exp\Big(\operatorname{logsumexp}_{s:\ l'_s = c} \big(\alpha_t(s) + \beta_t(s)\big)
    + \mathrm{nll} - \mathrm{lp}[t, c]\Big)
  = -\gamma_t(c),
$$

the posterior of emitting c at t. torch returns $\exp(\mathrm{lp}[t, c]) - \gamma_t(c)$, the gradient with
respect to the logits when lp = log_softmax(logits) (log_softmax's backward maps both to the
same logit gradient, since $\sum_c \exp(\mathrm{lp}[t, c]) = \sum_c \gamma_t(c) = 1$); we return torch's
expression so the two agree on log_probs themselves. Steps t >= the input length get 0. A
sample no path fits (target too long) has an infinite loss and, as in torch, a nan gradient,
or with ``zero_infinity`` a zero loss (a where() node after the kernel) and a zero gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.cpu.ctc import ctc_loss_and_grad
from .comparison import where
from .likelihood_loss import reduction_name
from .loss import _check_reduction


class CtcLoss(Function):
    r"""Per-sample CTC negative log-likelihoods (N,) of log_probs (T, N, C); the math is the module's docstring
    ($\partial\, \mathrm{nll} / \partial\, \mathrm{lp}[t, c] = \exp(\mathrm{lp}[t, c]) - \gamma_t(c)$, torch's form),
    the recursion runs in kernels/cpu/ctc.py (a sequential scalar loop, which NumPy would run slowly).
    """

    node_name = "CtcLossBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        log_probs: np.ndarray,
        labels: list[np.ndarray],
        input_lengths: np.ndarray,
        blank: int,
        zero_infinity: bool,
    ) -> np.ndarray:
        lengths = np.array([row.size for row in labels], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        flat = np.concatenate(labels).astype(np.int64) if labels else np.zeros(0, np.int64)
        losses = np.zeros(log_probs.shape[1], dtype=log_probs.dtype)
        grad = np.zeros_like(log_probs)
        ctc_loss_and_grad(
            np.ascontiguousarray(log_probs), flat, offsets, lengths, input_lengths, blank, zero_infinity, losses, grad
        )
        ctx.grad = grad
        return losses

    @staticmethod
    def backward(ctx: Any, grad_losses: np.ndarray) -> tuple:
        return (ctx.grad * grad_losses[None, :, None]).astype(ctx.grad.dtype, copy=False), None, None, None, None


def _lengths(lengths: Any, name: str) -> np.ndarray:
    if isinstance(lengths, Tensor):
        a = lengths._data
        if a.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return a.reshape(-1).astype(np.int64)
    if not isinstance(lengths, (tuple, list)):
        raise TypeError(f"ctc_loss(): {name} must be a tuple of ints or a Tensor, not {type(lengths).__name__}")
    return np.asarray(tuple(lengths), dtype=np.int64)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Tensor | tuple[int, ...],
    target_lengths: Tensor | tuple[int, ...],
    blank: int = 0,
    reduction: str | int = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """CTC loss of log_probs (T, N, C) or (T, C) against padded (N, S) or concatenated targets.

    'mean' divides each sample's loss by its target length (at least 1), then averages, as torch does.
    """
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    steps, batch, classes = lp.shape
    t = targets._data  # an unbatched (S,) target is read as concatenated, as torch reads it
    in_lengths, out_lengths = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if in_lengths.size != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if out_lengths.size != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    context = "(while checking arguments for ctc_loss_allocate_outputs)"
    if t.ndim == 1:
        if t.shape[0] != out_lengths.sum():
            raise RuntimeError(
                f"Expected tensor to have size {out_lengths.sum()} at dimension 0, but got size {t.shape[0]} for "
                f"argument #2 'targets' {context}"
            )
        offsets = np.concatenate([[0], np.cumsum(out_lengths)])
        labels = [t[offsets[n] : offsets[n + 1]] for n in range(batch)]
    else:
        if t.shape[0] != batch:
            raise RuntimeError(
                f"Expected tensor to have size {batch} at dimension 0, but got size {t.shape[0]} for argument #2 "
                f"'targets' {context}"
            )
        if out_lengths.size and out_lengths.max() > t.shape[1]:
            raise RuntimeError(
                f"Expected tensor to have size at least {out_lengths.max()} at dimension 1, but got size "
                f"{t.shape[1]} for argument #2 'targets' {context}"
            )
        labels = [t[n, : out_lengths[n]] for n in range(batch)]
    if in_lengths.size and in_lengths.max() > steps:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {steps}, but got value {in_lengths.max()} {context}"
        )
    labels = [np.asarray(row).astype(np.int64) for row in labels]
    if any(row.size and (row.min() < 0 or row.max() >= classes) for row in labels):
        raise RuntimeError(f"ctc_loss: targets must be class indices in [0, {classes})")
    losses = CtcLoss.apply(lp, labels, in_lengths, blank, zero_infinity)
    if zero_infinity:  # torch's where(loss == inf, 0, loss) over the kernel's output
        losses = where(losses == np.inf, Tensor._make(np.zeros((), losses._data.dtype)), losses)
    if reduction == "none":
        return losses.squeeze(0) if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    divisors = Tensor._make(np.maximum(out_lengths, 1).astype(losses._data.dtype))
    return (losses / divisors).mean()


__all__ = ["ctc_loss"]

TENSOR_METHODS: dict = {}
