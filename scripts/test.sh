#!/bin/sh
# Install what is missing (Debian packages), build everything, run the whole test suite.
# Usage: scripts/test.sh [extra configure arguments]
set -eu
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure "$@"
make -j"$(nproc)"
make -j"$(nproc)" check
