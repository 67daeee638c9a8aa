#!/bin/sh
# The second LibTorch under test: builds ARTV against the torch wheel's LibTorch 2.x
# (./configure --with-libtorch=wheel, scripts/setup-torch-wheel.sh) in _build/torch-wheel and
# runs its `make check` (core, networks, engine, CLI; the FFmpeg and GStreamer parts are the
# Debian build's). Then both builds generate the same frames on the CPU with the same seed and
# options, and the frames must agree to within float rounding.
#
#   scripts/test-torch-wheel.sh [DEBIAN_BUILD_DIR]      (default: _build/default, built)
#
# test.sh runs it after the Debian build's tests. ARTV_SKIP_TORCH_WHEEL=1 skips it.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEBIAN_BUILD=${1:-${ARTV_BUILD:-$TOP/_build/default}}
WHEEL_BUILD=${ARTV_WHEEL_BUILD_DIR:-$TOP/_build/torch-wheel}
JOBS=${JOBS:-$(nproc)}
export CCACHE_BASEDIR="$TOP" CCACHE_NOHASHDIR=true

say() { echo "test-torch-wheel: $*"; }
if [ "${ARTV_SKIP_TORCH_WHEEL:-0}" = 1 ]; then
  say "skipped (ARTV_SKIP_TORCH_WHEEL=1)"
  exit 0
fi

mkdir -p "$WHEEL_BUILD"
cd "$WHEEL_BUILD"
if [ ! -f Makefile ] || [ "$TOP/configure" -nt config.status ]; then
  "$TOP/configure" -q --with-libtorch=wheel --disable-ffmpeg --disable-gstreamer
fi
grep -q '^TORCH_VERSION = 2\.' Makefile || { say "not a LibTorch 2.x build: $WHEEL_BUILD"; exit 1; }

status=0
make -j"$JOBS"
make -j"$JOBS" check || status=$?
"$TOP/scripts/check-summaries.sh" wheel
[ "$status" -eq 0 ] || { say "make check failed against the wheel's LibTorch: see $WHEEL_BUILD/test-suite.log"; exit "$status"; }

# Same frames from both LibTorches: 3 frames of the embedded model, fp32 on the CPU, animating
# a rendered still, written as PNG. 8-bit frames of the same float computation differ by at
# most a rounding step here and there; a real difference (an op computing something else)
# moves many pixels by much more.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$DEBIAN_BUILD/tools/artv" render -o "$tmp/still" --count 1 --frames 1 --object-motion left \
  --camera-share 0 --photos "$TOP/data/photos.jsonl" --png --seed 3 >/dev/null
for b in debian wheel; do
  case $b in debian) artv=$DEBIAN_BUILD/tools/artv ;; wheel) artv=$WHEEL_BUILD/tools/artv ;; esac
  mkdir -p "$tmp/$b"
  "$artv" generate -q --model "$TOP/models/artv-tiny" --device cpu --dtype fp32 --threads 2 \
    --input "$tmp/still/clip_0000/frame_00000.png" --prompt "a white circle moving left" --frames 3 --steps 8 --seed 7 \
    -o "$tmp/$b/f_%05d.png"
  ffmpeg -v error -i "$tmp/$b/f_%05d.png" -f rawvideo -pix_fmt rgb24 "$tmp/$b.rgb"
done
[ -s "$tmp/debian.rgb" ] && [ "$(wc -c <"$tmp/debian.rgb")" -eq "$(wc -c <"$tmp/wheel.rgb")" ] ||
  { say "the two builds wrote different amounts of video"; exit 1; }
bytes=$(wc -c <"$tmp/debian.rgb")
# cmp -l: one line per differing byte, values in octal.
cmp -l "$tmp/debian.rgb" "$tmp/wheel.rgb" | awk -v n="$bytes" '
  function oct(s,  v, i) { v = 0; for (i = 1; i <= length(s); i++) v = v * 8 + substr(s, i, 1); return v }
  { d = oct($2) - oct($3); if (d < 0) d = -d; if (d > max) max = d; diff++ }
  END {
    printf "test-torch-wheel: generate --device cpu, Debian LibTorch vs wheel: %d of %d bytes differ, max |diff| %d\n", diff, n, max
    if (max > 2 || diff > n / 100) { print "test-torch-wheel: FAIL: frames differ by more than rounding"; exit 1 }
    print "test-torch-wheel: PASS: same frames within rounding"
  }'
