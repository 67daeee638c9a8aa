#!/bin/sh
# Print the Check summary line of every test program's log under ./tests (run in a build
# directory after `make check`), each prefixed with LABEL.
#
#   scripts/check-summaries.sh [LABEL]
for log in $(find tests -name '*.log' ! -name test-suite.log | sort); do
  summary=$(grep -h '^[0-9]*%: Checks: ' "$log" || true)
  if [ -n "$summary" ]; then printf '%s%-40s %s\n' "${1:+$1 }" "${log%.log}" "$summary"; fi
done
