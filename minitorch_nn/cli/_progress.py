"""The progress line every `train` path rewrites in place: the epoch, a bar of the batches done, the running loss."""

from __future__ import annotations

import sys

BAR_WIDTH = 30


def print_progress(epoch: int, epochs: int, done: int, total: int, loss: float) -> None:
    filled = int(BAR_WIDTH * done / total)
    sys.stdout.write(
        f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} loss {loss:.4f}"
    )
    sys.stdout.flush()
