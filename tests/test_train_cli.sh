#!/bin/sh
# `artv train` from the command line: the option table, bare bool options, a one-step VAE run
# on the test-tiny config recording its options, SIGTERM/SIGINT and --resume, and usage errors.
set -u
ARTV="${ARTV_BUILDDIR:-.}/tools/artv"
export ARTV_SRCDIR="${ARTV_SRCDIR:-.}"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

"$ARTV" train options >"$tmp/options"
check "options list init_all as bool" grep -q '^init_all  *bool  *false' "$tmp/options"
check "options list data_threads" grep -q '^data_threads ' "$tmp/options"
check "options list device" grep -q '^device  *string  *auto' "$tmp/options"

"$ARTV" train export --help >"$tmp/export-help"; rc=$?
check "train export --help succeeds" test "$rc" -eq 0
check "... and documents --run, --out, --dtype" grep -q -- '--dtype' "$tmp/export-help"

# A bare bool option (--ema-warmup, here before another option, and --sample-latents last)
# means true; "--use-mask false" still takes its value.
"$ARTV" train vae --model-config "$ARTV_SRCDIR/models/test-tiny/config.json" --data renderer \
    --renderer-clips 2 --photos none --out-dir "$tmp/vae" --steps 1 --batch-size 2 --threads 1 \
    --data-threads 1 --device cpu --ema-warmup --use-mask false --sample-latents \
    >"$tmp/vae.log" 2>&1; rc=$?
check "one VAE step runs (exit $rc)" test "$rc" -eq 0
check "a checkpoint" test -s "$tmp/vae/latest.safetensors"
check "bare bool before an option is true" grep -q '"ema_warmup": *true' "$tmp/vae/train_config.json"
check "bare bool at the end is true" grep -q '"sample_latents": *true' "$tmp/vae/train_config.json"
check "bool with a value keeps it" grep -q '"use_mask": *false' "$tmp/vae/train_config.json"

# A real signal during training: SIGTERM, then SIGINT on the resumed run. Each stops at the next
# step boundary with a checkpoint and exits 128 + the signal; --resume goes on from it.
# train_until_signal SIGNAL LOG [OPTIONS...]: a long VAE run that gets SIGNAL after 2 steps.
train_until_signal() {
    sig=$1 log=$2; shift 2
    "$ARTV" train vae --model-config "$ARTV_SRCDIR/models/test-tiny/config.json" --data renderer \
        --renderer-clips 2 --photos none --out-dir "$tmp/sig" --steps 100000 --batch-size 2 \
        --threads 1 --data-threads 1 --device cpu --log-every 1 "$@" >"$log" 2>&1 &
    pid=$!
    n=0
    while ! grep -q '^step 2/' "$log" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
    kill -"$sig" "$pid"
    wait "$pid"; rc=$?
    stopped=$(sed -n 's/^artv train: stopped after step \([0-9]*\) (checkpoint written)$/\1/p' "$log")
}
train_until_signal TERM "$tmp/term.log"
check "SIGTERM exits 143 (exit $rc)" test "$rc" -eq 143
check "SIGTERM: stopped after a step, checkpoint written" test -n "$stopped"
check "SIGTERM: the checkpoint is there" test -s "$tmp/sig/latest.safetensors"
first_stop=${stopped:-0}
train_until_signal INT "$tmp/int.log" --resume
check "SIGINT exits 130 (exit $rc)" test "$rc" -eq 130
check "--resume starts at the step SIGTERM stopped at" grep -q "resuming at step $first_stop\b" "$tmp/int.log"
check "SIGINT: stopped later than the first run" test "${stopped:-0}" -gt "$first_stop"

# The tokenizer stage on real clips caches nothing unless asked (its 64 px decodes are of no
# use to the other stages), so it leaves no train-out/ behind in the working directory.
mkdir -p "$tmp/tok" "$tmp/clips"
"$ARTV" render --count 2 --size 64x64 --frames 4 -o "$tmp/clips" >/dev/null
(cd "$tmp/tok" && "$ARTV" train tokenizer --data "$tmp/clips/captions.jsonl" --vocab-size 40 \
    --out "$tmp/tok/t.model" >"$tmp/tok.log" 2>&1); rc=$?
check "tokenizer stage on video captions (exit $rc)" test "$rc" -eq 0 -a -s "$tmp/tok/t.model"
check "... without a clip cache warning" sh -c "! grep -q 'clip cache' '$tmp/tok.log'"
check "... and without a train-out directory" test ! -e "$tmp/tok/train-out"

# Usage errors: exit 2 and a message naming the problem.
"$ARTV" train vae --lr >"$tmp/err" 2>&1; rc=$?
check "a value-less non-bool option is an error (exit $rc)" test "$rc" -eq 2
check "... saying it needs a value" grep -q -- '--lr needs a value' "$tmp/err"
"$ARTV" train vae --lr fast --out-dir "$tmp/x" >"$tmp/err" 2>&1; rc=$?
check "a malformed value is an error (exit $rc)" test "$rc" -ne 0 -a "$rc" -lt 128
check "... naming the option" grep -q 'lr' "$tmp/err"
"$ARTV" train dance >"$tmp/err" 2>&1; rc=$?
check "an unknown stage is an error (exit $rc)" test "$rc" -eq 2
check "... listing the stages" grep -q 'tokenizer, vae, artv, export' "$tmp/err"

echo "$failures failure(s)"
test "$failures" -eq 0
