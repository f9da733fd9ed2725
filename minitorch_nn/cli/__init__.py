"""`minitorch-nn`: train, predict, check, bench, explain and warmup.

torch is imported only inside the code paths that need it (``--engine torch``,
``check``, ``bench``), never by minitorch_nn at import time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# what to run when torch (or hypothesis) is missing: the test extra brings both, torch pinned
INSTALL_TORCH = (
    "pip install -e '.[test]' in your checkout of minitorch_nn (it adds torch==2.13.0, hypothesis and pytest; "
    "where pip would fetch torch's CUDA build, first: pip install torch==2.13.0 --index-url "
    "https://download.pytorch.org/whl/cpu)"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="minitorch-nn", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    from . import bench, check, explain, predict, train, warmup

    for module in (train, predict, check, bench, explain, warmup):
        module.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # `minitorch-nn explain | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0
