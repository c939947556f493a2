#!/usr/bin/env bash
# Training throughput of every target architecture, gpz against the same network trained in PyTorch on torch 2.13.0
# (bench/train_throughput.py, the same libtorch gpz links): synthetic batches of 128, Adam, cross-entropy, median of
# STEPS timed steps after a warm-up step, cnn4 at 28 px and the others at 64 px. Run it on an idle machine after
# `./scripts/bootstrap.sh && swift build -c release`.
#
# usage: bench/train-vs-python.sh [STEPS]        STEPS defaults to 3
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-3}
source bench/common.sh
printf '%-9s %6s %14s %14s %8s\n' model size "gpz images/s" "torch images/s" "gpz/torch"
for model in cnn4 vgg16bn vgg19bn resnet18 ir152 vit; do
    ours=$($gpz bench train --model $model --steps "$steps" --json)
    theirs=$("$PYTHON" bench/train_throughput.py --model $model --steps "$steps" --json)
    "$PYTHON" - "$ours" "$theirs" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["parameters"] == b["parameters"], (a, b)
print(f'{a["model"]:<9} {a["image_size"]:>4}px {a["img_s"]:>14.1f} {b["img_s"]:>14.1f} {a["img_s"] / b["img_s"]:>7.2f}x')
PY
done
