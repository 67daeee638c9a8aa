# e2e_common.sh — sourced by the gst-launch-1.0 end-to-end tests: the build tree's plugin, the
# tiny test model, a scratch directory, and helpers. Exit 77 = automake's SKIP.

builddir="${ARTV_BUILDDIR:-.}"
GST_PLUGIN_PATH="$builddir/gst-artv/.libs"
GST_REGISTRY="${GST_REGISTRY:-$builddir/tests/gst/registry.bin}"
export GST_PLUGIN_PATH GST_REGISTRY
MODEL="${ARTV_TEST_MODEL:-$builddir/tests/test-tiny}"
STEPS=2

if [ ! -f "$MODEL/config.json" ]; then
    echo "SKIP: no test model at $MODEL (set ARTV_TEST_MODEL)"
    exit 77
fi
# Sanitizer builds (configure --enable-sanitizers): the instrumented plugin needs the sanitizer
# runtime loaded first, which gst-launch-1.0 and gst-inspect-1.0 (not built here) do not do;
# ARTV_TEST_PRELOAD names it (a colon-separated LD_PRELOAD list). Their own leaks at exit are
# GStreamer's, not the plugin's.
GST_LAUNCH=gst-launch-1.0 GST_INSPECT=gst-inspect-1.0
if [ -n "${ARTV_TEST_PRELOAD:-}" ]; then
    GST_LAUNCH="env LD_PRELOAD=$ARTV_TEST_PRELOAD ASAN_OPTIONS=detect_leaks=0 gst-launch-1.0"
    GST_INSPECT="env LD_PRELOAD=$ARTV_TEST_PRELOAD ASAN_OPTIONS=detect_leaks=0 gst-inspect-1.0"
fi
for tool in gst-launch-1.0 ffprobe; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
for element in x264enc mp4mux decodebin; do
    $GST_INSPECT --exists "$element" ||
        { echo "SKIP: GStreamer element $element missing"; exit 77; }
done

tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
failures=0

check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}

# Frames in a file's first video stream, counted by decoding every packet.
count_frames() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
        -of default=nokey=1:noprint_wrappers=1 "$1"
}

# WIDTHxHEIGHT of the first video stream.
frame_size() {
    ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
        -of csv=s=x:p=0 "$1"
}

# gst-launch-1.0 with a time limit; the log is kept for the report on failure.
launch() { # launch LOGNAME PIPELINE...
    log="$tmp/$1.log"; shift
    if timeout 300 $GST_LAUNCH -e "$@" >"$log" 2>&1; then
        return 0
    fi
    echo "FAIL: gst-launch-1.0 $(basename "$log" .log) failed:"; cat "$log"
    failures=$((failures + 1))
    return 1
}

ENCODE="videoconvert ! x264enc speed-preset=ultrafast ! mp4mux"
