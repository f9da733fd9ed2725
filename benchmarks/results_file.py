"""What every suite's command line shares: no options, and its table written to benchmarks/results/.

A suite takes no options, but a parser still runs first: ``--help`` prints the suite's docstring and
an unknown flag is refused, instead of either starting a run of minutes that rewrites the results.
The table is written to a temporary file beside the target and moved over it, so an interrupted run
leaves the old table whole. Nothing here sets an environment variable (bench_coldstart's children
must inherit the user's), unlike benchmarks/timing.py.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def refuse_options(doc: str | None) -> None:
    """Parse a command line of no options: ``--help`` shows ``doc``, anything else exits with usage."""
    argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()


def write_results(name: str, text: str) -> Path:
    """Write ``text`` to benchmarks/results/``name`` atomically and print it; returns the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / name
    fd, temporary = tempfile.mkstemp(dir=RESULTS, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(temporary, out)
    except BaseException:
        os.unlink(temporary)
        raise
    print(text)
    return out
