#!/bin/sh
# `ffmpeg -h filter=artv` / `filter=artvsrc` document every option (no model needed).
set -eu
: "${ARTV_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
FFMPEG=$ARTV_BUILDDIR/ffmpeg-build/ffmpeg
[ -x "$FFMPEG" ] || { echo "SKIP: $FFMPEG not built (configure --enable-ffmpeg)"; exit 77; }

common="prompt frames prompts steps sampler seed cfg_ref cfg_anchor cfg_text cfg_text_t2v noise_aug mask
anchor gen_size model device dtype threads"
check() {
  help=$("$FFMPEG" -hide_banner -h "filter=$1")
  for opt in $common $2; do
    echo "$help" | grep -Eq "^ +$opt +<" ||
      { echo "$help"; echo "FAIL: ffmpeg -h filter=$1 does not document '$opt'" >&2; exit 1; }
  done
  echo "  $1: $(echo "$help" | grep -Ec '^ +[a-z_]+ +<') options documented"
}
check artv "passthrough"
check artvsrc "size rate duration"
"$FFMPEG" -hide_banner -filters 2>/dev/null | grep -Eq ' artv +V->V ' || { echo "FAIL: artv not in -filters" >&2; exit 1; }
"$FFMPEG" -hide_banner -filters 2>/dev/null | grep -Eq ' artvsrc +\|->V ' || { echo "FAIL: artvsrc not in -filters" >&2; exit 1; }
echo "PASS: help"
