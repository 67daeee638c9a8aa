#!/bin/sh
# gst-launch-1.0 end to end with artvsrc: text to video into an MP4, and a tee with two
# branches (two files of the same frames); ffprobe decodes the files and counts the frames.
# Then device=cuda on a machine without a usable GPU, for artvsrc and artv.
set -u
. "$(dirname "$0")/e2e_common.sh"

N=5

launch t2v artvsrc num-buffers=$N model="$MODEL" steps=$STEPS prompt="a red ball" ! \
    video/x-raw,width=64,height=64,framerate=8/1 ! $ENCODE ! filesink location="$tmp/t2v.mp4"
out_frames=$(count_frames "$tmp/t2v.mp4")
check "t2v: $N frames (got $out_frames)" test "$out_frames" -eq $N
check "t2v: 64x64 (got $(frame_size "$tmp/t2v.mp4"))" test "$(frame_size "$tmp/t2v.mp4")" = "64x64"
rate=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 \
    "$tmp/t2v.mp4")
check "t2v: 8 frames per second (got $rate)" test "$rate" = "8/1"

launch tee artvsrc num-buffers=$N model="$MODEL" steps=$STEPS prompts="sunrise:2|noon:3" ! \
    video/x-raw,width=64,height=48 ! tee name=t \
    t. ! queue ! $ENCODE ! filesink location="$tmp/a.mp4" \
    t. ! queue ! videoconvert ! videoscale ! video/x-raw,width=128,height=96 ! $ENCODE ! \
        filesink location="$tmp/b.mp4"
check "tee: branch a has $N frames" test "$(count_frames "$tmp/a.mp4")" -eq $N
check "tee: branch b has $N frames" test "$(count_frames "$tmp/b.mp4")" -eq $N
check "tee: branch b is 128x96" test "$(frame_size "$tmp/b.mp4")" = "128x96"

# device=cuda where there is no usable GPU: an error message that says why, a non-zero exit.
if ! nvidia-smi -L >/dev/null 2>&1; then
    timeout 120 $GST_LAUNCH artvsrc num-buffers=1 model="$MODEL" device=cuda ! fakesink \
        >"$tmp/cuda.log" 2>&1
    rc=$?
    # gst-launch-1.0 exits 255 (-1) on a pipeline error; 124 is the timeout, 129-159 signals.
    check "device=cuda without a GPU: an error exit, not a crash or hang (got $rc)" \
        test "$rc" -ne 0 -a "$rc" -ne 124 -a \( "$rc" -lt 129 -o "$rc" -gt 159 \)
    check "device=cuda without a GPU: says why" \
        grep -q "CUDA requested but no CUDA device is available" "$tmp/cuda.log"
    timeout 120 $GST_LAUNCH videotestsrc num-buffers=2 ! video/x-raw,width=64,height=64 ! \
        artv model="$MODEL" device=cuda ! fakesink >"$tmp/cuda-artv.log" 2>&1
    rc=$?
    check "artv device=cuda without a GPU: an error exit (got $rc)" \
        test "$rc" -ne 0 -a "$rc" -ne 124 -a \( "$rc" -lt 129 -o "$rc" -gt 159 \)
    check "artv device=cuda without a GPU: says why" \
        grep -q "CUDA requested but no CUDA device is available" "$tmp/cuda-artv.log"
fi

exit $((failures > 0))
