#!/bin/sh
# gst-launch-1.0 end to end with the artv element: a real clip is decoded, extended by
# `artv frames=N` and encoded to MP4, and a still image is animated through imagefreeze;
# ffprobe decodes the files and counts the frames.
set -u
. "$(dirname "$0")/e2e_common.sh"

N=6

# A real clip: OpenCV's sample video (opencv-doc), else a short synthetic one made by ffmpeg.
clip=/usr/share/doc/opencv-doc/examples/data/vtest.avi
if [ -f "$clip" ]; then
    # The first 40 frames keep the test short on two cores.
    ffmpeg -v error -i "$clip" -frames:v 40 -c:v mjpeg -q:v 3 "$tmp/clip.avi"
else
    ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=10 -frames:v 40 -c:v mjpeg "$tmp/clip.avi"
fi
in_frames=$(count_frames "$tmp/clip.avi")
in_size=$(frame_size "$tmp/clip.avi")
check "the input clip has 40 frames" test "$in_frames" -eq 40

launch extend filesrc location="$tmp/clip.avi" ! decodebin ! videoconvert ! \
    artv frames=$N model="$MODEL" steps=$STEPS seed=1 prompt="people walk" ! \
    $ENCODE ! filesink location="$tmp/extended.mp4"
check "extend: gst-launch-1.0 succeeded" test -s "$tmp/extended.mp4"
out_frames=$(count_frames "$tmp/extended.mp4")
check "extend: $in_frames + $N frames (got $out_frames)" test "$out_frames" -eq $((in_frames + N))
check "extend: size kept ($in_size, got $(frame_size "$tmp/extended.mp4"))" \
    test "$(frame_size "$tmp/extended.mp4")" = "$in_size"

# Animate a still: one frame from imagefreeze, then N generated ones.
ffmpeg -v error -f lavfi -i testsrc=size=96x64 -frames:v 1 "$tmp/still.png"
launch still filesrc location="$tmp/still.png" ! decodebin ! imagefreeze num-buffers=1 ! \
    videoconvert ! artv frames=$N model="$MODEL" steps=$STEPS prompt="waves roll in" ! \
    $ENCODE ! filesink location="$tmp/animated.mp4"
out_frames=$(count_frames "$tmp/animated.mp4")
check "still: 1 + $N frames (got $out_frames)" test "$out_frames" -eq $((1 + N))
check "still: 96x64 (got $(frame_size "$tmp/animated.mp4"))" \
    test "$(frame_size "$tmp/animated.mp4")" = "96x64"

# Two continuations of one clip after a tee: two artv elements sharing one model.
launch tee filesrc location="$tmp/clip.avi" ! decodebin ! videoconvert ! tee name=t \
    t. ! queue ! artv frames=$N model="$MODEL" steps=$STEPS prompt="rain" ! $ENCODE ! \
        filesink location="$tmp/rain.mp4" \
    t. ! queue ! artv frames=$((N + 2)) model="$MODEL" steps=$STEPS prompt="sun" ! $ENCODE ! \
        filesink location="$tmp/sun.mp4"
check "tee: branch 1 has $in_frames + $N frames" \
    test "$(count_frames "$tmp/rain.mp4")" -eq $((in_frames + N))
check "tee: branch 2 has $in_frames + $((N + 2)) frames" \
    test "$(count_frames "$tmp/sun.mp4")" -eq $((in_frames + N + 2))

# The branches run at the same time on their own streaming threads; with seeds, each gives the
# same frames as the same branch alone (raw RGB compared byte for byte, at 96x72 to keep it small).
SMALL="decodebin ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=96,height=72"
RAIN="artv frames=2 model=$MODEL steps=$STEPS prompt=rain seed=5"
SUN="artv frames=2 model=$MODEL steps=$STEPS prompt=sun seed=6"
launch tee-seeded filesrc location="$tmp/clip.avi" ! $SMALL ! tee name=t \
    t. ! queue ! $RAIN ! filesink location="$tmp/rain-tee.rgb" \
    t. ! queue ! $SUN ! filesink location="$tmp/sun-tee.rgb"
launch rain-alone filesrc location="$tmp/clip.avi" ! $SMALL ! $RAIN ! filesink location="$tmp/rain.rgb"
launch sun-alone filesrc location="$tmp/clip.avi" ! $SMALL ! $SUN ! filesink location="$tmp/sun.rgb"
check "tee: branch 1 wrote $in_frames + 2 frames" \
    test "$(wc -c <"$tmp/rain-tee.rgb")" -eq $(((in_frames + 2) * 96 * 72 * 3))
check "tee: branch 1 = the same element alone with its seed" cmp -s "$tmp/rain-tee.rgb" "$tmp/rain.rgb"
check "tee: branch 2 = the same element alone with its seed" cmp -s "$tmp/sun-tee.rgb" "$tmp/sun.rgb"
differ() { ! cmp -s "$1" "$2"; }
check "tee: the two branches differ (prompts and seeds differ)" differ "$tmp/rain.rgb" "$tmp/sun.rgb"

# A missing model stops the pipeline with an error that names it.
if timeout 60 $GST_LAUNCH videotestsrc num-buffers=2 ! videoconvert ! \
    artv model=/nonexistent/model ! fakesink >"$tmp/missing.log" 2>&1; then
    echo "FAIL: a missing model did not fail"; failures=$((failures + 1))
else
    check "missing model: error names the directory" \
        grep -q "Could not open the ARTV model in '/nonexistent/model'" "$tmp/missing.log"
fi

# RGB only: a forced I420 link fails with a reason.
if timeout 60 $GST_LAUNCH videotestsrc num-buffers=2 ! video/x-raw,format=I420 ! \
    artv model="$MODEL" ! fakesink >"$tmp/caps.log" 2>&1; then
    echo "FAIL: I420 into artv did not fail"; failures=$((failures + 1))
else
    check "I420 input is refused with a reason" \
        grep -qi "could not link\|not-negotiated\|not negotiated" "$tmp/caps.log"
fi

exit $((failures > 0))
