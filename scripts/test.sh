#!/bin/sh
# Install what is missing (Debian packages), build everything, run the whole test suite.
#
#   scripts/test.sh [configure arguments]
#
# Prints each test program's Check summary at the end; exits non-zero when a test failed.
# Then builds against the torch wheel's LibTorch 2.x and tests that too (test-torch-wheel.sh).
set -eu
. "$(dirname "$0")/build.sh"

status=0
make -j"$JOBS" check || status=$?

echo "== Check summaries (tests/*.log)"
"$ARTV_TOP/scripts/check-summaries.sh"
[ "$status" -eq 0 ] || { echo "test.sh: make check failed; see $ARTV_BUILD/test-suite.log" >&2; exit "$status"; }

# The second LibTorch (the torch wheel's 2.x): the same tests, and the same frames.
echo "== The torch wheel's LibTorch (scripts/test-torch-wheel.sh)"
"$ARTV_TOP/scripts/test-torch-wheel.sh" "$ARTV_BUILD"
