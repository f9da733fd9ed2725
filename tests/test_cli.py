"""The command-line tool end to end, through `python -m minitorch_nn` (the console script's entry point)."""

from __future__ import annotations

import re
import subprocess
import sys


def cli(*args, cwd=None):
    result = subprocess.run(
        [sys.executable, "-m", "minitorch_nn", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_short_train_beats_chance(tmp_path):
    out = cli("train", "--epochs", "2", "--limit", "600", "--out", str(tmp_path))
    accuracy = float(re.findall(r"test accuracy ([0-9.]+)%", out)[-1])
    assert accuracy > 60.0, out  # chance is 10%
    assert (tmp_path / "checkpoint.pth").exists()
    resumed = cli("train", "--epochs", "3", "--limit", "600", "--out", str(tmp_path), "--resume")
    assert "resumed" in resumed and "epoch 3:" in resumed


def test_check_on_a_subset():
    out = cli("check", "--only", "add,mm,cross_entropy", "--samples", "1")
    assert "6 passed, 0 failed" in out


def test_explain_names_the_nodes(tmp_path):
    out = cli("explain", "--svg", str(tmp_path / "g.svg"))
    for name in (
        "NllLossBackward0",
        "AddmmBackward0",
        "ConvolutionBackward0",
        "MaxPool2DWithIndicesBackward0",
        "AccumulateGrad",
        "fills conv1.weight.grad",
    ):
        assert name in out
    assert (tmp_path / "g.svg").read_text().startswith("<svg")


def test_check_model_walks_both_graphs():
    out = cli("check", "--model", "mlp")
    assert "no gradient diverges" in out
