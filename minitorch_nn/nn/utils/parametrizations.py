"""torch.nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal as parametrizations.

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

``orthogonal`` keeps a (batch of) matrices orthogonal through one of three
maps of a free matrix X (see ``_Orthogonal``). The matrix exponential and the
linear solve of the Cayley map are torch.linalg's Functions (ops/solvers.py,
ops/decompositions.py); the Householder product is composed from differentiable ops.
"""

from __future__ import annotations

from enum import Enum, auto

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...factories import randn
from ...ops.decompositions import Solve
from ...ops.indexing import cat
from ...ops.matmul import dot, mv
from ...ops.solvers import MatrixExp
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


# ---- orthogonal ---------------------------------------------------------------------------------
def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """``H_1 H_2 ... H_k`` (first k columns), ``H_i = I - tau_i v_i v_i^T``, v_i = column i of a below
    the diagonal with a 1 on it. Composed from differentiable ops, right to left: Q <- Q - tau_i v_i (v_i^T Q).
    """
    n, k = a.shape[-2], a.shape[-1]
    eye = np.eye(n, dtype=a._data.dtype)
    q = Tensor._make(np.broadcast_to(eye[:, :k], a.shape).copy())
    for i in reversed(range(k)):
        v = (a[..., :, i] + Tensor._make(eye[:, i])).unsqueeze(-1)
        q = q - tau[..., i].unsqueeze(-1).unsqueeze(-1) * (v @ (v.mT @ q))
    return q


def _lower_mask(x: Tensor, diagonal: int) -> Tensor:
    """x.tril(diagonal) as a product with a constant mask."""
    return x * Tensor._make(np.tri(x.shape[-2], x.shape[-1], diagonal, dtype=x._data.dtype))


def _make_orthogonal(a: np.ndarray) -> np.ndarray:
    """Q of a = QR (a tall) with diag(R) made non-negative: the unique orthogonal factor."""
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """``forward(X)``: an orthogonal matrix from the free parameter x through ``orthogonal_map``.

    matrix_exp / cayley: skew = tril(x) - tril(x)^T is skew-symmetric, q = exp(skew) or
    (I - skew/2)^{-1} (I + skew/2); householder: q = the product of the reflections
    stored below the diagonal of x. With the trivialization (default) the result
    is ``base @ q``: ``base`` is the weight made orthogonal at registration and
    the original starts at -I, where q = I.
    """

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            x = _lower_mask(x, 0)
            if n != k:
                x = cat([x, Tensor._make(np.zeros(x.shape[:-2] + (n, n - k), dtype=x._data.dtype))], dim=-1)
            skew = x - x.mT
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                q = MatrixExp.apply(skew)
            else:
                eye = Tensor._make(np.eye(n, dtype=skew._data.dtype))
                q = Solve.apply(eye - skew * 0.5, eye + skew * 0.5, True, False)
            if n != k:
                q = q[..., :k]
        else:
            reflectors = _lower_mask(x, -1)
            tau = 2.0 / (1.0 + (reflectors * reflectors).sum(dim=-2))
            q = _householder_product(reflectors, tau)
            # torch scales column j by int(X_jj): truncation toward zero, no gradient
            q = q * Tensor._make(np.trunc(np.diagonal(x._data, axis1=-2, axis2=-1))[..., None, :])
        if hasattr(self, "base"):
            q = self.base @ q
        if transposed:
            q = q.mT
        return q

    def right_inverse(self, weight: Tensor) -> Tensor:
        if weight.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape {weight.shape}."
            )
        q = weight.detach()._data
        n, k = q.shape[-2], q.shape[-1]
        transpose = n < k
        if transpose:
            q = np.swapaxes(q, -1, -2)
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley parametrizations when "
                    "use_trivialization=False."
                )
            # geqrf: the reflectors below the diagonal; the diagonal holds the signs weight's columns need
            stacked = q.reshape((-1, n, k))
            out = np.empty_like(stacked)
            for b, matrix in enumerate(stacked):
                h, tau = np.linalg.qr(matrix, mode="raw")
                reflectors = h.T.copy()
                diag = np.sign(np.diagonal(reflectors)).copy()
                diag[tau == 0.0] *= -1
                np.fill_diagonal(reflectors, diag)
                out[b] = reflectors
            out = out.reshape(q.shape)
            return Tensor._make(np.swapaxes(out, -1, -2).copy() if transpose else out)
        if n == k:
            eye = np.eye(k, dtype=q.dtype)
            gram = np.swapaxes(q, -1, -2) @ q
            atol = 10.0 * n * np.finfo(q.dtype).eps
            # torch.allclose: |a - b| <= atol + rtol * |b| with rtol = 1e-5
            orthogonal = bool(np.all(np.abs(gram - eye) <= atol + 1e-5 * np.abs(eye)))
            q = q.copy() if orthogonal else _make_orthogonal(q)
        else:
            completion = randn(*(q.shape[:-2] + (n, n - k)), dtype=weight.dtype)._data
            q = _make_orthogonal(np.concatenate([q, completion], axis=-1))
        self.base = Tensor._make(q.astype(weight._data.dtype, copy=False))
        neg_id = np.zeros(weight.shape, dtype=weight._data.dtype)
        idx = np.arange(min(weight.shape[-2], weight.shape[-1]))
        neg_id[..., idx, idx] = -1.0
        return Tensor._make(neg_id)


def orthogonal(
    module: Module, name: str = "weight", orthogonal_map: str | None = None, *, use_trivialization: bool = True
) -> Module:
    """Parametrize ``module.<name>`` (a matrix or batch of matrices) to stay orthogonal (or semi-orthogonal)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: {orthogonal_map}'
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


__all__ = ["orthogonal", "spectral_norm", "weight_norm"]
