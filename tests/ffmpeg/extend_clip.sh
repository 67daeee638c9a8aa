#!/bin/sh
# artv extends a clip: the input frames pass through bit-identical, N generated frames follow
# one model interval apart (1/fps of the model), timestamps increase strictly, and the clip
# grows by N model intervals. Lossless FFV1/Matroska, x264/MP4, and a real clip (opencv-doc).
. "$(dirname "$0")/lib.sh"

N=4
make_clip "$WORK/in.mkv"
n_in=$(count_frames "$WORK/in.mkv")
assert_eq "input frames" "$n_in" 25

# -fps_mode passthrough: the output is variable-rate (25 fps, then the model's 8 fps); without
# it ffmpeg would duplicate frames for MP4. -enc_time_base -1 keeps the exact timestamps.
ff -i "$WORK/in.mkv" -vf "artv=prompt=a test pattern scrolls:frames=$N:$FAST:seed=1" \
  -fps_mode passthrough -enc_time_base -1 -c:v ffv1 "$WORK/out.mkv"
n_out=$(count_frames "$WORK/out.mkv")
assert_eq "output frames" "$n_out" $((n_in + N))
frame_times "$WORK/out.mkv" | assert_increasing "output timestamps"

# The last timestamp moves by N model intervals; so does the container's duration.
last_in=$(frame_times "$WORK/in.mkv" | tail -n 1)
last_out=$(frame_times "$WORK/out.mkv" | tail -n 1)
assert_near "last timestamp, output - input" "$(awk "BEGIN { print $last_out - $last_in }")" \
  "$(awk "BEGIN { print $N / $MODEL_FPS }")" 0.0015
# Gaps between generated frames: one model interval each.
frame_times "$WORK/out.mkv" | tail -n $((N + 1)) | awk -v i="$(awk "BEGIN { print 1 / $MODEL_FPS }")" \
  'NR > 1 { d = $1 - p - i; if (d < 0) d = -d; if (d > 0.0015) { print "FAIL: generated frame gap " $1 - p; exit 1 } } { p = $1 }' >&2
dur_in=$("$FFPROBE" -v error -show_entries format=duration -of csv=p=0 "$WORK/in.mkv")
dur_out=$("$FFPROBE" -v error -show_entries format=duration -of csv=p=0 "$WORK/out.mkv")
note "duration $dur_in s -> $dur_out s, last frame $last_in s -> $last_out s"
# The container's duration ends one frame duration after the last timestamp: the input's last
# frame lasts 1/25 s, the last generated one 1/25 s to 1/MODEL_FPS s depending on the muxer.
ext=$(awk "BEGIN { print $dur_out - $dur_in }")
awk "BEGIN { n = $N / $MODEL_FPS; exit !($ext >= n - 0.0015 && $ext <= n + 1 / $MODEL_FPS) }" ||
  fail "duration grew by $ext s, not by $N model intervals"

# Passthrough: the input frames come out bit-identical (lossless output, framemd5).
ff -i "$WORK/in.mkv" -f framemd5 "$WORK/in.md5"
ff -i "$WORK/out.mkv" -f framemd5 "$WORK/out.md5"
md5_column "$WORK/in.md5" >"$WORK/in.sums"
md5_column "$WORK/out.md5" | head -n "$n_in" >"$WORK/out-head.sums"
cmp -s "$WORK/in.sums" "$WORK/out-head.sums" || fail "passed-through frames differ from the input"
# ... and the generated ones are new pictures, not copies of the last input frame.
last_sum=$(tail -n 1 "$WORK/in.sums")
md5_column "$WORK/out.md5" | tail -n "$N" | grep -qx "$last_sum" &&
  fail "a generated frame is a copy of the last input frame"

# The issue's own command line: MP4 with x264.
ff -i "$WORK/in.mkv" -vf "artv=a test pattern:3:$FAST:seed=2" -fps_mode passthrough \
  -c:v libx264 -preset ultrafast "$WORK/out.mp4"
assert_eq "MP4 output frames" "$(count_frames "$WORK/out.mp4")" $((n_in + 3))
frame_times "$WORK/out.mp4" | assert_increasing "MP4 timestamps"

# A real clip (10 fps MS-MPEG4 from opencv-doc), when installed.
REAL=/usr/share/doc/opencv-doc/examples/data/vtest.avi
if [ -f "$REAL" ]; then
  ff -t 0.5 -i "$REAL" -vf "scale=192:144" -c:v ffv1 "$WORK/real.mkv"
  n_real=$(count_frames "$WORK/real.mkv")
  ff -i "$WORK/real.mkv" -vf "artv=people walk through a hall:3:$FAST:seed=3" \
    -fps_mode passthrough -c:v ffv1 "$WORK/real-out.mkv"
  assert_eq "real clip frames" "$(count_frames "$WORK/real-out.mkv")" $((n_real + 3))
  frame_times "$WORK/real-out.mkv" | assert_increasing "real clip timestamps"
  note "real clip: $n_real + 3 frames"
else
  note "no $REAL (opencv-doc): real clip case not run"
fi
echo "PASS: $TEST_NAME"
