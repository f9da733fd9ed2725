"""The CUDA backend under Numba's CUDA simulator, in CI on any machine.

numba reads NUMBA_ENABLE_CUDASIM when it is first imported, and this process imported it long
ago (the CPU kernels), so each simulator suite in tests/cuda_sim/ runs in a subprocess of its
own with the variable set; a failure shows that run's pytest report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITES = Path(__file__).parent / "cuda_sim"


@pytest.mark.parametrize("suite", sorted(p.name for p in SUITES.glob("*_sim.py")))
def test_simulator_suite(suite):
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SUITES / suite)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
