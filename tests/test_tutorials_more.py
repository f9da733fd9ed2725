"""The programs torch users write first, past "Learning PyTorch with Examples", in both engines.

Each program follows one of PyTorch's tutorials (its APIs and its structure, on data small enough to
run in a second): the Quickstart, Autograd mechanics, "What is torch.nn really?", transfer learning,
DCGAN and the char-RNN name classifier. A program is written once against the torch API and run with
``lib=torch`` and ``lib=minitorch_nn`` after the same ``manual_seed``; it returns the numbers it
reached (losses, accuracies, weights), which must agree at float32 tolerance. torchvision is not
installed beside torch here, so where a program reads images through ``vision`` the torch run gets
the same samples from a plain torch Dataset reading the same files (the vision side is checked by
hand against those files), and random transforms are checked by what they must produce.
"""

from __future__ import annotations

import copy
import os
import struct
from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
import minitorch_nn.vision as mt_vision

# --- data: FashionMNIST's files in the real IDX format, written by the test ------------------------------


def write_idx(path: str, array: np.ndarray) -> None:
    """An IDX file: two zero bytes, type code 0x08 (uint8), the number of dims, each dim big-endian."""
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x08, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.astype(np.uint8).tobytes())


def fake_fashion_mnist(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """28x28 uint8 images, dark but for noise and a bright band of rows whose place is the class."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 10, size=n)
    images = rng.randint(0, 40, size=(n, 28, 28))
    for image, label in zip(images, labels):
        image[2 + 2 * label : 5 + 2 * label] += 200
    return images.astype(np.uint8), labels.astype(np.uint8)


def write_fashion_mnist(root: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw)
    splits = {"train": fake_fashion_mnist(96, 1), "t10k": fake_fashion_mnist(32, 2)}
    for prefix, (images, labels) in splits.items():
        write_idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte"), images)
        write_idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte"), labels)
    return splits


class ArrayImages(torch.utils.data.Dataset):
    """The torch run's stand-in for vision's dataset + ToTensor: (1, 28, 28) floats in [0, 1], int labels."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return torch.from_numpy(self.images[i].astype(np.float32) / 255.0)[None], int(self.labels[i])


def run_both(program, *args_per_lib, seed: int = 0):
    """(theirs, ours): the program run with torch, then with minitorch_nn, each after manual_seed(seed)."""
    results = []
    for lib, args in zip((torch, mt), args_per_lib):
        lib.manual_seed(seed)
        results.append(program(lib, *args))
    return results


# --- 1. Quickstart -----------------------------------------------------------------------------------------


def quickstart(torch: Any, training_data: Any, test_data: Any, folder: str) -> list[float]:
    nn, DataLoader = torch.nn, torch.utils.data.DataLoader  # `from torch import nn` as the parameter allows

    batch_size = 16
    train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    for X, y in test_dataloader:
        assert tuple(X.shape) == (batch_size, 1, 28, 28) and y.dtype == torch.int64
        break
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    record: list[float] = []

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 2 == 0:
                loss, current = loss.item(), (batch + 1) * len(X)
                record.append(loss)
                assert f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]"

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        record.extend([test_loss, correct])

    for _ in range(3):
        train(train_dataloader, model, loss_fn, optimizer)
        test(test_dataloader, model, loss_fn)

    path = os.path.join(folder, f"model_{torch.__name__}.pth")
    torch.save(model.state_dict(), path)
    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(path, weights_only=True))
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        x = x.to(device)
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
    assert predicted in classes and actual in classes
    record.append(float(pred[0].argmax(0).item()))
    record.extend(model.linear_relu_stack[4].bias.tolist())
    return record


def test_quickstart(tmp_path):
    splits = write_fashion_mnist(str(tmp_path))
    transform = mt_vision.transforms.ToTensor()
    ours_train = mt_vision.datasets.FashionMNIST(str(tmp_path), train=True, download=False, transform=transform)
    ours_test = mt_vision.datasets.FashionMNIST(str(tmp_path), train=False, download=True, transform=transform)
    # vision read the IDX files as the torch run's dataset reads them
    image, label = ours_test[3]
    assert isinstance(label, int) and label == splits["t10k"][1][3]
    np.testing.assert_allclose(image.numpy(), ArrayImages(*splits["t10k"])[3][0].numpy(), rtol=1e-6)
    assert ours_train.classes[9] == "Ankle boot" and len(ours_train) == 96
    theirs_data = (ArrayImages(*splits["train"]), ArrayImages(*splits["t10k"]))
    theirs, ours = run_both(quickstart, (*theirs_data, str(tmp_path)), (ours_train, ours_test, str(tmp_path)))
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    assert theirs[-13] > 0.5  # the last test accuracy: it learned the brightness classes


# --- 2. Autograd mechanics ---------------------------------------------------------------------------------


