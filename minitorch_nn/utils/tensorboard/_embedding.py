"""The projector's files of one embedding, in the layout torch's writer gives them.

``<save_path>/tensors.tsv`` has one row per point (each value as Python prints it), ``metadata.tsv``
one label per line (or a header line and tab-separated columns), ``sprite.png`` all label images
tiled ceil(sqrt(N)) to a row on a square canvas; ``projector_config.pbtxt`` in the log folder lists
the embeddings as ``EmbeddingInfo`` protos in text format.
"""

from __future__ import annotations

import io
import math
import os
from typing import Any

import numpy as np
from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo

from ._utils import make_grid
from .summary import _pillow


def make_tsv(metadata: list, save_path: str, metadata_header: list | None = None) -> None:
    if not metadata_header:
        lines = [str(label) for label in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        lines = ["\t".join(str(cell) for cell in row) for row in [metadata_header, *metadata]]
    with open(os.path.join(save_path, "metadata.tsv"), "wb") as f:
        f.write(("\n".join(lines) + "\n").encode())


def make_sprite(label_img: np.ndarray, save_path: str) -> None:
    """The (N, C, H, W) images (values in 0..1) tiled into one square PNG, the empty cells black."""
    per_row = math.ceil(label_img.shape[0] ** 0.5)
    grid_hwc = make_grid(label_img, ncols=per_row).transpose(1, 2, 0)
    side = max(grid_hwc.shape[0], grid_hwc.shape[1])
    square = np.zeros((side, side, 3))
    square[: grid_hwc.shape[0], : grid_hwc.shape[1]] = grid_hwc
    buffer = io.BytesIO()
    _pillow().fromarray(np.uint8((square * 255).clip(0, 255))).save(buffer, format="PNG")
    with open(os.path.join(save_path, "sprite.png"), "wb") as f:
        f.write(buffer.getvalue())


def make_mat(mat: np.ndarray, save_path: str) -> None:
    with open(os.path.join(save_path, "tensors.tsv"), "wb") as f:
        for row in mat:
            f.write(("\t".join(str(value.item()) for value in row) + "\n").encode())


def embedding_info(metadata: list | None, label_img: Any, subdir: str, global_step: int, tag: str) -> EmbeddingInfo:
    info = EmbeddingInfo()
    info.tensor_name = f"{tag}:{str(global_step).zfill(5)}"
    info.tensor_path = os.path.join(subdir, "tensors.tsv")
    if metadata is not None:
        info.metadata_path = os.path.join(subdir, "metadata.tsv")
    if label_img is not None:
        info.sprite.image_path = os.path.join(subdir, "sprite.png")
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])  # width, height
    return info


def write_pbtxt(log_dir: str, contents: str) -> None:
    with open(os.path.join(log_dir, "projector_config.pbtxt"), "wb") as f:
        f.write(contents.encode())
