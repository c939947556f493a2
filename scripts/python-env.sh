#!/usr/bin/env bash
# Creates the Python environment of GPZ's exporter (python/gpz_export.py) in .deps/python: torch 2.13.0 (the same
# version as the libtorch GPZ links), torchvision 0.28.0, safetensors and numpy; and tritonclient[http] 2.73.0, the
# standard Open Inference Protocol client the tests call `gpz serve` with (python/kserve_client_check.py).
# Idempotent: when the environment already imports all of them with the right versions, a run only checks that (a
# few seconds).
#   scripts/python-env.sh                  create or check the environment
#   scripts/python-env.sh --print-python   the same, then print the environment's python on stdout
# torch comes from the wheel the bootstrap keeps in .deps/wheels when there is one, else from pip by name.
# Progress goes to stderr; stdout carries only the --print-python path.
set -euo pipefail

TORCH_VERSION=2.13.0
TORCHVISION_VERSION=0.28.0
TRITONCLIENT_VERSION=2.73.0
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.deps/python"
PY="$VENV/bin/python"

say() { printf 'python-env: %s\n' "$*" >&2; }

print_python=0
for arg in "$@"; do
    case "$arg" in
        --print-python) print_python=1 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) say "unknown argument: $arg"; exit 2 ;;
    esac
done

# True when the environment imports everything and its torch and tritonclient are the expected versions.
# torchvision is imported the way the exporter imports it (see import_torchvision in python/gpz_export.py).
env_ready() {
    [ -x "$PY" ] && "$PY" - "$TORCH_VERSION" "$ROOT/python" "$TRITONCLIENT_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
sys.path.insert(0, sys.argv[2])
import numpy, safetensors, torch
import tritonclient.http
import gpz_export
gpz_export.import_torchvision()
sys.exit(0 if torch.__version__.startswith(sys.argv[1]) and version("tritonclient") == sys.argv[3] else 1)
EOF
}

# PyPI's torchvision wheel is built against PyPI's torch (with CUDA); next to a CPU-only torch (2.13.0+cpu, e.g.
# from a find-links folder) its C++ ops cannot load. Only the detection ops need them; say so once.
note_torchvision_ops() {
    "$PY" -c 'import torchvision' >/dev/null 2>&1 ||
        say "note: torchvision's C++ ops do not load with this torch build; gpz_export still imports its" \
            "classification models (detection ops are unavailable)"
}

# The torch requirement for pip: the bootstrap's wheel file when present, else the version by name.
torch_requirement() {
    local whl
    whl=$(ls "$ROOT"/.deps/wheels/torch-"$TORCH_VERSION"*.whl 2>/dev/null | head -n 1 || true)
    if [ -n "$whl" ]; then
        echo "$whl"
    else
        echo "torch==$TORCH_VERSION"
    fi
}

install_env() {
    if [ ! -x "$PY" ]; then
        say "creating virtual environment $VENV"
        python3 -m venv "$VENV" >&2 || {
            rm -rf "$VENV"
            say "python3 -m venv failed (on Debian, install the python3-venv package)"
            exit 1
        }
    fi
    local torch_req
    torch_req=$(torch_requirement)
    say "installing torch ($torch_req)"
    "$PY" -m pip install --quiet --disable-pip-version-check "$torch_req" >&2
    # torch is already satisfied here, so torchvision's torch==2.13.0 requirement keeps the installed build.
    say "installing torchvision==$TORCHVISION_VERSION, safetensors, numpy"
    "$PY" -m pip install --quiet --disable-pip-version-check \
        "$torch_req" "torchvision==$TORCHVISION_VERSION" safetensors numpy >&2
    say "installing tritonclient[http]==$TRITONCLIENT_VERSION"
    "$PY" -m pip install --quiet --disable-pip-version-check "tritonclient[http]==$TRITONCLIENT_VERSION" >&2
}

if env_ready; then
    say "ready ($VENV)"
else
    install_env
    if ! env_ready; then
        say "the environment in $VENV does not import torch $TORCH_VERSION, torchvision, safetensors, numpy and" \
            "tritonclient $TRITONCLIENT_VERSION"
        "$PY" -c 'import torch; print("python-env: torch", torch.__version__)' >&2 || true
        exit 1
    fi
    note_torchvision_ops
    say "ready ($VENV, torch $("$PY" -c 'import torch; print(torch.__version__)'))"
fi

if ((print_python)); then
    echo "$PY"
fi