def autograd_mechanics(torch: Any) -> list[float]:
    out: list[float] = []
    # requires_grad_ on a tensor made without it; grad of a scalar with autograd.grad
    x = torch.randn(3, 4).requires_grad_()
    w = torch.randn(4, 2, requires_grad=True)
    y = (x @ w).tanh()
    z = y.pow(2).sum()
    gx, gw = torch.autograd.grad(z, (x, w), retain_graph=True)
    out += gx.flatten().tolist() + gw.flatten().tolist()
    z.backward()  # the graph was retained: a second pass fills .grad
    out += x.grad.flatten().tolist()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        z.backward()
    # (create_graph=True, gradients of gradients, is outside minitorch_nn: backward runs on arrays)
    # detach: no gradient flows through the detached branch
    b = torch.randn(3, requires_grad=True)
    c = b * 2
    d = c.detach()
    assert not d.requires_grad and d.grad_fn is None
    (c * d).sum().backward()
    out += b.grad.tolist()
    # the Jacobian-vector product example: backward with a vector, accumulation, zero_
    inp = torch.eye(4, 5, requires_grad=True)
    o = (inp + 1).pow(2).t()
    o.backward(torch.ones_like(o), retain_graph=True)
    out += inp.grad.flatten().tolist()
    o.backward(torch.ones_like(o), retain_graph=True)  # gradients accumulate
    out += inp.grad.flatten().tolist()
    inp.grad.zero_()
    o.backward(torch.ones_like(o), retain_graph=True)
    out += inp.grad.flatten().tolist()
    # no_grad, set_grad_enabled as a function and as a context manager, enable_grad inside no_grad
    with torch.no_grad():
        assert not (inp * 2).requires_grad
        with torch.enable_grad():
            assert (inp * 2).requires_grad
    is_train = False
    with torch.set_grad_enabled(is_train):
        assert not (inp * 2).requires_grad
    torch.set_grad_enabled(False)
    assert not torch.is_grad_enabled() and not (inp * 2).requires_grad
    torch.set_grad_enabled(True)
    assert torch.is_grad_enabled() and (inp * 2).requires_grad

    @torch.no_grad()
    def doubler(t):
        return t * 2

    assert not doubler(inp).requires_grad
    with torch.inference_mode():
        assert not (inp * 2).requires_grad
    # hooks on tensors: one changes the gradient, one records it; retain_grad on an intermediate
    e = torch.randn(4, requires_grad=True)
    seen = []
    e.register_hook(lambda grad: grad * 3)
    h = e.exp()
    h.retain_grad()
    handle = h.register_hook(lambda grad: seen.append(grad.clone()))
    (h * torch.arange(4.0)).sum().backward()
    out += e.grad.tolist() + h.grad.tolist() + seen[0].tolist()
    handle.remove()
    e.grad = None
    (e.exp() * 2).sum().backward()
    out += e.grad.tolist()
    assert len(seen) == 1
    # leaves, is_leaf and grad_fn; a frozen parameter gets no grad
    model = torch.nn.Linear(4, 2)
    model.weight.requires_grad = False
    model(torch.randn(3, 4)).sum().backward()
    assert model.weight.grad is None and model.bias.grad is not None
    assert model.weight.is_leaf and not model(torch.randn(1, 4)).is_leaf
    out += model.bias.grad.tolist()
    return out


def test_autograd_mechanics():
    theirs, ours = run_both(autograd_mechanics, (), ())
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# --- the gaps the programs found, each checked on its own against torch ---------------------------------------


def grad_mode_states(torch: Any) -> list[tuple[bool, bool, bool]]:
    """(grad enabled, inference mode, result requires grad) through the grad-mode managers and decorators."""
    x = torch.ones(2, requires_grad=True)
    states = []

    def note():
        states.append((torch.is_grad_enabled(), torch.is_inference_mode_enabled(), (x * 2).requires_grad))

    with torch.inference_mode():
        note()
        with torch.inference_mode(False):
            note()
        with torch.no_grad(), torch.inference_mode(mode=False):
            note()
    note()
    with torch.no_grad():
        with torch.inference_mode(False):
            note()
    for decorator in (torch.inference_mode, torch.inference_mode(), torch.no_grad, torch.no_grad()):
        decorated = decorator(note)
        decorated()
        assert decorated.__name__ == "note"
    with torch.no_grad():
        torch.enable_grad(note)()
    torch.set_grad_enabled(False)(note)()
    return states


def test_inference_mode_and_bare_grad_mode_decorators_match_torch():
    assert grad_mode_states(mt) == grad_mode_states(torch)


# --- 3. What is torch.nn really? ---------------------------------------------------------------------------


def nn_really(torch: Any, x_train: Any, y_train: Any, x_valid: Any, y_valid: Any) -> list[float]:
    import math

    nn, F, optim = torch.nn, torch.nn.functional, torch.optim
    TensorDataset, DataLoader = torch.utils.data.TensorDataset, torch.utils.data.DataLoader
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    assert y_train.min() == 0 and y_train.max() == 9
    out: list[float] = []

    # from scratch: weights by hand (Xavier), log_softmax, negative log-likelihood, manual updates
    weights = torch.randn(784, 10) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    loss_func = nll
    bs, lr, epochs = 16, 0.5, 2
    xb, yb = x_train[0:bs], y_train[0:bs]
    out += [loss_func(model(xb), yb).item(), accuracy(model(xb), yb).item()]
    for _ in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    out += [loss_func(model(xb), yb).item(), accuracy(model(xb), yb).item()]

    # F.cross_entropy replaces log_softmax + nll
    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    out.append(loss_func(model(xb), yb).item())

    # nn.Module with nn.Parameter, then nn.Linear, then optim, then TensorDataset and DataLoader
    class Mnist_Logistic(nn.Module):  # noqa: N801  (the tutorial's name)
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()

    def fit_by_hand():
        for _ in range(epochs):
            for i in range((n - 1) // bs + 1):
                xb = x_train[i * bs : i * bs + bs]
                yb = y_train[i * bs : i * bs + bs]
                loss = loss_func(model(xb), yb)
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit_by_hand()
    out.append(loss_func(model(xb), yb).item())

    class Mnist_Logistic(nn.Module):  # noqa: N801  (the tutorial's name)
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    def get_model():
        model = Mnist_Logistic()
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    train_ds = TensorDataset(x_train, y_train)
    for _ in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs : i * bs + bs]
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
    out.append(loss_func(model(xb), yb).item())

    def get_data(train_ds, valid_ds, bs):
        return DataLoader(train_ds, batch_size=bs, shuffle=True), DataLoader(valid_ds, batch_size=bs * 2)

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for _ in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)
            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
            out.append(float(val_loss))

    valid_ds = TensorDataset(x_valid, y_valid)
    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    model, opt = get_model()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)

    # a CNN: F.relu on conv layers, F.avg_pool2d, then the same net as nn.Sequential with a Lambda
    class Mnist_CNN(nn.Module):  # noqa: N801
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 4)
            return xb.view(-1, xb.size(1))

    lr = 0.1
    model = Mnist_CNN()
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28), y

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl = dl
            self.func = func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield (self.func(*b))

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)
    model = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out += model[4].weight.flatten()[:20].tolist()
    return out


def test_what_is_torch_nn_really():
    arrays = []
    for seed, size in ((3, 80), (4, 40)):
        images, labels = fake_fashion_mnist(size, seed)
        arrays += [images.reshape(size, 784).astype(np.float32) / 255.0, labels.astype(np.int64)]
    theirs, ours = run_both(nn_really, arrays, arrays)
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    assert theirs[2] < theirs[0]  # the from-scratch model learned


# --- 4. Transfer learning ----------------------------------------------------------------------------------


