"""torchvision.io's image functions, with Pillow as the codec.

Images come back as torchvision returns them: a uint8 tensor of shape (C, H, W), C = 1 (gray), 2 (gray +
alpha), 3 (RGB) or 4 (RGBA); encoded bytes are a one-dimensional uint8 tensor. ``mode`` (an
:class:`ImageReadMode` or its name as a string, any case) converts while decoding; UNCHANGED keeps the
file's own channels, with palette images expanded to RGB (RGBA where the palette has transparency) and
1-bit images to 0 / 255, as libpng's expansion does in torchvision. A GIF decodes to all its frames
(N, 3, H, W), or (3, H, W) for one frame, as torchvision's decode_gif.

The codec is Pillow (libjpeg-turbo, zlib) rather than torchvision's compiled libpng / libjpeg bindings,
so: PNG decodes exactly; JPEG decodes as Pillow decodes (the same libjpeg family, so normally the same
pixels); colour-to-gray conversion uses Pillow's ITU-R 601-2 luma (L = 299 R / 1000 + 587 G / 1000 +
114 B / 1000), which can differ from libpng's by one level; encoded bytes are valid files but not
byte-identical to torchvision's. 16-bit PNGs (uint16 in torchvision) are refused: this engine has no
uint16 dtype.
"""

from __future__ import annotations

import io
import os
from enum import Enum
from typing import Any

import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from ...autograd.tensor import Tensor
from ...autograd.types import uint8
from ...factories import from_numpy

__all__ = [
    "ImageReadMode",
    "decode_gif",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "decode_webp",
    "encode_jpeg",
    "encode_png",
    "read_file",
    "read_image",
    "write_file",
    "write_jpeg",
    "write_png",
]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_GIF_SIGNATURE = b"GIF8"


class ImageReadMode(Enum):
    """The channels to decode to: UNCHANGED (the file's own), GRAY, GRAY_ALPHA, RGB, RGB_ALPHA (alias RGBA)."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


# The Pillow mode each ImageReadMode converts to.
_PIL_MODE = {
    ImageReadMode.GRAY: "L",
    ImageReadMode.GRAY_ALPHA: "LA",
    ImageReadMode.RGB: "RGB",
    ImageReadMode.RGB_ALPHA: "RGBA",
}


def read_file(path: str | os.PathLike) -> Tensor:
    """The bytes of a file as a one-dimensional uint8 tensor."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise RuntimeError(f"[Errno {exc.errno}] {exc.strerror}: '{os.fspath(path)}'") from exc
    return from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename: str | os.PathLike, data: Tensor) -> None:
    """Write a one-dimensional uint8 tensor's bytes to ``filename``."""
    _check_encoded(data, "write_file")
    with open(filename, "wb") as f:
        f.write(data.numpy().tobytes())


def decode_png(
    input: Tensor, mode: ImageReadMode | str = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False
) -> Tensor:
    """Decode the bytes of a PNG file (a 1-D uint8 tensor) into a (C, H, W) uint8 tensor."""
    data = _encoded_bytes(input, "decode_png")
    if not data.startswith(_PNG_SIGNATURE):
        raise RuntimeError("Content is not png!")
    return _decode(data, _read_mode(mode), apply_exif_orientation, "png data")


def decode_jpeg(
    input: Tensor | list[Tensor],
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
    device: Any = "cpu",
    apply_exif_orientation: bool = False,
) -> Tensor | list[Tensor]:
    """Decode the bytes of a JPEG file (or a list of them) into (C, H, W) uint8 tensors; CPU only."""
    if str(device) != "cpu":
        raise ValueError(f"decode_jpeg decodes on the CPU only in minitorch_nn, got device={device!r}")
    read_mode = _read_mode(mode)
    if isinstance(input, list):
        if len(input) == 0:
            raise ValueError("Input list must contain at least one element")
        if not all(isinstance(t, Tensor) for t in input):
            raise ValueError("All elements of the input list must be tensors.")
        return [decode_jpeg(t, read_mode, device, apply_exif_orientation) for t in input]
    data = _encoded_bytes(input, "decode_jpeg")
    if not data.startswith(_JPEG_SIGNATURE):
        head = data[:2] + b"\x00" * (2 - len(data[:2]))
        raise RuntimeError(f"Not a JPEG file: starts with 0x{head[0]:02x} 0x{head[1]:02x}")
    return _decode(data, read_mode, apply_exif_orientation, "jpeg data")


def decode_gif(input: Tensor) -> Tensor:
    """Decode a GIF's frames into RGB uint8: (C, H, W) for one frame, (N, C, H, W) for N frames."""
    data = _encoded_bytes(input, "decode_gif")
    if not data.startswith(_GIF_SIGNATURE):
        raise RuntimeError("Content is not a GIF (no GIF8 signature)")
    return _decode_gif(data, "gif data")


def decode_webp(input: Tensor, mode: ImageReadMode | str = ImageReadMode.UNCHANGED) -> Tensor:
    """Decode the bytes of a WebP file into a (C, H, W) uint8 tensor (UNCHANGED: RGB, or RGBA with alpha)."""
    data = _encoded_bytes(input, "decode_webp")
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise RuntimeError("Content is not a WebP file (no RIFF/WEBP signature)")
    return _decode(data, _read_mode(mode), False, "webp data")


