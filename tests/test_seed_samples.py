"""The user's seed notes (../shared/seeds), run with `import minitorch_nn as torch`.

Each code sample is written once as a function of the torch-like module
``torch`` (and its ``nn``, ``F``, ``optim``) and run in both engines. Where
the seeds print something, the text must match torch's; where they compute,
the numbers must match torch's once the weights are copied across.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt
from reference.bridge import copy_weights_from_torch

LIBS = {"minitorch": mt, "torch": real_torch}


def lenet_class(torch):
    """Seed 000/001/002: the LeNet `Net` with num_flat_features."""
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

        def num_flat_features(self, x):
            size = x.size()[1:]
            num_features = 1
            for s in size:
                num_features *= s
            return num_features

    return Net


def cifar_class(torch):
    """Seed 003: the CIFAR-10 Sequential model (with in-place ReLUs)."""

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cifar = torch.nn.Sequential(
                torch.nn.Conv2d(3, 6, (5, 5)),
                torch.nn.MaxPool2d(2),
                torch.nn.ReLU(True),
                torch.nn.Conv2d(6, 16, (5, 5)),
                torch.nn.MaxPool2d(2),
                torch.nn.ReLU(True),
                torch.nn.Flatten(),
                torch.nn.Linear(400, 120),
                torch.nn.ReLU(True),
                torch.nn.Linear(120, 84),
                torch.nn.ReLU(True),
                torch.nn.Linear(84, 10),
            )

        def forward(self, input):
            out = self.cifar(input)
            return out

    return Model


# Saving a whole model pickles its class by reference, so the class must be importable (as with
# torch.save): the seed 003 model gets a module-level name for the save/load test.
SeedCifarModel = cifar_class(mt)
SeedCifarModel.__name__ = SeedCifarModel.__qualname__ = "SeedCifarModel"


def twins(make_class):
    """The same model in both engines, our weights copied from torch's."""
    theirs = make_class(real_torch)()
    ours = make_class(mt)()
    copy_weights_from_torch(ours, theirs)
    return ours, theirs


def same_input(rng, *shape):
    a = rng.standard_normal(shape).astype(np.float32)
    return mt.tensor(a), real_torch.tensor(a)


def close(ours, theirs, rtol=1e-4, atol=1e-6):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(), rtol=rtol, atol=atol)


def test_lenet_walkthrough_matches_torch(capsys):
    """Seeds 000-002: print, parameters, forward, random backward, MSELoss, grad_fn walk, updates."""
    rng = np.random.default_rng(0)
    ours, theirs = twins(lenet_class)
    assert repr(ours) == repr(theirs)
    params, tparams = list(ours.parameters()), list(theirs.parameters())
    assert len(params) == len(tparams) == 10
    assert repr(params[0].size()) == repr(tparams[0].size()) == "torch.Size([6, 1, 5, 5])"

    x, tx = same_input(rng, 1, 1, 32, 32)
    out, tout = ours(x), theirs(tx)
    close(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name() == "AddmmBackward0"

    ours.zero_grad()
    theirs.zero_grad()
    g, tg = same_input(rng, 1, 10)
    out.backward(g, retain_graph=True)
    tout.backward(tg, retain_graph=True)
    for p, tp in zip(params, tparams):
        close(p.grad, tp.grad, atol=1e-6)

    target, ttarget = same_input(rng, 10)
    target, ttarget = target.view(1, -1), ttarget.view(1, -1)
    criterion, tcriterion = mt.nn.MSELoss(), real_torch.nn.MSELoss()
    loss, tloss = criterion(out, target), tcriterion(tout, ttarget)
    close(loss, tloss)
    assert str(loss).split("(")[0] == "tensor"
    assert str(loss).endswith("grad_fn=<MseLossBackward0>)")
    chain = [loss.grad_fn, loss.grad_fn.next_functions[0][0], loss.grad_fn.next_functions[0][0].next_functions[0][0]]
    tchain = [
        tloss.grad_fn,
        tloss.grad_fn.next_functions[0][0],
        tloss.grad_fn.next_functions[0][0].next_functions[0][0],
    ]
    assert [n.name() for n in chain] == [n.name() for n in tchain]
    assert [type(n).__name__ for n in chain] == [type(n).__name__ for n in tchain]
    assert [type(n).__name__ for n in chain] == ["MseLossBackward0", "AddmmBackward0", "AccumulateGrad"]
    assert repr(chain[0]).startswith("<MseLossBackward0 object at 0x")

    ours.zero_grad()
    theirs.zero_grad()
    assert ours.conv1.bias.grad is None and theirs.conv1.bias.grad is None  # torch 2.x sets grads to None
    loss.backward()
    tloss.backward()
    close(ours.conv1.bias.grad, theirs.conv1.bias.grad, atol=1e-7)

    learning_rate = 0.01
    for f, tf in zip(ours.parameters(), theirs.parameters()):
        f.data.sub_(f.grad.data * learning_rate)
        tf.data.sub_(tf.grad.data * learning_rate)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p, tp, atol=1e-6)

    optimizer = mt.optim.SGD(ours.parameters(), lr=0.01)
    toptimizer = real_torch.optim.SGD(theirs.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()
        toptimizer.zero_grad()
        loss = criterion(ours(x), target)
        tloss = tcriterion(theirs(tx), ttarget)
        loss.backward()
        tloss.backward()
        optimizer.step()
        toptimizer.step()
        close(loss, tloss)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p, tp, atol=1e-6)


