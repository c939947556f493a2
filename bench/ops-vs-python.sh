#!/usr/bin/env bash
# `gpz bench ops` against its Python twin (bench/ops_overhead.py) on torch 2.13.0, alternating, ROUNDS times each;
# prints the medians. Run it on an idle machine after `./scripts/bootstrap.sh && swift build -c release`.
#
# usage: bench/ops-vs-python.sh [ROUNDS]        ROUNDS defaults to 5
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
source bench/common.sh
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456
ours=() theirs=()
for _ in $(seq "$rounds"); do
    ours+=("$($gpz bench ops --json)")
    theirs+=("$("$PYTHON" bench/ops_overhead.py)")
done
"$PYTHON" - "$rounds" "${ours[@]}" "${theirs[@]}" <<'PY'
import json, statistics, sys
n = int(sys.argv[1])
ours, theirs = [json.loads(x) for x in sys.argv[2:2 + n]], [json.loads(x) for x in sys.argv[2 + n:]]
print(f'{"key":<14} {"gpz median":>12} {"torch median":>13}   (min-max gpz | torch)')
for key in ["add_us", "add_grad_us", "lenet_img_s", "decoder_img_s"]:
    a, b = [r[key] for r in ours], [r[key] for r in theirs]
    print(f'{key:<14} {statistics.median(a):>12.3f} {statistics.median(b):>13.3f}   '
          f'({min(a):.3f}-{max(a):.3f} | {min(b):.3f}-{max(b):.3f})')
print("kernels:", ours[0]["kernels"], "| torch", theirs[0]["torch"], "threads", ours[0]["threads"], theirs[0]["threads"])
PY
