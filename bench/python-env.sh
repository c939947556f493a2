#!/usr/bin/env bash
# Sourced by the benchmark scripts: a virtual environment at .deps/bench-venv holding torch==2.13.0 — the same wheel
# scripts/bootstrap.sh unpacks libtorch from — and numpy, created on first use with pip (by name, from PyPI).
# Sets PYTHON to its interpreter.
venv=.deps/bench-venv
if ! "$venv/bin/python" -c 'import numpy, torch; assert torch.__version__.startswith("2.13.0")' 2>/dev/null; then
    echo "bench: creating $venv with torch==2.13.0 and numpy (pip)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.13.0 numpy
fi
PYTHON=$venv/bin/python
