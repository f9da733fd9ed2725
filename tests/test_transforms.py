"""minitorch_nn.vision.transforms against torchvision's documented behaviour.

PIL numerics are checked against Pillow called directly (as torchvision calls it), tensor numerics
against torch's own ops, and the random transforms against torch's generator making the same draws
torchvision makes, after the same manual_seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch as real_torch
from PIL import Image, ImageEnhance, ImageOps

import minitorch_nn as torch
import minitorch_nn.vision as torchvision

T = torchvision.transforms
TF = torchvision.transforms.functional


def rgb(h: int = 5, w: int = 4, seed: int = 0) -> Image.Image:
    return Image.fromarray(np.random.RandomState(seed).randint(0, 256, size=(h, w, 3)).astype(np.uint8))


def chw(seed: int = 0, shape=(3, 5, 4)) -> np.ndarray:
    return np.random.RandomState(seed).rand(*shape).astype(np.float32)


# ---- conversions ---------------------------------------------------------------------------------


def test_to_tensor_pil_and_ndarray():
    img = rgb()
    x = T.ToTensor()(img)
    assert x.dtype == torch.float32 and x.shape == torch.Size([3, 5, 4])
    np.testing.assert_allclose(x.numpy(), np.asarray(img).transpose(2, 0, 1) / 255.0, rtol=1e-6)
    gray = T.ToTensor()(img.convert("L"))
    assert gray.shape == torch.Size([1, 5, 4])
    binary = T.ToTensor()(img.convert("1"))
    assert set(np.unique(binary.numpy())) <= {0.0, 1.0}
    hwc_float = np.random.RandomState(1).rand(2, 3, 2)
    y = T.ToTensor()(hwc_float)
    assert y.dtype == torch.float64 and y.shape == torch.Size([2, 2, 3])  # non-uint8 arrays keep their values
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])
    assert repr(T.ToTensor()) == "ToTensor()"


def test_pil_to_tensor_and_back():
    img = rgb()
    x = T.PILToTensor()(img)
    assert x.dtype == torch.uint8
    np.testing.assert_array_equal(x.numpy(), np.asarray(img).transpose(2, 0, 1))
    assert np.array_equal(np.asarray(T.ToPILImage()(x)), np.asarray(img))
    back = T.ToPILImage()(T.ToTensor()(img))
    assert back.mode == "RGB"
    # float data is scaled by 255 and truncated, as torchvision's mul(255).byte()
    expected = (np.asarray(img).transpose(2, 0, 1) / np.float32(255) * 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(back), expected)
    assert T.ToPILImage()(torch.zeros(1, 2, 2)).mode == "L"
    assert T.ToPILImage()(torch.zeros(4, 2, 2)).mode == "RGBA"
    assert T.ToPILImage()(torch.zeros(2, 2, 2)).mode == "LA"
    assert T.ToPILImage(mode="F")(torch.zeros(1, 2, 2)).mode == "F"
    with pytest.raises(ValueError, match="pic should not have > 4 channels. Got 5 channels."):
        T.ToPILImage()(torch.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToPILImage()(torch.zeros(1, 1, 2, 2))
    assert repr(T.ToPILImage()) == "ToPILImage()" and repr(T.ToPILImage("RGB")) == "ToPILImage(mode=RGB)"


def test_convert_image_dtype():
    u8 = torch.tensor([[[0, 128, 255]]], dtype=torch.uint8)
    f = T.ConvertImageDtype(torch.float32)(u8)
    np.testing.assert_allclose(f.numpy(), np.array([[[0, 128, 255]]]) / 255.0, rtol=1e-6)
    back = T.ConvertImageDtype(torch.uint8)(f)
    np.testing.assert_array_equal(back.numpy(), u8.numpy())
    # float -> uint8 scales by 256 - eps, so 1.0 lands on 255
    np.testing.assert_array_equal(
        TF.convert_image_dtype(torch.tensor([0.0, 0.5, 1.0]), torch.uint8).numpy(), [0, 127, 255]
    )
    np.testing.assert_array_equal(TF.convert_image_dtype(u8, torch.int16).numpy(), u8.numpy().astype(np.int16) * 128)
    with pytest.raises(RuntimeError, match="The cast from torch.float32 to torch.int32 cannot be performed safely."):
        TF.convert_image_dtype(f, torch.int32)
    assert repr(T.ConvertImageDtype(torch.float32)) == "ConvertImageDtype()"


def test_normalize_matches_torch_and_inplace():
    data = chw()
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]
    x = torch.tensor(data)
    y = T.Normalize(mean, std)(x)
    expected = (real_torch.tensor(data) - real_torch.tensor(mean).view(-1, 1, 1)) / real_torch.tensor(std).view(
        -1, 1, 1
    )
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), data)  # not in place by default
    z = T.Normalize(mean, std, inplace=True)(x)
    assert z is x
    np.testing.assert_allclose(x.numpy(), expected.numpy(), rtol=1e-6)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        T.Normalize(mean, std)(torch.zeros(3, 2, 2, dtype=torch.uint8))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C, H, W\)"):
        T.Normalize(mean, std)(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to torch.float32"):
        T.Normalize(mean, [1, 0, 1])(torch.zeros(3, 2, 2))
    assert repr(T.Normalize(mean, std)) == "Normalize(mean=[0.5, 0.4, 0.3], std=[0.2, 0.25, 0.5])"


def test_normalize_is_differentiable():
    x = torch.tensor(chw(), requires_grad=True)
    T.Normalize([0.1, 0.2, 0.3], [2.0, 4.0, 8.0])(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[:, 0, 0], [0.5, 0.25, 0.125])


# ---- resize ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode,pil_filter",
    [
        (T.InterpolationMode.NEAREST, Image.NEAREST),
        (T.InterpolationMode.BILINEAR, Image.BILINEAR),
        (T.InterpolationMode.BICUBIC, Image.BICUBIC),
        (T.InterpolationMode.LANCZOS, Image.LANCZOS),
        (T.InterpolationMode.BOX, Image.BOX),
        (T.InterpolationMode.HAMMING, Image.HAMMING),
    ],
)
def test_resize_pil_uses_pillow_with_the_same_filter(mode, pil_filter):
    img = rgb(7, 9)
    out = T.Resize((4, 5), interpolation=mode)(img)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((5, 4), pil_filter)))


def test_resize_smaller_edge_and_max_size():
    img = rgb(6, 9)  # h=6, w=9
    assert T.Resize(4)(img).size == (6, 4)  # smaller edge 6 -> 4, the other int(4 * 9 / 6)
    assert T.Resize([4])(img).size == (6, 4)
    assert T.Resize(4, max_size=5)(img).size == (5, 3)  # the long edge capped at 5
    assert T.Resize((6, 9))(img) is img  # same size: returned as it is
    with pytest.raises(ValueError, match=r"max_size = 4 must be strictly greater than the requested size"):
        T.Resize(4, max_size=4)(img)
    with pytest.raises(TypeError, match="Size should be int or sequence. Got <class 'float'>"):
        T.Resize(3.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))
    assert repr(T.Resize((32, 32))) == "Resize(size=(32, 32), interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.Resize(8, T.InterpolationMode.NEAREST, 10, False)) == (
        "Resize(size=8, interpolation=nearest, max_size=10, antialias=False)"
    )
    assert T.Resize(4, interpolation=0).interpolation is T.InterpolationMode.NEAREST  # Pillow's integer constants


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_tensor_matches_torch_interpolate(mode, antialias):
    data = chw(2, (3, 8, 6))
    out = T.Resize((5, 3), interpolation=T.InterpolationMode(mode), antialias=antialias)(torch.tensor(data))
    aa = antialias and mode != "nearest"
    align = False if mode != "nearest" else None
    expected = real_torch.nn.functional.interpolate(
        real_torch.tensor(data)[None], size=(5, 3), mode=mode, align_corners=align, antialias=aa
    )[0]
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_resize_uint8_tensor_rounds_back():
    data = np.random.RandomState(3).randint(0, 256, size=(3, 6, 6)).astype(np.uint8)
    out = T.Resize((4, 4), interpolation=T.InterpolationMode.BICUBIC)(torch.tensor(data))
    assert out.dtype == torch.uint8
    ref = real_torch.nn.functional.interpolate(
        real_torch.tensor(data, dtype=real_torch.float32)[None],
        size=(4, 4),
        mode="bicubic",
        align_corners=False,
        antialias=True,
    )[0]
    np.testing.assert_array_equal(out.numpy(), ref.clamp(0, 255).round().to(real_torch.uint8).numpy())


# ---- crops, pads, flips ---------------------------------------------------------------------------


def test_center_crop_pil_and_tensor():
    img = rgb(7, 6)
    out = T.CenterCrop((3, 4))(img)
    # top = round((7 - 3) / 2) = 2, left = round((6 - 4) / 2) = 1
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img)[2:5, 1:5])
    x = torch.tensor(chw(0, (3, 7, 6)))
    np.testing.assert_array_equal(T.CenterCrop(3)(x).numpy(), x.numpy()[:, 2:5, 2:5])
    # odd margins round half to even, as torchvision's int(round(...)): 1.5 -> 2, 2.5 -> 2
    y = torch.tensor(chw(1, (3, 6, 8)))
    np.testing.assert_array_equal(T.CenterCrop(3)(y).numpy(), y.numpy()[:, 2:5, 2:5])
    big = T.CenterCrop((9, 8))(x)  # larger than the image: zero padding around it
    assert big.shape == torch.Size([3, 9, 8])
    np.testing.assert_array_equal(big.numpy()[:, 1:8, 1:7], x.numpy())
    assert big.numpy()[:, 0].sum() == 0
    assert repr(T.CenterCrop(3)) == "CenterCrop(size=(3, 3))"
    with pytest.raises(ValueError, match=r"Please provide only two dimensions \(h, w\) for size."):
        T.CenterCrop((1, 2, 3))


@pytest.mark.parametrize("padding_mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [1, (1, 2), (1, 2, 0, 3)])
def test_pad_pil_and_tensor(padding_mode, padding):
    img = rgb(4, 5)
    left, top, right, bottom = {1: (1, 1, 1, 1), (1, 2): (1, 2, 1, 2), (1, 2, 0, 3): (1, 2, 0, 3)}[padding]
    np_mode = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[padding_mode]
    expected = np.pad(np.asarray(img), ((top, bottom), (left, right), (0, 0)), np_mode)
    if padding_mode == "constant":
        expected = np.asarray(ImageOps.expand(img, border=(left, top, right, bottom), fill=(0, 0, 0)))
    out = T.Pad(padding, padding_mode=padding_mode)(img)
    np.testing.assert_array_equal(np.asarray(out), expected)
    tensor_out = T.Pad(padding, padding_mode=padding_mode)(T.PILToTensor()(img))
    np.testing.assert_array_equal(tensor_out.numpy(), expected.transpose(2, 0, 1))


def test_pad_fill_and_errors():
    img = rgb(2, 2)
    out = np.asarray(T.Pad(1, fill=7)(img))
    assert (out[0] == 7).all()  # an int fill fills every band
    out = np.asarray(T.Pad(1, fill=(1, 2, 3))(img))
    np.testing.assert_array_equal(out[0, 0], [1, 2, 3])
    x = T.Pad(1, fill=5)(torch.zeros(1, 2, 2))
    assert x.numpy()[0, 0, 0] == 5
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        T.Pad("1")


def torch_crop_draws(seed: int, h: int, w: int, th: int, tw: int) -> tuple[int, int]:
    real_torch.manual_seed(seed)
    i = real_torch.randint(0, h - th + 1, size=(1,)).item()
    j = real_torch.randint(0, w - tw + 1, size=(1,)).item()
    return i, j


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_random_crop_draws_as_torchvision(seed):
    img = rgb(6, 7)
    torch.manual_seed(seed)
    out = T.RandomCrop((3, 4))(img)
    i, j = torch_crop_draws(seed, 6, 7, 3, 4)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img)[i : i + 3, j : j + 4])
    # with padding 2: the crop is drawn on the padded 10 x 11 image
    torch.manual_seed(seed)
    x = torch.tensor(chw(seed, (3, 6, 7)))
    out = T.RandomCrop(5, padding=2)(x)
    i, j = torch_crop_draws(seed, 10, 11, 5, 5)
    padded = np.pad(x.numpy(), ((0, 0), (2, 2), (2, 2)))
    np.testing.assert_array_equal(out.numpy(), padded[:, i : i + 5, j : j + 5])


def test_random_crop_pad_if_needed_and_errors():
    img = rgb(3, 3)
    torch.manual_seed(0)
    out = T.RandomCrop(5, pad_if_needed=True, fill=9)(img)
    # torchvision pads each short side by the whole shortfall on both borders (3 -> 7), then crops
    padded = np.asarray(ImageOps.expand(img, border=2, fill=(9, 9, 9)))
    i, j = torch_crop_draws(0, 7, 7, 5, 5)
    np.testing.assert_array_equal(np.asarray(out), padded[i : i + 5, j : j + 5])
    with pytest.raises(ValueError, match=r"Required crop size \(5, 5\) is larger than input image size \(3, 3\)"):
        T.RandomCrop(5)(img)
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"


@pytest.mark.parametrize("seed", [0, 3])
def test_random_resized_crop_draws_as_torchvision(seed):
    img = rgb(8, 10)
    scale, ratio = (0.08, 1.0), (3 / 4, 4 / 3)
    torch.manual_seed(seed)
    out = T.RandomResizedCrop(4)(img)
    # torchvision's get_params with torch's generator
    real_torch.manual_seed(seed)
    log_ratio = real_torch.log(real_torch.tensor(ratio))
    for _ in range(10):
        target_area = 80 * real_torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect = real_torch.exp(real_torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        w = int(round(math.sqrt(target_area * aspect)))
        h = int(round(math.sqrt(target_area / aspect)))
        if 0 < w <= 10 and 0 < h <= 8:
            i = real_torch.randint(0, 8 - h + 1, size=(1,)).item()
            j = real_torch.randint(0, 10 - w + 1, size=(1,)).item()
            break
    expected = img.crop((j, i, j + w, i + h)).resize((4, 4), Image.BILINEAR)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert repr(T.RandomResizedCrop(4)) == (
        "RandomResizedCrop(size=(4, 4), scale=(0.08, 1.0), ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)"
    )


def test_random_resized_crop_falls_back_to_the_center():
    # a scale that never fits (area 20x the image) leaves the central crop of the ratio's bound
    i, j, h, w = T.RandomResizedCrop.get_params(rgb(4, 12), scale=(20.0, 20.0), ratio=(1.0, 2.0))
    assert (i, j, h, w) == (0, 2, 4, 8)
    with pytest.warns(UserWarning, match=r"Scale and ratio should be of kind \(min, max\)"):
        T.RandomResizedCrop(4, scale=(1.0, 0.5))
    with pytest.raises(TypeError, match="Scale should be a sequence"):
        T.RandomResizedCrop(4, scale=0.5)


@pytest.mark.parametrize(
    "cls,flip", [(T.RandomHorizontalFlip, Image.FLIP_LEFT_RIGHT), (T.RandomVerticalFlip, Image.FLIP_TOP_BOTTOM)]
)
def test_random_flips_draw_as_torchvision(cls, flip):
    img = rgb()
    torch.manual_seed(5)
    outs = [cls()(img) for _ in range(8)]
    real_torch.manual_seed(5)
    draws = [bool(real_torch.rand(1) < 0.5) for _ in range(8)]
    assert True in draws and False in draws
    for out, flipped in zip(outs, draws):
        np.testing.assert_array_equal(np.asarray(out), np.asarray(img.transpose(flip) if flipped else img))
    x = torch.tensor(chw())
    axis = -1 if cls is T.RandomHorizontalFlip else -2
    np.testing.assert_array_equal(cls(p=1.0)(x).numpy(), np.flip(x.numpy(), axis))
    assert cls(p=0.0)(x) is x
    assert repr(cls(0.3)) == f"{cls.__name__}(p=0.3)"


def test_random_rotation_uses_pillow_rotate():
    img = rgb(6, 6)
    torch.manual_seed(2)
    out = T.RandomRotation(30, fill=5)(img)
    real_torch.manual_seed(2)
    angle = float(real_torch.empty(1).uniform_(-30.0, 30.0).item())
    expected = img.rotate(angle, Image.NEAREST, False, None, fillcolor=(5, 5, 5))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert (
        repr(T.RandomRotation(10))
        == "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)"
    )
    assert repr(T.RandomRotation((0, 90), center=(1, 2))) == (
        "RandomRotation(degrees=[0.0, 90.0], interpolation=nearest, expand=False, center=(1, 2), fill=0)"
    )
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive."):
        T.RandomRotation(-1)
    with pytest.raises(ValueError, match="If degrees is a sequence, it must be of len 2."):
        T.RandomRotation((1, 2, 3))
    with pytest.raises(ValueError, match="Interpolation mode 'bicubic' is unsupported with Tensor input"):
        TF.rotate(torch.zeros(3, 2, 2), 10.0, T.InterpolationMode.BICUBIC)


def torchvision_rotate_in_torch(
    data: np.ndarray, angle: float, mode: str, expand: bool, fill: list[float]
) -> np.ndarray:
    """torchvision's tensor rotation written out with torch: inverse matrix, affine grid, grid_sample, fill mask."""
    img = real_torch.tensor(data)[None]
    rot = math.radians(-angle)
    matrix = [math.cos(rot), math.sin(rot), 0.0, -math.sin(rot), math.cos(rot), 0.0]
    h, w = data.shape[-2:]
    ow, oh = w, h
    if expand:
        pts = real_torch.tensor(
            [[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]]
        )
        new_pts = pts @ real_torch.tensor(matrix).view(2, 3).T
        size = real_torch.ceil((new_pts.max(0)[0] / 1e-4).trunc() * 1e-4) - real_torch.floor(
            (new_pts.min(0)[0] / 1e-4).trunc() * 1e-4
        )
        ow, oh = int(size[0]), int(size[1])
    theta = real_torch.tensor(matrix).reshape(1, 2, 3)
    base = real_torch.empty(1, oh, ow, 3)
    base[..., 0] = real_torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow)
    base[..., 1] = real_torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh).unsqueeze(-1)
    base[..., 2] = 1
    grid = (
        base.view(1, oh * ow, 3).bmm(theta.transpose(1, 2) / real_torch.tensor([0.5 * w, 0.5 * h])).view(1, oh, ow, 2)
    )
    img = real_torch.cat((img, real_torch.ones_like(img[:, :1])), 1)
    out = real_torch.nn.functional.grid_sample(img, grid, mode=mode, padding_mode="zeros", align_corners=False)
    mask, out = out[:, -1:].expand_as(out[:, :-1]), out[:, :-1]
    fill_img = real_torch.tensor(fill).view(1, -1, 1, 1).expand_as(out)
    out = real_torch.where(mask < 0.5, fill_img, out) if mode == "nearest" else out * mask + (1 - mask) * fill_img
    return out[0].numpy()


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("expand", [False, True])
def test_rotate_tensor_as_torchvision(mode, expand):
    data = chw(5, (3, 5, 6))
    out = TF.rotate(torch.tensor(data), 33.0, T.InterpolationMode(mode), expand=expand, fill=[0.1, 0.2, 0.3])
    expected = torchvision_rotate_in_torch(data, 33.0, mode, expand, [0.1, 0.2, 0.3])
    assert out.shape == torch.Size(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    # a quarter turn of the nearest kind moves pixels exactly
    square = chw(6, (1, 4, 4))
    turned = TF.rotate(torch.tensor(square), 90.0)
    np.testing.assert_array_equal(turned.numpy(), np.rot90(square, 1, axes=(1, 2)))
    torch.manual_seed(0)
    assert T.RandomRotation(20)(torch.tensor(data)).shape == torch.Size([3, 5, 6])


# ---- colour ---------------------------------------------------------------------------------------


def test_color_jitter_pil_draws_and_order():
    img = rgb(4, 4)
    jitter = T.ColorJitter(brightness=0.4, contrast=0.3, saturation=0.2, hue=0.1)
    torch.manual_seed(11)
    out = jitter(img)
    real_torch.manual_seed(11)
    order = real_torch.randperm(4).tolist()
    b = float(real_torch.empty(1).uniform_(0.6, 1.4))
    c = float(real_torch.empty(1).uniform_(0.7, 1.3))
    s = float(real_torch.empty(1).uniform_(0.8, 1.2))
    h = float(real_torch.empty(1).uniform_(-0.1, 0.1))
    expected = img
    for k in order:
        if k == 0:
            expected = ImageEnhance.Brightness(expected).enhance(b)
        elif k == 1:
            expected = ImageEnhance.Contrast(expected).enhance(c)
        elif k == 2:
            expected = ImageEnhance.Color(expected).enhance(s)
        else:
            hh, ss, vv = expected.convert("HSV").split()
            shifted = ((np.array(hh).astype(np.int16) + int(h * 255)) % 256).astype(np.uint8)
            expected = Image.merge("HSV", (Image.fromarray(shifted, "L"), ss, vv)).convert("RGB")
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert (
        repr(jitter)
        == "ColorJitter(brightness=(0.6, 1.4), contrast=(0.7, 1.3), saturation=(0.8, 1.2), hue=(-0.1, 0.1))"
    )
    assert repr(T.ColorJitter()) == "ColorJitter(brightness=None, contrast=None, saturation=None, hue=None)"


def test_color_jitter_arguments():
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0)  # the lower bound clipped at 0
    assert T.ColorJitter(contrast=[0.5, 1.5]).contrast == (0.5, 1.5)
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non negative."):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\), but got \[-0.7, 0.7\]."):
        T.ColorJitter(hue=0.7)
    with pytest.raises(TypeError, match="saturation should be a single number or a list/tuple with length 2."):
        T.ColorJitter(saturation=(1, 2, 3))


