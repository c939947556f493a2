#!/usr/bin/env python3
"""Reference timing: `gpz bench train` in plain PyTorch, for comparing training throughput on one machine.

The twin of Sources/GPZCLI/BenchTrain.swift. Each target architecture is rebuilt here with torch.nn at the size
`gpz bench train` uses (cnn4 at 28 px, every other architecture at 64 px, 1 input channel, 10 classes, the
ModelFactory defaults: cnn4 width 64, ViT patch 4) with the same layers in the same order as
Sources/GPZModels, so the parameter counts are GPZ's exactly and the arithmetic is the same. The protocol is
also GPZ's: torch.manual_seed(0), then the model, then one synthetic batch (torch.randn images, torch.randint
labels); training mode; Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-8, no AMSGrad); a step is zero_grad,
cross-entropy backward, optimiser step; one warm-up step, then the median of --steps timed steps. The epoch
time is what 48,000 images (Fashion-MNIST less the attacker's 20 %) take at that rate.

The process is set up as GPZ's libtorch shim sets up its own at start-up (Sources/CTorch/shim_tensor.cpp): one
intra-op thread per CPU available to the process (os.sched_getaffinity; GPZ_NUM_THREADS, when set, wins), and
glibc's malloc told not to mmap/munmap every activation (M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD 1 GiB,
M_TOP_PAD 256 MiB, each unless its MALLOC_*_ environment variable is set). --default-malloc leaves glibc's own
settings instead, i.e. PyTorch as a plain `python` process runs it.

Run it from a virtual environment holding PyTorch 2.13:

    python3 -m venv .deps/bench-venv && .deps/bench-venv/bin/pip install torch==2.13.0 numpy
    .deps/bench-venv/bin/python bench/train_throughput.py                    # all, as `gpz bench train`
    .deps/bench-venv/bin/python bench/train_throughput.py --model vit --json  # as `gpz bench train ... --json`
    .deps/bench-venv/bin/python bench/train_throughput.py --check            # parameter counts, output shapes

The output has gpz's format: one line per architecture, or with --json one JSON object per line with gpz's keys
(model, image_size, batch, parameters, img_s, epoch_s). Run on an otherwise idle machine.

Where the PyTorch form differs from GPZ's in more than spelling:

- all: the loss is F.cross_entropy; GPZ computes the same value as −mean(Σ one_hot · log_softmax), a few extra
  element-wise operations on the [batch, 10] logits. Adam is pinned to PyTorch's single-tensor loop
  (foreach=False, already the default on CPU), which is the update GPZ's Adam follows operation for operation.
- vit: the attention is written out rather than taken from nn.MultiheadAttention (the parameters are the same:
  in_proj_weight, in_proj_bias, out_proj). In training, nn.MultiheadAttention without attention weights calls
  the fused scaled_dot_product_attention kernel, and with them (its default) it projects q, k and v in one
  packed linear layer and averages the weights over the heads; GPZ projects q, k and v with three slices of
  in_proj_weight, scales q, multiplies, softmaxes, drops out and multiplies again, and so does this module.
- cnn4, vgg16bn, vgg19bn, resnet18, ir152: none.
"""
import argparse
import ctypes
import json
import math
import os
import sys
import time
from collections import OrderedDict
from typing import Callable, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

ARCHITECTURES = ("cnn4", "vgg16bn", "vgg19bn", "resnet18", "ir152", "vit")
CHANNELS = 1
CLASSES = 10
EPOCH_IMAGES = 48_000

# GPZ's parameter counts at these sizes (docs/benchmarks.md, `gpz bench train`).
GPZ_PARAMETERS = {
    "cnn4": 1_577_904,
    "vgg16bn": 39_936_970,
    "vgg19bn": 45_249_226,
    "resnet18": 11_188_170,
    "ir152": 62_090_826,
    "vit": 1_226_378,
}


def image_size(architecture: str) -> int:
    """cnn4 at 28 px (Fashion-MNIST's own size), every other architecture at 64 px (the paper's)."""
    return 28 if architecture == "cnn4" else 64


# Shared layers (Sources/GPZModels/Blocks.swift).

def conv3x3(in_channels: int, out_channels: int, stride: int = 1, bias: bool = True) -> nn.Conv2d:
    """Conv3×3 with padding 1."""
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=bias)


def conv3x3_side(side: int, stride: int = 1) -> int:
    """Output side of `conv3x3` on a map of side `side`."""
    return (side - 1) // stride + 1


def stem(in_channels: int, out_channels: int, activation: nn.Module) -> nn.Sequential:
    """Conv3×3 (no bias) → BN → activation: ResNet-18's conv1 and IR-152's input layer."""
    return nn.Sequential(conv3x3(in_channels, out_channels, bias=False), nn.BatchNorm2d(out_channels), activation)


