"""Worker functions for tests/test_ddp.py's launcher tests, in a module of their own.

Spawned workers import the module that defines their function; this one imports nothing heavy, so
each worker starts in the time torch.multiprocessing itself takes.
"""

from __future__ import annotations

import datetime
import time


def broken(rank: int, world_size: int, port: int) -> None:
    if rank == 1:
        raise RuntimeError("worker one broke")
    time.sleep(120)  # a worker waiting on its peer: the launcher must stop it


def lonely(rank: int, world_size: int, port: int) -> None:
    """Rank 0 of a group of two whose rank 1 never comes: the rendezvous must give up, not hang."""
    import torch.distributed as dist

    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0, world_size=2, timeout=datetime.timedelta(seconds=2)
    )
