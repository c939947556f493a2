"""Trains the paper's Classifier_4 (gpz_models.classifier4, ndf 32) on Fashion-MNIST with PyTorch on the CPU and
exports it for GPZ.

    python python/train_fashion_mnist.py --out DIR [--epochs N] [--train-limit N] [--seed S]

Data: Debian's dataset-fashion-mnist package (IDX files in /usr/share/datasets/fashion-mnist, or $FASHION_MNIST_DIR).
Images are resized from 28 to 32 px (bilinear, no antialiasing), scaled to [0, 1] and normalised with mean 0.5 and
std 0.5, GPZ's convention. Writes DIR/model.pt (state dict), DIR/model.safetensors and DIR/fashion-cnn.gpz.pt (the
stage archive, split after block1..block4), and prints the test accuracy. Uses two threads and a fixed seed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gpz_export  # noqa: E402
import gpz_models  # noqa: E402

DATA_DIR = Path(os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
IMAGE_SIZE = 32
WIDTH = 32
BATCH = 128
LEARNING_RATE = 2e-3
THREADS = 2


def read_idx(path):
    """An IDX file (gzip-compressed) as a numpy array."""
    with gzip.open(path, "rb") as file:
        data = file.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(prefix):
    """(images [N, 1, 32, 32] normalised float32, labels [N] int64) of the 'train' or 't10k' split."""
    images = read_idx(DATA_DIR / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(DATA_DIR / f"{prefix}-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    x = F.interpolate(x, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False, antialias=False)
    return (x - 0.5) / 0.5, torch.from_numpy(labels.astype(np.int64))


def train(model, x, y, epochs, seed):
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE, total_steps=steps)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        start, total = time.time(), 0.0
        order = torch.randperm(len(x), generator=generator)
        for batch in order.split(BATCH):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f} ({time.time() - start:.0f} s)", file=sys.stderr)


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in zip(x.split(1000), y.split(1000)))
    return correct / len(x)


def save(model, out, reference):
    """Writes model.pt, model.safetensors and the archive fashion-cnn.gpz.pt (exported from the safetensors file
    with the first test images as the reference input)."""
    from safetensors.torch import save_file

    state = {key: value.contiguous() for key, value in model.state_dict().items()}
    torch.save(state, out / "model.pt")
    save_file(state, str(out / "model.safetensors"))
    with tempfile.TemporaryDirectory() as tmp:
        reference_file = Path(tmp) / "reference.npy"
        np.save(reference_file, reference.numpy())
        gpz_export.export([
            "--factory", "gpz_models:classifier4",
            "--kwargs", json.dumps({"nc": 1, "ndf": WIDTH, "nz": 10, "img_size": IMAGE_SIZE}),
            "--input", f"1,{IMAGE_SIZE},{IMAGE_SIZE}", "--classes", "10",
            "--weights", str(out / "model.safetensors"),
            "--splits", "block1,block2,block3,block4",
            "--class-names", ",".join(CLASS_NAMES),
            "--name", "fashion-cnn",
            "--reference-data", str(reference_file),
            "--out", str(out / "fashion-cnn.gpz.pt"),
        ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-limit", type=int, default=None, help="use only the first N training images")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(THREADS)
    torch.manual_seed(args.seed)
    start = time.time()
    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")
    if args.train_limit:
        x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]
    model = gpz_models.classifier4(nc=1, ndf=WIDTH, nz=10, img_size=IMAGE_SIZE)
    train(model, x_train, y_train, args.epochs, args.seed)
    test_accuracy = accuracy(model, x_test, y_test)
    print(f"test accuracy {100 * test_accuracy:.2f} % ({len(x_train)} training images, {args.epochs} epochs, "
          f"{time.time() - start:.0f} s)")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        save(model, args.out, x_test[:gpz_export.REFERENCE_BATCH])
    except gpz_export.ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