def projection_shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    """Conv1×1 (stride, no bias) → BN: the shortcut of a residual unit that changes shape."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(out_channels))


class Residual(nn.Module):
    """activation(residual(x) + shortcut(x)); the shortcut is the identity when None, the activation left out
    when None."""

    def __init__(self, residual: nn.Sequential, shortcut: Optional[nn.Module],
                 activation: Optional[nn.Module]) -> None:
        super().__init__()
        self.residual = residual
        self.shortcut = shortcut
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        total = self.residual(x) + (x if self.shortcut is None else self.shortcut(x))
        return total if self.activation is None else self.activation(total)


class FlattenedInput(nn.Sequential):
    """Flattens each sample to a vector, then applies the layers."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.flatten(1))


def initialise_xavier_uniform(model: nn.Module) -> None:
    """Xavier-uniform weights and zero biases for every convolution and linear layer."""
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


# cnn4 (CNN4.swift): the paper's Classifier_4.

def make_cnn4(size: int, width: int = 64) -> nn.Sequential:
    stages: "OrderedDict[str, nn.Module]" = OrderedDict()
    in_channels, side = CHANNELS, size
    for number, factor in enumerate((1, 2, 4, 8), start=1):
        out_channels = factor * width
        stages[f"block{number}"] = nn.Sequential(conv3x3(in_channels, out_channels, bias=True),
                                                 nn.BatchNorm2d(out_channels), nn.MaxPool2d(2), nn.ReLU())
        in_channels, side = out_channels, side // 2
    hidden = 5 * CLASSES
    stages["fc"] = FlattenedInput(nn.Linear(in_channels * side * side, hidden), nn.Dropout(0.5),
                                  nn.Linear(hidden, CLASSES))
    return nn.Sequential(stages)


# vgg16bn, vgg19bn (VGG.swift): configurations D and E with batch norm, ceil-mode pools.

VGG_WIDTHS = (64, 128, 256, 512, 512)
VGG_CONVOLUTIONS = {"vgg16bn": (2, 2, 3, 3, 3), "vgg19bn": (2, 2, 4, 4, 4)}


def make_vgg(architecture: str, size: int) -> nn.Sequential:
    features: list[nn.Module] = []
    in_channels, side = CHANNELS, size
    for width, count in zip(VGG_WIDTHS, VGG_CONVOLUTIONS[architecture]):
        for _ in range(count):
            features += [conv3x3(in_channels, width, bias=True), nn.BatchNorm2d(width), nn.ReLU()]
            in_channels = width
        features.append(nn.MaxPool2d(2, ceil_mode=True))
        side = math.ceil(side / 2)
    classifier = FlattenedInput(nn.Linear(in_channels * side * side, 4096), nn.ReLU(), nn.Dropout(0.3),
                                nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.2), nn.Linear(4096, CLASSES))
    return nn.Sequential(OrderedDict(features=nn.Sequential(*features), classifier=classifier))


# resnet18 (ResNet18.swift): the paper's rn18, a 3×3 stem of width 64.

def basic_block(in_channels: int, out_channels: int, stride: int) -> Residual:
    residual = nn.Sequential(conv3x3(in_channels, out_channels, stride=stride, bias=False),
                             nn.BatchNorm2d(out_channels), nn.ReLU(),
                             conv3x3(out_channels, out_channels, bias=False), nn.BatchNorm2d(out_channels))
    changes_shape = stride != 1 or in_channels != out_channels
    shortcut = projection_shortcut(in_channels, out_channels, stride) if changes_shape else None
    return Residual(residual, shortcut, nn.ReLU())