def write_hymenoptera(root: str) -> None:
    """ants (reddish) and bees (bluish) JPEGs of assorted sizes under train/ and val/, as ImageFolder reads them."""
    from PIL import Image

    rng = np.random.RandomState(5)
    for phase, count in (("train", 4), ("val", 2)):
        for k, name in enumerate(("ants", "bees")):
            os.makedirs(os.path.join(root, phase, name))
            for i in range(count):
                h, w = rng.randint(18, 30, size=2)
                pixels = rng.randint(0, 80, size=(h, w, 3))
                pixels[..., 2 * k] += 160
                Image.fromarray(pixels.astype(np.uint8)).save(os.path.join(root, phase, name, f"{i}.jpg"))


def transfer_learning(torch: Any, models: Any, image_datasets: dict, pretrained: str) -> list[float]:
    nn, optim, lr_scheduler = torch.nn, torch.optim, torch.optim.lr_scheduler
    dataloaders = {
        x: torch.utils.data.DataLoader(image_datasets[x], batch_size=4, shuffle=True) for x in ("train", "val")
    }
    dataset_sizes = {x: len(image_datasets[x]) for x in ("train", "val")}
    class_names = image_datasets["train"].classes
    assert class_names == ["ants", "bees"]
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    record: list[float] = []

    def train_model(model, criterion, optimizer, scheduler, num_epochs):
        best_model_wts = copy.deepcopy(model.state_dict())
        best_acc = 0.0
        for epoch in range(num_epochs):
            assert f"Epoch {epoch}/{num_epochs - 1}"
            for phase in ["train", "val"]:
                if phase == "train":
                    model.train()
                else:
                    model.eval()
                running_loss = 0.0
                running_corrects = 0
                for inputs, labels in dataloaders[phase]:
                    inputs = inputs.to(device)
                    labels = labels.to(device)
                    optimizer.zero_grad()
                    with torch.set_grad_enabled(phase == "train"):
                        outputs = model(inputs)
                        _, preds = torch.max(outputs, 1)
                        loss = criterion(outputs, labels)
                        if phase == "train":
                            loss.backward()
                            optimizer.step()
                    running_loss += loss.item() * inputs.size(0)
                    running_corrects += torch.sum(preds == labels.data)
                if phase == "train":
                    scheduler.step()
                epoch_loss = running_loss / dataset_sizes[phase]
                epoch_acc = running_corrects.double() / dataset_sizes[phase]
                assert f"{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}"
                record.extend([epoch_loss, epoch_acc.item()])
                if phase == "val" and epoch_acc > best_acc:
                    best_acc = epoch_acc
                    best_model_wts = copy.deepcopy(model.state_dict())
        record.append(float(best_acc))
        model.load_state_dict(best_model_wts)
        return model

    # the ConvNet as a fixed feature extractor: freeze everything, then a new head (whose parameters
    # require grad) is the only thing the optimizer sees
    model_conv = models.resnet18(weights=pretrained)
    for param in model_conv.parameters():
        param.requires_grad = False
    torch.manual_seed(1)  # the head's draw: the two engines' builders drew differently above
    num_ftrs = model_conv.fc.in_features
    model_conv.fc = nn.Linear(num_ftrs, 2)
    model_conv = model_conv.to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer_conv = optim.SGD(model_conv.fc.parameters(), lr=0.01, momentum=0.9)
    exp_lr_scheduler = lr_scheduler.StepLR(optimizer_conv, step_size=1, gamma=0.1)
    assert sum(p.requires_grad for p in model_conv.parameters()) == 2
    model_conv = train_model(model_conv, criterion, optimizer_conv, exp_lr_scheduler, num_epochs=2)
    assert model_conv.layer1[0].conv1.weight.grad is None  # frozen: no gradient reached the backbone
    assert exp_lr_scheduler.get_last_lr() == [pytest.approx(0.0001)]
    # visualize_model's inference: eval mode, no_grad, preds per image
    model_conv.eval()
    with torch.no_grad():
        inputs, labels = next(iter(dataloaders["val"]))
        _, preds = torch.max(model_conv(inputs.to(device)), 1)
        assert class_names[preds[0]] in class_names
    record += model_conv.fc.weight.flatten()[:8].tolist() + model_conv.fc.bias.tolist()
    record += model_conv.bn1.running_mean[:4].tolist()  # train() mode updated the frozen net's statistics
    return record


