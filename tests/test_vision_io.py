"""minitorch_nn.vision.io: read_image / decode_* / encode_* / write_* against Pillow-made files.

PNG is lossless, so a decoded PNG must equal the array the file was made from, exactly; JPEG is compared
with Pillow's own decode of the same bytes (the codec torchvision's libjpeg decode also agrees with).
Layout and dtype are torchvision's: (C, H, W) uint8, encoded bytes a 1-D uint8 tensor.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageSequence

import minitorch_nn as mt
from minitorch_nn.vision.io import (
    ImageReadMode,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    decode_webp,
    encode_jpeg,
    encode_png,
    read_file,
    read_image,
    write_file,
    write_jpeg,
    write_png,
)

RNG = np.random.RandomState(14)
RGB = RNG.randint(0, 256, (5, 7, 3)).astype(np.uint8)
ALPHA = RNG.randint(0, 256, (5, 7)).astype(np.uint8)


def _png(tmp_path, image: Image.Image, name: str = "image.png"):
    path = tmp_path / name
    image.save(path)
    return path


def _chw(array: np.ndarray) -> np.ndarray:
    return (array[:, :, None] if array.ndim == 2 else array).transpose(2, 0, 1)


def _pil_decode(data: bytes, mode: str) -> np.ndarray:
    return _chw(np.asarray(Image.open(io.BytesIO(data)).convert(mode)))


@pytest.mark.parametrize(
    "pil_mode,array,channels",
    [
        ("L", RGB[:, :, 0], 1),
        ("LA", np.dstack([RGB[:, :, 0], ALPHA]), 2),
        ("RGB", RGB, 3),
        ("RGBA", np.dstack([RGB, ALPHA]), 4),
    ],
)
def test_png_unchanged_is_the_files_own_pixels_exactly(tmp_path, pil_mode, array, channels):
    path = _png(tmp_path, Image.fromarray(array, pil_mode) if pil_mode == "LA" else Image.fromarray(array))
    image = read_image(path)
    assert image.dtype == mt.uint8 and tuple(image.shape) == (channels, 5, 7)
    np.testing.assert_array_equal(image.numpy(), _chw(array))
    np.testing.assert_array_equal(read_image(str(path), mode=ImageReadMode.UNCHANGED).numpy(), _chw(array))
    np.testing.assert_array_equal(decode_png(read_file(path)).numpy(), _chw(array))
    np.testing.assert_array_equal(decode_image(read_file(path)).numpy(), _chw(array))


def test_palette_and_one_bit_pngs_expand_as_libpng_does(tmp_path):
    palette = Image.fromarray(RGB).quantize(8)
    path = _png(tmp_path, palette, "palette.png")
    np.testing.assert_array_equal(read_image(path).numpy(), _chw(np.asarray(palette.convert("RGB"))))
    transparent = palette.copy()
    transparent.info["transparency"] = 0
    path = _png(tmp_path, transparent, "transparent.png")
    image = read_image(path)
    assert image.shape[0] == 4
    np.testing.assert_array_equal(image.numpy(), _chw(np.asarray(Image.open(path).convert("RGBA"))))
    bits = RGB[:, :, 0] > 127
    path = _png(tmp_path, Image.fromarray(bits), "bits.png")
    np.testing.assert_array_equal(read_image(path).numpy(), _chw(bits.astype(np.uint8) * 255))


@pytest.mark.parametrize(
    "mode,pil_mode,channels",
    [
        (ImageReadMode.GRAY, "L", 1),
        (ImageReadMode.GRAY_ALPHA, "LA", 2),
        (ImageReadMode.RGB, "RGB", 3),
        (ImageReadMode.RGB_ALPHA, "RGBA", 4),
        (ImageReadMode.RGBA, "RGBA", 4),
        ("rgb", "RGB", 3),
        ("GRAY", "L", 1),
    ],
)
def test_read_modes_convert_while_decoding(tmp_path, mode, pil_mode, channels):
    rgba = np.dstack([RGB, ALPHA])
    for source in [Image.fromarray(rgba), Image.fromarray(RGB[:, :, 1])]:
        path = _png(tmp_path, source)
        image = read_image(path, mode=mode)
        assert image.dtype == mt.uint8 and tuple(image.shape) == (channels, 5, 7)
        np.testing.assert_array_equal(image.numpy(), _pil_decode(path.read_bytes(), pil_mode))
    # the luma is ITU-R 601-2, as Pillow's convert("L") (and torchvision's Grayscale) compute it
    gray = read_image(_png(tmp_path, Image.fromarray(RGB)), mode="GRAY").numpy()[0].astype(int)
    r, g, b = (RGB[..., i].astype(int) for i in range(3))
    luma = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16
    np.testing.assert_array_equal(gray, luma)


def test_read_mode_enum_matches_torchvision():
    assert [(m.name, m.value) for m in ImageReadMode] == [
        ("UNCHANGED", 0), ("GRAY", 1), ("GRAY_ALPHA", 2), ("RGB", 3), ("RGB_ALPHA", 4),
    ]  # fmt: skip
    assert ImageReadMode.RGBA is ImageReadMode.RGB_ALPHA
    with pytest.raises(KeyError, match="unknown image read mode 'cmyk'"):
        decode_image(encode_png(mt.zeros(3, 2, 2, dtype=mt.uint8)), mode="cmyk")


@pytest.mark.parametrize("pil_mode,channels", [("RGB", 3), ("L", 1), ("CMYK", 3)])
def test_jpeg_decodes_as_pillow_decodes(tmp_path, pil_mode, channels):
    source = Image.fromarray(RGB).convert(pil_mode)
    path = tmp_path / "image.jpg"
    source.save(path, quality=90)
    data = path.read_bytes()
    want = _pil_decode(data, "RGB" if pil_mode == "CMYK" else pil_mode)
    for image in [read_image(path), decode_jpeg(read_file(path)), decode_image(read_file(path))]:
        assert image.dtype == mt.uint8 and tuple(image.shape) == (channels, 5, 7)
        np.testing.assert_array_equal(image.numpy(), want)
    np.testing.assert_array_equal(decode_jpeg(read_file(path), mode="GRAY").numpy(), _pil_decode(data, "L"))
    both = decode_jpeg([read_file(path), read_file(path)], mode=ImageReadMode.RGB)
    assert isinstance(both, list) and len(both) == 2
    np.testing.assert_array_equal(both[1].numpy(), _pil_decode(data, "RGB"))


def test_exif_orientation_is_applied_only_when_asked(tmp_path):
    source = Image.fromarray(RGB)
    exif = source.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "rotated.jpg"
    source.save(path, quality=95, exif=exif)
    assert tuple(read_image(path).shape) == (3, 5, 7)
    rotated = read_image(path, apply_exif_orientation=True)
    assert tuple(rotated.shape) == (3, 7, 5)
    decoded = Image.open(path)
    decoded.load()
    np.testing.assert_array_equal(rotated.numpy(), _chw(np.asarray(decoded.transpose(Image.Transpose.ROTATE_270))))


def test_png_encode_write_and_file_round_trips_exactly(tmp_path):
    image = mt.from_numpy(_chw(RGB).copy())
    encoded = encode_png(image)
    assert encoded.dtype == mt.uint8 and encoded.ndim == 1
    assert bytes(encoded.numpy()[:8]) == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(decode_png(encoded).numpy(), _chw(RGB))
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(encoded.numpy().tobytes()))), RGB)
    for level in [0, 9]:
        np.testing.assert_array_equal(decode_png(encode_png(image, compression_level=level)).numpy(), _chw(RGB))
    smooth = mt.from_numpy(np.tile(np.arange(64, dtype=np.uint8), (3, 64, 1)))
    assert encode_png(smooth, 0).numel() > encode_png(smooth, 9).numel()
    write_png(image[1:2], tmp_path / "gray.png")
    np.testing.assert_array_equal(read_image(tmp_path / "gray.png").numpy(), _chw(RGB)[1:2])
    write_file(tmp_path / "copy.png", encoded)
    assert (tmp_path / "copy.png").read_bytes() == encoded.numpy().tobytes()
    np.testing.assert_array_equal(read_file(tmp_path / "copy.png").numpy(), encoded.numpy())


def test_jpeg_encode_and_write(tmp_path):
    image = mt.from_numpy(_chw(RGB).copy())
    encoded = encode_jpeg(image, quality=95)
    data = encoded.numpy().tobytes()
    assert data[:3] == b"\xff\xd8\xff"
    np.testing.assert_array_equal(decode_jpeg(encoded).numpy(), _pil_decode(data, "RGB"))
    # close to the source at quality 95 (lossy), further at quality 5
    error_95 = np.abs(decode_jpeg(encoded).numpy().astype(int) - _chw(RGB)).mean()
    error_5 = np.abs(decode_jpeg(encode_jpeg(image, quality=5)).numpy().astype(int) - _chw(RGB)).mean()
    assert error_95 < error_5
    write_jpeg(image, tmp_path / "out.jpg", quality=95)
    assert (tmp_path / "out.jpg").read_bytes() == data
    assert len(encode_jpeg([image, image[:1]])) == 2


def test_missing_and_undecodable_files_are_errors_naming_the_file(tmp_path):
    missing = tmp_path / "missing.png"
    with pytest.raises(RuntimeError, match=r"\[Errno 2\] No such file or directory: '.*missing.png'"):
        read_image(missing)
    with pytest.raises(RuntimeError, match="No such file"):
        read_file(str(missing))
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(RuntimeError, match="'.*notes.png': cannot decode the image"):
        read_image(text)
    png = _png(tmp_path, Image.fromarray(RGB)).read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(png[: len(png) // 2])
    with pytest.raises(RuntimeError, match="'.*truncated.png': cannot decode the image"):
        read_image(truncated)
    with pytest.raises(RuntimeError, match="image data: cannot decode"):
        decode_image(mt.from_numpy(np.frombuffer(b"garbage!", dtype=np.uint8).copy()))


def test_decoders_refuse_the_other_format_and_bad_inputs(tmp_path):
    png = encode_png(mt.zeros(3, 2, 2, dtype=mt.uint8))
    jpeg = encode_jpeg(mt.zeros(3, 8, 8, dtype=mt.uint8))
    with pytest.raises(RuntimeError, match="Content is not png!"):
        decode_png(jpeg)
    with pytest.raises(RuntimeError, match="Not a JPEG file: starts with 0x89 0x50"):
        decode_jpeg(png)
    with pytest.raises(RuntimeError, match="Expected a one dimensional uint8 tensor"):
        decode_png(png.float())
    with pytest.raises(RuntimeError, match="Expected a one dimensional uint8 tensor"):
        decode_image(png.reshape(1, -1))
    with pytest.raises(ValueError, match="Input list must contain at least one element"):
        decode_jpeg([])
    deep = tmp_path / "deep.png"
    Image.fromarray(np.full((2, 2), 40000, dtype=np.uint16)).save(deep)
    with pytest.raises(RuntimeError, match="more than 8 bits per sample.*no uint16 dtype"):
        read_image(deep)


def test_encoders_check_their_inputs():
    with pytest.raises(RuntimeError, match="Input tensor dtype should be uint8"):
        encode_png(mt.zeros(3, 2, 2))
    with pytest.raises(RuntimeError, match="Input data should be a 3-dimensional tensor, but got 2 dimensions"):
        encode_png(mt.zeros(2, 2, dtype=mt.uint8))
    with pytest.raises(RuntimeError, match="The number of channels should be 1 or 3, got: 4"):
        encode_jpeg(mt.zeros(4, 2, 2, dtype=mt.uint8))
    with pytest.raises(RuntimeError, match="Compression level should be between 0 and 9"):
        encode_png(mt.zeros(3, 2, 2, dtype=mt.uint8), compression_level=10)
    with pytest.raises(ValueError, match="Image quality should be a positive number between 1 and 100"):
        encode_jpeg(mt.zeros(3, 2, 2, dtype=mt.uint8), quality=0)


def test_gif_frames_decode_as_pillow_composes_them(tmp_path):
    frames = [Image.fromarray(RGB).quantize(16), Image.fromarray(RGB[::-1].copy()).quantize(16)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    want = np.stack([_chw(np.asarray(f.convert("RGB"))) for f in ImageSequence.Iterator(Image.open(path))])
    for images in [decode_gif(read_file(path)), decode_image(read_file(path)), read_image(path, mode="GRAY")]:
        assert images.dtype == mt.uint8 and tuple(images.shape) == (2, 3, 5, 7)
        np.testing.assert_array_equal(images.numpy(), want)
    single = tmp_path / "single.gif"
    frames[0].save(single)
    image = decode_gif(read_file(single))
    assert tuple(image.shape) == (3, 5, 7)
    np.testing.assert_array_equal(image.numpy(), _chw(np.asarray(Image.open(single).convert("RGB"))))
    with pytest.raises(RuntimeError, match="Content is not a GIF"):
        decode_gif(encode_png(mt.zeros(3, 2, 2, dtype=mt.uint8)))


def test_webp_decodes_losslessly_with_its_alpha(tmp_path):
    rgba = np.dstack([RGB, ALPHA])
    path = tmp_path / "image.webp"
    Image.fromarray(rgba).save(path, lossless=True)
    image = decode_webp(read_file(path))
    assert tuple(image.shape) == (4, 5, 7)
    np.testing.assert_array_equal(image.numpy(), _chw(rgba))
    np.testing.assert_array_equal(decode_image(read_file(path), mode="RGB").numpy(), _chw(RGB))
    np.testing.assert_array_equal(decode_webp(read_file(path), mode=ImageReadMode.RGB).numpy(), _chw(RGB))
    with pytest.raises(RuntimeError, match="Content is not a WebP file"):
        decode_webp(encode_png(mt.zeros(3, 2, 2, dtype=mt.uint8)))
