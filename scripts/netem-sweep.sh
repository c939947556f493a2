#!/usr/bin/env bash
# Emulated edge links for a served split: two network namespaces joined by a veth pair, the link's rate and delay
# on both veth ends, `gpz serve` in one namespace and `gpz edge` in the other, for every split and encoding asked
# for and a few links. Each `gpz edge --deploy-row` run records its own row of the sweep; at the end the script
# prints the sweep's table and writes OUT/deploy.json (schema in docs/deploy.md).
#
#   sudo scripts/netem-sweep.sh --checkpoint DIR [--splits block1,block2|--attack attack.json] [--limit 200]
#        [--links 10mbit:40ms,100mbit:10ms,1gbit:1ms] [--encodings fp32,fp16,int8] [--compress gzip|deflate]
#        [--gpz .build/release/gpz] [--out DIR]
#
# Needs root and iproute2 (scripts/bootstrap.sh installs it). A link RATE:DELAY means RATE each way and DELAY one
# way in each direction (a round trip of 2 × DELAY), as `tc qdisc ... netem rate RATE delay DELAY` on both veth
# ends. Where the kernel has no netem qdisc (CONFIG_NET_SCH_NETEM unset, as on some VMs), the rate comes from tc's
# tbf on both ends and the delay from scripts/delay-relay.py in the server's namespace; deploy.json says which
# ("emulation"). Traffic stays inside the two namespaces the script creates (10.77.0.1 and 10.77.0.2); they are
# deleted by name on exit, also on failure or interruption.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GPZ="$ROOT/.build/release/gpz"
CHECKPOINT=""
SPLITS=""
ATTACK=""
LIMIT=200
LINKS="10mbit:40ms,100mbit:10ms,1gbit:1ms"
ENCODINGS="fp32,fp16,int8"
COMPRESS=""
OUT="$ROOT/deploy-sweep"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "netem-sweep: $*" >&2; exit 2; }

while (($#)); do
    case "$1" in
        --checkpoint) CHECKPOINT=$2; shift 2 ;;
        --splits) SPLITS=$2; shift 2 ;;
        --attack) ATTACK=$2; shift 2 ;;
        --limit) LIMIT=$2; shift 2 ;;
        --links) LINKS=$2; shift 2 ;;
        --encodings) ENCODINGS=$2; shift 2 ;;
        --compress) COMPRESS=$2; shift 2 ;;
        --gpz) GPZ=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$CHECKPOINT" ] || die "--checkpoint DIR is required"
[ -f "$CHECKPOINT/checkpoint.json" ] || die "--checkpoint $CHECKPOINT: no checkpoint.json"
[ -x "$GPZ" ] || die "--gpz $GPZ: not an executable (build with: swift build -c release)"
[[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || die "--limit: expected a positive integer, got '$LIMIT'"
case "$COMPRESS" in ""|gzip|deflate) ;; *) die "--compress: expected gzip or deflate, got '$COMPRESS'" ;; esac
[ "$(id -u)" = 0 ] || die "needs root (network namespaces and tc)"
command -v ip >/dev/null && command -v tc >/dev/null || die "needs iproute2 (ip, tc): run scripts/bootstrap.sh"
command -v python3 >/dev/null || die "needs python3"
CHECKPOINT=$(cd "$CHECKPOINT" && pwd)
GPZ=$(cd "$(dirname "$GPZ")" && pwd)/$(basename "$GPZ")
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The splits: given, those an attack.json attacked, or every split of the checkpoint's architecture.
if [ -z "$SPLITS" ] && [ -n "$ATTACK" ]; then
    SPLITS=$(python3 -c 'import json,sys; print(",".join(s["name"] for s in json.load(open(sys.argv[1]))["splits"]))' "$ATTACK")
fi
if [ -z "$SPLITS" ]; then
    read -r ARCH SIZE < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["model"]; print(m["architecture"], m["imageSize"])' "$CHECKPOINT/checkpoint.json")
    SPLITS=$("$GPZ" models "$ARCH" --image-size "$SIZE" --json | python3 -c 'import json,sys; print(",".join(s["name"] for s in json.load(sys.stdin)["splits"]))')
fi

NS_EDGE="gpz-edge-$$"
NS_CLOUD="gpz-cloud-$$"
VETH_EDGE="gpzE$$"
VETH_CLOUD="gpzC$$"
EDGE_IP=10.77.0.1
CLOUD_IP=10.77.0.2
SERVER_PID=""
RELAY_PID=""
WORK=$(mktemp -d)