class TorchBasicBlock(torch.nn.Module):
    """torchvision's BasicBlock, for the torch run (torchvision is not installed beside torch here)."""

    def __init__(self, inplanes: int, planes: int, stride: int) -> None:
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class TorchResNet18(torch.nn.Module):
    """torchvision's resnet18 layout (the same state_dict keys), loading ``weights`` from a torch.save file."""

    def __init__(self, weights: str) -> None:
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        widths = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
        for i, (inplanes, planes, stride) in enumerate(widths, 1):
            layer = nn.Sequential(TorchBasicBlock(inplanes, planes, stride), TorchBasicBlock(planes, planes, 1))
            setattr(self, f"layer{i}", layer)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, 1000)
        self.load_state_dict(torch.load(weights, weights_only=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TorchSamples(torch.utils.data.Dataset):
    """The torch run's view of one of our datasets: the same samples as torch tensors."""

    def __init__(self, ours: Any) -> None:
        self.ours, self.classes = ours, ours.classes

    def __len__(self) -> int:
        return len(self.ours)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        image, label = self.ours[i]
        return torch.from_numpy(image.numpy().copy()), label


def test_transfer_learning(tmp_path):
    import types

    from reference.bridge import save_torch_state_dict

    T = mt_vision.transforms
    write_hymenoptera(str(tmp_path / "hymenoptera_data"))
    mt.manual_seed(7)
    pretrained = str(tmp_path / "resnet18-f37072fd.pth")
    save_torch_state_dict(mt_vision.models.resnet18().state_dict(), pretrained)  # "ImageNet weights" of our own
    data_dir = str(tmp_path / "hymenoptera_data")
    # the tutorial's training transforms draw crops and flips: check what they produce
    normalize = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    train_tf = T.Compose([T.RandomResizedCrop(16), T.RandomHorizontalFlip(), T.ToTensor(), normalize])
    augmented = mt_vision.datasets.ImageFolder(os.path.join(data_dir, "train"), train_tf)
    assert len(augmented) == 8 and augmented.class_to_idx == {"ants": 0, "bees": 1}
    assert augmented.samples[0] == (os.path.join(data_dir, "train", "ants", "0.jpg"), 0)
    image, label = augmented[7]
    assert tuple(image.shape) == (3, 16, 16) and image.dtype == mt.float32 and label == 1
    assert image[2].mean().item() > image[0].mean().item()  # a bee: blue over red, wherever the crop fell
    batch, labels = next(iter(mt.utils.data.DataLoader(augmented, batch_size=4, shuffle=True)))
    assert tuple(batch.shape) == (4, 3, 16, 16) and labels.dtype == mt.int64
    # the deterministic (val) transforms feed both engines the same pixels
    val_tf = T.Compose([T.Resize(18), T.CenterCrop(16), T.ToTensor(), normalize])
    ours = {x: mt_vision.datasets.ImageFolder(os.path.join(data_dir, x), val_tf) for x in ("train", "val")}
    theirs = {x: TorchSamples(d) for x, d in ours.items()}
    torch_models = types.SimpleNamespace(resnet18=lambda weights: TorchResNet18(weights))
    theirs, ours = run_both(transfer_learning, (torch_models, theirs, pretrained), (mt_vision.models, ours, pretrained))
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    assert theirs[4] >= 0.5  # the best validation accuracy


# --- 5. DCGAN ------------------------------------------------------------------------------------------------


def dcgan(torch: Any, real_images: np.ndarray, vutils: Any) -> tuple[list[float], list[str], Any]:
    nn, optim = torch.nn, torch.optim
    nc, nz, ngf, ndf = 1, 8, 8, 8
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(real_images))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=8, shuffle=True)

    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            m.weight.data.normal_(0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0)

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.main = nn.Sequential(
                nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),  # 4x4
                nn.BatchNorm2d(ngf * 2),
                nn.ReLU(True),
                nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),  # 8x8
                nn.BatchNorm2d(ngf),
                nn.ReLU(True),
                nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),  # 16x16
                nn.Tanh(),
            )

        def forward(self, input):
            return self.main(input)

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.main = nn.Sequential(
                nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * 2),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
                nn.Sigmoid(),
            )

        def forward(self, input):
            return self.main(input)

    netG = Generator().to(device)
    netG.apply(weights_init)
    netD = Discriminator().to(device)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    fixed_noise = torch.randn(8, nz, 1, 1, device=device)
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
    img_list, G_losses, D_losses, record = [], [], [], []
    for _epoch in range(2):
        for _i, data in enumerate(dataloader, 0):
            # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            real_cpu = data[0].to(device)
            b_size = real_cpu.size(0)
            label = torch.full((b_size,), real_label, dtype=torch.float, device=device)
            output = netD(real_cpu).view(-1)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()
            noise = torch.randn(b_size, nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach()).view(-1)
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()
            # (2) update G: maximize log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake).view(-1)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()
            G_losses.append(errG.item())
            D_losses.append(errD.item())
            record += [D_x, D_G_z1, D_G_z2]
        with torch.no_grad():
            fake = netG(fixed_noise).detach().cpu()
        img_list.append(fake if vutils is None else vutils.make_grid(fake, padding=2, normalize=True))
    record += G_losses + D_losses + fake.flatten()[::7].tolist() + netG.main[1].running_var.tolist()
    return record, [str(netG), str(netD)], (fake, img_list)


def test_dcgan():
    rng = np.random.RandomState(6)
    real = np.tanh(rng.standard_normal((24, 1, 16, 16)) + np.linspace(-2, 2, 16)).astype(np.float32)
    (theirs, their_reprs, _), (ours, our_reprs, (fake, grids)) = run_both(dcgan, (real, None), (real, mt_vision.utils))
    assert our_reprs == their_reprs
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    # make_grid(normalize=True) on 8 one-channel 16x16 images: one row of tiles 2 pixels apart, three
    # channels, the batch scaled by its own min and max into [0, 1]
    grid = grids[-1].numpy()
    assert grid.shape == (3, 20, 2 + 8 * 18)
    images = fake.numpy()
    scaled = (images - images.min()) / (images.max() - images.min())
    for k in range(8):
        for c in range(3):
            np.testing.assert_allclose(grid[c, 2:18, 2 + 18 * k : 18 + 18 * k], scaled[k, 0], atol=1e-6)
    assert grid[:, :2].max() == 0.0 and grid[:, :, :2].max() == 0.0  # the padding


# --- 6. Char-RNN name classification ---------------------------------------------------------------------

NAMES = {
    "English": ["Abbott", "Ashworth", "Baker", "Bradley", "Clarke", "Dawson", "Fletcher", "Hughes"],
    "Italian": ["Abbadelli", "Bianchi", "Caruso", "Esposito", "Ferrari", "Gallo", "Ricci", "Romano"],
    "Polish": ["Adamczak", "Nowak", "Kowalski", "Wiśniewski", "Ślusàrski", "Zielinski", "Wozniak", "Krol"],
}