def test_tensor_colour_adjustments_match_their_formulas():
    data = chw(4, (3, 3, 3))
    x = torch.tensor(data)
    gray = 0.2989 * data[0] + 0.587 * data[1] + 0.114 * data[2]
    np.testing.assert_allclose(TF.adjust_brightness(x, 1.5).numpy(), np.clip(1.5 * data, 0, 1), rtol=1e-6)
    mean = gray.mean()
    np.testing.assert_allclose(TF.adjust_contrast(x, 0.5).numpy(), np.clip(0.5 * data + 0.5 * mean, 0, 1), rtol=1e-5)
    np.testing.assert_allclose(TF.adjust_saturation(x, 0.3).numpy(), np.clip(0.3 * data + 0.7 * gray, 0, 1), rtol=1e-5)
    # a hue shift of 0 returns the image, a full turn of 0.5 twice as well
    np.testing.assert_allclose(TF.adjust_hue(x, 0.0).numpy(), data, atol=1e-6)
    np.testing.assert_allclose(TF.adjust_hue(TF.adjust_hue(x, 0.5), -0.5).numpy(), data, atol=1e-5)
    # pure red shifted by a third of the wheel is pure green
    red = torch.tensor(np.array([[[1.0]], [[0.0]], [[0.0]]], dtype=np.float32))
    np.testing.assert_allclose(TF.adjust_hue(red, 1 / 3).numpy().ravel(), [0, 1, 0], atol=1e-6)
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]."):
        TF.adjust_hue(x, 0.7)


