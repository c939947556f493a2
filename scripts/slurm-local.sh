#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, everything inside DIR: munge key and socket, slurm.conf, controller and
# node state, logs and PID files. For tests and trying `gpz submit` on one machine (docs/cluster.md).
#   scripts/slurm-local.sh start DIR   starts munged, slurmctld and slurmd (as root; Debian's munge and slurm-wlm,
#                                      which scripts/bootstrap.sh installs), waits until the node is idle, and
#                                      prints `export SLURM_CONF=DIR/slurm.conf` for Slurm's commands;
#   scripts/slurm-local.sh stop DIR    stops the three daemons by the PIDs in DIR/*.pid (SIGTERM, then SIGKILL).
# The daemons' output goes to DIR/*.out and their logs to DIR/*.log, never to the caller's pipes (a caller reading
# this script's output to its end would otherwise wait for the daemons). Ports are chosen free on each start; the
# node has CPUs=2 (process tracking by /proc, no cgroups), so it runs anywhere, containers included.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=$2
say() { printf 'slurm-local: %s\n' "$*" >&2; }

stop() {
    local name pid
    for name in slurmd slurmctld munged; do
        [ -f "$dir/$name.pid" ] || continue
        pid=$(cat "$dir/$name.pid")
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then say "$name ($pid) ignored SIGTERM; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
        say "stopped $name ($pid)"
    done
}

# Runs a daemon with no descriptor of the caller's but DIR/NAME.out: one that inherited the write end of a pipe would
# keep the caller waiting for its end as long as the daemon runs.
detached() {
    local name=$1 fd
    shift
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ] && [ "$fd" != 255 ]; then eval "exec $fd>&-"; fi
        done
        exec "$@" </dev/null >>"$dir/$name.out" 2>&1
    )
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits up to $2 seconds for the file $1 to hold a PID of a live process.
wait_pid() {
    for _ in $(seq $(( $2 * 10 ))); do
        if [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

start() {
    for tool in munged slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || { say "$tool not found: run scripts/bootstrap.sh (munge, slurm-wlm)"; exit 1; }
    done
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    mkdir -p "$dir/ctld" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"
    # munged wants a key of its owner only, and a socket folder no one else can write to.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    detached munged munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed"
    wait_pid "$dir/munged.pid" 10 || { say "munged did not start; see $dir/munged.log"; exit 1; }
    local host
    host=$(hostname -s)
    cat >"$dir/slurm.conf" <<CONF
ClusterName=gpzlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock,cred_expire=10
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
JobRequeue=1
KillWait=5
MinJobAge=300
SchedulerParameters=sched_interval=1
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    detached slurmctld slurmctld -f "$dir/slurm.conf" -i
    wait_pid "$dir/slurmctld.pid" 20 || { say "slurmctld did not start; see $dir/slurmctld.log"; exit 1; }
    detached slurmd slurmd -f "$dir/slurm.conf"
    wait_pid "$dir/slurmd.pid" 20 || { say "slurmd did not start; see $dir/slurmd.log"; exit 1; }
    for _ in $(seq 300); do
        if [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; then
            say "one-node cluster up: munged $(cat "$dir/munged.pid"), slurmctld $(cat "$dir/slurmctld.pid"), slurmd $(cat "$dir/slurmd.pid")"
            echo "export SLURM_CONF=$dir/slurm.conf"
            return 0
        fi
        sleep 0.1
    done
    say "the node did not become idle in 30 s: $(sinfo -h -o '%t %E' 2>&1); see $dir/slurmctld.log"
    exit 1
}

case $command in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