cleanup() {
    set +e
    [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    ip netns del "$NS_EDGE" 2>/dev/null
    ip netns del "$NS_CLOUD" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_EDGE" || die "ip netns add failed (root in a container without CAP_SYS_ADMIN?)"
ip netns add "$NS_CLOUD"
ip link add "$VETH_EDGE" type veth peer name "$VETH_CLOUD"
ip link set "$VETH_EDGE" netns "$NS_EDGE"
ip link set "$VETH_CLOUD" netns "$NS_CLOUD"
ip -n "$NS_EDGE" addr add "$EDGE_IP/24" dev "$VETH_EDGE"
ip -n "$NS_CLOUD" addr add "$CLOUD_IP/24" dev "$VETH_CLOUD"
for ns in "$NS_EDGE" "$NS_CLOUD"; do ip -n "$ns" link set lo up; done
ip -n "$NS_EDGE" link set "$VETH_EDGE" up
ip -n "$NS_CLOUD" link set "$VETH_CLOUD" up

if ip netns exec "$NS_CLOUD" tc qdisc add dev "$VETH_CLOUD" root netem delay 1ms 2>/dev/null; then
    ip netns exec "$NS_CLOUD" tc qdisc del dev "$VETH_CLOUD" root
    EMULATION=netem
else
    EMULATION=tbf+relay
    echo "netem-sweep: this kernel has no netem qdisc; rate by tbf, delay by scripts/delay-relay.py" >&2
fi

# Bytes per second of a tc rate (kbit, mbit, gbit, bit).
rate_bytes() {
    python3 -c '
import re, sys
m = re.fullmatch(r"([0-9.]+)(bit|kbit|mbit|gbit)", sys.argv[1].lower())
if not m: sys.exit("bad rate " + sys.argv[1])
print(int(float(m.group(1)) * {"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9}[m.group(2)] / 8))' "$1"
}
delay_ms() { python3 -c 'import re,sys; m=re.fullmatch(r"([0-9.]+)ms", sys.argv[1]); sys.exit("bad delay "+sys.argv[1]) if not m else print(m.group(1))' "$1"; }

# The link RATE:DELAY on both veth ends.
set_link() {
    local rate=$1 delay=$2 bytes burst
    bytes=$(rate_bytes "$rate")
    burst=$(( bytes / 1000 > 3200 ? bytes / 1000 : 3200 ))  # 1 ms at the rate, at least two full frames
    for pair in "$NS_EDGE:$VETH_EDGE" "$NS_CLOUD:$VETH_CLOUD"; do
        local ns=${pair%%:*} dev=${pair##*:}
        if [ "$EMULATION" = netem ]; then
            ip netns exec "$ns" tc qdisc replace dev "$dev" root netem rate "$rate" delay "$delay" limit 100000
        else
            ip netns exec "$ns" tc qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency 2s
        fi
    done
}

wait_ready() {  # LOG PID
    for _ in $(seq 1 600); do
        grep -q "ready at" "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { cat "$1" >&2; die "gpz serve exited"; }
        sleep 0.1
    done
    die "gpz serve did not get ready: $(tail -1 "$1")"
}

IFS=, read -r -a split_list <<<"$SPLITS"
IFS=, read -r -a link_list <<<"$LINKS"
IFS=, read -r -a encoding_list <<<"$ENCODINGS"
# Every gpz edge run adds its row to this sweep file (`gpz edge --deploy-row`); OUT/deploy.json is replaced by it
# only once the sweep is complete.
SWEEP="$WORK/deploy.json"
for split in "${split_list[@]}"; do
    log="$WORK/serve-$split.log"
    port=8000
    host=$CLOUD_IP
    [ "$EMULATION" = netem ] || host=127.0.0.1
    ip netns exec "$NS_CLOUD" "$GPZ" serve --checkpoint "$CHECKPOINT" --split "$split" --host "$host" --port "$port" \
        2>"$log" &
    SERVER_PID=$!
    wait_ready "$log" "$SERVER_PID"
    for link in "${link_list[@]}"; do
        rate=${link%%:*}
        delay=${link##*:}
        ms=$(delay_ms "$delay")
        set_link "$rate" "$delay"
        url="http://$CLOUD_IP:$port"
        if [ "$EMULATION" != netem ]; then
            ip netns exec "$NS_CLOUD" python3 "$ROOT/scripts/delay-relay.py" --listen "$CLOUD_IP:8001" \
                --target "127.0.0.1:$port" --delay-ms "$ms" 2>"$WORK/relay.log" &
            RELAY_PID=$!
            for _ in $(seq 1 100); do grep -q "delay-relay:" "$WORK/relay.log" && break; sleep 0.05; done
            url="http://$CLOUD_IP:8001"
        fi
        for encoding in "${encoding_list[@]}"; do
            echo "netem-sweep: $split over $rate/$delay, $encoding" >&2
            ip netns exec "$NS_EDGE" "$GPZ" edge --server "$url" --checkpoint "$CHECKPOINT" --split "$split" \
                --encoding "$encoding" --limit "$LIMIT" ${COMPRESS:+--compress "$COMPRESS"} \
                --deploy-row "$SWEEP" --link "$link" --emulation "$EMULATION" >"$WORK/table.txt" \
                2>"$WORK/edge.log" ||
                { cat "$WORK/edge.log" >&2; die "gpz edge failed ($split, $link, $encoding)"; }
        done
        if [ -n "$RELAY_PID" ]; then kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true; RELAY_PID=""; fi
    done
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
done

# The last run printed the whole sweep (every row) as a table.
[ -f "$SWEEP" ] || die "no run was measured (--splits, --links, --encodings)"
cat "$WORK/table.txt"
cp "$SWEEP" "$OUT/.deploy.json.$$"
mv "$OUT/.deploy.json.$$" "$OUT/deploy.json"
echo "written: $OUT/deploy.json"
