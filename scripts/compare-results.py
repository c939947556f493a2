#!/usr/bin/env python3
"""Compare two scans' results.json files apart from `timing` and the schema version.

A version-3 file is read as version 4 first (docs/scan.md: `gpz` is `zones`, `recommendation.leakage_threshold`
is `config.leakage_threshold`), so a file written before and after the schema change compares equal when every
value is the same. Prints the paths that differ and exits 1 when any does, 0 otherwise.

    python3 scripts/compare-results.py runs/old/results.json runs/quick/results.json
"""
import json
import sys


def as_v4(results):
    results = dict(results)
    if results.get("schema") == "gpz-scan-results-v3":
        results["zones"] = results.pop("gpz")
        recommendation = dict(results["recommendation"])
        threshold = recommendation.pop("leakage_threshold")
        if threshold != results["config"].get("leakage_threshold", threshold):
            raise SystemExit("recommendation.leakage_threshold differs from config.leakage_threshold")
        results["recommendation"] = recommendation
    results.pop("schema", None)
    results.pop("timing", None)
    return results


def differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            where = f"{path}.{key}" if path else key
            if key not in a or key not in b:
                yield f"{where}: only in the {'second' if key not in a else 'first'} file"
            else:
                yield from differences(a[key], b[key], where)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{index}]")
    elif a != b:
        yield f"{path}: {json.dumps(a)[:80]} ≠ {json.dumps(b)[:80]}"


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__.strip().splitlines()[0] + "\nusage: compare-results.py OLD NEW")
    first, second = (as_v4(json.load(open(path, encoding="utf-8"))) for path in argv[1:])
    found = list(differences(first, second))
    for line in found:
        print(line)
    print(f"{len(found)} differences apart from timing and the schema version", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