def char_rnn(torch: Any) -> list[float]:
    import random
    import string
    import unicodedata

    nn = torch.nn
    all_letters = string.ascii_letters + " .,;'"
    n_letters = len(all_letters)

    def unicodeToAscii(s):
        return "".join(
            c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn" and c in all_letters
        )

    assert unicodeToAscii("Ślusàrski") == "Slusarski"
    category_lines = {k: [unicodeToAscii(line) for line in v] for k, v in NAMES.items()}
    all_categories = list(category_lines)
    n_categories = len(all_categories)

    def letterToIndex(letter):
        return all_letters.find(letter)

    def letterToTensor(letter):
        tensor = torch.zeros(1, n_letters)
        tensor[0][letterToIndex(letter)] = 1
        return tensor

    def lineToTensor(line):
        tensor = torch.zeros(len(line), 1, n_letters)
        for li, letter in enumerate(line):
            tensor[li][0][letterToIndex(letter)] = 1
        return tensor

    assert letterToTensor("J").argmax().item() == 35 and tuple(lineToTensor("Jones").size()) == (5, 1, n_letters)

    # the hand-made RNN: two Linears on torch.cat((input, hidden), 1), LogSoftmax, NLLLoss, p.data.add_
    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.hidden_size = hidden_size
            self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
            self.i2o = nn.Linear(input_size + hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, input, hidden):
            combined = torch.cat((input, hidden), 1)
            hidden = self.i2h(combined)
            output = self.i2o(combined)
            output = self.softmax(output)
            return output, hidden

        def initHidden(self):
            return torch.zeros(1, self.hidden_size)

    n_hidden = 16
    rnn = RNN(n_letters, n_hidden, n_categories)

    def categoryFromOutput(output):
        top_n, top_i = output.topk(1)
        category_i = top_i[0].item()
        return all_categories[category_i], category_i

    def randomTrainingExample(rng):
        category = rng.choice(all_categories)
        line = rng.choice(category_lines[category])
        category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
        return category, line, category_tensor, lineToTensor(line)

    criterion = nn.NLLLoss()
    learning_rate = 0.05

    def train(category_tensor, line_tensor):
        hidden = rnn.initHidden()
        rnn.zero_grad()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        loss = criterion(output, category_tensor)
        loss.backward()
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)
        return output, loss.item()

    rng = random.Random(0)
    record = []
    for _ in range(60):
        category, line, category_tensor, line_tensor = randomTrainingExample(rng)
        output, loss = train(category_tensor, line_tensor)
        guess, _ = categoryFromOutput(output)
        record.append(loss)

    def evaluate(line_tensor):
        hidden = rnn.initHidden()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        return output

    confusion = torch.zeros(n_categories, n_categories)
    for category, lines in category_lines.items():
        for line in lines:
            output = evaluate(lineToTensor(line))
            guess, guess_i = categoryFromOutput(output)
            confusion[all_categories.index(category)][guess_i] += 1
    for i in range(n_categories):
        confusion[i] = confusion[i] / confusion[i].sum()
    record += confusion.flatten().tolist()
    with torch.no_grad():
        output = evaluate(lineToTensor("Dovesky"))
        topv, topi = output.topk(2, 1, True)
        record += topv[0].tolist() + topi[0].float().tolist()

    # the newer version: nn.RNN over the whole line, a Dataset, random_split, batches, clip_grad_norm_
    class NamesDataset(torch.utils.data.Dataset):
        def __init__(self):
            self.data, self.data_tensors, self.labels, self.labels_tensors = [], [], [], []
            for label, lines in category_lines.items():
                for name in lines:
                    self.data.append(name)
                    self.data_tensors.append(lineToTensor(name))
                    self.labels.append(label)
            self.labels_uniq = list(set(self.labels))
            self.labels_uniq.sort()
            for idx in range(len(self.labels)):
                temp_tensor = torch.tensor([self.labels_uniq.index(self.labels[idx])], dtype=torch.long)
                self.labels_tensors.append(temp_tensor)

        def __len__(self):
            return len(self.data)

        def __getitem__(self, idx):
            return self.labels_tensors[idx], self.data_tensors[idx], self.labels[idx], self.data[idx]

    alldata = NamesDataset()
    train_set, test_set = torch.utils.data.random_split(
        alldata, [0.75, 0.25], generator=torch.Generator(device="cpu").manual_seed(2024)
    )
    assert len(train_set) == 18 and len(test_set) == 6
    record += [float(i) for i in test_set.indices]

    class CharRNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.rnn = nn.RNN(input_size, hidden_size)
            self.h2o = nn.Linear(hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, line_tensor):
            rnn_out, hidden = self.rnn(line_tensor)
            output = self.h2o(hidden[0])
            output = self.softmax(output)
            return output

    rnn = CharRNN(n_letters, n_hidden, len(alldata.labels_uniq))
    rnn.train()
    optimizer = torch.optim.SGD(rnn.parameters(), lr=0.05)
    criterion = nn.NLLLoss()
    batch_size = 6
    for _epoch in range(3):
        rnn.zero_grad()
        batches = list(range(len(train_set)))
        rng.shuffle(batches)
        batches = np.array_split(batches, len(batches) // batch_size)
        for batch in batches:
            batch_loss = 0
            for i in batch:
                label_tensor, text_tensor, label, text = train_set[int(i)]
                output = rnn.forward(text_tensor)
                loss = criterion(output, label_tensor)
                batch_loss += loss
            batch_loss.backward()
            nn.utils.clip_grad_norm_(rnn.parameters(), 3)
            optimizer.step()
            optimizer.zero_grad()
            record.append(batch_loss.item() / len(batch))
    rnn.eval()
    with torch.no_grad():
        correct = 0
        for i in range(len(test_set)):
            label_tensor, text_tensor, label, text = test_set[i]
            output = rnn(text_tensor)
            guess_i = output.topk(1)[1][0].item()
            correct += int(alldata.labels_uniq[guess_i] == label)
    record += [correct] + rnn.rnn.weight_hh_l0.flatten()[:10].tolist()
    return record


def test_char_rnn_name_classification():
    theirs, ours = run_both(char_rnn, (), ())
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    assert np.mean(theirs[50:60]) < np.mean(theirs[:10])  # the hand-made RNN learned


# --- 7. seq2seq translation with attention, and a word-level LSTM language model ----------------------------


def seq2seq(torch: Any, pairs: np.ndarray) -> list[float]:
    nn, F, optim = torch.nn, torch.nn.functional, torch.optim
    SOS_token, MAX_LENGTH, vocab, hidden_size = 0, 5, 12, 16

    class EncoderRNN(nn.Module):
        def __init__(self, input_size, hidden_size, dropout_p=0.1):
            super().__init__()
            self.hidden_size = hidden_size
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
            self.dropout = nn.Dropout(dropout_p)

        def forward(self, input):
            embedded = self.dropout(self.embedding(input))
            output, hidden = self.gru(embedded)
            return output, hidden

    class BahdanauAttention(nn.Module):
        def __init__(self, hidden_size):
            super().__init__()
            self.Wa = nn.Linear(hidden_size, hidden_size)
            self.Ua = nn.Linear(hidden_size, hidden_size)
            self.Va = nn.Linear(hidden_size, 1)

        def forward(self, query, keys):
            scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
            scores = scores.squeeze(2).unsqueeze(1)
            weights = F.softmax(scores, dim=-1)
            context = torch.bmm(weights, keys)
            return context, weights

    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size, output_size, dropout_p=0.1):
            super().__init__()
            self.embedding = nn.Embedding(output_size, hidden_size)
            self.attention = BahdanauAttention(hidden_size)
            self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
            self.out = nn.Linear(hidden_size, output_size)
            self.dropout = nn.Dropout(dropout_p)

        def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
            batch_size = encoder_outputs.size(0)
            decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
            decoder_hidden = encoder_hidden
            decoder_outputs, attentions = [], []
            for i in range(MAX_LENGTH):
                decoder_output, decoder_hidden, attn_weights = self.forward_step(
                    decoder_input, decoder_hidden, encoder_outputs
                )
                decoder_outputs.append(decoder_output)
                attentions.append(attn_weights)
                if target_tensor is not None:
                    decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
                else:
                    _, topi = decoder_output.topk(1)
                    decoder_input = topi.squeeze(-1).detach()
            decoder_outputs = torch.cat(decoder_outputs, dim=1)
            decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
            attentions = torch.cat(attentions, dim=1)
            return decoder_outputs, decoder_hidden, attentions

        def forward_step(self, input, hidden, encoder_outputs):
            embedded = self.dropout(self.embedding(input))
            query = hidden.permute(1, 0, 2)
            context, attn_weights = self.attention(query, encoder_outputs)
            input_gru = torch.cat((embedded, context), dim=2)
            output, hidden = self.gru(input_gru, hidden)
            output = self.out(output)
            return output, hidden, attn_weights

    input_tensor, target_tensor = torch.from_numpy(pairs[:, 0]), torch.from_numpy(pairs[:, 1])
    train_data = torch.utils.data.TensorDataset(input_tensor, target_tensor)
    train_sampler = torch.utils.data.RandomSampler(train_data)
    train_dataloader = torch.utils.data.DataLoader(train_data, sampler=train_sampler, batch_size=4)
    encoder = EncoderRNN(vocab, hidden_size)
    decoder = AttnDecoderRNN(hidden_size, vocab)
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.01)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.01)
    criterion = nn.NLLLoss()
    record = []
    for _epoch in range(4):
        total_loss = 0
        for data in train_dataloader:
            input_tensor, target_tensor = data
            encoder_optimizer.zero_grad()
            decoder_optimizer.zero_grad()
            encoder_outputs, encoder_hidden = encoder(input_tensor)
            decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
            loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1))
            loss.backward()
            encoder_optimizer.step()
            decoder_optimizer.step()
            total_loss += loss.item()
        record.append(total_loss / len(train_dataloader))
    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        encoder_outputs, encoder_hidden = encoder(torch.from_numpy(pairs[:2, 0]))
        decoder_outputs, decoder_hidden, decoder_attn = decoder(encoder_outputs, encoder_hidden)
        _, topi = decoder_outputs.topk(1)
        decoded_ids = topi.squeeze()
    assert tuple(decoder_attn.shape) == (2, MAX_LENGTH, MAX_LENGTH)
    record += decoded_ids.flatten().float().tolist() + decoder_attn.flatten().tolist()
    return record


