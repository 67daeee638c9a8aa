#!/bin/sh
# Runs libFuzzer targets built by `make fuzz` (tests/fuzz.mk) for a given time each, one after the
# other, and prints each one's executions, exec/s and coverage from libFuzzer's final stats.
#
#   scripts/fuzz.sh SRCDIR WORKDIR SECONDS TARGET...
#
# WORKDIR/bin/fuzz_TARGET is the binary. Each run starts from the committed seeds
# (SRCDIR/tests/fuzz/corpus/TARGET) and crash regressions (.../regressions/TARGET), which
# libFuzzer only reads: it writes new inputs to the first corpus directory it is given, a fresh
# WORKDIR/TARGET/corpus, and a crash, hang or leak to WORKDIR/TARGET/artifacts. The full output is
# WORKDIR/TARGET/fuzz.log. Extra libFuzzer options come from $FUZZ_FLAGS. Exits 1 when a target
# found something (after running the others).
set -u

[ $# -ge 4 ] || { echo "usage: $0 SRCDIR WORKDIR SECONDS TARGET..." >&2; exit 2; }
srcdir=$1 workdir=$2 seconds=$3
shift 3

# The value of a "stat::NAME: VALUE" line of libFuzzer's -print_final_stats=1.
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

# Runs target $1; prints its line of the table; returns non-zero on a finding.
run_target() {
  t=$1 bin=$workdir/bin/fuzz_$1 work=$workdir/$1 seeds=$srcdir/tests/fuzz/corpus/$1
  [ -x "$bin" ] || { echo "fuzz.sh: no $bin (make fuzz builds it)" >&2; exit 2; }
  [ -d "$seeds" ] || { echo "fuzz.sh: no seed corpus $seeds" >&2; exit 2; }
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  set -- "$seeds"
  [ -d "$srcdir/tests/fuzz/regressions/$t" ] && set -- "$@" "$srcdir/tests/fuzz/regressions/$t"
  [ -f "$srcdir/tests/fuzz/$t.dict" ] && set -- "-dict=$srcdir/tests/fuzz/$t.dict" "$@"
  # A hang: 10 s for a parser; 60 s for the targets that load a model and generate frames (a
  # second or two alone under ASan, several times that on a loaded 2-core machine). A slower
  # input that finishes is not a finding (libFuzzer would save it as a "slow unit").
  case $t in ffmpeg_options|gst_properties) timeout=60 ;; *) timeout=10 ;; esac
  # shellcheck disable=SC2086  # FUZZ_FLAGS: several options
  "$bin" -max_total_time="$seconds" -timeout=$timeout -report_slow_units=$timeout \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" ${FUZZ_FLAGS:-} "$work/corpus" "$@" >"$work/fuzz.log" 2>&1
  rc=$?
  # The last status line: "#N  DONE  cov: C ft: F corp: U/SIZE ...".
  last=$(grep -E '^#[0-9]+.*cov: ' "$work/fuzz.log" | tail -n 1)
  result=ok
  found=$(find "$work/artifacts" -type f | tr '\n' ' ')
  [ $rc -eq 0 ] && [ -z "$found" ] || result="FOUND (exit $rc): $found"
  printf '%-16s %12s %8s %6s %8s %10s %7s  %s\n' "$t" \
    "$(stat number_of_executed_units "$work/fuzz.log")" "$(stat average_exec_per_sec "$work/fuzz.log")" \
    "$(field cov: "$last")" "$(field ft: "$last")" "$(field corp: "$last")" \
    "$(stat peak_rss_mb "$work/fuzz.log")" "$result"
  [ "$result" = ok ]
}
# The value after "NAME" in a libFuzzer status line.
field() { echo "$2" | sed -n "s/.* $1 *\([^ ]*\).*/\1/p"; }

failed=""
printf '%-16s %12s %8s %6s %8s %10s %7s  %s\n' target executions exec/s cov features corpus 'rss MB' result
for t in "$@"; do
  run_target "$t" || failed="$failed $t"
done
if [ -n "$failed" ]; then
  echo "fuzz.sh: findings in:$failed (logs: $workdir/TARGET/fuzz.log); with the fix, add each" \
    "input to tests/fuzz/regressions/TARGET/" >&2
  exit 1
fi
