"""Training tasks: small, offline problems where the learning-rate schedule visibly matters.

Each task builds its data once (deterministically), a model from a seed, and draws batches from
its own seeded generator, so every schedule in a comparison starts from the same weights and sees
the same batches in the same order.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


@dataclass
class TaskData:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_eval: torch.Tensor
    y_eval: torch.Tensor
    classification: bool = True
    sequence: bool = False  # x holds token ids, batches are windows


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    description: str
    load: Callable[[dict], TaskData]
    model: Callable[[TaskData, dict], nn.Module]
    optimizer: str
    lr: float
    steps: int
    batch_size: int
    options: dict = field(default_factory=dict)


# --- mlp: teacher-student regression ------------------------------------------------------------

def _teacher_data(opts) -> TaskData:
    g = torch.Generator().manual_seed(1234)  # the problem is fixed; the run seed only moves init and batches
    d = int(opts.get("dim", 32))
    x = torch.randn(5120, d, generator=g)
    w1 = torch.randn(d, 64, generator=g) / math.sqrt(d)
    w2 = torch.randn(64, 1, generator=g) / 8.0
    y = torch.tanh(x @ w1) @ w2
    return TaskData(x[:4096], y[:4096], x[4096:], y[4096:], classification=False)


def _mlp(data: TaskData, opts) -> nn.Module:
    d, width, depth = data.x_train.shape[1], int(opts.get("width", 128)), int(opts.get("depth", 4))
    layers, prev = [], d
    for _ in range(depth):
        layers += [nn.Linear(prev, width), nn.ReLU()]
        prev = width
    return nn.Sequential(*layers, nn.Linear(prev, 1))


# --- digits: scikit-learn's 8x8 digits, small CNN with BatchNorm ---------------------------------

def _digits(opts) -> TaskData:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    x, y = x[perm], y[perm]
    n = int(0.8 * len(y))
    return TaskData(x[:n], y[:n], x[n:], y[n:])


class SmallCNN(nn.Module):
    def __init__(self, channels=1, classes=10, width=16):
        super().__init__()
        self.c1 = nn.Conv2d(channels, width, 3, padding=1)
        self.b1 = nn.BatchNorm2d(width)
        self.c2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.b2 = nn.BatchNorm2d(2 * width)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = F.relu(self.b1(self.c1(x)))
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)
        return self.fc(x.mean(dim=(2, 3)))


def _cnn(data: TaskData, opts) -> nn.Module:
    return SmallCNN(data.x_train.shape[1], int(data.y_train.max()) + 1, int(opts.get("width", 16)))


# --- charlm: tiny transformer on Python's own standard-library source ------------------------------

def stdlib_text(max_bytes=2_000_000) -> bytes:
    """Deterministic text: the sorted .py files of this Python's standard library."""
    root = Path(os.__file__).parent
    out, total = [], 0
    for path in sorted(root.glob("*.py")):
        b = path.read_bytes()
        out.append(b)
        total += len(b)
        if total >= max_bytes:
            break
    return b"".join(out)[:max_bytes]


def _charlm(opts) -> TaskData:
    text = np.frombuffer(stdlib_text(int(opts.get("corpus_bytes", 1_000_000))), dtype=np.uint8)
    ids = torch.from_numpy(text.astype(np.int64))
    n = int(0.9 * len(ids))
    return TaskData(ids[:n], ids[:n], ids[n:], ids[n:], classification=True, sequence=True)


class Block(nn.Module):
    def __init__(self, d, heads, pre_ln):
        super().__init__()
        self.pre_ln = pre_ln
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        if self.pre_ln:  # Pre-LN: normalise the input of each sublayer
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.mlp(self.ln2(x))
        # Post-LN (the original Transformer): normalise after the residual sum
        x = self.ln1(x + self.attn(x, x, x, attn_mask=mask, need_weights=False)[0])
        return self.ln2(x + self.mlp(x))


class CharLM(nn.Module):
    def __init__(self, vocab=256, d=64, heads=4, layers=2, context=64, pre_ln=False):
        super().__init__()
        self.context = context
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads, pre_ln) for _ in range(layers))
        self.ln = nn.LayerNorm(d) if pre_ln else nn.Identity()
        self.head = nn.Linear(d, vocab)
        self.register_buffer("mask", torch.triu(torch.ones(context, context, dtype=torch.bool), 1), persistent=False)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t, device=idx.device))
        for b in self.blocks:
            x = b(x, self.mask[:t, :t])
        return self.head(self.ln(x))


def _lm(data: TaskData, opts) -> nn.Module:
    return CharLM(d=int(opts.get("d_model", 64)), heads=int(opts.get("heads", 4)), layers=int(opts.get("layers", 2)),
                  context=int(opts.get("context", 64)), pre_ln=opts.get("norm", "post") == "pre")


# --- cifar10: for users who have the files (torchvision layout) ----------------------------------

