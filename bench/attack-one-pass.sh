#!/usr/bin/env bash
# The attack benchmark of docs/benchmarks.md: all four cnn4 block splits attacked with learned decoders, one epoch
# over the 12,000 aux images of sub:0.2, then evaluated on the 10,000 private test images, at SIZE px:
#   1. gpz attack, all splits in one pass (one target pass per batch feeds the four decoders);
#   2. gpz attack --per-split (one split after another, the target re-run for each);
#   3. the paper code's way: one Python process per split on torch 2.13.0 (bench/inversion_per_split.py), the same
#      libtorch gpz links.
# Every figure is the wall time of whole processes. Run it on an idle machine after
# `./scripts/bootstrap.sh && swift build -c release`; it creates the Python environment (bench/common.sh) and
# trains the cnn4 it attacks (1 epoch on 6,000 images; its accuracy does not change the timing) when missing.
#
# usage: bench/attack-one-pass.sh SIZE [WORKDIR]      SIZE: 32 or 64; WORKDIR defaults to runs/bench-attack
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:?usage: bench/attack-one-pass.sh SIZE [WORKDIR]}
work=${2:-runs/bench-attack}
source bench/common.sh
# The same malloc tuning gpz applies to itself at start-up (README, "Runtime behaviour").
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456

target=$work/target-$size
mkdir -p "$work"
if [[ ! -f $target/checkpoint.json ]]; then
    $gpz train --model cnn4 --data fashion-mnist --image-size "$size" --epochs 1 --train-limit 6000 \
        --out "$target" >/dev/null
fi

wall() {  # wall seconds of one command, its stdout to $1
    local out=$1; shift
    local start end
    start=$(date +%s.%N)
    "$@" >"$out" 2>/dev/null
    end=$(date +%s.%N)
    awk "BEGIN { print $end - $start }"
}

splits=block1,block2,block3,block4
one=$(wall "$work/one-pass-$size.json" $gpz attack --checkpoint "$target" --splits $splits --epochs 1 \
      --out "$work/one-pass-$size" --json)
per=$(wall "$work/per-split-$size.json" $gpz attack --checkpoint "$target" --splits $splits --epochs 1 \
      --per-split --out "$work/per-split-$size" --json)
python=0
for block in 1 2 3 4; do
    t=$(wall "$work/python-$size-block$block.json" "$PYTHON" bench/inversion_per_split.py \
        --checkpoint "$target" --block $block)
    python=$(awk "BEGIN { print $python + $t }")
done
images=$(( 4 * (12000 + 10000) ))
printf 'size %s px, 4 splits, 12,000 aux images x 1 epoch + 10,000 private images, wall seconds (split-images/s):\n' "$size"
printf '  gpz attack, one pass          %8.1f s  (%6.0f)\n' "$one" "$(awk "BEGIN { print $images / $one }")"
printf '  gpz attack --per-split        %8.1f s  (%6.0f)\n' "$per" "$(awk "BEGIN { print $images / $per }")"
printf '  Python, one process per split %8.1f s  (%6.0f)\n' "$python" "$(awk "BEGIN { print $images / $python }")"
printf '  one pass vs Python: %.2fx faster\n' "$(awk "BEGIN { print $python / $one }")"