def test_grayscale():
    img = rgb()
    np.testing.assert_array_equal(np.asarray(T.Grayscale()(img)), np.asarray(img.convert("L")))
    three = T.Grayscale(3)(img)
    assert three.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(three)[..., 2], np.asarray(img.convert("L")))
    data = chw()
    out = T.Grayscale()(torch.tensor(data))
    np.testing.assert_allclose(out.numpy()[0], 0.2989 * data[0] + 0.587 * data[1] + 0.114 * data[2], rtol=1e-6)
    assert T.Grayscale(3)(torch.tensor(data)).shape == torch.Size([3, 5, 4])
    assert repr(T.Grayscale()) == "Grayscale(num_output_channels=1)"


# ---- composition ------------------------------------------------------------------------------------


def test_compose_lambda_random_apply():
    pipeline = T.Compose([T.Resize((2, 2)), T.ToTensor(), T.Lambda(lambda t: t * 2)])
    out = pipeline(rgb())
    np.testing.assert_allclose(
        out.numpy(), np.asarray(rgb().resize((2, 2), Image.BILINEAR)).transpose(2, 0, 1) / 255 * 2, rtol=1e-6
    )
    assert repr(pipeline) == (
        "Compose(\n    Resize(size=(2, 2), interpolation=bilinear, max_size=None, antialias=True)\n    ToTensor()\n    Lambda()\n)"
    )
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    flip = T.RandomApply([T.Lambda(lambda t: t + 1)], p=0.5)
    torch.manual_seed(0)
    outs = [flip(0) for _ in range(6)]
    real_torch.manual_seed(0)
    assert outs == [0 if 0.5 < real_torch.rand(1) else 1 for _ in range(6)]
    assert repr(T.RandomApply([T.ToTensor()], p=0.3)) == "RandomApply(\n    p=0.3\n    ToTensor()\n)"


