#!/usr/bin/env bash
# The spiking teacher–student acceptance of issue 14 (docs/benchmarks.md, "Spiking teacher–student"):
# lowrank demo --spikes for seeds 1..5 with each proposal, then a table of the figures.
# Usage: bench/scripts/spiking-teacher-student.sh OUTDIR [THREADS]
set -euo pipefail
out=${1:?usage: spiking-teacher-student.sh OUTDIR [THREADS]}
threads=${2:-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$here/src/LowRank.Cli" -c Release -v q -nologo >/dev/null
lowrank() { dotnet "$here/src/LowRank.Cli/bin/Release/net10.0/lowrank.dll" "$@"; }
mkdir -p "$out"
for proposal in encoder bootstrap; do
  for seed in 1 2 3 4 5; do
    lowrank demo --spikes --proposal "$proposal" --seed "$seed" --threads "$threads" \
      --out "$out/$proposal-$seed" --json "$out/$proposal-$seed.json" > "$out/$proposal-$seed.log" 2>&1
  done
done
/usr/bin/env python3 - "$out" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
print("proposal   seed  f_teacher f_student  f_err   rate_r  cv_teacher cv_student cv_err  seconds")
for proposal in ("encoder", "bootstrap"):
    for seed in range(1, 6):
        j = json.load(open(os.path.join(out, f"{proposal}-{seed}.json")))
        print(f"{proposal:9s} {seed:5d}  {j['teacher_frequency']:.4f}    {j['student_frequency']:.4f}   {j['frequency_error']:+.3f}  {j['rate_correlation']:.3f}   {j['teacher_isi_cv']:.3f}      {j['student_isi_cv']:.3f}     {j['isi_cv_error']:+.3f}  {j['seconds']:.0f}")
PY
