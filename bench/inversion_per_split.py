#!/usr/bin/env python3
"""Reference timing: the paper code's way of attacking one split, in Python over the same libtorch.

One process trains the inversion decoder of ONE cnn4 split (block 1-4) for the given epochs on the attacker's
aux images, then evaluates it on the private images, exactly as `train_inversion.py` of the paper's code does:

- the frozen target runs its whole forward pass for every batch, in eval mode under no_grad (the published
  models ignore `block_idx` and always compute every block), and the split's features are taken from it;
- the decoder is the paper's `Inversion_4`: ConvTranspose2d(C, C/2, 4, 2, 1) -> BatchNorm2d -> Tanh stages,
  halving the channels until half the image side, then ConvTranspose2d(C, nc, 4, 2, 1) -> Sigmoid, built with
  torch.nn.ConvTranspose2d (libtorch's own transposed convolution);
- MSE against the [0, 1] images, Adam(lr 0.01, betas (0.5, 0.999), amsgrad), batch 128;
- evaluation: per-pixel MSE over the private images.

Differences from the published script, all in its favour: `torch.autograd.set_detect_anomaly(True)` is not
turned on, no PSNR/SSIM/cosine or image grids are computed, no checkpoint is written, and the target is loaded
and the data decoded, resized and held in memory before the in-process clock starts (it covers building the
decoder, training and evaluation). The caller times the whole process, start-up and loading included.

The target (weights and input normalisation) is read from a checkpoint directory written by `gpz train`, so
both sides attack the same network. Prints one JSON line with the timings.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(kind, count, side, rng):
    raw = read_idx(os.path.join(FASHION, f"{kind}-images-idx3-ubyte.gz"))
    chosen = rng.choice(len(raw), size=count, replace=False) if count < len(raw) else np.arange(len(raw))
    x = torch.from_numpy(raw[chosen].astype(np.float32) / 255.0).unsqueeze(1)
    if side != x.shape[-1]:
        x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False).clamp_(0, 1)
    return x.contiguous()


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        body = f.read()
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=kinds[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


class Classifier4(nn.Module):
    """The paper's Classifier_4: Conv3x3 -> BN -> MaxPool 2 -> ReLU blocks, then Linear -> Dropout -> Linear.
    Its parameter names are gpz's (block1.0.weight, ..., fc.2.bias), so a gpz checkpoint loads by name."""

    def __init__(self, nc, ndf, classes, side):
        super().__init__()
        channels = nc
        for number, width in enumerate([ndf, 2 * ndf, 4 * ndf, 8 * ndf], start=1):
            setattr(self, f"block{number}", nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1), nn.BatchNorm2d(width),
                                                          nn.MaxPool2d(2, 2, 0), nn.ReLU()))
            channels = width
        flat = 8 * ndf * (side // 16) ** 2
        self.fc = nn.Sequential(nn.Linear(flat, 5 * classes), nn.Dropout(0.5), nn.Linear(5 * classes, classes))

    def forward(self, x):
        feat = []
        for block in (self.block1, self.block2, self.block3, self.block4):
            x = block(x)
            feat.append(x)
        return feat, F.softmax(self.fc(torch.flatten(x, 1)), dim=1)


def load_target(directory):
    """The cnn4 of a `gpz train` checkpoint directory (its best weights) and its input normalisation."""
    with open(os.path.join(directory, "checkpoint.json")) as f:
        info = json.load(f)
    config = info["config"]
    if config["architecture"] != "cnn4":
        raise SystemExit(f"{directory}: architecture {config['architecture']}, expected cnn4")
    model = Classifier4(1, config["cnn4_width"], len(info["class_names"]), config["image_size"])
    model.load_state_dict(read_safetensors(os.path.join(directory, info["best_weights"])), strict=True)
    mean, std = info["normalization_mean"][0], info["normalization_std"][0]
    return model.eval(), config["cnn4_width"], config["image_size"], lambda x: (x - mean) / std


def inversion4(channels, side, image_side, nc):
    layers = []
    while side * 2 < image_side:
        layers += [nn.ConvTranspose2d(channels, channels // 2, 4, 2, 1), nn.BatchNorm2d(channels // 2), nn.Tanh()]
        channels //= 2
        side *= 2
    layers += [nn.ConvTranspose2d(channels, nc, 4, 2, 1), nn.Sigmoid()]
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, help="a cnn4 checkpoint directory written by gpz train")
    parser.add_argument("--block", type=int, required=True, choices=[1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--aux", type=int, default=12000)
    parser.add_argument("--private", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    target, width, side, normalize = load_target(args.checkpoint)
    aux = images("train", args.aux, side, rng)
    private = images("t10k", args.private, side, rng)

    start = time.perf_counter()
    decoder = inversion4(width * 2 ** (args.block - 1), side >> args.block, side, 1)
    optimizer = torch.optim.Adam(decoder.parameters(), lr=0.01, betas=(0.5, 0.999), amsgrad=True)
    trained = 0
    for _ in range(args.epochs):
        decoder.train()
        order = torch.randperm(len(aux))
        for first in range(0, len(aux), args.batch):
            x = aux[order[first:first + args.batch]]
            with torch.no_grad():
                feat, _ = target(normalize(x))
                z = feat[args.block - 1]
            optimizer.zero_grad()
            loss = F.mse_loss(decoder(z), x)
            loss.backward()
            optimizer.step()
            trained += len(x)
    train_seconds = time.perf_counter() - start
    decoder.eval()
    total = 0.0
    with torch.no_grad():
        for first in range(0, len(private), args.batch):
            x = private[first:first + args.batch]
            feat, _ = target(normalize(x))
            total += F.mse_loss(decoder(feat[args.block - 1]), x, reduction="sum").item()
    seconds = time.perf_counter() - start
    print(json.dumps({"block": args.block, "image_size": side, "aux_images": trained, "private_images": len(private),
                      "train_seconds": round(train_seconds, 3), "seconds": round(seconds, 3),
                      "mse": total / (len(private) * side * side), "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
