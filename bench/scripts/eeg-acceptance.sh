#!/usr/bin/env bash
# The EEG acceptance table of issue 13 (docs/benchmarks-training.md, "Acceptance with the fixed preset"):
# `fit --preset eeg` on the z-scored training file, then `evaluate --generations 10` against the smoothed file,
# seeds 1-5; prints the per-seed row and the medians.
#
#   bench/scripts/eeg-acceptance.sh OUTDIR [LOWRANK] [-- extra fit options, e.g. --lr-end 1e-6 --starts 1]
#
# LOWRANK is the command to run (default: dotnet src/LowRank.Cli/bin/Release/net10.0/lowrank.dll, after
# `dotnet build -c Release`). Needs ../shared/data/eeg beside the repository and python3. Writes OUTDIR/mS (model),
# fit-sS.json/.log/.time and eval-sS.json/.log; seeds already done are skipped, so an interrupted run continues.
set -euo pipefail
out=${1:?output directory}
shift
lowrank="dotnet src/LowRank.Cli/bin/Release/net10.0/lowrank.dll"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then lowrank=$1; shift; fi
[ "${1:-}" = "--" ] && shift
data=../shared/data/eeg
mkdir -p "$out"
for s in 1 2 3 4 5; do
  [ -f "$out/fit-s$s.json" ] || /usr/bin/time -f "%e s wall %U s user" -o "$out/fit-s$s.time" \
    $lowrank fit --preset eeg --data $data/EEG_data_zscored.npy --seed $s --out "$out/m$s" --json "$out/fit-s$s.json" "$@" > "$out/fit-s$s.log" 2>&1
  [ -f "$out/eval-s$s.json" ] || $lowrank evaluate --model "$out/m$s" --data $data/EEG_data_smoothed.npy --generations 10 \
    --json "$out/eval-s$s.json" > "$out/eval-s$s.log" 2>&1
done
python3 - "$out" <<'PY'
import json, statistics as st, sys
out = sys.argv[1]
pub_s, pub_h, mean_s, mean_h = [], [], [], []
for s in range(1, 6):
    e = json.load(open(f"{out}/eval-s{s}.json"))
    wall = open(f"{out}/fit-s{s}.time").read().split()[0]
    g0 = e["d_stsp_per_seed"][:len(e["d_stsp_per_seed"]) // e["generations"]]
    pub_s.append(st.mean(g0)); pub_h.append(e["d_h_per_generation"][0])
    mean_s.append(e["d_stsp"]); mean_h.append(e["d_h"])
    print(f"| {s} | {float(wall):.0f} | {st.mean(g0):.3f} ± {st.stdev(g0):.3f} | {pub_h[-1]:.4f} | {e['d_stsp']:.3f} ± {e['d_stsp_sd']:.3f} | {e['d_h']:.4f} ± {e['d_h_sd']:.4f} |")
print(f"published protocol medians: d_stsp {st.median(pub_s):.3f}, d_h {st.median(pub_h):.4f} (targets 2.05, 0.111)")
print(f"10-series medians: d_stsp {st.median(mean_s):.3f}, d_h {st.median(mean_h):.4f} (targets 2.05, 0.111)")
PY
