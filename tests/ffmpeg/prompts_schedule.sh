#!/bin/sh
# Multi-prompt schedules: prompts='PROMPT/FRAMES|PROMPT/FRAMES|PROMPT'. Each segment starts at
# the frame asked, as the filter's debug line per segment says; the frame count defaults to
# the schedule's sum; ':' in a prompt is escaped as FFmpeg's option syntax wants it.
. "$(dirname "$0")/lib.sh"

# "prompt segment S starts at generated frame F: ..." lines -> "S@F" words.
segments() {
  sed -n 's/.*prompt segment \([0-9]*\) starts at generated frame \([0-9]*\):.*/\1@\2/p' "$1" |
    tr '\n' ' ' | sed 's/ $//'
}

# artvsrc: 3 + 2 frames.
"$FFMPEG" -nostdin -hide_banner -loglevel debug -y -f lavfi \
  -i "artvsrc=prompts='a ball rolls left/3|the ball rolls right/2':$FAST:size=64x64:seed=1" \
  -c:v rawvideo -f nut "$WORK/src.nut" 2>"$WORK/src.log" || { tail -20 "$WORK/src.log"; fail "artvsrc with prompts"; }
assert_eq "artvsrc frames = sum of the schedule" "$(count_frames "$WORK/src.nut")" 5
assert_eq "artvsrc segment starts" "$(segments "$WORK/src.log")" "0@0 1@3"
grep -q 'starts at generated frame 3: "the ball rolls right"' "$WORK/src.log" ||
  fail "the second segment's prompt is not logged"

# artv after a clip: an open-ended last segment holds for the rest of frames=7.
make_clip "$WORK/in.mkv" 64x64 0.4
"$FFMPEG" -nostdin -hide_banner -loglevel debug -y -i "$WORK/in.mkv" \
  -vf "artv=prompts='walk/2|turn/3|sit':frames=7:$FAST:seed=1" \
  -fps_mode passthrough -c:v ffv1 "$WORK/out.mkv" 2>"$WORK/artv.log" || { tail -20 "$WORK/artv.log"; fail "artv with prompts"; }
assert_eq "artv frames" "$(count_frames "$WORK/out.mkv")" $((10 + 7))
assert_eq "artv segment starts" "$(segments "$WORK/artv.log")" "0@0 1@2 2@5"

# A ':' inside a prompt is escaped with '\' (FFmpeg's option syntax); '/' not followed by a
# count is part of the prompt.
"$FFMPEG" -nostdin -hide_banner -loglevel debug -y -f lavfi \
  -i "artvsrc=prompts='title\: 24/7 news/2|credits/1':$FAST:size=64x64:seed=1" \
  -f null - 2>"$WORK/esc.log" || { tail -20 "$WORK/esc.log"; fail "escaped prompts"; }
grep -q 'starts at generated frame 0: "title: 24/7 news"' "$WORK/esc.log" ||
  fail "escaped ':' or '/' in a prompt did not reach the session intact"
assert_eq "escaped schedule segment starts" "$(segments "$WORK/esc.log")" "0@0 1@2"
echo "PASS: $TEST_NAME"
