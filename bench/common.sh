#!/usr/bin/env bash
# Sourced by the benchmark scripts, from the repository root:
#   - gpz: the release binary (.build/release/gpz; GPZ=path overrides), which must exist;
#   - PYTHON: the interpreter of a virtual environment at .deps/bench-venv holding torch==2.13.0 — the same wheel
#     scripts/bootstrap.sh unpacks libtorch from — and numpy, created on first use with pip (by name, from PyPI).
gpz=${GPZ:-.build/release/gpz}
[[ -x $gpz ]] || { echo "error: $gpz missing; run swift build -c release first" >&2; exit 2; }
venv=.deps/bench-venv
if ! "$venv/bin/python" -c 'import numpy, torch; assert torch.__version__.startswith("2.13.0")' 2>/dev/null; then
    echo "bench: creating $venv with torch==2.13.0 and numpy (pip)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.13.0 numpy
fi
PYTHON=$venv/bin/python
