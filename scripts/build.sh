#!/bin/sh
# Install the Debian packages that are missing, then configure (once) and build ARTV out of tree.
#
#   scripts/build.sh [configure arguments]
#
# Builds in $ARTV_BUILD_DIR (default: _build/default in the source tree); configure runs again
# only when arguments are given or the build directory is new. Also sourced by test.sh and
# quickstart.sh (". scripts/build.sh"), which then find the build directory in $ARTV_BUILD.
set -eu

ARTV_TOP=$(cd "$(dirname "$0")/.." && pwd)
# ccache keys on paths: make them relative to the tree so that every clone shares the cache.
export CCACHE_BASEDIR="$ARTV_TOP"
# and leave the build directory out of the hash (it is hashed when compiling with -g).
export CCACHE_NOHASHDIR=true
ARTV_BUILD=${ARTV_BUILD_DIR:-$ARTV_TOP/_build/default}
JOBS=${JOBS:-$(nproc)}

"$ARTV_TOP/scripts/setup-deps.sh"

cd "$ARTV_TOP"
[ -x configure ] || autoreconf -fi
if [ -f config.status ]; then
  # Someone configured in the source tree; automake refuses a second, out-of-tree build then.
  echo "build: the source tree is configured in place; building there" >&2
  ARTV_BUILD=$ARTV_TOP
fi
mkdir -p "$ARTV_BUILD"
cd "$ARTV_BUILD"
if [ $# -gt 0 ] || [ ! -f Makefile ]; then
  "$ARTV_TOP/configure" "$@"
fi
make -j"$JOBS"
