#!/usr/bin/env bash
# Coverage-guided fuzzing of GPZ's parsers with libFuzzer.
#
#   Fuzz/fuzz.sh build                 build Fuzz/.build/debug/GPZFuzz (every module instrumented)
#   Fuzz/fuzz.sh seeds                 write seed corpora to Fuzz/corpus/TARGET from the fixtures' formats
#   Fuzz/fuzz.sh run TARGET [SECONDS]  fuzz one parser (default 600 s) under nice -n 19; crashes go to
#                                      Fuzz/crashes/TARGET, the log to Fuzz/logs/TARGET.log
#
# TARGET is one of: idx csv cifar image npy npz safetensors checkpoint config.
# Corpora, crashes, logs and the build stay out of git (Fuzz/.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
binary=.build/debug/GPZFuzz

case "${1:-}" in
build)
    nice -n 19 swift build -c debug --product GPZFuzz \
        -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
    ;;
seeds)
    [ -x "$binary" ] || { echo "error: build first (Fuzz/fuzz.sh build)" >&2; exit 2; }
    GPZ_FUZZ_MAKE_SEEDS="$PWD/corpus" GPZ_FUZZ_TARGET=idx "$binary"
    mkdir -p corpus/checkpoint corpus/config
    cp -n seeds/checkpoint/* corpus/checkpoint/
    cp -n seeds/config/* corpus/config/
    cp -n ../Tests/GPZTensorTests/Fixtures/*.safetensors corpus/safetensors/
    for dir in corpus/*; do echo "$dir: $(ls "$dir" | wc -l) seeds"; done
    ;;
run)
    target="${2:?usage: fuzz.sh run TARGET [SECONDS]}"
    seconds="${3:-600}"
    [ -x "$binary" ] || { echo "error: build first (Fuzz/fuzz.sh build)" >&2; exit 2; }
    [ -d "corpus/$target" ] || { echo "error: no corpus/$target; run Fuzz/fuzz.sh seeds" >&2; exit 2; }
    mkdir -p "crashes/$target" logs
    # -rss_limit_mb: an input that makes a reader allocate past the budget is a finding, like a crash.
    # The Swift runtime's own backtracer would catch a trap first and exit without the crash file.
    SWIFT_BACKTRACE=enable=no GPZ_FUZZ_TARGET="$target" nice -n 19 "$binary" "corpus/$target" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="crashes/$target/" >"logs/$target.log" 2>&1 || true
    grep -E "^stat::|Done|ERROR|SUMMARY" "logs/$target.log" | sed "s|^|$target: |"
    ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
