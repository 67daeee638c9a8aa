#!/bin/sh
# artvsrc (text-to-video source): exactly the frames asked, by frames= or duration= x rate,
# at the size asked, RGB24, timestamps from a frame counter.
. "$(dirname "$0")/lib.sh"

ff -f lavfi -i "artvsrc=a red ball bounces:7:$FAST:size=96x64:seed=1" \
  -c:v rawvideo -f nut "$WORK/t2v.nut"
assert_eq "frames=7" "$(count_frames "$WORK/t2v.nut")" 7
assert_eq "size" "$(stream_field "$WORK/t2v.nut" width)x$(stream_field "$WORK/t2v.nut" height)" 96x64
assert_eq "pixel format" "$(stream_field "$WORK/t2v.nut" pix_fmt)" rgb24
assert_eq "default rate = the model's" "$(stream_field "$WORK/t2v.nut" r_frame_rate)" "$MODEL_FPS/1"
frame_times "$WORK/t2v.nut" | assert_increasing "timestamps"
assert_near "last timestamp" "$(frame_times "$WORK/t2v.nut" | tail -n 1)" \
  "$(awk "BEGIN { print 6 / $MODEL_FPS }")" 0.0015

# duration x rate, rounded: 0.5 s at 10 fps = 5 frames.
ff -f lavfi -i "artvsrc=prompt=waves:duration=0.5:rate=10:$FAST:size=64x64:seed=1" \
  -c:v rawvideo -f nut "$WORK/dur.nut"
assert_eq "duration=0.5:rate=10" "$(count_frames "$WORK/dur.nut")" 5
assert_eq "rate" "$(stream_field "$WORK/dur.nut" r_frame_rate)" "10/1"

# Default size: the model's native short side, square.
ff -f lavfi -i "artvsrc=prompt=waves:frames=1:$FAST" -c:v rawvideo -f nut "$WORK/native.nut"
w=$(stream_field "$WORK/native.nut" width)
assert_eq "default size is square" "$(stream_field "$WORK/native.nut" height)" "$w"

# Feeds other filters like any lavfi source.
ff -f lavfi -i "artvsrc=prompt=waves:frames=3:$FAST:size=64x64:seed=1,scale=128:96,format=yuv420p" \
  -c:v libx264 -preset ultrafast "$WORK/chain.mp4"
assert_eq "chained frames" "$(count_frames "$WORK/chain.mp4")" 3
assert_eq "chained size" "$(stream_field "$WORK/chain.mp4" width)" 128
echo "PASS: $TEST_NAME"
