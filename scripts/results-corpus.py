#!/usr/bin/env python3
"""The results corpus: the compact outputs of the runs the docs cite, and the doc tables generated from them.

    scripts/results-corpus.py collect RUN_DIR NAME --command "gpz scan --preset prior ..."
        copies RUN_DIR's compact outputs (results.json, comparison.json, plan-results.json of every study, and the
        grids the docs show) into results/NAME/ with provenance.json (the command, the commit, the date, the CPU).
    scripts/results-corpus.py tables [--check]
        regenerates every generated block in the docs from results/; with --check, changes nothing and exits 1
        naming each block that differs from what the corpus generates (CI runs this through the test suite).

A generated block in a Markdown file:

    <!-- table: KIND ARG... -->
    ...generated rows...
    <!-- /table -->

KIND is one of the generators below (`GENERATORS`); ARGs are corpus paths relative to results/. Only the standard
library is used, so the check runs wherever the tests run.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import sqlite3
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "results")
DOCS = ["README.md", os.path.join("results", "README.md")] + [os.path.join("docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs")))
                        if name.endswith(".md")]
COMPACT = ("results.json", "comparison.json", "plan-results.json", "config.json", "plan.json", "scan.sqlite")
STORE_LIMIT = 8 << 20
BLOCK = re.compile(r"(<!-- table: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(<!-- /table -->)", re.S)


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    full = os.path.join(CORPUS, path)
    try:
        with open(full) as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        fail(f"{full}: {error}")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def prior_report(path):
    """The training report a cached image prior carries in its safetensors header's metadata."""
    with open(path, "rb") as handle:
        size = struct.unpack("<Q", handle.read(8))[0]
        header = json.loads(handle.read(size))
    report = json.loads(header["__metadata__"]["report"])
    report["file_bytes"] = os.path.getsize(path)
    return report


