#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the Slurm executor's tests and for trying `lowrank sweep run
# --executor slurm` (docs/sweeps.md). Run as root on Debian; no systemd needed. Idempotent: what is installed, written
# or running already is left as it is.
#
#   scripts/slurm-local.sh          install slurm-wlm and munge if missing, write a one-node slurm.conf (this
#                                   machine's name, cores and memory), start munged, slurmctld (with an empty
#                                   queue) and slurmd, and wait until the node is idle
#   scripts/slurm-local.sh --stop   stop the three daemons
#
# Environment: SLURM_LOCAL_TIMEOUT (seconds to wait for the node, default 60).
set -euo pipefail

conf_dir=/etc/slurm
conf=$conf_dir/slurm.conf
log_dir=/var/log/slurm
state_dir=/var/lib/slurm/slurmctld
spool_dir=/var/spool/slurmd
run_dir=/run/slurm
timeout=${SLURM_LOCAL_TIMEOUT:-60}

say() { echo "slurm-local: $*"; }
fail() { echo "slurm-local: error: $*" >&2; exit 1; }

running() { pgrep -x "$1" >/dev/null 2>&1; }

stop_daemon() {
  local name=$1 pid
  for pid in $(pgrep -x "$name" || true); do
    kill "$pid" 2>/dev/null || true
  done
  for _ in $(seq 50); do
    running "$name" || { say "$name stopped"; return 0; }
    sleep 0.1
  done
  fail "$name did not stop within 5 s (pids: $(pgrep -x "$name" | tr '\n' ' '))"
}

if [ "${1:-}" = "--stop" ]; then
  for daemon in slurmd slurmctld munged; do
    if running "$daemon"; then stop_daemon "$daemon"; else say "$daemon is not running"; fi
  done
  exit 0
elif [ $# -gt 0 ]; then
  fail "unknown argument '$1'; run without arguments to start the cluster, or with --stop to stop it"
fi

[ "$(id -u)" -eq 0 ] || fail "run as root (it installs packages, writes $conf and starts daemons)"

# 1. The packages, from the Debian archive, when missing.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || fail "slurmctld, slurmd, sbatch or munged is missing and there is no apt-get to install them (Debian only)"
  say "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null || fail "apt-get update failed"
  # The packages' own start scripts need systemd or a running init; policy-rc.d keeps them from starting anything.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  status=0
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null || status=$?
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  [ "$status" -eq 0 ] || fail "apt-get install slurm-wlm munge failed (exit $status)"
fi

# 2. The munge key (the daemons and the commands authenticate with it).
key=/etc/munge/munge.key
if [ ! -s "$key" ]; then
  say "creating $key"
  mkdir -p /etc/munge
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$key" --force
  else
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
fi
chown munge:munge "$key" 2>/dev/null || true
chmod 0400 "$key"
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge 2>/dev/null || true
chmod 0755 /run/munge

# 3. slurm.conf for this one node: its name, its cores and (a little under) its memory.
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
real_mb=$((mem_mb * 95 / 100))
mkdir -p "$conf_dir" "$log_dir" "$state_dir" "$spool_dir" "$run_dir"
wanted=$(cat <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster on $host for tests and trials.
ClusterName=lowrank-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=10001
MinJobAge=600
KillWait=30
SlurmctldPidFile=$run_dir/slurmctld.pid
SlurmdPidFile=$run_dir/slurmd.pid
StateSaveLocation=$state_dir
SlurmdSpoolDir=$spool_dir
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
NodeName=$host CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=7-00:00:00 State=UP
EOF
)
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$wanted" ]; then
  if running slurmctld || running slurmd; then
    say "$conf changes: restarting slurmctld and slurmd"
    stop_daemon slurmd
    stop_daemon slurmctld
  fi
  say "writing $conf ($host: $cpus cores, $real_mb MB)"
  printf '%s\n' "$wanted" >"$conf"
fi
# No cgroups here: a cgroup.conf left by another set-up would make slurmd look for them.
[ -f "$conf_dir/cgroup.conf" ] && mv "$conf_dir/cgroup.conf" "$conf_dir/cgroup.conf.unused"

# 4. The daemons, in the background, unless they run already.
if ! running munged; then
  say "starting munged"
  if command -v runuser >/dev/null && id munge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
  else
    /usr/sbin/munged --force
  fi
fi
for _ in $(seq 50); do
  munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break
  sleep 0.1
done
munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 || fail "munged does not answer (munge -n | unmunge fails)"

if ! running slurmctld; then
  # -c: a cluster started here begins empty (no jobs, no node states left from daemons that were killed).
  say "starting slurmctld"
  slurmctld -c || fail "slurmctld did not start; see $log_dir/slurmctld.log"
fi
if ! running slurmd; then
  say "starting slurmd"
  slurmd || fail "slurmd did not start; see $log_dir/slurmd.log"
fi

# 5. Wait until the node takes jobs.
state=""
for _ in $(seq "$((timeout * 2))"); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -n 1 || true)
  case "$state" in
    idle | mixed | allocated) say "node $host is $state (partition debug)"; exit 0 ;;
    down* | drain* | fail*)
      # A node that was down before (an earlier run's daemons stopped) comes back.
      scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
fail "node $host is not idle after ${timeout} s (sinfo says '${state:-nothing}'); see $log_dir/slurmctld.log and $log_dir/slurmd.log"
