#!/usr/bin/env bash
# The long fuzz campaign (tests/fuzz.rs): EXECS executions of each target
# (`snapshot`, `query`), in processes of CHUNK executions each, so a fatal
# finding (hang, memory past the ceiling: the process aborts) costs only
# the rest of its chunk. Targets run side by side, niced.
#
#   scripts/fuzz.sh [EXECS per target, default 5000000]
#   SEED=7 TARGETS=query CHUNK=100000 scripts/fuzz.sh 1000000
#   FROM=500000 scripts/fuzz.sh 1000000    # executions 500000..1000000 only
#
# Each chunk appends one `FUZZ target=… execs=…` line to $LOG; panics are
# saved under target/tmp/fuzz-findings/, fatal findings copied next to
# the log as fatal-TARGET-SEED-START.txt (the chunk's output as
# failed-TARGET-SEED-START.txt). Ends with the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
EXECS=${1:-5000000}
SEED=${SEED:-1}
CHUNK=${CHUNK:-250000}
TARGETS=${TARGETS:-"snapshot query"}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
OUT=${OUT:-$TARGET_DIR/fuzz-campaign}
LOG=$OUT/log.txt
mkdir -p "$OUT"

# Release speed with overflow checks and debug assertions on (an overflow
# on hostile numbers is a finding, as in debug builds), in a profile of its
# own so the release CLI is not rebuilt.
export CARGO_PROFILE_FUZZ_INHERITS=release CARGO_PROFILE_FUZZ_OVERFLOW_CHECKS=true \
  CARGO_PROFILE_FUZZ_DEBUG_ASSERTIONS=true CARGO_PROFILE_FUZZ_LTO=false \
  CARGO_PROFILE_FUZZ_CODEGEN_UNITS=16
nice -n 10 cargo test --profile fuzz --test fuzz --no-run
binary=$(cargo test --profile fuzz --test fuzz --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*fuzz-[^"]*\)".*/\1/p' | tail -1)

run_target() {
  local target=$1 start=${FROM:-0} n status
  while ((start < EXECS)); do
    n=$((EXECS - start < CHUNK ? EXECS - start : CHUNK))
    # Each process writes its fatal report in its own directory.
    local tmp="$OUT/tmp-$target"
    mkdir -p "$tmp"
    set +e
    HEAPLENS_FUZZ_TARGET=$target HEAPLENS_FUZZ_SEED=$SEED HEAPLENS_FUZZ_START=$start \
      HEAPLENS_FUZZ_EXECS=$n HEAPLENS_FUZZ_FINDINGS=$tmp \
      nice -n 10 "$binary" campaign --ignored --nocapture --test-threads 1 >"$tmp/out.txt" 2>&1
    status=$?
    set -e
    grep -o 'FUZZ .*' "$tmp/out.txt" >>"$LOG" || true
    if ((status != 0)); then
      cp "$tmp/out.txt" "$OUT/failed-$target-$SEED-$start.txt"
      [[ -s $tmp/fatal.txt ]] && cp "$tmp/fatal.txt" "$OUT/fatal-$target-$SEED-$start.txt"
      echo "FUZZ failed target=$target seed=$SEED chunk_start=$start status=$status" >>"$LOG"
    fi
    start=$((start + n))
  done
}

for target in $TARGETS; do run_target "$target" & done
wait
awk '/^FUZZ target=/ {
  for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  execs[f["target"]] += f["execs"]; panics[f["target"]] += f["panics"]; secs[f["target"]] += f["seconds"]
} /^FUZZ (fatal|failed)/ { fatal++ }
END {
  for (t in execs) { printf "%s: %d executions, %d panics, %.0f s\n", t, execs[t], panics[t], secs[t]; total += execs[t] }
  printf "total: %d executions, %d fatal chunks\n", total, fatal
}' "$LOG"
