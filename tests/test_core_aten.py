"""The yardstick of the tensor library: PyTorch's Core ATen op set, read from the installed torch.

Every Core ATen op that torch exposes publicly (as torch.X, Tensor.X or torch.nn.functional.X) must
be here under the same name in the same places; the test names each one that is missing.
"""

from __future__ import annotations

from reference.core_aten import missing, public_core_ops


def test_the_core_aten_set_is_read_from_the_installed_torch():
    ops = public_core_ops()
    assert len(ops) >= 100
    assert ops["add"] == ["torch", "Tensor"]
    assert "F" in ops["embedding"] and "torch" in ops["convolution"]


def test_every_public_core_aten_op_is_here():
    gaps = missing()
    assert not gaps, f"{len(gaps)} public Core ATen places missing: " + ", ".join(gaps)
