#!/usr/bin/env bash
# The long fuzz campaign (docs/reliability.md): atheris on every target, two lanes in
# parallel (one per core), then the hypothesis properties with many examples each.
#   bash tests/fuzz/campaign.sh OUTDIR [SCALE]
# SCALE multiplies the run counts (1: about 1.2 million inputs in all).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: campaign.sh OUTDIR [SCALE]}
scale=${2:-1}
mkdir -p "$out"
py=.venv/bin/python
dialects=$($py -c 'from tests.fuzz import targets; print(" ".join(targets.dialect_names()))')

run() {  # run TARGET RUNS: one atheris target, its log and crash files in $out
  local target=$1 runs=$(( $2 * scale ))
  local start=$(date +%s)
  $py -m tests.fuzz.atheris_main "$target" "$out/corpus-$target" -runs="$runs" \
    -max_len=4096 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crash-$target-" >"$out/$target.log" 2>&1
  local rc=$?
  echo "$target runs=$runs rc=$rc seconds=$(( $(date +%s) - start ))" >>"$out/summary.txt"
}

lane1() { run sse 500000; run sse-diff 200000; run recording 200000; run eventstream 300000; run ndjson 300000; run jsonarray 300000; }
lane2() {
  run dialect-assistants 200000
  for d in $dialects; do [ "$d" = assistants ] || run "dialect-$d" 100000; done
}
start=$(date +%s)
lane1 & lane2 & wait
echo "atheris total seconds=$(( $(date +%s) - start ))" >>"$out/summary.txt"

start=$(date +%s)
STREAMKIT_FUZZ_EXAMPLES=$(( 2000 * scale )) $py -m pytest tests/fuzz -q -p no:randomly \
  >"$out/hypothesis.log" 2>&1
echo "hypothesis rc=$? examples_per_test=$(( 2000 * scale )) seconds=$(( $(date +%s) - start ))" \
  >>"$out/summary.txt"