def test_second_backward_needs_retain_graph():
    """Seed 001: a second backward without retain_graph raises torch's RuntimeError."""
    for lib in (mt, real_torch):
        net = lenet_class(lib)()
        loss = lib.nn.MSELoss()(net(lib.randn(1, 1, 32, 32)), lib.randn(1, 10))
        loss.backward()
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            loss.backward()


def test_retained_graph_then_step_like_torch():
    """Seed 001 In [9]: backward(retain_graph=True), step, backward again.

    The seed's printout comes from an old torch. torch 2.13 refuses the second
    backward, because optimizer.step() modified in place the weights the retained
    graph saved, and so do we.
    """
    rng = np.random.default_rng(1)
    ours, theirs = twins(lenet_class)
    x, tx = same_input(rng, 1, 1, 32, 32)
    t, tt = same_input(rng, 1, 10)
    opt, topt = mt.optim.SGD(ours.parameters(), lr=0.01), real_torch.optim.SGD(theirs.parameters(), lr=0.01)
    loss, tloss = mt.nn.MSELoss()(ours(x), t), real_torch.nn.MSELoss()(theirs(tx), tt)
    opt.zero_grad()
    topt.zero_grad()
    assert ours.conv1.bias.grad is None and theirs.conv1.bias.grad is None
    loss.backward(retain_graph=True)
    tloss.backward(retain_graph=True)
    close(ours.conv1.bias.grad, theirs.conv1.bias.grad, atol=1e-7)
    opt.step()
    topt.step()
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p, tp, atol=1e-6)
    for lossx in (loss, tloss):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            lossx.backward(retain_graph=True)


