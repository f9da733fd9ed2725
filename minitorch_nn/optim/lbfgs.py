"""L-BFGS: a quasi-Newton method that needs a ``closure`` re-evaluating the loss and its gradient.

All parameters are one flat vector x with gradient g. The last ``history_size`` steps
s_k = x_{k+1} - x_k and gradient changes y_k = g_{k+1} - g_k stand in for the inverse Hessian H:
the *two-loop recursion* computes the direction d = -H g without forming H::

    q = -g;  for k newest..oldest:  a_k = rho_k s_k.q,  q -= a_k y_k        (rho_k = 1 / y_k.s_k)
    r = gamma q  (gamma = y.s / y.y of the newest pair: the scale of H)
    for k oldest..newest:  b = rho_k y_k.r,  r += (a_k - b) s_k;           d = r

A pair enters the history only when y.s > 1e-10 (the curvature condition that keeps H positive
definite). The step length is lr (on the first iteration min(1, 1/|g|_1) lr), or, with
``line_search_fn="strong_wolfe"``, the step found by a bracketing line search with cubic
interpolation that satisfies the strong Wolfe conditions
f(x + t d) <= f(x) + c1 t g.d and |g(x + t d).d| <= c2 |g.d|.
One ``step(closure)`` runs up to ``max_iter`` iterations (``max_eval`` closure calls); it stops
early when the gradient, the step or the change of loss falls below its tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.tensor import Tensor
from .adam import as_float
from .checks import check_lr
from .optimizer import Optimizer


def _cubic_interpolate(
    x1: float, f1: float, g1: float, x2: float, f2: float, g2: float, bounds: tuple | None = None
) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to bounds
    (the interval [x1, x2] by default); the middle when the cubic has no minimum."""
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, low), high)
    return (low + high) / 2.0


def _strong_wolfe(
    evaluate: Callable[[float], tuple[float, np.ndarray]],
    t: Any,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, Any, int]:
    """Line search along d from step t: (loss, gradient, step, evaluations) at the accepted point.

    Phase 1 grows t until an interval [t_prev, t] brackets a point meeting the strong Wolfe
    conditions (or t meets them); phase 2 shrinks the bracket by cubic interpolation, keeping
    trial points at least a tenth of the bracket away from its ends.
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):  # went too far: bracketed
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:  # both conditions hold
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:  # the slope turned: a minimum lies in between
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        previous = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:  # too close to an end of the bracket
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


def _wrap(value: Any) -> Any:
    """State values as torch keeps them: arrays (and NumPy scalars) as tensors, Python numbers as they are."""
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor._make(np.asarray(value))
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _unwrap(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value._data if value._data.ndim else value._data[()]
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class LBFGS(Optimizer):
    """L-BFGS over all parameters as one vector (one parameter group only, as in torch)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self) -> np.ndarray:
        return np.concatenate(
            [
                np.zeros(p._data.size, p._data.dtype) if p.grad is None else p.grad._data.reshape(-1)
                for p in self._params
            ]
        )

    def _add_step(self, t: Any, d: np.ndarray) -> None:
        """x <- x + t d, parameter by parameter (torch's p.add_(d_slice, alpha=t))."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += (d[offset : offset + n] * p._data.dtype.type(t)).reshape(p._data.shape)
            p._version_counter.value += 1
            offset += n

    def _evaluate_at(self, closure: Callable[[], Any], x: list[np.ndarray], t: Any, d: np.ndarray) -> tuple:
        """Loss and flat gradient at x + t d; the parameters are put back to x afterwards."""
        self._add_step(t, d)
        loss = float(closure())
        g = self._flat_grad()
        for p, saved in zip(self._params, x):
            p._data[...] = saved
            p._version_counter.value += 1
        return loss, g

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to max_iter L-BFGS iterations; ``closure`` clears the gradients, computes and
        backpropagates the loss and returns it."""
        group = self.param_groups[0]
        lr = as_float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        def evaluate() -> Any:
            with enable_grad():
                return closure()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss
        d, t = _unwrap(state.get("d")), _unwrap(state.get("t"))
        old_dirs, old_stps, ro = (
            _unwrap(state.get("old_dirs")),
            _unwrap(state.get("old_stps")),
            _unwrap(state.get("ro")),
        )
        h_diag, prev_flat_grad = _unwrap(state.get("H_diag")), _unwrap(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")
        al = _unwrap(state.get("al"))
        with no_grad():
            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro, h_diag = [], [], [], 1
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * y.dtype.type(t)
                    ys = y.dot(s)
                    if ys > 1e-10:  # the curvature condition: keep the pair
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / y.dot(y)
                    if al is None:
                        al = [None] * history_size
                    q = -flat_grad
                    for i in range(len(old_dirs) - 1, -1, -1):
                        al[i] = old_stps[i].dot(q) * ro[i]
                        q += old_dirs[i] * -al[i]
                    d = r = q * h_diag
                    for i in range(len(old_dirs)):
                        be_i = old_dirs[i].dot(r) * ro[i]
                        r += old_stps[i] * (al[i] - be_i)
                prev_flat_grad = flat_grad.copy()
                prev_loss = loss
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
                gtd = flat_grad.dot(d)
                if gtd > -tolerance_change:  # not a descent direction
                    break
                ls_evals = 0
                if line_search_fn is not None:
                    if line_search_fn != "strong_wolfe":
                        raise RuntimeError("only 'strong_wolfe' is supported")
                    x = [p._data.copy() for p in self._params]
                    loss, flat_grad, t, ls_evals = _strong_wolfe(
                        lambda step, x=x, d=d: self._evaluate_at(evaluate, x, step, d),
                        t,
                        d,
                        loss,
                        flat_grad,
                        gtd,
                        max_ls=max_eval - current_evals,
                    )
                    self._add_step(t, d)
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                else:
                    self._add_step(t, d)
                    opt_cond = False
                    if n_iter != max_iter:
                        loss = float(evaluate())
                        flat_grad = self._flat_grad()
                        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                        ls_evals = 1
                current_evals += ls_evals
                state["func_evals"] += ls_evals
                if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                    break
                if np.abs(d * d.dtype.type(t)).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                    break
        state.update(
            d=_wrap(d),
            t=_wrap(t),
            old_dirs=_wrap(old_dirs),
            old_stps=_wrap(old_stps),
            ro=_wrap(ro),
            H_diag=_wrap(h_diag),
            prev_flat_grad=_wrap(prev_flat_grad),
            prev_loss=prev_loss,
        )
        if al is not None:
            state["al"] = _wrap(al)
        return orig_loss


__all__ = ["LBFGS"]
