#!/bin/sh
# Same seed -> identical frames (framemd5) across runs; another seed -> other frames.
. "$(dirname "$0")/lib.sh"

make_clip "$WORK/in.mkv" 64x64 0.4
run() {
  ff -i "$WORK/in.mkv" -vf "artv=prompt=a pattern:frames=3:$FAST:seed=$1" \
    -fps_mode passthrough -f framemd5 "$WORK/$2.md5"
}
run 7 a
run 7 b
run 8 c
cmp -s "$WORK/a.md5" "$WORK/b.md5" || fail "seed=7 twice gave different frames"
md5_column "$WORK/a.md5" | tail -n 3 >"$WORK/a.gen"
md5_column "$WORK/c.md5" | tail -n 3 >"$WORK/c.gen"
cmp -s "$WORK/a.gen" "$WORK/c.gen" && fail "seed=7 and seed=8 gave the same frames"

# The source too.
src() {
  ff -f lavfi -i "artvsrc=prompt=a pattern:frames=2:$FAST:size=64x64:seed=$1" -f framemd5 "$WORK/$2.md5"
}
src 11 s1
src 11 s2
src 12 s3
cmp -s "$WORK/s1.md5" "$WORK/s2.md5" || fail "artvsrc seed=11 twice gave different frames"
cmp -s "$WORK/s1.md5" "$WORK/s3.md5" && fail "artvsrc seed=11 and seed=12 gave the same frames"

# seed=-1 (the default) picks a seed and logs it so that the run can be repeated.
"$FFMPEG" -nostdin -hide_banner -y -i "$WORK/in.mkv" -vf "artv=prompt=a pattern:frames=1:$FAST" \
  -fps_mode passthrough -f framemd5 "$WORK/r.md5" 2>"$WORK/r.log"
seed=$(sed -n 's/.*seed \([0-9]*\) (seed=.*/\1/p' "$WORK/r.log")
[ -n "$seed" ] || fail "no seed logged for seed=-1"
ff -i "$WORK/in.mkv" -vf "artv=prompt=a pattern:frames=1:$FAST:seed=$seed" \
  -fps_mode passthrough -f framemd5 "$WORK/r2.md5"
cmp -s "$WORK/r.md5" "$WORK/r2.md5" || fail "the logged seed $seed does not repeat the run"
echo "PASS: $TEST_NAME"
