#!/bin/sh
# 1-frame and 2-frame video inputs, and an input whose frames are all trimmed away before artv
# (text-to-video at the link's size): all produce the frames asked.
. "$(dirname "$0")/lib.sh"

for n in 1 2; do
  ff -f lavfi -i "testsrc2=size=64x48:rate=25" -frames:v $n -c:v ffv1 "$WORK/in$n.mkv"
  ff -i "$WORK/in$n.mkv" -vf "artv=prompt=a pattern:frames=3:$FAST:seed=1" \
    -fps_mode passthrough -c:v ffv1 "$WORK/out$n.mkv"
  assert_eq "$n-frame input" "$(count_frames "$WORK/out$n.mkv")" $((n + 3))
  frame_times "$WORK/out$n.mkv" | assert_increasing "$n-frame input timestamps"
done

"$FFMPEG" -nostdin -hide_banner -loglevel warning -y -i "$WORK/in2.mkv" \
  -vf "trim=start_frame=100,artv=prompt=a pattern:frames=2:$FAST:seed=1" \
  -fps_mode passthrough -c:v ffv1 "$WORK/none.mkv" 2>"$WORK/none.log" ||
  { cat "$WORK/none.log"; fail "no frame reaching artv"; }
assert_eq "no input frame" "$(count_frames "$WORK/none.mkv")" 2
grep -q "no input frame" "$WORK/none.log" || fail "no warning about the missing input frames"
echo "PASS: $TEST_NAME"
