"""`minitorch-nn predict`: the top-5 classes of pictures, by a checkpoint that `minitorch-nn train` saved.

The checkpoint names its model (``arch``) and its ``classes``; each picture is read with Pillow, made RGB,
resized to the model's input side and normalized as the test images were in training.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from PIL import Image, UnidentifiedImageError

import minitorch_nn

from . import _vision

TOP = 5


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "predict",
        help="print the top-5 classes of images with a trained checkpoint",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--checkpoint", required=True, help="checkpoint.pth written by minitorch-nn train")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="pictures Pillow can read (PNG, JPEG, ...)")
    p.set_defaults(run=run)


def load_model(path: str) -> tuple[Any, list[str]]:
    """The trained model (in eval mode) and its class names; a clear SystemExit for a file that is not one."""
    if not os.path.isfile(path):
        raise SystemExit(f"--checkpoint: no file at {path}")
    try:
        state = minitorch_nn.load(path)
    except Exception as error:
        raise SystemExit(f"--checkpoint {path}: not a checkpoint ({type(error).__name__}: {error})") from error
    if not isinstance(state, dict) or "model" not in state or "arch" not in state or "classes" not in state:
        raise SystemExit(f"--checkpoint {path}: not a minitorch-nn train checkpoint (no model, arch and classes)")
    arch, classes = state["arch"], list(state["classes"])
    if arch not in _vision.VISION_MODELS:
        raise SystemExit(
            f"--checkpoint {path}: its model {arch!r} is not an image classifier predict runs; "
            f"choose one of {', '.join(_vision.VISION_MODELS)}"
        )
    model = _vision.build_vision(arch, num_classes=len(classes))
    expected, saved = set(model.state_dict()), set(state["model"])
    if expected != saved:  # named by its first differing keys: the whole lists run to a hundred names
        missing, unexpected = sorted(expected - saved), sorted(saved - expected)
        raise SystemExit(
            f"--checkpoint {path}: its weights are not those of a {arch}: {len(missing)} missing key(s) "
            f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}), {len(unexpected)} unexpected "
            f"({', '.join(unexpected[:3])}{', ...' if len(unexpected) > 3 else ''})"
        )
    try:
        model.load_state_dict(state["model"])
    except (RuntimeError, KeyError) as error:
        raise SystemExit(f"--checkpoint {path}: its weights are not those of a {arch}: {error}") from error
    return model.eval(), classes


def read_image(path: str) -> Any:
    try:
        with Image.open(path) as picture:
            return picture.convert("RGB")
    except (OSError, UnidentifiedImageError) as error:
        raise SystemExit(f"{path}: not an image Pillow can read ({type(error).__name__}: {error})") from error


def run(args: argparse.Namespace) -> int:
    model, classes = load_model(args.checkpoint)
    transform = _vision.test_transform()
    images = [read_image(path) for path in args.images]  # every file checked before any output
    with minitorch_nn.no_grad():
        for path, picture in zip(args.images, images, strict=True):
            logits = model(transform(picture).unsqueeze(0))
            probabilities = minitorch_nn.softmax(logits, dim=1)[0]
            values, indices = minitorch_nn.topk(probabilities, min(TOP, len(classes)))
            print(path)
            for p, i in zip(values.tolist(), indices.tolist(), strict=True):
                print(f"  {classes[i]:<12} {p:.4f}")
    return 0
