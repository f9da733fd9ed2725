"""Seed 003's CIFAR-10 program as written, with only its imports pointed at this project.

The program (the notes' appendix "cifa10 案例" and its "模型测试") trains the LeNet-like model for
20 epochs on ``../asset/cifa10`` with ``download=True``, logs to ``../logs`` with SummaryWriter,
saves the whole model each epoch under ``../model``, then classifies ``../asset/cat.jpeg`` with the
last checkpoint loaded with ``map_location``. The test builds that directory tree around a working
folder: a tiny CIFAR-10 in torchvision's format (so download=True finds it verified and fetches
nothing) and a JPEG.
"""

# ruff: noqa: W291, W293  (the program below is kept verbatim, trailing whitespace included)

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import types

import numpy as np
from PIL import Image

import minitorch_nn.vision as torchvision
from tests.test_tensorboard import events

IMPORTS = """\
import minitorch_nn as torch
import minitorch_nn.vision as torchvision
from minitorch_nn.utils.tensorboard import SummaryWriter
from PIL import Image
"""

# the program's body verbatim (after its four import lines)
PROGRAM = r'''
# %% 模型
class Model(torch.nn.Module):
    """ 分类模型 """
    def __init__(self):
        super(Model, self).__init__()
        self.cifar = torch.nn.Sequential(
            torch.nn.Conv2d(3,6,(5,5)),
            torch.nn.MaxPool2d(2),
            torch.nn.ReLU(True),
            torch.nn.Conv2d(6,16,(5,5)),
            torch.nn.MaxPool2d(2),
            torch.nn.ReLU(True),
            torch.nn.Flatten(),
            torch.nn.Linear(400,120),
            torch.nn.ReLU(True),
            torch.nn.Linear(120,84),
            torch.nn.ReLU(True),
            torch.nn.Linear(84,10)
        )

    def forward(self,input):
        out = self.cifar(input)
        return out

# %% 训练

# 设备
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

# 日志
logWriter = SummaryWriter('../logs')

# 转换图片为 tensor
toTensor = torchvision.transforms.ToTensor()

# 数据集
trainImages = torchvision.datasets.CIFAR10('../asset/cifa10',train=True,
                                            transform=toTensor,download=True)
testImages = torchvision.datasets.CIFAR10('../asset/cifa10',train=False,
                                            transform=toTensor,download=True)
# loader
trainLoader = torch.utils.data.DataLoader(trainImages,64)
testLoader = torch.utils.data.DataLoader(testImages,128)

# 参数
epochs = 20
learnRate = 0.001

# 模型
cifarNet = Model()
cifarNet = cifarNet.to(device)


# 损失函数
lossFcn = torch.nn.CrossEntropyLoss()
lossFcn = lossFcn.to(device)

# 优化器
optimizer = torch.optim.Adam(cifarNet.parameters(),lr=learnRate)

for epoch in range(epochs):
    print("--------------epoch {} ----------------".format(epoch))
    batchCount = 0
    lossSum = 0.0

    # 训练
    for batch in trainLoader:
        # 获取训练数据与标签
        datas,targets = batch
        datas = datas.to(device)
        targets = targets.to(device)
        
        # 前向传播
        cifarNet.train()
        out = cifarNet(datas)


        # 计算损失
        loss = lossFcn(out,targets) 
        lossSum = lossSum + loss.item()
        
        # 重置梯度
        optimizer.zero_grad()

        # 反向传播
        loss.backward()

        # 更新梯度
        optimizer.step()

        # 打印损失
        batchCount = batchCount + 1
        if batchCount % 100 == 0:
            print("\tbatch: {},loss: {}".format(batchCount,loss.item()))

    print("epoch: {},loss: {}".format(epoch,lossSum / len(trainLoader)))
    # 记录损失
    logWriter.add_scalar('train loss', lossSum / len(trainLoader),global_step=epoch)

    # 测试
    rightCount = 0
    for batch in testLoader:
        datas,targets = batch
        datas = datas.to(device)
        targets = targets.to(device)

        # 关闭梯度计算
        with torch.no_grad():
            # 预测
            cifarNet.eval()
            out = cifarNet(datas)
    
            # 得到分类
            predict = torch.argmax(out,dim=1)
            
            # 记录分类正确的
            rightCount = rightCount + (predict==targets).sum()

    print("epoch: {},accuracy: {}".format(epoch,float(rightCount) / len(testImages)))
    # 记录损失
    logWriter.add_scalar('test accuracy', float(rightCount) / len(testImages),global_step=epoch)

    # 保存模型
    torch.save(cifarNet,'../model/cifar_{}.pth'.format(epoch))

logWriter.close()

resize = torchvision.transforms.Resize((32,32))
# 预测图片
img = Image.open('../asset/cat.jpeg')
img = resize(img)
imgTensor = toTensor(img).reshape(1,3,32,32)

# 加载模型
cifarNet = torch.load('../model/cifar_19.pth',map_location=torch.device('cpu'))

# 关闭梯度计算
with torch.no_grad():
    # 预测
    cifarNet.eval()
    out = cifarNet(imgTensor)

    # 得到分类
    predict = torch.argmax(out,dim=1)
    print(testImages.classes[predict])
'''

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_tiny_cifar10(folder: str, monkeypatch) -> None:
    """Six batches of 8 images (the classes as flat colours plus noise) and the meta pickle, their MD5s registered."""
    os.makedirs(folder)
    rng = np.random.RandomState(0)
    md5 = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.randint(0, 10, size=8)
        images = (labels[:, None] * 25 + rng.randint(0, 20, size=(8, 3072))).astype(np.uint8)
        blob = pickle.dumps({"data": images, "labels": labels.tolist(), "batch_label": name})
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)
        md5[name] = hashlib.md5(blob).hexdigest()
    meta = pickle.dumps({"label_names": CLASSES, "num_cases_per_batch": 8})
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        f.write(meta)
    C = torchvision.datasets.CIFAR10
    monkeypatch.setattr(C, "train_list", [[f"data_batch_{i}", md5[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(C, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(
        C, "meta", {"filename": "batches.meta", "key": "label_names", "md5": hashlib.md5(meta).hexdigest()}
    )
    # download=True must find the files verified: any request would fail loudly
    monkeypatch.setattr(C, "url", "http://127.0.0.1:9/unreachable.tar.gz")


def scalar_tags(log_dir: str) -> list[tuple[str, int]]:
    """(tag, step) of every scalar in the run, read from the TFRecord/protobuf bytes."""
    return [(v[1][0].decode(), e["step"]) for e in events(log_dir) if "values" in e for v in e["values"]]


def test_seed003_program_runs_as_written(tmp_path, monkeypatch, capsys):
    work = tmp_path / "notebook"
    work.mkdir()
    (tmp_path / "model").mkdir()
    write_tiny_cifar10(str(tmp_path / "asset" / "cifa10" / "cifar-10-batches-py"), monkeypatch)
    cat = np.zeros((40, 50, 3), np.uint8)
    cat[..., 0] = 90
    Image.fromarray(cat).save(tmp_path / "asset" / "cat.jpeg")
    monkeypatch.chdir(work)

    # run as a script's __main__ would be: a module of its own, so torch.save can pickle its Model class
    module = types.ModuleType("seed003")
    monkeypatch.setitem(sys.modules, "seed003", module)
    exec(compile(IMPORTS + PROGRAM, "seed003.py", "exec"), module.__dict__)
    namespace = module.__dict__

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "--------------epoch 0 ----------------"
    losses = [float(line.split("loss: ")[1]) for line in out if line.startswith("epoch: ") and "loss" in line]
    accuracies = [float(line.split("accuracy: ")[1]) for line in out if "accuracy" in line]
    assert len(losses) == 20 and len(accuracies) == 20
    assert losses[-1] < losses[0]  # Adam fits the 40 training images
    assert out[-1] in CLASSES
    assert sorted(os.listdir(tmp_path / "model")) == sorted(f"cifar_{i}.pth" for i in range(20))
    tags = scalar_tags(str(tmp_path / "logs"))
    assert tags[:2] == [("train loss", 0), ("test accuracy", 0)] and tags[-1] == ("test accuracy", 19)
    assert len(namespace["trainImages"]) == 40 and len(namespace["testImages"]) == 8
    # the checkpoint it loaded is the model it trained
    assert namespace["cifarNet"].cifar[0].weight.shape == (6, 3, 5, 5)
