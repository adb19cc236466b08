#!/usr/bin/env bash
# The acceptance tables of issue 12 (docs/benchmarks-lint.md, "Training defaults"): `task train` and
# `populations train` with default options only (--task, --rank, --seed, --out), seeds 1-5.
#
#   bench/scripts/train-defaults.sh task|populations OUTDIR [LOWRANK]
#
# LOWRANK is the command to run (default: dotnet src/LowRank.Cli/bin/Release/net10.0/lowrank.dll, after
# `dotnet build -c Release`). Writes OUTDIR/<command>-<task>-r<rank>-s<seed>/ (model), .json, .log and
# appends one markdown row per run to OUTDIR/<command>.md; rows already there are skipped, so an
# interrupted run can be continued.
set -euo pipefail
what=${1:?task or populations}
out=${2:?output directory}
lowrank=${3:-dotnet src/LowRank.Cli/bin/Release/net10.0/lowrank.dll}
mkdir -p "$out"
table="$out/$what.md"
[ -f "$table" ] || printf '| task | rank | seed | accuracy | validation accuracy | epochs (returned attempt) | epochs (all attempts) | restarts | seconds |\n|---|---|---|---|---|---|---|---|---|\n' > "$table"

published_rank() { case $1 in cdi) echo 1;; dms) echo 2;; romo) echo 2;; rdm) echo 1;; esac; }

for task in cdi dms romo rdm; do
  r=$(published_rank "$task")
  if [ "$what" = task ]; then ranks="0 $r"; else ranks="$r"; fi
  for rank in $ranks; do
    for seed in 1 2 3 4 5; do
      name="$what-$task-r$rank-s$seed"
      grep -q "^| $task | $rank | $seed |" "$table" && continue
      start=$(date +%s.%N)
      $lowrank "$what" train --task "$task" --rank "$rank" --seed "$seed" --out "$out/$name" --json "$out/$name.json" > "$out/$name.log" 2>&1
      wall=$(echo "$(date +%s.%N) - $start" | bc)
      python3 - "$out/$name.json" "$task" "$rank" "$seed" "$wall" >> "$table" <<'PY'
import json, sys
path, task, rank, seed, wall = sys.argv[1:]
j = json.load(open(path))
print(f"| {task} | {rank} | {seed} | {j['accuracy']:.4f} | {float(j['validation_accuracy']):.4f} | {j['epochs']} | {j['total_epochs']} | {j['restarts']} | {float(wall):.0f} |")
PY
      tail -1 "$table"
    done
  done
done