def word_language_model(torch: Any, corpus: np.ndarray) -> list[float]:
    import math

    nn = torch.nn
    ntokens, emsize, nhid, nlayers, bptt = 20, 8, 12, 2, 5

    class RNNModel(nn.Module):
        def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
            super().__init__()
            self.ntoken = ntoken
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            if tie_weights:
                self.decoder.weight = self.encoder.weight
            self.init_weights()
            self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

        def init_weights(self):
            initrange = 0.1
            nn.init.uniform_(self.encoder.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            output = self.drop(output)
            decoded = self.decoder(output)
            decoded = decoded.view(-1, self.ntoken)
            return torch.nn.functional.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            weight = next(self.parameters())
            if self.rnn_type == "LSTM":
                return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))
            return weight.new_zeros(self.nlayers, bsz, self.nhid)

    def batchify(data, bsz):
        nbatch = data.size(0) // bsz
        data = data.narrow(0, 0, nbatch * bsz)
        return data.view(bsz, -1).t().contiguous()

    def repackage_hidden(h):
        if isinstance(h, torch.Tensor):
            return h.detach()
        return tuple(repackage_hidden(v) for v in h)

    def get_batch(source, i):
        seq_len = min(bptt, len(source) - 1 - i)
        data = source[i : i + seq_len]
        target = source[i + 1 : i + 1 + seq_len].view(-1)
        return data, target

    ids = torch.from_numpy(corpus)
    train_data, val_data = batchify(ids[:120], 4), batchify(ids[120:], 2)
    model = RNNModel("LSTM", ntokens, emsize, nhid, nlayers, dropout=0.2)
    criterion = nn.NLLLoss()
    lr, clip, record = 5.0, 0.25, []

    def evaluate(data_source):
        model.eval()
        total_loss = 0.0
        hidden = model.init_hidden(2)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, bptt):
                data, targets = get_batch(data_source, i)
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    for _epoch in range(2):
        model.train()
        hidden = model.init_hidden(4)
        for _batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i)
            model.zero_grad()
            hidden = repackage_hidden(hidden)  # cut the graph at the batch boundary
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            record.append(loss.item())
        val_loss = evaluate(val_data)
        record += [val_loss, math.exp(val_loss)]
    assert hidden[0].grad_fn is not None and repackage_hidden(hidden)[0].grad_fn is None
    record += model.decoder.weight.flatten()[:10].tolist()
    return record


def test_seq2seq_translation_with_attention():
    rng = np.random.RandomState(8)
    sources = rng.randint(1, 12, size=(12, 5))
    pairs = np.stack([sources, np.roll(sources, 1, axis=1)], axis=1).astype(np.int64)  # "translate": rotate
    theirs, ours = run_both(seq2seq, (pairs,), (pairs,))
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    assert theirs[3] < theirs[0]


def test_word_language_model():
    corpus = (np.arange(160) * 7 % 20).astype(np.int64)  # a periodic text the LSTM can learn
    theirs, ours = run_both(word_language_model, (corpus,), (corpus,))
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)


