"""The benchmark scripts' command lines: --help describes, an unknown flag is refused, results are whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import results_file  # noqa: E402  (after the path is set)

SCRIPTS = ["conv", "pooling", "norm", "memory", "coldstart", "cuda", "op_overhead"]


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    path = ROOT / "benchmarks" / f"bench_{script}.py"
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_prints_the_docstring_and_a_bad_flag_runs_nothing(script):
    results = sorted((ROOT / "benchmarks" / "results").iterdir())
    before = {p: p.stat().st_mtime_ns for p in results}
    shown = _run(script, "--help")
    assert shown.returncode == 0 and shown.stdout.startswith(f"usage: bench_{script}.py [-h]")
    first_line = (ROOT / "benchmarks" / f"bench_{script}.py").read_text().split('"""')[1].splitlines()[0]
    assert first_line in shown.stdout
    refused = _run(script, "--repeats", "3")
    assert refused.returncode == 2 and "unrecognized arguments: --repeats 3" in refused.stderr
    assert {p: p.stat().st_mtime_ns for p in sorted((ROOT / "benchmarks" / "results").iterdir())} == before


def test_write_results_replaces_whole_or_not_at_all(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(results_file, "RESULTS", tmp_path / "results")
    out = results_file.write_results("suite.md", "| a | b |\n")
    assert out.read_text() == "| a | b |\n" and capsys.readouterr().out == "| a | b |\n\n"

    class WriteInterruptedError(Exception):
        pass

    real_fdopen = results_file.os.fdopen

    def failing_fdopen(fd, mode):
        f = real_fdopen(fd, mode)
        real_write = f.write

        def write(text):
            real_write(text[: len(text) // 2])
            f.flush()
            raise WriteInterruptedError

        f.write = write
        return f

    monkeypatch.setattr(results_file.os, "fdopen", failing_fdopen)
    with pytest.raises(WriteInterruptedError):
        results_file.write_results("suite.md", "| c | d | e | f |\n")
    assert out.read_text() == "| a | b |\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["suite.md"]
