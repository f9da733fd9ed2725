"""Per-layer conv profile of ResNet-18 and VGG-11 on CIFAR (batch 64) against torch, one thread.

Run ``PYTHONPATH=$PWD python benchmarks/profile_conv_layers.py [name prefix ...]`` (prefixes such
as ``r.`` for ResNet, ``v.`` for VGG, ``cifar``). Prints, per conv shape, the path ours takes and
the CPU time (process_time, all threads, median) of torch / ours for the forward, the input
gradient and the weight gradient separately (kernel calls only, no autograd). Writes no file.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

for _var in ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402  (after the thread counts are set)
import torch  # noqa: E402

from minitorch_nn.kernels.cpu import conv as kernels  # noqa: E402

BATCH = 64
# name, C_in, C_out, map side, kernel, stride, padding (ResNet-18's stem is 7x7 stride 2 then a
# max pool, so its stages run on 8x8 ... 1x1 maps; VGG-11's on 32x32 ... 2x2)
LAYERS = [
    ("r.stem", 3, 64, 32, 7, 2, 3),
    ("r.l1", 64, 64, 8, 3, 1, 1),
    ("r.l2a", 64, 128, 8, 3, 2, 1),
    ("r.l2ds", 64, 128, 8, 1, 2, 0),
    ("r.l2", 128, 128, 4, 3, 1, 1),
    ("r.l3a", 128, 256, 4, 3, 2, 1),
    ("r.l3ds", 128, 256, 4, 1, 2, 0),
    ("r.l3", 256, 256, 2, 3, 1, 1),
    ("r.l4a", 256, 512, 2, 3, 2, 1),
    ("r.l4ds", 256, 512, 2, 1, 2, 0),
    ("r.l4", 512, 512, 1, 3, 1, 1),
    ("v.1", 3, 64, 32, 3, 1, 1),
    ("v.2", 64, 128, 16, 3, 1, 1),
    ("v.3", 128, 256, 8, 3, 1, 1),
    ("v.4", 256, 256, 8, 3, 1, 1),
    ("v.5", 256, 512, 4, 3, 1, 1),
    ("v.6", 512, 512, 4, 3, 1, 1),
    ("v.7", 512, 512, 2, 3, 1, 1),
    ("cifar", 64, 64, 32, 3, 1, 1),
]


def cpu_ms(fn) -> float:
    """Median process time of fn in ms, after one warm-up call, over about 0.4 s of calls."""
    fn()
    start = time.process_time()
    fn()
    once = time.process_time() - start
    times = []
    for _ in range(max(3, min(15, int(0.4 / max(once, 1e-5))))):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return float(np.median(times)) * 1e3


def main(prefixes: list[str]) -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"{'name':8} {'path':34} {'fwd t/o':>15} {'gx t/o':>15} {'gw t/o':>15}")
    for layer in LAYERS:
        if not prefixes or any(layer[0].startswith(q) for q in prefixes):
            print(profile_row(*layer, rng), flush=True)


def profile_row(name: str, c: int, o: int, side: int, k: int, s: int, p: int, rng) -> str:
    """One table row: the path, torch / ours forward, input grad and weight grad, and the sums."""
    out_side = (side + 2 * p - k) // s + 1
    x = rng.standard_normal((BATCH, c, side, side)).astype(np.float32)
    w = (rng.standard_normal((o, c, k, k)) * 0.1).astype(np.float32)
    g = rng.standard_normal((BATCH, o, out_side, out_side)).astype(np.float32)
    tx, tw, tg = map(torch.from_numpy, (x, w, g))
    x5, w5, g5 = x[:, :, None], w[:, :, None], g[:, :, None]
    args = ((1, s, s), (0, p, p), (1, 1, 1), 1)

    def torch_backward(mask):
        return torch.ops.aten.convolution_backward(tg, tx, tw, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, mask)

    t = (
        cpu_ms(lambda: torch.conv2d(tx, tw, None, s, p)),
        cpu_ms(lambda: torch_backward([True, False, False])),
        cpu_ms(lambda: torch_backward([False, True, False])),
    )
    ours = (
        cpu_ms(lambda: kernels.conv_forward(x5, w5, None, *args)),
        cpu_ms(lambda: kernels.conv_backward(x5, w5, g5, *args, True, False)),
        cpu_ms(lambda: kernels.conv_backward(x5, w5, g5, *args, False, True)),
    )
    path = kernels.describe_path(x.shape, w.shape, s, p, 1, 1)
    cells = " ".join(f"{a:6.2f}/{b:6.2f}" for a, b in zip(t, ours))
    return f"{name:8} {path[:34]:34} {cells}  sum {sum(t):6.2f}/{sum(ours):6.2f} {sum(t) / sum(ours):4.2f}x"


if __name__ == "__main__":
    main(sys.argv[1:])
