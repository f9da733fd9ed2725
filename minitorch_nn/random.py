"""The random number generator behind randn, rand, init, dropout and shuffling.

One global NumPy Generator, reseeded by ``manual_seed`` (torch's name), plus
``Generator`` objects for code that wants its own stream (DataLoader shuffle).
Streams differ from torch's: equal seeds give reproducible runs here, not
torch's numbers.
"""

from __future__ import annotations

import numpy as np


class Generator:
    """An independent random stream: ``Generator().manual_seed(0)``."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def get_state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self.rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (and return it, as torch does)."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def seed() -> int:
    return default_generator.seed()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, or the global one."""
    return (generator or default_generator).rng


__all__ = ["Generator", "default_generator", "initial_seed", "manual_seed", "seed"]
