#!/usr/bin/env python3
"""Writes Tests/GPZTensorTests/Fixtures/python.safetensors with Python's `safetensors` library.

The Swift tests read this file and check every value, shape, dtype and the metadata, so the reader is tested
against the reference writer. Requires `pip install safetensors numpy`. Re-running it gives the same tensors and
metadata; only the order of the metadata keys in the header may change.
"""
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

FIXTURE = Path(__file__).resolve().parent.parent / "Tests" / "GPZTensorTests" / "Fixtures" / "python.safetensors"

TENSORS = {
    "weight": np.array([[0.5, -1.25, 2.0], [3.75, -0.0, 0.1]], dtype=np.float32),
    "bias": np.array([0.1, -2.5, 1e300], dtype=np.float64),
    "step": np.array(2**53 + 1, dtype=np.int64),
    "ids": np.array([[-1, 0], [42, -(2**63)]], dtype=np.int64),
    "mask": np.array([True, False, False, True]),
    "half": np.array([1.5, -0.25, 65504.0], dtype=np.float16),
    "counts": np.array([-7, 2**31 - 1], dtype=np.int32),
    "bytes": np.array([0, 128, 255], dtype=np.uint8),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
METADATA = {"format": "pt", "note": "written by safetensors.numpy.save_file"}


def main() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    save_file(TENSORS, str(FIXTURE), metadata=METADATA)
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