def sampler_draws(torch: Any) -> list[list[int]]:
    """The indices each sampler yields (two epochs of the random ones) and a DataLoader over them."""
    data = torch.utils.data
    ds = data.TensorDataset(torch.arange(10))
    S = data
    out = [list(S.SequentialSampler(ds))]
    random_sampler = S.RandomSampler(ds)
    out += [list(random_sampler), list(random_sampler)]
    out.append(list(S.RandomSampler(ds, num_samples=23)))
    out.append(list(S.RandomSampler(ds, replacement=True, num_samples=70)))
    out.append(list(S.RandomSampler(ds, generator=torch.Generator().manual_seed(3))))
    out.append(list(S.SubsetRandomSampler([5, 7, 1, 2, 9])))
    out.append(list(S.SubsetRandomSampler([5, 7, 1, 2, 9], generator=torch.Generator().manual_seed(4))))
    out.append(list(S.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, replacement=True)))
    out.append(list(S.WeightedRandomSampler(torch.tensor([0.1, 0.9, 0.4, 0.7, 3.0, 0.6]), 4, replacement=False)))
    batches = S.BatchSampler(S.SequentialSampler(range(10)), batch_size=3, drop_last=False)
    out += list(batches) + [[len(batches), len(S.BatchSampler(range(10), 3, True))]]
    out += list(S.BatchSampler(range(10), 4, drop_last=True))
    sizes = [len(random_sampler), len(S.RandomSampler(ds, num_samples=23)), len(S.SubsetRandomSampler([1, 2]))]
    out.append(sizes)
    loader = data.DataLoader(ds, sampler=S.RandomSampler(ds), batch_size=4)
    out += [b[0].tolist() for b in loader] + [[len(loader)]]
    loader = data.DataLoader(ds, batch_sampler=S.BatchSampler(S.RandomSampler(ds), 3, drop_last=True))
    out += [b[0].tolist() for b in loader] + [[len(loader)]]
    loader = data.DataLoader(ds, sampler=S.SubsetRandomSampler(list(range(0, 10, 2))), batch_size=2)
    out += [b[0].tolist() for b in loader]
    out.append(torch.randint(0, 1000, (3,)).tolist())  # the global stream is where torch left it
    return out


def test_samplers_and_batch_sampler_draw_as_torch():
    for seed in (0, 1):
        torch.manual_seed(seed)
        theirs = sampler_draws(torch)
        mt.manual_seed(seed)
        assert sampler_draws(mt) == theirs


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
        lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
        lambda lib: lib.utils.data.BatchSampler(range(3), 0, False),
        lambda lib: lib.utils.data.BatchSampler(range(3), 2, 1),
        lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
        lambda lib: lib.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
        lambda lib: lib.utils.data.DataLoader(range(3), batch_size=2, batch_sampler=[[0, 1]]),
        lambda lib: lib.utils.data.DataLoader(range(3), shuffle=True, batch_sampler=[[0, 1]]),
    ],
)
def test_sampler_argument_errors_match_torch(make):
    errors = []
    for lib in (torch, mt):
        with pytest.raises(Exception) as info:
            make(lib)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def concat_and_stream_datasets(torch: Any) -> list[Any]:
    data = torch.utils.data
    a, b = data.TensorDataset(torch.arange(4)), data.TensorDataset(torch.arange(10, 13))
    both = data.ConcatDataset([a, b])
    out: list[Any] = [len(both), both.cumulative_sizes, both[3][0].item(), both[4][0].item(), both[-1][0].item()]
    out += [(a + b)[5][0].item(), len(a + b + a)]
    out += [batch[0].tolist() for batch in data.DataLoader(both, batch_size=3, shuffle=True)]

    class Counter(data.IterableDataset):
        def __init__(self, start, stop):
            self.start, self.stop = start, stop

        def __iter__(self):
            return iter(range(self.start, self.stop))

        def __len__(self):
            return self.stop - self.start

    stream = Counter(0, 7)
    out += [b.tolist() for b in data.DataLoader(stream, batch_size=3)]
    out += [b.tolist() for b in data.DataLoader(stream, batch_size=3, drop_last=True)]
    out += [len(data.DataLoader(stream, batch_size=3)), [int(x) for x in data.DataLoader(stream, batch_size=None)]]
    chain = Counter(0, 2) + Counter(5, 7)
    out += [type(chain).__name__, list(chain), len(chain), list(data.ChainDataset([Counter(1, 3), Counter(0, 1)]))]
    out.append(torch.randint(0, 1000, (3,)).tolist())  # each loader drew its base seed, as torch's
    return out


def test_concat_chain_and_iterable_datasets_match_torch():
    torch.manual_seed(0)
    theirs = concat_and_stream_datasets(torch)
    mt.manual_seed(0)
    assert concat_and_stream_datasets(mt) == theirs


def empty_stream(lib: Any) -> Any:
    return type("Empty", (lib.utils.data.IterableDataset,), {"__iter__": lambda self: iter(())})()


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.utils.data.ConcatDataset([]),
        lambda lib: lib.utils.data.ConcatDataset([lib.utils.data.TensorDataset(lib.arange(2))])[-3],
        lambda lib: lib.utils.data.ConcatDataset([empty_stream(lib)]),
        lambda lib: lib.utils.data.DataLoader(empty_stream(lib), shuffle=True),
        lambda lib: lib.utils.data.DataLoader(empty_stream(lib), batch_sampler=[[0]]),
    ],
)
def test_dataset_errors_match_torch(make):
    errors = []
    for lib in (torch, mt):
        with pytest.raises(Exception) as info:
            make(lib)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def backend_switches(torch: Any) -> list[Any]:
    import importlib

    cudnn = importlib.import_module(torch.__name__ + ".backends.cudnn")  # `import torch.backends.cudnn as cudnn`
    out = [cudnn.is_available(), cudnn.version(), cudnn.enabled, cudnn.benchmark, cudnn.deterministic]
    out += [torch.backends.mps.is_available(), torch.backends.mps.is_built()]
    cudnn.benchmark, cudnn.deterministic = True, True
    out += [torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic]
    cudnn.benchmark, cudnn.deterministic = False, False
    out.append(torch.are_deterministic_algorithms_enabled())
    torch.use_deterministic_algorithms(True, warn_only=True)
    out += [torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()]
    torch.use_deterministic_algorithms(False)
    out += [torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()]
    with pytest.raises(TypeError) as info:
        torch.use_deterministic_algorithms(1)
    out.append(str(info.value))
    return out


def test_backend_switches_and_deterministic_mode_match_torch_cpu():
    assert backend_switches(mt) == backend_switches(torch)


