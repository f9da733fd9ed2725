"""The old hook-based ``nn.utils.spectral_norm`` / ``remove_spectral_norm``.

``module.weight`` becomes ``weight_orig`` (the Parameter), with buffers
``weight_u``, ``weight_v``; a forward pre-hook sets the plain attribute
``module.weight = W / sigma`` before each call, refining u and v first in
training mode (here v first, then u: the opposite order of the
parametrization in ``parametrizations.spectral_norm``):

    v <- normalize(W^T u),   u <- normalize(W v),   sigma = u . (W v)

W is the weight as a matrix (``dim`` first, the rest flattened). u and v
are constants for autograd. A state_dict hook records the format version in
the metadata; a checkpoint of version 0 (which stored ``weight`` and no
``weight_v``) is converted on load by solving for v, as torch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...factories import randn
from ...ops.matmul import dot, mv
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter


def _normalize_(out: Tensor, x: np.ndarray, eps: float) -> Tensor:
    """``F.normalize(x, dim=0, eps=eps, out=out)`` on arrays: the buffer keeps its identity."""
    np.copyto(out._data, x / max(float(np.sqrt(np.sum(x * x))), eps), casting="unsafe")
    out._version_counter.value += 1
    return out


class SpectralNorm:
    """The forward pre-hook: ``module.<name> = <name>_orig / sigma``."""

    _version: int = 1
    name: str
    dim: int
    n_power_iterations: int
    eps: float

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        weight_mat = weight
        if self.dim != 0:
            weight_mat = weight_mat.permute(self.dim, *[d for d in range(weight_mat.ndim) if d != self.dim])
        return weight_mat.reshape(weight_mat.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            w = weight_mat.detach()._data
            for _ in range(self.n_power_iterations):
                _normalize_(v, w.T @ u._data, self.eps)
                _normalize_(u, w @ v._data, self.eps)
            # the buffers change at the next call: the graph keeps copies
            u, v = u.clone(), v.clone()
        sigma = dot(u, mv(weight_mat, v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat: np.ndarray, u: np.ndarray, target_sigma: float) -> np.ndarray:
        """The v with W v parallel to u and u . (W v) = target_sigma (least squares through the pseudo-inverse)."""
        v = np.linalg.pinv(weight_mat.T @ weight_mat) @ weight_mat.T @ u
        return v * (target_sigma / (u @ (weight_mat @ v)))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying spectral normalization"
            )
        h, w = fn.reshape_weight_to_matrix(weight).shape
        u = randn(h, dtype=weight.dtype)
        v = randn(w, dtype=weight.dtype)
        _normalize_(u, u._data, fn.eps)
        _normalize_(v, v._data, fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.detach())
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Converts a version-0 checkpoint (``weight``, ``weight_orig``, ``weight_u``) to the current keys."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(
        self,
        state_dict: dict,
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list,
        unexpected_keys: list,
        error_msgs: list,
    ) -> None:
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if (
            version is None
            and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v"))
            and weight_key not in state_dict
        ):
            return  # the current format, saved without metadata
        has_missing_keys = False
        for suffix in ("_orig", "", "_u"):
            key = weight_key + suffix
            if key not in state_dict:
                has_missing_keys = True
                if strict:
                    missing_keys.append(key)
        if has_missing_keys:
            return
        weight_orig = state_dict[weight_key + "_orig"]
        weight = state_dict.pop(weight_key)
        sigma = float(np.mean(weight_orig._data / weight._data))
        weight_mat = fn.reshape_weight_to_matrix(weight_orig.detach())._data
        u = state_dict[weight_key + "_u"]._data
        state_dict[weight_key + "_v"] = Tensor._make(fn._solve_v_and_rescale(weight_mat, u, sigma).astype(u.dtype))


class SpectralNormStateDictHook:
    """Records ``spectral_norm: {"<name>.version": 1}`` in the module's state_dict metadata."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict: dict, prefix: str, local_metadata: dict) -> None:
        local_metadata.setdefault("spectral_norm", {})
        key = self.fn.name + ".version"
        if key in local_metadata["spectral_norm"]:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        local_metadata["spectral_norm"][key] = self.fn._version


def spectral_norm(
    module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim: int | None = None
) -> Module:
    """Divide ``module.<name>`` by its largest singular value before every forward (hook-based form)."""
    if dim is None:
        # ConvTranspose keeps out_channels in dim 1; minitorch_nn has none, so every module uses dim 0
        dim = 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Fold ``<name>_orig / sigma`` back into one Parameter ``<name>``."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")


__all__ = ["remove_spectral_norm", "spectral_norm"]
