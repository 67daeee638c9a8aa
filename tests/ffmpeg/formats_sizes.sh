#!/bin/sh
# Odd sizes and pixel formats: the output keeps the input's format and size, the input frames
# pass through bit-identical, the generated frames follow.
. "$(dirname "$0")/lib.sh"

N=2
for fmt in yuv420p nv12 gray rgb24 yuv444p10le; do
  for size in 333x199 64x64; do
    # (testsrc2 rounds odd sizes down for subsampled formats: convert from RGB instead)
    src="testsrc2=size=$size:rate=25:duration=0.2,format=rgb24,format=$fmt"
    ff -f lavfi -i "$src" -f framemd5 "$WORK/in.md5"
    ff -f lavfi -i "$src" -vf "artv=prompt=colours:frames=$N:$FAST:seed=1" \
      -fps_mode passthrough -c:v rawvideo -f nut "$WORK/out.nut" ||
      fail "$fmt $size: ffmpeg failed"
    assert_eq "$fmt $size: frames" "$(count_frames "$WORK/out.nut")" $((5 + N))
    assert_eq "$fmt $size: pixel format" "$(stream_field "$WORK/out.nut" pix_fmt)" "$fmt"
    assert_eq "$fmt $size: size" \
      "$(stream_field "$WORK/out.nut" width)x$(stream_field "$WORK/out.nut" height)" "$size"
    ff -i "$WORK/out.nut" -f framemd5 "$WORK/out.md5"
    md5_column "$WORK/in.md5" >"$WORK/a"
    md5_column "$WORK/out.md5" | head -n 5 >"$WORK/b"
    cmp -s "$WORK/a" "$WORK/b" || fail "$fmt $size: passed-through frames changed"
    note "$fmt $size: ok"
  done
done

# gen_size: generate at 64x32, output at the input's 333x199.
ff -f lavfi -i "testsrc2=size=333x199:rate=25:duration=0.2,format=rgb24" \
  -vf "artv=prompt=colours:frames=1:$FAST:gen_size=64x32:seed=1" -fps_mode passthrough \
  -c:v rawvideo -f nut "$WORK/gen.nut"
assert_eq "gen_size: output size" \
  "$(stream_field "$WORK/gen.nut" width)x$(stream_field "$WORK/gen.nut" height)" 333x199
echo "PASS: $TEST_NAME"