# ---- torchvision.utils -----------------------------------------------------------------------------


def test_make_grid_layout_and_padding():
    batch = np.random.RandomState(0).rand(5, 3, 2, 3).astype(np.float32)
    grid = torchvision.utils.make_grid(torch.tensor(batch), nrow=2, padding=1, pad_value=0.5)
    # 2 per row, 3 rows: (rows*(H+pad)+pad, cols*(W+pad)+pad)
    assert grid.shape == torch.Size([3, 3 * 3 + 1, 2 * 4 + 1])
    g = grid.numpy()
    np.testing.assert_array_equal(g[:, 1:3, 1:4], batch[0])
    np.testing.assert_array_equal(g[:, 4:6, 5:8], batch[3])
    np.testing.assert_array_equal(g[:, 7:9, 1:4], batch[4])
    assert (g[:, 0] == 0.5).all() and (g[:, 7:9, 5:8] == 0.5).all()
    gray = torchvision.utils.make_grid([torch.zeros(1, 2, 2), torch.ones(1, 2, 2)], padding=0)
    assert gray.shape == torch.Size([3, 2, 4])  # one channel repeated to three
    single = torchvision.utils.make_grid(torch.tensor(batch[:1]))
    np.testing.assert_array_equal(single.numpy(), batch[0])