def cifar10_dir(opts) -> Path:
    root = Path(opts.get("data_dir") or os.environ.get("WARMUP_LAB_DATA", Path.home() / ".cache" / "warmup-lab"))
    return root / "cifar-10-batches-py"


def _cifar10(opts) -> TaskData:
    folder = cifar10_dir(opts)
    names = [f"data_batch_{i}" for i in range(1, 6)]
    present = [n for n in names if (folder / n).exists()]
    if not present or not (folder / "test_batch").exists():
        raise FileNotFoundError(
            f"CIFAR-10 was not found in {folder} (torchvision layout: data_batch_1..5 and test_batch). "
            "When online, torchvision.datasets.CIFAR10(root, download=True) fetches it; or pick another task.")

    def read(name):
        with open(folder / name, "rb") as f:
            d = pickle.load(f, encoding="bytes")
        x = torch.tensor(np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32), dtype=torch.float32) / 255
        return (x - 0.5) / 0.25, torch.tensor(d[b"labels"], dtype=torch.long)

    parts = [read(n) for n in present]
    xt, yt = read("test_batch")
    return TaskData(torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts]), xt, yt)


TASKS: dict[str, Task] = {t.name: t for t in [
    Task("mlp", "Teacher-student MLP", "Regress a random two-layer 'teacher' with a 4-layer ReLU MLP (synthetic, "
         "the fastest).", _teacher_data, _mlp, "sgd", 0.05, 300, 64),
    Task("digits", "Digits CNN", "scikit-learn's 8×8 handwritten digits, a small CNN with BatchNorm, SGD + momentum.",
         _digits, _cnn, "sgd", 0.1, 300, 64),
    Task("charlm", "Character transformer", "A tiny Post-LN transformer language model on the characters of "
         "Python's own standard library, trained with Adam: the classic case where warmup matters.",
         _charlm, _lm, "adam", 3e-3, 300, 32, {"norm": "post"}),
    Task("cifar10", "CIFAR-10 CNN", "CIFAR-10 from files you have (torchvision layout); a small CNN with BatchNorm.",
         _cifar10, _cnn, "sgd", 0.1, 500, 128, {"width": 32}),
]}


def task(name: str) -> Task:
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"unknown task {name!r}; valid tasks are {sorted(TASKS)}")
    return TASKS[name]


# the options each task reads, with their bounds (so a typo or a huge width is refused before a run)
OPTIONS: dict[str, dict[str, tuple]] = {
    "mlp": {"dim": (1, 1024), "width": (1, 4096), "depth": (1, 32)},
    "digits": {"width": (1, 512)},
    "charlm": {"corpus_bytes": (10_000, 20_000_000), "d_model": (8, 1024), "heads": (1, 32), "layers": (1, 24),
               "context": (2, 1024), "norm": ("post", "pre")},
    "cifar10": {"width": (1, 512), "data_dir": (str,)},
}


def check_options(name: str, options: dict) -> None:
    """ValueError naming an option the task does not read, or a value out of its bounds."""
    allowed = OPTIONS.get(name, {})
    for key, value in options.items():
        if key not in allowed:
            raise ValueError(f"task {name!r} has no option {key!r}; its options are {sorted(allowed)}")
        spec = allowed[key]
        if spec == (str,):
            ok = isinstance(value, str)
        elif isinstance(spec[0], str):
            ok = value in spec
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and spec[0] <= value <= spec[1]
        if not ok:
            want = "a path" if spec == (str,) else (f"one of {list(spec)}" if isinstance(spec[0], str) else
                                                     f"an integer in [{spec[0]}, {spec[1]}]")
            raise ValueError(f"task option {key!r} must be {want}, got {value!r}")
    if name == "charlm" and ("d_model" in options or "heads" in options):
        d, h = int(options.get("d_model", 64)), int(options.get("heads", 4))
        if d % h:
            raise ValueError(f"task option 'd_model' ({d}) must be a multiple of 'heads' ({h})")


def batch(data: TaskData, idx_gen: torch.Generator, batch_size: int, context: int = 64):
    """One training batch drawn with the run's own generator (identical across schedules)."""
    if data.sequence:
        starts = torch.randint(0, len(data.x_train) - context - 1, (batch_size,), generator=idx_gen)
        offs = torch.arange(context)
        return data.x_train[starts[:, None] + offs], data.x_train[starts[:, None] + offs + 1]
    idx = torch.randint(0, len(data.y_train), (batch_size,), generator=idx_gen)
    return data.x_train[idx], data.y_train[idx]


def loss_and_correct(model, x, y, data: TaskData):
    out = model(x)
    if data.sequence:
        loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
        return loss, (out.argmax(-1) == y).float().mean()
    if data.classification:
        return F.cross_entropy(out, y), (out.argmax(-1) == y).float().mean()
    return F.mse_loss(out, y), None
