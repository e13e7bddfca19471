#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays each fuzz target's committed corpus, then runs a short fixed number of new inputs.
#
#   tests/fuzz/run.sh <build-dir> [runs] [target ...]
#
# <build-dir> was configured with -Dfuzzing=true (see docs/fuzzing.md). [runs] is the number of
# new inputs per target ("-" or absent: each target's default below, about three minutes in all on
# two cores). Targets default to all three. Prints one line per target; exits non-zero if any
# input crashes, leaks, times out or breaks an invariant. Logs and any crashing input go to
# <build-dir>/fuzz-out/<target>/.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:?usage: run.sh <build-dir> [runs] [target ...]}"
runs="${2:--}"
shift $(($# >= 2 ? 2 : $#))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_properties fuzz_session_calls fuzz_element)

default_runs() {
  case "$1" in
    fuzz_properties) echo 10000 ;;
    fuzz_session_calls) echo 6000 ;;
    fuzz_element) echo 1500 ;;
    *) echo 1000 ;;
  esac
}

# A safety net on time per target; the run counts are what keeps runs reproducible.
max_total_time=100

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
for t in "${targets[@]}"; do
  bin=""
  for cand in "$build/tests/fuzz/$t" "$build/$t"; do
    [ -x "$cand" ] && bin="$cand" && break
  done
  if [ -z "$bin" ]; then
    echo "$t: FAIL (no binary under $build; configure with -Dfuzzing=true and build)"
    status=1
    continue
  fi
  n="$runs"
  [ "$n" = "-" ] && n="$(default_runs "$t")"
  out="$build/fuzz-out/$t"
  rm -rf "$out"
  mkdir -p "$out/new"
  corpus="$here/corpus/$t"
  ncorpus=$(find "$corpus" -type f | wc -l)
  start=$(date +%s)
  common=(-timeout=30 -rss_limit_mb=2560 -max_len=4096 -print_final_stats=1
          "-artifact_prefix=$out/")
  # 1. Every committed input (seeds and regressions) must pass.
  if ! "$bin" "${common[@]}" -runs=0 "$corpus" >"$out/replay.log" 2>&1; then
    echo "$t: FAIL replaying $ncorpus corpus inputs (see $out/replay.log; input in $out/)"
    status=1
    continue
  fi
  # 2. New inputs from a fixed seed, grown from the corpus into a scratch directory.
  if ! "$bin" "${common[@]}" -seed=4242 -runs="$n" -max_total_time=$max_total_time \
      "$out/new" "$corpus" >"$out/fuzz.log" 2>&1; then
    echo "$t: FAIL in new inputs (see $out/fuzz.log; input in $out/)"
    status=1
    continue
  fi
  done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)
  echo "$t: ok, $ncorpus corpus inputs replayed, ${done_runs:-?} runs from seed 4242" \
    "($(($(date +%s) - start)) s)"
done
exit $status
