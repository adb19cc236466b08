#!/usr/bin/env bash
# Issue 19's speed-ups, measured back to back on this machine: `lowrank bench lint|vsmc` against the published
# PyTorch codes timed by bench/pytorch/time_reference_*.py on the same cores.
#
#   bench/scripts/pytorch-speedups.sh OUTDIR SMC_RNNS_CHECKOUT LOWRANK_INFERENCE_CHECKOUT [LOWRANK] [RUNS]
#
# The checkouts are the published repositories (mackelab/smc_rnns, adrian-valente/lowrank_inference; only their
# Python packages are imported). PyTorch comes from Debian (python3-torch, python3-matplotlib, python3-seaborn) and
# uses OpenBLAS (libopenblas0-openmp), with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so that it picks its kernels
# for this processor. LOWRANK defaults to the Release build's dll; RUNS (default 3) repetitions of each. Writes one
# JSON line per run to OUTDIR/*.jsonl and prints the medians and ratios.
set -euo pipefail
out=${1:?output directory}; smc=${2:?smc_rnns checkout}; lint=${3:?lowrank_inference checkout}
lowrank=${4:-"dotnet src/LowRank.Cli/bin/Release/net10.0/lowrank.dll"}; runs=${5:-3}
eeg=../shared/data/eeg; hc=../shared/data/hippocampus/hc11_buddy.npz
torch="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3"
mkdir -p "$out"; rm -f "$out"/*.jsonl
for r in $(seq "$runs"); do
  for t in 2 1; do
    $lowrank bench lint --threads $t --iterations 300 | tail -1 >> "$out/lint-t$t.jsonl"
    $torch bench/pytorch/time_reference_lint.py --repo "$lint" --threads $t --iterations 30 | tail -1 >> "$out/torch-lint-t$t.jsonl"
    $lowrank bench vsmc --preset eeg --data $eeg/EEG_data_smoothed.npy --threads $t --iterations 2000 | tail -1 >> "$out/eeg-t$t.jsonl"
    $torch bench/pytorch/time_reference_vsmc.py --repo "$smc" --preset eeg --data $eeg/EEG_data_zscored.npy --threads $t --iterations 50 | tail -1 >> "$out/torch-eeg-t$t.jsonl"
    $lowrank bench vsmc --preset hippocampus --data $hc --threads $t --iterations 30 | tail -1 >> "$out/hc-t$t.jsonl"
    $torch bench/pytorch/time_reference_vsmc.py --repo "$smc" --preset hippocampus --data $hc --threads $t --iterations 5 --warmup 1 | tail -1 >> "$out/torch-hc-t$t.jsonl"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
def med(name, key):
    rows = [json.loads(l) for l in open(f"{out}/{name}.jsonl")]
    values = [r[key] for r in rows]
    return statistics.median(values), values
print("| benchmark | threads | lowrank ms (runs) | PyTorch ms (runs) | ratio of medians | best PyTorch / lowrank |")
print("|---|---:|---|---|---:|---:|")
for bench, ours, theirs, key, tkey in [("bench lint", "lint", "torch-lint", "ms_per_step", "ms_per_step"),
                                      ("bench vsmc --preset eeg", "eeg", "torch-eeg", "ms_per_iteration", "ms_per_iteration"),
                                      ("bench vsmc --preset hippocampus", "hc", "torch-hc", "ms_per_iteration", "ms_per_iteration")]:
    for t in (2, 1):
        m, v = med(f"{ours}-t{t}", key)
        tm, tv = med(f"{theirs}-t{t}", tkey)
        print(f"| {bench} | {t} | {m:.3f} ({', '.join(f'{x:.3f}' for x in v)}) | {tm:.1f} ({', '.join(f'{x:.1f}' for x in tv)}) | {tm / m:.0f}× | {min(tv) / m:.0f}× |")
PY
