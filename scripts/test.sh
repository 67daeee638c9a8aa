#!/bin/sh
# Install what is missing (Debian packages), build everything, run the whole test suite.
#
#   scripts/test.sh [configure arguments]
#
# Prints each test program's Check summary at the end; exits non-zero when a test failed.
set -eu
. "$(dirname "$0")/build.sh"

status=0
make -j"$JOBS" check || status=$?

echo "== Check summaries (tests/*.log)"
for log in $(find tests -name '*.log' ! -name test-suite.log | sort); do
  summary=$(grep -h '^[0-9]*%: Checks: ' "$log" || true)
  if [ -n "$summary" ]; then printf '%-40s %s\n' "${log%.log}" "$summary"; fi
done
[ "$status" -eq 0 ] || echo "test.sh: make check failed; see $ARTV_BUILD/test-suite.log" >&2
exit "$status"
