#!/usr/bin/env python3
"""The Python twin of `gpz bench ops`, for torch 2.13.0 (the libtorch gpz links).

Same workloads, same statistics:
- `add_us` / `add_grad_us`: one 1-element float32 add (`a + b`, the result released), median over 15 rounds of
  20,000, without and with one input requiring grad;
- `lenet_img_s`: Conv(1->32, 5) -> ReLU -> MaxPool 2 -> Conv(32->64, 5) -> ReLU -> MaxPool 2 -> Linear(1024->10),
  cross-entropy, batch 128 of uniform 1x28x28 inputs, Adam lr 1e-3;
- `decoder_img_s`: ConvTranspose(128->64, 4, 2, 1) -> BatchNorm -> Tanh -> ConvTranspose(64->1, 4, 2, 1) -> Sigmoid
  from 128x7x7 normal inputs, MSE against uniform 1x28x28 targets, batch 128, Adam lr 1e-3;
training figures are the median of --steps timed steps after two warm-up steps. Threads: one per available core
(GPZ_NUM_THREADS overrides), and gpz's malloc settings unless the MALLOC_*_ variables are set (they are read at
start-up, so bench/ops-vs-python.sh sets them in the environment). Prints one JSON line.

Run from a virtual environment holding torch==2.13.0 (bench/common.sh makes one).
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def add_microseconds(requires_grad: bool, iterations: int = 20_000, rounds: int = 15) -> float:
    a = torch.tensor([1.0], requires_grad=requires_grad)
    b = torch.tensor([2.0])
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iterations):
            _ = a + b
        times.append((time.perf_counter() - start) / iterations * 1e6)
    return statistics.median(times)


def images_per_second(model: nn.Module, inputs: torch.Tensor, loss, steps: int) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        optimizer.zero_grad()
        loss(model(inputs)).backward()
        optimizer.step()

    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return inputs.shape[0] / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    threads = int(os.environ.get("GPZ_NUM_THREADS", "0")) or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    lenet = nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 10))
    labels = torch.randint(0, 10, (128,))
    lenet_rate = images_per_second(lenet, torch.rand(128, 1, 28, 28), lambda y: F.cross_entropy(y, labels),
                                   args.steps)
    torch.manual_seed(0)
    decoder = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.Tanh(),
                            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid())
    target = torch.rand(128, 1, 28, 28)
    decoder_rate = images_per_second(decoder, torch.randn(128, 128, 7, 7), lambda y: F.mse_loss(y, target),
                                     args.steps)
    result = {"add_us": add_microseconds(False), "add_grad_us": add_microseconds(True), "lenet_img_s": lenet_rate,
              "decoder_img_s": decoder_rate, "threads": torch.get_num_threads(), "torch": torch.__version__}
    print(json.dumps(result, sort_keys=True, separators=(",", ":")))


if __name__ == "__main__":
    main()