def _tensor_type_name(text: str) -> str:
    return text.replace("minitorch_nn.autograd.tensor.Tensor", "torch.Tensor")


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.testing.assert_close(lib.tensor([1.0, 2.0, 3.0]), lib.tensor([1.0, 2.1, 3.0])),
        lambda lib: lib.testing.assert_close(lib.tensor([[1.0, 2.0], [3, 4]]), lib.tensor([[1.0, 2.0], [3, 4.5]])),
        lambda lib: lib.testing.assert_close(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0]).double()),
        lambda lib: lib.testing.assert_close(lib.tensor([1.0, 2.0]), lib.tensor([1.0])),
        lambda lib: lib.testing.assert_close(
            lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0]).double(), check_dtype=False
        ),
        lambda lib: lib.testing.assert_close(lib.tensor([1, 2]), lib.tensor([1, 3])),
        lambda lib: lib.testing.assert_close(lib.tensor([True]), lib.tensor([False])),
        lambda lib: lib.testing.assert_close(lib.tensor(float("nan")), lib.tensor(float("nan"))),
        lambda lib: lib.testing.assert_close(
            lib.tensor([float("nan"), 1.0]), lib.tensor([float("nan"), 1.0]), equal_nan=True
        ),
        lambda lib: lib.testing.assert_close(lib.tensor(1.0), lib.tensor(1.5)),
        lambda lib: lib.testing.assert_close(1.0, 1.0 + 1e-9),
        lambda lib: lib.testing.assert_close(1.0, 1.1),
        lambda lib: lib.testing.assert_close(1, 2),
        lambda lib: lib.testing.assert_close(1, 1.0),
        lambda lib: lib.testing.assert_close([lib.ones(3), lib.ones(3)], [lib.ones(3), lib.ones(3) + 1]),
        lambda lib: lib.testing.assert_close({"x": lib.ones(2)}, {"x": lib.zeros(2)}),
        lambda lib: lib.testing.assert_close([lib.ones(2)], [lib.ones(2), lib.ones(2)]),
        lambda lib: lib.testing.assert_close(lib.ones(3), lib.ones(3) + 1, msg="custom"),
        lambda lib: lib.testing.assert_close(lib.ones(3), lib.ones(3) + 1, msg=lambda m: m.upper()),
        lambda lib: lib.testing.assert_close(lib.ones(3), lib.ones(3) + 1e-3, rtol=1e-2, atol=0),
        lambda lib: lib.testing.assert_close(lib.ones(3), lib.ones(3), rtol=0.1),
        lambda lib: lib.testing.assert_close(lib.ones(3), [1.0, 1.0, 1.0]),
        lambda lib: lib.testing.assert_close(lib.tensor([1e-8, 5.0, -3.0]), lib.tensor([0.0, 5.0, -2.0])),
        lambda lib: lib.testing.assert_close(lib.ones(2, 3).t(), lib.ones(3, 2)),
        lambda lib: lib.testing.assert_close(lib.ones(2, 3).t(), lib.ones(3, 2), check_stride=True),
        lambda lib: lib.testing.assert_close(np.ones(2), lib.ones(2, dtype=lib.float64)),
        lambda lib: lib.testing.assert_close(np.ones(2), np.array([1.0, 1.5])),
        lambda lib: lib.testing.assert_close(lib.ones(2, requires_grad=True) * 2, lib.full((2,), 2.0)),
    ],
)
def test_testing_assert_close_passes_and_fails_as_torch(call):
    outcomes = []
    for lib in (torch, mt):
        try:
            call(lib)
            outcomes.append(None)
        except Exception as e:  # noqa: BLE001  (the type and the text are what is compared)
            outcomes.append((type(e), _tensor_type_name(str(e))))
    assert outcomes[1] == outcomes[0]


def unbatched_and_stacked(torch: Any) -> list[str]:
    from collections import namedtuple

    data = torch.utils.data
    pair = namedtuple("pair", "x y")
    convert = data.default_convert
    out = [convert(np.ones(2)), convert([np.ones(1), 3, "a", (np.zeros(1),)]), convert({"a": np.ones(1, np.float32)})]
    out += [convert(np.float64(2.0)), convert(3), convert(np.array(["a"])), convert(pair(np.ones(1), 2))]
    out += [convert((np.int64(4), 1.5)), convert(torch.ones(1))]
    out += list(data.DataLoader([np.ones(2), np.zeros(2)], batch_size=None))
    out += list(data.DataLoader([1, 2], batch_size=None, collate_fn=lambda x: x * 10))
    stacked = data.StackDataset(data.TensorDataset(torch.arange(3)), [5, 6, 7])
    out += [stacked[1], len(stacked), data.StackDataset(a=[1, 2], b=[3, 4])[0], data.get_worker_info()]
    out += list(data.DataLoader(data.StackDataset(a=torch.arange(4.0), b=[1, 2, 3, 4]), batch_size=3))
    for bad in (
        lambda: data.StackDataset(),
        lambda: data.StackDataset([1], b=[2]),
        lambda: data.StackDataset([1], [1, 2]),
    ):
        with pytest.raises(ValueError) as info:
            bad()
        out.append(str(info.value))
    return [repr(o) for o in out]


def test_default_convert_unbatched_loading_and_stack_dataset_match_torch():
    assert unbatched_and_stacked(mt) == unbatched_and_stacked(torch)


def optimizer_step_in_backward(torch: Any) -> list[float]:
    """The memory-saving tutorial's pattern: each parameter's optimizer steps from a post-accumulate-grad hook."""
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    optimizer_dict = {p: torch.optim.Adam([p], lr=0.05, foreach=False) for p in model.parameters()}

    def optimizer_hook(parameter) -> None:
        optimizer_dict[parameter].step()
        optimizer_dict[parameter].zero_grad()

    handles = [p.register_post_accumulate_grad_hook(optimizer_hook) for p in model.parameters()]
    x, y = torch.randn(10, 6), torch.randint(0, 3, (10,))
    record = []
    for _ in range(5):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()  # no optimizer.step(): the hooks stepped, and zeroed the grads
        record.append(loss.item())
        assert all(p.grad is None for p in model.parameters())
    seen = []
    leaf = torch.ones(3, requires_grad=True)
    leaf.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    torch.autograd.grad((leaf * 2).sum(), leaf)  # accumulates nothing: no call
    (leaf * 3).sum().backward()
    (leaf * 3).sum().backward()
    for h in handles:
        h.remove()
    model(x).sum().backward()
    assert model[0].weight.grad is not None  # the hooks are gone
    for bad in (
        lambda: (leaf * 2).register_post_accumulate_grad_hook(print),
        lambda: torch.ones(1).register_post_accumulate_grad_hook(print),
    ):
        with pytest.raises(RuntimeError) as info:
            bad()
        record.append(len(str(info.value)))
    return record + sum(seen, []) + model[2].bias.tolist()


def test_register_post_accumulate_grad_hook_steps_optimizers_as_torch():
    theirs, ours = run_both(optimizer_step_in_backward, (), ())
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
