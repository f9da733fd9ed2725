"""Hypothesis profiles: `ci` (derandomized, bounded), `dev` (default) and `deep`.

Select with MINITORCH_HYPOTHESIS_PROFILE=ci|dev|deep; CI sets `ci` so runs are
reproducible (no flaky reds) and the whole suite stays well inside its limit.
"""

from __future__ import annotations

import os

# The kernel tests test the Numba kernels they name: compile them in this process when first
# called, not in the background with NumPy meanwhile (tests/test_compile_paths.py tests that).
os.environ.setdefault("MINITORCH_COMPILE", "inline")

from hypothesis import HealthCheck, settings  # noqa: E402

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=12, derandomize=True, print_blob=True, **_common)
settings.register_profile("dev", max_examples=25, **_common)
settings.register_profile("deep", max_examples=400, **_common)
settings.load_profile(os.environ.get("MINITORCH_HYPOTHESIS_PROFILE", "dev"))
