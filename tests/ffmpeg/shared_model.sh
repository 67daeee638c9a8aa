#!/bin/sh
# Two artv instances in one filtergraph share one open model, and each gives the same frames
# as a run of its own with the same seed.
. "$(dirname "$0")/lib.sh"

make_clip "$WORK/in.mkv" 64x64 0.2
"$FFMPEG" -nostdin -hide_banner -loglevel verbose -y -i "$WORK/in.mkv" -filter_complex \
  "[0:v]split[a][b];[a]artv=prompt=left:frames=2:$FAST:seed=5[oa];[b]artv=prompt=right:frames=2:$FAST:seed=6[ob]" \
  -map '[oa]' -fps_mode passthrough -f framemd5 "$WORK/a.md5" \
  -map '[ob]' -fps_mode passthrough -f framemd5 "$WORK/b.md5" 2>"$WORK/log" ||
  { tail -20 "$WORK/log"; fail "two artv instances"; }
n_open=$(grep -c "opening model" "$WORK/log" || true)
n_shared=$(grep -c "sharing the already open model" "$WORK/log" || true)
assert_eq "models opened" "$n_open" 1
assert_eq "models shared" "$n_shared" 1

ff -i "$WORK/in.mkv" -vf "artv=prompt=left:frames=2:$FAST:seed=5" -fps_mode passthrough \
  -f framemd5 "$WORK/a1.md5"
ff -i "$WORK/in.mkv" -vf "artv=prompt=right:frames=2:$FAST:seed=6" -fps_mode passthrough \
  -f framemd5 "$WORK/b1.md5"
md5_column "$WORK/a.md5" >"$WORK/x"; md5_column "$WORK/a1.md5" >"$WORK/y"
cmp -s "$WORK/x" "$WORK/y" || fail "branch a differs from its own run"
md5_column "$WORK/b.md5" >"$WORK/x"; md5_column "$WORK/b1.md5" >"$WORK/y"
cmp -s "$WORK/x" "$WORK/y" || fail "branch b differs from its own run"
echo "PASS: $TEST_NAME"