def make_resnet18(size: int) -> nn.Sequential:
    stages: "OrderedDict[str, nn.Module]" = OrderedDict(conv1=stem(CHANNELS, 64, nn.ReLU()))
    in_channels, side = 64, size
    for layer, (width, first_stride) in enumerate(zip((64, 128, 256, 512), (1, 2, 2, 2)), start=1):
        blocks = []
        for block in range(2):
            stride = first_stride if block == 0 else 1
            blocks.append(basic_block(in_channels, width, stride))
            in_channels, side = width, conv3x3_side(side, stride)
        stages[f"layer{layer}"] = nn.Sequential(*blocks)
    stages["pool"] = nn.Sequential(nn.AvgPool2d(4), nn.Flatten())
    stages["fc"] = nn.Linear(in_channels * (side // 4) ** 2, CLASSES)
    return nn.Sequential(stages)


# ir152 (IR152.swift): Backbone64(…, 152, …, 'ir') and its face-recognition head, Xavier-uniform initialised.

IR152_STAGES = ((64, 64, 3), (64, 128, 8), (128, 256, 36), (256, 512, 3))


def bottleneck_ir(in_channels: int, depth: int, stride: int) -> Residual:
    residual = nn.Sequential(nn.BatchNorm2d(in_channels), conv3x3(in_channels, depth, bias=False),
                             nn.PReLU(depth), conv3x3(depth, depth, stride=stride, bias=False),
                             nn.BatchNorm2d(depth))
    shortcut = (nn.MaxPool2d(1, stride=stride) if in_channels == depth
                else projection_shortcut(in_channels, depth, stride))
    return Residual(residual, shortcut, None)


def make_ir152(size: int) -> nn.Sequential:
    units: list[nn.Module] = []
    side = size
    for in_channels, depth, count in IR152_STAGES:
        for unit in range(count):
            stride = 2 if unit == 0 else 1
            units.append(bottleneck_ir(in_channels if unit == 0 else depth, depth, stride))
            side = conv3x3_side(side, stride)
    width = IR152_STAGES[-1][1]
    model = nn.Sequential(OrderedDict(
        input_layer=stem(CHANNELS, 64, nn.PReLU(64)),
        body=nn.Sequential(*units),
        output_layer=nn.Sequential(nn.BatchNorm2d(width), nn.Dropout(0.5), nn.Flatten(),
                                   nn.Linear(width * side * side, 512), nn.BatchNorm1d(512)),
        fc_layer=nn.Linear(512, CLASSES),
    ))
    initialise_xavier_uniform(model)
    return model


# vit (ViT.swift): patch 4, width 128, depth 6, 8 heads, MLP ratio 4, dropout 0.1, pre-norm blocks.

class PatchEmbedding(nn.Module):
    """Image [N, C, H, W] → tokens [N, 1 + (H/p)·(W/p), D]: patch projection, class token in front, positional
    embedding added, dropout."""

    def __init__(self, channels: int, size: int, patch: int, width: int, dropout: float) -> None:
        super().__init__()
        patches = (size // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + patches, width))
        nn.init.normal_(self.pos_embed, std=0.02)
        with torch.no_grad():
            self.pos_embed.clamp_(-2, 2)
        self.proj = nn.Conv2d(channels, width, patch, stride=patch)
        self.pos_drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        patches = self.proj(x).flatten(2).transpose(1, 2)
        class_tokens = self.cls_token.expand(x.size(0), 1, self.cls_token.size(2))
        return self.pos_drop(torch.cat([class_tokens, patches], dim=1) + self.pos_embed)


class SelfAttention(nn.Module):
    """Batch-first multi-head self-attention with nn.MultiheadAttention's parameters, computed as GPZ's
    MultiheadAttention does: Q, K and V from three slices of in_proj_weight, softmax(Q Kᵀ / √d) with dropout,
    times V, heads merged, out_proj."""

    def __init__(self, width: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.width, self.heads, self.head_dim, self.dropout = width, heads, width // heads, dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
        self.out_proj = nn.Linear(width, width)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def project(self, x: torch.Tensor, part: int) -> torch.Tensor:
        """x W_partᵀ + b_part, part 0, 1, 2 for query, key, value."""
        rows = slice(part * self.width, (part + 1) * self.width)
        return F.linear(x, self.in_proj_weight[rows], self.in_proj_bias[rows])

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """[N, T, E] → [N, h, T, d]"""
        return x.reshape(x.size(0), x.size(1), self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens = x.size(0), x.size(1)
        queries = self.split_heads(self.project(x, 0)) * (1 / math.sqrt(self.head_dim))
        keys = self.split_heads(self.project(x, 1))
        values = self.split_heads(self.project(x, 2))
        scores = queries.matmul(keys.transpose(-2, -1))
        weights = F.dropout(scores.softmax(dim=-1), p=self.dropout, training=self.training)
        merged = weights.matmul(values).permute(0, 2, 1, 3).reshape(batch, tokens, self.width)
        return self.out_proj(merged)


class TransformerBlock(nn.Module):
    """Pre-norm encoder block on [N, T, D]: x + MHA(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, width: int, heads: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attn = SelfAttention(width, heads, dropout)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, width), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        attended = x + self.attn(self.norm1(x))
        return attended + self.mlp(self.norm2(attended))


class ClassTokenHead(nn.Module):
    """Tokens [N, T, D] → logits [N, classes]: LayerNorm, then a linear layer on the class token."""

    def __init__(self, width: int, classes: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.norm(x)[:, 0])


def make_vit(size: int, patch: int = 4, width: int = 128, depth: int = 6, heads: int = 8, mlp_ratio: int = 4,
             dropout: float = 0.1) -> nn.Sequential:
    return nn.Sequential(OrderedDict(
        patch_embed=PatchEmbedding(CHANNELS, size, patch, width, dropout),
        blocks=nn.Sequential(*(TransformerBlock(width, heads, mlp_ratio * width, dropout) for _ in range(depth))),
        head=ClassTokenHead(width, CLASSES),
    ))


def make_model(architecture: str) -> nn.Module:
    size = image_size(architecture)
    if architecture == "cnn4":
        return make_cnn4(size)
    if architecture in VGG_CONVOLUTIONS:
        return make_vgg(architecture, size)
    if architecture == "resnet18":
        return make_resnet18(size)
    if architecture == "ir152":
        return make_ir152(size)
    if architecture == "vit":
        return make_vit(size)
    raise ValueError(f"unknown architecture '{architecture}'; choose one of {', '.join(ARCHITECTURES)}")


def parameter_count(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())


# Process set-up and the benchmark.

def configure_runtime(tune_malloc: bool) -> int:
    """GPZ's start-up settings: malloc thresholds (environment wins) and one intra-op thread per available CPU
    (GPZ_NUM_THREADS wins). Returns the thread count."""
    if tune_malloc and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None)
        if hasattr(libc, "mallopt"):
            for option, variable, value in ((-3, "MALLOC_MMAP_THRESHOLD_", 33_554_432),
                                            (-1, "MALLOC_TRIM_THRESHOLD_", 1 << 30),
                                            (-2, "MALLOC_TOP_PAD_", 268_435_456)):
                if variable not in os.environ:
                    libc.mallopt(option, value)
    threads = int(os.environ.get("GPZ_NUM_THREADS", "0") or 0)
    if threads <= 0:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(max(threads, 1))
    return torch.get_num_threads()


def seconds(body: Callable[[], None]) -> float:
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


def benchmark(architecture: str, steps: int, batch: int) -> dict:
    size = image_size(architecture)
    torch.manual_seed(0)
    model = make_model(architecture)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    images = torch.randn(batch, CHANNELS, size, size)
    labels = torch.randint(0, CLASSES, (batch,))
    model.train()

    def step() -> None:
        optimizer.zero_grad()
        F.cross_entropy(model(images), labels).backward()
        optimizer.step()

    step()
    samples = sorted(seconds(step) for _ in range(steps))
    median = samples[len(samples) // 2]
    return {"model": architecture, "image_size": size, "batch": batch, "parameters": parameter_count(model),
            "img_s": batch / median, "epoch_s": EPOCH_IMAGES * median / batch}


def check(architectures: list[str]) -> bool:
    """Builds each model, prints its parameter count (against GPZ's) and the output shape of a training-mode
    forward pass on a batch of 2. True when every count matches."""
    matches = True
    for architecture in architectures:
        size = image_size(architecture)
        torch.manual_seed(0)
        model = make_model(architecture)
        model.train()
        count = parameter_count(model)
        with torch.no_grad():
            shape = tuple(model(torch.randn(2, CHANNELS, size, size)).shape)
        expected = GPZ_PARAMETERS[architecture]
        verdict = "matches GPZ" if count == expected else f"GPZ has {expected:,}"
        matches = matches and count == expected
        print(f"{architecture:<9} {size:2d} px  {count:>12,} params  output {shape}  {verdict}")
    return matches


def main() -> int:
    parser = argparse.ArgumentParser(description="Training throughput (images/s) of each architecture at its "
                                                 "default size, in PyTorch: the twin of `gpz bench train`.")
    parser.add_argument("--model", default="all", help="Architecture, or all.")
    parser.add_argument("--steps", type=int, default=5, help="Timed steps per architecture.")
    parser.add_argument("--batch", type=int, default=128, help="Batch size.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object per architecture, one per line.")
    parser.add_argument("--check", action="store_true",
                        help="Only build each model and print its parameter count and output shape.")
    parser.add_argument("--default-malloc", action="store_true",
                        help="Keep glibc's malloc settings instead of GPZ's start-up ones.")
    arguments = parser.parse_args()
    if arguments.steps < 1:
        parser.error(f"--steps must be at least 1, got {arguments.steps}")
    if arguments.batch < 2:
        parser.error(f"--batch must be at least 2, got {arguments.batch}")
    name = arguments.model.lower()
    if name != "all" and name not in ARCHITECTURES:
        parser.error(f"unknown architecture '{arguments.model}'; choose one of {', '.join(ARCHITECTURES)}")
    architectures = list(ARCHITECTURES) if name == "all" else [name]

    configure_runtime(tune_malloc=not arguments.default_malloc)
    if arguments.check:
        return 0 if check(architectures) else 1
    for architecture in architectures:
        result = benchmark(architecture, arguments.steps, arguments.batch)
        if arguments.json:
            print(json.dumps(result, sort_keys=True, separators=(",", ":")), flush=True)
        else:
            print(f"{architecture:<9} {result['image_size']:2d} px  {result['parameters']:10d} params  "
                  f"{result['img_s']:8.1f} images/s  epoch of 48,000: {result['epoch_s']:6.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