def test_seed002_linear_model_and_modes():
    """Seed 002: a two-Linear Model on ones((3, 32)); train()/eval() flags."""

    def make(torch):
        class Model(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fcLyaer1 = torch.nn.Linear(32, 16)
                self.fcLyaer2 = torch.nn.Linear(16, 8)

            def forward(self, input):
                a1 = self.fcLyaer1(input)
                a2 = self.fcLyaer2(a1)
                return a2

        return Model

    ours, theirs = twins(make)
    out, tout = ours(mt.ones((3, 32))), theirs(real_torch.ones((3, 32)))
    close(out, tout)
    assert tuple(out.shape) == (3, 8)
    ours.eval()
    assert not ours.training and not ours.fcLyaer1.training
    ours.train()
    assert ours.training and ours.fcLyaer2.training


def test_seed002_sequential_conv_model():
    """Seed 002: Conv2d(3,4,(3,3)) -> MaxPool2d((2,2)) -> ReLU(True) -> Flatten -> Linear(3844, 16) ..."""

    def make(torch):
        class Model(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.sequentialNet = torch.nn.Sequential(
                    torch.nn.Conv2d(3, 4, (3, 3)),
                    torch.nn.MaxPool2d((2, 2)),
                    torch.nn.ReLU(True),
                    torch.nn.Flatten(),
                    torch.nn.Linear(3844, 16),
                    torch.nn.ReLU(True),
                    torch.nn.Linear(16, 8),
                )

            def forward(self, input):
                return self.sequentialNet(input)

        return Model

    rng = np.random.default_rng(2)
    ours, theirs = twins(make)
    assert repr(ours) == repr(theirs)
    x, tx = same_input(rng, 2, 3, 64, 64)
    out, tout = ours(x), theirs(tx)
    close(out, tout)
    g, tg = same_input(rng, 2, 8)
    out.backward(g)
    tout.backward(tg)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p.grad, tp.grad, atol=1e-5)


def test_seed003_cifar_training_loop(tmp_path):
    """Seed 003: CrossEntropyLoss + Adam train steps, eval with no_grad/argmax, save/load the whole model."""
    rng = np.random.default_rng(3)
    theirs = cifar_class(real_torch)()
    ours = SeedCifarModel()
    copy_weights_from_torch(ours, theirs)
    assert repr(ours).replace("SeedCifarModel(", "Model(", 1) == repr(theirs)
    device = mt.device("cuda" if mt.cuda.is_available() else "cpu")
    assert str(device) == "cpu"
    ours = ours.to(device)
    lossFcn = mt.nn.CrossEntropyLoss().to(device)
    tlossFcn = real_torch.nn.CrossEntropyLoss()
    optimizer = mt.optim.Adam(ours.parameters(), lr=0.001)
    toptimizer = real_torch.optim.Adam(theirs.parameters(), lr=0.001)
    labels = rng.integers(0, 10, size=8)
    for _ in range(3):
        datas, tdatas = same_input(rng, 8, 3, 32, 32)
        targets, ttargets = mt.tensor(labels).to(device), real_torch.tensor(labels)
        ours.train()
        theirs.train()
        loss, tloss = lossFcn(ours(datas), targets), tlossFcn(theirs(tdatas), ttargets)
        optimizer.zero_grad()
        toptimizer.zero_grad()
        loss.backward()
        tloss.backward()
        optimizer.step()
        toptimizer.step()
        assert abs(loss.item() - tloss.item()) <= 1e-4 * abs(tloss.item())
    datas, tdatas = same_input(rng, 8, 3, 32, 32)
    with mt.no_grad():
        ours.eval()
        out = ours(datas)
        predict = mt.argmax(out, dim=1)
        rightCount = (predict == mt.tensor(labels)).sum()
    assert out.grad_fn is None
    with real_torch.no_grad():
        theirs.eval()
        tpredict = real_torch.argmax(theirs(tdatas), dim=1)
    assert predict.tolist() == tpredict.tolist()
    assert float(rightCount) == float((tpredict == real_torch.tensor(labels)).sum())

    path = tmp_path / "cifar_19.pth"
    mt.save(ours, str(path))
    loaded = mt.load(str(path), map_location=mt.device("cpu"))
    with mt.no_grad():
        loaded.eval()
        np.testing.assert_array_equal(loaded(datas).numpy(), out.numpy())

    mt.save(ours.state_dict(), str(tmp_path / "net.pth"))
    fresh = cifar_class(mt)()
    fresh.load_state_dict(mt.load(str(tmp_path / "net.pth")))
    with mt.no_grad():
        fresh.eval()
        np.testing.assert_array_equal(fresh(datas).numpy(), out.numpy())


def test_seed003_cuda_calls_point_to_torch():
    """Seed 003's .cuda() path: our CPU engine says clearly where CUDA training lives."""
    model = cifar_class(mt)()
    with pytest.raises(RuntimeError, match="torch"):
        model.cuda()
    with pytest.raises(RuntimeError, match="torch"):
        mt.randn(2).cuda()


def test_seed004_perceptron_with_own_parameters():
    """Seed 004: Linear and Perceptron built from nn.Parameter, `self.w.mm(x) + self.b`, t.sigmoid."""

    def make(t):
        nn = t.nn

        class Linear(nn.Module):
            def __init__(self, in_features, out_features):
                super().__init__()
                self.w = nn.Parameter(t.randn(out_features, in_features))
                self.b = nn.Parameter(t.randn(out_features, 1))

            def forward(self, x):
                return (self.w).mm(x) + self.b

        class Perceptron(nn.Module):
            def __init__(self, in_features, hidden_features, out_features):
                super().__init__()
                self.layer1 = Linear(in_features, hidden_features)
                self.layer2 = Linear(hidden_features, out_features)

            def forward(self, x):
                x = self.layer1(x)
                x = t.sigmoid(x)
                x = self.layer2(x)
                return x

        return lambda: Perceptron(3, 4, 1)

    rng = np.random.default_rng(4)
    ours, theirs = twins(make)
    assert [n for n, _ in ours.named_parameters()] == ["layer1.w", "layer1.b", "layer2.w", "layer2.b"]
    V = mt.autograd.Variable
    x, tx = same_input(rng, 3, 5)
    output, toutput = ours(V(x)), theirs(tx)
    close(output, toutput)
    g, tg = same_input(rng, 1, 5)
    output.backward(g)
    toutput.backward(tg)
    for (_, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        close(p.grad, tp.grad)


def test_seed004_sharpening_conv_and_pool():
    """Seed 004: a 3x3 sharpening kernel set through .data, bias=False; AvgPool2d(2, 2) has no parameters."""
    rng = np.random.default_rng(5)
    img = rng.uniform(0, 1, size=(1, 20, 20)).astype(np.float32)
    outs = {}
    for name, t in LIBS.items():
        nn = t.nn
        input = t.tensor(img).unsqueeze(0)
        kernel = t.ones(3, 3) / -9
        kernel[1][1] = 1
        conv = nn.Conv2d(1, 1, (3, 3), 1, bias=False)
        conv.weight.data = kernel.view(1, 1, 3, 3)
        out = conv(input)
        pool = nn.AvgPool2d(2, 2)
        assert list(pool.parameters()) == []
        outs[name] = (out.data.squeeze(0).numpy().copy(), pool(input).data.squeeze(0).numpy().copy())
    for a, b in zip(outs["minitorch"], outs["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_seed004_small_modules():
    """Seed 004: Linear(3, 4) on (2, 3), Dropout(0.5), ModuleList, CrossEntropyLoss on Tensor(...).long()."""
    rng = np.random.default_rng(6)
    linear, tlinear = twins(lambda t: lambda: t.nn.Linear(3, 4))
    x, tx = same_input(rng, 2, 3)
    close(linear(x), tlinear(tx))

    dropout = mt.nn.Dropout(0.5)
    inp = mt.ones(1000)
    dropped = dropout(inp)
    kept = dropped.numpy() != 0
    assert set(np.unique(dropped.numpy())) <= {0.0, 2.0} and 0.4 < kept.mean() < 0.6
    assert repr(dropout) == repr(real_torch.nn.Dropout(0.5))

    layers = mt.nn.ModuleList([mt.nn.Conv2d(3, 3, 3), mt.nn.ReLU()])
    assert repr(layers) == repr(real_torch.nn.ModuleList([real_torch.nn.Conv2d(3, 3, 3), real_torch.nn.ReLU()]))

    score, tscore = same_input(rng, 3, 2)
    label, tlabel = mt.Tensor([1, 0, 1]).long(), real_torch.Tensor([1, 0, 1]).long()
    assert label.dtype == mt.int64
    close(mt.nn.CrossEntropyLoss()(score, label), real_torch.nn.CrossEntropyLoss()(tscore, tlabel))


def test_seed004_sequential_with_batchnorm():
    """Seed 004: net1 built with add_module runs; net2 puts BatchNorm1d on a 4-D input and fails as in torch."""
    rng = np.random.default_rng(7)
    nets = {}
    for name, t in LIBS.items():
        nn = t.nn
        net1 = nn.Sequential()
        net1.add_module("conv", nn.Conv2d(3, 3, 3))
        net1.add_module("bn", nn.BatchNorm2d(3))
        net1.add_module("activation", nn.ReLU())
        nets[name] = net1
    copy_weights_from_torch(nets["minitorch"], nets["torch"])
    assert repr(nets["minitorch"]) == repr(nets["torch"])
    x, tx = same_input(rng, 1, 3, 4, 4)
    close(nets["minitorch"](x), nets["torch"](tx), atol=1e-5)
    for t in LIBS.values():
        nn = t.nn
        net2 = nn.Sequential(nn.Conv2d(3, 3, 3), nn.BatchNorm1d(3), nn.ReLU())
        with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
            net2(t.randn(1, 3, 4, 4))


def test_seed004_features_classifier_net_and_param_groups():
    """Seed 004: the features/classifier Net; its view(-1, 16*5*5) fails on a 256-feature map exactly as torch's."""

    def make(t):
        nn = t.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(3, 6, 5),
                    nn.ReLU(),
                    nn.MaxPool2d(2, 2),
                    nn.Conv2d(6, 16, 6),
                    nn.ReLU(),
                    nn.MaxPool2d(2, 2),
                )
                self.classifier = nn.Sequential(
                    nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)
                )

            def forward(self, x):
                x = self.features(x)
                x = x.view(-1, 16 * 5 * 5)
                x = self.classifier(x)
                return x

        return Net

    ours, theirs = twins(make)
    assert repr(ours) == repr(theirs)
    with pytest.raises(RuntimeError) as ours_error:
        ours(mt.randn(1, 3, 32, 32))
    with pytest.raises(RuntimeError) as torch_error:
        theirs(real_torch.randn(1, 3, 32, 32))
    assert str(ours_error.value) == str(torch_error.value)

    # the seed passes the parameter groups as strings: torch rejects that with a TypeError
    for t in (mt, real_torch):
        with pytest.raises(TypeError):
            t.optim.SGD(
                [{"params": "net.features.parameters()"}, {"params": "net.classifier.parameters()", "lr": 0.01}],
                lr=0.001,
            )
    # what the seed means: per-group learning rates
    opt = mt.optim.SGD(
        [{"params": ours.features.parameters()}, {"params": ours.classifier.parameters(), "lr": 0.01}], lr=0.001
    )
    topt = real_torch.optim.SGD(
        [{"params": theirs.features.parameters()}, {"params": theirs.classifier.parameters(), "lr": 0.01}], lr=0.001
    )
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups] == [0.001, 0.01]
    rng = np.random.default_rng(8)
    x, tx = same_input(rng, 1, 3, 32, 32)
    feats, tfeats = ours.features(x).view(1, -1), theirs.features(tx).view(1, -1)
    close(feats, tfeats, atol=1e-6)
    out, tout = feats.sum(), tfeats.sum()
    opt.zero_grad()
    topt.zero_grad()
    out.backward()
    tout.backward()
    opt.step()
    topt.step()
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        close(p, tp, atol=1e-6)


def test_seed004_init_and_state_dict(tmp_path):
    """Seed 004: nn.init.xavier_normal(linear.weight); t.save(net.state_dict()) / load_state_dict(t.load(...))."""
    linear = mt.nn.Linear(3, 6)
    with pytest.warns(FutureWarning):  # torch's deprecation warning for the old name
        mt.nn.init.xavier_normal(linear.weight)
    w = linear.weight.detach().numpy()
    assert w.shape == (6, 3) and np.all(np.abs(w) < 6 * np.sqrt(2.0 / 9))
    net = lenet_class(mt)()
    mt.save(net.state_dict(), str(tmp_path / "net.pth"))
    net2 = lenet_class(mt)()
    net2.load_state_dict(mt.load(str(tmp_path / "net.pth")))
    for (k, v), (k2, v2) in zip(net.state_dict().items(), net2.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(v.numpy(), v2.numpy())
