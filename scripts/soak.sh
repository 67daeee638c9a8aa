#!/bin/sh
# Soak: FRAMES generated frames through the FFmpeg filter (artvsrc) and the GStreamer element
# (artvsrc), the process's resident memory sampled every EVERY frames. Prints one line per
# sample and a summary per pipeline: RSS at the first and last sample and the largest step up
# after the first sample. Exits 1 when the RSS grows by more than GROWTH_MIB (default 32) from
# the first sample to the last (docs/SECURITY.md records a run).
#
#   scripts/soak.sh [FRAMES [EVERY]]        (defaults 2000 and 100)
#
# Environment: ARTV_BUILD_DIR (default _build/default), MODEL (default: the embedded model,
# models/artv-tiny; the random test-tiny model's frames diverge to NaN after ~170 frames, which
# the filter then reports), STEPS (default 2), SIZE (default 128x128).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${ARTV_BUILD_DIR:-$TOP/_build/default}
FRAMES=${1:-2000}
EVERY=${2:-100}
STEPS=${STEPS:-2}
SIZE=${SIZE:-128x128}
GROWTH_MIB=${GROWTH_MIB:-32}
W=$(mktemp -d "${TMPDIR:-/tmp}/artv-soak.XXXXXX")
trap 'rm -rf "$W"' EXIT
die() { echo "soak: $*" >&2; exit 2; }

MODEL=${MODEL:-$TOP/models/artv-tiny}
[ -f "$MODEL/config.json" ] || die "no model in $MODEL"

# watch NAME PID COUNT_CMD: while PID runs, every 0.1 s, COUNT_CMD prints the frames done so
# far; at each multiple of EVERY, one sample "NAME FRAME RSS_KIB" (the RSS read at that moment).
watch() {
  name=$1 pid=$2 count_cmd=$3 next=$EVERY
  while kill -0 "$pid" 2>/dev/null; do
    n=$(eval "$count_cmd" 2>/dev/null || true)
    case $n in ''|*[!0-9]*) n=0 ;; esac
    rss=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)
    while [ -n "$rss" ] && [ "$n" -ge "$next" ] && [ "$next" -le "$FRAMES" ]; do
      echo "$name $next $rss" | tee -a "$W/samples"
      next=$((next + EVERY))
    done
    sleep 0.1
  done
}

# summary NAME: first/last RSS, the largest rise between samples after the first; 1 = grew.
summary() {
  awk -v name="$1" -v limit="$GROWTH_MIB" '
    $1 == name { n++; rss[n] = $3; frame[n] = $2 }
    END {
      if (n < 2) { printf "%s: only %d sample(s)\n", name, n; exit 1 }
      up = 0; for (i = 2; i < n; i++) if (rss[i + 1] - rss[i] > up) up = rss[i + 1] - rss[i]
      grow = (rss[n] - rss[1]) / 1024
      printf "%s: %d samples, RSS %.1f MiB at frame %d, %.1f MiB at frame %d (%+.1f MiB), largest step up after the first sample %.1f MiB\n",
        name, n, rss[1] / 1024, frame[1], rss[n] / 1024, frame[n], grow, up / 1024
      exit grow > limit }' "$W/samples"
}

status=0
FFMPEG=$B/ffmpeg-build/ffmpeg
if [ -x "$FFMPEG" ]; then
  # The filter's frames: -progress writes frame=N every -stats_period seconds.
  "$FFMPEG" -nostdin -hide_banner -loglevel error -y -stats_period 0.1 -progress "$W/progress" \
    -f lavfi -i "artvsrc=model=$MODEL:prompt=a red ball rolls left:frames=$FRAMES:steps=$STEPS:size=$SIZE:threads=1" \
    -f null - &
  watch ffmpeg-artvsrc $! "sed -n 's/^frame=//p' '$W/progress' | tail -n 1"
  wait $! || die "ffmpeg failed"
  summary ffmpeg-artvsrc || status=1
else
  echo "soak: no $FFMPEG (configure --enable-ffmpeg): FFmpeg part skipped"
fi

if [ -f "$B/gst-artv/.libs/libgstartv.so" ] && command -v gst-launch-1.0 >/dev/null; then
  # fakesink silent=false -v prints one last-message line per buffer.
  GST_PLUGIN_PATH=$B/gst-artv/.libs GST_REGISTRY=$W/registry.bin gst-launch-1.0 -v \
    artvsrc model="$MODEL" num-buffers="$FRAMES" steps="$STEPS" threads=1 prompt="a red ball rolls left" \
    ! "video/x-raw,width=${SIZE%x*},height=${SIZE#*x}" ! fakesink silent=false >"$W/gst.log" 2>&1 &
  watch gst-artvsrc $! "grep -c 'last-message = chain' '$W/gst.log'"
  wait $! || { tail -5 "$W/gst.log"; die "gst-launch-1.0 failed"; }
  summary gst-artvsrc || status=1
else
  echo "soak: no GStreamer plugin in $B/gst-artv (configure --enable-gstreamer): part skipped"
fi
exit $status
