#!/bin/sh
# artv animates a still image (text-image-to-video): a PNG in, the image and N generated frames
# out, the image bit-identical, generated frames one model interval apart.
. "$(dirname "$0")/lib.sh"

N=5
ff -f lavfi -i "testsrc2=size=80x48" -frames:v 1 "$WORK/still.png"
ff -i "$WORK/still.png" -f framemd5 "$WORK/still.md5"

# Lossless output: raw RGB24 in NUT.
ff -i "$WORK/still.png" -vf "artv=prompt=the pattern starts to move:frames=$N:$FAST:seed=3" \
  -fps_mode passthrough -enc_time_base 1:1000 -c:v rawvideo -f nut "$WORK/out.nut"
assert_eq "frames" "$(count_frames "$WORK/out.nut")" $((N + 1))
assert_eq "pixel format" "$(stream_field "$WORK/out.nut" pix_fmt)" rgb24
assert_eq "size" "$(stream_field "$WORK/out.nut" width)x$(stream_field "$WORK/out.nut" height)" 80x48
frame_times "$WORK/out.nut" | assert_increasing "timestamps"
last=$(frame_times "$WORK/out.nut" | tail -n 1)
first=$(frame_times "$WORK/out.nut" | head -n 1)
assert_near "last timestamp" "$(awk "BEGIN { print $last - $first }")" \
  "$(awk "BEGIN { print $N / $MODEL_FPS }")" 0.0015

ff -i "$WORK/out.nut" -f framemd5 "$WORK/out.md5"
assert_eq "first frame = the image" "$(md5_column "$WORK/out.md5" | head -n 1)" \
  "$(md5_column "$WORK/still.md5")"

# passthrough=0: only the generated frames.
ff -i "$WORK/still.png" -vf "artv=prompt=the pattern starts to move:frames=$N:$FAST:seed=3:passthrough=0" \
  -fps_mode passthrough -c:v rawvideo -f nut "$WORK/gen.nut"
assert_eq "frames without passthrough" "$(count_frames "$WORK/gen.nut")" "$N"
ff -i "$WORK/gen.nut" -f framemd5 "$WORK/gen.md5"
md5_column "$WORK/out.md5" | tail -n "$N" >"$WORK/a"
md5_column "$WORK/gen.md5" >"$WORK/b"
cmp -s "$WORK/a" "$WORK/b" || fail "passthrough=0 generated other frames than passthrough=1"
echo "PASS: $TEST_NAME"