def collect(run, name, command, grids, note, revision, log=None, priors=None):
    if not os.path.isdir(run):
        fail(f"{run}: not a run directory")
    out = os.path.join(CORPUS, name)
    os.makedirs(out, exist_ok=True)
    copied = []
    for directory, _, files in os.walk(run):
        relative = os.path.relpath(directory, run)
        parts = relative.split(os.sep)
        if parts[0] in ("targets", "state") or "escalation" in parts:
            continue
        study = os.path.join(run, parts[0])
        if relative != "." and not os.path.exists(os.path.join(study, "results.json")) \
                and not os.path.exists(os.path.join(run, "results.json")):
            continue
        for file in files:
            wanted = file in COMPACT or (relative.endswith("grids") and any(re.search(g, file) for g in grids))
            if not wanted or (file == "scan.sqlite" and os.path.getsize(os.path.join(directory, file)) > STORE_LIMIT):
                continue
            target = os.path.join(out, relative, file)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(os.path.join(directory, file), target)
            copied.append(os.path.normpath(os.path.join(relative, file)))
    if not any(path.endswith("results.json") for path in copied):
        fail(f"{run}: no results.json below it")
    if log:
        try:
            with open(log, errors="replace") as handle:
                lines = [line.split("\r")[-1] for line in handle.read().split("\n")]
        except OSError as error:
            fail(f"{log}: {error}")
        kept = [line for line in lines if line.strip() and "\u2588" not in line and "\u00b7\u00b7\u00b7" not in line]
        with open(os.path.join(out, "scan.log"), "w") as handle:
            handle.write("\n".join(kept) + "\n")
        copied.append("scan.log")
    if priors:
        folder = os.path.join(priors, "priors")
        files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors")) if os.path.isdir(folder) else []
        with open(os.path.join(out, "priors.json"), "w") as handle:
            json.dump({f: prior_report(os.path.join(folder, f)) for f in files}, handle, indent=2, sort_keys=True)
            handle.write("\n")
        copied.append("priors.json")
    resolved = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", f"{revision}^{{commit}}"],
                              capture_output=True, text=True)
    if resolved.returncode != 0:
        fail(f"--commit {revision}: not a commit of this repository")
    commit = resolved.stdout.strip()
    provenance = {"command": command, "commit": commit, "cpu": cpu_model(), "cores": os.cpu_count(),
                  "collected": datetime.date.today().isoformat(), "files": sorted(copied)}
    if note:
        provenance["note"] = note
    with open(os.path.join(out, "provenance.json"), "w") as handle:
        json.dump(provenance, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print(f"results/{name}: {len(copied)} files", file=sys.stderr)


def percent(rate):
    return f"{100 * rate:.1f}"


def attack_rows(path):
    """One row per attacked split of a study's results.json: the verdict's worst case over that study's runs."""
    results = load(path)
    baselines = results.get("baselines") or {}
    label_only = (baselines.get("label_only_reidentification") or {}).get("embedding", {})
    rows = []
    for split in results["splits"]:
        attack, leakage = split.get("attack"), split.get("leakage")
        if not attack or not leakage:
            continue
        reid = (attack.get("reidentification") or {}).get("embedding")
        training = attack.get("training") or {}
        epochs = training.get("epochs")
        rows.append({
            "study": results["name"], "attacker": results["attack"]["attacker"], "split": split["statistics"]["name"],
            "images": attack["images"], "mse": attack["mse"], "leakage": leakage["leakage"],
            "ssim": attack["ssim"],
            "reid": f"{percent(reid['rate'])} [{percent(reid['lower'])}, {percent(reid['upper'])}]" if reid else "–",
            "label_only": percent(label_only["rate"]) if label_only else "–",
            "epochs": "–" if epochs is None else f"{epochs}{'' if training.get('converged') else '+'}",
            "verdict": "protects" if leakage["protects"] else ("open: " + ", ".join(leakage["open"]) if leakage["open"]
                                                             else ("leaks" if not leakage["inconclusive"] else "inconclusive")),
        })
    return rows


def attacks_table(*paths):
    """Per split and attacker: MSE, the split's own leakage L (worst case over the study's runs; the verdict also
    counts every deeper split's), SSIM, re-identification (top-1 among 10 same-class images, %, Wilson 95 %), the
    label-only rate on the same images, epochs (+: not converged), the split's verdict in that study. A first
    argument `splits=A,B,…` keeps only those splits."""
    lines = ["| split | study | attacker | images | MSE | L | SSIM | re-id % [95 %] | label-only % | epochs | verdict |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    only = None
    if paths and paths[0].startswith("splits="):
        only, paths = set(paths[0][len("splits="):].split(",")), paths[1:]
    rows = [row for path in paths for row in attack_rows(path) if only is None or row["split"] in only]
    order = {name: position for position, name in enumerate(dict.fromkeys(row["split"] for row in rows))}
    for row in sorted(rows, key=lambda row: order[row["split"]]):
        lines.append(f"| {row['split']} | {row['study']} | {row['attacker']} | {row['images']} | {row['mse']:.4f} | {row['leakage']:.3f} "
                     f"| {row['ssim']:.3f} | {row['reid']} | {row['label_only']} | {row['epochs']} | {row['verdict']} |")
    return lines


def first_run_seconds(path, results):
    """The wall time of a study's first attack run as its store recorded it (the last split's seconds since the run
    started), or None without a store beside the plan. `timing` in results.json is only the last invocation's,
    which is near 0 for a study resumed from its store."""
    directory = os.path.dirname(os.path.join(CORPUS, path))
    for store in (os.path.join(directory, "scan.sqlite"), os.path.join(os.path.dirname(directory), "scan.sqlite")):
        if os.path.exists(store):
            connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            try:
                row = connection.execute("select max(seconds) from unit where kind = 'attack' and stage_hash = ?",
                                         (results["attack"]["attack_hash"],)).fetchone()
            finally:
                connection.close()
            return row[0] if row and row[0] is not None else None
    return None


def timing_table(*paths):
    """Per study: its target's accuracy and the wall time of its first attack run (all its splits, from the store;
    the escalation runs at open splits are not included)."""
    lines = ["| study | attacker | test accuracy | splits | first attack run s |", "| --- | --- | --- | --- | --- |"]
    for path in paths:
        results = load(path)
        seconds = first_run_seconds(path, results)
        attacked = sum(1 for split in results["splits"] if split.get("attack"))
        lines.append(f"| {results['name']} | {results['attack']['attacker']} | {100 * results['target']['test_accuracy']:.2f} % "
                     f"| {attacked} | {'–' if seconds is None else f'{seconds:.0f}'} |")
    return lines


def provenance_table(*names):
    """Per corpus run: the command and the commit that made it, and the CPU."""
    lines = ["| run | command | commit | CPU |", "| --- | --- | --- | --- |"]
    for name in names:
        provenance = load(os.path.join(name, "provenance.json"))
        lines.append(f"| `results/{name}` | `{provenance['command']}` | {provenance['commit'][:10]} "
                     f"| {provenance['cpu']}, {provenance['cores']} cores |")
    return lines


def studies_table(*paths):
    """Per study: test accuracy, the a-priori zone and how often the bootstrap chose it, the recommendation, and the
    leakage at the logits (worst case over the study's runs)."""
    lines = ["| study | attacker | test accuracy | zone (resamples) | recommendation | logits L |",
             "| --- | --- | --- | --- | --- | --- |"]
    for path in paths:
        results = load(path)
        zone = results["zones"]["zone"]
        logits = [split["leakage"] for split in results["splits"] if split.get("leakage") and split["leakage"]["is_logits"]]
        chosen = f"{zone['split_name']} ({100 * zone['frequency']:.0f} % of {zone['replicates']})" if zone.get("split_name") else "none"
        at_logits = f"{logits[0]['leakage_upper']:.3f}" if logits else "–"
        lines.append(f"| {results['name']} | {results['attack']['attacker']} | {100 * results['target']['test_accuracy']:.2f} % "
                     f"| {chosen} | **{results['recommendation']['kind']}** | {at_logits} |")
    return lines


def priors_table(*names):
    """Per image prior a run trained or reused: its training images, epochs, wall time, last epoch's per-image
    squared error and KL, and the size of its cached weights."""
    lines = ["| run | prior | aux images | epochs | training s | squared error / image | KL | MB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in names:
        for file, report in sorted(load(os.path.join(name, "priors.json")).items()):
            lines.append(f"| {name} | {report['hash'][:16]} | {report['images']} | {report['epochs']} | {report['seconds']:.0f} "
                         f"| {report['reconstruction']:.1f} | {report['kl']:.1f} | {report['file_bytes'] / 2**20:.1f} |")
    return lines


def resources_table(*names):
    """Per run: the wall time, CPU share and peak resident memory of the command, from `/usr/bin/time -v` at the end
    of its scan.log (the whole invocation, every study in it)."""
    lines = ["| run | wall time | CPU | peak RSS |", "| --- | --- | --- | --- |"]
    wanted = {"Elapsed (wall clock) time (h:mm:ss or m:ss)": "wall", "Percent of CPU this job got": "cpu",
              "Maximum resident set size (kbytes)": "rss"}
    for name in names:
        path = os.path.join(CORPUS, name, "scan.log")
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError as error:
            fail(f"{path}: {error}")
        values = {}
        for line in text.splitlines():
            key, _, value = line.strip().rpartition(": ")
            if key in wanted:
                values[wanted[key]] = value
        if len(values) < 3:
            fail(f"{path}: no /usr/bin/time -v summary")
        lines.append(f"| {name} | {values['wall']} | {values['cpu']} | {int(values['rss']) / 2**20:.2f} GiB |")
    return lines


def frontier_table(*paths):
    """The privacy-utility frontier: per split and noise level σ (the study's `attack.noise`; 0 where absent), the
    cloud's accuracy on noisy Z over the evaluated images (at σ 0 the whole model's test accuracy), the split's own
    leakage L, re-identification and its verdict, splits in network order and σ ascending."""
    lines = ["| split | σ | accuracy (images) | L | re-id % [95 %] | epochs | verdict |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    rows = []
    for path in paths:
        results = load(path)
        sigma = results["config"]["attack"].get("noise", 0)
        accuracy = {split["statistics"]["name"]: (split["attack"].get("accuracy_as_sent"), split["attack"]["images"])
                    for split in results["splits"] if split.get("attack")}
        for row in attack_rows(path):
            value, images = accuracy.get(row["split"], (None, 0))
            row["sigma"] = sigma
            row["accuracy"], row["accuracy_images"] = ((results["target"]["test_accuracy"], results["target"]["private_images"])
                                                       if value is None else (value, images))
            rows.append(row)
    order = {}
    for path in paths:
        for split in load(path)["splits"]:
            order.setdefault(split["statistics"]["name"], split["statistics"]["index"])
    wanted = {row["split"] for row in rows if row["sigma"] > 0}
    for row in sorted(rows, key=lambda row: (order[row["split"]], row["sigma"])):
        if row["split"] not in wanted:
            continue
        lines.append(f"| {row['split']} | {row['sigma']:g} | {100 * row['accuracy']:.2f} % ({row['accuracy_images']}) "
                     f"| {row['leakage']:.3f} | {row['reid']} "
                     f"| {row['epochs']} | {row['verdict']} |")
    return lines


GENERATORS = {"attacks": attacks_table, "frontier": frontier_table, "studies": studies_table, "priors": priors_table, "resources": resources_table, "timing": timing_table, "provenance": provenance_table}


def regenerate(text, source):
    def render(match):
        spec = match.group("spec").split()
        if not spec or spec[0] not in GENERATORS:
            fail(f"{source}: unknown table '{match.group('spec')}'; expected one of {', '.join(GENERATORS)}")
        body = "\n".join(GENERATORS[spec[0]](*spec[1:])) + "\n"
        return match.group(1) + body + match.group(4)
    return BLOCK.sub(render, text)


def tables(check):
    stale = []
    for doc in DOCS:
        path = os.path.join(ROOT, doc)
        with open(path) as handle:
            text = handle.read()
        generated = regenerate(text, doc)
        if generated == text:
            continue
        if check:
            for old, new in zip(BLOCK.finditer(text), BLOCK.finditer(generated)):
                if old.group("body") != new.group("body"):
                    stale.append(f"{doc}: table '{old.group('spec')}'")
        else:
            with open(path, "w") as handle:
                handle.write(generated)
            print(f"{doc}: tables regenerated", file=sys.stderr)
    if stale:
        print("these doc tables differ from what results/ generates (run scripts/results-corpus.py tables):",
              file=sys.stderr)
        for entry in stale:
            print(f"  {entry}", file=sys.stderr)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gather = commands.add_parser("collect", help="copy a run's compact outputs into results/NAME")
    gather.add_argument("run")
    gather.add_argument("name")
    gather.add_argument("--command", dest="made_by", required=True, help="the command that made the run")
    gather.add_argument("--grids", nargs="*", default=[], help="regular expressions of the grid files to keep")
    gather.add_argument("--priors", help="a targets folder whose priors/ training reports to keep as priors.json")
    gather.add_argument("--log", help="the run's standard error (progress bars dropped), kept as scan.log")
    gather.add_argument("--commit", default="HEAD", help="the commit whose build made the run (default: HEAD)")
    gather.add_argument("--note", default="", help="how the run relates to the commit, when it is not plainly made by it")
    table = commands.add_parser("tables", help="regenerate the docs' generated tables")
    table.add_argument("--check", action="store_true", help="change nothing; exit 1 if a table is stale")
    arguments = parser.parse_args()
    if arguments.command == "collect":
        collect(arguments.run, arguments.name, arguments.made_by, arguments.grids, arguments.note, arguments.commit,
                arguments.log, arguments.priors)
    else:
        tables(arguments.check)


if __name__ == "__main__":
    main()
