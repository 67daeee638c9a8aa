#!/bin/sh
# The `artv` command-line tool: dispatch, --help/--version, and `artv inspect` on an oracle file.
set -u
ARTV="${ARTV_BUILDDIR:-.}/tools/artv"
SHARED="${ARTV_SHARED:-../shared}"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

"$ARTV" --version >"$tmp/version"
check "--version names the library version" grep -q '^artv [0-9]*\.[0-9]*\.[0-9]* (C API ABI [0-9]*)$' "$tmp/version"
"$ARTV" --help >"$tmp/help"
check "--help lists inspect" grep -q '^  inspect ' "$tmp/help"
"$ARTV" frobnicate 2>"$tmp/err"; rc=$?
check "an unknown command exits 2" test "$rc" -eq 2
check "an unknown command is named" grep -q "unknown command 'frobnicate'" "$tmp/err"

"$ARTV" inspect "$SHARED/oracles/unet_small.safetensors" >"$tmp/out"; rc=$?
check "inspect succeeds on the U-Net oracle" test "$rc" -eq 0
check "inspect counts 290 tensors" grep -q ': 290 tensors, ' "$tmp/out"
check "inspect shows a shape" grep -Eq '^  input_blocks\.0\.0\.weight +F32 +\[32, 4, 3, 3\]$' "$tmp/out"
check "inspect shows metadata" grep -q "^  config: {'use_checkpoint'" "$tmp/out"
"$ARTV" inspect --json "$SHARED/oracles/unet_small.safetensors" >"$tmp/json"
check "inspect --json lists io.t" grep -q '"name": "io.t"' "$tmp/json"
check "inspect --json has 290 entries" test "$(grep -c '"name": ' "$tmp/json")" -eq 290

printf 'not a safetensors file at all' >"$tmp/bad.safetensors"
"$ARTV" inspect "$tmp/bad.safetensors" 2>"$tmp/err"; rc=$?
check "inspect of a bad file exits 1" test "$rc" -eq 1
check "inspect names the problem" grep -q "bad.safetensors: header length .* exceeds" "$tmp/err"
"$ARTV" inspect 2>/dev/null; rc=$?
check "inspect without a file exits 2" test "$rc" -eq 2

# artv motion on rendered camera clips with a known direction (clip_spec.h's convention).
PHOTOS="${ARTV_SRCDIR:-.}/data/photos.jsonl"
if [ -f "$PHOTOS" ]; then
    for m in pan_right:left tilt_down:up; do
        "$ARTV" render -o "$tmp/${m%%:*}" --count 1 --frames 8 --camera-motion "${m%%:*}" --photos "$PHOTOS" >/dev/null
        "$ARTV" motion -q "$tmp/${m%%:*}/clip_0000.mp4" >"$tmp/motion" 2>&1
        check "motion of a ${m%%:*} clip: content moves ${m#*:}" grep -q "content moves ${m#*:}" "$tmp/motion"
    done
fi
"$ARTV" motion "$tmp/none.mp4" 2>/dev/null; rc=$?
check "motion of a missing file exits 1" test "$rc" -eq 1
"$ARTV" motion 2>/dev/null; rc=$?
check "motion without a file exits 2" test "$rc" -eq 2

echo "$failures failure(s)"
test "$failures" -eq 0
