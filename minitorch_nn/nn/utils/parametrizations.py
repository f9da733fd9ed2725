"""torch.nn.utils.parametrizations: weight_norm and spectral_norm as parametrizations.

``weight_norm`` keeps ``original0 = g`` (the magnitudes) and
``original1 = v`` (the direction) and computes ``weight = g * v / ||v||``
at each access; a state_dict of the old hook-based form (``weight_g``,
``weight_v``) still loads, renamed by a load pre-hook.

``spectral_norm`` divides the weight by an estimate of its largest singular
value. The weight is viewed as a matrix W (``dim`` first, the rest
flattened) and the buffers ``_u``, ``_v`` hold approximate singular
vectors, refined in training mode by power iteration, in place and without
gradient:

    u <- normalize(W v),   then   v <- normalize(W^T u)
    sigma = u . (W v),       weight = W / sigma

Only sigma's dependence on W through the last product is differentiated
(u and v are constants, cloned before use), exactly as torch. A 1-d weight
is simply normalised to unit length.
"""

from __future__ import annotations

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...factories import randn
from ...ops.matmul import dot, mv
from ..modules.module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim


class _WeightNorm(Module):
    """``forward(g, v) = g * v / norm_except_dim(v, 2, dim)``; its right inverse splits a weight into (g, v)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Parametrize ``module.<name>`` as ``g * v / ||v||`` (originals ``original0 = g``, ``original1 = v``)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(
        state_dict: dict, prefix: str, local_metadata: dict, strict: bool, missing: list, unexpected: list, errors: list
    ) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


def _normalize_(out: Tensor, x: np.ndarray, eps: float) -> Tensor:
    """``F.normalize(x, dim=0, eps=eps, out=out)`` on arrays: out keeps its identity (it is a buffer)."""
    np.copyto(out._data, x / max(float(np.sqrt(np.sum(x * x))), eps), casting="unsafe")
    out._version_counter.value += 1
    return out


class _SpectralNorm(Module):
    """``forward(W) = W / sigma(W)`` with sigma from power iteration on the buffers ``_u``, ``_v``."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = randn(h, dtype=weight.dtype)
            v = randn(w, dtype=weight.dtype)
            self.register_buffer("_u", _normalize_(u, u._data, eps))
            self.register_buffer("_v", _normalize_(v, v._data, eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        w = weight_mat.detach()._data
        for _ in range(n_power_iterations):
            _normalize_(self._u, w @ self._v._data, self.eps)
            _normalize_(self._v, w.T @ self._u._data, self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return weight / (weight * weight).sum(0, keepdim=True).sqrt().clamp(min=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = dot(u, mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim: int | None = None
) -> Module:
    """Parametrize ``module.<name>`` as ``W / sigma(W)``, sigma its largest singular value (power iteration)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        # ConvTranspose keeps out_channels in dim 1; minitorch_nn has none, so every module uses dim 0
        dim = 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


__all__ = ["spectral_norm", "weight_norm"]
