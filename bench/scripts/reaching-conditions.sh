#!/usr/bin/env bash
# The conditional-generation acceptance of issue 18 (docs/conditions.md, docs/benchmarks.md "Conditional generation"):
# a reaching teacher (full rank, N = 256), its spikes under 6 of 8 directions, rank-R students for three seeds,
# each generating all 8 directions and compared per condition with fresh teacher trials.
# Usage: bench/scripts/reaching-conditions.sh OUTDIR [RANK] [UNITS] [EPOCHS] [THREADS] [PROPOSAL]
set -euo pipefail
out=${1:?usage: reaching-conditions.sh OUTDIR [RANK] [UNITS] [EPOCHS] [THREADS] [PROPOSAL]}
rank=${2:-8}
units=${3:-64}
epochs=${4:-800}
threads=${5:-2}
proposal=${6:-bootstrap}
seen=0,45,135,180,225,315
here=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$here/src/LowRank.Cli" -c Release -v q -nologo >/dev/null
lowrank() { dotnet "$here/src/LowRank.Cli/bin/Release/net10.0/lowrank.dll" "$@"; }
mkdir -p "$out"
[ -d "$out/teacher" ] || lowrank task train --task reach --units 256 --seed 0 --threads "$threads" --out "$out/teacher" --json "$out/teacher.json" > "$out/teacher.log"
lowrank simulate --teacher-model "$out/teacher" --conditions "$seen" --trials 300 --seed 10 --threads "$threads" --out "$out/train.npz"
lowrank simulate --teacher-model "$out/teacher" --conditions 0,45,90,135,180,225,270,315 --trials 400 --seed 11 --threads "$threads" --out "$out/truth.npz"
for seed in 1 2 3; do
  s="$out/student-r$rank-n$units-$proposal-$seed"
  lowrank fit --data "$out/train.npz" --likelihood poisson --link exp --rank "$rank" --units "$units" --proposal "$proposal" \
    --epochs "$epochs" --evaluate-every 0 --seed "$seed" --threads "$threads" --out "$s" --json "$s.fit.json" > "$s.fit.log" 2>&1
  lowrank generate --model "$s" --inputs "$out/truth.npz" --seed "$seed" --threads "$threads" --out "$s.generated.npz"
  lowrank evaluate --conditions --generated "$s.generated.npz" --data "$out/truth.npz" --seen-conditions "$seen" \
    --json "$s.conditions.json" --plots "$s.figures" > "$s.conditions.log"
done
/usr/bin/env python3 - "$out" "$rank" "$units" "$proposal" <<'PY'
import json, os, statistics, sys
out, rank, units, proposal = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
t = json.load(open(os.path.join(out, "teacher.json")))
print(f"teacher: velocity R² {t['velocity_r2']:.3f}, end-point angle error {t['angle_error_deg']:.2f}°, accuracy {t['accuracy']:.3f}")
keys = ("psth_r2_population", "psth_r2_unit_median", "mean_rate_correlation", "angle_error_deg")
rows = {"seen": {k: [] for k in keys}, "unseen": {k: [] for k in keys}}
print(f"rank {rank}, {units} units, {proposal} proposal")
print("seed  group   psth_r2_pop  psth_r2_unit  rate_corr  angle_err")
for seed in (1, 2, 3):
    j = json.load(open(os.path.join(out, f"student-r{rank}-n{units}-{proposal}-{seed}.conditions.json")))
    for group in ("seen", "unseen"):
        g = j[group]
        for k in keys:
            rows[group][k].append(g[k])
        print(f"{seed:4d}  {group:6s}  {g['psth_r2_population']:11.3f}  {g['psth_r2_unit_median']:12.3f}  {g['mean_rate_correlation']:9.3f}  {g['angle_error_deg']:9.2f}")
for group in ("seen", "unseen"):
    m = {k: statistics.median(v) for k, v in rows[group].items()}
    print(f"median {group:6s}  {m['psth_r2_population']:11.3f}  {m['psth_r2_unit_median']:12.3f}  {m['mean_rate_correlation']:9.3f}  {m['angle_error_deg']:9.2f}")
PY