def decode_image(
    input: Tensor | str | os.PathLike,
    mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """Decode an image (PNG, JPEG, WebP, BMP, ...: whatever Pillow reads) from a path or its bytes; a GIF
    goes to :func:`decode_gif` (all its frames, ``mode`` ignored, as in torchvision)."""
    name = "image data"
    if not isinstance(input, Tensor):
        name = repr(os.fspath(input))
        input = read_file(input)
    data = _encoded_bytes(input, "decode_image")
    if data.startswith(_GIF_SIGNATURE):  # every frame, and no mode, as torchvision's decode_image
        return _decode_gif(data, name)
    return _decode(data, _read_mode(mode), apply_exif_orientation, name)


def read_image(
    path: str | os.PathLike, mode: ImageReadMode | str = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False
) -> Tensor:
    """``decode_image`` of the file at ``path``."""
    return decode_image(path, mode, apply_exif_orientation)


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """The bytes of a PNG file holding ``input``, a (C, H, W) uint8 tensor with C = 1 or 3."""
    if compression_level < 0 or compression_level > 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    image = _to_pil(input, "encode_png")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=compression_level)
    return from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def encode_jpeg(input: Tensor | list[Tensor], quality: int = 75) -> Tensor | list[Tensor]:
    """The bytes of a JPEG file holding ``input`` (or each of a list), (C, H, W) uint8 with C = 1 or 3."""
    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, list):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is passed")
        return [encode_jpeg(image, quality) for image in input]
    image = _to_pil(input, "encode_jpeg")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def write_png(input: Tensor, filename: str | os.PathLike, compression_level: int = 6) -> None:
    """Save a (C, H, W) uint8 tensor (C = 1 or 3) as a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input: Tensor, filename: str | os.PathLike, quality: int = 75) -> None:
    """Save a (C, H, W) uint8 tensor (C = 1 or 3) as a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))


def _read_mode(mode: ImageReadMode | str) -> ImageReadMode:
    if isinstance(mode, ImageReadMode):
        return mode
    if isinstance(mode, str):
        try:
            return ImageReadMode[mode.upper()]
        except KeyError:
            names = ", ".join(ImageReadMode.__members__)
            raise KeyError(f"unknown image read mode {mode!r}; expected one of {names}") from None
    raise TypeError(f"mode should be an ImageReadMode or its name, got {type(mode).__name__}")


def _check_encoded(data: Any, fn: str) -> None:
    if not isinstance(data, Tensor):
        raise TypeError(f"{fn}: expected a one-dimensional uint8 tensor of encoded bytes, got {type(data).__name__}")
    if data.dtype != uint8 or data.ndim != 1:
        raise RuntimeError(f"Expected a one dimensional uint8 tensor, got {data.ndim} dims and dtype {data.dtype}")


def _encoded_bytes(data: Any, fn: str) -> bytes:
    _check_encoded(data, fn)
    if data.device.type != "cpu":
        raise ValueError("Input tensor must be a CPU tensor")
    return np.ascontiguousarray(data.numpy()).tobytes()


def _decode(data: bytes, mode: ImageReadMode, apply_exif_orientation: bool, name: str) -> Tensor:
    """Pillow decodes; the pixels become (C, H, W) uint8 in the mode asked for."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise RuntimeError(f"{name}: cannot decode the image ({exc})") from exc
    if apply_exif_orientation:
        image = ImageOps.exif_transpose(image)
    image = _unchanged(image, name) if mode is ImageReadMode.UNCHANGED else image.convert(_PIL_MODE[mode])
    array = np.asarray(image)
    if array.ndim == 2:
        array = array[:, :, None]
    return from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def _decode_gif(data: bytes, name: str) -> Tensor:
    try:
        image = Image.open(io.BytesIO(data))
        frames = [np.asarray(frame.convert("RGB")).transpose(2, 0, 1) for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise RuntimeError(f"{name}: cannot decode the image ({exc})") from exc
    array = frames[0] if len(frames) == 1 else np.stack(frames)
    return from_numpy(np.ascontiguousarray(array))


def _unchanged(image: Image.Image, name: str) -> Image.Image:
    """The file's own channels as 8-bit L / LA / RGB / RGBA."""
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F") or image.info.get("bits", 8) > 8:
        raise RuntimeError(
            f"{name}: a {image.mode} image with more than 8 bits per sample; torchvision gives uint16 "
            "there, and minitorch_nn has no uint16 dtype"
        )
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("P", "PA"):
        has_alpha = image.mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _to_pil(input: Any, fn: str) -> Image.Image:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: expected a (C, H, W) uint8 tensor, got {type(input).__name__}")
    if input.dtype != uint8:
        raise RuntimeError("Input tensor dtype should be uint8")
    if input.ndim != 3:
        raise RuntimeError(f"Input data should be a 3-dimensional tensor, but got {input.ndim} dimensions")
    channels = input.shape[0]
    if channels not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {channels}")
    array = np.ascontiguousarray(input.detach().numpy().transpose(1, 2, 0))
    return Image.fromarray(array[:, :, 0] if channels == 1 else array)
