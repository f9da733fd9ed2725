"""The seed models, written once against the torch API.

Each builder takes the torch-like module it should use (``minitorch_nn`` or
``torch``) and returns a model class, so the torch twins in
``reference/models.py`` are the very same code.
"""

from __future__ import annotations

from typing import Any


def lenet(torch: Any) -> type:
    """Seeds 000-002: LeNet with num_flat_features (input 1x32x32)."""
    nn = torch.nn
    F = torch.nn.functional  # noqa: N806  (the seeds call it F)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

        def num_flat_features(self, x: Any) -> int:
            num_features = 1
            for s in x.size()[1:]:
                num_features *= s
            return num_features

    return Net


def cifar(torch: Any, in_channels: int = 3) -> type:
    """Seed 003: the CIFAR-10 Sequential model (input 3x32x32)."""
    nn = torch.nn

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cifar = nn.Sequential(
                nn.Conv2d(in_channels, 6, (5, 5)),
                nn.MaxPool2d(2),
                nn.ReLU(True),
                nn.Conv2d(6, 16, (5, 5)),
                nn.MaxPool2d(2),
                nn.ReLU(True),
                nn.Flatten(),
                nn.Linear(400, 120),
                nn.ReLU(True),
                nn.Linear(120, 84),
                nn.ReLU(True),
                nn.Linear(84, 10),
            )

        def forward(self, input: Any) -> Any:
            return self.cifar(input)

    return Model


def lenet_sequential(torch: Any, in_channels: int = 3) -> type:
    """Seed 004: LeNet written with ``features`` and ``classifier`` Sequentials (input 3x32x32).

    The notes give the second convolution a 6x6 kernel, which leaves 16x4x4
    features where ``view(-1, 16 * 5 * 5)`` needs 16x5x5 (their code fails on a
    32x32 input); the kernel is 5 here, as in the LeNet it reimplements.
    """
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, 6, 5),
                nn.ReLU(),
                nn.MaxPool2d(2, 2),
                nn.Conv2d(6, 16, 5),
                nn.ReLU(),
                nn.MaxPool2d(2, 2),
            )
            self.classifier = nn.Sequential(
                nn.Linear(16 * 5 * 5, 120),
                nn.ReLU(),
                nn.Linear(120, 84),
                nn.ReLU(),
                nn.Linear(84, 10),
            )

        def forward(self, x: Any) -> Any:
            x = self.features(x)
            x = x.view(-1, 16 * 5 * 5)
            return self.classifier(x)

    return Net


def mlp(torch: Any, in_features: int = 32 * 32, hidden: int = 128) -> type:
    """A two-layer perceptron on flattened images."""
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.Sequential(nn.Flatten(), nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, 10))

        def forward(self, x: Any) -> Any:
            return self.layers(x)

    return MLP


def char_lstm(torch: Any, vocab_size: int = 64, embed: int = 32, hidden: int = 64, num_layers: int = 2) -> type:
    """A character language model: Embedding -> LSTM (``num_layers``) -> Linear over the vocabulary.

    Input: (batch, time) integer character ids; output: (batch, time, vocab) logits. ``advance``
    also takes and returns the LSTM's state (h, c), so a sampler reads one new character per step.
    """
    nn = torch.nn

    class CharLSTM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed)
            self.lstm = nn.LSTM(embed, hidden, num_layers=num_layers, batch_first=True)
            self.head = nn.Linear(hidden, vocab_size)

        def forward(self, ids: Any) -> Any:
            return self.advance(ids)[0]

        def advance(self, ids: Any, state: Any = None) -> tuple[Any, Any]:
            """The logits after each of ``ids`` and the state (h, c) after the last, starting from ``state``
            (None: zeros, the start of a text)."""
            out, state = self.lstm(self.embedding(ids), state)
            return self.head(out), state

    return CharLSTM


def gpt(
    torch: Any, vocab_size: int = 64, block_size: int = 64, embed: int = 32, num_heads: int = 4, num_layers: int = 2
) -> type:
    """A small GPT: token + position embeddings, ``num_layers`` pre-LayerNorm causal self-attention blocks
    with a GELU MLP, a final LayerNorm, and an output head whose weight is the token embedding's (tied).

    Input: (batch, time <= block_size) integer ids; output: (batch, time, vocab) logits.
    """
    nn = torch.nn
    F = torch.nn.functional  # noqa: N806

    class CausalSelfAttention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.qkv = nn.Linear(embed, 3 * embed)
            self.proj = nn.Linear(embed, embed)

        def forward(self, x: Any) -> Any:
            batch, time, channels = x.shape
            q, k, v = self.qkv(x).split(embed, dim=2)
            # (batch, time, channels) -> (batch, heads, time, head_dim)
            q, k, v = (t.view(batch, time, num_heads, channels // num_heads).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.proj(y.transpose(1, 2).reshape(batch, time, channels))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1 = nn.LayerNorm(embed)
            self.attn = CausalSelfAttention()
            self.ln2 = nn.LayerNorm(embed)
            self.mlp = nn.Sequential(nn.Linear(embed, 4 * embed), nn.GELU(), nn.Linear(4 * embed, embed))

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.block_size = block_size
            self.token = nn.Embedding(vocab_size, embed)
            self.position = nn.Embedding(block_size, embed)
            self.blocks = nn.ModuleList([Block() for _ in range(num_layers)])
            self.ln_f = nn.LayerNorm(embed)
            self.head = nn.Linear(embed, vocab_size, bias=False)
            self.head.weight = self.token.weight  # tied: one matrix reads and writes characters
            # Embedding's N(0, 1) init would make the tied head's logits huge: small weights, as GPT-2 does
            nn.init.normal_(self.token.weight, std=0.02)
            nn.init.normal_(self.position.weight, std=0.02)

        def forward(self, ids: Any) -> Any:
            time = ids.shape[1]
            if time > block_size:
                raise ValueError(f"sequence of length {time} is longer than block_size {block_size}")
            x = self.token(ids) + self.position(torch.arange(time, device=ids.device))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln_f(x))

    return GPT


TEXT_MODELS = ("char-lstm", "gpt")


def build_text(name: str, torch: Any, vocab_size: int, block_size: int = 64) -> Any:
    """An instance of text model ``name`` (one of ``TEXT_MODELS``) over ``vocab_size`` characters."""
    if name == "char-lstm":
        return char_lstm(torch, vocab_size)()
    if name == "gpt":
        return gpt(torch, vocab_size, block_size)()
    raise ValueError(f"unknown text model {name!r}: choose one of {', '.join(TEXT_MODELS)}")


MODELS = ("lenet", "cifar", "lenet-seq", "mlp")
CHANNELS = {"lenet": 1, "cifar": 3, "lenet-seq": 3, "mlp": 1}  # the input each seed model was written for


def build(name: str, torch: Any, in_channels: int = 1) -> Any:
    """An instance of model ``name`` (one of ``MODELS``) built with ``torch`` for ``in_channels`` images."""
    if name == "lenet":
        if in_channels != 1:
            raise ValueError("the seed LeNet takes 1-channel images; use --model cifar or lenet-seq for 3-channel data")
        return lenet(torch)()
    if name == "cifar":
        return cifar(torch, in_channels)()
    if name == "lenet-seq":
        return lenet_sequential(torch, in_channels)()
    if name == "mlp":
        return mlp(torch, in_channels * 32 * 32)()
    raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}")
