# Shared by the end-to-end tests tests/ffmpeg/*.sh (sourced, not run): where the built
# ffmpeg/ffprobe are, the tiny random test model, and small assertion helpers.
#
# Environment (exported by `make check`): ARTV_BUILDDIR, ARTV_SRCDIR. Optional: ARTV_TEST_MODEL,
# a model directory to use instead of making the tiny random one.
# Exit codes as automake's test driver reads them: 0 pass, 1 fail, 77 skip, 99 hard error.

set -eu

: "${ARTV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ARTV_BUILDDIR:=$ARTV_SRCDIR}"
FFMPEG=$ARTV_BUILDDIR/ffmpeg-build/ffmpeg
FFPROBE=$ARTV_BUILDDIR/ffmpeg-build/ffprobe
TEST_NAME=$(basename "$0" .sh)

if [ ! -x "$FFMPEG" ] || [ ! -x "$FFPROBE" ]; then
  echo "SKIP: $FFMPEG not built (configure --enable-ffmpeg)"
  exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/artv-ffmpeg-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
hard_error() { echo "ERROR: $*" >&2; exit 99; }
note() { echo "  $*"; }

# ffmpeg quietly; -nostdin so that a test never waits on the terminal.
ff() { "$FFMPEG" -nostdin -hide_banner -loglevel error -y "$@"; }

# The tiny random model (models/test-tiny/config.json, random weights from `artv init-random`),
# made once per build tree; concurrent tests race to a rename, the loser's copy is dropped.
tiny_model() {
  if [ -n "${ARTV_TEST_MODEL:-}" ]; then
    echo "$ARTV_TEST_MODEL"
    return
  fi
  dir=$ARTV_BUILDDIR/ffmpeg-build/test-tiny-model
  if [ ! -f "$dir/config.json" ]; then
    tool=$ARTV_BUILDDIR/tools/artv
    [ -x "$tool" ] || hard_error "no test model: build tools/artv (make) or set ARTV_TEST_MODEL"
    mkdir -p "$(dirname "$dir")"
    tmp=$(mktemp -d "$dir.tmp.XXXXXX")
    "$tool" init-random --config "$ARTV_SRCDIR/models/test-tiny/config.json" \
      --tokenizer "$ARTV_SRCDIR/tests/data/tiny-tokenizer.model" --seed 1 --out "$tmp/model" >&2 ||
      hard_error "artv init-random failed"
    mv -T "$tmp/model" "$dir" 2>/dev/null || true
    rm -rf "$tmp"
  fi
  echo "$dir"
}
MODEL=$(tiny_model)
# The filters find the model through ARTV_MODEL_PATH (tests that pass model= say so).
ARTV_MODEL_PATH=$MODEL
export ARTV_MODEL_PATH
# Small and quick: 2 denoising steps, one CPU thread per model.
FAST="steps=2:threads=1"
# The model's frame rate (generated frames are 1/MODEL_FPS s apart).
MODEL_FPS=$(sed -n 's/.*"fps": *\([0-9][0-9]*\).*/\1/p' "$MODEL/config.json" | head -n 1)
: "${MODEL_FPS:=8}"

# Frames in a file's first video stream, as ffprobe decodes them.
count_frames() {
  "$FFPROBE" -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
    -of default=noprint_wrappers=1:nokey=1 "$1"
}

# One line per frame: presentation time in seconds.
frame_times() {
  # (frames with side data, e.g. x264's SEI, add fields and lines of their own: skipped)
  "$FFPROBE" -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 "$1" |
    awk -F, '$1 != "" { print $1 }'
}

# One field of the first video stream (width, height, pix_fmt, ...).
stream_field() {
  "$FFPROBE" -v error -select_streams v:0 -show_entries "stream=$2" \
    -of default=noprint_wrappers=1:nokey=1 "$1"
}

# The MD5 column of a framemd5 file, one line per frame.
md5_column() { grep -v '^#' "$1" | awk -F, '{ gsub(/ /, "", $6); print $6 }'; }

# Fails unless the numbers on stdin increase strictly.
assert_increasing() {
  awk -v what="$1" 'NR > 1 && $1 <= prev { printf "FAIL: %s: %s after %s (line %d)\n", what, $1, prev, NR; bad = 1; exit 1 }
                    { prev = $1 } END { exit bad }' >&2 || exit 1
}

assert_eq() {
  [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
}

# |a - b| <= tolerance, decimals.
assert_near() {
  awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }' ||
    fail "$1: $2 is not within $4 of $3"
}

# The test clip: testsrc2 (moving pattern), 96x64, 25 fps, 1 s, lossless FFV1 in Matroska.
make_clip() {
  ff -f lavfi -i "testsrc2=size=${2:-96x64}:rate=25:duration=${3:-1}" -c:v ffv1 "$1"
}
