#!/bin/sh
# Bad input gives a clear error and a non-zero exit, never a crash: unknown option, malformed
# schedules, out-of-range frames, missing model directory, corrupt weights, unknown device,
# conflicting options.
. "$(dirname "$0")/lib.sh"

make_clip "$WORK/in.mkv" 64x64 0.2

# expect_error NAME 'EXPECTED TEXT' FFMPEG-ARGS...: exit status 1-127 (not a signal) and the
# text in the log.
expect_error() {
  name=$1 text=$2
  shift 2
  set +e
  "$FFMPEG" -nostdin -hide_banner -loglevel error -y "$@" >"$WORK/log" 2>&1
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "$name: ffmpeg succeeded"
  [ "$rc" -lt 128 ] || { cat "$WORK/log" >&2; fail "$name: ffmpeg died with signal $((rc - 128))"; }
  grep -qF -- "$text" "$WORK/log" || { cat "$WORK/log" >&2; fail "$name: no '$text' in the log"; }
  note "$name: exit $rc, $(grep -F -- "$text" "$WORK/log" | head -n 1)"
}
vf() { expect_error "$1" "$2" -i "$WORK/in.mkv" -vf "$3" -f null -; }
src() { expect_error "$1" "$2" -f lavfi -i "$3" -f null -; }

vf "unknown option" "Option 'bogus' not found" "artv=prompt=x:bogus=1"
vf "schedule: segment without a count" "segment 1 ('walk') has no frame count" \
  "artv=prompts='walk|turn/2'"
vf "schedule: empty prompt" "segment 2 has an empty prompt" "artv=prompts='walk/2|/3'"
vf "schedule: zero count" "frame count '0' out of range" "artv=prompts='walk/0|turn'"
vf "schedule: negative count" "frame count '-3' out of range" "artv=prompts='walk/-3|turn'"
vf "schedule: huge count" "out of range" "artv=prompts='walk/99999999999999999999|turn'"
src "artvsrc schedule: empty" "segment 1 has an empty prompt" "artvsrc=prompts=|"
vf "frames < 0" "out of range" "artv=prompt=x:frames=-1"
vf "frames absurd" "out of range" "artv=prompt=x:frames=1000000000"
vf "prompt and prompts" "set either prompt or prompts" "artv=prompt=x:prompts='a/1'"
vf "missing model directory" "cannot open the model '$WORK/no-such-model'" \
  "artv=prompt=x:model=$WORK/no-such-model"

# Corrupt weights: the model directory with its weights file overwritten by garbage, then cut short.
cp -r "$MODEL" "$WORK/corrupt"
weights=$(sed -n 's/.*"weights": *"\([^"]*\)".*/\1/p' "$MODEL/config.json")
[ -f "$WORK/corrupt/$weights" ] || hard_error "weights file '$weights' not found in $MODEL"
head -c 4096 /dev/urandom >"$WORK/corrupt/$weights"
vf "garbage weights" "cannot open the model '$WORK/corrupt'" "artv=prompt=x:model=$WORK/corrupt"
head -c 100 "$MODEL/$weights" >"$WORK/corrupt/$weights"
vf "truncated weights" "cannot open the model '$WORK/corrupt'" "artv=prompt=x:model=$WORK/corrupt"
echo '{ "name": ' >"$WORK/corrupt/config.json"
vf "corrupt config" "cannot open the model '$WORK/corrupt'" "artv=prompt=x:model=$WORK/corrupt"

vf "unknown device" "cannot open the model" "artv=prompt=x:device=tpu9"
# device=cuda where there is no usable GPU (this build's LibTorch without CUDA, or no device).
if ! nvidia-smi -L >/dev/null 2>&1; then
  vf "device cuda without a GPU" "CUDA requested but no CUDA device is available" "artv=prompt=x:device=cuda"
  src "artvsrc device cuda without a GPU" "CUDA requested but no CUDA device is available" \
    "artvsrc=prompt=x:frames=1:device=cuda"
fi
vf "gen_size not a size" "Unable to parse option value" "artv=prompt=x:gen_size=huge"
vf "gen_size too large" "cannot start a generation session" "artv=prompt=x:gen_size=100000x100000"
src "artvsrc frames and duration" "set either frames or duration" "artvsrc=prompt=x:frames=3:duration=1"
src "artvsrc unknown sampler" "Unable to parse option value \"plms\"" "artvsrc=prompt=x:sampler=plms"
src "artvsrc size past the limit" "sides are at most 16384" "artvsrc=prompt=x:size=16400x64"
echo "PASS: $TEST_NAME"
