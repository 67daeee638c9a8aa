#!/bin/sh
# `artv render`: renderer clips as MP4 and PNG sequences with a captions file that VideoSource
# reads back, a contact sheet, motion filters, and usage errors.
set -u
ARTV="${ARTV_BUILDDIR:-.}/tools/artv"
export ARTV_SRCDIR="${ARTV_SRCDIR:-.}"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

"$ARTV" render --count 3 --size 64x64 --frames 6 --sheet "$tmp/sheet.png" -o "$tmp/mp4" >"$tmp/out"; rc=$?
check "render succeeds" test "$rc" -eq 0
check "three MP4 clips" test -s "$tmp/mp4/clip_0000.mp4" -a -s "$tmp/mp4/clip_0002.mp4"
check "one caption line per clip" test "$(wc -l <"$tmp/mp4/captions.jsonl")" -eq 3
check "captions name their clip" grep -q '"path":"clip_0001.mp4","caption":"' "$tmp/mp4/captions.jsonl"
check "a contact sheet" test -s "$tmp/sheet.png"
if command -v ffprobe >/dev/null; then
    n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames,width -of csv=p=0 "$tmp/mp4/clip_0000.mp4")
    check "6 frames of 64 px in the MP4 ($n)" test "$n" = "64,6"
fi

# Same seed, same clips: the captions repeat exactly.
"$ARTV" render --count 3 --size 64x64 --frames 6 --no-clips -o "$tmp/again" >/dev/null
sed 's/"path":"[^"]*",//' "$tmp/mp4/captions.jsonl" >"$tmp/nopath.jsonl"
check "deterministic by seed" cmp -s "$tmp/nopath.jsonl" "$tmp/again/captions.jsonl"

"$ARTV" render --count 2 --size 32x32 --frames 4 --png --object-motion left -o "$tmp/png" >"$tmp/out"; rc=$?
check "PNG sequences" test "$rc" -eq 0 -a -s "$tmp/png/clip_0001/frame_00003.png"
check "--object-motion left gives left-moving captions only" test "$(grep -c 'moving left' "$tmp/out")" -eq 2

"$ARTV" render --object-motion sideways -o "$tmp/x" 2>"$tmp/err"; rc=$?
check "an unknown motion exits 2" test "$rc" -eq 2
check "the unknown motion is named" grep -q '"sideways" is not one of' "$tmp/err"
"$ARTV" render --count 1 2>/dev/null; rc=$?
check "no output directory exits 2" test "$rc" -eq 2

echo "$failures failure(s)"
test "$failures" -eq 0