def test_make_grid_normalize_and_save_image(tmp_path):
    batch = np.array([[[[0.0, 2.0]]], [[[4.0, 8.0]]]], dtype=np.float32)
    whole = torchvision.utils.make_grid(torch.tensor(batch), padding=0, normalize=True).numpy()
    np.testing.assert_allclose(whole[0], [[0.0, 0.25, 0.5, 1.0]])
    each = torchvision.utils.make_grid(torch.tensor(batch), padding=0, normalize=True, scale_each=True).numpy()
    np.testing.assert_allclose(each[0], [[0.0, 1.0, 0.0, 1.0]])
    ranged = torchvision.utils.make_grid(torch.tensor(batch), padding=0, normalize=True, value_range=(0.0, 4.0)).numpy()
    np.testing.assert_allclose(ranged[0], [[0.0, 0.5, 1.0, 1.0]])
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        torchvision.utils.make_grid(torch.tensor(batch), normalize=True, value_range=[0, 1])
    images = np.random.RandomState(1).rand(2, 3, 3, 4).astype(np.float32)
    path = tmp_path / "grid.png"
    torchvision.utils.save_image(torch.tensor(images), str(path), padding=0)
    saved = np.asarray(Image.open(path))
    expected = np.clip(np.concatenate(list(images), axis=2) * 255 + 0.5, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    np.testing.assert_array_equal(saved, expected)
